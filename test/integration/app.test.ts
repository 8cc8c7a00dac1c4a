/**
 * The real main process (electron/main.ts) against a recording fake of `electron`, the real engine
 * and real borg: what the menu bar shows, what a click does, notifications, power, quitting during
 * a backup, and the IPC gate.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MemorySecretStore } from '../../src/secrets/keyring.js';
import { History } from '../../src/jobs/history.js';
import { CALL_PREFIX } from '../../src/ipc/names.js';
import { borg, dandelion, listArchives, makeTree, sandbox, writeConfig, type Sandbox } from '../helpers/env.js';
import { freshRepository } from '../helpers/repo-template.js';
import { SharedBlobs } from '../helpers/blobs.js';

vi.mock('electron', () => import('../fakes/electron/index.js'));
const { fake, app, powerMonitor, powerSaveBlocker, dialog, shell } = await import('../fakes/electron/index.js');
const { startApp, APP_ROOT } = await import('../../electron/main.js');
type App = Awaited<ReturnType<typeof startApp>>;

const PASS = 'correct horse battery staple';
let sb: Sandbox;
let src: string;
let repo: string;
let secrets: MemorySecretStore;
let running: App | null = null;

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

const icon = () => path.basename(fake.tray.image);
const menuText = () => fake.menuLabels().join('\n');
/** The first line of a profile backed up today, as the menu says it: "Latest backup to <destination>: Today, 21:54". */
const LATEST_TODAY = /^Latest backup to [^:]+: Today, \d/m;

async function start(
  config: unknown | null,
  opts: { platform?: NodeJS.Platform; fda?: 'granted' | 'missing' | 'unknown' } = {},
): Promise<App> {
  if (config !== null) await writeConfig(sb.configDir, config);
  running = await startApp({
    configDir: sb.configDir,
    log: process.env.APP_TEST_LOG ? (l) => console.log('[app]', l) : () => {},
    platform: opts.platform ?? 'darwin',
    appRoot: APP_ROOT,
    fdaProbe: async () => opts.fda ?? 'granted',
    secrets,
    takeoverPollMs: 200,
  });
  if (process.env.APP_TEST_LOG) {
    running.engine.on('run-started', (e) => console.log('[app] started', e.profile, e.trigger));
    running.engine.on('run-finished', (r) => console.log('[app] finished', r.profile, r.trigger, r.result));
  }
  return running;
}

function profile(overrides: Record<string, unknown> = {}) {
  return { id: 'p', name: 'Backup disk', repository: repo, encryption: 'repokey-blake2', sources: [src], prune: null, ...overrides };
}

// Incompressible data (made once for the file, copied into each test's tree) and slow compression:
// the run lasts long enough to be seen and cancelled.
const blobs = new SharedBlobs(60);
afterAll(() => blobs.dispose());

async function bigTree(dir: string, count = 60): Promise<void> {
  await blobs.copyInto(dir, count);
}

beforeEach(async () => {
  fake.reset();
  sb = await sandbox('dandelion-app-');
  process.env.BORG_BASE_DIR = sb.env.BORG_BASE_DIR;
  src = path.join(sb.dir, 'src');
  repo = path.join(sb.dir, 'repo');
  await makeTree(src, 30);
  secrets = new MemorySecretStore();
});

afterEach(async () => {
  if (running) {
    await running.engine.cancelAll();
    await running.dispose();
  }
  running = null;
  await sb.cleanup();
});

