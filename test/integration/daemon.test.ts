import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { borg, dandelion, isRoot, makeTree, sandbox, writeConfig, type Sandbox } from '../helpers/env.js';
import { DaemonProcess } from '../helpers/daemon.js';
import { DiskImage, NOT_ROOT } from '../helpers/mount.js';
import { freshRepository } from '../helpers/repo-template.js';
import { SharedBlobs } from '../helpers/blobs.js';

let sb: Sandbox;
let daemons: DaemonProcess[];
let disks: DiskImage[];

beforeEach(async () => {
  sb = await sandbox('dandelion-daemon-');
  daemons = [];
  disks = [];
});

afterEach(async () => {
  await Promise.all(daemons.map((d) => d.stop()));
  for (const d of disks) await d.dispose();
  const mountinfo = await fs.readFile('/proc/self/mountinfo', 'utf8');
  if (!mountinfo.includes(sb.dir)) await sb.cleanup();
});

function daemon(env: Record<string, string> = {}): DaemonProcess {
  const d = new DaemonProcess(sb, env);
  daemons.push(d);
  return d;
}

async function history(id: string): Promise<{ result: string; trigger: string; message: string | null }[]> {
  try {
    const text = await fs.readFile(path.join(sb.configDir, 'history', `${id}.jsonl`), 'utf8');
    return text
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
  } catch {
    return [];
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Incompressible data for backups that must still be going on when they are stopped: 150 files of
// 2 MiB, made once for the file, backed up where they are (borg only reads them).
const blobs = new SharedBlobs(150);
afterAll(() => blobs.dispose());

describe('dandelion daemon: schedules', () => {
  it('runs a slot that passed before it started once at startup, and not again on restart', async () => {
    const src = path.join(sb.dir, 'src');
    await makeTree(src);
    const repo = path.join(sb.dir, 'repo');
    // Every day at 00:00: the latest slot is always in the past.
    await writeConfig(sb.configDir, {
      profiles: [{ id: 'daily', repository: repo, encryption: 'none', sources: [src], schedule: '0 0 * * *' }],
    });
    await freshRepository(repo, 'none');

    const first = daemon();
    await first.waitFor(/\[daily\] catch-up: starting backup/);
    await first.waitFor(/\[daily\] finished: success/);
    expect(await first.stop()).toBe(0);
    expect((await history('daily')).map((r) => r.result)).toEqual(['success']);

    const second = daemon();
    await second.waitFor(/\[daily\] next scheduled run/);
    await sleep(1500);
    expect(second.count(/starting backup/)).toBe(0);
    expect(await second.stop()).toBe(0);
    expect(await history('daily')).toHaveLength(1);
    const status = JSON.parse((await dandelion(sb, ['status', '--json'])).stdout);
    expect(status.profiles[0]).toMatchObject({ state: 'idle', overdue: false });
    expect(Date.parse(status.profiles[0].nextRunAt)).toBeGreaterThan(Date.now());
  });

  it('cancels a run in progress on SIGTERM, records it and leaves the repository consistent', async () => {
    const big = await blobs.dir();
    const repo = path.join(sb.dir, 'repo');
    await writeConfig(sb.configDir, {
      profiles: [{ id: 'big', repository: repo, encryption: 'none', sources: [big], compression: 'none', schedule: '0 0 * * *' }],
    });
    await freshRepository(repo, 'none');
    const d = daemon();
    await d.waitFor(/\[big\] started \(catch-up\)/);
    await sleep(700);
    expect(await d.stop()).toBe(0);
    expect(d.lines.join('\n')).toMatch(/\[big\] finished: cancelled[\s\S]*daemon stopped/);
    expect((await history('big')).map((r) => r.result)).toEqual(['cancelled']);
    const check = await borg(sb, ['check', repo]);
    expect(check.exitCode, check.stderr).toBe(0);
  });

  it('a second daemon follows the owner of the schedules and takes them over within seconds when it stops', async () => {
    await writeConfig(sb.configDir, { profiles: [] });
    const owner = daemon();
    await owner.waitFor(/daemon started \(pid (\d+)\)/);
    const follower = daemon();
    await follower.waitFor(new RegExp(`backups are scheduled by pid ${owner.child.pid}`));
    // Manual runs still work beside the owner (they honour the per-repository lock instead).
    // 1: no profile at all is attention (status' exit codes are for monitors), not a failure.
    expect((await dandelion(sb, ['status'])).exitCode).toBe(1);
    const stoppedAt = Date.now();
    expect(await owner.stop()).toBe(0);
    await follower.waitFor(new RegExp(`took over the schedules: pid ${owner.child.pid}`));
    expect(Date.now() - stoppedAt).toBeLessThan(5000);
    const status = JSON.parse((await dandelion(sb, ['status', '--json'])).stdout);
    expect(status.scheduler).toMatchObject({ pid: follower.child.pid, what: expect.stringContaining('dandelion daemon') });
    // The new owner schedules: a profile added now is backed up at once (its slot has passed).
    const src = path.join(sb.dir, 'src');
    await makeTree(src);
    const repo = path.join(sb.dir, 'repo');
    // The repository is there before the profile: the new owner may start its catch-up at once.
    await freshRepository(repo, 'none');
    await writeConfig(sb.configDir, {
      profiles: [{ id: 'daily', repository: repo, encryption: 'none', sources: [src], schedule: '0 0 * * *' }],
    });
    await follower.waitFor(/\[daily\] finished: (success|error)/);
  });

  it('reports an invalid config edit and keeps the previous config in force', async () => {
    const cfg = {
      profiles: [
        {
          id: 'p',
          repository: path.join(sb.dir, 'r'),
          encryption: 'none',
          sources: [sb.dir],
          excludes: [path.join(sb.dir, 'r')],
          schedule: '0 0 1 1 *',
        },
      ],
    };
    await writeConfig(sb.configDir, cfg);
    const d = daemon();
    await d.waitFor(/daemon started/);
    await d.waitFor(/\[p\] next scheduled run/);
    const mark = d.mark;
    await writeConfig(sb.configDir, { profiles: [{ ...cfg.profiles[0], schedule: 'whenever' }] });
    await d.waitFor(/config change not applied/, { from: mark });
    await d.waitFor(/profiles\[0\]\.schedule: expected 5 fields \(minute hour day month weekday\), got 1/, { from: mark });
    expect(JSON.parse(await fs.readFile(path.join(sb.configDir, 'config.json'), 'utf8')).profiles[0].schedule).toBe('whenever');
    await writeConfig(sb.configDir, { profiles: [{ ...cfg.profiles[0], schedule: '0 0 2 1 *' }] });
    await d.waitFor(/config reloaded: 1 profile/, { from: mark });
  });
});

describe.skipIf(!isRoot)(`dandelion daemon: the backup disk (${isRoot ? 'real loop-mounted ext4' : NOT_ROOT})`, () => {
  let volumes: string;
  let mountPoint: string;
  let repo: string;
  let disk: DiskImage;
  let small: string;

  beforeEach(async () => {
    volumes = path.join(sb.dir, 'volumes');
    mountPoint = path.join(volumes, 'backup-disk');
    repo = path.join(mountPoint, 'backup', 'mbp');
    small = path.join(sb.dir, 'small');
    await makeTree(small);
    disk = await DiskImage.create(path.join(sb.dir, 'disk.img'), 1024);
    disks.push(disk);
    await disk.mount(mountPoint);
    await freshRepository(repo, 'none');
    await disk.unmount();
  });

  function profile(extra: Record<string, unknown> = {}) {
    return { id: 'disk', repository: repo, encryption: 'none', sources: [small], volume: 'backup-disk', minIntervalHours: 24, ...extra };
  }

  it('backs up when the disk mounts, skips a second mount within minIntervalHours, and survives the disk vanishing mid-run', async () => {
    await writeConfig(sb.configDir, { volumesRoot: volumes, profiles: [profile()] });
    const d = daemon();
    await d.waitFor(/watching .* for backup-disk/);

    // 1. Mount: the run starts as soon as the repository is readable.
    let mark = d.mark;
    await disk.mount(mountPoint);
    const mountedAt = Date.now();
    await d.waitFor(/\[disk\] started \(volume\)/, { from: mark, timeoutMs: 10_000 });
    expect(Date.now() - mountedAt).toBeLessThan(5000);
    await d.waitFor(/\[disk\] finished: success/, { from: mark });

    // 2. Unmount, mount again within minIntervalHours: recorded as skipped, with the reason.
    mark = d.mark;
    await disk.unmount();
    await d.waitFor(/disk "backup-disk" went away/, { from: mark });
    mark = d.mark;
    await disk.mount(mountPoint);
    await d.waitFor(/\[disk\] volume: skipped: the last backup is less than 24 h old/, { from: mark });
    const h = await history('disk');
    expect(h.map((r) => r.result)).toEqual(['success', 'skipped']);
    expect(h[1]!.message).toMatch(/minIntervalHours/);
    await disk.unmount();

    // 3. A big source and no minimum interval; the disk is yanked while borg writes.
    const big = await blobs.dir();
    mark = d.mark;
    await writeConfig(sb.configDir, {
      volumesRoot: volumes,
      profiles: [profile({ minIntervalHours: 0, sources: [big], compression: 'none' })],
    });
    await d.waitFor(/config reloaded/, { from: mark });
    mark = d.mark;
    await disk.mount(mountPoint);
    await d.waitFor(/\[disk\] started \(volume\)/, { from: mark });
    await sleep(1000);
    await disk.unmount({ lazy: true });
    const failed = await d.waitFor(/\[disk\] finished: (error|success)/, { from: mark, timeoutMs: 60_000 });
    expect(failed).toMatch(/finished: error: The disk holding .* went away during the backup/);

    // 4. The next mount backs up normally, and borg finds the repository consistent.
    mark = d.mark;
    await sleep(500);
    await disk.mount(mountPoint);
    await d.waitFor(/\[disk\] finished: success/, { from: mark, timeoutMs: 120_000 });
    expect(await d.stop()).toBe(0);
    const check = await borg(sb, ['check', repo]);
    expect(check.exitCode, check.stderr).toBe(0);
    expect((await history('disk')).map((r) => r.result)).toEqual(['success', 'skipped', 'error', 'success']);
  }, 240_000);

  it('waits for the disk when a slot comes while it is away, then runs as soon as it appears', async () => {
    await writeConfig(sb.configDir, { volumesRoot: volumes, profiles: [profile({ schedule: '0 0 * * *' })] });
    const d = daemon();
    await d.waitFor(/\[disk\] catch-up: due, waiting for disk "backup-disk"/);
    // Another process (the CLI) sees what the daemon is waiting for (written just after that line).
    await expect
      .poll(async () => JSON.parse((await dandelion(sb, ['status', '--json'])).stdout).profiles[0], { timeout: 20_000, interval: 200 })
      .toMatchObject({ state: 'waiting-for-volume', lastRun: null });
    const mark = d.mark;
    await disk.mount(mountPoint);
    await d.waitFor(/\[disk\] started \(volume\)/, { from: mark, timeoutMs: 10_000 });
    await d.waitFor(/\[disk\] finished: success/, { from: mark });
  });

  it('coalesces triggers fired together into exactly one borg create', async () => {
    const spy = path.join(sb.dir, 'borg-spy.sh');
    const calls = path.join(sb.dir, 'calls.log');
    await fs.writeFile(spy, `#!/bin/sh\necho "$1" >> "${calls}"\nexec borg "$@"\n`, { mode: 0o755 });
    // Due by schedule (never backed up) and its disk already there: catch-up and the mount fire at once.
    await disk.mount(mountPoint);
    await writeConfig(sb.configDir, { volumesRoot: volumes, borgPath: spy, profiles: [profile({ schedule: '0 0 * * *' })] });
    const d = daemon();
    await d.waitFor(/\[disk\] finished: success/);
    await sleep(1500);
    const creates = (await fs.readFile(calls, 'utf8')).split('\n').filter((l) => l === 'create');
    expect(creates).toHaveLength(1);
    expect((await history('disk')).filter((r) => r.result !== 'skipped')).toHaveLength(1);
  });
});
