/**
 * The real main process (electron/main.ts) against the recording fake of `electron`, with a second
 * real Dandelion process (a `dandelion run` or `dandelion daemon`) and real borg: the menu shows
 * the figures of a backup the other process makes, and its Cancel and Skip This Backup reach it
 * (borg checkpoints there, `borg check` stays clean); Pause Backups and Resume Backups from the menu.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MemorySecretStore } from '../../src/secrets/keyring.js';
import { History } from '../../src/jobs/history.js';
import { borg, dandelion, listArchives, sandbox, writeConfig, type Sandbox } from '../helpers/env.js';
import { DaemonProcess } from '../helpers/daemon.js';
import { freshRepository } from '../helpers/repo-template.js';
import { SharedBlobs } from '../helpers/blobs.js';

vi.mock('electron', () => import('../fakes/electron/index.js'));
const { fake } = await import('../fakes/electron/index.js');
const { startApp, APP_ROOT } = await import('../../electron/main.js');
type App = Awaited<ReturnType<typeof startApp>>;

let sb: Sandbox;
let src: string;
let repo: string;
let running: App | null = null;
let daemon: DaemonProcess | null = null;

async function waitFor(what: string, cond: () => boolean | Promise<boolean>, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; menu: ${safeMenu().join(' | ')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function safeMenu(): string[] {
  try {
    return fake.menuLabels();
  } catch {
    return [];
  }
}
const menuText = () => safeMenu().join('\n');

async function start(): Promise<App> {
  running = await startApp({
    configDir: sb.configDir,
    log: process.env.APP_TEST_LOG ? (l) => console.log('[app]', l) : () => {},
    platform: 'darwin',
    appRoot: APP_ROOT,
    fdaProbe: async () => 'granted',
    secrets: new MemorySecretStore(),
    takeoverPollMs: 200,
  });
  return running;
}

function profile(overrides: Record<string, unknown> = {}) {
  return { id: 'p', name: 'Big', repository: repo, encryption: 'none', sources: [src], prune: null, compression: 'zlib,6', ...overrides };
}

// Incompressible data and slow compression: the run lasts long enough to be seen and stopped. Made
// once for the file; a test that backs it up makes it its source (borg only reads it).
const blobs = new SharedBlobs(120);
afterAll(() => blobs.dispose());

async function useBigTree(): Promise<void> {
  src = await blobs.dir();
}

const history = () => new History(path.join(sb.configDir, 'history'));

beforeEach(async () => {
  fake.reset();
  sb = await sandbox('dandelion-app-pause-');
  process.env.BORG_BASE_DIR = sb.env.BORG_BASE_DIR;
  src = path.join(sb.dir, 'src');
  repo = path.join(sb.dir, 'repo');
  await freshRepository(repo, 'none');
});

afterEach(async () => {
  if (running) {
    await running.engine.cancelAll();
    await running.dispose();
  }
  running = null;
  if (daemon) await daemon.stop();
  daemon = null;
  await sb.cleanup();
});

describe('a backup another Dandelion process makes', () => {
  it('shows its figures in the menu and the title, and Cancel Backup reaches it: a checkpoint, a clean borg check', async () => {
    await useBigTree();
    await writeConfig(sb.configDir, { app: { openAtLogin: true }, profiles: [profile()] });
    await start();
    await waitFor('the first line', () => menuText().includes('No backups yet on '));
    const cli = dandelion(sb, ['run', 'p'], { timeout: 300_000 });
    // The other process rewrites its figures into the repository lock once a second.
    await waitFor('the figures of the other run', () => /^Backing up: [\d,]+ files?, /m.test(menuText()), 60_000);
    expect(fake.tray.titles.some((t) => /^\d[\d,.k]*$|^\d+%$/.test(t))).toBe(true);
    expect(fake.menuItem('Back Up Now').enabled).toBe(false);

    fake.click('Cancel Backup');
    const r = await cli;
    // The CLI's own run ended as a user's cancel (not a kill from outside).
    expect(r.exitCode, r.stdout + r.stderr).toBe(2);
    expect(r.stdout).toMatch(/^cancelled/m);
    const [last] = await history().recent('p', 1);
    expect(last!.result).toBe('cancelled');
    expect(last!.diagnoses[0]!.kind).toBe('cancelled');
    // borg's SIGINT left the repository consistent, with no finished archive.
    const check = await borg(sb, ['check', repo]);
    expect(check.exitCode, check.stderr).toBe(0);
    expect((await listArchives(sb, repo)).filter((n) => !n.endsWith('.checkpoint'))).toEqual([]);
    await waitFor('Back Up Now offered again', () => safeMenu().includes('Back Up Now'));
    expect(menuText()).not.toContain('Cancel Backup');
    // The request was consumed: nothing is left to stop the next run.
    expect((await fs.readdir(path.join(sb.configDir, 'locks'))).filter((n) => n.startsWith('stop-'))).toEqual([]);
  });

  it("Skip This Backup on the daemon's run: recorded as skipped by the daemon, no alarm, no rerun before the next slot", async () => {
    await useBigTree();
    // A daily slot long past and no backup yet: the daemon catches up as soon as it starts.
    await writeConfig(sb.configDir, { app: { openAtLogin: true }, profiles: [profile({ schedule: '0 0 * * *' })] });
    daemon = new DaemonProcess(sb);
    await daemon.waitFor(/\[p\] catch-up: starting backup/);
    const a = await start();
    expect(a.supervisor.role).toBe('follower');
    await waitFor('the figures of the daemon run', () => /^Backing up: [\d,]+ files?, /m.test(menuText()), 60_000);

    fake.click('Skip This Backup');
    await waitFor('the skipped record', async () => (await history().recent('p', 1))[0]?.result === 'skipped', 120_000);
    const [last] = await history().recent('p', 1);
    expect(last).toMatchObject({ result: 'skipped', skippedByUser: true, trigger: 'catch-up' });
    expect(last!.diagnoses).toEqual([]);
    expect(await daemon.waitFor(/skip this backup asked by pid \d+/)).toContain(`pid ${process.pid}`);
    await waitFor('the menu after the skip', () => menuText().includes('Back Up Now') && !menuText().includes('Skip This Backup'));
    // No notification of trouble, and the line does not call it cancelled or failed.
    await new Promise((r) => setTimeout(r, 800));
    expect(fake.notifications).toEqual([]);
    expect(menuText()).not.toMatch(/^(The last attempt was cancelled|Backup failed)/im);

    // A config edit makes the daemon look again at what is due: the skipped slot is not run again.
    const mark = daemon.mark;
    await writeConfig(sb.configDir, { app: { openAtLogin: true }, profiles: [profile({ schedule: '0 0 * * *', name: 'Big files' })] });
    await daemon.waitFor(/config reloaded/, { from: mark });
    await new Promise((r) => setTimeout(r, 2000));
    expect(daemon.count(/starting backup/)).toBe(1);
    expect(await history().recent('p', 5)).toHaveLength(1);
    // The daemon is still there (the skip was not a kill), and borg is happy with the repository.
    expect(daemon.child.exitCode).toBeNull();
    const check = await borg(sb, ['check', repo]);
    expect(check.exitCode, check.stderr).toBe(0);
  });
});

describe('Skip This Backup', () => {
  it('on a run of this app: stopped like Cancel, recorded as skipped, no notification, no retry, borg check clean', async () => {
    await useBigTree();
    await writeConfig(sb.configDir, { app: { openAtLogin: true }, profiles: [profile()] });
    const a = await start();
    await waitFor('Back Up Now', () => safeMenu().includes('Back Up Now'));
    fake.click('Back Up Now');
    await waitFor('figures', () => /^Backing up: [\d,]+ files?, /m.test(menuText()), 60_000);
    expect(safeMenu()).toContain('Cancel Backup');
    fake.click('Skip This Backup');
    await waitFor('idle', () => !a.engine.isRunning('p'), 120_000);
    const [last] = await history().recent('p', 1);
    expect(last).toMatchObject({
      result: 'skipped',
      skippedByUser: true,
      message: 'Skipped by you; the next backup runs at its usual time.',
    });
    expect(a.engine.retryPlan('p')).toBeNull();
    await new Promise((r) => setTimeout(r, 800));
    expect(fake.notifications).toEqual([]);
    expect(menuText()).toContain('No backups yet on ');
    const check = await borg(sb, ['check', repo]);
    expect(check.exitCode, check.stderr).toBe(0);
  });
});

describe('Pause Backups', () => {
  it('holds the schedule in every process, never shows the profile overdue for it, and Resume Backups catches up once', async () => {
    await fs.mkdir(src, { recursive: true });
    await fs.writeFile(path.join(src, 'a.txt'), 'hello');
    await writeConfig(sb.configDir, { app: { openAtLogin: true }, profiles: [profile({ schedule: '0 * * * *' })] });
    // The last backup three hours ago: three hourly slots since, overdue (2 periods) without a pause.
    const threeHoursAgo = Date.now() - 3 * 3_600_000;
    await history().append({
      profile: 'p',
      trigger: 'schedule',
      startedAt: new Date(threeHoursAgo).toISOString(),
      finishedAt: new Date(threeHoursAgo + 60_000).toISOString(),
      result: 'success',
      archive: 'old',
      stats: null,
      message: null,
      diagnoses: [],
      log: null,
      repository: repo,
    });
    const statusOf = async () => JSON.parse((await dandelion(sb, ['status', '--json'])).stdout);
    expect((await statusOf()).profiles[0].overdue).toBe(true);
    // Paused (until resumed) a few minutes after that backup, as locks/pause.json says.
    await fs.mkdir(path.join(sb.configDir, 'locks'), { recursive: true });
    const since = new Date(threeHoursAgo + 5 * 60_000).toISOString();
    await fs.writeFile(path.join(sb.configDir, 'locks', 'pause.json'), JSON.stringify({ since, until: null }));
    const during = await statusOf();
    expect(during.paused).toEqual({ since, until: null });
    expect(during.profiles[0]).toMatchObject({ overdue: false, nextRunAt: null });
    expect((await dandelion(sb, ['status'])).stdout).toMatch(/^Backups paused until you resume them/m);

    const a = await start();
    expect(a.supervisor.role).toBe('owner');
    await waitFor('the paused line', () => menuText().includes('Backups paused until you resume them (disabled)'));
    expect(safeMenu()).toContain('Resume Backups');
    expect(menuText()).not.toContain('Pause Backups');
    expect(menuText()).not.toMatch(/Overdue/i);
    // The catch-up at start and a config edit both look at what is due: nothing starts while paused.
    await writeConfig(sb.configDir, { app: { openAtLogin: true }, profiles: [profile({ schedule: '0 * * * *', name: 'Big files' })] });
    await new Promise((r) => setTimeout(r, 3000));
    expect(await history().list('p')).toHaveLength(1);
    expect(a.engine.isRunning('p')).toBe(false);

    const resumedAt = Date.now();
    fake.click('Resume Backups');
    await waitFor('a finished run', async () => (await history().list('p')).length > 1, 60_000);
    await new Promise((r) => setTimeout(r, 2000));
    const runs = (await history().list('p')).slice(1);
    // Three slots passed during the pause: one catch-up run, not one each.
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ trigger: 'catch-up', result: 'success' });
    expect(Date.parse(runs[0]!.startedAt)).toBeGreaterThanOrEqual(resumedAt - 50);
    expect(await listArchives(sb, repo)).toHaveLength(1);
    await fs.access(path.join(sb.configDir, 'locks', 'pause.json')).then(
      () => expect.fail('pause.json should be gone after Resume Backups'),
      () => {},
    );
  });

  it('For 1 Hour: the menu says until when in local time, and the CLI in another process reports it', async () => {
    await fs.mkdir(src, { recursive: true });
    await writeConfig(sb.configDir, { app: { openAtLogin: true }, profiles: [profile({ schedule: '0 0 1 1 *' })] });
    await start();
    await waitFor('the menu', () => safeMenu().includes('Pause Backups'));
    const before = Date.now();
    fake.click(['Pause Backups', 'For 1 Hour']);
    const until = new Date(before + 3_600_000);
    const hhmm = until.toLocaleTimeString(undefined, { hour: 'numeric', minute: '2-digit' });
    await waitFor('the paused line', () => /Backups paused until .+ \(disabled\)/.test(menuText()));
    const line = safeMenu().find((l) => l.startsWith('Backups paused until'))!;
    // Local time, never an ISO string; the minute may have turned while the test ran.
    expect(line).not.toMatch(/\d{4}-\d\d-\d\dT/);
    if (until.getDate() === new Date(before).getDate())
      expect(
        [hhmm, new Date(before + 3_660_000).toLocaleTimeString(undefined, { hour: 'numeric', minute: '2-digit' })].some((t) =>
          line.includes(t),
        ),
      ).toBe(true);
    expect(fake.tray.tooltip).toContain('Backups paused until');

    const status = JSON.parse((await dandelion(sb, ['status', '--json'])).stdout);
    expect(Math.abs(Date.parse(status.paused.until) - (before + 3_600_000))).toBeLessThan(5000);
    expect((await dandelion(sb, ['status'])).stdout).toMatch(/^Backups paused until /m);

    // Resumed by the CLI in another process: the menu follows.
    expect((await dandelion(sb, ['resume'])).exitCode).toBe(0);
    await waitFor('Pause Backups again', () => safeMenu().includes('Pause Backups'));
    expect(JSON.parse((await dandelion(sb, ['status', '--json'])).stdout).paused).toBeNull();
  });
});
