/**
 * Drives a built window (dist-renderer/<kind>.html) in Debian's Chromium against a real Engine in
 * the test process, with real borg. The page gets `window.dandelion` from the same `createApi` the
 * preload uses, bridged to the same dispatcher and the same per-window Outbox the main process
 * uses, so a test sees exactly what the app would show.
 *
 *   const w = await openWindow('status', { configDir, host: { fullDiskAccess: () => 'missing' } });
 *   await w.page.getByRole('button', { name: 'Back Up Now' }).click();
 *   expect(w.host.calls).toContainEqual({ method: 'openWindow', args: ['preferences', {...}] });
 *   await screenshot(w.page, 'status-success');   // only with SCREENSHOTS=1, light and dark
 *   await axeCheck(w.page);                        // fails on serious or critical violations
 *   await w.close();
 *
 * One Chromium per test file (closed after the file); each window gets a fresh document in a
 * browser context of its own while it is open (a closed window's context and page serve the next
 * window with the same options).
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { afterAll, expect } from 'vitest';
import * as esbuild from 'esbuild';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { Engine } from '../../src/engine.js';
import { MemorySecretStore, type SecretStore } from '../../src/secrets/keyring.js';
import { appSnapshot, createDispatcher, type Host } from '../../src/ipc/handlers.js';
import { Outbox, type OutboxOptions } from '../../src/ipc/outbox.js';
import { feedWindow } from '../../src/ipc/feed.js';
import type { EventMessage, Outcome } from '../../src/ipc/contract.js';
import type { AxeBuilder } from '@axe-core/playwright';
import { ROOT } from '../helpers/env.js';

export type WindowKind = 'status' | 'preferences' | 'browse';
export type ColorScheme = 'light' | 'dark';

export const DIST = path.join(ROOT, 'dist-renderer');
export const SCREENSHOT_DIR = path.join(ROOT, 'artifacts', 'screenshots');
export const WINDOW_SIZE = { width: 420, height: 560 };

/** Every call the window made of the host, in order. */
export { fakeHost, type FakeHost, type HostCall } from '../helpers/host.js';
import { fakeHost, type FakeHost } from '../helpers/host.js';

export interface OpenOptions {
  configDir: string;
  /** Overrides of the recording fake host (platform, fullDiskAccess, pickFolder, …). */
  host?: Partial<Host>;
  colorScheme?: ColorScheme;
  /** The keyring the engine uses (default: in memory, empty). */
  secrets?: SecretStore;
  /** Use an engine the test opened itself (it is not closed by close()). */
  engine?: Engine;
  viewport?: { width: number; height: number };
  /** Device pixels per CSS pixel (default 2 with SCREENSHOTS=1, like a Retina display; 1 otherwise). */
  scale?: number;
  /** The outbox's options (e.g. a shorter interval); `send` is the harness's own. */
  outbox?: Omit<OutboxOptions, 'send'>;
  /** Navigation: a query string the page is opened with (e.g. `?profile=p&section=passphrase`). */
  query?: string;
  /** Calls whose answer is held back this many ms, as from a busy main process (e.g. `{ configRead: 1500 }`). */
  slowCalls?: Record<string, number>;
}

export interface OpenedWindow {
  page: Page;
  context: BrowserContext;
  engine: Engine;
  host: FakeHost;
  outbox: Outbox;
  /** Calls the dispatcher directly, as the page would (no validation is skipped). */
  dispatch: (name: string, args?: unknown) => Promise<Outcome<unknown>>;
  /** Every call the page made through window.dandelion, in order (name and arguments). */
  invocations: { name: string; args: unknown }[];
  /** Uncaught page errors and console errors: a test can expect this to stay empty. */
  pageErrors: string[];
  close(): Promise<void>;
}

// ---- the build ------------------------------------------------------------------------------------

const sources = (kind: WindowKind) =>
  [
    `renderer/${kind}`,
    `renderer/${kind}.html`,
    'renderer/shared',
    // The browse window shows diagnoses with the status window's components.
    ...(kind === 'browse' ? ['renderer/status'] : []),
    'src/ipc',
    'src/format.ts',
    'scripts/build-renderer.mjs',
  ].map((p) => path.join(ROOT, p));

function newestMtime(p: string): number {
  let st: fs.Stats;
  try {
    st = fs.statSync(p);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const e of fs.readdirSync(p)) newest = Math.max(newest, newestMtime(path.join(p, e)));
  return newest;
}

