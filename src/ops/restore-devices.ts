/**
 * An in-place restore across file systems. A file reaches its place by rename or link, which work only
 * within one file system (EXDEV otherwise); so when the folders a selection goes back into lie on
 * several (a disk mounted at `/home` under the target `/`, a disk image mounted inside the folder
 * restored), the selection is cut at each mount point and every part is extracted into a staging
 * folder of its own on the file system it goes back to. The cutting is pure; the file system is asked
 * through `devOf` (restore.ts passes lstat).
 */
import { commonParent, exactPattern, type ScanItem } from './restore-plan.js';

/** One part of a selection: everything at or below `root` ('' = the top) that is not below a deeper mount point. */
export interface DeviceGroup {
  /** The mount point (archive path) this part goes under; '' for the part on the target's own file system. */
  root: string;
  /** borg extract's paths for this part ([] = the whole archive). */
  paths: string[];
  /** `--pattern=-…` values leaving out the deeper parts (added to the plan's own). */
  excludes: string[];
  /** Where the staging folder goes, as deep as the part's paths share, never above `root` ('' = the target). */
  stagingUnder: string;
  files: number;
  bytes: number;
}

const parentOf = (p: string): string => {
  const i = p.lastIndexOf('/');
  return i === -1 ? '' : p.slice(0, i);
};
/** How many folders are looked up at once. */
const ASK_AT_ONCE = 64;
const within = (p: string, root: string): boolean => root === '' || p === root || p.startsWith(`${root}/`);

/** The folders that hold something of the selection (proper ancestors of its members), parents first. */
export function holdingFolders(items: readonly ScanItem[]): string[] {
  const seen = new Set<string>();
  for (const it of items) for (let p = parentOf(it.path); p !== '' && !seen.has(p); p = parentOf(p)) seen.add(p);
  // A parent sorts before its children ('a' < 'a/…').
  return [...seen].sort();
}

/**
 * The mount points among `folders` (parents first): folders whose destination is a real folder on
 * another device than the nearest real folder above it. `devOf(p)` answers the device of the target's
 * `p` when it is a real folder (not a link), else null; `devOf('')` is the target's. A folder that is
 * missing has no mount point below it, so nothing below it is asked.
 */
export async function mountPoints(folders: readonly string[], devOf: (p: string) => Promise<number | null>): Promise<string[]> {
  const dev = new Map<string, number | null>([['', await devOf('')]]);
  // Level by level (a folder's parent is always one level up), many asked at once: a whole archive put
  // back over the tree it came from asks once per folder.
  const levels: string[][] = [];
  for (const f of folders) (levels[f.split('/').length] ??= []).push(f);
  const out: string[] = [];
  for (const level of levels) {
    for (let i = 0; level && i < level.length; i += ASK_AT_ONCE) {
      const batch = level.slice(i, i + ASK_AT_ONCE);
      const own = await Promise.all(
        batch.map((f) => {
          const up = dev.get(parentOf(f));
          // Missing (or a link): nothing below it is asked, and nothing below it is a mount point.
          return typeof up === 'number' ? devOf(f) : null;
        }),
      );
      batch.forEach((f, j) => {
        const d = own[j] ?? null;
        dev.set(f, d);
        if (d !== null && d !== dev.get(parentOf(f))) out.push(f);
      });
    }
  }
  return out.sort();
}

/** The part of `path`: the deepest mount point at or above it ('' for none). */
function rootOf(path: string, deepestFirst: readonly string[]): string {
  for (const m of deepestFirst) if (within(path, m)) return m;
  return '';
}

/**
 * Cuts the selection (`requested` archive paths, [] = all; `items` = the members that will be written)
 * at the `mounts` found. One group when there is no mount point below: the selection as asked. Groups
 * with nothing in them are not returned (borg would say their paths never matched).
 */
export function deviceGroups(requested: readonly string[], items: readonly ScanItem[], mounts: readonly string[]): DeviceGroup[] {
  const deepestFirst = [...mounts].sort((a, b) => b.length - a.length);
  const members = new Map<string, ScanItem[]>();
  for (const it of items) {
    const root = rootOf(it.path, deepestFirst);
    const list = members.get(root);
    if (list) list.push(it);
    else members.set(root, [it]);
  }
  const groups: DeviceGroup[] = [];
  for (const root of ['', ...mounts]) {
    const mine = members.get(root);
    if (!mine) continue;
    // A path asked for is given to the part that holds something of it (else borg says it never matched);
    // a mount point inside a path asked for is given whole to its part.
    const holding = (r: string) => mine.some((it) => within(it.path, r));
    let paths: string[];
    if (mounts.length === 0) paths = [...requested];
    else if (root === '') paths = requested.filter(holding);
    else if (requested.length === 0 || requested.some((r) => within(root, r))) paths = [root];
    else paths = requested.filter((r) => within(r, root) && holding(r));
    const excludes = mounts.filter((m) => m !== root && within(m, root)).flatMap((m) => [exactPattern(m), exactPattern(m, true)]);
    // Staging as deep as the part's paths share (the whole archive: its files'), never above its mount point.
    const under = paths.length ? paths : mine.filter((it) => it.type !== 'd').map((it) => it.path);
    let stagingUnder = commonParent(under);
    if (!within(stagingUnder, root)) stagingUnder = root;
    let files = 0;
    let bytes = 0;
    for (const it of mine) {
      if (it.type === 'd') continue;
      files++;
      if (!(it.source && it.type !== 'l')) bytes += it.size;
    }
    groups.push({ root, paths, excludes, stagingUnder, files, bytes });
  }
  return groups;
}
