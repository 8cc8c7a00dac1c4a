/**
 * The forms of the preferences window and the setup, in Chromium against a real Engine with real
 * borg: each error goes as soon as its field is fixed, cron errors in words, the focus back on the
 * control that opened a sheet, and the setup's plan in words before the first backup.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { makeTree, sandbox, writeConfig, type Sandbox } from '../helpers/env.js';
import { axeCheck, openWindow, screenshot, type OpenedWindow } from './harness.js';
import { answers, errorOf, focusedName, PREFS_SIZE } from './preferences-helpers.js';

let sb: Sandbox;
let w: OpenedWindow | null = null;
const savedBorgBase = process.env.BORG_BASE_DIR;

beforeEach(async () => {
  sb = await sandbox('dandelion-forms-');
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
const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 10_000 });

async function section(page: Page, label: string) {
  await page
    .getByRole('navigation', { name: /^Settings of / })
    .getByRole('button', { name: new RegExp(`^${label}`) })
    .click();
}

async function openDocuments(): Promise<{ page: Page; src: string }> {
  const src = path.join(sb.dir, 'src');
  await makeTree(src, 3);
  await writeConfig(sb.configDir, {
    profiles: [{ id: 'docs', name: 'Documents', repository: path.join(sb.dir, 'repo'), sources: [src], encryption: 'none' }],
  });
  w = await openWindow('preferences', { configDir: sb.configDir, viewport: PREFS_SIZE, host: { pickFolder: answers(src) } });
  await heading(w.page, 'Documents');
  return { page: w.page, src };
}

describe('preferences: errors that go as soon as the field is fixed', () => {
  it('says what is wrong with a cron line in words, and drops the error when the line is fixed, without a save', async () => {
    const { page } = await openDocuments();
    const before = await configText();
    await section(page, 'Schedule');
    await page.getByRole('combobox', { name: 'Back up' }).selectOption('custom');
    const cron = page.getByRole('textbox', { name: 'Cron schedule' });
    await cron.fill('61 * * * *');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('One problem to fix. Nothing was saved.').waitFor();
    expect(await errorOf(cron)).toBe('Minute 61 is out of range 0–59.');
    expect(await configText()).toBe(before);
    await screenshot(page, 'forms-cron-error');

    // Fixed: the error goes at once, not at the next Save.
    await cron.fill('0 * * * *');
    expect(await errorOf(cron)).toBe('');
    expect(await cron.getAttribute('aria-invalid')).toBeNull();
    await page.getByRole('heading', { name: 'Next backups' }).waitFor();
    // Another wrong line: the words for that line, never the earlier line's.
    await cron.fill('0 25 * * *');
    await poll(() => errorOf(cron)).toBe('Hour 25 is out of range 0–23.');
    await cron.fill('0 12 *');
    await poll(() => errorOf(cron)).toBe('Expected 5 fields (minute hour day month weekday), got 3; e.g. 0 12 * * * = every day at noon.');
    expect(await page.locator('.pane').textContent()).not.toMatch(/Constraint error|expected range/);
    await axeCheck(page);
    expect(w!.pageErrors).toEqual([]);
  });

  it('drops the SSH port error as soon as the port is a port', async () => {
    const { page } = await openDocuments();
    await page.getByRole('radio', { name: 'An SSH server' }).check();
    await page.getByRole('textbox', { name: 'User', exact: true }).fill('me');
    await page.getByRole('textbox', { name: 'Server', exact: true }).fill('backup.example.com');
    const port = page.getByRole('textbox', { name: 'Port', exact: true });
    await port.fill('70000');
    await page.getByRole('textbox', { name: 'Folder on the server' }).fill('backup/mac');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('One problem to fix. Nothing was saved.').waitFor();
    expect(await errorOf(port)).toBe('The port is a number from 1 to 65535 (SSH uses 22).');
    await port.fill('7000x');
    expect(await errorOf(port)).toBe('The port is a number from 1 to 65535 (SSH uses 22).');
    await port.fill('23');
    expect(await errorOf(port)).toBe('');
    // And the mark on the sidebar goes with it.
    expect(await page.getByText('(has errors)').count()).toBe(0);
  });
});

describe('preferences: the passphrase typed twice', () => {
  it('drops the mismatch error as soon as the two agree', async () => {
    await writeConfig(sb.configDir, {
      profiles: [
        { id: 'docs', name: 'Documents', repository: path.join(sb.dir, 'repo'), sources: [sb.home], encryption: 'repokey-blake2' },
      ],
    });
    w = await openWindow('preferences', { configDir: sb.configDir, viewport: PREFS_SIZE, query: '?profile=docs&section=passphrase' });
    const { page } = w;
    await heading(page, 'Documents');
    const first = page.getByLabel('Passphrase', { exact: true });
    const again = page.getByLabel('Type it again');
    await first.fill('one passphrase');
    await again.fill('another one');
    await page.getByRole('button', { name: 'Store Passphrase' }).click();
    await poll(() => errorOf(first)).toBe('The two passphrases are not the same.');
    await again.fill('one passphrase');
    expect(await errorOf(first)).toBe('');
    expect(await errorOf(again)).toBe('');
    expect(w.pageErrors).toEqual([]);
  });
});

describe('sheets give the focus back to the control that opened them', () => {
  it('Remove… (Escape, then Cancel) and Replace the settings file (Cancel)', async () => {
    const { page } = await openDocuments();
    const remove = page.getByRole('button', { name: 'Remove Documents…' });
    await remove.click();
    const sheet = page.getByRole('dialog', { name: 'Remove “Documents”?' });
    await sheet.waitFor();
    await poll(() => focusedName(page)).toBe('Cancel');
    await page.keyboard.press('Escape');
    await sheet.waitFor({ state: 'detached' });
    await poll(() => focusedName(page)).toBe('Remove Documents…');

    await remove.click();
    await sheet.getByRole('button', { name: 'Cancel' }).click();
    await sheet.waitFor({ state: 'detached' });
    await poll(() => focusedName(page)).toBe('Remove Documents…');

    // A config.json broken by hand: Save asks first; Cancel gives the focus back to Save.
    await fs.writeFile(
      path.join(sb.configDir, 'config.json'),
      JSON.stringify({
        profiles: [{ id: 'docs', name: 'Documents', repository: path.join(sb.dir, 'repo'), sources: [], encryption: 'none' }],
      }),
    );
    await w!.engine.reload();
    await page.getByText('The settings file has errors').waitFor();
    await section(page, 'Folders');
    await page.getByRole('button', { name: 'Add Folder…' }).click();
    await page.getByText(path.join(sb.dir, 'src')).waitFor();
    const save = page.getByRole('button', { name: 'Save', exact: true });
    await save.click();
    const replace = page.getByRole('dialog', { name: 'Replace the settings file?' });
    await replace.waitFor();
    await page.keyboard.press('Escape');
    await replace.waitFor({ state: 'detached' });
    await poll(() => focusedName(page)).toBe('Save');
    expect(w!.pageErrors).toEqual([]);
  });
});

describe('the setup', () => {
  it('drops "Choose at least one folder" and the passphrase mismatch as soon as they are fixed', async () => {
    const src = path.join(sb.dir, 'Documents');
    await makeTree(src, 3);
    w = await openWindow('preferences', {
      configDir: sb.configDir,
      viewport: PREFS_SIZE,
      host: { platform: 'darwin', pickFolder: answers(src, path.join(sb.dir, 'backups')) },
    });
    const { page } = w;
    await heading(page, /What do you want to back up/);
    await page.getByRole('button', { name: 'Continue' }).click();
    const add = page.getByRole('button', { name: 'Add Folder…' });
    await poll(() => errorOf(add)).toBe('Choose at least one folder to back up.');
    await add.click();
    await page.getByText(src).waitFor();
    expect(await errorOf(add)).toBe('');
    expect(await page.locator('.setup .error').count()).toBe(0);
    await page.getByRole('button', { name: 'Continue' }).click();

    await heading(page, /Where should the backups go/);
    await page.getByRole('button', { name: 'Choose…' }).click();
    await page.getByText(/does not exist yet/).waitFor();
    await page.getByRole('button', { name: 'Continue' }).click();

    await heading(page, /new or an existing repository/);
    const first = page.getByLabel('Passphrase', { exact: true });
    const again = page.getByLabel('Type it again');
    await first.fill('one passphrase');
    await again.fill('another one');
    await page.getByRole('button', { name: 'Create Repository' }).click();
    await poll(() => errorOf(first)).toBe('The two passphrases are not the same.');
    await again.fill('one passphrase');
    expect(await errorOf(first)).toBe('');
    expect(await errorOf(again)).toBe('');
    expect(await page.locator('.setup .error').count()).toBe(0);
    expect(w.pageErrors).toEqual([]);
  });

  it('says the plan in words before the first backup, and Change… edits it (focus back on Change… after Escape)', async () => {
    const src = path.join(sb.dir, 'Documents');
    await makeTree(src, 3);
    const target = path.join(sb.dir, 'backups');
    w = await openWindow('preferences', {
      configDir: sb.configDir,
      viewport: PREFS_SIZE,
      host: { platform: 'darwin', pickFolder: answers(src, target) },
    });
    const { page } = w;
    await heading(page, /What do you want to back up/);
    await page.getByRole('button', { name: 'Add Folder…' }).click();
    await page.getByText(src).waitFor();
    await page.getByRole('button', { name: 'Continue' }).click();
    await heading(page, /Where should the backups go/);
    await page.getByRole('button', { name: 'Choose…' }).click();
    await page.getByText(/does not exist yet/).waitFor();
    await page.getByRole('button', { name: 'Continue' }).click();
    await heading(page, /new or an existing repository/);
    await page.getByRole('combobox', { name: 'Encryption' }).selectOption('none');
    await page.getByRole('button', { name: 'Create Repository' }).click();

    await heading(page, /Ready for the first backup/);
    const plan = page.locator('.plan-sentence');
    await poll(() => plan.textContent()).toBe(
      'Backs up every hour; keeps hourly backups for a day, daily for a month, weekly for 10 years. Change…',
    );
    expect(await page.locator('.setup').textContent()).not.toMatch(/520|24 hourly/);
    await screenshot(page, 'forms-setup-plan');
    await axeCheck(page);

    const change = page.getByRole('button', { name: 'Change when to back up and what to keep…' });
    await change.click();
    const sheet = page.getByRole('dialog', { name: 'When to back up and what to keep' });
    await sheet.waitFor();
    await page.keyboard.press('Escape');
    await sheet.waitFor({ state: 'detached' });
    await poll(() => focusedName(page)).toBe('Change when to back up and what to keep…');

    await change.click();
    await sheet.getByRole('combobox', { name: 'Back up' }).selectOption('daily');
    await sheet.getByRole('radio', { name: '7 daily, 5 weekly, 6 monthly' }).check();
    await screenshot(page, 'forms-setup-plan-sheet');
    await axeCheck(page);
    await sheet.getByRole('button', { name: 'Save' }).click();
    await sheet.waitFor({ state: 'detached' });
    await poll(() => plan.textContent()).toBe(
      'Backs up daily at 12:00 PM; keeps daily backups for a week, weekly for 5 weeks, monthly for 6 months. Change…',
    );
    const saved = JSON.parse(await configText()) as { profiles: Record<string, unknown>[] };
    expect(saved.profiles[0]).toMatchObject({ schedule: '0 12 * * *', prune: { keepDaily: 7, keepWeekly: 5, keepMonthly: 6 } });
    await poll(() => focusedName(page)).toBe('Change when to back up and what to keep…');
    expect(w.pageErrors).toEqual([]);
  });
});
