/**
 * The status window, built and driven in Chromium against a real Engine with real borg: a first
 * backup watched from start to finish, a wrong passphrase and its fix, a log flood, and every state
 * the window can be in (with SCREENSHOTS=1 each is written light and dark to artifacts/screenshots/).
 */
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine.js';
import { History } from '../../src/jobs/history.js';
import { MemorySecretStore, keyringAccount } from '../../src/secrets/keyring.js';
import type { RunRecord } from '../../src/records.js';
import { makeTree, sandbox, writeConfig, type Sandbox } from '../helpers/env.js';
import { freshRepository } from '../helpers/repo-template.js';
import { axeCheck, openWindow, screenshot, type OpenedWindow } from './harness.js';

const PASS = 'correct horse battery staple';
const HOUR = 3_600_000;

let sb: Sandbox;
let src: string;
let repo: string;
const windows: OpenedWindow[] = [];
const engines: Engine[] = [];

beforeEach(async () => {
  sb = await sandbox('dandelion-status-');
  // borg's cache and security dirs stay in the sandbox for the borg children of this process.
  process.env.BORG_BASE_DIR = sb.env.BORG_BASE_DIR;
  src = path.join(sb.dir, 'src');
  repo = path.join(sb.dir, 'repo');
  await makeTree(src, 30);
});

afterEach(async () => {
  for (const w of windows.splice(0)) await w.close();
  for (const e of engines.splice(0)) await e.cancelAll();
  await sb.cleanup();
});

function profile(overrides: Record<string, unknown> = {}) {
  return {
    id: 'p',
    name: 'Backup disk',
    repository: repo,
    encryption: 'repokey-blake2',
    sources: [src],
    prune: { keepDaily: 7 },
    ...overrides,
  };
}

async function open(opts: Omit<Parameters<typeof openWindow>[1], 'configDir'> = {}): Promise<OpenedWindow> {
  const w = await openWindow('status', { configDir: sb.configDir, ...opts });
  windows.push(w);
  return w;
}

async function openEngine(secrets = new MemorySecretStore()): Promise<Engine> {
  const { engine } = await Engine.open({ configDir: sb.configDir, busy: 'wait', secrets });
  engines.push(engine);
  return engine;
}

/** A finished run as the engine records it, `hoursAgo` hours ago. */
function record(id: string, repository: string, hoursAgo: number, over: Partial<RunRecord> = {}): RunRecord {
  const start = Date.now() - hoursAgo * HOUR;
  return {
    profile: id,
    trigger: 'schedule',
    startedAt: new Date(start).toISOString(),
    finishedAt: new Date(start + 95_000).toISOString(),
    result: 'success',
    archive: `mbp2015-daily-${new Date(start).toISOString().slice(0, 19)}`,
    stats: {
      originalSize: 52_300_000_000,
      compressedSize: 31_000_000_000,
      deduplicatedSize: 42_100_000,
      nfiles: 412_345,
      durationSeconds: 95,
    },
    message: null,
    diagnoses: [],
    log: null,
    repository,
    ...over,
  };
}

async function writeHistory(...records: RunRecord[]): Promise<void> {
  const h = new History(path.join(sb.configDir, 'history'));
  for (const r of records) await h.append(r);
}

/** Polls until `fn` matches; the window answers within moments, but a loaded 2-core machine gets time. */
const poll = <T>(fn: () => T | Promise<T>, timeout = 10_000) => expect.poll(fn, { timeout });

const card = (w: OpenedWindow, id = 'p') => w.page.locator(`section.card[data-profile="${id}"]`);
const logPane = (w: OpenedWindow) => w.page.locator('.log-lines');

