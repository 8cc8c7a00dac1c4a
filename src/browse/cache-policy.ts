/**
 * Which archive indexes go, pure: the least recently used over the size cap, and those whose
 * archive a listing shows gone (store.ts acts on the answers).
 */
import { isCheckpoint } from '../repo/archives.js';

export interface CachedFile {
  file: string;
  repositoryId: string;
  archiveId: string;
  bytes: number;
  /** Last use (ms). */
  usedAt: number;
}

/**
 * Which files to delete so the rest fit in `maxBytes`: least recently used first, never one named
 * in `keep` (an index just written or in use).
 */
export function evictions(files: CachedFile[], maxBytes: number, keep: ReadonlySet<string> = new Set()): CachedFile[] {
  let total = files.reduce((sum, f) => sum + f.bytes, 0);
  const out: CachedFile[] = [];
  for (const f of [...files].sort((a, b) => a.usedAt - b.usedAt || (a.file < b.file ? -1 : 1))) {
    if (total <= maxBytes) break;
    if (keep.has(f.file)) continue;
    out.push(f);
    total -= f.bytes;
  }
  return out;
}

/** A shell-style archive pattern (`--glob-archives`), with borg's `{placeholders}` standing for anything. */
export function archiveScope(glob: string | null): (name: string) => boolean {
  if (glob === null) return () => true;
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') source += '.*';
    else if (c === '?') source += '.';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end === -1) source += '\\[';
      else {
        const set = glob.slice(i + 1, end).replace(/\\/g, '\\\\');
        source += set.startsWith('!') ? `[^${set.slice(1)}]` : `[${set}]`;
        i = end;
      }
    } else if (c === '{') {
      const end = glob.indexOf('}', i);
      if (end === -1) source += '\\{';
      else {
        source += '.*';
        i = end;
      }
    } else source += c.replace(/[\\^$.+()|{}\]]/g, (x) => `\\${x}`);
  }
  const re = new RegExp(`^${source}$`, 's');
  return (name) => re.test(name);
}

/**
 * Indexes whose archive a listing shows gone: not among the listed ids, and either named like an
 * archive the listing would have shown (its scope; checkpoints only when it listed them) or named
 * like a listed archive (same name, new archive).
 */
export function goneArchives(
  indexed: { archiveId: string; archive: string }[],
  listed: { id: string; name: string }[],
  scope: { inScope: (name: string) => boolean; checkpoints: boolean },
): string[] {
  const ids = new Set(listed.map((a) => a.id));
  const names = new Set(listed.map((a) => a.name));
  return indexed
    .filter((x) => !ids.has(x.archiveId))
    .filter((x) => names.has(x.archive) || (scope.inScope(x.archive) && (scope.checkpoints || !isCheckpoint(x.archive))))
    .map((x) => x.archiveId);
}
