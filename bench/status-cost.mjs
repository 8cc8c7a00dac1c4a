#!/usr/bin/env node
/**
 * Benchmark: does a glance stay cheap for years?
 *
 *   1. `dandelion status --json` with 10 hourly profiles — one with ten years of hourly history
 *      (87,600 records), nine with 1,000 each — against the same command with no profiles.
 *      Wall, CPU (user + system) and peak RSS, median of N alternating rounds, cold (no cache/ or
 *      summaries yet: the first call after an upgrade) and warm (every later call).
 *      Goal: warm ≤ 1.3× the empty config's wall time, peak RSS within 10 MB of it.
 *   2. In-process: `engine.snapshot()` of the same config in a long-lived engine (files watched),
 *      and the same at 10× the history. Goal: under 5 ms.
 *
 * Usage: npm run build && node bench/status-cost.mjs [--rounds N (5)] [--scale N (10)] [--keep]
 * Prints a table, then one JSON line with every figure.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { machineInfo, positiveInt, progress, say, table } from './lib-report.mjs';
import { childrenCpu, median, mustRun } from './lib-proc.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const RSS_HOOK = path.join(HERE, 'lib-rss-hook.mjs');
const WALL_GOAL = 1.3;
const RSS_GOAL_MB = 10;
const SNAPSHOT_GOAL_MS = 5;

const { values: opt } = parseArgs({
  options: {
    rounds: { type: 'string' },
    scale: { type: 'string' },
    keep: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (opt.help) {
  say('node bench/status-cost.mjs [--rounds N (5)] [--scale N (10)] [--keep]');
  process.exit(0);
}
const ROUNDS = positiveInt('rounds', opt.rounds, 5);
const SCALE = positiveInt('scale', opt.scale, 10);
if (!fs.existsSync(CLI)) {
  process.stderr.write(`${CLI} is missing: run "npm run build" first.\n`);
  process.exit(2);
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'dandelion-status-bench-'));
const HOUR = 3_600_000;

function record(profile, repository, i, count, now) {
  const start = now - (count - i) * HOUR;
  const ok = i % 50 !== 7;
  return JSON.stringify({
    profile,
    trigger: 'schedule',
    startedAt: new Date(start).toISOString(),
    finishedAt: new Date(start + 95_000).toISOString(),
    result: ok ? 'success' : 'error',
    archive: ok ? `host-${profile}-${new Date(start).toISOString().slice(0, 19)}` : null,
    stats: ok
      ? { originalSize: 52_000_000_000, compressedSize: 31_000_000_000, deduplicatedSize: 4_200_000, nfiles: 412_345, durationSeconds: 95 }
      : null,
    message: ok ? 'Backed up 412345 files' : 'The connection to backup.example.org was lost.',
    diagnoses: ok
      ? []
      : [{ kind: 'connection-lost', message: 'The connection to backup.example.org was lost.', fix: 'Check the network.' }],
    log: `/Users/someone/Library/Application Support/Dandelion/logs/${profile}/${new Date(start).toISOString()}.log`,
    repository,
  });
}

/** A config dir with `profiles` hourly profiles; history: the first has `big` records, the others `small`. */
function makeConfigDir(name, profiles, big, small) {
  const dir = path.join(work, name);
  fs.mkdirSync(path.join(dir, 'history'), { recursive: true });
  const list = [];
  const now = Date.now();
  for (let k = 0; k < profiles; k++) {
    const id = `profile-${k}`;
    const repository = path.join(work, 'repos', id);
    list.push({
      id,
      repository,
      encryption: 'none',
      sources: ['/nonexistent/src'],
      schedule: '0 * * * *',
      archiveName: `{hostname}-${id}-{now}`,
    });
    const n = k === 0 ? big : small;
    const lines = [];
    for (let i = 0; i < n; i++) lines.push(record(id, repository, i, n, now));
    // Written in pieces: 876,000 records are ~320 MB.
    const file = path.join(dir, 'history', `${id}.jsonl`);
    fs.writeFileSync(file, '');
    for (let i = 0; i < lines.length; i += 50_000) fs.appendFileSync(file, lines.slice(i, i + 50_000).join('\n') + '\n');
  }
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ profiles: list }, null, 2));
  return dir;
}

/** One `status --json`: wall, CPU of the child, its peak RSS. */
async function statusOnce(configDir) {
  const rssOut = path.join(work, `rss-${process.pid}.json`);
  const env = { ...process.env, DANDELION_BENCH_RSS_OUT: rssOut, DANDELION_CONFIG_DIR: configDir };
  const before = childrenCpu();
  const t0 = performance.now();
  await mustRun(process.execPath, ['--import', pathToFileURL(RSS_HOOK).href, CLI, 'status', '--json'], { env });
  const ms = performance.now() - t0;
  const after = childrenCpu();
  const rss = JSON.parse(fs.readFileSync(rssOut, 'utf8'));
  return {
    ms,
    cpuMs: before && after ? after.userMs + after.systemMs - before.userMs - before.systemMs : NaN,
    rssMB: (rss.hwmKb ?? rss.maxRssKb) / 1024,
  };
}

function summary(rows) {
  return {
    wallMs: Math.round(median(rows.map((r) => r.ms))),
    cpuMs: Math.round(median(rows.map((r) => r.cpuMs))),
    rssMB: Math.round(median(rows.map((r) => r.rssMB)) * 10) / 10,
  };
}

