#!/usr/bin/env node
/**
 * Benchmark: what does `dandelion run` cost on top of borg itself?
 *
 *   1. Engine overhead vs plain borg: wall time of `dandelion run` (create → prune → compact) against
 *      the same three borg commands with the same argv and environment, run directly. A first backup
 *      of a fresh repository and an incremental one of the unchanged tree (the daily case). Goal: ≤ 3 %.
 *   2. Peak RSS of the CLI while borg lists ≥ 500k files (file_status lines), and again with half as
 *      many, to show memory does not grow with the file count. Goal: < 150 MB and flat.
 *
 * Usage: npm run build && node bench/engine-overhead.mjs
 *          [--files N] [--status-lines N] [--rounds N] [--quick] [--fake-borg] [--only overhead|rss] [--keep]
 * Prints a table, then one JSON line with every figure.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { Buffer } from 'node:buffer';
import { makeSmallFileTree, makeTinyFileTree } from './lib-tree.mjs';
import { hasProc, live, median, mustRun, run, sampleRss } from './lib-proc.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const RSS_HOOK = path.join(HERE, 'lib-rss-hook.mjs');
const FAKE_BORG = path.join(HERE, 'lib-fake-borg.mjs');
const OVERHEAD_GOAL_PCT = 3;
const RSS_GOAL_MB = 150;
/** RSS "does not grow": twice the files may cost at most this much more peak RSS. */
const RSS_GROWTH_TOLERANCE_MB = 10;
const TREE_TIME_LIMIT_S = 180;

const { values: opt } = parseArgs({
  options: {
    files: { type: 'string' },
    'status-lines': { type: 'string' },
    rounds: { type: 'string' },
    quick: { type: 'boolean', default: false },
    'fake-borg': { type: 'boolean', default: false },
    only: { type: 'string' },
    keep: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (opt.help) {
  process.stdout.write(
    'node bench/engine-overhead.mjs [--files N (20000)] [--status-lines N (500000)] [--rounds N (3)]\n' +
      '                               [--quick] [--fake-borg] [--only overhead|rss] [--keep]\n',
  );
  process.exit(0);
}

function positiveInt(name, value, fallback) {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) {
    process.stderr.write(`--${name} needs a positive whole number, not "${value}"\n`);
    process.exit(2);
  }
  return n;
}

const FILES = positiveInt('files', opt.files, opt.quick ? 2000 : 20000);
const STATUS_LINES = positiveInt('status-lines', opt['status-lines'], opt.quick ? 50000 : 500000);
const ROUNDS = positiveInt('rounds', opt.rounds, opt.quick ? 1 : 3);
const ONLY = opt.only ?? null;
if (ONLY && ONLY !== 'overhead' && ONLY !== 'rss') {
  process.stderr.write('--only takes "overhead" or "rss"\n');
  process.exit(2);
}

if (!fs.existsSync(CLI)) {
  process.stderr.write(`${CLI} is missing: run "npm run build" first (or "npm run bench").\n`);
  process.exit(2);
}

// The engine's own argv builders, environment and profile defaults, so plain borg gets exactly what the engine gives it.
const dist = (p) => import(pathToFileURL(path.join(ROOT, 'dist', p)).href);
const { createArgs, pruneArgs, compactArgs, initArgs } = await dist('borg/argv.js');
const { borgEnv } = await dist('borg/env.js');
const { featuresFor } = await dist('borg/features.js');
const { locateBorg } = await dist('borg/locate.js');
const { profileSchema } = await dist('profiles/schema.js');

const benchStart = performance.now();
const WORK = fs.mkdtempSync(path.join(os.tmpdir(), 'dandelion-bench-'));
const NO_SECRET = { kind: 'none' };

function cleanup() {
  for (const child of live) {
    try {
      child.kill('SIGINT');
    } catch {
      /* gone */
    }
  }
  if (opt.keep) process.stderr.write(`kept ${WORK}\n`);
  else fs.rmSync(WORK, { recursive: true, force: true });
}
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, () => {
    process.stderr.write(`\n${sig}: cleaning up ${WORK}\n`);
    cleanup();
    process.exit(130);
  });
}

const say = (s = '') => process.stdout.write(s + '\n');
const progress = (s) => process.stderr.write(`  · ${s}\n`);
const secs = (ms) => `${(ms / 1000).toFixed(3)} s`;
const mb = (kb) => (kb === null || kb === undefined || Number.isNaN(kb) ? NaN : kb / 1024);
const fmtMb = (v) => (Number.isNaN(v) ? 'n/a' : `${v.toFixed(1)} MB`);
const pct = (v) => `${v >= 0 ? '+' : ''}${v.toFixed(2)} %`;
const round2 = (v) => Math.round(v * 100) / 100;

