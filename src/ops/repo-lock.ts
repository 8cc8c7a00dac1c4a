/**
 * The repository lock for a restore, check or drill: the same lock file a backup takes (one borg per
 * repository across every Dandelion process), marked with the operation so other processes do not
 * show it as a backup, and so a stale one is not recorded as an interrupted backup.
 */
import type { ConfigPaths } from '../paths.js';
import type { Profile } from '../profiles/schema.js';
import type { History } from '../jobs/history.js';
import { tryLock, type LockOwner, type LockResult } from '../jobs/pid-lock.js';
import { recoverStaleRun } from '../engine/recovery.js';
import type { OpKind } from './records.js';

export type HeldLock = Extract<LockResult, { ok: true }>;

export interface RepoLockOptions {
  /** 'wait': poll once a second until free (with `waiting` told who holds it); 'fail': answer at once. */
  busy: 'wait' | 'fail';
  signal?: AbortSignal;
  /** Called when the lock is found held, and again whenever the holder changes, while waiting. */
  waiting?(owner: LockOwner): void;
  /** A line for the daemon's log (a stale lock recovered). */
  note?(line: string): void;
}

/** The held lock, or who holds it (busy: 'fail', or the signal aborted while waiting). */
export async function lockForOperation(
  paths: ConfigPaths,
  history: History,
  profile: Profile,
  op: OpKind,
  what: string,
  opts: RepoLockOptions,
): Promise<{ ok: true; lock: HeldLock } | { ok: false; owner: LockOwner }> {
  const file = paths.repoLock(profile.repository);
  const mine: Partial<LockOwner> = { profile: profile.id, repository: profile.repository, op };
  const stale = (owner: LockOwner | null) => recoverStaleRun(owner, history, { log: opts.note }).then(() => {});
  let seen = '';
  for (;;) {
    const lock = await tryLock(file, what, mine, stale);
    if (lock.ok) return { ok: true, lock };
    if (opts.busy === 'fail' || opts.signal?.aborted) return { ok: false, owner: lock.owner };
    const key = `${lock.owner.pid} ${lock.owner.since}`;
    if (key !== seen) {
      seen = key;
      opts.waiting?.(lock.owner);
    }
    await sleep(1000, opts.signal);
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });
}