describe('the menu bar', () => {
  it('first launch with no profile: says so, offers set-up, nags nobody, and asks for Open at Login once', async () => {
    await start(null);
    expect(fake.menuLabels()).toContain('No backup set up yet (disabled)');
    expect(icon()).toBe('trayAttentionTemplate.png');
    expect(fake.notifications).toEqual([]);
    // Asked (yes by default: a backup that does not start after a reboot does not run), and the answer remembered.
    await running!.firstLaunch;
    expect(dialog.calls.filter((c) => c.kind === 'message').map((c) => c.options.message)).toEqual(['Open Dandelion at login?']);
    expect(app.loginItemCalls).toEqual([{ openAtLogin: true }]);
    const saved = JSON.parse(await fs.readFile(path.join(sb.configDir, 'config.json'), 'utf8'));
    expect(saved.app.openAtLogin).toBe(true);
    await waitFor('Open at Login ticked', () => fake.menuItem('Open at Login').checked === true);

    fake.click('Set Up a Backup…');
    expect(fake.windows).toHaveLength(1);
    expect(fake.windows[0]!.file).toBe(path.join(APP_ROOT, 'dist-renderer', 'preferences.html'));
    // The new-profile section is queued for the window until it says it is ready.
    expect(running!.windows.outbox('preferences')!.isReady).toBe(false);

    // A second launch does not offer again; unticking is remembered.
    fake.click('Open at Login');
    await waitFor('Open at Login unticked', () => fake.menuItem('Open at Login').checked === false);
    await running!.dispose();
    running = null;
    fake.reset();
    await start(null);
    await running!.firstLaunch;
    expect(dialog.calls).toEqual([]);
    expect(app.loginItemCalls).toEqual([]);
    expect(JSON.parse(await fs.readFile(path.join(sb.configDir, 'config.json'), 'utf8')).app.openAtLogin).toBe(false);
  });

  it('Back Up Now: never backed up → running with progress in the title → ok, backed up just now', async () => {
    await bigTree(src, 25);
    await freshRepository(repo, 'repokey-blake2', PASS);
    const a = await start({ profiles: [profile({ compression: 'zlib,6' })] });
    expect((await a.engine.setPassphrase('p', PASS)).ok).toBe(true);
    await waitFor('the first line', () => menuText().includes('No backups yet on '));
    expect(icon()).toBe('trayAttentionTemplate.png');

    fake.click('Back Up Now');
    await waitFor('the running icon', () => icon() === 'trayRunningTemplate.png');
    await waitFor('a progress title', () => fake.tray.titles.some((t) => /^\d[\d,.k]*$|^\d+%$/.test(t)));
    expect(powerSaveBlocker.active.size).toBe(1);
    await waitFor('the ok icon', () => icon() === 'trayOkTemplate.png', 120_000);
    expect(menuText()).toMatch(LATEST_TODAY);
    expect(fake.tray.title).toBe('');
    expect(powerSaveBlocker.active.size).toBe(0);
    expect(powerSaveBlocker.log).toEqual(['start prevent-app-suspension', 'stop']);
    // What borg itself reports.
    expect(await listArchives(sb, repo, PASS)).toHaveLength(1);
    // Success does not notify by default.
    expect(fake.notifications).toEqual([]);
  });

  it('a wrong passphrase: error icon and exactly one notification naming the passphrase', async () => {
    await freshRepository(repo, 'repokey-blake2', PASS);
    const a = await start({ profiles: [profile()] });
    expect((await a.engine.setPassphrase('p', PASS)).ok).toBe(true);
    // The keyring now holds another passphrase (changed behind Dandelion's back).
    const [account] = [...(secrets as unknown as { map: Map<string, string> })['map'].keys()];
    await secrets.set(account!, 'not the passphrase');

    fake.click('Back Up Now');
    await waitFor('the error icon', () => icon() === 'trayErrorTemplate.png');
    await waitFor('a notification', () => fake.notifications.length > 0);
    await new Promise((r) => setTimeout(r, 700));
    expect(fake.notifications).toHaveLength(1);
    expect(fake.notifications[0]!.title).toBe('Backup disk');
    expect(fake.notifications[0]!.body).toMatch(/passphrase/i);
    expect(menuText()).toMatch(/^Backup failed: .*passphrase/im);
    expect(powerSaveBlocker.active.size).toBe(0);
    // Clicking it opens the status window.
    fake.notifications[0]!.click();
    expect(fake.windows.at(-1)!.file).toMatch(/status\.html$/);
  });

  it('follows when another process owns the schedules, and its Back Up Now still works', async () => {
    await freshRepository(repo, 'none');
    await writeConfig(sb.configDir, { app: { openAtLogin: true }, profiles: [profile({ encryption: 'none' })] });
    const { Supervisor } = await import('../../src/supervisor.js');
    const daemon = await Supervisor.open({ configDir: sb.configDir, what: 'dandelion daemon (test)', log: () => {}, secrets });
    await daemon.start();
    try {
      const a = await start(null);
      expect(a.supervisor.role).toBe('follower');
      fake.click('Back Up Now');
      await waitFor('the ok icon', () => icon() === 'trayOkTemplate.png', 60_000);
      expect(menuText()).toMatch(LATEST_TODAY);
      expect(await listArchives(sb, repo)).toHaveLength(1);
    } finally {
      await daemon.stop();
    }
  });

  it('tells a failure of a run another process made, once', async () => {
    await start({ app: { openAtLogin: true }, profiles: [profile({ encryption: 'none' })] });
    await waitFor('the first line', () => menuText().includes('No backups yet on '));
    const cli = await dandelion(sb, ['run', 'p']);
    expect(cli.exitCode).not.toBe(0);
    await waitFor('the error icon', () => icon() === 'trayErrorTemplate.png');
    await waitFor('a notification', () => fake.notifications.length > 0);
    await new Promise((r) => setTimeout(r, 1000));
    expect(fake.notifications).toHaveLength(1);
    expect(fake.notifications[0]!.title).toBe('Backup disk');
  });

  it('shows a run started by `dandelion run` in another process as running', async () => {
    await bigTree(src, 40);
    await freshRepository(repo, 'none');
    await start({ profiles: [profile({ encryption: 'none', compression: 'zlib,6' })] });
    const cli = dandelion(sb, ['run', 'p'], { timeout: 300_000 });
    try {
      await waitFor('the running icon', () => icon() === 'trayRunningTemplate.png', 60_000);
      expect(menuText()).toMatch(/^Backing up/m);
      // Back Up Now is not offered twice for a profile another process is backing up.
      expect(fake.menuItem('Back Up Now').enabled).toBe(false);
      // This process holds no power blocker for another process's run.
      expect(powerSaveBlocker.active.size).toBe(0);
    } catch (err) {
      // What the other process said tells a run that never started from one the menu missed.
      const r = await cli;
      throw new Error(`${(err as Error).message}\ndandelion run: exit ${r.exitCode}\n${r.stdout}\n${r.stderr}`);
    }
    const r = await cli;
    expect(r.exitCode, r.stderr).toBe(0);
    await waitFor('the ok icon', () => icon() === 'trayOkTemplate.png');
  });
});