describe('first launch', () => {
  it('greets a new user with one step forward, which opens Preferences on a new profile', async () => {
    const w = await open();
    const setUp = w.page.getByRole('button', { name: 'Set Up a Backup…' });
    await poll(() => setUp.isVisible()).toBe(true);
    await poll(() => w.page.getByRole('heading', { level: 1 }).textContent()).toBe('Back up this Mac with Dandelion');
    await axeCheck(w.page, { schemes: ['light', 'dark'] });
    await screenshot(w.page, 'status-first-launch');
    // Keyboard only: the button is the first thing Tab reaches, and Return presses it.
    await w.page.keyboard.press('Tab');
    await w.page.keyboard.press('Enter');
    await poll(() => w.host.calls).toContainEqual({ method: 'openWindow', args: ['preferences', { section: 'new-profile' }] });
    expect(w.pageErrors).toEqual([]);
  });
});

describe('a first backup, watched from start to finish', () => {
  it('shows never backed up, then live progress, then success with the archive borg made, its stats and the log', async () => {
    // Incompressible blobs and lzma, so borg is still inside create long enough to be seen there.
    for (let i = 0; i < 12; i++) await fs.writeFile(path.join(src, `blob-${i}.bin`), crypto.randomBytes(1024 * 1024));
    await writeConfig(sb.configDir, { profiles: [profile({ compression: 'lzma,6', schedule: '0 12 * * *' })] });
    const w = await open();
    expect((await w.dispatch('setPassphrase', { profile: 'p', passphrase: PASS })).ok).toBe(true);
    expect((await w.dispatch('initRepository', { profile: 'p' })).ok).toBe(true);

    const c = card(w);
    await poll(() => c.locator('.headline').textContent()).toBe('Never backed up');
    // Nothing to browse yet.
    expect(await c.getByRole('button', { name: 'Browse…' }).count()).toBe(0);
    await poll(() => c.textContent()).toMatch(/Next backup: (Today|Tomorrow), 12:00/);
    await axeCheck(w.page, { schemes: ['light', 'dark'] });
    await screenshot(w.page, 'status-never-backed-up');

    await c.getByRole('button', { name: 'Back Up Now' }).click();
    // Live progress: the step, a file count, the elapsed clock, and Cancel instead of Back Up Now.
    await poll(() => c.locator('.run-step').textContent(), 15_000).toBe('Backing up files…');
    await poll(() => c.locator('.run-numbers').textContent(), 15_000).toMatch(/[1-9][\d,]* files? · /);
    expect(await c.getByRole('button', { name: 'Cancel' }).isVisible()).toBe(true);
    expect(await c.getByRole('button', { name: 'Back Up Now' }).count()).toBe(0);
    expect(await c.locator('.run-elapsed [aria-hidden]').textContent()).toMatch(/^\d+:\d\d$/);
    expect(await c.locator('.badge').textContent()).toBe('Backing up');
    expect(await w.page.locator('.glance').textContent()).toBe('Backing up Backup disk…');
    await axeCheck(w.page);
    await screenshot(w.page, 'status-running');

    await poll(() => c.locator('.badge').textContent(), 60_000).toBe('Up to date');
    // What borg reported: the archive the card names is in the repository, with the stats of our record.
    const archives = await w.engine.archives('p');
    expect(archives.ok).toBe(true);
    const made = archives.ok ? archives.value : [];
    expect(made).toHaveLength(1);
    const name = made[0]!.name;
    await poll(() => c.locator('.stat.wide dd').textContent()).toBe(name);
    const [last] = (await w.engine.history.list('p')).slice(-1);
    expect(last).toMatchObject({ result: 'success', archive: name });
    await poll(() => c.locator('.stat').nth(1).locator('dd').textContent()).toBe(last!.stats!.nfiles.toLocaleString('en-US'));
    expect(last!.stats!.nfiles).toBe(42);
    await poll(() => c.locator('.headline').textContent()).toBe('Last backup just now');
    expect(await w.page.locator('.glance').textContent()).toBe('Your backup is up to date');
    expect(await c.locator('.headline time').getAttribute('title')).toMatch(/\d:\d\d:\d\d/);
    // The log tail of that run: borg's own lines, as the run log has them.
    const logText = await logPane(w).textContent();
    expect(logText).toContain(name);
    const tail = await w.engine.logTail('p', 200);
    expect(tail.ok && tail.value.lines.length).toBeGreaterThan(0);
    expect(await logPane(w).locator('div').count()).toBe(tail.ok ? Math.min(200, tail.value.lines.length) : -1);
    // The live region said it, for a screen reader.
    expect(await w.page.getByRole('status').textContent()).toBe('Backup disk: backed up.');
    await axeCheck(w.page, { schemes: ['light', 'dark'] });
    await screenshot(w.page, 'status-success');
    // Open Full Log hands the run's file to the host.
    await w.page.getByRole('button', { name: 'Open Full Log' }).click();
    await poll(() => w.host.calls.filter((c) => c.method === 'openPath')).toEqual([{ method: 'openPath', args: [last!.log] }]);
    // A profile with a backup offers to browse it: the Browse Backups window, on this profile.
    await c.getByRole('button', { name: 'Browse…' }).click();
    await poll(() => w.host.calls.filter((c) => c.method === 'openWindow')).toEqual([
      { method: 'openWindow', args: ['browse', { profile: 'p' }] },
    ]);
    expect(w.pageErrors).toEqual([]);
  });
});

