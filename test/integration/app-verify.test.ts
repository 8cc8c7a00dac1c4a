/**
 * The menu bar and verification, through the real main process (electron/main.ts) against the
 * recording fake of `electron`, the real engine and real borg: "Verified … · Restore proven …" beside
 * the latest backup, a check run by the CLI in another process noticed, and a damaged repository
 * turning the icon red with "Backups may not be restorable".
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MemorySecretStore } from '../../src/secrets/keyring.js';
import { dandelion, filesUnder, makeTree, sandbox, writeConfig, type Sandbox } from '../helpers/env.js';

vi.mock('electron', () => import('../fakes/electron/index.js'));
const { fake } = await import('../fakes/electron/index.js');
const { startApp, APP_ROOT } = await import('../../electron/main.js');
type App = Awaited<ReturnType<typeof startApp>>;

let sb: Sandbox;
let src: string;
let repo: string;
let running: App | null = null;

async function waitFor(what: string, cond: () => boolean | Promise<boolean>, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; menu: ${fake.menuLabels().join(' | ')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const icon = () => path.basename(fake.tray.image);
const menuText = () => fake.menuLabels().join('\n');

async function start(config: unknown): Promise<App> {
  await writeConfig(sb.configDir, config);
  running = await startApp({
    configDir: sb.configDir,
    log: () => {},
    platform: 'darwin',
    appRoot: APP_ROOT,
    fdaProbe: async () => 'granted',
    secrets: new MemorySecretStore(),
    takeoverPollMs: 200,
  });
  return running;
}

async function corruptSegment(): Promise<void> {
  const segments = await Promise.all((await filesUnder(path.join(repo, 'data'))).map(async (f) => ({ f, size: (await fs.stat(f)).size })));
  const biggest = segments.sort((a, b) => b.size - a.size)[0]!;
  const h = await fs.open(biggest.f, 'r+');
  const at = Math.floor(biggest.size / 2);
  const buf = Buffer.alloc(64);
  await h.read(buf, 0, 64, at);
  for (let i = 0; i < buf.length; i++) buf[i] = buf[i]! ^ 0xff;
  await h.write(buf, 0, 64, at);
  await h.close();
}

beforeEach(async () => {
  fake.reset();
  sb = await sandbox('dandelion-app-verify-');
  process.env.BORG_BASE_DIR = sb.env.BORG_BASE_DIR;
  src = path.join(sb.dir, 'src');
  repo = path.join(sb.dir, 'repo');
  await makeTree(src, 30);
});

afterEach(async () => {
  if (running) {
    await running.engine.cancelAll();
    await running.dispose();
  }
  running = null;
  await sb.cleanup();
});

describe('verification in the menu bar', () => {
  it('shows when the backups were verified and proven restorable, also after a check in another process, and goes red on damage', async () => {
    const profile = { id: 'p', name: 'Backup disk', repository: repo, encryption: 'none', sources: [src], prune: null };
    await writeConfig(sb.configDir, { profiles: [profile] });
    expect((await dandelion(sb, ['init', 'p'])).exitCode).toBe(0);
    expect((await dandelion(sb, ['run', 'p'])).exitCode).toBe(0);
    const app = await start({ profiles: [profile] });
    await waitFor('the latest backup', () => /^Latest backup to /m.test(menuText()));
    expect(menuText()).not.toMatch(/Verified|Restore proven/);

    // The CLI checks in another process: the app learns it from operations/ and says so beside the latest backup.
    const check = await dandelion(sb, ['check', 'p']);
    expect(check.exitCode, check.stderr).toBe(0);
    await waitFor('the verified line', () => menuText().includes('Verified just now · Restore not proven yet'));
    const labels = fake.menuLabels();
    expect(labels.indexOf('Verified just now · Restore not proven yet')).toBe(
      labels.findIndex((l) => l.startsWith('Latest backup to ')) + 1,
    );

    // The drill from the app's own engine.
    const drill = await app.engine.drill('p');
    expect(drill.ok && drill.value.result).toBe('success');
    await waitFor('the proven line', () => menuText().includes('Verified just now · Restore proven just now'));
    expect(icon()).toBe('trayOkTemplate.png');
    expect(fake.tray.tooltip).toMatch(/Verified just now · Restore proven just now\./);

    await corruptSegment();
    const bad = await app.engine.check('p');
    expect(bad.ok && bad.value.result).toBe('error');
    await waitFor('the error icon', () => icon() === 'trayErrorTemplate.png');
    expect(menuText()).toContain('Backups may not be restorable: the last check found damage');
    expect(fake.tray.tooltip).toMatch(/Backup disk — Backups may not be restorable: the storage files of .* are damaged/);
    // Told once, as a failure is, whatever the notification switches say.
    await waitFor('the notification', () =>
      fake.notifications.some((n) => /^Backups may not be restorable: the storage files/.test(n.body)),
    );
    expect(fake.notifications.filter((n) => /may not be restorable/.test(n.body))).toHaveLength(1);
  }, 180_000);
});
