/**
 * The hidden staging folder a restore writes into (`.dandelion-restore-<pid>-<start>-<random>`) names
 * the process that made it: its pid and a short fingerprint of when that process started (see
 * process-identity.ts). A restore killed outright (SIGKILL, a power cut) cannot remove its folder; the
 * next restore into the same place does, once it sees that the process named is gone, or that the pid
 * now belongs to another process. A live restore's folder is never touched.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ownStart, processStart, sameProcess } from '../jobs/process-identity.js';

export const STAGING_PREFIX = '.dandelion-restore-';
/** When the platform cannot say when a process started: the pid alone is trusted. */
const NO_START = 'x';

/** A short, file-name-safe fingerprint of a process start (as processStart says it), or NO_START. */
export function startToken(start: string | null): string {
  return start ? createHash('sha256').update(start).digest('hex').slice(0, 12) : NO_START;
}

export function stagingName(pid: number, token: string, random: string): string {
  return `${STAGING_PREFIX}${pid}-${token}-${random}`;
}

const PATTERN = /^\.dandelion-restore-([1-9]\d{0,9})-([0-9a-f]{12}|x)-[0-9a-f]{8,32}$/;

/** The process a staging folder's name records, or null for any other name (an older staging folder included: it names no one). */
export function stagingOwner(name: string): { pid: number; token: string } | null {
  const m = PATTERN.exec(name);
  return m ? { pid: Number(m[1]), token: m[2]! } : null;
}

/**
 * Whether the folder `name` was left by a restore that is gone: it names a process, and that process
 * is not running (`alive` says whether pid runs with that start fingerprint).
 */
export function abandoned(name: string, alive: (pid: number, token: string) => boolean): boolean {
  const owner = stagingOwner(name);
  return owner !== null && !alive(owner.pid, owner.token);
}

/** The real check: the pid runs, and (where the platform says) it started when the name says. */
export function processAlive(pid: number, token: string): boolean {
  if (token === NO_START) return sameProcess(pid, null);
  if (!sameProcess(pid, null)) return false;
  const now = processStart(pid);
  // A start that cannot be read now is trusted: never remove a folder that may be in use.
  return now === null || startToken(now) === token;
}

/** A fresh staging folder's name for this process. */
export function ownStagingName(): string {
  return stagingName(process.pid, startToken(ownStart()), randomBytes(6).toString('hex'));
}

/**
 * Removes, from `dir`, the staging folders of restores that are gone; answers the paths removed. Never
 * throws: a folder that cannot be removed now is tried again at the next restore.
 */
export async function sweepStaging(dir: string, alive: (pid: number, token: string) => boolean = processAlive): Promise<string[]> {
  let names: string[];
  try {
    names = (await fs.readdir(dir)).filter((n) => n.startsWith(STAGING_PREFIX));
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    if (!abandoned(name, alive)) continue;
    const full = path.join(dir, name);
    const st = await fs.lstat(full).catch(() => null);
    if (!st?.isDirectory()) continue;
    if (await removeTree(full)) removed.push(full);
  }
  return removed;
}

/** rm -rf, and when borg restored a folder without write permission, made writable first. */
async function removeTree(dir: string): Promise<boolean> {
  try {
    await fs.rm(dir, { recursive: true, force: true, maxRetries: 3 });
    return true;
  } catch {
    await makeWritable(dir);
    return fs.rm(dir, { recursive: true, force: true, maxRetries: 3 }).then(
      () => true,
      () => false,
    );
  }
}

async function makeWritable(dir: string): Promise<void> {
  await fs.chmod(dir, 0o700).catch(() => {});
  const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const e of entries) if (e.isDirectory()) await makeWritable(path.join(dir, e.name));
}
