/**
 * The preferences window and a config.json changed under it (by hand, here), against a real
 * Engine: a window with nothing unsaved follows the file; one with unsaved edits asks, shows what
 * changed, and writes only what the user chose; a save drawn from an older file is refused.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { makeTree, sandbox, writeConfig, type Sandbox } from '../helpers/env.js';
import { axeCheck, openWindow, screenshot, type OpenedWindow } from './harness.js';
import { PREFS_SIZE } from './preferences-helpers.js';

let sb: Sandbox;
let w: OpenedWindow | null = null;
let src: string;
let photos: string;
let repo: string;

beforeEach(async () => {
  sb = await sandbox('dandelion-prefs-cas-');
  src = path.join(sb.dir, 'Documents');
  photos = path.join(sb.dir, 'Photos');
  repo = path.join(sb.dir, 'repo');
  await makeTree(src, 2);
  await makeTree(photos, 2);
  await writeConfig(sb.configDir, {
    profiles: [{ id: 'docs', name: 'Documents', repository: repo, sources: [src], encryption: 'none' }],
  });
});
afterEach(async () => {
  await w?.close();
  w = null;
  await sb.cleanup();
});

const file = () => path.join(sb.configDir, 'config.json');
const onDisk = async () => JSON.parse(await fs.readFile(file(), 'utf8')) as { profiles: { name: string; sources: string[] }[] };
const heading = (page: Page, name: string | RegExp) => page.getByRole('heading', { name, level: 1 }).waitFor({ timeout: 30_000 });
const nameBox = (page: Page) => page.getByRole('textbox', { name: 'Name', exact: true });
const save = (page: Page) => page.getByRole('button', { name: 'Save', exact: true }).click();
const sheetOf = (page: Page) => page.getByRole('dialog', { name: 'config.json was changed outside Preferences' });

/** A hand edit: the profile renamed and a second folder added, written straight to the file. */
async function editByHand(name: string, reload = true): Promise<void> {
  await fs.writeFile(
    file(),
    `${JSON.stringify({ profiles: [{ id: 'docs', name, repository: repo, sources: [src, photos], encryption: 'none' }] }, null, 4)}\n`,
  );
  // The supervisor's watcher would do this in the app; here the test tells the engine.
  if (reload) await w!.engine.reload();
}

async function openAndSaveOnce(opts: { slowCalls?: Record<string, number> } = {}): Promise<Page> {
  w = await openWindow('preferences', { configDir: sb.configDir, viewport: PREFS_SIZE, ...opts });
  const { page } = w;
  await heading(page, 'Documents');
  await nameBox(page).fill('My Documents');
  await save(page);
  await page.getByText('Saved.', { exact: true }).waitFor();
  await heading(page, 'My Documents');
  return page;
}

/** Ticks Open at Login on the General tab and waits until the main process has written it to config.json. */
async function turnOnOpenAtLogin(page: Page): Promise<void> {
  await page.getByRole('checkbox', { name: 'Open Dandelion at login' }).check();
  await expect
    .poll(async () => (JSON.parse(await fs.readFile(file(), 'utf8')) as { app?: { openAtLogin?: boolean } }).app?.openAtLogin)
    .toBe(true);
}

/** Save: "Saved.", no question, and the file has both the window's name ("Mine") and Open at Login. */
async function saveKeepsBoth(page: Page): Promise<void> {
  await save(page);
  await page.getByText('Saved.', { exact: true }).waitFor();
  const json = JSON.parse(await fs.readFile(file(), 'utf8')) as { app: { openAtLogin: boolean }; profiles: { name: string }[] };
  expect(json.app.openAtLogin).toBe(true);
  expect(json.profiles[0]!.name).toBe('Mine');
  expect(await sheetOf(page).count()).toBe(0);
}

async function folders(page: Page): Promise<void> {
  await page
    .getByRole('navigation', { name: /^Settings of / })
    .getByRole('button', { name: /^Folders/ })
    .click();
}

