/**
 * Notifications through the real main process (electron/main.ts) against the recording fake of
 * `electron`, the real engine, real borg and real node-schedule slots, with the clock faked so ten
 * minutes of a `* * * * *` schedule pass in well under a minute.
 */
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { keyringAccount, MemorySecretStore } from '../../src/secrets/keyring.js';
import { History } from '../../src/jobs/history.js';
import { dandelion, makeTree, sandbox, writeConfig, type Sandbox } from '../helpers/env.js';
import { DaemonProcess } from '../helpers/daemon.js';
import { configPaths } from '../../src/paths.js';
import { freshRepository } from '../helpers/repo-template.js';

vi.mock('electron', () => import('../fakes/electron/index.js'));
const { fake, app: fakeApp } = await import('../fakes/electron/index.js');
const { startApp, APP_ROOT } = await import('../../electron/main.js');
type App = Awaited<ReturnType<typeof startApp>>;

const PASS = 'correct horse battery staple';
let sb: Sandbox;
let src: string;
let secrets: MemorySecretStore;
let running: App | null = null;

async function waitFor(what: string, cond: () => boolean | Promise<boolean>, ms = 60_000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!(await cond())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function start(pollMs = 200): Promise<App> {
  running = await startApp({
    configDir: sb.configDir,
    log: process.env.APP_TEST_LOG ? (l) => console.log('[app]', l) : () => {},
    platform: 'darwin',
    appRoot: APP_ROOT,
    fdaProbe: async () => 'granted',
    secrets,
    takeoverPollMs: pollMs,
  });
  return running;
}

beforeEach(async () => {
  fake.reset();
  sb = await sandbox('dandelion-notify-');
  process.env.BORG_BASE_DIR = sb.env.BORG_BASE_DIR;
  src = path.join(sb.dir, 'src');
  await makeTree(src, 10);
  secrets = new MemorySecretStore();
});

afterEach(async () => {
  if (running) {
    await running.engine.cancelAll();
    await running.dispose();
  }
  running = null;
  vi.useRealTimers();
  await sb.cleanup();
});

describe('a failing schedule', () => {
  it('speaks once per trouble over ten minutes of slots, once when fixed, and not again after a relaunch', async () => {
    const locked = path.join(sb.dir, 'locked');
    await freshRepository(locked, 'repokey-blake2', PASS);
    const missing = path.join(sb.dir, 'nothing-here');
    await writeConfig(sb.configDir, {
      app: { openAtLogin: true },
      profiles: [
        {
          id: 'wrong',
          name: 'Locked',
          repository: locked,
          encryption: 'repokey-blake2',
          sources: [src],
          prune: null,
          schedule: '* * * * *',
        },
        { id: 'gone', name: 'Gone', repository: missing, encryption: 'none', sources: [src], prune: null, schedule: '* * * * *' },
      ],
    });
    // The keyring holds a passphrase other than the repository's.
    await secrets.set(keyringAccount(locked), 'not the passphrase');
    const history = new History(path.join(sb.configDir, 'history'));
    const failures = async () =>
      (await history.list('wrong')).filter((r) => r.result === 'error').length +
      (await history.list('gone')).filter((r) => r.result === 'error').length;

    // Only the clock and the timers are fake; I/O, child processes and setImmediate stay real.
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'], shouldAdvanceTime: true });
    vi.setSystemTime(new Date('2026-12-02T21:50:30Z'));
    const a = await start();
    // The catch-up at start: both fail, each trouble is told.
    await waitFor('the catch-up runs', async () => (await failures()) >= 2);
    await waitFor('idle', () => !a.engine.isRunning('wrong') && !a.engine.isRunning('gone'));

    const slot = async (n: number, expected: number) => {
      // Up to the next minute: node-schedule fires the slot.
      await vi.advanceTimersByTimeAsync(60_000 - (Date.now() % 60_000) + 100);
      await waitFor(`slot ${n}`, async () => (await failures()) >= expected);
      await waitFor('idle', () => !a.engine.isRunning('wrong') && !a.engine.isRunning('gone'));
    };
    for (let i = 1; i <= 10; i++) await slot(i, 2 + 2 * i);
    // Let a snapshot or two pass after the last run.
    await vi.advanceTimersByTimeAsync(1000);
    await new Promise((r) => setTimeout(r, 300));

    expect((await history.list('wrong')).filter((r) => r.trigger === 'schedule')).toHaveLength(10);
    expect((await history.list('gone')).filter((r) => r.trigger === 'schedule')).toHaveLength(10);
    const bodies = fake.notifications.map((n) => `${n.title}: ${n.body}`);
    expect(bodies, bodies.join('\n')).toHaveLength(2);
    expect(bodies.find((b) => b.startsWith('Locked:'))).toMatch(/passphrase/);
    expect(bodies.find((b) => b.startsWith('Gone:'))).toMatch(/nothing-here/);
    for (const b of bodies) expect(b).not.toMatch(/`|\bdandelion [a-z]/);

    // The passphrase is put right: the next slot backs up, and says so once.
    await secrets.set(keyringAccount(locked), PASS);
    const successes = async () => (await history.list('wrong')).filter((r) => r.result === 'success').length;
    await vi.advanceTimersByTimeAsync(60_000 - (Date.now() % 60_000) + 100);
    await waitFor('a success', async () => (await successes()) === 1);
    await waitFor('idle', () => !a.engine.isRunning('wrong') && !a.engine.isRunning('gone'));
    await vi.advanceTimersByTimeAsync(60_000 - (Date.now() % 60_000) + 100);
    await waitFor('a second success', async () => (await successes()) === 2);
    await waitFor('idle', () => !a.engine.isRunning('wrong') && !a.engine.isRunning('gone'));
    await vi.advanceTimersByTimeAsync(1000);
    await new Promise((r) => setTimeout(r, 300));
    const after = fake.notifications.slice(2).map((n) => `${n.title}: ${n.body}`);
    expect(after).toEqual([`Locked: Backups to ${locked} work again.`]);

    // A relaunch remembers what was told: the unchanged trouble of "Gone" is not told again.
    await a.dispose();
    running = null;
    fake.reset();
    const memory = JSON.parse(await fs.readFile(path.join(sb.configDir, 'state', 'notifications.json'), 'utf8'));
    expect(memory.profiles.gone.trouble.kind).toBe('repo-missing');
    const before = await failures();
    const b = await start();
    await waitFor('the catch-up after the relaunch', async () => (await failures()) > before);
    await waitFor('idle', () => !b.engine.isRunning('wrong') && !b.engine.isRunning('gone'));
    await vi.advanceTimersByTimeAsync(60_000 - (Date.now() % 60_000) + 100);
    await waitFor('one more slot', async () => (await failures()) > before + 1);
    await waitFor('idle', () => !b.engine.isRunning('wrong') && !b.engine.isRunning('gone'));
    await vi.advanceTimersByTimeAsync(1000);
    await new Promise((r) => setTimeout(r, 300));
    expect(fake.notifications.map((n) => n.body)).toEqual([]);
  }, 240_000);
});

describe('a trouble that lasts', () => {
  it('is told again once after a day, as still failing since when it started, in local time', async () => {
    await writeConfig(sb.configDir, {
      app: { openAtLogin: true },
      profiles: [
        {
          id: 'gone',
          name: 'Gone',
          repository: path.join(sb.dir, 'nothing-here'),
          encryption: 'none',
          sources: [src],
          prune: null,
          schedule: '0 * * * *',
        },
      ],
    });
    const history = new History(path.join(sb.configDir, 'history'));
    const failures = async () => (await history.list('gone')).filter((r) => r.result === 'error').length;
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'], shouldAdvanceTime: true });
    vi.setSystemTime(new Date('2026-12-02T21:50:30Z'));
    const a = await start(3_600_000);
    await waitFor('the catch-up run', async () => (await failures()) === 1);
    await waitFor('idle', () => !a.engine.isRunning('gone'));
    const startedAt = new Date((await history.list('gone'))[0]!.startedAt);
    // 24 hourly slots, 22:00 to 21:00 the next evening: all less than a day after the trouble was told.
    for (let i = 1; i <= 25; i++) {
      await vi.advanceTimersByTimeAsync(3_600_000 - (Date.now() % 3_600_000) + 100);
      await waitFor(`slot ${i}`, async () => (await failures()) === 1 + i);
      await waitFor('idle', () => !a.engine.isRunning('gone'));
      await new Promise((r) => setTimeout(r, 50));
      if (i === 24) expect(fake.notifications.map((n) => n.body)).toHaveLength(1);
    }
    await vi.advanceTimersByTimeAsync(1000);
    await new Promise((r) => setTimeout(r, 300));
    const bodies = fake.notifications.map((n) => n.body);
    expect(bodies).toHaveLength(2);
    // On the clock the menu uses: the OS's locale (the fake's app.getSystemLocale(), en-US: "9:50 PM").
    const hm = new Intl.DateTimeFormat(fakeApp.getSystemLocale(), { timeStyle: 'short' }).format(startedAt);
    expect(hm).toMatch(/ [AP]M$/);
    expect(bodies[1]).toMatch(
      new RegExp(`^Backups to \\S+nothing-here have been failing since yesterday at ${hm}\\. There is no backup repository`),
    );
  }, 240_000);
});

describe('one run, one notification', () => {
  it('tells each of three runs with warnings once, and a run of another process once', async () => {
    const repo = path.join(sb.dir, 'repo');
    await freshRepository(repo, 'none');
    await writeConfig(sb.configDir, {
      app: { openAtLogin: true },
      profiles: [
        { id: 'p', name: 'Disk', repository: repo, encryption: 'none', sources: [src, path.join(sb.dir, 'not-there')], prune: null },
      ],
    });
    const history = new History(path.join(sb.configDir, 'history'));
    const warned = async () => (await history.list('p')).filter((r) => r.result === 'warning').length;
    const a = await start();
    for (let i = 1; i <= 3; i++) {
      fake.click('Back Up Now');
      await waitFor(`run ${i}`, async () => (await warned()) === i);
      await waitFor('idle', () => !a.engine.isRunning('p'));
      await waitFor('the menu to offer Back Up Now again', () => fake.menuItem('Back Up Now').enabled !== false, 10_000);
      // Snapshots keep coming (the tray, the history watcher): none of them tells the run again.
      await new Promise((r) => setTimeout(r, 700));
      expect(fake.notifications, fake.notifications.map((n) => n.body).join('\n')).toHaveLength(i);
    }
    const cli = await dandelion(sb, ['run', 'p']);
    expect(cli.exitCode, cli.stderr).toBe(1);
    await waitFor('the CLI run told', () => fake.notifications.length > 3);
    await new Promise((r) => setTimeout(r, 1000));
    expect(fake.notifications).toHaveLength(4);
    for (const n of fake.notifications) expect(n.body).toMatch(/^Backed up, with warnings: 1 source path does not exist/);
  }, 120_000);
});

describe('after the daemon is killed mid-backup', () => {
  it('the app takes over and backs up, records the run as interrupted, and never says "back up now" while it runs', async () => {
    const repo = path.join(sb.dir, 'repo');
    await freshRepository(repo, 'none');
    const big = path.join(sb.dir, 'big');
    await fs.mkdir(big);
    // Incompressible data with slow compression: the daemon's catch-up is still in borg create when it is killed.
    for (let i = 0; i < 25; i++) await fs.writeFile(path.join(big, `blob-${i}.bin`), crypto.randomBytes(2 * 1024 * 1024));
    await writeConfig(sb.configDir, {
      app: { openAtLogin: true },
      profiles: [
        {
          id: 'p',
          name: 'Disk',
          repository: repo,
          encryption: 'none',
          sources: [big],
          compression: 'zlib,6',
          prune: null,
          schedule: '0 3 * * *',
        },
      ],
    });
    const lockFile = configPaths(sb.configDir).repoLock(repo);
    const daemon = new DaemonProcess(sb);
    try {
      await waitFor('the daemon in borg create', async () => {
        const text = await fs.readFile(lockFile, 'utf8').catch(() => '');
        return Boolean(text && (JSON.parse(text) as { borg?: unknown }).borg);
      });
      const a = await start();
      expect(a.supervisor.role).toBe('follower');
      daemon.child.kill('SIGKILL');
      await daemon.child;
      const history = new History(path.join(sb.configDir, 'history'));
      await waitFor('the interrupted record', async () => (await history.list('p')).some((r) => r.result === 'interrupted'));
      await waitFor('the app backing up', () => a.engine.isRunning('p'));
      await waitFor('the backup to succeed', async () => (await history.list('p')).some((r) => r.result === 'success'), 180_000);
      await waitFor('idle', () => !a.engine.isRunning('p'));
      await new Promise((r) => setTimeout(r, 1000));
      const records = await history.list('p');
      expect(records.map((r) => [r.trigger, r.result])).toEqual([
        ['catch-up', 'interrupted'],
        ['catch-up', 'success'],
      ]);
      expect(records[0]!.message).not.toMatch(/\d{4}-\d\d-\d\dT/);
      // The interrupted run was found while the app's own catch-up was under way: nothing to tell, nothing to ask.
      const bodies = fake.notifications.map((n) => n.body);
      expect(bodies.filter((b) => /back up now/i.test(b))).toEqual([]);
      expect(bodies).toEqual([]);
    } finally {
      daemon.child.kill('SIGKILL');
      await daemon.child;
    }
  }, 240_000);

  it('tells an interrupted run found with nothing running, once, in local time, naming the menu item', async () => {
    const repo = path.join(sb.dir, 'repo');
    await freshRepository(repo, 'none');
    await writeConfig(sb.configDir, {
      app: { openAtLogin: true },
      profiles: [{ id: 'p', name: 'Disk', repository: repo, encryption: 'none', sources: [src], prune: null }],
    });
    // A lock left by a process that is gone (its pid now another process's), from a run started just now.
    const lockFile = configPaths(sb.configDir).repoLock(repo);
    await fs.mkdir(path.dirname(lockFile), { recursive: true });
    const since = new Date(Date.now() - 60_000);
    await fs.writeFile(
      lockFile,
      JSON.stringify({
        pid: process.ppid,
        start: 'another-boot:1',
        what: 'backup of "p"',
        since: since.toISOString(),
        profile: 'p',
        trigger: 'manual',
        repository: repo,
      }),
    );
    const a = await start();
    await waitFor('a notification', () => fake.notifications.length > 0);
    await new Promise((r) => setTimeout(r, 1000));
    expect(a.engine.isRunning('p')).toBe(false);
    expect(fake.notifications).toHaveLength(1);
    const body = fake.notifications[0]!.body;
    const hhmm = new Intl.DateTimeFormat(fakeApp.getSystemLocale(), { timeStyle: 'short' }).format(since);
    expect(body).toContain(`started ${since.getDate() === new Date().getDate() ? 'today' : 'yesterday'} at ${hhmm} did not finish`);
    expect(body).toContain('choose Back Up Now');
    expect(body).not.toMatch(/\d{4}-\d\d-\d\dT|`/);
    // A relaunch does not tell it again.
    await a.dispose();
    running = null;
    fake.reset();
    await start();
    await new Promise((r) => setTimeout(r, 1500));
    expect(fake.notifications).toEqual([]);
  }, 60_000);
});
