import fs from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
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
import { spawn } from 'node:child_process';
const args = process.argv.slice(2);
const n = Number(process.env.FAKE_LINES ?? 3000);
const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
// FAKE_WITNESS: every line written to stderr is also appended there, to compare with the run log.
const witness = process.env.FAKE_WITNESS ? fs.openSync(process.env.FAKE_WITNESS, 'a') : null;
const say = (line) => {
  fs.writeSync(2, line + '\\n');
  if (witness !== null) fs.writeSync(witness, line + '\\n');
};
if (process.env.FAKE_REPORT) {
  // What borg's stderr is: a pipe, or a file (its mode, and where it is).
  const st = fs.fstatSync(2);
  let where = '?';
  try { where = fs.readlinkSync('/proc/self/fd/2'); } catch {}
  const what = st.isFIFO() || st.isSocket() ? 'pipe' : st.isFile() ? 'file ' + (st.mode & 0o777).toString(8) + ' ' + where : 'other';
  say(JSON.stringify({ type: 'log_message', levelname: 'INFO', name: 'borg', message: 'stderr is a ' + what }));
}
if (args[0] === 'create' && process.env.FAKE_FAIL) {
  say(JSON.stringify({ type: 'log_message', levelname: 'ERROR', name: 'borg.archiver', message: 'Failed to create/acquire the lock', msgid: 'LockTimeout' }));
  process.exit(2);
}
if (args[0] === 'create') {
  for (let i = 0; i < n; i++) {
    say(JSON.stringify({ type: 'file_status', status: 'M', path: '/src/d-' + (i % 7) + '/f-' + i }));
    if (i % 500 === 499) {
      say(JSON.stringify({ type: 'archive_progress', original_size: i, compressed_size: i, deduplicated_size: i, nfiles: i + 1, path: 'src/f-' + i, time: 1, finished: false }));
      sleep(15);
    }
  }
  if (process.env.FAKE_TEXT) say(process.env.FAKE_TEXT);
  say('{"time": 1, "type": "archive_progress", "finished": true}');
  fs.writeSync(1, JSON.stringify({ archive: { name: 'fake-1', duration: 1, stats: { original_size: 1, compressed_size: 1, deduplicated_size: 1, nfiles: n } } }));
} else {
  say(JSON.stringify({ type: 'log_message', levelname: 'INFO', name: 'borg', message: args[0] + ' done' }));
}
if (process.env.FAKE_LATE) {
  // Like borg's ssh: a child in borg's process group that says its last words after borg exited.
  spawn(process.execPath, ['-e', 'setTimeout(() => require("fs").writeSync(2, process.argv[1] + "\\\\n"), 300)', process.env.FAKE_LATE], { stdio: ['ignore', 'ignore', 'inherit'] }).unref();
  process.exit(2);
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

  it.each([
    ['a pipe', null],
    ['a file', 'many.borg-stderr'],
  ])('reads every one of 20,000 lines that borg writes one write(2) each, into %s', async (_, name) => {
    const seen: BorgEvent[] = [];
    const r = await runBorg({
      extraEnv: { FAKE_LINES: '20000' },
      borg: borg(),
      args: ['create'],
      secret: { kind: 'none' },
      ctx: { repository: path.join(dir, 'repo'), platform: process.platform, profile: 'p' },
      captureStdout: true,
      ...(name ? { stderrFile: path.join(dir, name) } : {}),
      onEvent: (ev) => seen.push(ev),
    });
    expect(r.level).toBe('success');
    const paths = seen.flatMap((e) => (e.type === 'file_status' ? [e.path] : []));
    expect(paths).toHaveLength(20000);
    expect(paths[0]).toBe('/src/d-0/f-0');
    expect(paths.at(-1)).toBe('/src/d-0/f-19999');
    expect(paths.every((p, i) => p.endsWith(`/f-${i}`))).toBe(true);
    expect(JSON.parse(r.stdout)).toMatchObject({ archive: { name: 'fake-1' } });
  });

  it('gives borg a file for its stderr beside the run log (0600, not a pipe), and removes it after the run', async () => {
    const profile = profileSchema.parse({ id: 'p', repository: path.join(dir, 'repo'), encryption: 'none', sources: [dir] });
    Object.assign(process.env, { FAKE_LINES: '100', FAKE_REPORT: '1' });
    const record = await runBackup({
      profile,
      borg: borg(),
      secret: { kind: 'none' },
      trigger: 'manual',
      logsDir: path.join(dir, 'logs-file'),
      volumePath: null,
      onEvent: () => {},
    });
    delete process.env.FAKE_LINES;
    delete process.env.FAKE_REPORT;
    expect(record.result).toBe('success');
    const logged = (await fs.readFile(record.log!, 'utf8')).split('\n').map((l) => l.replace(/^\S+ /, ''));
    const reports = logged.filter((l) => l.startsWith('INFO stderr is a '));
    // create, prune (the profile's default keeps) and compact: each step's borg writes into a file.
    expect(reports.length).toBeGreaterThanOrEqual(2);
    for (const r of reports) expect(r).toMatch(/^INFO stderr is a file 600 /);
    if (process.platform === 'linux') {
      const beside = record.log!.replace(/\.log$/, '.borg-stderr');
      for (const r of reports) expect(r).toBe(`INFO stderr is a file 600 ${beside}`);
    }
    expect((await fs.readdir(path.dirname(record.log!))).filter((n) => !n.endsWith('.log'))).toEqual([]);
  });

  it('has every line borg and its ssh wrote in the log, and gives the UI only lines of the log', async () => {
    const profile = profileSchema.parse({ id: 'p', repository: path.join(dir, 'repo'), encryption: 'none', sources: [dir] });
    const witness = path.join(dir, 'witness.txt');
    const events: RunEvent[] = [];
    Object.assign(process.env, {
      FAKE_LINES: '5000',
      FAKE_WITNESS: witness,
      FAKE_TEXT: 'Remote: some words from the server, not JSON',
      FAKE_LATE: 'Connection closed by 192.0.2.7 port 22',
    });
    const record = await runBackup({
      profile,
      borg: borg(),
      secret: { kind: 'none' },
      trigger: 'manual',
      logsDir: path.join(dir, 'logs-witness'),
      volumePath: null,
      onEvent: (ev) => events.push(ev),
    });
    for (const k of ['FAKE_LINES', 'FAKE_WITNESS', 'FAKE_TEXT', 'FAKE_LATE']) delete process.env[k];
    const file = (await fs.readFile(record.log!, 'utf8')).trimEnd().split('\n');
    // What borg wrote, as the log words it: file lines as "status path", progress left out.
    const wrote = (await fs.readFile(witness, 'utf8'))
      .trimEnd()
      .split('\n')
      .flatMap((l) => {
        if (!l.startsWith('{')) return [l];
        const o = JSON.parse(l) as { type: string; status?: string; path?: string };
        return o.type === 'file_status' ? [`${o.status} ${o.path}`] : [];
      });
    const borgLines = file.map((l) => l.replace(/^\S+ /, '')).filter((l) => !l.startsWith('Dandelion:'));
    // And the line borg's ssh wrote after borg had exited, before the step ends: it explains the failure.
    expect(borgLines).toEqual([...wrote, 'Connection closed by 192.0.2.7 port 22']);
    const late = file.findIndex((l) => l.endsWith('Connection closed by 192.0.2.7 port 22'));
    expect(late).toBeLessThan(file.findIndex((l) => l.includes('Dandelion: borg create finished')));
    expect(record.result).toBe('error');
    expect(record.diagnoses[0]?.kind).toBe('connection-lost');
    // Every line the UI got is a line of the log, in the same order, none twice and none missing.
    expect(events.flatMap((e) => (e.type === 'log' ? e.lines : []))).toEqual(file);
  });

  it('never keeps borg waiting while the log is behind: borg writes on into its file, and every line reaches the log after', async () => {
    let held = 0;
    let release: () => void = () => {};
    const seen: string[] = [];
    const n = 20_000;
    let pid = 0;
    const stderrFile = path.join(dir, 'behind.borg-stderr');
    const run = runBorg({
      extraEnv: { FAKE_LINES: String(n) },
      borg: borg(),
      args: ['create'],
      secret: { kind: 'none' },
      ctx: { repository: path.join(dir, 'repo'), platform: process.platform, profile: 'p' },
      stderrFile,
      onSpawn: (p) => (pid = p),
      onEvent: (ev) => {
        if (ev.type === 'file_status') seen.push(ev.path);
      },
      // Once some lines were read: "the disk is behind" until released below.
      backpressure: () => {
        if (seen.length === 0 || held++ > 0) return null;
        return new Promise<void>((resolve) => (release = resolve));
      },
    });
    let done = false;
    void run.then(() => (done = true));
    // borg finishes while nothing more is read: 20,000 lines (1.2 MB) are far more than a pipe holds.
    const alive = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    const until = Date.now() + 10_000;
    while ((pid === 0 || alive()) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    expect(alive()).toBe(false);
    expect(held).toBe(1);
    // What was read stays bounded while the log is behind: no more than one read's worth past the hold.
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.length).toBeLessThan(n);
    expect(done).toBe(false);
    release();
    const r = await run;
    expect(r.level).toBe('success');
    expect(seen).toHaveLength(n);
    expect(seen.every((p, i) => p.endsWith(`/f-${i}`))).toBe(true);
    await expect(fs.access(stderrFile)).rejects.toThrow();
  });

  it('falls back to a pipe when the file cannot be made, and then keeps borg waiting while the log is behind', async () => {
    let held = 0;
    let release: () => void = () => {};
    const seen: string[] = [];
    const run = runBorg({
      extraEnv: { FAKE_LINES: '2000' },
      borg: borg(),
      args: ['create'],
      secret: { kind: 'none' },
      ctx: { repository: path.join(dir, 'repo'), platform: process.platform, profile: 'p' },
      // A folder that does not exist: no file, so a pipe.
      stderrFile: path.join(dir, 'no-such-folder', 'x.borg-stderr'),
      onEvent: (ev) => {
        if (ev.type === 'file_status') seen.push(ev.path);
      },
      // The first time: "the disk is behind" until released below.
      backpressure: () => {
        if (held++ > 0) return null;
        return new Promise<void>((resolve) => (release = resolve));
      },
    });
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

  it.runIf(process.platform === 'linux' && process.getuid?.() === 0)(
    'still hears why borg failed when the disk under the logs is full (borg then gets a pipe)',
    async () => {
      const disk = path.join(dir, 'full-disk');
      await fs.mkdir(disk);
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', disk]);
      try {
        await fs.mkdir(path.join(disk, 'logs', 'p'), { recursive: true });
        await fs.writeFile(path.join(disk, 'filler'), Buffer.alloc(2 * 1024 * 1024)).catch(() => {});
        const profile = profileSchema.parse({ id: 'p', repository: path.join(dir, 'repo'), encryption: 'none', sources: [dir] });
        process.env.FAKE_FAIL = '1';
        const record = await runBackup({
          profile,
          borg: borg(),
          secret: { kind: 'none' },
          trigger: 'manual',
          logsDir: path.join(disk, 'logs'),
          volumePath: null,
        });
        delete process.env.FAKE_FAIL;
        expect(record.result).toBe('error');
        expect(record.diagnoses[0]?.kind).toBe('lock-timeout');
      } finally {
        delete process.env.FAKE_FAIL;
        execFileSync('umount', ['-l', disk]);
      }
    },
  );
});
