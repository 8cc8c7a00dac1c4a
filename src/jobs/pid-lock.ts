import fs from 'node:fs/promises';
import path from 'node:path';
import { ownStart, sameProcess } from './process-identity.js';

export interface LockOwner {
  pid: number;
  /** When the owner process started (see process-identity.ts): proves the pid is still the same process. */
  start?: string;
  what: string;
  since: string;
  /** The profile a repository lock was taken for, so other processes can show it as running. */
  profile?: string;
  /** For a backup: its trigger, its log, the repository, and borg's own process once it runs. */
  trigger?: string;
  log?: string;
  repository?: string;
  borg?: { pid: number; start?: string };
  /** Set when the lock is held for a restore, check or drill rather than a backup (see src/ops/). */
  op?: 'restore' | 'check' | 'drill';
  /** A backup's live figures, rewritten at most once a second, so other processes can show them (shape checked by the reader). */
  progress?: unknown;
}

export type LockResult =
  | { ok: true; release: () => Promise<void>; update: (extra: Partial<LockOwner>) => Promise<void>; owner: () => LockOwner }
  | { ok: false; owner: LockOwner };

/** The recorded owner is still running: same pid and, where recorded, same start. */
export function ownerAlive(owner: LockOwner): boolean {
  return sameProcess(owner.pid, owner.start);
}

/**
 * A lock file holding the owner's pid and start, taken with O_EXCL so two processes cannot both win.
 * A lock whose process is gone (crash, kill -9, power loss, or a reboot that gave its pid to
 * another process) is stale: `onStale` may deal with what it left (an orphaned borg, an
 * interrupted run) before it is taken over.
 */
export async function tryLock(
  file: string,
  what: string,
  extra: Partial<LockOwner> = {},
  onStale?: (owner: LockOwner | null) => Promise<void>,
): Promise<LockResult> {
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const start = ownStart();
  let me: LockOwner = { pid: process.pid, ...(start ? { start } : {}), what, since: new Date().toISOString(), ...extra };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await fs.open(file, 'wx', 0o600);
      await handle.writeFile(JSON.stringify(me));
      await handle.close();
      let released = false;
      // Updates go one after another and release waits for them: a rename landing after the
      // removal would bring back a lock nobody holds.
      let pending: Promise<void> = Promise.resolve();
      return {
        ok: true,
        release: async () => {
          if (released) return;
          released = true;
          await pending.catch(() => {});
          await fs.rm(file, { force: true });
        },
        update: (more) => {
          me = { ...me, ...more };
          const write = async () => {
            if (released) return;
            // Dot-named, so nothing looking for repo-*.lock files ever reads it half-written.
            const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
            await fs.writeFile(tmp, JSON.stringify(me), { mode: 0o600 });
            await fs.rename(tmp, file);
          };
          pending = pending.then(write, write);
          return pending;
        },
        owner: () => ({ ...me }),
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = await readOwner(file);
    if (owner && owner.pid === process.pid) return { ok: false, owner };
    if (owner && ownerAlive(owner)) return { ok: false, owner };
    // Stale (or half-written by a process that died). Only one process may clear it: the one whose
    // rename wins; the others find it gone and try again.
    const claimed = `${file}.stale.${process.pid}`;
    try {
      await fs.rename(file, claimed);
    } catch {
      continue;
    }
    try {
      await onStale?.(owner);
    } finally {
      await fs.rm(claimed, { force: true });
    }
  }
  const owner = (await readOwner(file)) ?? { pid: 0, what: 'unknown', since: '' };
  return { ok: false, owner };
}

/** The live owner of a lock file, or null when it is free or stale. */
export async function liveOwner(file: string): Promise<LockOwner | null> {
  const owner = await readOwner(file);
  return owner && ownerAlive(owner) ? owner : null;
}

export async function readOwner(file: string): Promise<LockOwner | null> {
  try {
    const parsed = JSON.parse(await fs.readFile(file, 'utf8')) as Partial<LockOwner> | null;
    if (!parsed || typeof parsed.pid !== 'number') return null;
    const borg = parsed.borg && typeof parsed.borg.pid === 'number' ? parsed.borg : undefined;
    return {
      pid: parsed.pid,
      ...(typeof parsed.start === 'string' ? { start: parsed.start } : {}),
      what: String(parsed.what ?? ''),
      since: String(parsed.since ?? ''),
      ...(parsed.profile ? { profile: String(parsed.profile) } : {}),
      ...(parsed.trigger ? { trigger: String(parsed.trigger) } : {}),
      ...(parsed.log ? { log: String(parsed.log) } : {}),
      ...(parsed.repository ? { repository: String(parsed.repository) } : {}),
      ...(parsed.op === 'restore' || parsed.op === 'check' || parsed.op === 'drill' ? { op: parsed.op } : {}),
      ...(borg ? { borg: { pid: borg.pid, ...(typeof borg.start === 'string' ? { start: borg.start } : {}) } } : {}),
      ...(parsed.progress && typeof parsed.progress === 'object' ? { progress: parsed.progress } : {}),
    };
  } catch {
    return null;
  }
}
