#!/usr/bin/env node
/* global window, document, requestAnimationFrame, PerformanceObserver -- used inside page.evaluate(), which runs in the browser */
/**
 * Benchmark: how fast the status window shows real data, and what a log flood costs it.
 *
 *   1. First paint with the cards: 10 hourly profiles with 1,000 history records each, the built
 *      status window (dist-renderer/) in Debian's Chromium, bridged to a real Engine in this process
 *      through the same dispatcher, outbox and client the app uses. Measured in the page, from
 *      navigation start to the first contentful paint (the window paints nothing before it has the
 *      snapshot, so that paint is the cards) and to the frame after the cards were rendered.
 *        - "running app": the engine has been up (history summaries, borg's version and the
 *          schedule facts known, files watched), as when the user opens the window from the tray;
 *        - "app just started": a new Engine for each window, nothing in memory.
 *      borgPath points at a script that counts its starts: the window must not start borg (goal 0).
 *      Goal: under 100 ms.
 *   2. A log flood of 5,000 lines a second into the window for 5 s, against 5 s of quiet: the
 *      renderer's main-thread busy time per second (Chrome DevTools Protocol Performance.getMetrics:
 *      TaskDuration, and its script/layout/style parts), frames per second, long tasks, the largest
 *      frame gap, the log pane's DOM size, and messages per second into the window.
 *
 * Usage: npm run build && node bench/window-paint.mjs [--rounds N (20)] [--flood-seconds N (5)]
 * Prints a markdown table, then one JSON line with every figure.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { chromium } from 'playwright-core';
import { machineInfo, positiveInt, progress, say } from './lib-report.mjs';
import { median } from './lib-proc.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..');
const DIST = path.join(ROOT, 'dist');
const PAINT_GOAL_MS = 100;
const PROFILES = 10;
const RECORDS = 1000;
const HOUR = 3_600_000;

const { values: opt } = parseArgs({
  options: {
    rounds: { type: 'string' },
    'flood-seconds': { type: 'string' },
    keep: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (opt.help) {
  say('node bench/window-paint.mjs [--rounds N (20)] [--flood-seconds N (5)] [--keep]');
  process.exit(0);
}
const ROUNDS = positiveInt('rounds', opt.rounds, 20);
const FLOOD_S = positiveInt('flood-seconds', opt['flood-seconds'], 5);
for (const f of ['engine.js', 'ipc/handlers.js', 'ipc/outbox.js', 'ipc/feed.js']) {
  if (!fs.existsSync(path.join(DIST, f))) {
    process.stderr.write(`${path.join(DIST, f)} is missing: run "npm run build" first.\n`);
    process.exit(2);
  }
}

const { Engine } = await import(pathToFileURL(path.join(DIST, 'engine.js')).href);
const { MemorySecretStore } = await import(pathToFileURL(path.join(DIST, 'secrets/keyring.js')).href);
const { appSnapshot, createDispatcher } = await import(pathToFileURL(path.join(DIST, 'ipc/handlers.js')).href);
const { Outbox } = await import(pathToFileURL(path.join(DIST, 'ipc/outbox.js')).href);
const { feedWindow } = await import(pathToFileURL(path.join(DIST, 'ipc/feed.js')).href);
const { buildRenderer } = await import(pathToFileURL(path.join(ROOT, 'scripts/build-renderer.mjs')).href);

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'dandelion-paint-bench-'));
const out = path.join(work, 'dist-renderer');
progress('building the status window');
await buildRenderer(out, { windows: ['status'], preload: false });

// ---- a config dir with real data and a borg that counts its starts -----------------------------------

const realBorg = execFileSync('sh', ['-c', 'command -v borg'], { encoding: 'utf8' }).trim();
const countFile = path.join(work, 'borg-starts');
fs.writeFileSync(countFile, '');
const borgPath = path.join(work, 'counting-borg');
fs.writeFileSync(borgPath, `#!/bin/sh\necho "$*" >> '${countFile}'\nexec '${realBorg}' "$@"\n`, { mode: 0o755 });
const borgStarts = () => fs.readFileSync(countFile, 'utf8').split('\n').filter(Boolean).length;

const configDir = path.join(work, 'config');
fs.mkdirSync(path.join(configDir, 'history'), { recursive: true });
const now = Date.now();
const profiles = [];
for (let p = 0; p < PROFILES; p++) {
  const id = `profile-${p}`;
  const repository = path.join(work, 'repos', id);
  profiles.push({ id, name: `Profile ${p + 1}`, repository, sources: [path.join(work, 'src')], schedule: '0 * * * *', encryption: 'none' });
  // Records as src/jobs/history.ts appends them: one JSON line per run, oldest first.
  const lines = [];
  for (let i = 0; i < RECORDS; i++) {
    const start = now - (RECORDS - i) * HOUR + 60_000;
    const ok = i % 50 !== 7 && !(p === 3 && i === RECORDS - 1);
    lines.push(
      JSON.stringify({
        profile: id,
        trigger: 'schedule',
        startedAt: new Date(start).toISOString(),
        finishedAt: new Date(start + 95_000).toISOString(),
        result: ok ? 'success' : 'error',
        archive: ok ? `host-${id}-${new Date(start).toISOString().slice(0, 19)}` : null,
        stats: ok
          ? {
              originalSize: 52_000_000_000,
              compressedSize: 31_000_000_000,
              deduplicatedSize: 4_200_000,
              nfiles: 412_345,
              durationSeconds: 95,
            }
          : null,
        message: ok ? null : 'The connection to backup.example.org was lost.',
        diagnoses: ok
          ? []
          : [{ kind: 'connection-lost', message: 'The connection to backup.example.org was lost.', fix: 'Check the network.' }],
        log: null,
        repository,
      }),
    );
  }
  fs.writeFileSync(path.join(configDir, 'history', `${id}.jsonl`), lines.join('\n') + '\n', { mode: 0o600 });
}
fs.writeFileSync(path.join(configDir, 'config.json'), JSON.stringify({ borgPath, profiles }, null, 2));

// ---- the bridge, as test/browser/harness.ts builds it ---------------------------------------------------

const bridge = (
  await esbuild.build({
    stdin: {
      // As the harness's bridge, plus a mark around the first `status` call: where the time goes.
      contents: `import { createApi } from './src/ipc/client.ts';
        window.dandelion = createApi(
          async (n, a) => {
            const first = n === 'status' && !performance.getEntriesByName('status:start').length;
            if (first) performance.mark('status:start');
            const r = await window.__dandelionInvoke(n, a);
            if (first) performance.mark('status:end');
            return r;
          },
          (l) => { window.__dandelionEvents = l; },
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
).outputFiles[0].text;

const host = {
  platform: 'darwin',
  version: 'bench',
  fullDiskAccess: () => 'granted',
  login: () => ({ openAtLogin: true, status: 'enabled' }),
  setLogin: (openAtLogin) => ({ openAtLogin, status: 'enabled' }),
  pickFolder: async () => null,
  pickFile: async () => null,
  saveFile: async () => null,
  openPath: async () => true,
  openExternal: async () => {},
  openWindow: () => {},
};

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu'],
});

/**
 * One browser window for every round, as the app keeps one renderer for its status window: each
 * round navigates it anew (a new document, new scripts, new state) with a new outbox and dispatcher.
 * A new browser context per round would also measure headless Chromium making a window (it loads
 * its own omnibox WebUI each time, on the same two cores).
 */
