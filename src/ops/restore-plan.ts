/**
 * The decisions of a restore, as pure functions: which archive members may be written at all, where
 * restored files go (a new folder named after the archive, never an existing one), and what happens
 * when a file is put back where one already is (left alone when identical, else Time Machine's Keep
 * Both: the restored copy beside it under a clear name). No file system access here: the runner
 * (restore.ts, restore-move.ts) asks and these answer.
 */
import { pyRegexLiteral } from '../borg/argv.js';

/** One member of the archive selection, as `borg list` names it (see restore-scan.ts). */
export interface ScanItem {
  /** borg's type letter: d folder, - file (a hardlink has a source), l link, and b c p s for the rest. */
  type: string;
  path: string;
  /** For a link, its target; for a hardlink, the archive path of the file it shares contents with; else ''. */
  source: string;
  size: number;
}

export type RefusalReason = 'absolute' | 'parent' | 'nul' | 'through-link' | 'link-outside';

export interface RefusedMember {
  path: string;
  reason: RefusalReason;
}

/**
 * Why a path stored in an archive must not be written, or null. borg 1.2 strips a leading `/` and
 * `../` when it stores a path, but not `a/../../x` (an archive made by `import-tar`, or by hand): joined
 * to the folder borg extracts into, that lands outside it. A NUL cannot be in a real file name.
 * Newlines and bytes that are not UTF-8 are legal names and stay inside the target: they are restored.
 */
export function memberRefusal(path: string): Extract<RefusalReason, 'absolute' | 'parent' | 'nul'> | null {
  if (path.includes('\0')) return 'nul';
  if (path.startsWith('/')) return 'absolute';
  if (path.split('/').includes('..')) return 'parent';
  return null;
}

/** The proper ancestors of an archive path, nearest last: `a/b/c` → `a`, `a/b`. */
function ancestors(path: string): string[] {
  const out: string[] = [];
  for (let i = path.indexOf('/'); i !== -1; i = path.indexOf('/', i + 1)) out.push(path.slice(0, i));
  return out;
}

/**
 * A Python regex matching exactly this archive path (or, with `below`, everything under it). borg shows
 * a byte that is not UTF-8 as `?`, while its matcher sees one character for it: `?` matches any one
 * character, so a refused member whose name was shown lossily is still left out (perhaps with a
 * sibling whose name differs only there: leaving out more, never less).
 */
export function exactPattern(path: string, below = false): string {
  const literal = pyRegexLiteral(path).replace(/\\\?/g, '.');
  return `re:^${literal}${below ? '/' : '\\Z'}`;
}

/** Excluded in every restore, whatever the scan found: names borg would join into a path outside the target. */
export const ALWAYS_EXCLUDED = ['re:(^|/)\\.\\.(/|\\Z)', 're:^/'];

export interface MemberPlan {
  refused: RefusedMember[];
  /** `--pattern=-…` values for borg extract (excludes come before the paths, so they win). */
  excludes: string[];
  /** What will be written: files and other non-folders, and their bytes. */
  files: number;
  bytes: number;
  folders: number;
}

/**
 * Which members of the selection may be written. Refused: a path outside (absolute, `..`), a path under
 * a link the archive itself holds (borg would create the link, then write through it: wherever it
 * points, e.g. `/etc`), and a hardlink to a file outside the target. Links themselves are restored as
 * links; nothing is ever written through one.
 */
export function planMembers(items: Iterable<ScanItem>): MemberPlan {
  const list = Array.isArray(items) ? (items as ScanItem[]) : [...items];
  const links = new Set<string>();
  for (const it of list) if (it.type === 'l') links.add(it.path);
  const refused: RefusedMember[] = [];
  const excluded = new Set<string>();
  const throughLink = (path: string): string | null => {
    if (links.size === 0) return null;
    for (const a of ancestors(path)) if (links.has(a)) return a;
    return null;
  };
  let files = 0;
  let bytes = 0;
  let folders = 0;
  for (const it of list) {
    const own = memberRefusal(it.path);
    if (own) {
      refused.push({ path: it.path, reason: own });
      // The general patterns (ALWAYS_EXCLUDED) leave these out; a NUL cannot be matched, so the
      // caller refuses the whole restore when one is found (see `mustRefuseAll`).
      continue;
    }
    const link = throughLink(it.path);
    if (link !== null) {
      refused.push({ path: it.path, reason: 'through-link' });
      excluded.add(exactPattern(link, true));
      continue;
    }
    if (it.source && it.type !== 'l' && (memberRefusal(it.source) !== null || throughLink(it.source) !== null)) {
      refused.push({ path: it.path, reason: 'link-outside' });
      excluded.add(exactPattern(it.path));
      continue;
    }
    if (it.type === 'd') folders++;
    else {
      files++;
      // A hardlink's contents are its source's: written once.
      if (!(it.source && it.type !== 'l')) bytes += it.size;
    }
  }
  return { refused, excludes: [...ALWAYS_EXCLUDED, ...excluded], files, bytes, folders };
}

/** A NUL in a member's name cannot be matched by a pattern: such an archive is not restored at all. */
export function mustRefuseAll(plan: MemberPlan): boolean {
  return plan.refused.some((r) => r.reason === 'nul');
}

/**
 * A path the user asked for, as the archive stores it: no leading or trailing `/`; `.` parts dropped.
 * null when it cannot be in an archive (a `..` part, a NUL). '' is the whole archive.
 */