describe('a failure and its fix', () => {
  it('shows a wrong passphrase as the diagnosis with "Set Passphrase…", which opens Preferences on the passphrase', async () => {
    await freshRepository(repo, 'repokey-blake2', PASS);
    await writeConfig(sb.configDir, { profiles: [profile()] });
    const secrets = new MemorySecretStore();
    await secrets.set(keyringAccount(repo), 'not the passphrase');
    const w = await open({ secrets });

    const c = card(w);
    await c.getByRole('button', { name: 'Back Up Now' }).click();
    await poll(() => c.locator('.badge').textContent(), 30_000).toBe('Failed');
    const [last] = (await w.engine.history.list('p')).slice(-1);
    expect(last?.diagnoses[0]?.kind).toBe('passphrase-wrong');
    const problem = c.getByRole('region', { name: /^Backup failed (just now|\d+ seconds? ago)$/ });
    await poll(() => problem.textContent()).toContain(last!.diagnoses[0]!.message);
    expect(await problem.textContent()).toContain('dandelion passphrase set p');
    expect(await c.locator('.headline').textContent()).toBe('No backup yet');
    await poll(() => w.page.getByRole('status').textContent()).toMatch(
      /^Backup disk: the backup failed\. The passphrase for .* is wrong\.$/,
    );
    await axeCheck(w.page, { schemes: ['light', 'dark'] });
    await screenshot(w.page, 'status-error-with-fix');

    await problem.getByRole('button', { name: 'Set Passphrase…' }).click();
    await poll(() => w.host.calls).toContainEqual({ method: 'openWindow', args: ['preferences', { profile: 'p', section: 'passphrase' }] });
    expect(w.pageErrors).toEqual([]);
  });
});