function oldestOutput(kind: WindowKind): number {
  const outs = [`${kind}.html`, `${kind}.js`, 'style.css'].map((f) => path.join(DIST, f));
  let oldest = Infinity;
  for (const f of outs) {
    try {
      oldest = Math.min(oldest, fs.statSync(f).mtimeMs);
    } catch {
      return 0;
    }
  }
  return oldest;
}

const built = new Map<WindowKind, Promise<void>>();
/**
 * Rebuilds dist-renderer/ when a source is newer than its output. Built into a private folder and
 * moved in file by file (each rename is atomic), so a test file in the other worker never loads a
 * half-written bundle.
 */
export function ensureBuilt(kind: WindowKind): Promise<void> {
  let done = built.get(kind);
  if (done) return done;
  done = (async () => {
    if (oldestOutput(kind) > Math.max(...sources(kind).map(newestMtime))) return;
    const tmp = fs.mkdtempSync(path.join(ROOT, '.dist-renderer-'));
    try {
      const { buildRenderer } = (await import(pathToFileURL(path.join(ROOT, 'scripts/build-renderer.mjs')).href)) as {
        buildRenderer(out: string, opts: { windows: WindowKind[]; preload: boolean }): Promise<string[]>;
      };
      // Only this window: another one half-written in the same tree does not stop this one's tests.
      await buildRenderer(tmp, { windows: [kind], preload: false });
      fs.mkdirSync(DIST, { recursive: true });
      for (const f of fs.readdirSync(tmp)) fs.renameSync(path.join(tmp, f), path.join(DIST, f));
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  })();
  built.set(kind, done);
  return done;
}

let bridge: Promise<string> | null = null;
/** The page's side of the bridge: the contract's own client over two functions the harness exposes. */
function bridgeScript(): Promise<string> {
  bridge ??= esbuild
    .build({
      stdin: {
        contents: `
          import { createApi } from './src/ipc/client.ts';
          window.dandelion = createApi(
            (name, args) => window.__dandelionInvoke(name, args),
            (listener) => { window.__dandelionEvents = listener; },
            // A dropped file's path: the test names it (window.__dandelionDropped[name]), as Electron's webUtils would.
            (file) => (window.__dandelionDropped || {})[file.name] || null,
          );`,
        resolveDir: ROOT,
        loader: 'ts',
      },
      bundle: true,
      format: 'iife',
      target: 'chrome130',
      write: false,
      logLevel: 'silent',
    })
    .then((r) => r.outputFiles[0]!.text);
  return bridge;
}

// ---- the browser ----------------------------------------------------------------------------------

let browser: Promise<Browser> | null = null;
function launch(): Promise<Browser> {
  browser ??= chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--font-render-hinting=none'],
  });
  return browser;
}

afterAll(async () => {
  idle.length = 0;
  if (browser) await (await browser).close();
  browser = null;
});

// ---- pages, used again ----------------------------------------------------------------------------

/** What the page in a slot reaches through the bridge: the window open in it now, if any. */
interface Tenant {
  invoke(name: string, args: unknown): Promise<unknown>;
  pageErrors: string[];
}

/**
 * A browser context with one page, the bridge installed. A new context and page cost a renderer
 * process and about a second of CPU; a closed window's page goes back here and the next window
 * with the same scale loads its document in it, at its own size and colour scheme (a new document:
 * nothing of the last one stays, and the windows keep nothing in storage).
 */
interface Slot {
  key: string;
  context: BrowserContext;
  page: Page;
  tenant: Tenant | null;
  /** The page's event listeners once set up: a page a test added its own to is not used again. */
  listeners: string;
}

const idle: Slot[] = [];

interface ContextOptions {
  viewport: { width: number; height: number };
  deviceScaleFactor: number;
  colorScheme: ColorScheme;
  reducedMotion: 'reduce';
  locale: string;
}

/** Playwright's pages are event emitters; its types leave these two out. */
type Emitter = { eventNames(): (string | symbol)[]; listenerCount(event: string | symbol): number };
const listenersOf = (page: Page) => {
  const e = page as unknown as Emitter;
  return e
    .eventNames()
    .map((n) => `${String(n)}:${e.listenerCount(n)}`)
    .sort()
    .join(' ');
};

