/**
 * The preferences window in Chromium against a real Engine with real borg (test/browser/harness.ts):
 * setting up a first backup and backing up, field errors that write nothing, a config.json edited
 * by hand, the whole setup with the keyboard alone, axe on every section, and the screenshots.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { MemorySecretStore } from '../../src/secrets/keyring.js';
import { filesUnder, makeTree, sandbox, writeConfig, type Sandbox } from '../helpers/env.js';
import { freshRepository } from '../helpers/repo-template.js';
import { axeCheck, openWindow, pushEvents, screenshot, type OpenedWindow } from './harness.js';
import { answers, errorOf, focusedName, focusVisible, PREFS_SIZE, tabTo } from './preferences-helpers.js';

const PASSPHRASE = 'correct horse battery staple 42';

let sb: Sandbox;
let w: OpenedWindow | null = null;
const savedBorgBase = process.env.BORG_BASE_DIR;

beforeEach(async () => {
  sb = await sandbox('dandelion-prefs-');
  process.env.BORG_BASE_DIR = sb.env.BORG_BASE_DIR;
});
afterEach(async () => {
  await w?.close();
  w = null;
  process.env.BORG_BASE_DIR = savedBorgBase;
  await sb.cleanup();
});

const heading = (page: Page, name: string | RegExp) => page.getByRole('heading', { name, level: 1 }).waitFor({ timeout: 30_000 });
const configText = () => fs.readFile(path.join(sb.configDir, 'config.json'), 'utf8');

async function section(page: Page, label: string) {
  await page
    .getByRole('navigation', { name: /^Settings of / })
    .getByRole('button', { name: new RegExp(`^${label}`) })
    .click();
}

describe('preferences window', () => {
  it('sets up a first backup to a disk folder, stores the passphrase, creates the repository and backs up', async () => {
    const src = path.join(sb.dir, 'Documents');
    await makeTree(src, 20);
    const volumes = path.join(sb.dir, 'Volumes');
    const disk = path.join(volumes, 'backup-disk');
    await fs.mkdir(disk, { recursive: true });
    await fs.writeFile(path.join(disk, 'notes.txt'), 'not a repository');
    await writeConfig(sb.configDir, { volumesRoot: volumes });
    const secrets = new MemorySecretStore();
    w = await openWindow('preferences', {
      configDir: sb.configDir,
      secrets,
      viewport: PREFS_SIZE,
      host: { platform: 'darwin', pickFolder: answers(src, disk), saveFile: answers(path.join(sb.dir, 'exported.borgkey')) },
    });
    const { page } = w;
    const t0 = Date.now();

    // 1. Folders.
    await heading(page, /What do you want to back up/);
    await page.getByRole('button', { name: 'Add Folder…' }).click();
    await page.getByText(src).waitFor();
    await screenshot(page, 'preferences-setup-first-launch');
    await axeCheck(page);
    await page.getByRole('button', { name: 'Continue' }).click();

    // 2. Where: the disk has other files, so a folder inside it is offered; the disk triggers backups.
    await heading(page, /Where should the backups go/);
    await page.getByRole('button', { name: 'Choose…' }).click();
    await page.getByText(/holds other files/).waitFor();
    await page.getByRole('button', { name: 'Use a New Folder Inside It' }).click();
    await page.getByText(/does not exist yet: it will be created/).waitFor();
    const trigger = page.getByRole('checkbox', { name: 'Back up when “backup-disk” is connected' });
    await trigger.waitFor();
    expect(await trigger.isChecked()).toBe(true);
    expect(await page.getByRole('textbox', { name: 'Name of this backup' }).inputValue()).toBe('backup-disk');
    await screenshot(page, 'preferences-setup-where');
    await axeCheck(page);
    await page.getByRole('button', { name: 'Continue' }).click();

    // 3. A new repository: the passphrase twice (a mismatch is refused first).
    await heading(page, /new or an existing repository/);
    expect(await page.getByRole('radio', { name: 'Create a new repository' }).isChecked()).toBe(true);
    expect(await page.getByRole('combobox', { name: 'Encryption' }).inputValue()).toBe('repokey-blake2');
    await page.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
    await page.getByLabel('Type it again').fill('something else');
    await page.getByRole('button', { name: 'Create Repository' }).click();
    expect(await errorOf(page.getByLabel('Passphrase', { exact: true }))).toBe('The two passphrases are not the same.');
    expect(await fs.stat(path.join(sb.configDir, 'config.json')).then((s) => s.size)).toBeLessThan(100);
    await page.getByLabel('Type it again').fill(PASSPHRASE);
    await screenshot(page, 'preferences-setup-repository');
    await axeCheck(page);
    await page.getByRole('button', { name: 'Create Repository' }).click();

    // 4. Recovery: where the passphrase must be kept.
    await heading(page, /Keep your passphrase safe/);
    await page.getByText(/If this Mac is lost or stolen/).waitFor();
    await page.getByRole('button', { name: 'Export Key…' }).click();
    await page.getByText(path.join(sb.dir, 'exported.borgkey')).waitFor({ timeout: 30_000 });
    expect(await fs.readFile(path.join(sb.dir, 'exported.borgkey'), 'utf8')).toMatch(/^BORG_KEY /);
    await screenshot(page, 'preferences-setup-recovery');
    await axeCheck(page);
    await page.getByRole('button', { name: 'Continue' }).click();

    // 5. Back Up Now.
    await heading(page, /Ready for the first backup/);
    await page.getByRole('button', { name: 'Back Up Now' }).click();
    await page.getByText('Your first backup is done.').waitFor({ timeout: 60_000 });
    const elapsed = Date.now() - t0;
    await screenshot(page, 'preferences-setup-done');
    await axeCheck(page);

    // What the engine has: the profile, the archive, a successful run; the passphrase only in the keyring.
    const repo = path.join(disk, 'Dandelion');
    const saved = JSON.parse(await configText()) as { profiles: Record<string, unknown>[] };
    expect(saved.profiles).toEqual([
      expect.objectContaining({
        id: 'backup-disk',
        name: 'backup-disk',
        repository: repo,
        encryption: 'repokey-blake2',
        sources: [src],
        volume: 'backup-disk',
        schedule: '0 * * * *',
        archiveName: '{hostname}-backup-disk_{now}',
      }),
    ]);
    expect(w.engine.config.profiles.map((p) => p.id)).toEqual(['backup-disk']);
    const archives = await w.engine.archives('backup-disk');
    expect(archives.ok && archives.value.length).toBe(1);
    const snap = (await w.engine.snapshot()).profiles[0]!;
    expect(snap.lastRun?.result).toBe('success');
    expect(snap.lastSuccessAt).not.toBeNull();
    expect(await secrets.get(repo)).toBe(PASSPHRASE);
    for (const f of await filesUnder(sb.configDir)) expect(await fs.readFile(f, 'utf8'), f).not.toContain(PASSPHRASE);
    expect(w.invocations.filter((i) => JSON.stringify(i.args).includes(PASSPHRASE)).map((i) => i.name)).toEqual(['setPassphrase']);
    // Setting up took the window well under two minutes (the user's part aside).
    expect(elapsed).toBeLessThan(120_000);

    // Done → the preferences of the new backup; its passphrase shows as stored, never as text.
    await page.getByRole('button', { name: 'Done' }).click();
    await heading(page, 'backup-disk');
    await section(page, 'Passphrase');
    await page.getByText('Stored in Keychain', { exact: true }).waitFor();
    expect(await page.locator('input[type=password]').count()).toBe(0);
    await page.getByRole('button', { name: 'Change…' }).click();
    expect(await page.getByLabel('New passphrase').inputValue()).toBe('');
    expect(w.pageErrors).toEqual([]);
  });

  it('shows field errors next to their controls and writes nothing while anything is invalid', async () => {
    const src = path.join(sb.dir, 'src');
    await makeTree(src, 3);
    await writeConfig(sb.configDir, {
      profiles: [
        {
          id: 'docs',
          name: 'Documents',
          repository: path.join(sb.dir, 'repo'),
          sources: [src],
          encryption: 'none',
          schedule: '0 12 * * *',
        },
      ],
    });
    const before = await configText();
    w = await openWindow('preferences', { configDir: sb.configDir, viewport: PREFS_SIZE, host: { pickFolder: answers(src) } });
    const { page } = w;
    await heading(page, 'Documents');

    // No folders and a cron line that is none: the engine's own validation answers.
    await section(page, 'Folders');
    await page.getByRole('button', { name: `Remove ${src}` }).click();
    await section(page, 'Schedule');
    await page.getByRole('combobox', { name: 'Back up' }).selectOption('custom');
    const cron = page.getByRole('textbox', { name: 'Cron schedule' });
    expect(await cron.inputValue()).toBe('0 12 * * *');
    await cron.fill('every day');
    await page.getByText(/Next backups: none/).waitFor();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('2 problems to fix. Nothing was saved.').waitFor();
    expect(await configText()).toBe(before);
    // The first error's control has the focus; each error is tied to its control.
    await expect.poll(() => focusedName(page)).toBe('Add Folder…');
    expect(await errorOf(page.getByRole('button', { name: 'Add Folder…' }))).toBe('Needs at least one folder to back up.');
    expect(
      await page
        .getByRole('navigation', { name: 'Settings of Documents' })
        .getByRole('button', { name: /Schedule \(has errors\)/ })
        .count(),
    ).toBe(1);
    await axeCheck(page);
    await section(page, 'Schedule');
    expect(await page.getByRole('textbox', { name: 'Cron schedule' }).getAttribute('aria-invalid')).toBe('true');
    expect(await errorOf(page.getByRole('textbox', { name: 'Cron schedule' }))).toBe(
      'Expected 5 fields (minute hour day month weekday), got 2; e.g. 0 12 * * * = every day at noon.',
    );
    await screenshot(page, 'preferences-field-error');
    await axeCheck(page);

    // Fixed, then an SSH port of 70000: the window's own check, next to the port.
    await page.getByRole('combobox', { name: 'Back up' }).selectOption('daily');
    await section(page, 'Folders');
    await page.getByRole('button', { name: 'Add Folder…' }).click();
    await page.getByText(src).waitFor();
    await section(page, 'Repository');
    await page.getByRole('radio', { name: 'An SSH server' }).check();
    await page.getByRole('textbox', { name: 'User', exact: true }).fill('me');
    await page.getByRole('textbox', { name: 'Server', exact: true }).fill('backup.example.com');
    await page.getByRole('textbox', { name: 'Port', exact: true }).fill('70000');
    await page.getByRole('textbox', { name: 'Folder on the server' }).fill('backup/mac');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('One problem to fix. Nothing was saved.').waitFor();
    expect(await errorOf(page.getByRole('textbox', { name: 'Port', exact: true }))).toBe(
      'The port is a number from 1 to 65535 (SSH uses 22).',
    );
    await expect.poll(() => focusedName(page)).toBe('Port');
    expect(await configText()).toBe(before);
    await screenshot(page, 'preferences-field-error-port');

    // A valid save is written and taken into use at once.
    await page.getByRole('textbox', { name: 'Port', exact: true }).fill('23');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Saved.').waitFor();
    const after = JSON.parse(await configText()) as { profiles: Record<string, unknown>[] };
    expect(after.profiles[0]).toMatchObject({
      repository: 'ssh://me@backup.example.com:23/./backup/mac',
      schedule: '0 12 * * *',
      sources: [src],
    });
    expect(w.engine.config.profiles[0]!.repository).toBe('ssh://me@backup.example.com:23/./backup/mac');
    expect(w.pageErrors).toEqual([]);
  });

  it('duplicates a backup with its own archive names and removes one without touching its repository', async () => {
    const src = path.join(sb.dir, 'src');
    await makeTree(src, 3);
    const repo = path.join(sb.dir, 'repo');
    await fs.mkdir(repo);
    await fs.writeFile(path.join(repo, 'keep-me'), 'x');
    await writeConfig(sb.configDir, {
      profiles: [{ id: 'docs', name: 'Documents', repository: repo, sources: [src], encryption: 'none' }],
    });
    w = await openWindow('preferences', { configDir: sb.configDir, viewport: PREFS_SIZE });
    const { page } = w;
    await heading(page, 'Documents');
    await page.getByRole('button', { name: 'Duplicate' }).click();
    await heading(page, 'Documents copy');
    await section(page, 'Keep');
    expect(await page.getByRole('textbox', { name: 'Archive names' }).inputValue()).toBe('{hostname}-documents-copy_{now}');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Saved.').waitFor();
    expect(w.engine.config.profiles.map((p) => [p.id, p.repository, p.archiveName])).toEqual([
      ['docs', repo, '{hostname}-daily-{now}'],
      ['documents-copy', repo, '{hostname}-documents-copy_{now}'],
    ]);

    await page.getByRole('button', { name: 'Remove Documents copy…' }).click();
    const sheet = page.getByRole('dialog', { name: 'Remove “Documents copy”?' });
    await sheet.waitFor();
    await screenshot(page, 'preferences-remove-confirm');
    await axeCheck(page);
    await sheet.getByRole('button', { name: 'Remove' }).click();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Saved.').waitFor();
    expect(w.engine.config.profiles.map((p) => p.id)).toEqual(['docs']);
    expect(await fs.readdir(repo)).toEqual(['keep-me']);
  });

  it('adds a second backup to an existing repository: its encryption is found out, a wrong passphrase is refused', async () => {
    const src = path.join(sb.dir, 'src');
    await makeTree(src, 4);
    const repo = path.join(sb.dir, 'repo');
    // The passphrase most test files use: this run's template for it is likely made already.
    const passphrase = 'correct horse battery staple';
    await freshRepository(repo, 'repokey-blake2', passphrase);
    await writeConfig(sb.configDir, { profiles: [{ id: 'disk', name: 'Disk', repository: repo, sources: [src] }] });
    const secrets = new MemorySecretStore();
    w = await openWindow('preferences', {
      configDir: sb.configDir,
      secrets,
      viewport: PREFS_SIZE,
      host: { pickFolder: answers(src, repo) },
    });
    const { page } = w;
    await heading(page, 'Disk');
    // The main process asks for a new profile (the tray's "Set Up a Backup…").
    pushEvents(w, { event: 'navigate', payload: { section: 'new-profile' } });
    await heading(page, /What do you want to back up/);
    await page.getByText('Add a backup · Step 1 of 5').waitFor();
    await page.getByRole('button', { name: 'Add Folder…' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();
    await heading(page, /Where should the backups go/);
    await page.getByRole('button', { name: 'Choose…' }).click();
    await page.getByText(/is a borg repository/).waitFor();
    await page.getByRole('textbox', { name: 'Name of this backup' }).fill('Photos');
    await page.getByRole('button', { name: 'Continue' }).click();

    await heading(page, /new or an existing repository/);
    expect(await page.getByRole('radio', { name: 'Use an existing repository' }).isChecked()).toBe(true);
    expect(await page.getByRole('combobox', { name: 'Encryption' }).count()).toBe(0);
    await page.getByLabel('Passphrase of the repository').fill('not the passphrase');
    await page.getByRole('button', { name: 'Connect' }).click();
    await page
      .getByText(/passphrase/i)
      .and(page.locator('.error'))
      .first()
      .waitFor({ timeout: 30_000 });
    expect(await errorOf(page.getByLabel('Passphrase of the repository'))).toMatch(/passphrase/i);
    expect(await secrets.get(repo)).toBeNull();
    await page.getByLabel('Passphrase of the repository').fill(passphrase);
    await page.getByRole('button', { name: 'Connect' }).click();
    await heading(page, /Keep your passphrase safe/);
    expect(await secrets.get(repo)).toBe(passphrase);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('button', { name: 'Back Up Now' }).click();
    await page.getByText('Your first backup is done.').waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: 'Done' }).click();
    await heading(page, 'Photos');

    const photos = w.engine.profile('photos')!;
    expect(photos).toMatchObject({ repository: repo, archiveName: '{hostname}-photos_{now}' });
    expect(photos.encryption ?? null).toBeNull();
    const disk = await w.engine.archives('disk');
    const mine = await w.engine.archives('photos');
    expect(disk.ok && disk.value.length).toBe(0);
    expect(mine.ok && mine.value.length).toBe(1);

    // Navigation from the main process: a profile's section.
    pushEvents(w, { event: 'navigate', payload: { profile: 'disk', section: 'passphrase' } });
    await heading(page, 'Disk');
    await page.getByText('Stored in the keyring', { exact: true }).waitFor();
    expect(await page.getByRole('button', { name: 'Passphrase', exact: true }).getAttribute('aria-current')).toBe('page');
    expect(w.pageErrors).toEqual([]);
  });

  it('shows a config.json edited by hand with its errors; saving over it needs a confirmation and keeps a .bak', async () => {
    const src = path.join(sb.dir, 'src');
    await makeTree(src, 3);
    const broken = `${JSON.stringify(
      {
        profiles: [
          { id: 'docs', name: 'Documents', repository: path.join(sb.dir, 'repo'), sources: [], schedule: 'sometimes', encryption: 'none' },
        ],
      },
      null,
      2,
    )}\n`;
    await writeConfig(sb.configDir, {
      profiles: [{ id: 'docs', name: 'Documents', repository: path.join(sb.dir, 'repo'), sources: [src], encryption: 'none' }],
    });
    w = await openWindow('preferences', { configDir: sb.configDir, viewport: PREFS_SIZE, host: { pickFolder: answers(src) } });
    const { page } = w;
    await heading(page, 'Documents');
    // Edited by hand while the window is open: the engine notices (here: told to reload), the window shows it.
    await fs.writeFile(path.join(sb.configDir, 'config.json'), broken);
    await w.engine.reload();
    await page.getByText('The settings file has errors').waitFor();
    await page.getByText('profiles[0].sources').first().waitFor();
    await page.getByText('profiles[0].schedule').first().waitFor();
    // The errors are also next to their controls.
    await section(page, 'Folders');
    expect(await errorOf(page.getByRole('button', { name: 'Add Folder…' }))).toBe('Needs at least one folder to back up.');
    // The file as text, one click away.
    await page.getByRole('button', { name: 'Edit as Text' }).click();
    expect(await page.getByRole('textbox', { name: 'config.json' }).inputValue()).toBe(broken);
    await page.getByRole('button', { name: 'Back to the Form' }).click();
    await section(page, 'Folders');
    await screenshot(page, 'preferences-invalid-file');
    await axeCheck(page);

    // The file as it is now, not the last good one: the folder list is empty.
    expect(await page.getByRole('button', { name: `Remove ${src}` }).count()).toBe(0);
    await page.getByRole('button', { name: 'Add Folder…' }).click();
    await section(page, 'Schedule');
    await page.getByRole('combobox', { name: 'Back up' }).selectOption('daily');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    const sheet = page.getByRole('dialog', { name: 'Replace the settings file?' });
    await sheet.waitFor();
    expect(await configText()).toBe(broken);
    // Cancel leaves it alone; Replace writes, with a .bak of the hand-edited file.
    await sheet.getByRole('button', { name: 'Cancel' }).click();
    expect(await configText()).toBe(broken);
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('dialog', { name: 'Replace the settings file?' }).getByRole('button', { name: 'Replace' }).click();
    await page.getByText('Saved.').waitFor();
    expect(await fs.readFile(path.join(sb.configDir, 'config.json.bak'), 'utf8')).toBe(broken);
    expect(JSON.parse(await configText()).profiles[0]).toMatchObject({ sources: [src], schedule: '0 12 * * *' });
    expect(w.engine.configFileErrors()).toEqual([]);
    expect(await page.getByText('The settings file has errors').count()).toBe(0);
  });

  it('sets up a first backup with the keyboard alone, then moves through the sections', async () => {
    const src = path.join(sb.dir, 'Pictures');
    await makeTree(src, 5);
    const target = path.join(sb.dir, 'backups');
    w = await openWindow('preferences', {
      configDir: sb.configDir,
      viewport: PREFS_SIZE,
      host: { platform: 'darwin', pickFolder: answers(src, target) },
    });
    const { page } = w;
    const k = page.keyboard;
    await heading(page, /What do you want to back up/);
    expect(await focusedName(page)).toMatch(/What do you want to back up/);

    await tabTo(page, 'Add Folder…');
    expect(await focusVisible(page)).toBe(true);
    await k.press('Enter');
    await page.getByText(src).waitFor();
    await tabTo(page, 'Continue');
    await k.press('Enter');

    await heading(page, /Where should the backups go/);
    await tabTo(page, 'Choose…');
    await k.press('Space');
    await page.getByText(/does not exist yet/).waitFor();
    await tabTo(page, 'Name of this backup');
    await k.press('Control+a');
    await k.type('Pictures');
    await k.press('Enter');

    await heading(page, /new or an existing repository/);
    await tabTo(page, 'Passphrase');
    await k.type(PASSPHRASE);
    await k.press('Tab');
    expect(await focusedName(page)).toBe('Type it again');
    await k.type(PASSPHRASE);
    await k.press('Enter');

    await heading(page, /Keep your passphrase safe/);
    await tabTo(page, 'Continue');
    await k.press('Enter');

    await heading(page, /Ready for the first backup/);
    await tabTo(page, 'Back Up Now');
    await k.press('Space');
    await page.getByText('Your first backup is done.').waitFor({ timeout: 60_000 });
    await expect.poll(() => focusedName(page)).toBe('Done');
    await k.press('Enter');

    await heading(page, 'Pictures');
    const archives = await w.engine.archives('pictures');
    expect(archives.ok && archives.value.length).toBe(1);

    // Sections by keyboard: Shift+Tab back to the section bar, Return opens one; Return in a field saves.
    await tabTo(page, 'Passphrase', { back: true });
    await k.press('Enter');
    await page.getByText('Stored in Keychain', { exact: true }).waitFor();
    await tabTo(page, 'Repository', { back: true });
    await k.press('Enter');
    await tabTo(page, 'Name');
    await k.press('Control+a');
    await k.type('My pictures');
    await k.press('Enter');
    await page.getByText('Saved.').waitFor();
    expect(w.engine.config.profiles[0]).toMatchObject({ id: 'pictures', name: 'My pictures' });
    await k.type(' 2');
    await k.press('Control+s');
    await expect.poll(() => w!.engine.config.profiles[0]!.name).toBe('My pictures 2');
    expect(w.pageErrors).toEqual([]);
  });

  it('every section passes axe, in light and dark (screenshots with SCREENSHOTS=1)', async () => {
    const src = path.join(sb.dir, 'src');
    await makeTree(src, 3);
    await writeConfig(sb.configDir, {
      app: { notifications: { success: false, warnings: true, overdue: true } },
      profiles: [
        {
          id: 'disk',
          name: 'Backup disk',
          repository: path.join(sb.dir, 'repo'),
          sources: ['~/Documents', '~/Pictures', src],
          excludes: ['~/Library/Caches', '~/.cache', 'sh:**/node_modules', '*.tmp'],
          encryption: 'keyfile-blake2',
          schedule: '30 9 * * 1',
          prune: { keepHourly: 24, keepDaily: 30, keepWeekly: 520 },
          minIntervalHours: 2,
        },
        {
          id: 'offsite',
          name: 'Storage box',
          repository: 'ssh://u123@u123.example.de:23/./backup/mbp',
          sources: ['~'],
          encryption: 'repokey-blake2',
        },
      ],
    });
    w = await openWindow('preferences', { configDir: sb.configDir, viewport: PREFS_SIZE, host: { platform: 'darwin' } });
    const { page } = w;
    await heading(page, 'Backup disk');
    for (const [label, shot] of [
      ['Repository', 'repository'],
      ['Passphrase', 'passphrase'],
      ['Folders', 'folders'],
      ['Schedule', 'schedule'],
      ['Keep', 'keep'],
    ] as const) {
      await section(page, label);
      if (label === 'Schedule') await page.locator('.next-runs time').first().waitFor();
      if (label === 'Passphrase') await page.getByRole('button', { name: 'Store Passphrase' }).waitFor();
      await screenshot(page, `preferences-${shot}`);
      await axeCheck(page, { schemes: ['light', 'dark'] });
    }
    await page.getByRole('button', { name: /^Storage box/ }).click();
    await heading(page, 'Storage box');
    await section(page, 'Repository');
    await screenshot(page, 'preferences-repository-ssh');
    await axeCheck(page, { schemes: ['light', 'dark'] });
    await page.getByRole('button', { name: /^General/ }).click();
    await heading(page, 'General');
    await page.getByText(/Using borg/).waitFor();
    // Open at Login acts at once and is remembered in config.json; a later save keeps it.
    await page.getByRole('checkbox', { name: 'Open Dandelion at login' }).check();
    await expect.poll(() => w!.host.calls.filter((c) => c.method === 'setLogin').map((c) => c.args)).toEqual([[true]]);
    await expect.poll(async () => JSON.parse(await configText()).app.openAtLogin).toBe(true);
    await page.getByRole('checkbox', { name: 'Successful backups' }).check();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Saved.').waitFor();
    expect(JSON.parse(await configText()).app).toEqual({
      notifications: { success: true, warnings: true, overdue: true },
      openAtLogin: true,
    });
    await screenshot(page, 'preferences-general');
    await axeCheck(page, { schemes: ['light', 'dark'] });
    expect(w.pageErrors).toEqual([]);
  });
});