const context = await browser.newContext({ viewport: { width: 420, height: 560 }, locale: 'en-US' });
const page = await context.newPage();
let current = null;
await page.exposeFunction('__dandelionInvoke', (name, args) => current.dispatch(name, args));
await page.addInitScript({ content: bridge });
const url = pathToFileURL(path.join(out, 'status.html')).href;

/** Loads the status window on `engine`; resolves when the cards have been painted. */
async function openWindow(engine) {
  let closed = false;
  const outbox = new Outbox({
    send: (batch) => {
      if (!closed) page.evaluate((b) => window.__dandelionEvents?.(b), batch).catch(() => {});
    },
  });
  const dispatch = createDispatcher({ engine, host, ready: () => outbox.markReady() });
  const unfeed = feedWindow(engine, outbox, (s) => appSnapshot(host, s));
  current = { dispatch };
  await page.goto(url);
  await page.waitForFunction(() => performance.getEntriesByName('dandelion:cards-painted').length > 0, null, { timeout: 30_000 });
  const t = await page.evaluate(() => ({
    script: performance.getEntriesByName('status:start')[0].startTime,
    status: performance.getEntriesByName('status:end')[0].startTime - performance.getEntriesByName('status:start')[0].startTime,
    fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null,
    rendered: performance.getEntriesByName('dandelion:cards')[0].startTime,
    painted: performance.getEntriesByName('dandelion:cards-painted')[0].startTime,
    cards: document.querySelectorAll('section.card').length,
  }));
  if (t.cards !== PROFILES) throw new Error(`the window shows ${t.cards} cards, not ${PROFILES}`);
  return {
    outbox,
    t,
    close: async () => {
      closed = true;
      unfeed();
      outbox.close();
      await page.goto('about:blank');
    },
  };
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { median: median(s), p95: s[Math.min(s.length - 1, Math.floor(s.length * 0.95))], max: s[s.length - 1] };
};
const ms = (x) => `${x.toFixed(1)} ms`;