async function takeSlot(b: Browser, script: string, options: ContextOptions): Promise<Slot> {
  // What only a context can set; the size and the media are the page's, set again below.
  const key = JSON.stringify([options.deviceScaleFactor, options.reducedMotion, options.locale]);
  const i = idle.findIndex((s) => s.key === key);
  if (i >= 0) {
    const slot = idle.splice(i, 1)[0]!;
    const { page } = slot;
    await page.emulateMedia({ media: null, colorScheme: options.colorScheme, reducedMotion: 'reduce', forcedColors: null, contrast: null });
    const size = page.viewportSize();
    if (size?.width !== options.viewport.width || size.height !== options.viewport.height) await page.setViewportSize(options.viewport);
    return slot;
  }
  const context = await b.newContext(options);
  const page = await context.newPage();
  const slot: Slot = { key, context, page, tenant: null, listeners: '' };
  page.on('pageerror', (e) => slot.tenant?.pageErrors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error' && !underAxe.has(page)) slot.tenant?.pageErrors.push(m.text());
  });
  await page.exposeFunction('__dandelionInvoke', (name: string, args: unknown) => {
    if (!slot.tenant) throw new Error(`${name}: no window is open in this page`);
    return slot.tenant.invoke(name, args);
  });
  await page.addInitScript({ content: script });
  slot.listeners = listenersOf(page);
  return slot;
}

/** Back to the pool on a blank document; closed instead if a test added listeners of its own to the page. */
async function releaseSlot(slot: Slot): Promise<void> {
  slot.tenant = null;
  try {
    if (slot.page.isClosed() || listenersOf(slot.page) !== slot.listeners) throw new Error('not reusable');
    await slot.page.goto('about:blank');
    idle.push(slot);
  } catch {
    await slot.context.close().catch(() => {});
  }
}

// ---- the host ---------------------------------------------------------------------------------------

// ---- a window ---------------------------------------------------------------------------------------

declare global {
  interface Window {
    __dandelionInvoke(name: string, args: unknown): Promise<unknown>;
    __dandelionEvents(batch: EventMessage[]): void;
  }
}

export async function openWindow(kind: WindowKind, opts: OpenOptions): Promise<OpenedWindow> {
  const html = path.join(DIST, `${kind}.html`);
  await ensureBuilt(kind);
  if (!fs.existsSync(html)) throw new Error(`${html} is missing: renderer/${kind}.html and renderer/${kind}/main.tsx must exist`);
  const [b, script] = await Promise.all([launch(), bridgeScript()]);

  const ownEngine = !opts.engine;
  const engine =
    opts.engine ??
    (await Engine.open({ configDir: opts.configDir, busy: 'wait', secrets: opts.secrets ?? new MemorySecretStore() })).engine;
  const host = fakeHost(opts.host);
  const screenshots = process.env.SCREENSHOTS === '1';
  const slot = await takeSlot(b, script, {
    viewport: opts.viewport ?? WINDOW_SIZE,
    deviceScaleFactor: opts.scale ?? (screenshots ? 2 : 1),
    colorScheme: opts.colorScheme ?? 'light',
    reducedMotion: 'reduce',
    locale: 'en-US',
  });
  const { context, page } = slot;
  const pageErrors: string[] = [];

  let closed = false;
  /** Batches on their way into this window's document: awaited at close, so none lands in the next window's. */
  const sending = new Set<Promise<unknown>>();
  const outbox = new Outbox({
    ...opts.outbox,
    send: (batch) => {
      if (closed) return;
      const p = page.evaluate((b) => window.__dandelionEvents?.(b), batch).catch(() => {});
      sending.add(p);
      void p.finally(() => sending.delete(p));
    },
  });
  const dispatch = createDispatcher({ engine, host, ready: () => outbox.markReady() });
  const unfeed = feedWindow(engine, outbox, (s) => appSnapshot(host, s));
  const invocations: { name: string; args: unknown }[] = [];
  slot.tenant = {
    invoke: async (name, args) => {
      invocations.push({ name, args });
      const wait = opts.slowCalls?.[name];
      if (wait) await new Promise((r) => setTimeout(r, wait));
      return dispatch(name, args);
    },
    pageErrors,
  };
  await page.goto(pathToFileURL(html).href + (opts.query ?? ''));

  return {
    page,
    context,
    engine,
    host,
    outbox,
    dispatch: (name, args) => dispatch(name, args ?? {}),
    invocations,
    pageErrors,
    close: async () => {
      closed = true;
      unfeed();
      outbox.close();
      await Promise.allSettled([...sending]);
      await releaseSlot(slot);
      if (ownEngine) await engine.cancelAll();
    },
  };
}

/** Pushes events into the window as the main process would (through its outbox: batched, held until ready). */
export function pushEvents(w: OpenedWindow, ...messages: EventMessage[]): void {
  for (const m of messages) w.outbox.push(m);
}

