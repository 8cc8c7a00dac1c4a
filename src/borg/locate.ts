import fs from 'node:fs/promises';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { scrubbedEnv } from './env.js';

/** GUI apps on macOS do not get Homebrew's PATH, so these are searched after PATH. */
export const FALLBACK_DIRS = ['/opt/homebrew/bin', '/usr/local/bin', '/opt/local/bin'];

export interface BorgVersion {
  major: number;
  minor: number;
  patch: number;
  raw: string;
}

export interface BorgBinary {
  path: string;
  version: BorgVersion;
  /** When borg's self-test last passed for this binary (epoch ms), from the version cache (src/borg/selftest.ts). */
  selftestPassedAt?: number;
  /** The version cache the binary was found with: where a passed self-test is recorded. */
  versionCache?: string;
  /** The file as it was when found (real path, size, mtime): a binary replaced since is not the one that passed. */
  fingerprint?: BinaryFingerprint;
}

export interface BinaryFingerprint {
  realpath: string;
  size: number;
  mtimeMs: number;
}

export class BorgNotFoundError extends Error {
  readonly kind = 'borg-missing' as const;
  constructor(readonly searched: string[]) {
    super(`borg was not found (looked in ${searched.join(', ')})`);
  }
}

/** A file where borg was looked for that is something else: the run must not treat it as borg. */
export class NotBorgError extends Error {
  // The faces already know 'borg-missing'; its message names the file and why it is not borg.
  readonly kind = 'borg-missing' as const;
  constructor(
    readonly file: string,
    readonly why: string,
  ) {
    super(`${file} is not BorgBackup (${why})`);
  }
}

export class BorgTooOldError extends Error {
  readonly kind = 'borg-too-old' as const;
  constructor(
    readonly binary: string,
    readonly version: BorgVersion,
  ) {
    super(`borg ${version.raw} at ${binary} is too old: Dandelion needs borg 1.2 or newer`);
  }
}

/** null when `file` can be run; otherwise why not (`missing` when there is nothing there at all). */
async function notRunnable(file: string): Promise<string | null> {
  let st;
  try {
    st = await fs.stat(file);
  } catch {
    return 'missing';
  }
  if (!st.isFile()) return st.isDirectory() ? 'it is a folder' : 'it is not a file';
  try {
    await fs.access(file, fs.constants.X_OK);
    return null;
  } catch {
    return 'it is not executable';
  }
}

export function candidatePaths(configured: string | null | undefined, envPath = process.env.PATH ?? ''): string[] {
  const dirs = [...envPath.split(path.delimiter).filter(Boolean), ...FALLBACK_DIRS];
  const out = configured ? [configured] : [];
  for (const d of dirs) {
    const p = path.join(d, 'borg');
    if (!out.includes(p)) out.push(p);
  }
  return out;
}

export function parseVersion(output: string): BorgVersion | null {
  const m = /(\d+)\.(\d+)\.(\d+)\S*/.exec(output);
  if (!m) return null;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), raw: m[0] };
}

/**
 * borg --version prints one line, `<program name> <version>` (argparse's `%(prog)s 1.2.4`), the name being
 * how borg was called: borg, borg.exe, borg-linux64. `python3 --version` ("Python 3.11.2") is not borg.
 */
export function looksLikeBorgVersion(output: string): boolean {
  return /^\S*borg\S* \d+\.\d+\.\d+\S*$/i.test(output.trim());
}

function shown(output: string): string {
  const t = output.trim().replace(/\s+/g, ' ');
  if (!t) return 'nothing';
  return `"${t.length > 60 ? `${t.slice(0, 57)}...` : t}"`;
}

export function isSupported(v: BorgVersion): boolean {
  return v.major > 1 || (v.major === 1 && v.minor >= 2);
}

const cache = new Map<string, Promise<BorgBinary>>();

/**
 * Finds borg: the configured path first (if set it must work), then PATH, then the usual package
 * manager dirs. `versionCache` (a file) remembers the version of a binary by its real path, size
 * and mtime: `borg --version` costs ~170 ms, paid again only when borg changes.
 */
export function locateBorg(configured?: string | null, versionCache?: string): Promise<BorgBinary> {
  const key = `${configured ?? ''}\0${process.env.PATH ?? ''}`;
  let found = cache.get(key);
  if (!found) {
    found = doLocate(configured, versionCache);
    cache.set(key, found);
    found.catch(() => cache.delete(key));
  }
  return found;
}

function runVersion(file: string): Promise<string> {
  return new Promise((resolve) => {
    const child = execFile(file, ['--version'], { timeout: 15_000, env: scrubbedEnv(process.env) }, (_err, stdout) =>
      resolve(String(stdout)),
    );
    child.stdin?.end();
  });
}

/** One entry of the version cache (cache/borg-versions.json): a binary's fingerprint, its version, its self-test. */
export interface CachedVersion {
  realpath: string;
  size: number;
  mtimeMs: number;
  version: BorgVersion;
  selftestPassedAt?: number;
}

