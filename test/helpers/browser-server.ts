/**
 * The `browser` project's Chromium: started once per `vitest run`, before any worker, and shared by
 * every file in test/browser (test/browser/harness.ts connects to it). A launch costs about a second
 * of CPU, which each file used to pay for a Chromium of its own. The price: each of a file's calls now
 * passes through this process's Playwright server, about 1 ms more CPU per round trip than a browser
 * of the file's own (a run of test/browser still spends a few per cent less CPU in all). Each file
 * still opens its own browser contexts (a renderer process each) and closes them before it disconnects.
 *
 * vitest runs a project's globalSetup only when that project has files in the run: a run without
 * browser files never starts it.
 */
import { chromium } from 'playwright-core';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Playwright's endpoint for `chromium.connect()`. */
    browserWsEndpoint: string;
  }
}

/** How the harness launches Chromium on its own too (without this setup, e.g. outside vitest's projects). */
export const CHROMIUM_LAUNCH = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--font-render-hinting=none'],
};

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // Loopback only; the endpoint's path is a fresh random one.
  const server = await chromium.launchServer({ ...CHROMIUM_LAUNCH, host: '127.0.0.1' });
  project.provide('browserWsEndpoint', server.wsEndpoint());
  return () => server.close();
}