function clearCaches(dir) {
  fs.rmSync(path.join(dir, 'cache'), { recursive: true, force: true });
  for (const f of fs.readdirSync(path.join(dir, 'history')))
    if (!f.endsWith('.jsonl')) fs.rmSync(path.join(dir, 'history', f), { recursive: true, force: true });
}

async function inProcess(configDir) {
  const { Supervisor } = await import(pathToFileURL(path.join(ROOT, 'dist', 'supervisor.js')).href);
  const { MemorySecretStore } = await import(pathToFileURL(path.join(ROOT, 'dist', 'secrets', 'keyring.js')).href);
  const sup = await Supervisor.open({ configDir, secrets: new MemorySecretStore(), what: 'bench', log: () => {}, mountTable: false });
  await sup.start();
  const t0 = performance.now();
  await sup.engine.snapshot();
  const firstMs = performance.now() - t0;
  const times = [];
  for (let i = 0; i < 200; i++) {
    const t = performance.now();
    await sup.engine.snapshot();
    times.push(performance.now() - t);
  }
  await sup.stop();
  return {
    firstMs: Math.round(firstMs * 10) / 10,
    medianMs: Math.round(median(times) * 1000) / 1000,
    maxMs: Math.round(Math.max(...times) * 100) / 100,
  };
}

try {
  progress('writing history (10 profiles: 87,600 + 9 × 1,000 records; and ×' + SCALE + ')');
  const empty = path.join(work, 'empty');
  fs.mkdirSync(empty, { recursive: true });
  fs.writeFileSync(path.join(empty, 'config.json'), JSON.stringify({ profiles: [] }));
  const full = makeConfigDir('ten-years', 10, 87_600, 1_000);
  const big = makeConfigDir(`ten-years-x${SCALE}`, 10, 87_600 * SCALE, 1_000 * SCALE);
  const historyMB = (d) =>
    Math.round(fs.readdirSync(path.join(d, 'history')).reduce((n, f) => n + fs.statSync(path.join(d, 'history', f)).size, 0) / 1e5) / 10;

  const rows = { empty: [], cold: [], warm: [] };
  await statusOnce(empty); // node's own caches (compile cache, page cache) warm for both sides
  for (let r = 0; r < ROUNDS; r++) {
    progress(`round ${r + 1}/${ROUNDS}`);
    rows.empty.push(await statusOnce(empty));
    clearCaches(full);
    rows.cold.push(await statusOnce(full));
    rows.warm.push(await statusOnce(full));
  }
  const e = summary(rows.empty);
  const c = summary(rows.cold);
  const w = summary(rows.warm);
  progress('in-process snapshots');
  const snap1 = await inProcess(full);
  const snapN = await inProcess(big);

  say(`\n\`dandelion status --json\`, median of ${ROUNDS} (history ${historyMB(full)} MB):\n`);
  say(
    table(
      ['config', 'wall', 'CPU (user+sys)', 'peak RSS', 'wall ÷ empty', 'RSS − empty'],
      [
        ['no profiles', `${e.wallMs} ms`, `${e.cpuMs} ms`, `${e.rssMB} MB`, '1.00', '0'],
        [
          '10 hourly, 10 years, cold',
          `${c.wallMs} ms`,
          `${c.cpuMs} ms`,
          `${c.rssMB} MB`,
          (c.wallMs / e.wallMs).toFixed(2),
          `${(c.rssMB - e.rssMB).toFixed(1)} MB`,
        ],
        [
          '10 hourly, 10 years, warm',
          `${w.wallMs} ms`,
          `${w.cpuMs} ms`,
          `${w.rssMB} MB`,
          (w.wallMs / e.wallMs).toFixed(2),
          `${(w.rssMB - e.rssMB).toFixed(1)} MB`,
        ],
      ],
    ),
  );
  say(`\nIn-process engine.snapshot() with the files watched (200 calls after the first):\n`);
  say(
    table(
      ['history', 'first', 'median', 'max'],
      [
        [`${historyMB(full)} MB`, `${snap1.firstMs} ms`, `${snap1.medianMs} ms`, `${snap1.maxMs} ms`],
        [`${historyMB(big)} MB (×${SCALE})`, `${snapN.firstMs} ms`, `${snapN.medianMs} ms`, `${snapN.maxMs} ms`],
      ],
    ),
  );
  const goals = {
    wall: w.wallMs / e.wallMs <= WALL_GOAL,
    rss: w.rssMB - e.rssMB <= RSS_GOAL_MB,
    snapshot: snap1.medianMs < SNAPSHOT_GOAL_MS && snapN.medianMs < SNAPSHOT_GOAL_MS,
  };
  say(
    `\ngoals: warm wall ≤ ${WALL_GOAL}× empty: ${goals.wall ? 'met' : 'NOT met'}; RSS within ${RSS_GOAL_MB} MB: ${goals.rss ? 'met' : 'NOT met'}; snapshot < ${SNAPSHOT_GOAL_MS} ms: ${goals.snapshot ? 'met' : 'NOT met'}`,
  );
  say(
    JSON.stringify({
      bench: 'status-cost',
      machine: machineInfo(),
      rounds: ROUNDS,
      empty: e,
      cold: c,
      warm: w,
      snapshot: snap1,
      snapshotScaled: { scale: SCALE, ...snapN },
      goals,
      loadavgAtEnd: os.loadavg(),
    }),
  );
} finally {
  if (opt.keep) progress(`kept ${work}`);
  else fs.rmSync(work, { recursive: true, force: true });
}