describe('a flood of log lines', () => {
  it('keeps the log pane under 500 nodes at 5,000 lines a second, stays responsive, and holds still while scrolled up', async () => {
    await writeConfig(sb.configDir, { profiles: [profile()] });
    const w = await open();
    await poll(() => card(w).isVisible()).toBe(true);
    await w.page.evaluate(() => {
      const gaps: number[] = [];
      let last = performance.now();
      const loop = (t: number) => {
        gaps.push(t - last);
        last = t;
        if (gaps.length < 100_000) requestAnimationFrame(loop);
      };
      requestAnimationFrame(loop);
      (window as unknown as { __gaps: number[] }).__gaps = gaps;
    });

    // 5,000 lines a second from the engine, as run-log batches them (one event per 20 ms here).
    let n = 0;
    const flood = setInterval(() => {
      const stamp = new Date().toISOString();
      const lines = Array.from({ length: 100 }, () => `${stamp} A /Users/someone/Documents/project/file-${n++}.txt`);
      w.engine.emit('log', { profile: 'p', lines });
    }, 20);
    try {
      const counts: number[] = [];
      const clickLatency: number[] = [];
      for (let i = 0; i < 8; i++) {
        await new Promise((r) => setTimeout(r, 250));
        counts.push(await logPane(w).evaluate((el) => el.querySelectorAll('*').length));
      }
      // Responsive: a click during the flood reaches the host at once.
      const before = w.host.calls.length;
      const t0 = Date.now();
      await w.page.getByRole('button', { name: 'Preferences…' }).click();
      await poll(() => w.host.calls.length).toBe(before + 1);
      clickLatency.push(Date.now() - t0);
      expect(Math.max(...counts)).toBeLessThan(500);
      expect(Math.max(...counts)).toBeGreaterThanOrEqual(190);
      expect(clickLatency[0]).toBeLessThan(1000);
      // The pane follows the end while at the bottom.
      const last = await logPane(w).evaluate((el) => el.lastElementChild?.textContent ?? '');
      expect(last).toMatch(/file-\d+\.txt$/);

      // Scrolled up, it holds still and counts what came; "Show Latest" brings it back. Lines that arrive
      // before the scroll's own event (same task here) must not pin it back to the end.
      await w.page.evaluate(() => {
        const el = document.querySelector('.log-lines') as HTMLElement;
        el.scrollTo(0, 0);
        window.__dandelionEvents?.([
          { event: 'log', payload: { profile: 'p', lines: [`${new Date().toISOString()} early line`], dropped: 0 } },
        ]);
      });
      await poll(() => w.page.getByRole('button', { name: /new lines — Show Latest/ }).isVisible()).toBe(true);
      const first = await logPane(w).evaluate((el) => el.firstElementChild?.textContent);
      await new Promise((r) => setTimeout(r, 400));
      expect(await logPane(w).evaluate((el) => el.firstElementChild?.textContent)).toBe(first);
      expect(await logPane(w).evaluate((el) => el.scrollTop)).toBe(0);
      await w.page.getByRole('button', { name: /Show Latest/ }).click();
      await poll(() => logPane(w).evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight)).toBeLessThan(4);
      expect(await logPane(w).evaluate((el) => el.firstElementChild?.textContent)).not.toBe(first);
    } finally {
      clearInterval(flood);
    }
    const gaps = await w.page.evaluate(() => (window as unknown as { __gaps: number[] }).__gaps.slice(2));
    gaps.sort((a, b) => a - b);
    // Frames keep coming: the 95th percentile frame gap stays well under a tenth of a second.
    expect(gaps[Math.floor(gaps.length * 0.95)]).toBeLessThan(100);
    expect(n).toBeGreaterThan(9000);
    expect(w.pageErrors).toEqual([]);
  });
});

