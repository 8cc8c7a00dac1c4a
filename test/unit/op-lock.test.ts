import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configPaths } from '../../src/paths.js';
import { History } from '../../src/jobs/history.js';
import { lockForOperation } from '../../src/ops/repo-lock.js';
import { interruptedRecord } from '../../src/engine/recovery.js';
import type { Profile } from '../../src/profiles/schema.js';

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dandelion-oplock-'));
});
afterEach(() => fs.rm(dir, { recursive: true, force: true }));

const profile = { id: 'p', repository: '/nowhere/repo' } as Profile;

describe('the repository lock of an operation', () => {
  it('is the backup lock, marked with the operation; a second taker waits, told who holds it, until it is free', async () => {
    const paths = configPaths(dir);
    const history = new History(paths.history);
    const first = await lockForOperation(paths, history, profile, 'restore', 'restore of "p"', { busy: 'fail' });
    if (!first.ok) throw new Error('not taken');
    const onDisk = JSON.parse(await fs.readFile(paths.repoLock(profile.repository), 'utf8'));
    expect(onDisk).toMatchObject({ pid: process.pid, profile: 'p', op: 'restore', what: 'restore of "p"' });

    const busy = await lockForOperation(paths, history, profile, 'check', 'check', { busy: 'fail' });
    expect(busy).toMatchObject({ ok: false, owner: { op: 'restore' } });

    const told: string[] = [];
    const second = lockForOperation(paths, history, profile, 'check', 'check', { busy: 'wait', waiting: (o) => told.push(o.what) });
    await new Promise((r) => setTimeout(r, 300));
    expect(told).toEqual(['restore of "p"']);
    await first.lock.release();
    const got = await second;
    expect(got.ok).toBe(true);
    if (got.ok) await got.lock.release();
  });

  it('gives up waiting when cancelled', async () => {
    const paths = configPaths(dir);
    const history = new History(paths.history);
    const first = await lockForOperation(paths, history, profile, 'drill', 'drill', { busy: 'fail' });
    const controller = new AbortController();
    const second = lockForOperation(paths, history, profile, 'restore', 'restore', { busy: 'wait', signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    expect(await second).toMatchObject({ ok: false, owner: { op: 'drill' } });
    if (first.ok) await first.lock.release();
  });

  it('is never recorded as an interrupted backup when its process died', () => {
    const base = { pid: 1, what: 'x', since: new Date().toISOString(), profile: 'p', repository: '/r' };
    expect(interruptedRecord(base)?.result).toBe('interrupted');
    expect(interruptedRecord({ ...base, op: 'restore' })).toBeNull();
  });
});
