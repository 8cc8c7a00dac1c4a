/**
 * A config.json that is wrong, in the windows against a real Engine: a syntax error shown as text
 * at its line and column and fixed in place; a replacement that names what it keeps and loses and
 * is not offered when nothing can be kept; the status window and Preferences saying the same about
 * the settings in use; an unknown setting shown with its value and removed.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { Engine } from '../../src/engine.js';
import { MemorySecretStore } from '../../src/secrets/keyring.js';
import { sandbox, writeConfig, type Sandbox } from '../helpers/env.js';
import { axeCheck, openWindow, screenshot, type OpenedWindow } from './harness.js';
import { PREFS_SIZE } from './preferences-helpers.js';

let sb: Sandbox;
const windows: OpenedWindow[] = [];

beforeEach(async () => {
  sb = await sandbox('dandelion-invalid-');
  await fs.mkdir(path.join(sb.dir, 'data'));
});
afterEach(async () => {
  for (const w of windows.splice(0)) await w.close();
  await sb.cleanup();
});

const configFile = () => path.join(sb.configDir, 'config.json');
const configText = () => fs.readFile(configFile(), 'utf8');
const poll = <T>(fn: () => T | Promise<T>, timeout = 10_000) => expect.poll(fn, { timeout });
const heading = (page: Page, name: string | RegExp) => page.getByRole('heading', { name, level: 1 }).waitFor({ timeout: 30_000 });

function profile(id: string, name: string, extra: Record<string, unknown> = {}) {
  return {
    id,
    name,
    repository: path.join(sb.dir, `repo-${id}`),
    // The repositories sit beside the folder backed up, never inside it.
    sources: [path.join(sb.dir, 'data')],
    encryption: 'none',
    archiveName: `${id}-{now}`,
    ...extra,
  };
}

async function open(kind: 'status' | 'preferences', engine?: Engine): Promise<OpenedWindow> {
  const w = await openWindow(kind, { configDir: sb.configDir, viewport: kind === 'preferences' ? PREFS_SIZE : undefined, engine });
  windows.push(w);
  return w;
}

async function openEngine(): Promise<Engine> {
  return (await Engine.open({ configDir: sb.configDir, busy: 'wait', secrets: new MemorySecretStore() })).engine;
}

/** Two profiles with a comma after the last setting of the second: the commonest hand-edit mistake. */
function trailingComma(): string {
  const text = JSON.stringify({ profiles: [profile('docs', 'Documents'), profile('pics', 'Pictures')] }, null, 2);
  return text.replace(/("archiveName": "pics-\{now\}")/, '$1,');
}