function table(headers, rows) {
  const all = [headers, ...rows].map((r) => r.map(String));
  const widths = headers.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const line = (r) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [line(all[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...all.slice(1).map(line)].join('\n');
}

/** One side of a comparison: its own HOME, BORG_BASE_DIR (borg's cache and security dirs), repository and config dir. */
function sideDirs(name) {
  const dir = path.join(WORK, name);
  fs.rmSync(dir, { recursive: true, force: true });
  const d = { dir, home: path.join(dir, 'home'), base: path.join(dir, 'borg-base'), repo: path.join(dir, 'repo'), config: path.join(dir, 'config') };
  for (const p of [d.home, d.base, d.config]) fs.mkdirSync(p, { recursive: true });
  d.env = { PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin', HOME: d.home, BORG_BASE_DIR: d.base, TMPDIR: os.tmpdir() };
  return d;
}

function writeProfile(d, sources, extra = {}) {
  const input = { id: 'p', repository: d.repo, encryption: 'none', sources, ...extra };
  const { borgPath, ...profileInput } = input;
  fs.writeFileSync(path.join(d.config, 'config.json'), JSON.stringify({ ...(borgPath ? { borgPath } : {}), profiles: [profileInput] }, null, 2));
  return profileSchema.parse(profileInput);
}

function engineArgv(profile, features) {
  return {
    create: createArgs({
      repository: profile.repository,
      archiveName: profile.archiveName,
      sources: profile.sources,
      excludes: profile.excludes,
      compression: profile.compression,
      oneFileSystem: profile.oneFileSystem,
      excludeCaches: profile.excludeCaches,
    }),
    prune: profile.prune ? pruneArgs(profile.repository, profile.archiveName, profile.prune, features) : null,
    compact: features.hasCompact ? compactArgs(profile.repository) : null,
  };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function timesOf(n, fn) {
  const out = [];
  for (let i = 0; i < n; i++) out.push(await fn());
  return out;
}

// ---------------------------------------------------------------------------------------------

const borg = await locateBorg(null);
const features = featuresFor(borg.version);
const cpus = os.cpus();
const machine = {
  cpus: cpus.length,
  cpuModel: cpus[0]?.model?.trim() ?? 'unknown',
  totalMemMB: Math.round(os.totalmem() / 1024 / 1024),
  platform: `${os.platform()} ${os.release()} ${os.arch()}`,
  node: process.version,
  tmpdir: os.tmpdir(),
};
const report = { bench: 'engine-overhead', date: new Date().toISOString(), machine, borg: { path: borg.path, version: borg.version.raw } };

say(`Dandelion engine benchmark — ${report.date}`);
say(`machine: ${machine.cpus} CPUs (${machine.cpuModel}), ${(machine.totalMemMB / 1024).toFixed(1)} GiB RAM, ${machine.platform}, node ${machine.node}`);
say(`borg:    ${borg.version.raw} (${borg.path}); temp dir ${WORK}`);

// ---------------------------------------------------------------------------------------------
// 1. Engine overhead vs plain borg

async function overheadBench() {
  const src = path.join(WORK, 'tree');
  progress(`generating ${FILES} small files…`);
  const tree = makeSmallFileTree(src, FILES);
  say();
  say(`1. Engine overhead vs plain borg — ${tree.files} files in ${tree.dirs} folders (3 levels), ${(tree.bytes / 1e6).toFixed(1)} MB, generated in ${tree.seconds.toFixed(1)} s`);

  // Fixed costs, to explain the difference: node + engine start-up, and the `borg --version` the engine runs to find borg.
  const probe = sideDirs('probe');
  writeProfile(probe, [src]);
  const probeEnv = borgEnv(probe.env, { secret: NO_SECRET });
  await mustRun(borg.path, ['--version'], { env: probeEnv }); // warm the page cache for both
  await mustRun(process.execPath, [CLI, '--config-dir', probe.config, 'status', '--json'], { env: probe.env });
  const versionMs = median((await timesOf(5, () => mustRun(borg.path, ['--version'], { env: probeEnv }))).map((r) => r.ms));
  const startupMs = median((await timesOf(5, () => mustRun(process.execPath, [CLI, '--config-dir', probe.config, 'status', '--json'], { env: probe.env }))).map((r) => r.ms));
  fs.rmSync(probe.dir, { recursive: true, force: true });

  const times = { first: { borg: [], engine: [] }, incremental: { borg: [], engine: [] } };
  const borgSteps = { first: [], incremental: [] };
  let shownArgv = null;
  for (let r = 0; r < ROUNDS; r++) {
    const sides = { borg: sideDirs(`round-${r}-borg`), engine: sideDirs(`round-${r}-engine`) };
    const profiles = { borg: writeProfile(sides.borg, [src]), engine: writeProfile(sides.engine, [src]) };
    const argv = engineArgv(profiles.borg, features);
    shownArgv ??= engineArgv(profiles.engine, features);
    const envs = { borg: borgEnv(sides.borg.env, { secret: NO_SECRET }), engine: sides.engine.env };
    // Both repositories are made the same way, outside the timing.
    for (const side of ['borg', 'engine']) await mustRun(borg.path, initArgs(sides[side].repo, 'none'), { env: borgEnv(sides[side].env, { secret: NO_SECRET }) });

    const lastStart = { borg: 0, engine: 0 };
    const once = {
      borg: async () => {
        const steps = [];
        const t0 = performance.now();
        for (const step of ['create', 'prune', 'compact']) {
          if (!argv[step]) continue;
          const res = await mustRun(borg.path, argv[step], { env: envs.borg });
          steps.push(res.ms);
        }
        return { ms: performance.now() - t0, steps };
      },
      engine: async () => {
        const res = await mustRun(process.execPath, [CLI, '--config-dir', sides.engine.config, 'run', 'p'], { env: envs.engine });
        return { ms: res.ms };
      },
    };
    const order = r % 2 === 0 ? ['borg', 'engine'] : ['engine', 'borg'];
    for (const phase of ['first', 'incremental']) {
      for (const side of order) {
        // Archive names come from {now} (second resolution): never two runs into one repository in the same second.
        const wait = lastStart[side] + 1100 - performance.now();
        if (wait > 0) await sleep(wait);
        lastStart[side] = performance.now();
        const res = await once[side]();
        times[phase][side].push(res.ms);
        if (res.steps) borgSteps[phase].push(res.steps);
        progress(`round ${r + 1}/${ROUNDS} ${phase.padEnd(11)} ${side.padEnd(6)} ${secs(res.ms)}`);
      }
    }
    for (const side of ['borg', 'engine']) fs.rmSync(sides[side].dir, { recursive: true, force: true });
  }

  const result = { files: tree.files, bytes: tree.bytes, treeSeconds: round2(tree.seconds), rounds: ROUNDS, argv: shownArgv, goalPct: OVERHEAD_GOAL_PCT };
  result.fixed = { borgVersionMs: round2(versionMs), cliStartupMs: round2(startupMs) };
  const rows = [];
  for (const phase of ['first', 'incremental']) {
    const b = median(times[phase].borg);
    const e = median(times[phase].engine);
    const overheadPct = ((e - b) / b) * 100;
    const stepMedians = ['create', 'prune', 'compact'].map((_, i) => median(borgSteps[phase].map((s) => s[i] ?? NaN)));
    result[phase] = {
      borgMs: times[phase].borg.map(round2),
      engineMs: times[phase].engine.map(round2),
      borgMedianMs: round2(b),
      engineMedianMs: round2(e),
      overheadMs: round2(e - b),
      overheadPct: round2(overheadPct),
      borgStepMedianMs: { create: round2(stepMedians[0]), prune: round2(stepMedians[1]), compact: round2(stepMedians[2]) },
    };
    rows.push([
      phase,
      secs(b),
      secs(e),
      `${e - b >= 0 ? '+' : ''}${(e - b).toFixed(0)} ms`,
      pct(overheadPct),
      overheadPct <= OVERHEAD_GOAL_PCT ? 'ok' : 'OVER',
      `${times[phase].borg.map((x) => (x / 1000).toFixed(2)).join(' ')} / ${times[phase].engine.map((x) => (x / 1000).toFixed(2)).join(' ')}`,
    ]);
  }
  result.pass = result.first.overheadPct <= OVERHEAD_GOAL_PCT && result.incremental.overheadPct <= OVERHEAD_GOAL_PCT;
  say(table(['backup', 'plain borg (median)', 'dandelion run (median)', 'difference', 'overhead', `≤${OVERHEAD_GOAL_PCT}%`, 'each round, s (borg / dandelion)'], rows));
  say(
    `plain borg per step (median, first / incremental): create ${secs(result.first.borgStepMedianMs.create)} / ${secs(result.incremental.borgStepMedianMs.create)}, ` +
      `prune ${secs(result.first.borgStepMedianMs.prune)} / ${secs(result.incremental.borgStepMedianMs.prune)}, ` +
      `compact ${secs(result.first.borgStepMedianMs.compact)} / ${secs(result.incremental.borgStepMedianMs.compact)}`,
  );
  say(`fixed costs in every dandelion run: node + engine start-up ≈ ${result.fixed.cliStartupMs.toFixed(0)} ms ("status --json"), borg --version ≈ ${result.fixed.borgVersionMs.toFixed(0)} ms (finding borg)`);
  say(`argv (both sides): borg ${shownArgv.create.join(' ')}`);
  if (shownArgv.prune) say(`                   borg ${shownArgv.prune.join(' ')}`);
  if (shownArgv.compact) say(`                   borg ${shownArgv.compact.join(' ')}`);
  fs.rmSync(src, { recursive: true, force: true });
  return result;
}

// ---------------------------------------------------------------------------------------------
// 2. Peak RSS while borg emits many file_status lines

function countStatusLines(logFile) {
  // Engine log lines are "<ISO time> <text>"; a file_status is "<status letter> <path>".
  if (!logFile || !fs.existsSync(logFile)) return null;
  const fd = fs.openSync(logFile, 'r');
  const buf = Buffer.alloc(1 << 20);
  let count = 0;
  let rest = '';
  try {
    for (let n = fs.readSync(fd, buf); n > 0; n = fs.readSync(fd, buf)) {
      const lines = (rest + buf.toString('utf8', 0, n)).split('\n');
      rest = lines.pop();
      for (const l of lines) if (/^\S+ [A-Za-z?-] /.test(l)) count++;
    }
  } finally {
    fs.closeSync(fd);
  }
  return count;
}

function lastHistory(configDir) {
  try {
    const lines = fs.readFileSync(path.join(configDir, 'history', 'p.jsonl'), 'utf8').trim().split('\n');
    return JSON.parse(lines.at(-1));
  } catch {
    return null;
  }
}

async function rssRun(label, mode, sources, expectedLines) {
  const d = sideDirs(`rss-${label}`);
  const extra = {};
  if (mode === 'fake') {
    const wrapper = path.join(d.dir, 'fake-borg');
    fs.writeFileSync(wrapper, `#!/bin/sh\nexec '${process.execPath}' '${FAKE_BORG}' "$@"\n`, { mode: 0o755 });
    extra.borgPath = wrapper;
    d.env.DANDELION_FAKE_BORG_LINES = String(expectedLines);
    fs.mkdirSync(d.repo, { recursive: true });
  }
  writeProfile(d, sources, extra);
  if (mode === 'real') await mustRun(borg.path, initArgs(d.repo, 'none'), { env: borgEnv(d.env, { secret: NO_SECRET }) });
  const hookOut = path.join(d.dir, 'rss.json');
  const env = { ...d.env, DANDELION_BENCH_RSS_OUT: hookOut };
  let sampler = null;
  const res = await run(process.execPath, ['--import', pathToFileURL(RSS_HOOK).href, CLI, '--config-dir', d.config, 'run', 'p'], {
    env,
    onSpawn: (child) => {
      if (hasProc) sampler = sampleRss(child.pid, { intervalMs: 50, marker: 'cli.js' });
    },
  });
  const samples = sampler ? sampler.stop() : [];
  if (res.code !== 0) throw new Error(`dandelion run (${label}) exited with ${res.code ?? res.signal}\n${res.stderrTail}`);
  const hook = JSON.parse(fs.readFileSync(hookOut, 'utf8'));
  const record = lastHistory(d.config);
  const statusLines = countStatusLines(record?.log);
  const span = samples.length ? samples.at(-1).t : 0;
  const at = {};
  for (const f of [25, 50, 75, 100]) {
    const s = samples.filter((x) => x.t <= (span * f) / 100).at(-1) ?? samples[0];
    at[f] = s ? round2(mb(s.rssKb)) : NaN;
  }
  const sampledPeakKb = samples.reduce((m, s) => Math.max(m, s.rssKb), 0);
  const hwmPolledKb = samples.reduce((m, s) => Math.max(m, s.hwmKb ?? 0), 0);
  // VmHWM read in-process at exit is exact; without /proc, ru_maxrss is all there is.
  const peakKb = Number.isFinite(hook.hwmKb) && hook.hwmKb > 0 ? hook.hwmKb : hwmPolledKb || sampledPeakKb || hook.maxRssKb;
  fs.rmSync(d.dir, { recursive: true, force: true });
  return {
    label,
    sourceFiles: expectedLines,
    statusLines,
    nfiles: record?.stats?.nfiles ?? null,
    result: record?.result ?? null,
    wallMs: round2(res.ms),
    samples: samples.length,
    peakMB: round2(mb(peakKb)),
    sampledPeakMB: round2(mb(sampledPeakKb)),
    hwmPolledMB: round2(mb(hwmPolledKb)),
    ruMaxRssMB: round2(mb(hook.maxRssKb)),
    rssAtPctMB: at,
  };
}

async function rssBench() {
  say();
  let mode = opt['fake-borg'] ? 'fake' : 'real';
  let tree = null;
  const root = path.join(WORK, 'tiny');
  if (mode === 'real') {
    progress(`generating ${STATUS_LINES} empty files…`);
    tree = makeTinyFileTree(root, STATUS_LINES, { limitSeconds: TREE_TIME_LIMIT_S });
    if (!tree.complete) {
      progress(`too slow (${tree.files} files in ${tree.seconds.toFixed(0)} s, ~${tree.projectedSeconds.toFixed(0)} s projected): using the fake borg`);
      fs.rmSync(root, { recursive: true, force: true });
      mode = 'fake';
    }
  }
  const how =
    mode === 'real'
      ? `real borg ${borg.version.raw}, a tree of ${tree.files} empty files (generated in ${tree.seconds.toFixed(1)} s), --list --filter=AME on a first backup`
      : `FAKE borg (bench/lib-fake-borg.mjs) writing the file_status lines at full speed${tree && !tree.complete ? ` — generating real files was too slow (~${tree.projectedSeconds.toFixed(0)} s projected)` : ''}`;
  say(`2. Peak RSS of \`dandelion run\` while borg lists the files — ${how}`);
  const half = Math.ceil(STATUS_LINES / 2);
  const runs = [];
  const plan = [
    { label: 'full', lines: STATUS_LINES, sources: [root] },
    { label: 'half', lines: half, sources: [path.join(root, 'part-0')] },
  ];
  for (const p of plan) {
    progress(`dandelion run over ${p.lines} files (${mode} borg), sampling RSS every 50 ms…`);
    const r = await rssRun(p.label, mode, mode === 'real' ? p.sources : ['/bench/fake'], p.lines);
    progress(`  ${secs(r.wallMs)}, peak ${fmtMb(r.peakMB)}`);
    runs.push(r);
  }
  if (tree) fs.rmSync(root, { recursive: true, force: true });
  const growthMB = round2(runs[0].peakMB - runs[1].peakMB);
  const pass = runs.every((r) => r.peakMB < RSS_GOAL_MB) && growthMB <= RSS_GROWTH_TOLERANCE_MB;
  say(
    table(
      ['files', 'file_status lines', 'wall', 'peak RSS', 'RSS @25%', '@50%', '@75%', '@100%', 'samples', 'max sampled'],
      runs.map((r) => [
        r.sourceFiles,
        r.statusLines ?? 'n/a',
        secs(r.wallMs),
        fmtMb(r.peakMB),
        fmtMb(r.rssAtPctMB[25]),
        fmtMb(r.rssAtPctMB[50]),
        fmtMb(r.rssAtPctMB[75]),
        fmtMb(r.rssAtPctMB[100]),
        r.samples,
        fmtMb(r.sampledPeakMB),
      ]),
    ),
  );
  say(`peak RSS = VmHWM of the CLI process read in-process at exit; growth for ${(STATUS_LINES / half).toFixed(1)}× the files: ${growthMB >= 0 ? '+' : ''}${growthMB.toFixed(1)} MB`);
  say(`goal: < ${RSS_GOAL_MB} MB and not growing (≤ ${RSS_GROWTH_TOLERANCE_MB} MB more for 2× the files): ${pass ? 'ok' : 'NOT MET'}`);
  for (const r of runs) {
    if (r.statusLines !== null && r.statusLines < r.sourceFiles) say(`warning: the ${r.label} run logged only ${r.statusLines} file_status lines (expected ${r.sourceFiles})`);
  }
  return { mode, treeSeconds: tree ? round2(tree.seconds) : null, goalMB: RSS_GOAL_MB, runs, growthMB, pass };
}

// ---------------------------------------------------------------------------------------------

let exitCode = 0;
try {
  if (ONLY !== 'rss') report.overhead = await overheadBench();
  if (ONLY !== 'overhead') report.rss = await rssBench();
} catch (err) {
  process.stderr.write(`benchmark failed: ${err?.stack ?? err}\n`);
  report.error = String(err?.message ?? err);
  exitCode = 1;
} finally {
  cleanup();
}
report.totalSeconds = round2((performance.now() - benchStart) / 1000);
say();
say(`total: ${report.totalSeconds.toFixed(1)} s`);
say(JSON.stringify(report));
process.exitCode = exitCode;
