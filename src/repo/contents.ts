/**
 * One folder of an archive at a time, for the restore browser.
 *
 * borg 1.2 has no depth limit: `borg list` always reads every item of the archive (there is no index)
 * and only its patterns decide what gets formatted and written. So two listings, each bounded by what
 * the folder shows rather than by its subtree:
 *   1. the direct children, as JSON lines (a `re:` pattern matching exactly one more path component);
 *   2. only the paths that lie below a child not stored as a folder of its own (a file `a/b/c` without
 *      an item `a/b`), which is how `home` appears when `/home/me/Documents` was backed up.
 * In the common case (a folder inside a backed-up source) the second prints nothing. Above the sources
 * it prints the paths under the implicit folders; borg cannot stop at the first one, and `RepoCommand`
 * buffers stdout, so that output is held until parsed (a path per item, nothing else).
 */
import { listFolderArgs, listImplicitArgs, archiveFolder } from '../borg/argv.js';
import { borgTime, failureOf, type Failure, type RepoCommand } from './types.js';

export type EntryType = 'dir' | 'file' | 'link' | 'other';

export interface FolderEntry {
  name: string;
  /** The path inside the archive, as borg stores it (no leading `/`); what extract takes. */
  path: string;
  type: EntryType;
  /** Bytes; 0 for folders. */
  size: number;
  /** UTC ISO; null for a folder that exists only because something below it was backed up. */
  mtime: string | null;
}

export type FolderResult = { ok: true; entries: FolderEntry[] } | Failure;

const TYPES: Record<string, EntryType> = { d: 'dir', '-': 'file', l: 'link' };

/**
 * Where `path` sits relative to `folder` ('' = the archive root): the name of the child of `folder` it
 * is or lies under, and whether it is that child itself. Null when it is outside, or `folder` itself.
 */
export function childOf(folder: string, path: string): { name: string; direct: boolean } | null {
  const prefix = folder ? `${folder}/` : '';
  if (!path.startsWith(prefix)) return null;
  const rest = path.slice(prefix.length);
  // "." is the root item of an archive made from a relative source (`borg create ::a .`).
  if (!rest || rest === '.') return null;
  const slash = rest.indexOf('/');
  return slash < 0 ? { name: rest, direct: true } : { name: rest.slice(0, slash), direct: false };
}

/**
 * Keeps the direct children of one folder out of a stream of archive paths: memory grows with the
 * children, never with the subtree. A stored child wins over an implicit one of the same name.
 */
export class FolderCollector {
  private readonly entries = new Map<string, FolderEntry>();
  readonly folder: string;

  constructor(folder: string) {
    this.folder = archiveFolder(folder, 'linux');
  }

  /** One item of `borg list --json-lines`. */
  addItem(item: { type?: unknown; path?: unknown; size?: unknown; mtime?: unknown }): void {
    if (typeof item.path !== 'string') return;
    const at = childOf(this.folder, item.path);
    if (!at) return;
    if (!at.direct) return this.addPath(item.path);
    const existing = this.entries.get(at.name);
    if (existing && existing.mtime !== null) return; // the same path stored twice: keep the first
    this.entries.set(at.name, {
      name: at.name,
      path: item.path,
      type: TYPES[String(item.type)] ?? 'other',
      size: typeof item.size === 'number' ? item.size : 0,
      mtime: borgTime(item.mtime),
    });
  }

  /** A path without details: below a child, it shows that child is a folder. */
  addPath(path: string): void {
    const at = childOf(this.folder, path);
    if (!at || this.entries.has(at.name)) return;
    if (at.direct) return; // a child itself comes with its details through addItem
    const prefix = this.folder ? `${this.folder}/` : '';
    this.entries.set(at.name, { name: at.name, path: prefix + at.name, type: 'dir', size: 0, mtime: null });
  }

  /** Names of the children stored as folders, whose subtrees need no second look. */
  storedDirs(): string[] {
    return [...this.entries.values()].filter((e) => e.type === 'dir').map((e) => e.name);
  }

  result(): FolderEntry[] {
    return sortEntries([...this.entries.values()]);
  }
}

/** Made on first use: building an ICU collator costs every process that loads the engine (a `dandelion run` too) several ms. */
let collator: Intl.Collator | null = null;

/** Folders first, then by name as a person reads it (`file2` before `file10`), ties by code point. */
export function sortEntries(entries: FolderEntry[]): FolderEntry[] {
  collator ??= new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });
  const { compare } = collator;
  return entries.sort(
    (a, b) =>
      Number(b.type === 'dir') - Number(a.type === 'dir') || compare(a.name, b.name) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
}

/** Calls `each` per record without splitting the whole text into an array first. */
function eachRecord(text: string, separator: string, each: (record: string) => void): void {
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf(separator, start);
    if (end < 0) end = text.length;
    if (end > start) each(text.slice(start, end));
    start = end + 1;
  }
}

/** Feeds `borg list --json-lines` output to a collector; lines that are not JSON are skipped. */
export function collectJsonLines(stdout: string, into: FolderCollector): void {
  eachRecord(stdout, '\n', (line) => {
    try {
      into.addItem(JSON.parse(line) as Record<string, unknown>);
    } catch {
      /* not an item line */
    }
  });
}

/** Feeds `--format={path}{NUL}` output to a collector. */
export function collectPaths(stdout: string, into: FolderCollector): void {
  eachRecord(stdout, '\0', (path) => into.addPath(path));
}

/** The direct children of `folder` ('' = the archive root) in `archive`, folders first. */
export async function listFolder(cmd: RepoCommand, repository: string, archive: string, folder: string): Promise<FolderResult> {
  const collector = new FolderCollector(folder);
  const children = await cmd(listFolderArgs(repository, archive, folder), { captureStdout: true });
  if (children.level === 'error') return failureOf(children, repository);
  collectJsonLines(children.stdout, collector);
  const below = await cmd(listImplicitArgs(repository, archive, folder, collector.storedDirs()), { captureStdout: true });
  if (below.level === 'error') return failureOf(below, repository);
  collectPaths(below.stdout, collector);
  return { ok: true, entries: collector.result() };
}
