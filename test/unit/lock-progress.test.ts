/**
 * The repository lock also carries a run's live figures for other processes: rewritten while the run
 * goes on, never brought back after it was released, and read back with its shape checked.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readOwner, tryLock } from '../../src/jobs/pid-lock.js';

describe('a lock that carries live figures', () => {
  it('an update racing the release never brings the lock back', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dandelion-lock-'));
    try {
      const file = path.join(dir, 'repo-abc.lock');
      for (let i = 0; i < 20; i++) {
        const lock = await tryLock(file, 'backup');
        if (!lock.ok) throw new Error('not taken');
        const update = lock.update({ progress: { step: 'create', nfiles: i } });
        await lock.release();
        await update.catch(() => {});
        await expect(fs.access(file)).rejects.toThrow();
      }
      // Nothing half-written is left under a name a reader of repo-*.lock files would pick up.
      expect((await fs.readdir(dir)).filter((n) => n.startsWith('repo-'))).toEqual([]);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('updates land in order and are read back by another reader', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dandelion-lock-'));
    try {
      const file = path.join(dir, 'repo-abc.lock');
      const lock = await tryLock(file, 'backup', { profile: 'p' });
      if (!lock.ok) throw new Error('not taken');
      await Promise.all([1, 2, 3].map((n) => lock.update({ progress: { step: 'create', nfiles: n } })));
      const owner = await readOwner(file);
      expect(owner).toMatchObject({ pid: process.pid, profile: 'p', progress: { step: 'create', nfiles: 3 } });
      expect(owner!.since).toBe(lock.owner().since);
      await lock.release();
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