describe('the menu tells when you were last safe', () => {
  const hoursAgo = (h: number) => new Date(Date.now() - h * 3600_000);
  async function oldSuccess(history: History, h: number): Promise<void> {
    await history.append({
      profile: 'p',
      trigger: 'schedule',
      startedAt: hoursAgo(h).toISOString(),
      finishedAt: hoursAgo(h - 0.01).toISOString(),
      result: 'success',
      archive: 'old',
      stats: null,
      message: null,
      diagnoses: [],
      log: null,
      repository: repo,
    });
  }

  it('after a cancelled attempt the first line is still the latest backup, at its local time; the attempt comes second', async () => {
    app.systemLocale = 'en-US';
    await freshRepository(repo, 'none');
    const a = await start({ profiles: [profile({ encryption: 'none', compression: 'zlib,6' })] });
    await waitFor('never backed up', () => menuText().includes('No backups yet on '));
    expect(menuText()).not.toMatch(/latest backup|last backup/i);

    fake.click('Back Up Now');
    await waitFor('the first backup', () => LATEST_TODAY.test(menuText()) && !a.engine.isRunning('p'), 120_000);
    const history = new History(path.join(sb.configDir, 'history'));
    const success = (await history.list('p')).find((r) => r.result === 'success')!;
    const time = new Intl.DateTimeFormat('en-US', { timeStyle: 'short' }).format(new Date(success.finishedAt));

    await bigTree(src, 40);
    // The menu may still be drawing the first run's end (the copy above is quick).
    await waitFor('Back Up Now offered again', () => fake.menuItem('Back Up Now').enabled !== false);
    fake.click('Back Up Now');
    await waitFor('Cancel Backup', () => fake.menuLabels().includes('Cancel Backup'));
    fake.click('Cancel Backup');
    await waitFor('the cancelled attempt', () => menuText().includes('The last attempt was cancelled'), 120_000);
    const lines = fake.menuLabels();
    expect(lines[0]).toMatch(new RegExp(`^Latest backup to [^:]+: Today, ${time.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
    expect(lines[1]).toBe('The last attempt was cancelled');
    expect(menuText()).not.toContain('Last backup was cancelled');
  });

  it('an overdue profile held back on battery says "waiting for power" in the menu and its notification, and backs up once plugged in', async () => {
    await freshRepository(repo, 'none');
    const history = new History(path.join(sb.configDir, 'history'));
    await oldSuccess(history, 3);
    powerMonitor.onBattery = true;
    await start({ profiles: [profile({ encryption: 'none', schedule: '0 * * * *', skipOnBattery: true })] });
    await waitFor('waiting for power', () => menuText().includes('Overdue, waiting for power'));
    expect(fake.menuLabels()[0]).toMatch(/^Latest backup to [^:]+: Today, |^Latest backup to [^:]+: Yesterday, /);
    expect(fake.tray.tooltip).toContain('Overdue, waiting for power.');
    await waitFor('the overdue notification', () => fake.notifications.some((n) => n.body.startsWith('Overdue, waiting for power')));
    expect((await history.list('p')).map((r) => r.trigger)).toEqual(['schedule']);

    powerMonitor.onBattery = false;
    powerMonitor.emit('on-ac');
    await waitFor(
      'the backup once plugged in',
      async () => (await history.list('p')).some((r) => r.result === 'success' && r.archive !== 'old'),
      120_000,
    );
    await waitFor('no more waiting', () => !menuText().includes('waiting for power') && LATEST_TODAY.test(menuText()));
  });

  it('an invalid config.json at launch offers Fix Settings…, which opens the settings at the errors, and no set-up', async () => {
    await fs.writeFile(
      path.join(sb.configDir, 'config.json'),
      JSON.stringify({ profiles: [{ id: 'Bad Id', repository: repo, sources: [src] }] }),
    );
    await start(null);
    expect(fake.menuLabels().slice(0, 2)).toEqual(['config.json has errors (disabled)', 'Fix Settings…']);
    expect(menuText()).not.toContain('No backup set up yet');
    expect(menuText()).not.toContain('Set Up a Backup…');
    fake.click('Fix Settings…');
    expect(fake.windows).toHaveLength(1);
    expect(fake.windows[0]!.file).toBe(path.join(APP_ROOT, 'dist-renderer', 'preferences.html'));
    running!.windows.outbox('preferences')!.markReady();
    await waitFor('the window asked to show the errors', () =>
      JSON.stringify(fake.windows[0]!.webContents.sent).includes('"section":"errors"'),
    );
  });
});

describe('Full Disk Access', () => {
  it('missing on macOS: attention icon and a menu item that opens the Privacy settings; off macOS nothing nags', async () => {
    await freshRepository(repo, 'none');
    await writeConfig(sb.configDir, { app: { openAtLogin: true }, profiles: [profile({ encryption: 'none' })] });
    const a = await start(null, { fda: 'missing' });
    fake.click('Back Up Now');
    await waitFor('a finished run', async () => {
      const r = await a.engine.runs('p', 1);
      return r.ok && r.value.length === 1;
    });
    await waitFor('the attention icon after the run', () => icon() === 'trayAttentionTemplate.png' && LATEST_TODAY.test(menuText()));
    fake.click('Grant Full Disk Access…');
    expect(shell.opened).toEqual(['x-apple.systempreferences:com.apple.preference.security?Privacy_AllFiles']);
    await a.dispose();
    running = null;
    fake.reset();
    await start(null, { fda: 'unknown', platform: 'linux' });
    await waitFor('the tray', () => LATEST_TODAY.test(menuText()));
    expect(menuText()).not.toContain('Full Disk Access');
    expect(icon()).toBe('trayOk.png');
  });
});

describe('power', () => {
  it('catches up on resume a slot that passed while asleep, and runs nothing while asleep', async () => {
    await freshRepository(repo, 'none');
    const history = new History(path.join(sb.configDir, 'history'));
    const a = await start({ profiles: [profile({ encryption: 'none', schedule: '0 * * * *' })] });
    // Never backed up: the catch-up at start runs at once.
    await waitFor('the catch-up run', async () =>
      (await history.list('p')).some((r) => r.trigger === 'catch-up' && r.result === 'success'),
    );
    await waitFor('idle', () => !a.engine.isRunning('p'));
    powerMonitor.emit('suspend');
    // Asleep for hours: the last backup is now from before the last hourly slot.
    const hoursAgo = new Date(Date.now() - 3 * 3600_000);
    await fs.rm(path.join(sb.configDir, 'history'), { recursive: true, force: true });
    await history.append({
      profile: 'p',
      trigger: 'schedule',
      startedAt: hoursAgo.toISOString(),
      finishedAt: new Date(hoursAgo.getTime() + 60_000).toISOString(),
      result: 'success',
      archive: 'old',
      stats: null,
      message: null,
      diagnoses: [],
      log: null,
      repository: repo,
    });
    await new Promise((r) => setTimeout(r, 2500));
    expect((await history.list('p')).map((r) => r.trigger)).toEqual(['schedule']);
    powerMonitor.emit('resume');
    await waitFor('a resume run', async () => (await history.list('p')).some((r) => r.trigger === 'resume' && r.result === 'success'));
  });

  it('releases the power save blocker after every kind of ending: error, cancel, borg killed', async () => {
    await bigTree(src, 40);
    await freshRepository(repo, 'none');
    const a = await start({
      profiles: [
        profile({ encryption: 'none', compression: 'zlib,6' }),
        profile({ id: 'gone', name: 'Gone', repository: path.join(sb.dir, 'nothing-here') }),
      ],
    });

    // error: the repository does not exist
    fake.click(['Back Up Now', 'Gone']);
    await waitFor('the error icon', () => icon() === 'trayErrorTemplate.png');
    expect(powerSaveBlocker.active.size).toBe(0);

    // cancel from the menu
    fake.click(['Back Up Now', 'Backup disk']);
    await waitFor('the blocker', () => powerSaveBlocker.active.size === 1);
    await waitFor('Cancel Backup', () => safeMenu().includes('Cancel Backup'));
    fake.click('Cancel Backup');
    await waitFor('idle', () => !a.engine.isRunning('p'), 120_000);
    expect(powerSaveBlocker.active.size).toBe(0);
    expect((await a.engine.runs('p', 1)).ok && (await a.engine.runs('p', 1))).toMatchObject({ value: [{ result: 'cancelled' }] });

    // borg killed from outside
    await waitFor('Back Up Now offered again', () => fake.menuItem(['Back Up Now', 'Backup disk']).enabled !== false);
    fake.click(['Back Up Now', 'Backup disk']);
    await waitFor('the blocker', () => powerSaveBlocker.active.size === 1);
    const pid = await waitForBorgPid();
    process.kill(pid, 'SIGKILL');
    await waitFor('idle', () => !a.engine.isRunning('p'), 60_000);
    expect(powerSaveBlocker.active.size).toBe(0);
    const last = await a.engine.runs('p', 1);
    expect(last.ok && last.value[0]!.diagnoses[0]?.kind).toBe('killed');
    expect(powerSaveBlocker.log.filter((l) => l.startsWith('start')).length).toBe(powerSaveBlocker.log.filter((l) => l === 'stop').length);
  });
});

async function waitForBorgPid(): Promise<number> {
  let pid = 0;
  await waitFor('borg create', async () => {
    const locks = await fs.readdir(path.join(sb.configDir, 'locks')).catch(() => [] as string[]);
    for (const l of locks.filter((n) => n.startsWith('repo-'))) {
      const text = await fs.readFile(path.join(sb.configDir, 'locks', l), 'utf8').catch(() => '');
      const borgPid = (JSON.parse(text || '{}') as { borg?: { pid?: number } }).borg?.pid;
      if (borgPid) pid = borgPid;
    }
    return pid > 0;
  });
  return pid;
}

describe('quitting', () => {
  it('asks during a run; confirming checkpoints borg, releases the locks and quits with the repository consistent', async () => {
    await bigTree(src, 60);
    await freshRepository(repo, 'none');
    const a = await start({ app: { openAtLogin: true }, profiles: [profile({ encryption: 'none', compression: 'zlib,6' })] });
    fake.click('Back Up Now');
    await waitForBorgPid();
    // borg is at work on the files: its first figures are in the title.
    await waitFor('the first figures', () => fake.tray.titles.some((t) => /^\d[\d,.k]*$|^\d+%$/.test(t)));

    // "Keep Backing Up": nothing stops.
    dialog.answers.push(1);
    fake.click('Quit Dandelion');
    await waitFor('the question', () => dialog.calls.some((c) => c.kind === 'message'));
    await new Promise((r) => setTimeout(r, 300));
    expect(fake.quit).toBe(false);
    expect(a.engine.isRunning('p')).toBe(true);

    // "Stop Backup and Quit".
    dialog.answers.push(0);
    fake.click('Quit Dandelion');
    await waitFor('the app to quit', () => fake.quit, 120_000);
    running = null;
    const history = new History(path.join(sb.configDir, 'history'));
    const [last] = (await history.list('p')).slice(-1);
    expect(last!.result).toBe('cancelled');
    expect((await fs.readdir(path.join(sb.configDir, 'locks'))).filter((n) => n.endsWith('.lock'))).toEqual([]);
    expect(powerSaveBlocker.active.size).toBe(0);
    const check = await borg(sb, ['check', repo]);
    expect(check.exitCode, check.stderr).toBe(0);
    // borg stopped on SIGINT (cancelled, not killed): whatever it kept is a checkpoint, never a finished archive.
    expect(last!.diagnoses.map((d) => d.kind)).not.toContain('killed');
    expect((await listArchives(sb, repo)).filter((n) => !n.endsWith('.checkpoint'))).toEqual([]);
  });
});

describe('the app itself', () => {
  it('a second launch opens the status window, and closing every window does not quit', async () => {
    await start({ app: { openAtLogin: true }, profiles: [] });
    expect(app.dockHidden).toBe(true);
    app.emit('second-instance');
    const win = fake.windows.at(-1)!;
    expect(win.file).toMatch(/status\.html$/);
    win.close();
    app.emit('window-all-closed');
    expect(fake.quit).toBe(false);
    // Reopened after closing: a new window, the old one gone.
    app.emit('second-instance');
    expect(fake.windows.filter((w) => !w.destroyed)).toHaveLength(1);
  });

  it('a shutdown stops a running backup with a checkpoint', async () => {
    await bigTree(src, 60);
    await freshRepository(repo, 'none');
    const a = await start({ app: { openAtLogin: true }, profiles: [profile({ encryption: 'none', compression: 'zlib,6' })] });
    fake.click('Back Up Now');
    await waitForBorgPid();
    powerMonitor.emit('shutdown');
    await waitFor('the run to end', () => !a.engine.isRunning('p'), 60_000);
    const last = await a.engine.runs('p', 1);
    expect(last.ok && last.value[0]!.result).toBe('cancelled');
    expect(powerSaveBlocker.active.size).toBe(0);
    expect((await borg(sb, ['check', repo])).exitCode).toBe(0);
  });
});

describe('Browse Backups', () => {
  it('the menu’s Browse Backups… and a card’s Browse… open the browse window on that profile; a restore there ends in Show in Finder', async () => {
    await freshRepository(repo, 'none');
    const a = await start({ app: { openAtLogin: true }, profiles: [profile({ encryption: 'none' })] });
    expect((await a.engine.run('p', { trigger: 'manual' })).result).toBe('success');

    fake.click('Browse Backups…');
    const browse = fake.windows.at(-1)!;
    expect(browse.file).toBe(path.join(APP_ROOT, 'dist-renderer', 'browse.html'));
    expect(browse.options).toMatchObject({ title: 'Browse Backups', webPreferences: { contextIsolation: true, sandbox: true } });

    // The status card's Browse… asks main (openWindow from the status window): the open browse window comes forward on that profile.
    fake.click('Open Dandelion');
    const status = fake.windows.at(-1)!;
    expect(status.file).toMatch(/status\.html$/);
    expect(await fake.invoke(`${CALL_PREFIX}openWindow`, { window: 'browse', profile: 'p' }, status)).toEqual({ ok: true, value: {} });
    expect(fake.windows.filter((w) => !w.destroyed && w.file?.endsWith('browse.html'))).toHaveLength(1);
    expect(await fake.invoke(`${CALL_PREFIX}ready`, {}, browse)).toEqual({ ok: true, value: {} });
    await waitFor('the navigation', () => browse.webContents.sent.length > 0);
    const batches = browse.webContents.sent.map((m) => m.args[0] as { event: string; payload: unknown }[]);
    expect(batches.flat()).toContainEqual({ event: 'navigate', payload: { profile: 'p' } });

    // The browse window's calls are answered: its backups, a folder, a restore into the folder chosen.
    const archives = (await fake.invoke(`${CALL_PREFIX}archives`, { profile: 'p' }, browse)) as { ok: true; value: { name: string }[] };
    expect(archives.ok).toBe(true);
    const name = archives.value[0]!.name;
    const top = (await fake.invoke(`${CALL_PREFIX}listFolder`, { profile: 'p', archive: name, folder: '' }, browse)) as {
      ok: true;
      value: { name: string }[];
    };
    expect(top.value.map((e) => e.name)).toEqual([src.split('/')[1]]);
    const into = path.join(sb.dir, 'restores');
    await fs.mkdir(into);
    dialog.answers.push(into);
    expect(await fake.invoke(`${CALL_PREFIX}pickFolder`, { title: 'Choose where to restore' }, browse)).toEqual({
      ok: true,
      value: { path: into },
    });
    const file = path.join(src, 'file-0.txt').slice(1);
    const restored = (await fake.invoke(
      `${CALL_PREFIX}restore`,
      { profile: 'p', archive: name, paths: [file], mode: 'new-folder', target: into },
      browse,
    )) as { ok: true; value: { folder: string; files: number } };
    expect(restored).toMatchObject({ ok: true, value: { files: 1 } });
    expect(await fs.readFile(path.join(restored.value.folder, file), 'utf8')).toBe(await fs.readFile(path.join(src, 'file-0.txt'), 'utf8'));
    expect(await fake.invoke(`${CALL_PREFIX}showInFinder`, { path: restored.value.folder }, browse)).toEqual({
      ok: true,
      value: { shown: true },
    });
    expect(shell.shown).toEqual([restored.value.folder]);
  });
});

describe('IPC', () => {
  it('answers our own window, and refuses a foreign sender and bad arguments as data', async () => {
    await start({ profiles: [profile()] });
    fake.click('Open Dandelion');
    const win = fake.windows.at(-1)!;
    const ok = (await fake.invoke(`${CALL_PREFIX}status`, {}, win)) as { ok: boolean; value: { profiles: { id: string }[] } };
    expect(ok.ok).toBe(true);
    expect(ok.value.profiles.map((p) => p.id)).toEqual(['p']);

    const foreign = (await fake.invoke(`${CALL_PREFIX}status`, {}, { url: 'https://example.com/' })) as {
      ok: boolean;
      diagnosis: { kind: string };
    };
    expect(foreign).toMatchObject({ ok: false, diagnosis: { kind: 'invalid-request' } });
    // Our page's URL from a webContents that is not our window is refused too.
    const spoofed = (await fake.invoke(`${CALL_PREFIX}status`, {}, { url: win.webContents.url })) as { ok: boolean };
    expect(spoofed.ok).toBe(false);

    for (const bad of [{ profile: 42 }, { profile: 'nope' }, { profile: 'p', extra: 1 }, { profile: 'x'.repeat(5000) }]) {
      const r = (await fake.invoke(`${CALL_PREFIX}runNow`, bad, win)) as { ok: boolean; diagnosis: { kind: string } };
      expect(r, JSON.stringify(bad).slice(0, 60)).toMatchObject({ ok: false, diagnosis: { kind: 'invalid-request' } });
    }
    expect(running!.engine.isRunning('p')).toBe(false);
    // A folder picked in the open panel comes back; a cancelled panel answers null.
    dialog.answers.push('/Users/me/Documents', null);
    expect(await fake.invoke(`${CALL_PREFIX}pickFolder`, { title: 'Choose' }, win)).toEqual({
      ok: true,
      value: { path: '/Users/me/Documents' },
    });
    expect(dialog.calls.at(-1)!.options).toMatchObject({ title: 'Choose', properties: ['openDirectory', 'createDirectory'] });
    expect(await fake.invoke(`${CALL_PREFIX}pickFile`, { hidden: true }, win)).toEqual({ ok: true, value: { path: null } });
    expect(dialog.calls.at(-1)!.options).toMatchObject({ properties: ['openFile', 'showHiddenFiles'] });
    // Events wait until the window says it is ready, then arrive batched on one channel.
    expect(win.webContents.sent).toEqual([]);
    expect(await fake.invoke(`${CALL_PREFIX}ready`, {}, win)).toEqual({ ok: true, value: {} });
    running!.engine.changed();
    await waitFor('a batch', () => win.webContents.sent.length > 0);
    expect(win.webContents.sent[0]!.channel).toBe('dandelion:events');
  });

  it('makes every window isolated, sandboxed, without Node, navigation, new windows or permissions', async () => {
    await start({ app: { openAtLogin: true }, profiles: [] });
    fake.click('Open Dandelion');
    const win = fake.windows.at(-1)!;
    expect(win.options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false });
    expect(win.webContents.windowOpenHandler!({ url: 'https://example.com' })).toEqual({ action: 'deny' });
    let prevented = false;
    win.webContents.emit('will-navigate', { preventDefault: () => (prevented = true) }, 'https://example.com');
    expect(prevented).toBe(true);
    let granted: boolean | null = null;
    (win.webContents.session.permissionRequestHandler as (wc: unknown, p: string, cb: (g: boolean) => void) => void)(
      null,
      'media',
      (g) => (granted = g),
    );
    expect(granted).toBe(false);
    // A second "Open Dandelion" focuses the same window.
    fake.click('Open Dandelion');
    expect(fake.windows.filter((w) => !w.destroyed)).toHaveLength(1);
  });
});