describe('every state the window can be in', () => {
  it('warning with Full Disk Access as its fix, on a Mac', async () => {
    await writeConfig(sb.configDir, { profiles: [profile({ schedule: '0 * * * *' })] });
    await writeHistory(
      record('p', repo, 1.2, {
        result: 'warning',
        message: '3 files could not be read',
        diagnoses: [
          {
            kind: 'source-permission',
            message:
              '3 files could not be read (permission denied), e.g. /Users/someone/Library/Mail. macOS blocks them until Dandelion has Full Disk Access.',
            fix: 'Open System Settings › Privacy & Security › Full Disk Access, add Dandelion and turn it on, then back up again (or exclude these paths).',
          },
        ],
      }),
    );
    const w = await open({ host: { platform: 'darwin', fullDiskAccess: () => 'granted' } });
    const c = card(w);
    await poll(() => c.locator('.badge').textContent()).toBe('Backed up with warnings');
    expect(await c.locator('.headline').textContent()).toBe('Last backup 1 hour ago');
    await c.getByRole('button', { name: 'Grant Full Disk Access…' }).click();
    await poll(() => w.host.calls).toContainEqual({ method: 'openExternal', args: [expect.stringContaining('Privacy_AllFiles')] });
    await axeCheck(w.page, { schemes: ['light', 'dark'] });
    await screenshot(w.page, 'status-warning');
  });

  it('waiting for the backup disk', async () => {
    await writeConfig(sb.configDir, { profiles: [profile({ volume: 'backup-disk', repository: '/Volumes/backup-disk/backup/mbp2015' })] });
    await writeHistory(record('p', '/Volumes/backup-disk/backup/mbp2015', 30));
    const engine = await openEngine();
    engine.setWaitingForVolume('p', true);
    const w = await open({ engine });
    const c = card(w);
    await poll(() => c.locator('.badge').textContent()).toBe('Waiting for disk');
    expect(await c.getByRole('region', { name: 'Waiting for backup-disk' }).textContent()).toContain('Connect the disk');
    expect(await c.locator('.next').textContent()).toBe('Backs up when backup-disk is connected');
    await axeCheck(w.page, { schemes: ['light', 'dark'] });
    await screenshot(w.page, 'status-waiting-for-disk');
  });

  it('overdue', async () => {
    await writeConfig(sb.configDir, { profiles: [profile({ schedule: '0 * * * *' })] });
    await writeHistory(record('p', repo, 24 * 9), record('p', repo, 24 * 3));
    const w = await open();
    const c = card(w);
    await poll(() => c.locator('.badge').textContent()).toBe('Overdue');
    expect(await c.getByRole('region', { name: 'Backup overdue' }).textContent()).toContain(
      'The schedule should have made a backup by now.',
    );
    expect(await c.locator('.headline').textContent()).toBe('Last backup 3 days ago');
    expect(await w.page.locator('.glance').textContent()).toBe('Your backup needs attention');
    await axeCheck(w.page, { schemes: ['light', 'dark'] });
    await screenshot(w.page, 'status-overdue');
  });

  it('paused: a banner says until when in local time, and the pause does not make the profile overdue', async () => {
    await writeConfig(sb.configDir, { profiles: [profile({ schedule: '0 * * * *' })] });
    await writeHistory(record('p', repo, 24 * 3));
    // Paused ten minutes after that backup, until two hours from now (locks/pause.json, as the menu writes it).
    const until = new Date(Date.now() + 2 * HOUR);
    await fs.mkdir(path.join(sb.configDir, 'locks'), { recursive: true });
    await fs.writeFile(
      path.join(sb.configDir, 'locks', 'pause.json'),
      JSON.stringify({ since: new Date(Date.now() - 24 * 3 * HOUR + 600_000).toISOString(), until: until.toISOString() }),
    );
    const w = await open();
    const c = card(w);
    const banner = w.page.locator('.banner.paused');
    await poll(() => banner.locator('.banner-title').textContent()).toMatch(/^Backups paused until (today|tomorrow), /);
    expect(await banner.textContent()).not.toMatch(/\d{4}-\d\d-\d\dT/);
    // Neither overdue nor "Up to date": paused, and the next backup is the pause's end.
    expect(await c.locator('.badge').textContent()).toBe('Paused');
    expect(await c.getByRole('region', { name: 'Backup overdue' }).count()).toBe(0);
    expect(await w.page.locator('.glance').textContent()).toMatch(/^Backups paused until (today|tomorrow), /);
    await axeCheck(w.page, { schemes: ['light', 'dark'] });
    await screenshot(w.page, 'status-paused');
    // Resume Backups in the window too: the pause is gone for every process, and so is the banner.
    await banner.getByRole('button', { name: 'Resume Backups' }).click();
    await poll(() => banner.count()).toBe(0);
    await expect(fs.access(path.join(sb.configDir, 'locks', 'pause.json'))).rejects.toThrow();
    await poll(() => c.locator('.badge').textContent()).not.toBe('Paused');
  });

  it('Full Disk Access missing, with the button that opens its setting', async () => {
    await writeConfig(sb.configDir, { profiles: [profile({ schedule: '0 12 * * *' })] });
    await writeHistory(record('p', repo, 2));
    const w = await open({ host: { platform: 'darwin', fullDiskAccess: () => 'missing' } });
    const banner = w.page.getByRole('region', { name: 'Dandelion needs Full Disk Access' });
    await poll(() => banner.isVisible()).toBe(true);
    await banner.getByRole('button', { name: 'Grant Full Disk Access…' }).click();
    await poll(() => w.host.calls).toContainEqual({ method: 'openExternal', args: [expect.stringContaining('Privacy_AllFiles')] });
    await axeCheck(w.page, { schemes: ['light', 'dark'] });
    await screenshot(w.page, 'status-fda-missing');
  });

  it('says nothing about Full Disk Access off macOS', async () => {
    await writeConfig(sb.configDir, { profiles: [profile()] });
    const w = await open({ host: { platform: 'linux', fullDiskAccess: () => 'missing' } });
    await poll(() => card(w).isVisible()).toBe(true);
    expect(await w.page.getByText('Full Disk Access').count()).toBe(0);
  });

  it('config.json with errors, and borg missing', async () => {
    await writeConfig(sb.configDir, { borgPath: path.join(sb.dir, 'no-borg-here'), profiles: [profile()] });
    const engine = await openEngine();
    // Now break the file by hand: the engine keeps the previous config and reports the errors.
    await writeConfig(sb.configDir, { borgPath: path.join(sb.dir, 'no-borg-here'), profiles: [profile({ schedule: 'every tuesday' })] });
    await engine.reload();
    const w = await open({ engine });
    const errors = w.page.getByRole('region', { name: 'config.json has errors' });
    await poll(() => errors.textContent()).toContain('profiles[0].schedule');
    expect(await errors.textContent()).toContain('The last good settings stay in use (Backup disk) until it is fixed.');
    const borgBanner = w.page.getByRole('region', { name: 'BorgBackup is not available' });
    await poll(() => borgBanner.isVisible()).toBe(true);
    await axeCheck(w.page, { schemes: ['light', 'dark'] });
    await screenshot(w.page, 'status-config-errors');
  });

  it('several profiles: each card has its own fix, and the log follows the profile chosen', async () => {
    const repo2 = path.join(sb.dir, 'repo2');
    const repo3 = path.join(sb.dir, 'repo3');
    await writeConfig(sb.configDir, {
      profiles: [
        profile({ id: 'offsite', name: 'Storage box', repository: repo2, schedule: '0 12 * * *' }),
        profile({ id: 'disk', name: 'Backup disk', repository: repo3, volume: 'backup-disk', schedule: '0 * * * *' }),
      ],
    });
    await writeHistory(
      record('offsite', repo2, 26, {
        result: 'error',
        archive: null,
        stats: null,
        diagnoses: [
          {
            kind: 'ssh-host-unknown',
            message: 'The server u123.your-storagebox.de (port 23) is not in your known SSH hosts, so ssh refused to connect.',
            fix: "Check the server's fingerprint with its administrator, then trust it in Preferences.",
          },
        ],
      }),
      record('disk', repo3, 0.5),
    );
    const w = await open();
    await poll(() => w.page.locator('section.card').count()).toBe(2);
    await card(w, 'offsite').getByRole('button', { name: 'Trust This Host…' }).click();
    await poll(() => w.host.calls).toContainEqual({
      method: 'openWindow',
      args: ['preferences', { profile: 'offsite', section: 'repository' }],
    });
    await w.page.getByLabel('Show the log of').selectOption('disk');
    await poll(() => logPane(w).getAttribute('aria-label')).toBe('Log of Backup disk, the last 200 lines');
    await axeCheck(w.page, { schemes: ['light', 'dark'] });
    await screenshot(w.page, 'status-several-profiles');
  });
});