// ---- evidence -----------------------------------------------------------------------------------------

/** Pages axe is reading: it fetches the stylesheets, which the CSP (connect-src 'none') reports; those are axe's, not the page's. */
const underAxe = new WeakSet<Page>();

async function currentScheme(page: Page): Promise<ColorScheme> {
  return (await page.evaluate(() => matchMedia('(prefers-color-scheme: dark)').matches)) ? 'dark' : 'light';
}

/**
 * With SCREENSHOTS=1: writes artifacts/screenshots/<name>-light.png and <name>-dark.png (the page
 * is switched to each scheme and back). Otherwise does nothing.
 */
export async function screenshot(page: Page, name: string, opts: { schemes?: ColorScheme[]; fullPage?: boolean } = {}): Promise<string[]> {
  if (process.env.SCREENSHOTS !== '1') return [];
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const was = await currentScheme(page);
  const written: string[] = [];
  for (const scheme of opts.schemes ?? ['light', 'dark']) {
    await page.emulateMedia({ colorScheme: scheme });
    // Two frames: the new colours are styled and painted before the picture is taken.
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const file = path.join(SCREENSHOT_DIR, `${name}-${scheme}.png`);
    await page.screenshot({ path: file, fullPage: opts.fullPage ?? false, animations: 'disabled', caret: 'hide' });
    written.push(file);
  }
  await page.emulateMedia({ colorScheme: was });
  return written;
}

/**
 * Runs axe (WCAG 2.x A/AA and best practices) and fails the test on any serious or critical
 * violation, naming the rule and the elements. `schemes` checks each colour scheme in turn
 * (contrast differs); the default is the page's current one.
 */
export async function axeCheck(page: Page, opts: { schemes?: ColorScheme[]; exclude?: string[] } = {}): Promise<void> {
  const was = await currentScheme(page);
  underAxe.add(page);
  try {
    for (const scheme of opts.schemes ?? [was]) await axeOnce(page, scheme, was, opts.exclude ?? []);
  } finally {
    underAxe.delete(page);
  }
  if ((opts.schemes ?? [was]).some((s) => s !== was)) await page.emulateMedia({ colorScheme: was });
}

type AxeResults = Awaited<ReturnType<AxeBuilder['analyze']>>;
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];

async function axeOnce(page: Page, scheme: ColorScheme, was: ColorScheme, exclude: string[]): Promise<void> {
  if (scheme !== was) await page.emulateMedia({ colorScheme: scheme });
  const result = page.frames().length > 1 ? await axeWithFrames(page, exclude) : await axeInPage(page, exclude);
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const report = bad.map(
    (v) => `${v.id} (${v.impact}): ${v.help}\n${v.nodes.map((n) => `    ${n.target.join(' ')} — ${n.failureSummary ?? ''}`).join('\n')}`,
  );
  expect(report, `axe in ${scheme}`).toEqual([]);
}

let axeSource: string | null = null;

/**
 * axe-core's own run in a page of one frame: what @axe-core/playwright does in each frame before it
 * finishes the run in a blank page of its own (a new renderer process, axe parsed twice, every run).
 * Here axe is put into the document once and run there, with the same rules and context.
 */
async function axeInPage(page: Page, exclude: string[]): Promise<AxeResults> {
  if (!(await page.evaluate(() => typeof (window as { axe?: unknown }).axe === 'object'))) {
    // The axe-core that @axe-core/playwright itself loads (it depends on it; this package does not directly).
    const fromBuilder = createRequire(createRequire(import.meta.url).resolve('@axe-core/playwright'));
    axeSource ??= fs.readFileSync(fromBuilder.resolve('axe-core/axe.min.js'), 'utf8');
    await page.evaluate(`${axeSource}\n;axe.configure({ allowedOrigins: ['<same_origin>'], branding: { application: 'playwright' } });`);
  }
  return page.evaluate(
    ({ context, options }) =>
      (window as unknown as { axe: { run(c: unknown, o: unknown): Promise<AxeResults> } }).axe.run(context, options),
    { context: { include: [], exclude }, options: { runOnly: { type: 'tag', values: AXE_TAGS } } },
  );
}

/** A page with frames: @axe-core/playwright, which puts axe into each frame and joins the results. */
async function axeWithFrames(page: Page, exclude: string[]): Promise<AxeResults> {
  const { AxeBuilder } = await import('@axe-core/playwright');
  let builder = new AxeBuilder({ page }).withTags(AXE_TAGS);
  for (const sel of exclude) builder = builder.exclude(sel);
  return builder.analyze();
}