describe('preferences window and a config.json changed outside', () => {
  it('with nothing unsaved, follows a hand edit of name and folders at once, and the next save writes nothing stale', async () => {
    const page = await openAndSaveOnce();
    await editByHand('Renamed by hand');
    await heading(page, 'Renamed by hand');
    expect(await page.getByText('Saved.', { exact: true }).count()).toBe(0);
    expect(await nameBox(page).inputValue()).toBe('Renamed by hand');
    await folders(page);
    await page.getByRole('button', { name: `Remove ${photos}` }).waitFor();
    expect(await sheetOf(page).count()).toBe(0);

    // The next save starts from the file as it is now.
    await page
      .getByRole('navigation', { name: /^Settings of / })
      .getByRole('button', { name: /^Repository/ })
      .click();
    await nameBox(page).fill('Renamed again');
    await save(page);
    await page.getByText('Saved.', { exact: true }).waitFor();
    expect((await onDisk()).profiles[0]).toMatchObject({ name: 'Renamed again', sources: [src, photos] });
    expect(w!.pageErrors).toEqual([]);
  });

  it('with unsaved edits, asks: shows what changed, Escape decides later, Save asks again, Keep My Changes writes mine', async () => {
    const page = await openAndSaveOnce();
    await nameBox(page).fill('Mine');
    await editByHand('Theirs');
    const handEdited = await fs.readFile(file(), 'utf8');
    const sheet = sheetOf(page);
    await sheet.waitFor();
    // What changed, per backup and field: before, in the file now, yours.
    const name = sheet.locator('tr[data-field="name"]');
    expect(await name.locator('td').allInnerTexts()).toEqual(['My Documents', 'Theirs', 'Mine']);
    const sources = sheet.locator('tr[data-field="sources"]');
    expect(await sources.locator('td').allInnerTexts()).toEqual([src, `${src}, ${photos}`, src]);
    // Focus is in the sheet.
    expect(await page.evaluate(() => !!document.activeElement?.closest('dialog'))).toBe(true);
    await screenshot(page, 'preferences-conflict');
    await axeCheck(page);

    // Escape: decide later. Nothing written, the edits stay, a reminder shows.
    await page.keyboard.press('Escape');
    await sheet.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Review Changes…' }).waitFor();
    expect(await nameBox(page).inputValue()).toBe('Mine');
    expect(await fs.readFile(file(), 'utf8')).toBe(handEdited);

    // Save leads to the same choice, never to an overwrite.
    await save(page);
    await sheet.waitFor();
    expect(await fs.readFile(file(), 'utf8')).toBe(handEdited);

    await sheet.getByRole('button', { name: 'Keep My Changes' }).click();
    await page.getByText('Saved.', { exact: true }).waitFor();
    expect((await onDisk()).profiles[0]).toMatchObject({ name: 'Mine', sources: [src] });
    expect(w!.engine.config.profiles[0]!.name).toBe('Mine');
    expect(await page.getByRole('button', { name: 'Review Changes…' }).count()).toBe(0);
    expect(w!.pageErrors).toEqual([]);
  });

  it('with unsaved edits, Use the File’s Settings drops them and shows the file', async () => {
    const page = await openAndSaveOnce();
    await nameBox(page).fill('Mine');
    await editByHand('Theirs');
    const handEdited = await fs.readFile(file(), 'utf8');
    await sheetOf(page).getByRole('button', { name: 'Use the File’s Settings' }).click();
    await heading(page, 'Theirs');
    expect(await nameBox(page).inputValue()).toBe('Theirs');
    expect(await page.getByRole('button', { name: 'Revert' }).isDisabled()).toBe(true);
    expect(await fs.readFile(file(), 'utf8')).toBe(handEdited);
    await folders(page);
    await page.getByRole('button', { name: `Remove ${photos}` }).waitFor();
  });

  it('a save drawn from a file changed since (before the engine noticed) is refused and opens the choice', async () => {
    const page = await openAndSaveOnce();
    await nameBox(page).fill('Mine');
    await editByHand('Theirs', false);
    const handEdited = await fs.readFile(file(), 'utf8');
    await save(page);
    const sheet = sheetOf(page);
    await sheet.waitFor();
    expect(await fs.readFile(file(), 'utf8')).toBe(handEdited);
    expect(await sheet.locator('tr[data-field="name"] td').allInnerTexts()).toEqual(['My Documents', 'Theirs', 'Mine']);
    await sheet.getByRole('button', { name: 'Keep My Changes' }).click();
    await page.getByText('Saved.', { exact: true }).waitFor();
    expect((await onDisk()).profiles[0]).toMatchObject({ name: 'Mine', sources: [src] });
  });

  it('Open at Login, written to the file for the window, is no change from outside: the unsaved edits stay, no question', async () => {
    const page = await openAndSaveOnce();
    await nameBox(page).fill('Mine');
    await page.getByRole('button', { name: /^General/ }).click();
    await heading(page, 'General');
    await turnOnOpenAtLogin(page);
    await w!.engine.reload();
    await page.getByText('Unsaved changes.', { exact: true }).waitFor();
    expect(await sheetOf(page).count()).toBe(0);
    await saveKeepsBoth(page);
  });

  it('Save clicked before the window has read back the file Open at Login just wrote: saved, nothing asked, both kept', async () => {
    // Every read of config.json is slow, so the window's re-read after Open at Login is still under way at Save.
    const page = await openAndSaveOnce({ slowCalls: { configRead: 1000 } });
    await nameBox(page).fill('Mine');
    await page.getByRole('button', { name: /^General/ }).click();
    await heading(page, 'General');
    const reads = () => w!.invocations.filter((c) => c.name === 'configRead').length;
    const readsBefore = reads();
    await turnOnOpenAtLogin(page);
    await expect.poll(reads).toBeGreaterThan(readsBefore);
    await saveKeepsBoth(page);
    // The window settles on the file as saved: still "Saved.", nothing unsaved.
    await new Promise((r) => setTimeout(r, 2500));
    expect(await page.getByText('Saved.', { exact: true }).count()).toBe(1);
    expect(await sheetOf(page).count()).toBe(0);
  });
});
