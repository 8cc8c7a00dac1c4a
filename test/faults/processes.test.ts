/**
 * Runs that end without a trace, and locks that lie: a CLI killed outright, borg killed from outside,
 * a closed terminal (SIGHUP), output nobody reads, a pid reused after a reboot, a daemon that cannot
 * start. Real borg, real processes; each case ends with `borg check` clean and every archive there.
 */
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { borg, CLI, dandelion, listArchives, sandbox, writeConfig, type Sandbox } from '../helpers/env.js';
import { freshRepository } from '../helpers/repo-template.js';
import { statusExit } from '../../src/status-exit.js';
import { DaemonProcess } from '../helpers/daemon.js';
import { configPaths } from '../../src/paths.js';

let sb: Sandbox;
let repo: string;
let lockFile: string;

async function waitFor(what: string, cond: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function lock(): Promise<{ pid: number; borg?: { pid: number } } | null> {
  try {
    return JSON.parse(await fs.readFile(lockFile, 'utf8'));
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function status() {
  const r = await dandelion(sb, ['status', '--json']);
  expect(r.stderr).toBe('');
  // status' exit code (0 well, 1 attention, 2 failing) is the one its own report calls for.
  expect(r.exitCode).toBe(statusExit(JSON.parse(r.stdout).profiles));
  return JSON.parse(r.stdout).profiles[0] as { state: string; lastRun: { result: string; message: string } | null };
}

async function consistent(archivesBefore: string[]): Promise<void> {
  const check = await borg(sb, ['check', repo]);
  expect(check.exitCode, check.stderr).toBe(0);
  const now = await listArchives(sb, repo);
  for (const a of archivesBefore) expect(now).toContain(a);
}

let src: string;
let batch = 0;

/** New incompressible files, so the next create has real work to do (deduplication makes repeats fast). */
async function fresh(files = 15): Promise<void> {
  batch++;
  for (let i = 0; i < files; i++) await fs.writeFile(path.join(src, `new-${batch}-${i}.bin`), crypto.randomBytes(2 * 1024 * 1024));
}

/** A `dandelion run` that is still inside borg create when this resolves. */
async function runningBackup() {
  const child = execa(process.execPath, [CLI, 'run', 'big'], {
    reject: false,
    extendEnv: false,
    env: sb.env,
    stdin: 'ignore',
  });
  let exited = false;
  void child.then(() => (exited = true));
  await waitFor('borg to start', async () => {
    if (exited) throw new Error(`dandelion run ended before borg started: ${(await child).stderr}`);
    return Boolean((await lock())?.borg);
  });
  return { child, borgPid: (await lock())!.borg!.pid };
}

beforeAll(async () => {
  sb = await sandbox('dandelion-faults-proc-');
  repo = path.join(sb.dir, 'repo');
  src = path.join(sb.dir, 'src');
  await fs.mkdir(src);
  // Incompressible data with slow compression, so borg is still busy when it is interrupted.
  for (let i = 0; i < 5; i++) await fs.writeFile(path.join(src, `blob-${i}.bin`), crypto.randomBytes(2 * 1024 * 1024));
  await writeConfig(sb.configDir, {
    profiles: [{ id: 'big', repository: repo, encryption: 'none', sources: [src], compression: 'zlib,6', prune: null }],
  });
  await freshRepository(repo, 'none');
  lockFile = configPaths(sb.configDir).repoLock(repo);
}, 120_000);

afterAll(async () => {
  await sb?.cleanup();
});

describe('runs that end without a trace', () => {
  it('a CLI killed outright: the next start ends the orphaned borg with a checkpoint and records the run as interrupted', async () => {
    const before = await listArchives(sb, repo);
    await fresh();
    const { child, borgPid } = await runningBackup();
    child.kill('SIGKILL');
    await child;
    // borg runs in its own process group: it outlived the CLI.
    expect(alive(borgPid)).toBe(true);
    const s = await status();
    expect(alive(borgPid)).toBe(false);
    expect(s.state).toBe('idle');
    // Its own outcome, not a failure of the backup: status does not say "error".
    expect(s.lastRun).toMatchObject({ result: 'interrupted' });
    expect(s.lastRun!.message).toMatch(/never finished/);
    const text = await dandelion(sb, ['status']);
    expect(text.stdout).toMatch(/interrupted just now/);
    expect(text.stdout).not.toMatch(/error just now/);
    await consistent(before);
    // Never a break-lock advice for a borg we started: the next backup just works.
    const next = await dandelion(sb, ['run', 'big']);
    expect(next.exitCode, next.stderr).toBe(0);
    expect(next.stderr).not.toMatch(/break-lock/);
  });

  it('borg killed from outside is reported as killed, not as cancelled by the user', async () => {
    const before = await listArchives(sb, repo);
    await fresh();
    const { child, borgPid } = await runningBackup();
    process.kill(borgPid, 'SIGTERM');
    const r = await child;
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/stopped from outside/);
    expect((await status()).lastRun).toMatchObject({ result: 'error' });
    await consistent(before);
  });

  it('SIGHUP (the terminal closed) cancels like Ctrl-C: borg checkpoints, the run is recorded, no stale lock', async () => {
    const before = await listArchives(sb, repo);
    await fresh();
    const { child } = await runningBackup();
    child.kill('SIGHUP');
    const r = await child;
    expect(r.exitCode).toBe(2);
    expect((await status()).lastRun).toMatchObject({ result: 'cancelled' });
    expect(await lock()).toBeNull();
    await consistent(before);
  });

  it('output nobody reads (a pipe closed early) does not stop the backup', async () => {
    const before = await listArchives(sb, repo);
    const child = execa(process.execPath, [CLI, 'run', 'big'], {
      reject: false,
      extendEnv: false,
      env: sb.env,
      stdin: 'ignore',
      buffer: false,
    });
    // Like `| head -1`: read one chunk, then close the pipe.
    await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
    child.stdout!.destroy();
    child.stderr!.destroy();
    const r = await child;
    expect(r.exitCode).toBe(0);
    expect((await status()).lastRun).toMatchObject({ result: 'success' });
    expect((await listArchives(sb, repo)).length).toBe(before.length + 1);
  });
});

describe('locks that lie', () => {
  it('a lock whose pid now belongs to another process (after a reboot) does not block the repository', async () => {
    // Our parent is alive, but it is not the process that took this lock: its start differs.
    await fs.mkdir(path.dirname(lockFile), { recursive: true });
    await fs.writeFile(
      lockFile,
      JSON.stringify({
        pid: process.ppid,
        start: 'another-boot:12345',
        what: 'backup of "big"',
        since: '2026-06-30T23:30:00.000Z',
        profile: 'big',
        trigger: 'schedule',
        repository: repo,
      }),
    );
    // Found by a process in New Zealand: the record says when in local words, never as an ISO string.
    const r0 = await dandelion(sb, ['status', '--json'], { env: { TZ: 'Pacific/Auckland', LC_ALL: 'en_GB.UTF-8' } });
    const s = JSON.parse(r0.stdout).profiles[0] as { state: string; lastRun: { result: string; message: string; startedAt: string } };
    expect(s.state).toBe('idle');
    expect(s.lastRun).toMatchObject({ result: 'interrupted', startedAt: '2026-06-30T23:30:00.000Z' });
    expect(s.lastRun.message).toMatch(/that started 1 Jul 2026 at 11:30 never finished/);
    expect(s.lastRun.message).not.toMatch(/\d{4}-\d\d-\d\dT/);
    expect(alive(process.ppid)).toBe(true);
    const r = await dandelion(sb, ['run', 'big']);
    expect(r.exitCode, r.stderr).toBe(0);
  });
});

describe('a daemon that cannot start', () => {
  it('says why, exits non-zero and holds nothing, so a second daemon starts', async () => {
    const other = await sandbox('dandelion-faults-daemon-');
    try {
      await writeConfig(other.configDir, { profiles: [] });
      // locks/ is a file: nothing can be locked or watched there.
      await fs.writeFile(path.join(other.configDir, 'locks'), 'not a folder');
      const d = new DaemonProcess(other);
      const r = await d.child;
      expect(r.exitCode).toBe(2);
      expect(d.lines.join('\n')).toMatch(/cannot start|ENOTDIR|EEXIST/);
      await fs.rm(path.join(other.configDir, 'locks'));
      const ok = new DaemonProcess(other);
      await ok.waitFor(/daemon started/);
      expect(await ok.stop()).toBe(0);
    } finally {
      await other.cleanup();
    }
  });
});

describe('a passcommand that never answers', () => {
  it('ends in a diagnosis within its time limit, leaves no borg and no lock behind, and is recorded', async () => {
    const cfg = JSON.parse(await fs.readFile(path.join(sb.configDir, 'config.json'), 'utf8'));
    const other = {
      ...cfg.profiles[0],
      id: 'hangs',
      encryption: 'repokey-blake2',
      repository: path.join(sb.dir, 'enc-repo'),
      passcommand: 'sleep 1000',
    };
    await writeConfig(sb.configDir, { profiles: [cfg.profiles[0], other] });
    try {
      const t0 = Date.now();
      const r = await dandelion(sb, ['run', 'hangs'], { env: { DANDELION_PASSCOMMAND_TIMEOUT: '1' } });
      expect(Date.now() - t0).toBeLessThan(15_000);
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toMatch(/passcommand of profile "hangs" gave no passphrase: it gave no answer within 1 s/);
      const history = (await fs.readFile(path.join(sb.configDir, 'history', 'hangs.jsonl'), 'utf8')).trim().split('\n');
      expect(JSON.parse(history.at(-1)!)).toMatchObject({ result: 'error', diagnoses: [{ kind: 'passcommand-failed' }] });
      expect(await fs.readdir(path.join(sb.configDir, 'locks'))).not.toContainEqual(expect.stringMatching(/^repo-.*\.lock$/));
    } finally {
      await writeConfig(sb.configDir, cfg);
    }
  });
});

describe('doctor and a lock it does not believe', () => {
  it('reports the stale lock it cleared and the interrupted run', async () => {
    await fs.mkdir(path.dirname(lockFile), { recursive: true });
    await fs.writeFile(
      lockFile,
      JSON.stringify({
        pid: process.ppid,
        start: 'another-boot:1',
        what: 'backup of "big"',
        since: '2026-01-02T03:04:05.000Z',
        profile: 'big',
        repository: repo,
      }),
    );
    // A 24-hour locale, day first (the words follow LANG / LC_ALL; 12-hour ones are in local-time.test.ts).
    const r = await dandelion(sb, ['doctor', 'big'], { env: { TZ: 'Pacific/Auckland', LC_ALL: 'en_GB.UTF-8' } });
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toMatch(/FAIL big: lock: a repository lock from a backup started on 2 Jan (2026 )?at 16:04 was stale/);
    await expect(fs.access(lockFile)).rejects.toThrow();
  });
});