describe('a config.json with a syntax error', () => {
  it('is shown as text with the error at its line and column, fixed in place, and then in use', async () => {
    const broken = trailingComma();
    await fs.writeFile(configFile(), broken);
    const w = await open('preferences');
    const { page } = w;
    await heading(page, 'Settings File');
    const banner = page.getByRole('region', { name: 'config.json is not valid' });
    await poll(() => banner.textContent()).toContain('line 21, column 34: a comma before }');
    expect(await banner.textContent()).toContain('Nothing is backed up until it is fixed');
    // Never an empty form that could be saved over the file.
    expect(await page.getByText('No backups yet.').count()).toBe(0);
    await page.getByRole('button', { name: 'Show Line 21' }).click();
    const area = page.getByRole('textbox', { name: 'config.json' });
    expect(await area.inputValue()).toBe(broken);
    expect(await area.evaluate((t: HTMLTextAreaElement) => [t.selectionStart, document.activeElement === t])).toEqual([
      broken.indexOf('"pics-{now}",') + '"pics-{now}"'.length,
      true,
    ]);
    await axeCheck(page);
    await screenshot(page, 'preferences-config-syntax');

    // A fix that is still wrong: the engine says where, and nothing is written.
    await area.fill(broken.replace('"pics-{now}",', '"pics-{now}"').replace('"Pictures"', '"Pictures" "x": 1'));
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await poll(() => banner.textContent()).toMatch(/line \d+, column \d+: "\\"" where a , or \} should be/);
    expect(await configText()).toBe(broken);

    await area.fill(broken.replace('"pics-{now}",', '"pics-{now}"'));
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await heading(page, 'Documents');
    await page.getByText('Saved.').waitFor();
    expect(w.engine.configFileErrors()).toEqual([]);
    expect(w.engine.config.profiles.map((p) => p.id)).toEqual(['docs', 'pics']);
    expect(JSON.parse(await configText()).profiles).toHaveLength(2);
    expect(await fs.readFile(`${configFile()}.bak`, 'utf8')).toBe(broken);
    expect(w.pageErrors).toEqual([]);
  });

  it('opens the file in the editor through the host', async () => {
    await fs.writeFile(configFile(), trailingComma());
    const w = await open('preferences');
    await heading(w.page, 'Settings File');
    await w.page.getByRole('button', { name: 'Open in Editor' }).click();
    await poll(() => w.host.calls).toContainEqual({ method: 'openPath', args: [configFile()] });
  });

  it('Replace names the profiles it keeps and the ones it would lose, and keeps the old text in config.json.bak', async () => {
    const docs = JSON.stringify(profile('docs', 'Documents'));
    const music = JSON.stringify(profile('music', 'Music'));
    const broken = `{\n  "profiles": [\n    ${docs},\n    {"id": "pics", "name": "Pictures" "repository": "/r"},\n    ${music}\n  ]\n}\n`;
    await fs.writeFile(configFile(), broken);
    const w = await open('preferences');
    const { page } = w;
    await heading(page, 'Settings File');
    await page.getByRole('button', { name: 'Replace…' }).click();
    const sheet = page.getByRole('dialog', { name: 'Replace the settings file?' });
    await sheet.waitFor();
    const text = await sheet.textContent();
    expect(text).toContain('Replacing it keeps Documents (docs)');
    expect(text).toContain('Pictures (pics) — is cut off by the syntax error');
    expect(text).toContain('music — could not be read (it comes after the syntax error)');
    expect(text).toContain(`${configFile()}.bak`);
    await axeCheck(page);
    await screenshot(page, 'preferences-config-replace');
    await sheet.getByRole('button', { name: 'Replace' }).click();
    await heading(page, 'Documents');
    expect(JSON.parse(await configText()).profiles.map((p: { id: string }) => p.id)).toEqual(['docs']);
    expect(await fs.readFile(`${configFile()}.bak`, 'utf8')).toBe(broken);
  });

  it('offers no Replace when nothing can be kept: fixing the text is the way on', async () => {
    const broken = `{\n  "profiles": [\n    {"id": "docs", "name": "Documents" "repository": "/r"}\n  ]\n}\n`;
    await fs.writeFile(configFile(), broken);
    const w = await open('preferences');
    const { page } = w;
    await heading(page, 'Settings File');
    await page.getByRole('button', { name: 'Replace…' }).click();
    const sheet = page.getByRole('dialog', { name: 'Nothing in the settings file can be kept' });
    await sheet.waitFor();
    expect(await sheet.textContent()).toContain('Documents (docs) could not be read');
    expect(await sheet.getByRole('button', { name: 'Replace' }).count()).toBe(0);
    // The default is to fix the text: Return on the focused button goes there.
    await page.keyboard.press('Enter');
    await poll(() => page.evaluate(() => document.activeElement?.tagName)).toBe('TEXTAREA');
    expect(await configText()).toBe(broken);
  });
});

describe('the windows agree on the settings in use', () => {
  it('invalid from the start: both say nothing is backed up until it is fixed', async () => {
    await fs.writeFile(configFile(), trailingComma());
    const engine = await openEngine();
    const status = await open('status', engine);
    const prefs = await open('preferences', engine);
    const banner = status.page.getByRole('region', { name: 'config.json has errors' });
    await poll(() => banner.textContent()).toContain('Nothing is backed up until it is fixed');
    expect(await banner.textContent()).toContain('config.json line 21, column 34: a comma before }');
    await heading(prefs.page, 'Settings File');
    expect(await prefs.page.getByRole('region', { name: 'config.json is not valid' }).textContent()).toContain(
      'Nothing is backed up until it is fixed',
    );
    expect(await prefs.page.getByText('last good settings').count()).toBe(0);
    await engine.cancelAll();
  });

  it('broken after a valid start: both say the last good settings stay in use', async () => {
    await writeConfig(sb.configDir, { profiles: [profile('docs', 'Documents')] });
    const engine = await openEngine();
    await writeConfig(sb.configDir, { profiles: [profile('docs', 'Documents', { schedule: 'sometimes' })] });
    await engine.reload();
    const status = await open('status', engine);
    const prefs = await open('preferences', engine);
    const sentence = 'The last good settings stay in use (Documents) until it is fixed.';
    await poll(() => status.page.getByRole('region', { name: 'config.json has errors' }).textContent()).toContain(sentence);
    await heading(prefs.page, 'Documents');
    expect(await prefs.page.getByRole('region', { name: 'The settings file has errors' }).textContent()).toContain(sentence);

    // The same text break after a valid start: the text editor says it too.
    await fs.writeFile(configFile(), trailingComma());
    await engine.reload();
    await heading(prefs.page, 'Settings File');
    expect(await prefs.page.getByRole('region', { name: 'config.json is not valid' }).textContent()).toContain(sentence);
    await poll(() => status.page.getByRole('region', { name: 'config.json has errors' }).textContent()).toContain('line 21, column 34');
    await engine.cancelAll();
  });
});

describe('a setting Dandelion does not know', () => {
  it('is shown with its value and a guess, removed with one click, and then Save works', async () => {
    await writeConfig(sb.configDir, { profiles: [profile('docs', 'Documents', { keepDaily: 7 })] });
    const w = await open('preferences');
    const { page } = w;
    await heading(page, 'Documents');
    const unknown = page.getByRole('region', { name: 'Settings Dandelion does not know' });
    const text = await unknown.textContent();
    expect(text).toContain('Unknown setting keepDaily: 7');
    expect(text).toContain('did you mean prune.keepDaily?');
    // The profile is marked in the sidebar; no tab carries an error nobody can see.
    const tabs = page.getByRole('navigation', { name: /^Settings of / });
    expect(await tabs.getByText('(has errors)').count()).toBe(0);
    expect(await page.getByRole('navigation', { name: 'Backups' }).getByText('(has errors)').count()).toBe(1);
    await axeCheck(page);
    await screenshot(page, 'preferences-unknown-setting');
    await page.getByRole('button', { name: 'Remove keepDaily' }).click();
    expect(await unknown.count()).toBe(0);
    expect(await page.getByText('(has errors)').count()).toBe(0);
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    const sheet = page.getByRole('dialog', { name: 'Replace the settings file?' });
    await sheet.waitFor();
    expect(await sheet.textContent()).toContain('Replacing it keeps Documents (docs)');
    expect(await sheet.textContent()).not.toContain('would be lost');
    await sheet.getByRole('button', { name: 'Replace' }).click();
    await page.getByText('Saved.').waitFor();
    expect(JSON.parse(await configText()).profiles[0]).not.toHaveProperty('keepDaily');
    expect(w.engine.configFileErrors()).toEqual([]);
    expect(w.pageErrors).toEqual([]);
  });
});

describe('an error no control shows', () => {
  it('is listed at the top of its profile with its path, and the file can be fixed as text', async () => {
    await writeConfig(sb.configDir, { profiles: [profile('docs', 'Documents', { passcommand: '' })] });
    const w = await open('preferences');
    const { page } = w;
    await heading(page, 'Documents');
    const list = page.getByRole('region', { name: 'These settings need fixing' });
    await poll(() => list.textContent()).toContain('passcommand: Must not be empty.');
    await page.getByRole('button', { name: 'Edit as Text' }).click();
    const area = page.getByRole('textbox', { name: 'config.json' });
    await area.fill((await area.inputValue()).replace(/,\s*"passcommand": ""/, ''));
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await heading(page, 'Documents');
    await page.getByText('Saved.').waitFor();
    expect(w.engine.configFileErrors()).toEqual([]);
    expect(JSON.parse(await configText()).profiles[0]).not.toHaveProperty('passcommand');
  });
});

describe('Fix Settings… in the menu', () => {
  it('opens the settings at the first setting in error, not at the first profile', async () => {
    await writeConfig(sb.configDir, {
      profiles: [profile('docs', 'Documents'), profile('pics', 'Pictures', { schedule: 'every day at noon' })],
    });
    const w = await openWindow('preferences', { configDir: sb.configDir, viewport: PREFS_SIZE, query: '?section=errors' });
    windows.push(w);
    await heading(w.page, 'Pictures');
    // The tab of the setting in error is the one shown (its name says it has errors).
    await poll(() => w.page.locator('.section-tabs [aria-current="page"]').textContent()).toMatch(/^Schedule/);
    expect(w.pageErrors).toEqual([]);
  });
});
