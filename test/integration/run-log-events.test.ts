import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBackup, type RunEvent } from '../../src/jobs/backup.js';
import { runBorg } from '../../src/borg/run.js';
import { parseVersion } from '../../src/borg/locate.js';
import { profileSchema } from '../../src/profiles/schema.js';
import type { BorgEvent } from '../../src/borg/log-json.js';

/**
 * A stand-in for borg that writes its --log-json lines the way borg does: one write(2) per line,
 * in bursts with pauses between them, so lines arrive while the reader is paused and while it reads.
 */
const FAKE_BORG = `#!/usr/bin/env node
import fs from 'node:fs';
const args = process.argv.slice(2);
const n = Number(process.env.FAKE_LINES ?? 3000);
const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
if (args[0] === 'create') {
  for (let i = 0; i < n; i++) {
    fs.writeSync(2, JSON.stringify({ type: 'file_status', status: 'M', path: '/src/d-' + (i % 7) + '/f-' + i }) + '\\n');
    if (i % 500 === 499) {
      fs.writeSync(2, JSON.stringify({ type: 'archive_progress', original_size: i, compressed_size: i, deduplicated_size: i, nfiles: i + 1, path: 'src/f-' + i, time: 1, finished: false }) + '\\n');
      sleep(15);
    }
  }
  fs.writeSync(2, '{"time": 1, "type": "archive_progress", "finished": true}\\n');
  fs.writeSync(1, JSON.stringify({ archive: { name: 'fake-1', duration: 1, stats: { original_size: 1, compressed_size: 1, deduplicated_size: 1, nfiles: n } } }));
} else {
  fs.writeSync(2, JSON.stringify({ type: 'log_message', levelname: 'INFO', name: 'borg', message: args[0] + ' done' }) + '\\n');
}
`;

let dir: string;
let fakeBorg: string;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dandelion-log-events-'));
  fakeBorg = path.join(dir, 'fake-borg.mjs');
  await fs.writeFile(fakeBorg, FAKE_BORG, { mode: 0o755 });
  await fs.mkdir(path.join(dir, 'repo'));
});

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const borg = () => ({ path: fakeBorg, version: parseVersion('borg 1.2.4')! });

describe('log lines from a long borg run', () => {
  it('reach the listener in batches, in order, the same lines as the log file, none lost at step ends', async () => {
    const profile = profileSchema.parse({ id: 'p', repository: path.join(dir, 'repo'), encryption: 'none', sources: [dir] });
    const events: RunEvent[] = [];
    process.env.FAKE_LINES = '3000';
    const record = await runBackup({
      profile,
      borg: borg(),
      secret: { kind: 'none' },
      trigger: 'manual',
      logsDir: path.join(dir, 'logs'),
      volumePath: null,
      onEvent: (ev) => events.push(ev),
    });
    delete process.env.FAKE_LINES;
    expect(record.result).toBe('success');
    expect(record.stats?.nfiles).toBe(3000);

    const logEvents = events.filter((e): e is Extract<RunEvent, { type: 'log' }> => e.type === 'log');
    const lines = logEvents.flatMap((e) => e.lines);
    const file = (await fs.readFile(record.log!, 'utf8')).trimEnd().split('\n');
    expect(lines).toEqual(file);
    const files = lines.map((l) => l.replace(/^\S+ /, '')).filter((l) => l.startsWith('M /src/'));
    expect(files).toEqual(Array.from({ length: 3000 }, (_, i) => `M /src/d-${i % 7}/f-${i}`));
    // Batches, not a line each: 3000 listed files over ~100 ms of bursts.
    expect(logEvents.length).toBeLessThan(30);
    expect(logEvents.every((e) => e.lines.length > 0)).toBe(true);

    // Each step's lines are handed over before the next step starts, and the last ones before the run ends.
    const order = events.map((e) => (e.type === 'log' ? e.lines.map((l) => l.replace(/^\S+ /, '')) : [`<${e.type}>`])).flat();
    const at = (s: string) => order.indexOf(s);
    expect(at('Dandelion: borg create finished: success (exit 0)')).toBeLessThan(order.lastIndexOf('<step>'));
    expect(at('INFO prune done')).toBeLessThan(order.lastIndexOf('<step>'));
    expect(order.at(-1)).toMatch(/^Dandelion: run finished: success/);
    expect(events.filter((e) => e.type === 'progress').length).toBeGreaterThan(0);
  });

  it('reads every one of 20,000 lines that borg writes one write(2) each', async () => {
    const seen: BorgEvent[] = [];
    process.env.FAKE_LINES = '20000';
    const r = await runBorg({
      borg: borg(),
      args: ['create'],
      secret: { kind: 'none' },
      ctx: { repository: path.join(dir, 'repo'), platform: process.platform, profile: 'p' },
      captureStdout: true,
      onEvent: (ev) => seen.push(ev),
    });
    delete process.env.FAKE_LINES;
    expect(r.level).toBe('success');
    const paths = seen.flatMap((e) => (e.type === 'file_status' ? [e.path] : []));
    expect(paths).toHaveLength(20000);
    expect(paths[0]).toBe('/src/d-0/f-0');
    expect(paths.at(-1)).toBe('/src/d-0/f-19999');
    expect(paths.every((p, i) => p.endsWith(`/f-${i}`))).toBe(true);
    expect(JSON.parse(r.stdout)).toMatchObject({ archive: { name: 'fake-1' } });
  });

  it('keeps borg waiting while the log is behind, then reads on', async () => {
    let held = 0;
    let release: () => void = () => {};
    let pending: Promise<void> | null = null;
    const seen: string[] = [];
    process.env.FAKE_LINES = '2000';
    const run = runBorg({
      borg: borg(),
      args: ['create'],
      secret: { kind: 'none' },
      ctx: { repository: path.join(dir, 'repo'), platform: process.platform, profile: 'p' },
      onEvent: (ev) => {
        if (ev.type === 'file_status') seen.push(ev.path);
      },
      // The first time: "the disk is behind" until released below.
      backpressure: () => {
        if (held++ > 0) return null;
        pending = new Promise<void>((resolve) => (release = resolve));
        return pending;
      },
    });
    delete process.env.FAKE_LINES;
    let done = false;
    void run.then(() => (done = true));
    // 2000 lines are ~120 KB, more than a pipe holds: unread, they keep borg from finishing.
    await new Promise((r) => setTimeout(r, 1500));
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.length).toBeLessThan(2000);
    expect(done).toBe(false);
    release();
    const r = await run;
    expect(r.level).toBe('success');
    expect(seen).toHaveLength(2000);
  });
});
