/**
 * Where a local repository may live relative to what is backed up. Pure decisions (paths and what
 * the filesystem said about them in, findings out) plus the small filesystem layer that gathers
 * those facts, so the same rules run in the schema (lexically, no filesystem), at save and before a
 * run (with stat and realpath).
 *
 * Refused, each with its own sentence:
 * - a repository that is a file (or anything but a folder): borg cannot open or create one there;
 * - a repository at the top of the system disk or of the places that hold everyone's folders: `/`,
 *   `/System/Volumes/Data` (macOS's data volume, the same files as `/`), `/Users`, `/home`, the
 *   home folder itself, and the folder disks appear in (`/Volumes`, `/media/<user>`). The top of an
 *   external disk (`/Volumes/Backup`) is allowed: that disk is there to hold backups;
 * - a repository inside a source (or the source itself): each backup would copy the repository into
 *   the next, unless an exclude leaves the repository out;
 * - a source inside the repository.
 * Only local repositories are checked; an ssh repository lives on another machine.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { isRemote } from '../borg/location.js';
import { borgPath, compileExclude, expandPatternHome, type Matcher } from './patterns.js';

/** What is at a path: `below-file` when a folder on the way is a file. */
export type EntryKind = 'folder' | 'file' | 'other' | 'below-file' | 'missing' | 'unknown';

export interface PlacementFacts {
  home: string;
  /** Where disks appear (`/Volumes`); null when not known. */
  volumesRoot: string | null;
  /** The repository as written, `~` expanded. */
  repository: string;
  /** The repository with links resolved where they exist (else the same as `repository`). */
  repositoryReal: string;
  /** What is at the repository path ('unknown' when not looked at). */
  repositoryKind: EntryKind;
  /** `device`: the filesystem (st_dev) the source is on; absent when not looked at. */
  sources: { written: string; real: string; device?: number }[];
  excludes: readonly string[];
  /** borg's --one-file-system: a repository on another filesystem than its source is not backed up. */
  oneFileSystem?: boolean;
  /** The filesystem the repository (or its nearest existing folder) is on; absent when not looked at. */
  repositoryDevice?: number;
}

/** What of a profile the placement rules read. */
export interface ProfilePlaces {
  repository: string;
  sources: readonly string[];
  excludes: readonly string[];
  oneFileSystem?: boolean;
}

export interface PlacementFinding {
  /** `repository` or `sources[i]`: the field to fix. */
  field: string;
  message: string;
}

function expand(p: string, home: string): string {
  return path.posix.normalize(expandPatternHome(p, home)).replace(/(.)\/+$/, '$1');
}

/** Whether `inner` is `outer` or inside it (both normalised absolute paths). */
export function within(inner: string, outer: string): boolean {
  if (outer === '/') return inner.startsWith('/');
  return inner === outer || inner.startsWith(`${outer}/`);
}

/** The folders a person should not point a repository at: the system disk's top and the folders of all users. */
export function systemFolders(home: string, volumesRoot: string | null): string[] {
  const out = ['/', '/System/Volumes/Data', '/Users', '/home', expand(home, home)];
  if (volumesRoot) out.push(expand(volumesRoot, home));
  return out;
}

/** Whether an exclude leaves out `target` when backing up `source`: it matches the target or a folder between them. */
export function excludedWithin(matchers: readonly Matcher[], source: string, target: string): boolean {
  for (let p = target; within(p, source) && p !== source; p = path.posix.dirname(p)) {
    const candidate = borgPath(p);
    if (matchers.some((m) => m(candidate))) return true;
  }
  return false;
}

function shown(written: string): string {
  return written.replace(/(.)\/+$/, '$1');
}

