import fs from 'node:fs/promises';
import path from 'node:path';

export interface LockOwner {
  pid: number;
  what: string;
  since: string;
  /** The profile a repository lock was taken for, so other processes can show it as running. */
  profile?: string;
}

export type LockResult = { ok: true; release: () => Promise<void> } | { ok: false; owner: LockOwner };

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A lock file holding the owner's pid, taken with O_EXCL so two processes cannot both win.
 * A lock whose process is gone (crash, kill -9, power loss) is stale and taken over.
 */
export async function tryLock(file: string, what: string, profile?: string): Promise<LockResult> {
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const me: LockOwner = { pid: process.pid, what, since: new Date().toISOString(), ...(profile ? { profile } : {}) };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await fs.open(file, 'wx', 0o600);
      await handle.writeFile(JSON.stringify(me));
      await handle.close();
      let released = false;
      return {
        ok: true,
        release: async () => {
          if (released) return;
          released = true;
          await fs.rm(file, { force: true });
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = await readOwner(file);
    if (owner && alive(owner.pid) && owner.pid !== process.pid) return { ok: false, owner };
    if (owner && owner.pid === process.pid) return { ok: false, owner };
    // Stale (or half-written by a process that died): remove and try again.
    await fs.rm(file, { force: true });
  }
  const owner = (await readOwner(file)) ?? { pid: 0, what: 'unknown', since: '' };
  return { ok: false, owner };
}

/** The live owner of a lock file, or null when it is free or stale. */
export async function liveOwner(file: string): Promise<LockOwner | null> {
  const owner = await readOwner(file);
  return owner && alive(owner.pid) ? owner : null;
}

export async function readOwner(file: string): Promise<LockOwner | null> {
  try {
    const parsed = JSON.parse(await fs.readFile(file, 'utf8')) as Partial<LockOwner>;
    if (typeof parsed.pid !== 'number') return null;
    return {
      pid: parsed.pid,
      what: String(parsed.what ?? ''),
      since: String(parsed.since ?? ''),
      ...(parsed.profile ? { profile: String(parsed.profile) } : {}),
    };
  } catch {
    return null;
  }
}
