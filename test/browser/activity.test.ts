/**
 * The status card's Recent activity (backups beside restores, checks and drills, newest first, in the
 * user's words with local time, failures in red with their diagnosis), and its Check Now and Prove
 * Restorable buttons driven against the window's real engine and real borg: live state and Cancel,
 * the result on the card, disabled with the reason while a backup of the profile runs or the disk is
 * away. Axe in light and dark; SCREENSHOTS=1 writes "status-activity" and "status-check-now".
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine.js';
import { History } from '../../src/jobs/history.js';
import { OpHistory, type OpRecord } from '../../src/ops/records.js';
import { MemorySecretStore } from '../../src/secrets/keyring.js';
import { configPaths } from '../../src/paths.js';
import { tryLock } from '../../src/jobs/pid-lock.js';
import type { RunRecord } from '../../src/records.js';
import { diagnosisFor } from '../../src/messages.js';
import { makeTree, sandbox, writeConfig, type Sandbox } from '../helpers/env.js';
import { freshRepository } from '../helpers/repo-template.js';
import { axeCheck, openWindow, screenshot, type OpenedWindow } from './harness.js';

let sb: Sandbox;
let src: string;
let repo: string;
let engine: Engine;
const windows: OpenedWindow[] = [];
const children: ChildProcess[] = [];

const profile = (over: Record<string, unknown> = {}) => ({
  id: 'p',
  name: 'Backup disk',
  repository: repo,
  encryption: 'none',
  sources: [src],
  ...over,
});

// One real repository with one real backup for the file: the tests only read it (check, drill).
// The empty repository is a copy of the run's template (borg init is no part of these tests).
beforeAll(async () => {
  sb = await sandbox('dandelion-status-activity-');
  process.env.BORG_BASE_DIR = sb.env.BORG_BASE_DIR;
  src = path.join(sb.dir, 'src');
  repo = path.join(sb.dir, 'repo');
  await makeTree(src, 12);
  await writeConfig(sb.configDir, { profiles: [profile()] });
  engine = (await Engine.open({ configDir: sb.configDir, busy: 'wait', secrets: new MemorySecretStore() })).engine;
  await freshRepository(repo, 'none');
  expect((await engine.run('p')).result).toBe('success');
}, 120_000);

afterEach(async () => {
  for (const w of windows.splice(0)) await w.close();
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

afterAll(async () => {
  await engine.cancelAll();
  await sb.cleanup();
});

async function open(e: Engine = engine, configDir = sb.configDir): Promise<OpenedWindow> {
  const w = await openWindow('status', { configDir, engine: e });
  windows.push(w);
  return w;
}

const poll = <T>(fn: () => T | Promise<T>, timeout = 20_000) => expect.poll(fn, { timeout });
const card = (w: OpenedWindow, id = 'p') => w.page.locator(`section.card[data-profile="${id}"]`);
const activity = (w: OpenedWindow, id = 'p') => card(w, id).locator('.activity-line');
const texts = (w: OpenedWindow, id = 'p') => activity(w, id).locator('.activity-what').allTextContents();

describe('recent activity on the status card', () => {
  it('lists backups, restores, checks and drills newest first, each with its local time, failures in red with their diagnosis', async () => {
    const other = await sandbox('dandelion-status-activity-records-');
    try {
      const r = path.join(other.dir, 'repo');
      await writeConfig(other.configDir, { profiles: [{ ...profile(), repository: r }] });
      const today = new Date();
      const at = (daysAgo: number, h: number, m: number) => {
        const d = new Date(today.getFullYear(), today.getMonth(), today.getDate() - daysAgo, h, m);
        return d.toISOString();
      };
      const run = (finishedAt: string, over: Partial<RunRecord> = {}): RunRecord => ({
        profile: 'p',
        trigger: 'schedule',
        startedAt: finishedAt,
        finishedAt,
        result: 'success',
        archive: 'vm-daily-2026-12-02 10.00',
        stats: { originalSize: 5e6, compressedSize: 4e6, deduplicatedSize: 1e3, nfiles: 1204, durationSeconds: 3 },
        message: null,
        diagnoses: [],
        log: null,
        repository: r,
        ...over,
      });
      const op = (kind: OpRecord['kind'], finishedAt: string, over: Partial<OpRecord> = {}): OpRecord => ({
        kind,
        profile: 'p',
        repository: r,
        trigger: 'manual',
        startedAt: finishedAt,
        finishedAt,
        result: 'success',
        archive: kind === 'check' ? null : 'vm-daily-2026-12-02 10.00',
        message: null,
        diagnoses: [],
        log: null,
        ...over,
      });
      const away = diagnosisFor(
        'disk-not-mounted',
        { repository: r, platform: 'darwin', passphraseSupplied: false, profile: 'p' },
        '/Volumes/backup-disk',
      );
      const h = new History(path.join(other.configDir, 'history'));
      for (const x of [
        run(at(2, 9, 0), { result: 'error', stats: null, archive: null, diagnoses: [away] }),
        run(at(1, 20, 30)),
        run(at(0, 9, 58)),
      ])
        await h.append(x);
      const o = new OpHistory(path.join(other.configDir, 'operations'));
      for (const x of [
        op('check', at(1, 21, 0)),
        op('drill', at(1, 21, 5), { details: { files: 1204, bytes: 5e6, sampled: 100, matched: 100, skippedChanged: 0, mismatched: [] } }),
        op('restore', at(0, 10, 4), { details: { files: 3, mode: 'new-folder', keptBoth: [], identical: 0 } }),
      ])
        await o.append(x);

      const w = await openWindow('status', { configDir: other.configDir });
      windows.push(w);
      // The three newest first; the rest behind Show More.
      await poll(() => texts(w)).toEqual([
        'Restored 3 files from vm-daily-2026-12-02 10.00',
        'Backup saved 1,204 files',
        'Restore drill compared 100 files',
      ]);
      expect(await activity(w).first().locator('time').textContent()).toBe('Today, 10:04 AM');
      expect(await activity(w).nth(2).locator('time').textContent()).toBe('Yesterday, 9:05 PM');
      await card(w).getByRole('button', { name: 'Show 3 More' }).click();
      await poll(() => texts(w)).toEqual([
        'Restored 3 files from vm-daily-2026-12-02 10.00',
        'Backup saved 1,204 files',
        'Restore drill compared 100 files',
        'Check found no damage',
        'Backup saved 1,204 files',
        'Backup failed',
      ]);
      expect(await activity(w).evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.kind))).toEqual([
        'restore',
        'backup',
        'drill',
        'check',
        'backup',
        'backup',
      ]);
      // The failure is red and says why.
      const failed = activity(w).last();
      expect(await failed.getAttribute('class')).toContain('tone-error');
      expect(await failed.locator('.activity-why').textContent()).toBe(away.message);
      const red = await failed.locator('.activity-what').evaluate((e) => getComputedStyle(e).color);
      const plain = await activity(w)
        .first()
        .locator('.activity-what')
        .evaluate((e) => getComputedStyle(e).color);
      expect(red).not.toBe(plain);
      await axeCheck(w.page, { schemes: ['light', 'dark'] });
      await screenshot(w.page, 'status-activity', { fullPage: true });

      // A record that lands meanwhile (a check another process wrote, as the supervisor's watcher reports it) comes in on top.
      // Newer than every record above: now, or (before 10:05 local time, when "today, 10:04" is still ahead) just after them.
      const landed = new Date(Math.max(Date.now(), Date.parse(at(0, 10, 5)))).toISOString();
      await o.append(op('check', landed, { result: 'error', diagnoses: [away] }));
      w.engine.filesChanged('operations', 'p');
      await poll(() => texts(w).then((t) => t[0])).toBe('Check could not run');
      expect(w.pageErrors).toEqual([]);
    } finally {
      await other.cleanup();
    }
  });
});

describe('Check Now and Prove Restorable', () => {
  it('checks and proves the real repository, showing the result on the card and on top of Recent activity', async () => {
    const w = await open();
    await poll(() => card(w).locator('.headline').textContent()).toMatch(/^Last backup/);
    await poll(() => texts(w).then((t) => t[0])).toBe('Backup saved 12 files');

    await card(w).getByRole('button', { name: 'Check Now' }).click();
    await poll(() => card(w).locator('[data-op-result]').textContent()).toBe('Check found no damage.');
    await poll(() => texts(w).then((t) => t[0])).toBe('Check found no damage');
    await poll(() => card(w).locator('[data-verified]').textContent()).toBe('Verified just now · Restore not proven yet');
    const recent = await engine.activity('p');
    expect(recent.ok && recent.value[0]).toMatchObject({ kind: 'check', result: 'success' });

    await card(w).getByRole('button', { name: 'Prove Restorable' }).click();
    await poll(() => card(w).locator('[data-op-result]').textContent()).toBe('Restore drill compared 12 files.');
    await poll(() => texts(w).then((t) => t[0])).toBe('Restore drill compared 12 files');
    await poll(() => card(w).locator('[data-verified]').textContent()).toBe('Verified just now · Restore proven just now');
    await axeCheck(w.page, { schemes: ['light', 'dark'] });
    await screenshot(w.page, 'status-check-now', { fullPage: true });
    expect(w.pageErrors).toEqual([]);
  }, 120_000);

  it('shows a check waiting for the repository with Cancel, and a cancelled check as such', async () => {
    // Another profile's backup holds the repository: the check waits, and says for whom.
    const lock = await tryLock(configPaths(sb.configDir).repoLock(repo), 'backup of "laptop" (schedule)', { profile: 'laptop' });
    expect(lock.ok).toBe(true);
    if (!lock.ok) return;
    try {
      const w = await open();
      await card(w).getByRole('button', { name: 'Check Now' }).click();
      await poll(() => card(w).locator('.op-run .run-step').textContent()).toBe(
        'Waiting for the repository: backup of "laptop" (schedule)…',
      );
      expect(await card(w).getByRole('button', { name: 'Check Now' }).count()).toBe(0);
      await axeCheck(w.page, { schemes: ['light', 'dark'] });
      await screenshot(w.page, 'status-check-waiting');
      await card(w).locator('.op-run').getByRole('button', { name: 'Cancel' }).click();
      await poll(() => card(w).locator('[data-op-result]').textContent()).toBe('Check cancelled.');
      expect(engine.operationProgress('p')).toBeNull();
      await poll(() => card(w).getByRole('button', { name: 'Check Now' }).isEnabled()).toBe(true);
      expect(w.pageErrors).toEqual([]);
    } finally {
      await lock.release();
    }
  }, 60_000);

  it('is disabled, with the reason, while a backup of the profile runs in another process', async () => {
    const sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
    children.push(sleeper);
    const file = configPaths(sb.configDir).repoLock(repo);
    await fs.writeFile(
      file,
      JSON.stringify({ pid: sleeper.pid, what: 'backup of "p" (daemon)', since: new Date().toISOString(), profile: 'p', repository: repo }),
    );
    try {
      const w = await open();
      await poll(() => card(w).locator('.badge').textContent()).toBe('Backing up');
      const check = card(w).getByRole('button', { name: 'Check Now' });
      await poll(() => check.isDisabled()).toBe(true);
      expect(await card(w).getByRole('button', { name: 'Prove Restorable' }).isDisabled()).toBe(true);
      const reason = 'Checking waits until the backup of this profile has finished.';
      expect(await card(w).locator('.verify-reason').textContent()).toBe(reason);
      // The reason is what a screen reader hears with the button.
      const described = await check.getAttribute('aria-describedby');
      expect(await w.page.locator(`[id="${described}"]`).textContent()).toBe(reason);
      await axeCheck(w.page);
    } finally {
      await fs.rm(file, { force: true });
    }
  });

  it('is disabled, with the reason, while the backup disk is away', async () => {
    const other = await sandbox('dandelion-status-activity-away-');
    try {
      const volumes = path.join(other.dir, 'Volumes');
      await fs.mkdir(volumes);
      await writeConfig(other.configDir, {
        volumesRoot: volumes,
        profiles: [{ ...profile(), repository: path.join(volumes, 'backup-disk', 'repo'), volume: 'backup-disk' }],
      });
      const w = await openWindow('status', { configDir: other.configDir });
      windows.push(w);
      await poll(() => card(w).locator('.verify-reason').textContent()).toBe(
        'Connect “backup-disk” to check these backups or prove them restorable.',
      );
      expect(await card(w).getByRole('button', { name: 'Check Now' }).isDisabled()).toBe(true);
      expect(await card(w).getByRole('button', { name: 'Prove Restorable' }).isDisabled()).toBe(true);
      // The disk comes back: the buttons can be pressed (the drill once there is a backup to prove).
      await fs.mkdir(path.join(volumes, 'backup-disk', 'Backups'), { recursive: true });
      w.engine.changed();
      await poll(() => card(w).getByRole('button', { name: 'Check Now' }).isEnabled()).toBe(true);
      expect(await card(w).locator('.verify-reason').textContent()).toBe('There is no backup to prove restorable yet.');
      expect(await card(w).getByRole('button', { name: 'Prove Restorable' }).isDisabled()).toBe(true);
    } finally {
      await other.cleanup();
    }
  });
});