export function placementFindings(facts: PlacementFacts): PlacementFinding[] {
  const findings: PlacementFinding[] = [];
  const { repository, repositoryReal: repo, repositoryKind: kind } = facts;
  if (kind === 'file' || kind === 'other' || kind === 'below-file') {
    const what = kind === 'file' ? 'is a file' : kind === 'other' ? 'is not a folder' : 'is inside a file, not a folder';
    findings.push({
      field: 'repository',
      message: `${repository} ${what}: a repository is a folder; choose the folder that holds the repository, or a new folder for a new one`,
    });
    return findings;
  }
  const system = systemFolders(facts.home, facts.volumesRoot);
  if (system.includes(repo) || system.includes(repository)) {
    const is = (p: string | null) => p !== null && (repo === expand(p, facts.home) || repository === expand(p, facts.home));
    const what = is(facts.home)
      ? 'your home folder itself'
      : is(facts.volumesRoot)
        ? 'the folder disks appear in, not a disk'
        : is('/Users') || is('/home')
          ? 'the folder that holds the home folders'
          : 'the top of the system disk';
    findings.push({
      field: 'repository',
      message: `${repository} is ${what}: a repository needs a folder of its own, e.g. ${path.posix.join(repository, 'Backups', 'borg')}`,
    });
  }
  const matchers = facts.excludes.flatMap((e) => {
    const c = compileExclude(expandPatternHome(e, facts.home));
    return c.ok ? [c.match] : [];
  });
  facts.sources.forEach((source, i) => {
    const src = source.real;
    // With --one-file-system borg stays on the source's filesystem; without both devices known, the
    // filesystem check (at save and before a run) decides.
    const otherFilesystem =
      facts.oneFileSystem === true &&
      (source.device === undefined || facts.repositoryDevice === undefined || source.device !== facts.repositoryDevice);
    if (within(repo, src) && otherFilesystem) return;
    if (within(repo, src)) {
      if (repo === src) {
        findings.push({
          field: 'repository',
          message: `${repository} is the folder ${shown(source.written)} that is backed up: each backup would copy the repository into itself; keep the repository in a folder of its own, outside what is backed up`,
        });
      } else if (!excludedWithin(matchers, src, repo)) {
        findings.push({
          field: 'repository',
          message: `${repository} is inside ${shown(source.written)}, which is backed up: each backup would copy the repository into itself; move the repository elsewhere, or add "${repo}" under Also leave out`,
        });
      }
    } else if (within(src, repo)) {
      findings.push({
        field: `sources[${i}]`,
        message: `${shown(source.written)} is inside the repository ${repository}: it would back the repository up into itself; choose the folders with your own files`,
      });
    }
  });
  return findings;
}

/** The lexical facts of a profile (no filesystem): what the schema can check on its own. */
export function lexicalFacts(profile: ProfilePlaces, home: string, volumesRoot: string | null): PlacementFacts | null {
  if (isRemote(profile.repository)) return null;
  const repository = expand(profile.repository, home);
  return {
    home,
    volumesRoot,
    repository,
    repositoryReal: repository,
    repositoryKind: 'unknown',
    sources: profile.sources.map((s) => ({ written: s, real: expand(s, home) })),
    excludes: profile.excludes,
    oneFileSystem: profile.oneFileSystem ?? false,
  };
}

// ---- the filesystem layer ------------------------------------------------------------------------

/** The path with links resolved: the deepest part that exists through realpath, the rest as written. */
export async function realPathOf(p: string): Promise<string> {
  const rest: string[] = [];
  let current = p;
  for (;;) {
    try {
      const real = await fs.realpath(current);
      return rest.length ? path.posix.join(real, ...rest.reverse()) : real;
    } catch {
      const parent = path.posix.dirname(current);
      if (parent === current) return p;
      rest.push(path.posix.basename(current));
      current = parent;
    }
  }
}

/** The filesystem a path is on: its own, or its nearest existing folder's (a repository not created yet). */
export async function deviceOf(p: string): Promise<number | undefined> {
  for (let current = p; ; current = path.posix.dirname(current)) {
    const st = await fs.stat(current).catch(() => null);
    if (st) return st.dev;
    if (path.posix.dirname(current) === current) return undefined;
  }
}

export async function entryKind(p: string): Promise<EntryKind> {
  try {
    const st = await fs.stat(p);
    return st.isDirectory() ? 'folder' : st.isFile() ? 'file' : 'other';
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'missing';
    if (code === 'ENOTDIR') return 'below-file';
    return 'unknown';
  }
}

/** The facts for a profile, read from the filesystem; null for an ssh repository. */
export async function placementFacts(profile: ProfilePlaces, home: string, volumesRoot: string | null): Promise<PlacementFacts | null> {
  const lexical = lexicalFacts(profile, home, volumesRoot);
  if (!lexical) return null;
  const [repositoryReal, repositoryKind, repositoryDevice, sources] = await Promise.all([
    realPathOf(lexical.repository),
    entryKind(lexical.repository),
    deviceOf(lexical.repository),
    Promise.all(lexical.sources.map(async (s) => ({ written: s.written, real: await realPathOf(s.real), device: await deviceOf(s.real) }))),
  ]);
  return { ...lexical, repositoryReal, repositoryKind, repositoryDevice, sources };
}

/** The findings for a profile, with the filesystem consulted. */
export async function checkPlacement(profile: ProfilePlaces, home: string, volumesRoot: string | null): Promise<PlacementFinding[]> {
  const facts = await placementFacts(profile, home, volumesRoot);
  return facts ? placementFindings(facts) : [];
}