// ---- 1. first paint ---------------------------------------------------------------------------------------

progress('warming up: history summaries, borg version, schedule facts');
const startsBeforeWarmup = borgStarts();
const { engine } = await Engine.open({ configDir, busy: 'wait', secrets: new MemorySecretStore() });
const warm = await engine.snapshot();
if (warm.borg.state !== 'found') throw new Error(`borg: ${JSON.stringify(warm.borg)}`);
const warmupStarts = borgStarts() - startsBeforeWarmup;
// As the supervisor does in the app: history/, locks/ and cache/ are watched, so the snapshot reads nothing unchanged.
engine.watchingFiles = true;
await engine.snapshot();
// Chromium's own first start (fonts, caches) is not the window's cost.
await (await openWindow(engine)).close();

const before = borgStarts();
const running = { script: [], status: [], fcp: [], rendered: [], painted: [] };
progress(`${ROUNDS} windows in a running app`);
for (let i = 0; i < ROUNDS; i++) {
  const w = await openWindow(engine);
  for (const k of Object.keys(running)) running[k].push(w.t[k]);
  await w.close();
}
const fresh = { script: [], status: [], fcp: [], rendered: [], painted: [] };
progress(`${ROUNDS} windows of a just-started app (a new Engine each)`);
for (let i = 0; i < ROUNDS; i++) {
  const { engine: e } = await Engine.open({ configDir, busy: 'wait', secrets: new MemorySecretStore() });
  const w = await openWindow(e);
  for (const k of Object.keys(fresh)) fresh[k].push(w.t[k]);
  await w.close();
  await e.cancelAll();
}
const paintStarts = borgStarts() - before;

// ---- 2. a log flood ------------------------------------------------------------------------------------------

progress(`log flood: 5,000 lines/s for ${FLOOD_S} s`);
const w = await openWindow(engine);
const cdp = await context.newCDPSession(page);
await cdp.send('Performance.enable', { timeDomain: 'timeTicks' });
await page.evaluate(() => {
  const g = { frames: 0, maxGap: 0, longTasks: 0, longTaskMs: 0, last: performance.now(), on: false };
  window.__bench = g;
  const loop = (t) => {
    if (g.on) {
      g.frames++;
      g.maxGap = Math.max(g.maxGap, t - g.last);
    }
    g.last = t;
    requestAnimationFrame(loop);
  };
  requestAnimationFrame(loop);
  new PerformanceObserver((list) => {
    if (!g.on) return;
    for (const e of list.getEntries()) {
      g.longTasks++;
      g.longTaskMs += e.duration;
    }
  }).observe({ type: 'longtask' });
});
const metric = async () => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));

/**
 * `mode`: 'quiet'; 'bridge' (the engine emits 5,000 lines/s, the outbox batches them and the test
 * bridge delivers each batch with a CDP call); 'in-page' (the same batches, 200 lines every 100 ms
 * as the outbox sends them at that rate, made by a timer in the page: the window's own cost
 * without the bridge's).
 */