async function fingerprint(file: string): Promise<BinaryFingerprint> {
  const realpath = await fs.realpath(file);
  const st = await fs.stat(realpath);
  return { realpath, size: st.size, mtimeMs: st.mtimeMs };
}

async function cachedEntry(cacheFile: string | undefined, file: string): Promise<CachedVersion | null> {
  if (!cacheFile) return null;
  try {
    const entries = JSON.parse(await fs.readFile(cacheFile, 'utf8')) as CachedVersion[];
    const fp = await fingerprint(file);
    return entries.find((e) => e.realpath === fp.realpath && e.size === fp.size && e.mtimeMs === fp.mtimeMs) ?? null;
  } catch {
    return null;
  }
}

/** Rewrites the entry for `file` (whatever the cache held for its real path goes): 8 binaries at most. */
async function rememberEntry(
  cacheFile: string | undefined,
  file: string,
  entry: (fp: BinaryFingerprint) => CachedVersion | null,
): Promise<void> {
  if (!cacheFile) return;
  try {
    const fp = await fingerprint(file);
    let entries: CachedVersion[] = [];
    try {
      entries = JSON.parse(await fs.readFile(cacheFile, 'utf8')) as CachedVersion[];
    } catch {
      /* first entry */
    }
    const next = entry(fp);
    if (!next) return;
    entries = [next, ...entries.filter((e) => e.realpath !== fp.realpath)].slice(0, 8);
    await fs.mkdir(path.dirname(cacheFile), { recursive: true, mode: 0o700 });
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    await fs.writeFile(tmp, JSON.stringify(entries), { mode: 0o600 });
    await fs.rename(tmp, cacheFile);
  } catch {
    /* a cache that cannot be written only costs time */
  }
}

/** Whether the file at `borg.path` is still the binary that was found there (an upgrade replaces it). */
export async function binaryUnchanged(borg: BorgBinary): Promise<boolean> {
  if (!borg.fingerprint) return false;
  try {
    return sameFile(await fingerprint(borg.path), borg.fingerprint);
  } catch {
    return false;
  }
}

const sameFile = (a: BinaryFingerprint, b: BinaryFingerprint) => a.realpath === b.realpath && a.size === b.size && a.mtimeMs === b.mtimeMs;

/**
 * Records that borg's self-test passed for `borg` at `at` (src/borg/selftest.ts): in the binary itself,
 * which every later command of this process shares, and in its version cache for the other processes.
 * A binary replaced since it was found (an upgrade under a running daemon) is vouched for in this process
 * only, as the file it is now: the cache would pair it with a version nobody asked it for.
 */
export async function rememberSelftest(borg: BorgBinary, at: number): Promise<void> {
  const found = borg.fingerprint;
  if (!found) return;
  let now: BinaryFingerprint;
  try {
    now = await fingerprint(borg.path);
  } catch {
    return;
  }
  borg.selftestPassedAt = at;
  if (!sameFile(now, found)) {
    borg.fingerprint = now;
    return;
  }
  await rememberEntry(borg.versionCache, borg.path, (fp) =>
    sameFile(fp, found) ? { ...fp, version: borg.version, selftestPassedAt: at } : null,
  );
}

async function doLocate(configured?: string | null, versionCache?: string): Promise<BorgBinary> {
  const candidates = configured ? [configured] : candidatePaths(null);
  // Something at a place borg was looked for that is not borg: named as such if nothing better turns up.
  let impostor: NotBorgError | null = null;
  for (const file of candidates) {
    const why = await notRunnable(file);
    if (why) {
      if (why !== 'missing') impostor ??= new NotBorgError(file, why);
      continue;
    }
    const cached = await cachedEntry(versionCache, file);
    let version = cached?.version ?? null;
    if (!version) {
      const output = await runVersion(file);
      version = looksLikeBorgVersion(output) ? parseVersion(output) : null;
      if (!version) {
        impostor ??= new NotBorgError(file, `its --version printed ${shown(output)}`);
        continue;
      }
      const found = version;
      await rememberEntry(versionCache, file, (fp) => ({ ...fp, version: found }));
    }
    if (!isSupported(version)) throw new BorgTooOldError(file, version);
    // The file the cache entry (and its self-test) was about; a fresh look for a version just asked.
    const fp = cached
      ? { realpath: cached.realpath, size: cached.size, mtimeMs: cached.mtimeMs }
      : await fingerprint(file).catch(() => null);
    return {
      path: file,
      version,
      ...(fp ? { fingerprint: fp } : {}),
      ...(cached?.selftestPassedAt !== undefined ? { selftestPassedAt: cached.selftestPassedAt } : {}),
      ...(versionCache ? { versionCache } : {}),
    };
  }
  if (impostor) throw impostor;
  throw new BorgNotFoundError(configured ? [configured] : [...new Set(candidates.map((c) => path.dirname(c)))]);
}
