import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { KEEP_LOGS, RunLog, latestLog, tailFile } from '../../src/jobs/run-log.js';
import { History } from '../../src/jobs/history.js';
import { worst, type RunRecord } from '../../src/records.js';

describe('run logs', () => {
  it('writes one 0600 file per run, keeps the newest, and tails from the end', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dandelion-logs-'));
    const start = Date.parse('2026-01-01T00:00:00Z');
    for (let i = 0; i < KEEP_LOGS + 5; i++) {
      const log = await RunLog.open(dir, 'p', new Date(start + i * 60_000), { tailSize: 3 });
      for (let n = 0; n < 10; n++) log.line(`run ${i} line ${n}`);
      expect(log.tail()).toHaveLength(3);
      await log.close();
    }
    const files = await fs.readdir(path.join(dir, 'p'));
    expect(files).toHaveLength(KEEP_LOGS);
    const latest = await latestLog(dir, 'p');
    expect(latest).toMatch(/2026-01-01T00-34-00-000Z\.log$/);
    expect((await fs.stat(latest!)).mode & 0o777).toBe(0o600);
    const tail = await tailFile(latest!, 2);
    expect(tail.map((l) => l.replace(/^\S+ /, ''))).toEqual([`run ${KEEP_LOGS + 4} line 8`, `run ${KEEP_LOGS + 4} line 9`]);
    await fs.rm(dir, { recursive: true });
  });

  it('tails a log bigger than one read chunk', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dandelion-tail-'));
    const file = path.join(dir, 'big.log');
    await fs.writeFile(file, Array.from({ length: 20_000 }, (_, i) => `line ${i}`).join('\n') + '\n');
    expect(await tailFile(file, 3)).toEqual(['line 19997', 'line 19998', 'line 19999']);
    await fs.rm(dir, { recursive: true });
  });
});

describe('history', () => {
  it('keeps the worst result and survives a line cut short by a crash', async () => {
    expect(worst('success', 'warning')).toBe('warning');
    expect(worst('error', 'warning')).toBe('error');
    expect(worst('warning', 'cancelled')).toBe('cancelled');
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dandelion-history-'));
    const h = new History(dir);
    const rec = (result: RunRecord['result'], startedAt: string): RunRecord => ({
      profile: 'p',
      trigger: 'manual',
      startedAt,
      finishedAt: startedAt,
      result,
      archive: null,
      stats: null,
      message: null,
      diagnoses: [],
      log: null,
    });
    await h.append(rec('success', '2026-01-01T00:00:00Z'));
    await h.append(rec('error', '2026-01-02T00:00:00Z'));
    await fs.appendFile(path.join(dir, 'p.jsonl'), '{"profile":"p","trig');
    await h.append(rec('warning', '2026-01-03T00:00:00Z'));
    const s = await h.summary('p');
    expect((await h.list('p')).map((r) => r.result)).toEqual(['success', 'error', 'warning']);
    expect(s.lastRun?.result).toBe('warning');
    expect(s.lastSuccess?.startedAt).toBe('2026-01-03T00:00:00Z');
    expect(s.firstRunAt).toBe('2026-01-01T00:00:00Z');
    await fs.rm(dir, { recursive: true });
  });
});
