import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { KEEP_LOGS, RunLog, latestLog, leftBehind, tailFile } from '../../src/jobs/run-log.js';
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

  it("puts borg's stderr beside the run's log, and a new run removes those that killed runs left, but the newest run's", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dandelion-stray-'));
    const folder = path.join(dir, 'p');
    await fs.mkdir(folder);
    for (const n of ['2026-01-01T00-00-00-000Z', '2026-01-02T00-00-00-000Z']) {
      await fs.writeFile(path.join(folder, `${n}.log`), 'x\n');
      await fs.writeFile(path.join(folder, `${n}.borg-stderr`), '{}\n');
    }
    await fs.writeFile(path.join(folder, 'orphan.borg-stderr'), '{}\n');
    expect(leftBehind(await fs.readdir(folder)).sort()).toEqual(['2026-01-01T00-00-00-000Z.borg-stderr', 'orphan.borg-stderr']);

    const log = await RunLog.open(dir, 'p', new Date('2026-01-03T00:00:00Z'));
    expect(log.borgStderr).toBe(path.join(folder, '2026-01-03T00-00-00-000Z.borg-stderr'));
    await log.close();
    expect((await fs.readdir(folder)).sort()).toEqual([
      '2026-01-01T00-00-00-000Z.log',
      '2026-01-02T00-00-00-000Z.borg-stderr',
      '2026-01-02T00-00-00-000Z.log',
      '2026-01-03T00-00-00-000Z.log',
    ]);
    // The next run: the one before it is over, and its file goes too.
    await (await RunLog.open(dir, 'p', new Date('2026-01-04T00:00:00Z'))).close();
    expect((await fs.readdir(folder)).filter((n) => n.endsWith('.borg-stderr'))).toEqual([]);
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

describe('run log batching', () => {
  const tmp = () => fs.mkdtemp(path.join(os.tmpdir(), 'dandelion-batch-'));
  const strip = (l: string) => l.replace(/^\S+ /, '');

  afterEach(() => {
    vi.useRealTimers();
  });

  it('writes every line to the file, in order, across many chunks', async () => {
    const dir = await tmp();
    const log = await RunLog.open(dir, 'p', new Date());
    const texts = Array.from({ length: 30_000 }, (_, i) => `M /data/some/longer/path/to/file-${i}.txt`);
    for (const t of texts) log.line(t);
    await log.close();
    const content = await fs.readFile(log.file, 'utf8');
    expect(content.endsWith('\n')).toBe(true);
    const lines = content.slice(0, -1).split('\n');
    expect(lines.map(strip)).toEqual(texts);
    expect(lines.every((l) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z /.test(l))).toBe(true);
    expect((await fs.stat(log.file)).mode & 0o777).toBe(0o600);
    await fs.rm(dir, { recursive: true });
  });

  it('keeps the last 200 lines, oldest first, as they were stamped', async () => {
    const dir = await tmp();
    const log = await RunLog.open(dir, 'p', new Date());
    const stamped = Array.from({ length: 1234 }, (_, i) => log.line(`line ${i}`));
    expect(log.tail()).toEqual(stamped.slice(-200));
    await log.close();
    const few = await RunLog.open(dir, 'q', new Date());
    expect(few.tail()).toEqual([]);
    const three = [few.line('a'), few.line('b'), few.line('c')];
    expect(few.tail()).toEqual(three);
    await few.close();
    await fs.rm(dir, { recursive: true });
  });

  it('gives a listener batches, not single lines: every 250 ms while lines flow, and what is left at flush and close', async () => {
    vi.useFakeTimers();
    const dir = await tmp();
    const batches: string[][] = [];
    const log = await RunLog.open(dir, 'p', new Date(), { onLines: (lines) => batches.push(lines) });
    const all: string[] = [];
    for (let i = 0; i < 300; i++) all.push(log.line(`a ${i}`));
    expect(batches).toEqual([]);
    vi.advanceTimersByTime(249);
    expect(batches).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(batches).toEqual([all.slice(0, 300)]);
    for (let i = 0; i < 5; i++) all.push(log.line(`b ${i}`));
    log.flush();
    expect(batches).toHaveLength(2);
    expect(batches[1]).toEqual(all.slice(300));
    all.push(log.line('last'));
    await log.close();
    expect(batches).toHaveLength(3);
    expect(batches.flat()).toEqual(all);
    vi.advanceTimersByTime(1000);
    expect(batches).toHaveLength(3);
    const content = await fs.readFile(log.file, 'utf8');
    expect(content.trimEnd().split('\n')).toEqual(all);
    await fs.rm(dir, { recursive: true });
  });

  it('hands a fast stream of lines over in batches of at most 1024, and none twice', async () => {
    vi.useFakeTimers();
    const dir = await tmp();
    const batches: string[][] = [];
    const log = await RunLog.open(dir, 'p', new Date(), { onLines: (lines) => batches.push(lines) });
    const all = Array.from({ length: 5000 }, (_, i) => log.line(`x ${i}`));
    expect(batches.map((b) => b.length)).toEqual([1024, 1024, 1024, 1024]);
    await log.close();
    expect(batches.flat()).toEqual(all);
    await fs.rm(dir, { recursive: true });
  });

  it('writes a line that arrives alone within 250 ms, without waiting for a chunk to fill', async () => {
    const dir = await tmp();
    const log = await RunLog.open(dir, 'p', new Date(), { flushMs: 20 });
    log.line('just one');
    await new Promise((r) => setTimeout(r, 200));
    expect(strip((await fs.readFile(log.file, 'utf8')).trimEnd())).toBe('just one');
    await log.close();
    await fs.rm(dir, { recursive: true });
  });

  it('asks borg to wait while the disk is behind, and lets it go once written', async () => {
    const dir = await tmp();
    const log = await RunLog.open(dir, 'p', new Date());
    expect(log.backpressure()).toBeNull();
    const big = 'y'.repeat(1000);
    for (let i = 0; i < 2000; i++) log.line(big);
    const wait = log.backpressure();
    expect(wait).toBeInstanceOf(Promise);
    await wait;
    expect(log.backpressure()).toBeNull();
    await log.close();
    expect((await fs.stat(log.file)).size).toBeGreaterThan(2000 * 1000);
    await fs.rm(dir, { recursive: true });
  });

  it.runIf(existsSync('/dev/full'))(
    'survives a full disk: no throw, close resolves, the tail and the listener still get every line',
    async () => {
      const dir = await tmp();
      const started = new Date('2026-02-03T04:05:06.789Z');
      await fs.mkdir(path.join(dir, 'p'), { recursive: true });
      // The log's own name, pointing at a device where every write fails with ENOSPC.
      await fs.symlink('/dev/full', path.join(dir, 'p', '2026-02-03T04-05-06-789Z.log'));
      const got: string[] = [];
      const log = await RunLog.open(dir, 'p', started, { onLines: (lines) => got.push(...lines) });
      const all: string[] = [];
      for (let i = 0; i < 3000; i++) all.push(log.line(`z ${i} ${'q'.repeat(100)}`));
      log.flush();
      await new Promise((r) => setTimeout(r, 50));
      for (let i = 0; i < 10; i++) all.push(log.line(`after ${i}`));
      const wait = log.backpressure();
      if (wait) await wait;
      await log.close();
      expect(got).toEqual(all);
      expect(log.tail()).toEqual(all.slice(-200));
      await fs.rm(dir, { recursive: true });
    },
  );
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
