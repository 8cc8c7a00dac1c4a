/**
 * Settings that would make a backup hollow, refused in the preferences window against the real
 * engine: an exclude covering a source or one borg cannot read, a repository that is a file, a
 * blank name, a blank passphrase (and a short one warned about). Each error sits under its field and
 * nothing is written.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { MemorySecretStore } from '../../src/secrets/keyring.js';
import { makeTree, sandbox, writeConfig, type Sandbox } from '../helpers/env.js';
import { axeCheck, openWindow, screenshot, type OpenedWindow } from './harness.js';
import { errorOf, PREFS_SIZE } from './preferences-helpers.js';

let sb: Sandbox;
let w: OpenedWindow | null = null;
let src: string;
let repo: string;
const savedBorgBase = process.env.BORG_BASE_DIR;

beforeEach(async () => {
  sb = await sandbox('dandelion-prefs-valid-');
  process.env.BORG_BASE_DIR = sb.env.BORG_BASE_DIR;
  src = path.join(sb.dir, 'Documents');
  repo = path.join(sb.dir, 'repo');
  await makeTree(src, 3);
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

async function open(profile: Record<string, unknown> = {}) {
  await writeConfig(sb.configDir, {
    profiles: [{ id: 'docs', name: 'Documents', repository: repo, sources: [src], encryption: 'none', ...profile }],
  });
  w = await openWindow('preferences', { configDir: sb.configDir, secrets: new MemorySecretStore(), viewport: PREFS_SIZE });
  await heading(w.page, 'Documents');
  return w.page;
}

async function save(page: Page) {
  await page.getByRole('button', { name: 'Save', exact: true }).click();
}

describe('hollow settings are refused under their field', () => {
  it('an exclude that leaves out a whole source, and one borg cannot read', async () => {
    const page = await open();
    const before = await configText();
    await section(page, 'Folders');
    const free = page.getByRole('textbox', { name: 'Also leave out' });
    await free.fill('*.tmp\n/');
    await save(page);
    await expect.poll(() => errorOf(free)).toContain(`"/" leaves out all of ${src}: the backup would save nothing from it`);
    expect(await configText()).toBe(before);
    await screenshot(page, 'preferences-exclude-covers-source');
    await axeCheck(page);

    await free.fill('re:[unclosed');
    await save(page);
    await expect
      .poll(() => errorOf(free))
      .toBe('"re:[unclosed" is not a regular expression Python (borg) accepts: unterminated character set at position 0.');
    expect(await configText()).toBe(before);

    await free.fill('*.tmp');
    await save(page);
    await page.getByText('Saved.').waitFor();
    expect(JSON.parse(await configText()).profiles[0].excludes).toContain('*.tmp');
    expect(w!.pageErrors).toEqual([]);
  });

  it('a repository that is a file, with its sentence, at Save and at Check Folder', async () => {
    const file = path.join(sb.dir, 'notes.txt');
    await fs.writeFile(file, 'not a repository');
    const page = await open();
    const before = await configText();
    const folder = page.getByRole('textbox', { name: 'Folder', exact: true });
    await folder.fill(file);
    await page.getByRole('button', { name: 'Check Folder' }).click();
    const results = page.getByRole('list', { name: 'Connection test results' });
    await results.getByText(`${file} is a file: a repository is a folder`).waitFor();
    expect(await results.textContent()).not.toContain('ENOTDIR');
    await save(page);
    await expect
      .poll(() => errorOf(folder))
      .toBe(`${file} is a file: a repository is a folder; choose the folder that holds the repository, or a new folder for a new one.`);
    expect(await configText()).toBe(before);
    await screenshot(page, 'preferences-repository-is-a-file');

    // Inside the folder backed up: refused too, with its own sentence.
    await folder.fill(path.join(src, 'borg'));
    await save(page);
    await expect.poll(() => errorOf(folder)).toContain(`is inside ${src}, which is backed up`);
    expect(await configText()).toBe(before);
  });

  it('a blank name is refused, not dropped', async () => {
    const page = await open();
    const before = await configText();
    const name = page.getByRole('textbox', { name: 'Name', exact: true });
    await name.fill('   ');
    await save(page);
    await expect.poll(() => errorOf(name)).toBe('Must not be empty.');
    expect(await configText()).toBe(before);
    await name.fill('  Papers  ');
    await save(page);
    await page.getByText('Saved.').waitFor();
    expect(JSON.parse(await configText()).profiles[0].name).toBe('Papers');
  });

  it('a passphrase of only spaces is refused; a short one is stored with a warning saying why', async () => {
    const secrets = new MemorySecretStore();
    await writeConfig(sb.configDir, {
      profiles: [{ id: 'docs', name: 'Documents', repository: repo, sources: [src], encryption: 'repokey-blake2' }],
    });
    w = await openWindow('preferences', { configDir: sb.configDir, secrets, viewport: PREFS_SIZE });
    const { page } = w;
    await heading(page, 'Documents');
    await section(page, 'Passphrase');
    const first = page.getByLabel('Passphrase', { exact: true });
    await first.fill('   ');
    await page.getByLabel('Type it again').fill('   ');
    await page.getByRole('button', { name: 'Store Passphrase' }).click();
    await expect.poll(() => errorOf(first)).toBe('A passphrase of only spaces protects nothing: type a real one.');
    expect(await secrets.get(repo)).toBeNull();

    await first.fill('short one');
    await page.getByText(/shorter than 12 characters\. The passphrase is the only way to read the off-site copy/).waitFor();
    await screenshot(page, 'preferences-passphrase-short');
    await axeCheck(page);
    await page.getByLabel('Type it again').fill('short one');
    await page.getByRole('button', { name: 'Store Passphrase' }).click();
    await expect.poll(() => secrets.get(repo), { timeout: 30_000 }).toBe('short one');
    expect(w.pageErrors).toEqual([]);
  });
});
