/**
 * "I Already Use borg…" in the first-launch setup, in Chromium against a real Engine and real borg:
 * a seed-style script chosen in the open panel (or dropped on the window) is shown with its report,
 * nothing is saved until Import, then the profile is saved, the passphrase stored by the main
 * process (never in the page) and the repository checked.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { MemorySecretStore, keyringAccount } from '../../src/secrets/keyring.js';
import { ROOT, sandbox, writeConfig, type Sandbox } from '../helpers/env.js';
import { freshRepository } from '../helpers/repo-template.js';
import { axeCheck, openWindow, screenshot, type OpenedWindow } from './harness.js';
import { answers, PREFS_SIZE } from './preferences-helpers.js';

const SEED = path.join(ROOT, 'test/fixtures/import/apply/seed.sh');
/** The passphrase written in seed.sh. */
const PASS = 'tulip-meadow-4711';

let sb: Sandbox;
let repo: string;
let w: OpenedWindow | null = null;
const saved = { home: process.env.HOME, borgBase: process.env.BORG_BASE_DIR };

const heading = (page: Page, name: string | RegExp) => page.getByRole('heading', { name, level: 1 }).waitFor({ timeout: 30_000 });
const configText = () => fs.readFile(path.join(sb.configDir, 'config.json'), 'utf8');

beforeAll(async () => {
  sb = await sandbox('dandelion-import-setup-');
  // seed.sh says ~/backup/borg-repo and ~/Documents: the engine of this process has the sandbox's home.
  process.env.HOME = sb.home;
  process.env.BORG_BASE_DIR = sb.env.BORG_BASE_DIR;
  await fs.mkdir(path.join(sb.home, 'Documents'));
  await fs.writeFile(path.join(sb.home, 'Documents', 'a.txt'), 'a\n');
  repo = path.join(sb.home, 'backup', 'borg-repo');
  // A repokey-blake2 repository with seed.sh's passphrase, copied from the run's template for it.
  await freshRepository(repo, 'repokey-blake2', PASS);
}, 60_000);

afterEach(async () => {
  await w?.close();
  w = null;
});

afterAll(async () => {
  process.env.HOME = saved.home;
  process.env.BORG_BASE_DIR = saved.borgBase;
  await sb?.cleanup();
});

async function firstLaunch(secrets: MemorySecretStore) {
  await writeConfig(sb.configDir, { profiles: [] });
  w = await openWindow('preferences', {
    configDir: sb.configDir,
    viewport: PREFS_SIZE,
    secrets,
    host: { platform: 'darwin', pickFile: answers(SEED) },
  });
  await heading(w.page, /What do you want to back up/);
  await screenshot(w.page, 'import-entry', { schemes: ['light'] });
  await w.page.getByRole('button', { name: 'I Already Use borg…' }).click();
  await heading(w.page, 'Bring your borg setup');
  return w.page;
}

describe('the first-launch setup: I already use borg…', () => {
  it('shows what the chosen script would become and saves nothing until Import; then saved, stored and checked', async () => {
    const secrets = new MemorySecretStore();
    const page = await firstLaunch(secrets);
    const before = await configText();
    await axeCheck(page);
    await screenshot(page, 'import-choose');

    await page.getByRole('button', { name: 'Choose File…' }).click();
    await heading(page, 'What would be imported');
    await page
      .getByRole('definition')
      .filter({ hasText: /\/backup\/borg-repo$/ })
      .waitFor();
    await page.getByText('7 daily, 4 weekly').waitFor();
    await page.getByText('{hostname}-{now}', { exact: true }).waitFor();
    const todo = page.getByRole('region', { name: 'What you will still have to do' });
    await expect.poll(() => todo.innerText()).toMatch(/seed\.sh, line 4: Remove the [^\n]*passphrase[^\n]*Keychain/);
    await page.getByRole('region', { name: 'Carried over' }).waitFor();
    expect(await page.content()).not.toContain(PASS);
    // Shown, not saved.
    expect(await configText()).toBe(before);
    expect(await secrets.get(keyringAccount(repo))).toBeNull();
    await axeCheck(page, { schemes: ['light', 'dark'] });
    await screenshot(page, 'import-preview', { fullPage: true });

    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await heading(page, 'Imported');
    await page
      .getByText(/The repository answers \(encryption repokey-blake2\), and the passphrase opens it\./)
      .waitFor({ timeout: 30_000 });
    expect(await secrets.get(keyringAccount(repo))).toBe(PASS);
    await expect
      .poll(() => page.getByRole('region', { name: 'What you still have to do' }).innerText())
      .toMatch(/seed\.sh, line 4: Remove the [^\n]*passphrase/);
    const config = JSON.parse(await configText()) as { profiles: { id: string; name?: string; archiveName: string }[] };
    expect(config.profiles).toMatchObject([{ archiveName: '{hostname}-{now}' }]);
    expect(await configText()).not.toContain(PASS);
    expect(await page.content()).not.toContain(PASS);
    expect(JSON.stringify(w!.invocations)).not.toContain(PASS);
    await axeCheck(page);
    await screenshot(page, 'import-done', { fullPage: true });

    await page.getByRole('button', { name: 'Done' }).click();
    await heading(page, config.profiles[0]!.name ?? config.profiles[0]!.id);
    expect(w!.pageErrors).toEqual([]);
  }, 90_000);

  it('a file dropped on the window is read the same way; Cancel leaves everything as it was', async () => {
    const secrets = new MemorySecretStore();
    const page = await firstLaunch(secrets);
    const before = await configText();
    await page.evaluate((file) => {
      (window as unknown as { __dandelionDropped: Record<string, string> }).__dandelionDropped = { 'seed.sh': file };
      const dt = new DataTransfer();
      dt.items.add(new File(['(the main process reads the file itself)'], 'seed.sh'));
      document.querySelector('.import-setup')!.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, SEED);
    await heading(page, 'What would be imported');
    await page.getByText('7 daily, 4 weekly').waitFor();
    expect(w!.invocations.filter((i) => i.name === 'importPreview').map((i) => i.args)).toEqual([{ path: SEED }]);
    expect(w!.host.calls.some((c) => c.method === 'pickFile')).toBe(false);
    await page.getByRole('button', { name: 'Cancel' }).click();
    await heading(page, /What do you want to back up/);
    expect(await configText()).toBe(before);
    expect(await secrets.get(keyringAccount(repo))).toBeNull();
    expect(w!.pageErrors).toEqual([]);
  }, 60_000);
});
