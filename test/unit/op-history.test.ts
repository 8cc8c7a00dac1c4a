import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OpHistory, type OpRecord } from '../../src/ops/records.js';

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dandelion-ops-'));
});
afterEach(() => fs.rm(dir, { recursive: true, force: true }));

const rec = (kind: OpRecord['kind'], result: OpRecord['result'], minute: number, repository = '/r'): OpRecord => ({
  kind,
  profile: 'p',
  repository,
  trigger: 'manual',
  startedAt: new Date(Date.UTC(2026, 11, 3, 8, minute)).toISOString(),
  finishedAt: new Date(Date.UTC(2026, 11, 3, 8, minute, 30)).toISOString(),
  result,
  archive: null,
  message: null,
  diagnoses: [],
  log: null,
});

describe('the operations history', () => {
  it('answers newest first, by kind and repository, and skips lines that are not records', async () => {
    const ops = new OpHistory(dir);
    await ops.append(rec('check', 'success', 1));
    await ops.append(rec('restore', 'success', 2));
    await fs.appendFile(ops.file('p'), '{"not":"a record"}\nnot json\n');
    await ops.append(rec('check', 'error', 3));
    await ops.append(rec('check', 'success', 4, '/elsewhere'));
    expect((await ops.recent('p')).map((r) => `${r.kind} ${r.result}`)).toEqual([
      'check success',
      'check error',
      'restore success',
      'check success',
    ]);
    expect((await ops.recent('p', { kind: 'check', repository: '/r' })).map((r) => r.startedAt.slice(14, 16))).toEqual(['03', '01']);
    expect((await ops.lastSuccess('p', 'check', '/r'))?.startedAt.slice(14, 16)).toBe('01');
    expect(await ops.lastSuccess('p', 'drill')).toBeNull();
    expect(await ops.recent('nobody')).toEqual([]);
  });

  it('starts a record on a fresh line after a line a crash cut short', async () => {
    const ops = new OpHistory(dir);
    await fs.writeFile(ops.file('p'), '{"kind":"check","prof');
    await ops.append(rec('drill', 'success', 5));
    expect((await ops.recent('p')).map((r) => r.kind)).toEqual(['drill']);
  });
});
