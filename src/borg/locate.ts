import fs from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
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
}

export class BorgNotFoundError extends Error {
  readonly kind = 'borg-missing' as const;
  constructor(readonly searched: string[]) {
    super(`borg was not found (looked in ${searched.join(', ')})`);
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

async function isExecutable(file: string): Promise<boolean> {
  try {
    await fs.access(file, fs.constants.X_OK);
    return (await fs.stat(file)).isFile();
  } catch {
    return false;
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

export function isSupported(v: BorgVersion): boolean {
  return v.major > 1 || (v.major === 1 && v.minor >= 2);
}

const cache = new Map<string, Promise<BorgBinary>>();

/** Finds borg: the configured path first (if set it must work), then PATH, then the usual package manager dirs. */
export function locateBorg(configured?: string | null): Promise<BorgBinary> {
  const key = `${configured ?? ''}\0${process.env.PATH ?? ''}`;
  let found = cache.get(key);
  if (!found) {
    found = doLocate(configured);
    cache.set(key, found);
    found.catch(() => cache.delete(key));
  }
  return found;
}

async function doLocate(configured?: string | null): Promise<BorgBinary> {
  const candidates = configured ? [configured] : candidatePaths(null);
  for (const file of candidates) {
    if (!(await isExecutable(file))) continue;
    const { stdout } = await execa(file, ['--version'], { reject: false, stdin: 'ignore', timeout: 15_000, env: scrubbedEnv(process.env), extendEnv: false });
    const version = parseVersion(stdout);
    if (!version) continue;
    if (!isSupported(version)) throw new BorgTooOldError(file, version);
    return { path: file, version };
  }
  throw new BorgNotFoundError(configured ? [configured] : [...new Set(candidates.map((c) => path.dirname(c)))]);
}
