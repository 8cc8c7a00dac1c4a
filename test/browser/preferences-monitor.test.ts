/**
 * Preferences › Schedule › Monitoring against the real engine and a local HTTP server: a saved URL
 * is shown as its host only (the window never receives it, so it can never send it back), Send Test
 * Ping says which host answered and how, a save keeps the saved URL, and a URL that is not http(s)
 * is refused under its field with nothing written.
 */
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { MemorySecretStore } from '../../src/secrets/keyring.js';
import { makeTree, sandbox, writeConfig, type Sandbox } from '../helpers/env.js';
import { axeCheck, openWindow, screenshot, type OpenedWindow } from './harness.js';
import { errorOf, PREFS_SIZE } from './preferences-helpers.js';

const TOKEN = 'f00dfeed-1111-4222-8333-5ec12e7t0ken';
let sb: Sandbox;
let w: OpenedWindow | null = null;
let src: string;
let repo: string;
let server: http.Server;
let port = 0;
let deadPort = 0;
let hits: { method: string; path: string; body: string }[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      hits.push({ method: req.method ?? '', path: new URL(req.url ?? '/', 'http://x').pathname, body: Buffer.concat(chunks).toString() });
      res.end('OK');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  const closed = http.createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  deadPort = (closed.address() as AddressInfo).port;
  await new Promise((resolve) => closed.close(resolve));
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(async () => {
  sb = await sandbox('dandelion-prefs-monitor-');
  src = path.join(sb.dir, 'Documents');
  repo = path.join(sb.dir, 'repo');
  await makeTree(src, 3);
  hits = [];
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

describe('monitoring, in Preferences › Schedule', () => {
  it('shows a saved ping URL by its host only, tests it, and keeps it through a save', async () => {
    const pingUrl = `http://127.0.0.1:${port}/ping/${TOKEN}`;
    const page = await open({ monitor: { pingUrl, ntfyUrl: `http://127.0.0.1:${deadPort}/topic-${TOKEN}` } });
    const ping = page.getByRole('textbox', { name: 'Ping URL' });
    expect(await ping.inputValue()).toBe(`127.0.0.1:${port} (address hidden)`);
    expect(await page.getByRole('textbox', { name: 'ntfy topic URL' }).inputValue()).toBe(`127.0.0.1:${deadPort} (address hidden)`);

    await page.getByRole('button', { name: 'Send Test Ping' }).click();
    const status = page.getByRole('status').filter({ hasText: 'Ping:' });
    await expect.poll(() => status.textContent(), { timeout: 15_000 }).toContain(`Ping: 127.0.0.1:${port} answered HTTP 200. It works.`);
    expect(await status.textContent()).toContain(`ntfy: 127.0.0.1:${deadPort} refused the connection.`);
    // A test goes to Healthchecks' /log: stored with the check, its state unchanged.
    expect(hits).toEqual([
      { method: 'POST', path: `/ping/${TOKEN}/log`, body: expect.stringContaining('Test from Dandelion for Documents') },
    ]);
    await axeCheck(page, { schemes: ['light', 'dark'] });
    await screenshot(page, 'preferences-monitoring');

    await page.getByRole('checkbox', { name: 'Don’t back up automatically on battery power' }).check();
    await save(page);
    await expect.poll(async () => (await config()).profiles[0].skipOnBattery, { timeout: 15_000 }).toBe(true);
    expect((await config()).profiles[0].monitor.pingUrl).toBe(pingUrl);

    // The window never had the URL: not in what the main process answered, not in what the page sent.
    const read = await w!.dispatch('configRead');
    expect(JSON.stringify(read)).not.toContain(TOKEN);
    expect(JSON.stringify(w!.invocations)).not.toContain(TOKEN);
    expect(await page.content()).not.toContain(TOKEN);
    expect(w!.pageErrors).toEqual([]);
  });

  it('refuses a URL that is not http(s) under its field, writes nothing, then saves a typed one', async () => {
    const page = await open();
    const ntfy = page.getByRole('textbox', { name: 'ntfy topic URL' });
    const before = await fs.readFile(path.join(sb.configDir, 'config.json'), 'utf8');
    await ntfy.fill('ftp://ntfy.example/topic');
    await save(page);
    await expect.poll(() => errorOf(ntfy), { timeout: 15_000 }).toBe('Must be an http:// or https:// URL (e.g. https://hc-ping.com/…)');
    expect(await fs.readFile(path.join(sb.configDir, 'config.json'), 'utf8')).toBe(before);

    await ntfy.fill(`https://ntfy.example/${TOKEN}`);
    await save(page);
    await expect
      .poll(async () => (await config()).profiles[0].monitor, { timeout: 15_000 })
      .toEqual({ pingUrl: null, ntfyUrl: `https://ntfy.example/${TOKEN}` });
    // Saved: from now on the window shows the host only.
    await expect.poll(() => ntfy.inputValue(), { timeout: 15_000 }).toBe('ntfy.example (address hidden)');
  });
});

describe('monitoring, in the status window', () => {
  it('notes a ping that did not get through, by host, beside the profile', async () => {
    await writeConfig(sb.configDir, {
      profiles: [
        {
          id: 'docs',
          name: 'Documents',
          repository: repo,
          sources: [src],
          encryption: 'none',
          monitor: { pingUrl: `https://hc-ping.com/${TOKEN}` },
        },
      ],
    });
    await fs.mkdir(path.join(sb.configDir, 'state'), { recursive: true });
    const at = new Date(Date.now() - 5 * 60_000).toISOString();
    await fs.writeFile(
      path.join(sb.configDir, 'state', 'monitor.json'),
      JSON.stringify({ profiles: { docs: { last: { lastPing: at, ok: false, host: 'hc-ping.com' } } } }),
    );
    w = await openWindow('status', { configDir: sb.configDir, secrets: new MemorySecretStore() });
    const note = w.page.getByText(/^Monitoring: the last ping to/);
    await note.waitFor({ timeout: 30_000 });
    expect(await note.textContent()).toBe(
      'Monitoring: the last ping to hc-ping.com did not get through (5 minutes ago). Backups are not affected.',
    );
    expect(await w.page.content()).not.toContain(TOKEN);
  });
});
