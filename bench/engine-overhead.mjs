#!/usr/bin/env node
/**
 * Benchmark: what does `dandelion run` cost on top of borg itself?
 *
 *   1. Engine overhead vs plain borg: wall time of `dandelion run` (create → prune → compact) against
 *      the same three borg commands with the same argv and environment, run directly. A first backup
 *      of a fresh repository and an incremental one of the unchanged tree (the daily case). Goal: ≤ 3 %.
 *   2. Peak RSS of the CLI while borg lists ≥ 500k files (file_status lines), and again with half as
 *      many, to show memory does not grow with the file count. Goal: < 150 MB and flat.
 *   3. CPU when every file changed: before each round every one of the 20k files is rewritten, so
 *      borg lists, reads and stores each (one file_status line per file). `dandelion run` against
 *      plain borg create → prune → compact with the same argv and environment (its stderr to /dev/null,
 *      or on a pipe drained here, or in a file: --cpu-sides), wall time and CPU (user + system of the whole process
 *      tree: node and borg), paired per round, the order of the three rotating. Goal: CPU ≤ 1.05×,
 *      wall ≤ 1.03× plain borg.
 *
 * Usage: npm run build && node bench/engine-overhead.mjs
 *          [--files N] [--status-lines N] [--rounds N] [--rss-repeats N] [--cpu-rounds N] [--quick]
 *          [--fake-borg] [--only overhead|rss|cpu] [--cli PATH] [--cli-base PATH] [--cpu-sides borgNull,borgPipe,borgFile] [--keep]
 * --cli runs another build's cli.js as `dandelion run` (e.g. a copy of dist/ from before a change).
 * --cli-base adds another build as one more side of section 3, in the same rounds (before/after under the same load).
 * --cpu-sides: which plain-borg sides section 3 runs (default borgNull: stderr to /dev/null, the goal's baseline).
 * --cpu-cache: each side of section 3 starts with the changed tree in the page cache (warm, the default) or
 *   out of it (cold). borg drops what it reads from the cache, so without this the side that runs first
 *   in a round read a warm tree and the others a cold one: twice the CPU on the VM measured.
 * Prints a table, then one JSON line with every figure.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { spawn, spawnSync } from 'node:child_process';
import readline from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { Buffer } from 'node:buffer';
import { changeEveryFile, coolEveryFile, listFiles, makeSmallFileTree, makeTinyFileTree, warmEveryFile } from './lib-tree.mjs';
import { machineInfo, positiveInt, progress, say, table } from './lib-report.mjs';
import { hasProc, live, median, mustRun, run, runCounted, sampleRss } from './lib-proc.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..');
const RSS_HOOK = path.join(HERE, 'lib-rss-hook.mjs');
const ENGINE_HOST = path.join(HERE, 'lib-engine-host.mjs');
const TIMELINE_HOOK = path.join(HERE, 'lib-timeline-hook.mjs');
const FAKE_BORG = path.join(HERE, 'lib-fake-borg.mjs');
const OVERHEAD_GOAL_PCT = 3;
const CPU_GOAL_RATIO = 1.05;
const WALL_GOAL_RATIO = 1.03;
const RSS_GOAL_MB = 150;
/** RSS "does not grow": twice the files may cost at most this much more peak RSS. */
const RSS_GROWTH_TOLERANCE_MB = 10;
const TREE_TIME_LIMIT_S = 180;

