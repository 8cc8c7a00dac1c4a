/**
 * What one Dandelion process tells the others through files under locks/: which repository it is
 * backing up (the repository lock), which profiles its triggers wait a disk for, and when it will
 * retry a failed run. `dandelion status`, a second app instance or a follower read these, so the
 * picture is the same whichever process owns the schedules.
 */
import fs from 'node:fs/promises';
import type { ConfigPaths } from '../paths.js';
import { writeFileAtomic } from '../profiles/store.js';
import { liveOwner, type LockOwner } from '../jobs/pid-lock.js';
import { ownStart, sameProcess } from '../jobs/process-identity.js';

export interface RetryPlan {
  /** When the next automatic attempt is due (ISO). */
  at: string;
  /** Why: the diagnosis sentence of the failure being retried. */
  reason: string;
  /** Failures in a row, this one included. */
  failures: number;
}

export interface TriggerState {
  pid: number;
  start?: string;
  waiting: string[];
  /** Profiles whose due backup is held back until the computer is plugged in (skipOnBattery). */
  power: string[];
  retries: Record<string, RetryPlan>;
}

/** Written whenever the owner's waits or retries change; read by every other process. */
export async function publishTriggerState(paths: ConfigPaths, state: Omit<TriggerState, 'pid'>): Promise<void> {
  await writeFileAtomic(paths.waiting, JSON.stringify({ pid: process.pid, start: ownStart() ?? undefined, ...state })).catch(() => {});
}

/** The state another live process published, or null (none, ours, or its process is gone). */
export async function readTriggerState(paths: ConfigPaths): Promise<TriggerState | null> {
  try {
    const raw = JSON.parse(await fs.readFile(paths.waiting, 'utf8')) as Partial<TriggerState> & { profiles?: string[] };
    if (typeof raw.pid !== 'number' || raw.pid === process.pid || !sameProcess(raw.pid, raw.start)) return null;
    return {
      pid: raw.pid,
      // `profiles` is how earlier versions named the waiting list.
      waiting: Array.isArray(raw.waiting) ? raw.waiting : Array.isArray(raw.profiles) ? raw.profiles : [],
      power: Array.isArray(raw.power) ? raw.power : [],
      retries: raw.retries && typeof raw.retries === 'object' ? raw.retries : {},
    };
  } catch {
    return null;
  }
}

/** Which process owns the schedules and disk triggers of this config dir, if any. */
export async function triggerOwner(paths: ConfigPaths): Promise<LockOwner | null> {
  return liveOwner(paths.triggersLock);
}

/**
 * A request from another process (the menu of the app while the daemon or a CLI backs up) to stop
 * the run that holds a repository's lock: `cancel` or `skip`. It names the run by its lock (pid and
 * since), so a request that arrives late never stops the next run. The process that holds the lock
 * looks for it while it runs and turns it into its own cancel (borg's SIGINT: a checkpoint).
 */
export interface StopRequest {
  profile: string;
  /** The pid and `since` of the repository lock the requester saw. */
  pid: number;
  since: string;
  how: 'cancel' | 'skip';
  /** Who asked (pid) and when (ISO). */
  by: number;
  at: string;
}

export async function requestStop(paths: ConfigPaths, repository: string, req: StopRequest): Promise<void> {
  await writeFileAtomic(paths.stopRequest(repository), JSON.stringify(req));
}

export async function readStopRequest(paths: ConfigPaths, repository: string): Promise<StopRequest | null> {
  try {
    const raw = JSON.parse(await fs.readFile(paths.stopRequest(repository), 'utf8')) as Partial<StopRequest> | null;
    if (!raw || typeof raw.profile !== 'string' || typeof raw.pid !== 'number' || typeof raw.since !== 'string') return null;
    return {
      profile: raw.profile,
      pid: raw.pid,
      since: raw.since,
      how: raw.how === 'skip' ? 'skip' : 'cancel',
      by: typeof raw.by === 'number' ? raw.by : 0,
      at: typeof raw.at === 'string' ? raw.at : '',
    };
  } catch {
    return null;
  }
}

export async function removeStopRequest(paths: ConfigPaths, repository: string): Promise<void> {
  await fs.rm(paths.stopRequest(repository), { force: true }).catch(() => {});
}