export function archivePathOf(requested: string): string | null {
  if (requested.includes('\0')) return null;
  const parts = requested.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) return null;
  return parts.join('/');
}

/** The requested paths that match no member of the selection (borg's "never matched"), in the order asked. */
export function neverMatched(requested: readonly string[], items: Iterable<ScanItem>): string[] {
  const wanted = new Set(requested);
  if (wanted.size === 0 || wanted.has('')) return [];
  const seen = new Set<string>();
  for (const it of items) {
    if (wanted.has(it.path)) seen.add(it.path);
    for (const a of ancestors(it.path)) if (wanted.has(a)) seen.add(a);
    if (seen.size === wanted.size) return [];
  }
  return requested.filter((r) => !seen.has(r));
}

/**
 * The folder that holds every requested path ('' for the top): where an in-place restore stages, so the
 * restored files are on the same file system as where they go back to.
 */
export function commonParent(paths: readonly string[]): string {
  if (paths.length === 0 || paths.includes('')) return '';
  const parents = paths.map((p) => p.split('/').slice(0, -1));
  const first = parents[0]!;
  let n = first.length;
  for (const other of parents.slice(1)) {
    let i = 0;
    while (i < n && i < other.length && other[i] === first[i]) i++;
    n = i;
  }
  return first.slice(0, n).join('/');
}

/** Longest name most file systems take (APFS, ext4, NTFS via its UTF-16 limit aside), in UTF-8 bytes. */
export const NAME_MAX_BYTES = 255;

/** `text` cut (on a character boundary) so that it fits in `maxBytes` of UTF-8. */
function fitBytes(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  let out = '';
  let used = 0;
  for (const ch of text) {
    const n = Buffer.byteLength(ch);
    if (used + n > maxBytes) break;
    out += ch;
    used += n;
  }
  return out;
}

/** An archive name made into one folder name: borg allows `:`, but `/` and NUL cannot be in a name. */
function asFolderName(archive: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what is replaced
  return archive.replace(/[/\0]/g, '-').replace(/[\x00-\x1f\x7f]/g, ' ');
}

/** A name not yet `taken`: `base`, else `base 2`, `base 3`… (within NAME_MAX_BYTES, the suffix kept). */
function unique(make: (suffix: string) => string, taken: (name: string) => boolean): string {
  for (let n = 1; ; n++) {
    const name = make(n === 1 ? '' : ` ${n}`);
    if (!taken(name)) return name;
  }
}

/**
 * The new folder a restore writes into: `Restored from <archive>`, or `Restored from <archive> 2`, `… 3`
 * when that exists. Never an existing folder.
 */
export function restoredFolderName(archive: string, taken: (name: string) => boolean): string {
  const base = `Restored from ${asFolderName(archive)}`;
  return unique((suffix) => fitBytes(base, NAME_MAX_BYTES - Buffer.byteLength(suffix)) + suffix, taken);
}

/** The time in a Keep Both name, local: `2026-12-02 10.00` (dots, as a Mac file name cannot hold `:` in the Finder). */
export function restoreStamp(when: Date, timeZone?: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(when);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '00';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}.${get('minute')}`;
}

/**
 * Time Machine's Keep Both: the restored copy goes beside the file that is there, under the same name
 * with `(restored <time of the backup>)` before the extension: `report.pdf` → `report (restored
 * 2026-12-02 10.00).pdf`, a folder or `.bashrc` → `.bashrc (restored 2026-12-02 10.00)`; ` 2`, ` 3`…
 * inside the brackets when that name is taken too. Fits in NAME_MAX_BYTES (the stem is shortened).
 */
export function keepBothName(name: string, stamp: string, opts: { folder?: boolean; taken: (name: string) => boolean }): string {
  const dot = opts.folder ? -1 : name.lastIndexOf('.');
  // `.bashrc` has no extension; `archive.tar.gz` keeps `.gz` at the end.
  const split = dot > 0 && dot < name.length - 1;
  const stem = split ? name.slice(0, dot) : name;
  const ext = split ? name.slice(dot) : '';
  return unique((suffix) => {
    const tail = ` (restored ${stamp}${suffix})${ext}`;
    return fitBytes(stem, NAME_MAX_BYTES - Buffer.byteLength(tail)) + tail;
  }, opts.taken);
}

/** What a path is, as far as putting back is concerned. */
export type EntryKind = 'folder' | 'file' | 'link' | 'other';

/**
 * Putting one restored entry back where something may already be: `move` (nothing there: it goes in
 * place), `merge` (a folder into a folder: decide for each entry inside), `compare` (two files or two
 * links: identical ones are left alone, else Keep Both), `keep-both` (different kinds; a link where a
 * folder was is never followed).
 */
export type PutBack = 'move' | 'merge' | 'compare' | 'keep-both';

export function putBack(restored: EntryKind, existing: EntryKind | null): PutBack {
  if (existing === null) return 'move';
  if (restored === 'folder' && existing === 'folder') return 'merge';
  if (restored === existing && (restored === 'file' || restored === 'link')) return 'compare';
  return 'keep-both';
}

/** Identical means the same size and the same bytes; the caller reads the bytes only when the sizes agree. */
export function sameSize(a: { size: number | bigint }, b: { size: number | bigint }): boolean {
  return BigInt(a.size) === BigInt(b.size);
}