const { values: opt } = parseArgs({
  options: {
    files: { type: 'string' },
    'status-lines': { type: 'string' },
    rounds: { type: 'string' },
    'rss-repeats': { type: 'string' },
    'cpu-rounds': { type: 'string' },
    cli: { type: 'string' },
    'cli-base': { type: 'string' },
    'cpu-sides': { type: 'string' },
    'cpu-cache': { type: 'string' },
    'borg-selftest': { type: 'string' },
    host: { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
    'fake-borg': { type: 'boolean', default: false },
    only: { type: 'string' },
    keep: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (opt.help) {
  process.stdout.write(
    'node bench/engine-overhead.mjs [--files N (20000)] [--status-lines N (500000)] [--rounds N (3)] [--rss-repeats N (2)]\n' +
      '                               [--cpu-rounds N (6)] [--quick] [--fake-borg] [--only overhead|rss|cpu] [--cli PATH] [--keep]\n' +
      '                               [--cli-base PATH] [--cpu-sides borgNull,borgPipe,borgFile (borgNull)] [--cpu-cache warm|cold]\n' +
      '                               [--borg-selftest off|on (off)] [--host]\n',
  );
  process.exit(0);
}

/**
 * --borg-selftest: whether plain borg runs its self-test (src/borg/selftest.ts). off (the default): plain
 * borg gets BORG_SELFTEST=disabled, as the engine's borg does after a binary's first command of the day,
 * and every engine side starts with a config dir whose borg passed it today, so both sides run the same
 * borg and the ratio is the engine's own cost. on: plain borg as a hand-written script runs it, self-test
 * on every command.
 */
const BORG_SELFTEST = opt['borg-selftest'] ?? 'off';
if (!['off', 'on'].includes(BORG_SELFTEST)) {
  process.stderr.write('--borg-selftest takes "off" or "on"\n');
  process.exit(2);
}

// Section 3's options, checked before anything is made.
const BORG_SIDES = ['borgNull', 'borgPipe', 'borgFile'];
const CPU_BORG_SIDES = (opt['cpu-sides'] ?? 'borgNull').split(',').filter(Boolean);
if (!CPU_BORG_SIDES.length || CPU_BORG_SIDES.some((side) => !BORG_SIDES.includes(side))) {
  process.stderr.write(`--cpu-sides takes a comma-separated list of ${BORG_SIDES.join(', ')}\n`);
  process.exit(2);
}
const CPU_CACHE = opt['cpu-cache'] ?? 'warm';
if (!['warm', 'cold'].includes(CPU_CACHE)) {
  process.stderr.write('--cpu-cache takes warm (the changed tree in the page cache, the default) or cold\n');
  process.exit(2);
}
const FILES = positiveInt('files', opt.files, opt.quick ? 2000 : 20000);
const STATUS_LINES = positiveInt('status-lines', opt['status-lines'], opt.quick ? 50000 : 500000);
const ROUNDS = positiveInt('rounds', opt.rounds, opt.quick ? 1 : 3);
const RSS_REPEATS = positiveInt('rss-repeats', opt['rss-repeats'], opt.quick ? 1 : 2);
// Six rounds: each of the three sides goes first, second and third twice.
const CPU_ROUNDS = positiveInt('cpu-rounds', opt['cpu-rounds'], opt.quick ? 1 : 6);
const ONLY = opt.only ?? null;
const CLI = opt.cli ? path.resolve(opt.cli) : path.join(ROOT, 'dist', 'cli.js');
/** --cli-base: another build (e.g. before a change) run as one more side in the same rounds of section 3. */
const CLI_BASE = opt['cli-base'] ? path.resolve(opt['cli-base']) : null;
if (ONLY && !['overhead', 'rss', 'cpu'].includes(ONLY)) {
  process.stderr.write('--only takes "overhead", "rss" or "cpu"\n');
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
const { locateBorg, rememberSelftest } = await dist('borg/locate.js');
const { profileSchema } = await dist('profiles/schema.js');

const benchStart = performance.now();
const WORK = fs.mkdtempSync(path.join(os.tmpdir(), 'dandelion-bench-'));
const NO_SECRET = { kind: 'none' };
/** The environment plain borg gets: the engine's own (borgEnv), with the self-test as --borg-selftest says. */
const plainEnv = (env) => ({ ...borgEnv(env, { secret: NO_SECRET }), ...(BORG_SELFTEST === 'off' ? { BORG_SELFTEST: 'disabled' } : {}) });
/** An engine side's config dir as an installed Dandelion has it: borg's version known, its self-test passed today. */
async function seedVersionCache(configDir) {
  await rememberSelftest({ ...borg, versionCache: path.join(configDir, 'cache', 'borg-versions.json') }, Date.now());
}
/** Temp dirs outside WORK (a tree on tmpfs), removed with it. */
const EXTRA_DIRS = [];

function cleanup() {
  for (const child of live) {
    try {
      child.kill('SIGINT');
    } catch {
      /* gone */
    }
  }
  for (const dir of [WORK, ...EXTRA_DIRS]) {
    if (opt.keep) process.stderr.write(`kept ${dir}\n`);
    else fs.rmSync(dir, { recursive: true, force: true });
  }
}
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, () => {
    process.stderr.write(`\n${sig}: cleaning up ${WORK}\n`);
    cleanup();
    process.exit(130);
  });
}

const secs = (ms) => `${(ms / 1000).toFixed(3)} s`;
const mb = (kb) => (kb === null || kb === undefined || Number.isNaN(kb) ? NaN : kb / 1024);
const fmtMb = (v) => (Number.isNaN(v) ? 'n/a' : `${v.toFixed(1)} MB`);
const pct = (v) => `${v >= 0 ? '+' : ''}${v.toFixed(2)} %`;
const round2 = (v) => Math.round(v * 100) / 100;
const sign = (v) => `${v >= 0 ? '+' : ''}${v.toFixed(1)}`;

/** One side of a comparison: its own HOME, BORG_BASE_DIR (borg's cache and security dirs), repository and config dir. */
function sideDirs(name) {
  const dir = path.join(WORK, name);
  fs.rmSync(dir, { recursive: true, force: true });
  const d = {
    dir,
    home: path.join(dir, 'home'),
    base: path.join(dir, 'borg-base'),
    repo: path.join(dir, 'repo'),
    config: path.join(dir, 'config'),
  };
  for (const p of [d.home, d.base, d.config]) fs.mkdirSync(p, { recursive: true });
  d.env = { PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin', HOME: d.home, BORG_BASE_DIR: d.base, TMPDIR: os.tmpdir() };
  return d;
}

function writeProfile(d, sources, extra = {}) {
  const input = { id: 'p', repository: d.repo, encryption: 'none', sources, ...extra };
  const { borgPath, ...profileInput } = input;
  fs.writeFileSync(
    path.join(d.config, 'config.json'),
    JSON.stringify({ ...(borgPath ? { borgPath } : {}), profiles: [profileInput] }, null, 2),
  );
  return profileSchema.parse(profileInput);
}

function engineArgv(profile, features) {
  return {
    create: createArgs(profile),
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
const machine = { ...machineInfo(), tmpdir: os.tmpdir() };
const report = { bench: 'engine-overhead', date: new Date().toISOString(), machine, borg: { path: borg.path, version: borg.version.raw } };

say(`Dandelion engine benchmark — ${report.date}`);
say(
  `machine: ${machine.cpus} CPUs (${machine.cpuModel}), ${(machine.totalMemMB / 1024).toFixed(1)} GiB RAM, ${machine.platform}, node ${machine.node}`,
);
say(`borg:    ${borg.version.raw} (${borg.path}); temp dir ${WORK}; load average ${machine.loadavgAtStart.join(' ')}`);

// ---------------------------------------------------------------------------------------------
// 1. Engine overhead vs plain borg

/**
 * Where the engine's extra time goes, on further incremental backups into the last round's
 * repositories: plain borg step by step, and `dandelion run` with a preload that records when each
 * borg child is spawned and exits (the preload is only used here, never in the timed comparison).
 */
async function breakdown(sides, once, engineEnv, lastStart) {
  const reps = opt.quick ? 1 : 3;
  const rows = [];
  for (let k = 0; k < reps; k++) {
    for (const side of ['borg', 'engine']) {
      const wait = lastStart[side] + 1100 - performance.now();
      if (wait > 0) await sleep(wait);
      lastStart[side] = performance.now();
    }
    const plain = await once.borg();
    const out = path.join(sides.engine.dir, `timeline-${k}.json`);
    const spawnedAt = performance.timeOrigin + performance.now();
    const res = await mustRun(
      process.execPath,
      ['--import', pathToFileURL(TIMELINE_HOOK).href, CLI, '--config-dir', sides.engine.config, 'run', 'p'],
      {
        env: { ...engineEnv, DANDELION_BENCH_TIMELINE_OUT: out },
      },
    );
    const closedAt = spawnedAt + res.ms;
    const tl = JSON.parse(fs.readFileSync(out, 'utf8'));
    const at = (what) => {
      const e = tl.events.find((x) => x.what === what);
      return e ? tl.timeOrigin + e.t : NaN;
    };
    const step = (name) => at(`exit ${name}`) - at(`spawn ${name}`);
    const hasCompact = !Number.isNaN(at('spawn compact'));
    // The engine caches borg's version by binary fingerprint, so a warm run spawns no --version.
    const hasVersion = !Number.isNaN(at('spawn --version'));
    const lastExit = hasCompact ? at('exit compact') : at('exit prune');
    const row = {
      plain: { create: plain.steps[0], prune: plain.steps[1], compact: plain.steps[2] ?? 0, total: plain.ms },
      engine: {
        nodeBoot: at('preload') - spawnedAt,
        startup: (hasVersion ? at('spawn --version') : at('spawn create')) - at('preload'),
        version: hasVersion ? step('--version') : 0,
        create: step('create'),
        prune: step('prune'),
        compact: hasCompact ? step('compact') : 0,
        between:
          (hasVersion ? at('spawn create') - at('exit --version') : 0) +
          (at('spawn prune') - at('exit create')) +
          (hasCompact ? at('spawn compact') - at('exit prune') : 0),
        exit: closedAt - lastExit,
        total: res.ms,
      },
    };
    progress(`breakdown ${k + 1}/${reps}: plain ${secs(row.plain.total)}, dandelion ${secs(row.engine.total)}`);
    rows.push(row);
  }
  return rows;
}

async function overheadBench() {
  const src = path.join(WORK, 'tree');
  progress(`generating ${FILES} small files…`);
  const tree = makeSmallFileTree(src, FILES);
  say();
  say(
    `1. Engine overhead vs plain borg — ${tree.files} files in ${tree.dirs} folders (3 levels), ${(tree.bytes / 1e6).toFixed(1)} MB, generated in ${tree.seconds.toFixed(1)} s`,
  );

  // Fixed costs, to explain the difference: node + engine start-up, and the `borg --version` the engine runs to find borg.
  const probe = sideDirs('probe');
  writeProfile(probe, [src]);
  const probeEnv = borgEnv(probe.env, { secret: NO_SECRET });
  await mustRun(borg.path, ['--version'], { env: probeEnv }); // warm the page cache for both
  await mustRun(process.execPath, [CLI, '--config-dir', probe.config, 'status', '--json'], { env: probe.env });
  const versionMs = median((await timesOf(5, () => mustRun(borg.path, ['--version'], { env: probeEnv }))).map((r) => r.ms));
  const startupMs = median(
    (await timesOf(5, () => mustRun(process.execPath, [CLI, '--config-dir', probe.config, 'status', '--json'], { env: probe.env }))).map(
      (r) => r.ms,
    ),
  );
  // An installed Dandelion has located borg before and cached its version (keyed by the binary's
  // fingerprint); give every round's config dir that cache, as a real config dir would have it.
  await run(process.execPath, [CLI, '--config-dir', probe.config, 'doctor'], { env: probe.env });
  await seedVersionCache(probe.config);
  const versionCache = path.join(probe.config, 'cache', 'borg-versions.json');
  const warmCache = fs.existsSync(versionCache) ? fs.readFileSync(versionCache) : null;
  fs.rmSync(probe.dir, { recursive: true, force: true });

  const times = { first: { borg: [], engine: [] }, incremental: { borg: [], engine: [] } };
  const borgSteps = { first: [], incremental: [] };
  let shownArgv = null;
  let breakdownRuns = null;
  for (let r = 0; r < ROUNDS; r++) {
    const sides = { borg: sideDirs(`round-${r}-borg`), engine: sideDirs(`round-${r}-engine`) };
    const profiles = { borg: writeProfile(sides.borg, [src]), engine: writeProfile(sides.engine, [src]) };
    if (warmCache) {
      fs.mkdirSync(path.join(sides.engine.config, 'cache'), { recursive: true });
      fs.writeFileSync(path.join(sides.engine.config, 'cache', 'borg-versions.json'), warmCache);
    }
    const argv = engineArgv(profiles.borg, features);
    shownArgv ??= engineArgv(profiles.engine, features);
    const envs = { borg: plainEnv(sides.borg.env), engine: sides.engine.env };
    // Both repositories are made the same way, outside the timing.
    for (const side of ['borg', 'engine'])
      await mustRun(borg.path, initArgs(sides[side].repo, 'none'), { env: borgEnv(sides[side].env, { secret: NO_SECRET }) });

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
    if (r === ROUNDS - 1) breakdownRuns = await breakdown(sides, once, envs.engine, lastStart);
    for (const side of ['borg', 'engine']) fs.rmSync(sides[side].dir, { recursive: true, force: true });
  }

  const result = {
    files: tree.files,
    bytes: tree.bytes,
    treeSeconds: round2(tree.seconds),
    rounds: ROUNDS,
    argv: shownArgv,
    goalPct: OVERHEAD_GOAL_PCT,
  };
  result.fixed = { borgVersionMs: round2(versionMs), cliStartupMs: round2(startupMs) };
  const rows = [];
  for (const phase of ['first', 'incremental']) {
    const b = median(times[phase].borg);
    const e = median(times[phase].engine);
    const overheadPct = ((e - b) / b) * 100;
    // Each round's two runs ran back to back: their difference shrugs off the machine getting busier between rounds.
    const paired = median(times[phase].engine.map((x, i) => x - times[phase].borg[i]));
    const stepMedians = ['create', 'prune', 'compact'].map((_, i) => median(borgSteps[phase].map((s) => s[i] ?? NaN)));
    result[phase] = {
      borgMs: times[phase].borg.map(round2),
      engineMs: times[phase].engine.map(round2),
      borgMedianMs: round2(b),
      engineMedianMs: round2(e),
      overheadMs: round2(e - b),
      overheadPct: round2(overheadPct),
      pairedDiffMedianMs: round2(paired),
      borgStepMedianMs: { create: round2(stepMedians[0]), prune: round2(stepMedians[1]), compact: round2(stepMedians[2]) },
    };
    rows.push([
      phase,
      secs(b),
      secs(e),
      `${e - b >= 0 ? '+' : ''}${(e - b).toFixed(0)} ms`,
      `${paired >= 0 ? '+' : ''}${paired.toFixed(0)} ms`,
      pct(overheadPct),
      overheadPct <= OVERHEAD_GOAL_PCT ? 'ok' : 'OVER',
      `${times[phase].borg.map((x) => (x / 1000).toFixed(2)).join(' ')} / ${times[phase].engine.map((x) => (x / 1000).toFixed(2)).join(' ')}`,
    ]);
  }
  result.pass = result.first.overheadPct <= OVERHEAD_GOAL_PCT && result.incremental.overheadPct <= OVERHEAD_GOAL_PCT;
  say(
    table(
      [
        'backup',
        'plain borg (median)',
        'dandelion run (median)',
        'difference',
        'paired diff (median)',
        'overhead',
        `≤${OVERHEAD_GOAL_PCT}%`,
        'each round, s (borg / dandelion)',
      ],
      rows,
    ),
  );
  say(
    `plain borg per step (median, first / incremental): create ${secs(result.first.borgStepMedianMs.create)} / ${secs(result.incremental.borgStepMedianMs.create)}, ` +
      `prune ${secs(result.first.borgStepMedianMs.prune)} / ${secs(result.incremental.borgStepMedianMs.prune)}, ` +
      `compact ${secs(result.first.borgStepMedianMs.compact)} / ${secs(result.incremental.borgStepMedianMs.compact)}`,
  );
  say(
    `fixed costs in every dandelion run: node + engine start-up ≈ ${result.fixed.cliStartupMs.toFixed(0)} ms ("status --json"), borg --version ≈ ${result.fixed.borgVersionMs.toFixed(0)} ms (paid only when borg changed: the version is cached)`,
  );
  if (breakdownRuns?.length) {
    const m = (side, key) => median(breakdownRuns.map((x) => x[side][key]));
    const ms = (v) => (Number.isNaN(v) ? '–' : `${v.toFixed(0)} ms`);
    const keys = ['nodeBoot', 'startup', 'version', 'create', 'prune', 'compact', 'between', 'exit', 'total'];
    const label = {
      nodeBoot: 'node boots (spawn → first line of JS)',
      startup: 'modules, config, lock (→ first borg spawn)',
      version: 'borg --version (finding borg)',
      create: 'borg create',
      prune: 'borg prune',
      compact: 'borg compact',
      between: 'between borg steps',
      exit: 'after the last borg exits (→ pipes closed)',
      total: 'total',
    };
    result.breakdown = { runs: breakdownRuns.length, plainMedianMs: {}, engineMedianMs: {} };
    for (const k of keys) {
      result.breakdown.engineMedianMs[k] = round2(m('engine', k));
      if (k in breakdownRuns[0].plain) result.breakdown.plainMedianMs[k] = round2(m('plain', k));
    }
    say(`where the time goes (incremental backup, median of ${breakdownRuns.length} extra runs; dandelion with a spawn-timeline preload):`);
    say(
      table(
        ['', 'plain borg', 'dandelion run', 'difference'],
        keys.map((k) => {
          const p = k in breakdownRuns[0].plain ? m('plain', k) : 0;
          const e = m('engine', k);
          return [label[k], k in breakdownRuns[0].plain ? ms(p) : '–', ms(e), `${e - p >= 0 ? '+' : ''}${(e - p).toFixed(0)} ms`];
        }),
      ),
    );
    const outside = ['nodeBoot', 'startup', 'version', 'between', 'exit'].reduce((a, k) => a + m('engine', k), 0);
    result.breakdown.outsideBorgMs = round2(outside);
    say(
      `dandelion's own time outside borg: ${outside.toFixed(0)} ms a run (${((outside / result.first.borgMedianMs) * 100).toFixed(1)} % of this first backup, ` +
        `${((outside / result.incremental.borgMedianMs) * 100).toFixed(1)} % of this incremental one); ≤ ${OVERHEAD_GOAL_PCT} % of the incremental needs ≤ ${((result.incremental.borgMedianMs * OVERHEAD_GOAL_PCT) / 100).toFixed(0)} ms`,
    );
  }
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
    const lines = fs
      .readFileSync(path.join(configDir, 'history', 'p.jsonl'), 'utf8')
      .trim()
      .split('\n');
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
    youngGenMB: hook.spacesKb ? round2(mb((hook.spacesKb.new_space ?? 0) + (hook.spacesKb.new_large_object_space ?? 0))) : NaN,
    rssAtPctMB: at,
  };
}

/** Seconds per empty file created in `dir`, from a small sample. */
function createCost(dir, n = 2000) {
  const probe = fs.mkdtempSync(path.join(dir, 'dandelion-bench-probe-'));
  try {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) fs.writeFileSync(path.join(probe, `f-${i}`), '');
    return (performance.now() - t0) / 1000 / n;
  } finally {
    fs.rmSync(probe, { recursive: true, force: true });
  }
}

/**
 * A tree of STATUS_LINES empty files for real borg: in the temp dir if files can be created fast
 * enough there, else on tmpfs (/dev/shm) if it has room — only the CLI's memory is measured, so
 * where borg reads the files from does not matter. null: neither fits in TREE_TIME_LIMIT_S.
 */
function realTree() {
  const places = [{ dir: WORK, label: os.tmpdir() }];
  if (process.platform === 'linux' && fs.existsSync('/dev/shm') && path.resolve(os.tmpdir()) !== '/dev/shm') {
    try {
      const st = fs.statfsSync('/dev/shm');
      if (st.ffree > STATUS_LINES * 1.01 + 10000 && os.freemem() > 2 * 1024 ** 3)
        places.push({ dir: '/dev/shm', label: '/dev/shm (tmpfs)', tmpfs: true });
    } catch {
      /* no statfs: stay on the temp dir */
    }
  }
  const tried = [];
  for (const place of places) {
    const perFile = createCost(place.dir);
    const projected = perFile * STATUS_LINES;
    progress(
      `creating empty files in ${place.label}: ${(perFile * 1e6).toFixed(0)} µs each, ~${projected.toFixed(0)} s for ${STATUS_LINES}`,
    );
    if (projected > TREE_TIME_LIMIT_S) {
      tried.push(`~${projected.toFixed(0)} s in ${place.label}`);
      continue;
    }
    let base = WORK;
    if (place.tmpfs) {
      base = fs.mkdtempSync(path.join(place.dir, 'dandelion-bench-'));
      EXTRA_DIRS.push(base);
    }
    const root = path.join(base, 'tiny');
    progress(`generating ${STATUS_LINES} empty files in ${place.label}…`);
    const tree = makeTinyFileTree(root, STATUS_LINES, { limitSeconds: TREE_TIME_LIMIT_S });
    if (tree.complete) return { ...tree, root, where: place.label, slower: tried };
    progress(`too slow: ~${tree.projectedSeconds.toFixed(0)} s projected`);
    tried.push(`~${tree.projectedSeconds.toFixed(0)} s in ${place.label}`);
    fs.rmSync(root, { recursive: true, force: true });
  }
  return { root: null, slower: tried };
}

function rssTable(runs) {
  return table(
    [
      'borg',
      'files',
      'file_status lines',
      'wall',
      'peak RSS',
      'RSS @25%',
      '@50%',
      '@75%',
      '@100%',
      'samples',
      'max sampled',
      'V8 young gen',
    ],
    runs.map((r) => [
      r.mode,
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
      fmtMb(r.youngGenMB),
    ]),
  );
}

/**
 * Full and half file counts, RSS_REPEATS times each, interleaved. The goal's "under" uses the
 * highest peak; "not growing" compares the lowest peak of each size: a leak raises every run,
 * while V8 sizing its heap (a young-generation expansion of ~16 MB can happen at any moment of a
 * busy run) raises only some.
 */
/**
 * When the full runs exceed the half runs by more than the tolerance, the file count is doubled
 * once more (`extend` gives the sources for 2× the files, or null): memory held per file keeps
 * growing, a one-off step does not.
 */
async function rssPair(mode, root, extend) {
  const half = Math.ceil(STATUS_LINES / 2);
  const plan = [
    { label: 'full', lines: STATUS_LINES, sources: mode === 'real' ? [root] : ['/bench/fake'] },
    { label: 'half', lines: half, sources: mode === 'real' ? [path.join(root, 'part-0')] : ['/bench/fake'] },
  ];
  const runs = [];
  const measure = async (label, lines, sources, k) => {
    progress(`dandelion run over ${lines} files (${mode} borg), sampling RSS every 50 ms…${k ? ` (${k}/${RSS_REPEATS})` : ''}`);
    const r = await rssRun(`${mode}-${label}-${k || 1}`, mode, sources, lines);
    progress(`  ${secs(r.wallMs)}, peak ${fmtMb(r.peakMB)}`);
    runs.push({ mode, size: label, ...r });
    return r;
  };
  for (let k = 1; k <= RSS_REPEATS; k++) for (const p of plan) await measure(p.label, p.lines, p.sources, k);
  const lowest = (size, f) => Math.min(...runs.filter((r) => r.size === size).map(f));
  const growthMB = round2(lowest('full', (r) => r.peakMB) - lowest('half', (r) => r.peakMB));
  // V8 doubles its young generation (16 → 32 MB committed) once enough bytes have survived
  // scavenges, at some moment of a long busy run and then never again: a step, not a cost per file.
  const youngStepMB = round2(lowest('full', (r) => r.youngGenMB) - lowest('half', (r) => r.youngGenMB));
  let doubleCheck = null;
  const under = () => Math.max(...runs.map((r) => r.peakMB)) < RSS_GOAL_MB;
  if (growthMB > RSS_GROWTH_TOLERANCE_MB && under() && extend) {
    progress(`peak grew ${sign(growthMB)} MB from ${half} to ${STATUS_LINES} files: checking ${2 * STATUS_LINES}`);
    const sources = await extend();
    if (sources) {
      const r = await measure('double', 2 * STATUS_LINES, sources, 0);
      doubleCheck = { files: 2 * STATUS_LINES, peakMB: r.peakMB, growthMB: round2(r.peakMB - lowest('full', (x) => x.peakMB)) };
    }
  }
  const maxPeakMB = Math.max(...runs.map((r) => r.peakMB));
  const flat = doubleCheck ? doubleCheck.growthMB <= RSS_GROWTH_TOLERANCE_MB : growthMB <= RSS_GROWTH_TOLERANCE_MB;
  for (const r of runs) {
    if (r.statusLines !== null && r.statusLines < r.sourceFiles)
      say(`warning: the ${r.label} run logged only ${r.statusLines} file_status lines (expected ${r.sourceFiles})`);
  }
  return { mode, runs, maxPeakMB, growthMB, youngStepMB, doubleCheck, pass: maxPeakMB < RSS_GOAL_MB && flat };
}

function rssVerdict(r, what) {
  const x = (STATUS_LINES / Math.ceil(STATUS_LINES / 2)).toFixed(1);
  const lines = [`${what}highest peak ${fmtMb(r.maxPeakMB)}; ${x}× the files: ${sign(r.growthMB)} MB (lowest peak of each size)`];
  if (r.growthMB > RSS_GROWTH_TOLERANCE_MB && r.youngStepMB > 0) {
    lines.push(
      `${what}  in the full runs V8's young generation had grown ${sign(r.youngStepMB)} MB more than in the half runs: a one-off heap resize late in a long run (RSS @75% vs @100%)`,
    );
  }
  if (r.doubleCheck) {
    lines.push(
      `${what}  so 2× the files once more: ${r.doubleCheck.files} files → peak ${fmtMb(r.doubleCheck.peakMB)}, ${sign(r.doubleCheck.growthMB)} MB over ${STATUS_LINES} files`,
    );
  }
  lines.push(
    `${what}goal < ${RSS_GOAL_MB} MB and not growing (≤ ${RSS_GROWTH_TOLERANCE_MB} MB more for 2× the files): ${r.pass ? 'ok' : 'NOT MET'}`,
  );
  return lines.join('\n');
}

async function rssBench() {
  say();
  let tree = null;
  if (!opt['fake-borg']) tree = realTree();
  const real = Boolean(tree?.root);
  const result = { goalMB: RSS_GOAL_MB, growthToleranceMB: RSS_GROWTH_TOLERANCE_MB };
  if (real) {
    result.tree = { files: tree.files, seconds: round2(tree.seconds), where: tree.where, slowerPlaces: tree.slower };
    const note = tree.slower.length ? ` (creating them would have taken ${tree.slower.join(', ')})` : '';
    say(
      `2. Peak RSS of \`dandelion run\` while borg lists the files — REAL borg ${borg.version.raw}, first backup of ${tree.files} empty files ` +
        `in ${tree.where}${note}, generated in ${tree.seconds.toFixed(1)} s; --list --filter=AME gives one file_status line per file`,
    );
  } else {
    say(
      `2. Peak RSS of \`dandelion run\` while borg lists the files — FAKE borg (bench/lib-fake-borg.mjs) writing file_status lines at full speed` +
        (tree?.slower.length ? ` (creating real files would have taken ${tree.slower.join(', ')})` : ' (--fake-borg)'),
    );
  }
  const extend = real
    ? async () => {
        const more = path.join(path.dirname(tree.root), 'tiny-more');
        progress(`generating ${STATUS_LINES} more empty files…`);
        const t = makeTinyFileTree(more, STATUS_LINES, { limitSeconds: TREE_TIME_LIMIT_S });
        return t.complete ? [tree.root, more] : null;
      }
    : async () => ['/bench/fake'];
  const primary = await rssPair(real ? 'real' : 'fake', tree?.root, extend);
  if (tree?.root) {
    fs.rmSync(tree.root, { recursive: true, force: true });
    fs.rmSync(path.join(path.dirname(tree.root), 'tiny-more'), { recursive: true, force: true });
  }
  Object.assign(result, {
    mode: primary.mode,
    runs: primary.runs,
    maxPeakMB: primary.maxPeakMB,
    growthMB: primary.growthMB,
    youngStepMB: primary.youngStepMB,
    doubleCheck: primary.doubleCheck,
    pass: primary.pass,
  });
  say(rssTable(primary.runs));
  say(
    'peak RSS = VmHWM of the CLI process, read in-process at exit; RSS @N% = sampled VmRSS at N% of the run; V8 young gen = its committed size at exit',
  );
  say(rssVerdict(primary, ''));
  if (real) {
    // Real borg lists ~25–30k files/s; the fake writes as fast as the pipe takes lines, ~10× that.
    say(`stress, not the goal: the same with a fake borg that writes the lines as fast as the engine reads them`);
    const stress = await rssPair('fake', null, async () => ['/bench/fake']);
    result.stress = {
      mode: 'fake',
      runs: stress.runs,
      maxPeakMB: stress.maxPeakMB,
      growthMB: stress.growthMB,
      youngStepMB: stress.youngStepMB,
      doubleCheck: stress.doubleCheck,
      withinGoal: stress.pass,
    };
    say(rssTable(stress.runs));
    say(rssVerdict(stress, 'stress: '));
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// 3. CPU when every file changed

/**
 * Plain borg three ways: its stderr to /dev/null (nothing reads it: the cheapest case for borg, and the
 * baseline of the goal), on a pipe that the benchmark drains as it comes (as a terminal or a wrapper
 * script reads it), and written to a file (as `2>borg.log` in a cron job). `--cpu-sides` chooses the
 * borg sides (default: borgNull); `dandelion run` is always a side, and with `--cli-base` another
 * build of it too (engineBase), so a before/after comparison shares its rounds and its load.
 */
const CPU_LABEL = {
  borgNull: 'plain borg, stderr to /dev/null',
  borgPipe: 'plain borg, stderr to a pipe',
  borgFile: 'plain borg, stderr to a file',
  engine: 'dandelion run',
  engineBase: 'dandelion run (--cli-base)',
  engineHost: 'the engine in a running app or daemon',
};
const ENGINE_SIDES = CLI_BASE ? ['engine', 'engineBase'] : ['engine'];
/**
 * --host: one more side, the engine in a long-lived process as the app and the daemon run scheduled
 * backups (bench/lib-engine-host.mjs; indexing after a backup off, bench/index-after-backup.mjs measures
 * it). Compared with borg like the others, not held to the goal, which is about `dandelion run`.
 */
const HOST_SIDES = opt.host ? ['engineHost'] : [];
const COMPARED_SIDES = [...ENGINE_SIDES, ...HOST_SIDES];
const CPU_SIDES = [...CPU_BORG_SIDES, ...COMPARED_SIDES];

async function cpuBench() {
  const src = path.join(WORK, 'cpu-tree');
  progress(`generating ${FILES} small files…`);
  const tree = makeSmallFileTree(src, FILES);
  const files = listFiles(src);
  say();
  say(
    `3. CPU with every file changed — ${tree.files} files, ${(tree.bytes / 1e6).toFixed(1)} MB; before each round every file is rewritten ` +
      `(same size, new first bytes), so borg lists (M), reads and stores each; each side starts with the tree ${CPU_CACHE === 'cold' ? 'out of' : 'in'} the page cache; ${CPU_ROUNDS} rounds, the order of the ${CPU_SIDES.length} sides rotating` +
      ` (load average at the start: ${os
        .loadavg()
        .map((x) => x.toFixed(2))
        .join(', ')})`,
  );

  const sides = Object.fromEntries(CPU_SIDES.map((side) => [side, sideDirs(`cpu-${side}`)]));
  const argv = engineArgv(writeProfile(sides[CPU_SIDES[0]], [src]), features);
  for (const side of CPU_SIDES.slice(1)) writeProfile(sides[side], [src]);
  const envs = Object.fromEntries(CPU_SIDES.map((side) => [side, plainEnv(sides[side].env)]));
  for (const side of COMPARED_SIDES) {
    envs[side] = sides[side].env;
    await seedVersionCache(sides[side].config);
  }
  for (const side of CPU_SIDES)
    await mustRun(borg.path, initArgs(sides[side].repo, 'none'), { env: borgEnv(sides[side].env, { secret: NO_SECRET }) });

  const plain = async (side, stderrFile) => {
    const t0 = performance.now();
    let userMs = 0;
    let systemMs = 0;
    const fd = stderrFile ? fs.openSync(stderrFile, 'w') : undefined;
    try {
      for (const step of ['create', 'prune', 'compact']) {
        if (!argv[step]) continue;
        const r = await runCounted(borg.path, argv[step], { env: envs[side], stderrFd: fd });
        userMs += r.cpu?.userMs ?? NaN;
        systemMs += r.cpu?.systemMs ?? NaN;
      }
    } finally {
      if (fd !== undefined) fs.closeSync(fd);
    }
    return { ms: performance.now() - t0, userMs, systemMs };
  };
  const cliOf = { engine: CLI, engineBase: CLI_BASE };
  const cliArgs = (side) => ['--config-dir', sides[side].config, 'run', 'p'];
  const engineOnce = (side) => async () => {
    const r = await runCounted(process.execPath, [cliOf[side], ...cliArgs(side)], { env: envs[side] });
    return { ms: r.ms, userMs: r.cpu?.userMs ?? NaN, systemMs: r.cpu?.systemMs ?? NaN };
  };
  const host = HOST_SIDES.length ? await startHost(sides.engineHost.config, envs.engineHost) : null;
  /** node's own CPU of each timed run in the host (ms), for the line under the table. */
  const hostNodeMs = [];
  const once = {
    engineHost: async () => {
      const a = await host.run();
      if (a.result !== 'success') throw new Error(`the engine host's backup ended ${a.result}`);
      return {
        ms: a.ms,
        userMs: a.nodeUserMs + a.borgUserMs,
        systemMs: a.nodeSystemMs + a.borgSystemMs,
        nodeMs: a.nodeUserMs + a.nodeSystemMs,
      };
    },
    borgNull: () => plain('borgNull', '/dev/null'),
    borgPipe: () => plain('borgPipe', null),
    borgFile: () => plain('borgFile', path.join(sides.borgFile.dir, 'borg-stderr.log')),
    engine: engineOnce('engine'),
    engineBase: engineOnce('engineBase'),
  };
  // Archive names come from {now} (second resolution): never two runs into one repository in the same second.
  const lastStart = Object.fromEntries(CPU_SIDES.map((side) => [side, 0]));
  const spaced = async (side, fn) => {
    const wait = lastStart[side] + 1100 - performance.now();
    if (wait > 0) await sleep(wait);
    lastStart[side] = performance.now();
    return fn();
  };
  const cpuOf = (x) => x.userMs + x.systemMs;
  const fmt = (x) => `${secs(x.ms)}, CPU ${secs(x.userMs)} user + ${secs(x.systemMs)} sys`;

  // Each repository's first backup is untimed (it also gives the engine's config dir its borg version cache).
  progress(`first backup of the ${CPU_SIDES.length} repositories (untimed)…`);
  for (const side of CPU_SIDES) await spaced(side, once[side]);

  const rounds = [];
  for (let r = 0; r < CPU_ROUNDS; r++) {
    changeEveryFile(files, `r${String(r).padStart(4, '0')}`);
    // The changes reach the disk now, not under whichever side runs while the kernel writes them back.
    spawnSync('sync');
    const order = CPU_SIDES.map((_, i) => CPU_SIDES[(i + r) % CPU_SIDES.length]);
    const row = {};
    for (const side of order) {
      // Every side starts from the same page cache: the changed tree in it, as the change left it
      // (the side before dropped the files as borg read them), or with --cpu-cache cold out of it, as
      // files changed long ago are. Not timed.
      if (CPU_CACHE === 'cold') coolEveryFile(files);
      else warmEveryFile(files);
      row[side] = await spaced(side, once[side]);
      if (row[side].nodeMs !== undefined) hostNodeMs.push(row[side].nodeMs);
      progress(`round ${r + 1}/${CPU_ROUNDS} ${side.padEnd(8)} ${fmt(row[side])}`);
    }
    rounds.push(row);
  }

  // Not timed against borg: one more run of each build with a preload that reads node's own CPU and peak RSS
  // at exit (children excluded), and a look at its log (every file's line must be there).
  const own = {};
  for (const side of ENGINE_SIDES) {
    changeEveryFile(files, `rhook-${side}`);
    spawnSync('sync');
    const hookOut = path.join(sides[side].dir, 'hook.json');
    await spaced(side, () =>
      mustRun(process.execPath, ['--import', pathToFileURL(RSS_HOOK).href, cliOf[side], ...cliArgs(side)], {
        env: { ...envs[side], DANDELION_BENCH_RSS_OUT: hookOut },
      }),
    );
    const hook = JSON.parse(fs.readFileSync(hookOut, 'utf8'));
    const record = lastHistory(sides[side].config);
    own[side] = {
      userMs: round2(hook.cpu?.userMs ?? NaN),
      systemMs: round2(hook.cpu?.systemMs ?? NaN),
      peakRssMB: round2(mb(hook.hwmKb)),
      logFileStatusLines: countStatusLines(record?.log),
    };
  }

  const med = (side, f) => median(rounds.map((x) => f(x[side])));
  const paired = (side, base, f) => median(rounds.map((x) => f(x[side]) / f(x[base])));
  const pairedDiff = (side, base, f) => median(rounds.map((x) => f(x[side]) - f(x[base])));
  const figures = {
    wall: { label: 'wall time', f: (x) => x.ms, goal: WALL_GOAL_RATIO },
    cpuUser: { label: 'CPU user', f: (x) => x.userMs },
    cpuSystem: { label: 'CPU system', f: (x) => x.systemMs },
    cpuTotal: { label: 'CPU user + system', f: cpuOf, goal: CPU_GOAL_RATIO },
  };
  const result = {
    files: tree.files,
    bytes: tree.bytes,
    rounds: CPU_ROUNDS,
    pageCache: CPU_CACHE,
    sides: CPU_SIDES,
    cli: CLI,
    cliBase: CLI_BASE,
    argv,
    goal: { cpuRatio: CPU_GOAL_RATIO, wallRatio: WALL_GOAL_RATIO, against: CPU_BORG_SIDES },
    raw: rounds.map((x) =>
      Object.fromEntries(
        CPU_SIDES.map((side) => [side, { ms: round2(x[side].ms), userMs: round2(x[side].userMs), systemMs: round2(x[side].systemMs) }]),
      ),
    ),
    nodeOwn: own.engine,
    ...(own.engineBase ? { nodeOwnBase: own.engineBase } : {}),
    logFileStatusLines: own.engine.logFileStatusLines,
  };
  const rows = [];
  let pass = true;
  for (const [name, { label, f, goal }] of Object.entries(figures)) {
    const ratios = Object.fromEntries(
      COMPARED_SIDES.map((side) => [side, Object.fromEntries(CPU_BORG_SIDES.map((base) => [base, paired(side, base, f)]))]),
    );
    const diffs = Object.fromEntries(COMPARED_SIDES.map((side) => [side, pairedDiff(side, CPU_BORG_SIDES[0], f)]));
    result[name] = {
      medianMs: Object.fromEntries(CPU_SIDES.map((side) => [side, round2(med(side, f))])),
      pairedRatioMedian: Object.fromEntries(
        COMPARED_SIDES.map((side) => [
          side,
          Object.fromEntries(CPU_BORG_SIDES.map((base) => [base, Math.round(ratios[side][base] * 1000) / 1000])),
        ]),
      ),
      pairedDiffMsMedian: Object.fromEntries(COMPARED_SIDES.map((side) => [side, round2(diffs[side])])),
    };
    const ok = goal ? CPU_BORG_SIDES.every((base) => ratios.engine[base] <= goal) : true;
    if (goal) result[name].withinGoal = ok;
    pass &&= ok;
    rows.push([
      label,
      ...CPU_SIDES.map((side) => secs(med(side, f))),
      COMPARED_SIDES.map((side) => CPU_BORG_SIDES.map((base) => `${ratios[side][base].toFixed(3)}×`).join(' / ')).join('; '),
      COMPARED_SIDES.map((side) => `${diffs[side] >= 0 ? '+' : ''}${secs(diffs[side])}`).join('; '),
      goal ? `≤ ${goal.toFixed(2)}×: ${ok ? 'ok' : 'OVER'}` : '',
    ]);
  }
  result.pass = pass;
  say(
    table(
      [
        '',
        ...CPU_SIDES.map((side) => `${CPU_LABEL[side]} (median)`),
        `${COMPARED_SIDES.join('; ')} / ${CPU_BORG_SIDES.join(' / ')}, paired median`,
        `${COMPARED_SIDES.join('; ')} − ${CPU_BORG_SIDES[0]}, paired median`,
        'goal',
      ],
      rows,
    ),
  );
  say(
    `CPU = user + system of the whole tree (node and the borg it ran; for plain borg, its three commands), from the benchmark's reaped-children times`,
  );
  for (const side of ENGINE_SIDES) {
    const o = own[side];
    say(
      `node's own share (${CPU_LABEL[side]}), one more run with a preload: ${secs(o.userMs)} user + ${secs(o.systemMs)} system, peak RSS ${fmtMb(o.peakRssMB)}; ` +
        `its log holds ${o.logFileStatusLines ?? 'n/a'} file lines for ${tree.files} files`,
    );
    if (o.logFileStatusLines !== null && o.logFileStatusLines < tree.files)
      say(`warning: the log of ${side} is missing ${tree.files - o.logFileStatusLines} file lines`);
  }
  if (host) {
    await host.stop();
    result.hostNodeMsMedian = round2(median(hostNodeMs));
    say(
      `node's own share (${CPU_LABEL.engineHost}), per timed run: median ${secs(median(hostNodeMs))} (${hostNodeMs.map((x) => secs(x)).join(', ')}); it started once, before the first backup`,
    );
  }
  say(`argv (all sides): borg ${argv.create.join(' ')}`);
  for (const side of CPU_SIDES) fs.rmSync(sides[side].dir, { recursive: true, force: true });
  fs.rmSync(src, { recursive: true, force: true });
  return result;
}

/** The engine host (bench/lib-engine-host.mjs) on `configDir`, started and ready; run() backs up once. */
async function startHost(configDir, env) {
  const child = spawn(process.execPath, [ENGINE_HOST, path.join(ROOT, 'dist'), configDir], { env, stdio: ['pipe', 'pipe', 'inherit'] });
  live.add(child);
  const lines = readline.createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => {
    const { value, done } = await lines.next();
    if (done) throw new Error('the engine host ended');
    return JSON.parse(value);
  };
  await next();
  return {
    run: async () => {
      child.stdin.write('run\n');
      return next();
    },
    stop: async () => {
      const exited = new Promise((res) => child.once('exit', res));
      child.stdin.end();
      await exited;
      live.delete(child);
    },
  };
}

// ---------------------------------------------------------------------------------------------

let exitCode = 0;
try {
  if (!ONLY || ONLY === 'overhead') report.overhead = await overheadBench();
  if (!ONLY || ONLY === 'rss') report.rss = await rssBench();
  if (!ONLY || ONLY === 'cpu') report.cpu = await cpuBench();
} catch (err) {
  process.stderr.write(`benchmark failed: ${err?.stack ?? err}\n`);
  report.error = String(err?.message ?? err);
  exitCode = 1;
} finally {
  cleanup();
}
report.totalSeconds = round2((performance.now() - benchStart) / 1000);
report.machine.loadavgAtEnd = os.loadavg().map(round2);
say();
say(`total: ${report.totalSeconds.toFixed(1)} s`);
say(JSON.stringify(report));
process.exitCode = exitCode;
