/**
 * The preferences window's control for checking the backups (check.everyDays, check.verifyData),
 * against the real engine: the default is shown, a change is saved into config.json (and the file
 * stays as short as it was when nothing changed), and a value that is no number of days is refused
 * under its field with nothing written.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { MemorySecretStore } from '../../src/secrets/keyring.js';
import { makeTree, sandbox, writeConfig, type Sandbox } from '../helpers/env.js';
import { axeCheck, openWindow, type OpenedWindow } from './harness.js';
import { errorOf, PREFS_SIZE } from './preferences-helpers.js';

let sb: Sandbox;
let w: OpenedWindow | null = null;
let src: string;
let repo: string;

beforeEach(async () => {
  sb = await sandbox('dandelion-prefs-check-');
  src = path.join(sb.dir, 'Documents');
  repo = path.join(sb.dir, 'repo');
  await makeTree(src, 3);
});
afterEach(async () => {
  await w?.close();
  w = null;
  await sb.cleanup();
});

const config = async () => JSON.parse(await fs.readFile(path.join(sb.configDir, 'config.json'), 'utf8'));

async function open(profile: Record<string, unknown> = {}): Promise<Page> {
  await writeConfig(sb.configDir, {
    profiles: [{ id: 'docs', name: 'Documents', repository: repo, sources: [src], encryption: 'none', ...profile }],
  });
  w = await openWindow('preferences', { configDir: sb.configDir, secrets: new MemorySecretStore(), viewport: PREFS_SIZE });
  await w.page.getByRole('heading', { name: 'Documents', level: 1 }).waitFor({ timeout: 30_000 });
  await w.page
    .getByRole('navigation', { name: /^Settings of / })
    .getByRole('button', { name: /^Schedule/ })
    .click();
  return w.page;
}

const save = (page: Page) => page.getByRole('button', { name: 'Save', exact: true }).click();

describe('checking the backups, in Preferences › Schedule', () => {
  it('shows every 30 days by default and saves a new interval and --verify-data into config.json', async () => {
    const page = await open();
    const every = page.getByRole('textbox', { name: 'Check and prove restorable every (days)' });
    const verify = page.getByRole('checkbox', { name: 'Also read and authenticate every piece of data (slow)' });
    expect(await every.inputValue()).toBe('30');
    expect(await verify.isChecked()).toBe(false);
    await axeCheck(page, { schemes: ['light', 'dark'] });

    await every.fill('7');
    await verify.check();
    await save(page);
    await expect.poll(async () => (await config()).profiles[0].check, { timeout: 15_000 }).toEqual({ everyDays: 7, verifyData: true });
    expect(w!.engine.profile('docs')!.check).toEqual({ everyDays: 7, verifyData: true });
  });

  it('refuses a value that is no number of days under its field, and writes nothing', async () => {
    const page = await open({ check: { everyDays: 14 } });
    const every = page.getByRole('textbox', { name: 'Check and prove restorable every (days)' });
    expect(await every.inputValue()).toBe('14');
    const before = await fs.readFile(path.join(sb.configDir, 'config.json'), 'utf8');
    await every.fill('soon');
    await save(page);
    await expect.poll(() => errorOf(every), { timeout: 15_000 }).toBe('Must be a number of days (0 = never)');
    expect(await fs.readFile(path.join(sb.configDir, 'config.json'), 'utf8')).toBe(before);

    await every.fill('0');
    await save(page);
    await expect.poll(async () => (await config()).profiles[0].check, { timeout: 15_000 }).toEqual({ everyDays: 0 });
  });
});
