/**
 * The built app starts on a real Mac: the tray gets its menu, "Open status window" opens a window
 * whose preload reaches the engine. Electron itself cannot be downloaded on the Linux build
 * machines, so this runs only in the macOS workflow (.github/workflows/macos.yml), after
 * `npm run build && npm run build:app && npm run build:renderer`:
 *
 *   DANDELION_E2E=1 npx vitest run test/macos
 *
 * vitest.config.ts leaves test/macos out of the default `npm test` run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const enabled = process.platform === 'darwin' && process.env.DANDELION_E2E === '1';
const why = enabled ? '' : ' (skipped: needs macOS and DANDELION_E2E=1, after the app and windows are built; the macOS workflow runs it)';

/** What the main process puts on its global when DANDELION_TEST_HOOKS=1. */
interface TestHooks {
  tray(): { menu: unknown[] } | null;
  openStatus(): Promise<void>;
}

describe.skipIf(!enabled)(`Dandelion.app starts${why}`, () => {
  let electronApp: ElectronApplication;
  let configDir: string;

  beforeAll(async () => {
    configDir = mkdtempSync(path.join(os.tmpdir(), 'dandelion-e2e-'));
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
    Object.assign(env, { DANDELION_CONFIG_DIR: configDir, DANDELION_TEST_HOOKS: '1' });
    electronApp = await _electron.launch({ args: ['.'], cwd: root, env, timeout: 60_000 });
  }, 120_000);

  afterAll(async () => {
    await electronApp?.close();
    if (configDir) rmSync(configDir, { recursive: true, force: true });
  });

  it('puts a tray with a menu in the menu bar', async () => {
    await expect
      .poll(() => electronApp.evaluate(() => (globalThis as { __dandelion?: TestHooks }).__dandelion?.tray()?.menu.length ?? 0), {
        timeout: 30_000,
      })
      .toBeGreaterThan(0);
  });

  it('opens the status window, which reads the engine through the preload', async () => {
    await electronApp.evaluate(() => (globalThis as { __dandelion?: TestHooks }).__dandelion!.openStatus());
    // The status page among the app's windows (the app may have opened another one by itself).
    let statusWindow: Page | undefined;
    await expect
      .poll(() => (statusWindow = electronApp.windows().find((w) => /\/status\.html$/.test(new URL(w.url()).pathname))) !== undefined, {
        timeout: 30_000,
      })
      .toBe(true);
    await statusWindow!.waitForLoadState('domcontentloaded');
    const status = await statusWindow!.evaluate(() => window.dandelion.status());
    // An empty config folder: no profiles yet, and an answer rather than a diagnosis.
    expect(status).toMatchObject({ ok: true, value: { profiles: [] } });
  });
});