async function measure(seconds, mode) {
  const flood = mode === 'bridge';
  await page.evaluate(() => {
    Object.assign(window.__bench, { frames: 0, maxGap: 0, longTasks: 0, longTaskMs: 0, last: performance.now(), on: true });
  });
  const m0 = await metric();
  const sent0 = w.outbox.sent;
  const t0 = performance.now();
  let n = 0;
  const profile = 'profile-0';
  const timer = flood
    ? setInterval(() => {
        const stamp = new Date().toISOString();
        const lines = [];
        for (let i = 0; i < 100; i++) lines.push(`${stamp} A /Users/someone/Documents/project/src/module-${n % 97}/file-${n++}.ts`);
        engine.emit('log', { profile, lines });
      }, 20)
    : null;
  if (mode === 'in-page') {
    await page.evaluate(() => {
      let k = 0;
      window.__flood = setInterval(() => {
        const stamp = new Date().toISOString();
        const lines = [];
        for (let i = 0; i < 200; i++) lines.push(`${stamp} A /Users/someone/Documents/project/src/module-${k % 97}/file-${k++}.ts`);
        window.__dandelionEvents([{ event: 'log', payload: { profile: 'profile-0', lines, dropped: 300 } }]);
        window.__floodLines = k;
      }, 100);
    });
  }
  const domSizes = [];
  while (performance.now() - t0 < seconds * 1000) {
    await new Promise((r) => setTimeout(r, 250));
    domSizes.push(await page.evaluate(() => document.querySelector('.log-lines').querySelectorAll('*').length));
  }
  if (timer) clearInterval(timer);
  if (mode === 'in-page') n = await page.evaluate(() => (clearInterval(window.__flood), window.__floodLines * 2.5));
  const elapsed = (performance.now() - t0) / 1000;
  const m1 = await metric();
  const g = await page.evaluate(() => {
    window.__bench.on = false;
    return { ...window.__bench };
  });
  const per = (k) => ((m1[k] - m0[k]) * 1000) / elapsed;
  return {
    linesPerSecond: n / elapsed,
    busyMsPerSecond: per('TaskDuration'),
    scriptMsPerSecond: per('ScriptDuration'),
    layoutMsPerSecond: per('LayoutDuration'),
    styleMsPerSecond: per('RecalcStyleDuration'),
    framesPerSecond: g.frames / elapsed,
    maxFrameGapMs: g.maxGap,
    longTasks: g.longTasks,
    longTaskMs: g.longTaskMs,
    maxLogNodes: Math.max(...domSizes),
    messagesPerSecond: (w.outbox.sent - sent0) / elapsed,
  };
}

const quiet = await measure(FLOOD_S, 'quiet');
const flood = await measure(FLOOD_S, 'bridge');
const inPage = await measure(FLOOD_S, 'in-page');
await w.close();
await engine.cancelAll();
await browser.close();
if (!opt.keep) fs.rmSync(work, { recursive: true, force: true });

// ---- report ----------------------------------------------------------------------------------------------------

say(
  `\nStatus window, ${PROFILES} profiles × ${RECORDS.toLocaleString('en-US')} history records, ${ROUNDS} windows each (goal < ${PAINT_GOAL_MS} ms, no borg started)\n`,
);
say('| first paint with the cards (median of the windows) | running app | app just started |');
say('| --- | --- | --- |');
const med = (xs) => ms(median(xs.filter((x) => x !== null)));
say(`| navigation → the window asks for the status (page, styles and script loaded) | ${med(running.script)} | ${med(fresh.script)} |`);
say(`| the status call, through the test bridge (CDP binding; snapshot of 10 profiles) | ${med(running.status)} | ${med(fresh.status)} |`);
say(`| navigation → cards rendered | ${med(running.rendered)} | ${med(fresh.rendered)} |`);
say(`| **navigation → first frame with the cards** | **${med(running.painted)}** | **${med(fresh.painted)}** |`);
say(`| the same, 95th percentile | ${ms(stats(running.painted).p95)} | ${ms(stats(fresh.painted).p95)} |`);
say(`\nborg processes started while the windows painted: ${paintStarts} (goal 0); during the warm-up (version probe): ${warmupStarts}\n`);
const row = (label, f) => say(`| ${label} | ${[quiet, flood, inPage].map(f).join(' | ')} |`);
say('| log flood, per second | quiet | 5,000 lines/s through the test bridge | the same batches made in the page |');
say('| --- | --- | --- | --- |');
row('lines', (x) => Math.round(x.linesPerSecond).toLocaleString('en-US'));
row('messages into the window', (x) => x.messagesPerSecond.toFixed(1));
row('renderer main-thread busy (TaskDuration)', (x) => ms(x.busyMsPerSecond));
row('— of which script', (x) => ms(x.scriptMsPerSecond));
row('— of which layout + style', (x) => ms(x.layoutMsPerSecond + x.styleMsPerSecond));
row('frames', (x) => x.framesPerSecond.toFixed(0));
row('largest gap between frames', (x) => ms(x.maxFrameGapMs));
row('long tasks (> 50 ms)', (x) => x.longTasks);
row('log pane DOM elements, most seen', (x) => x.maxLogNodes);
say('');
say(
  JSON.stringify({
    bench: 'window-paint',
    machine: machineInfo(),
    profiles: PROFILES,
    records: RECORDS,
    rounds: ROUNDS,
    running,
    fresh,
    borgStartsDuringPaint: paintStarts,
    borgStartsDuringWarmup: warmupStarts,
    quiet,
    flood,
    inPage,
  }),
);
if (paintStarts !== 0) process.exitCode = 1;
