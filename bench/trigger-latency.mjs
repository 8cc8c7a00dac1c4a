#!/usr/bin/env node
/**
 * Benchmark: how fast does `dandelion daemon` react to the backup disk, and what does it cost idle?
 *
 *   1. Mount → borg start. A real ext4 image holding a borg repository is loop-mounted onto
 *      <volumesRoot>/backup-disk while the daemon runs a profile { volume: "backup-disk",
 *      minIntervalHours: 0 }. borgPath is a wrapper that writes the exact time it was exec'd
 *      ($EPOCHREALTIME) before exec'ing borg, so the figure is "mount(8) returned → borg create
 *      exec'd" (right after the mount the repository is readable). The daemon's own log gives the
 *      breakdown ("repository readable after N ms", the gap to "started"). Then the repository
 *      becomes readable LATER than the mount: the filesystem is mounted without it and 2.0…3.0 s later
 *      (spread over the rounds, so the readiness probe's backoff phase is sampled) a prepared
 *      repository folder is renamed into place on the same filesystem (atomic); figure: "rename
 *      returned → borg create exec'd". Goal: < 1 s after the repository is readable (the
 *      hand-written launchd script it replaces slept a fixed 5 s). Needs root (skipped otherwise).
 *   2. Idle cost. The daemon with three profiles — a daily schedule that is not due (backed up just
 *      before), a disk profile whose disk is absent, and schedule + disk with the disk present and
 *      backed up — sampled every 5 s from /proc: CPU of the whole process tree (the daemon, its
 *      `findmnt --poll` helper, reaped children), VmRSS, context switches (wake-ups).
 *      Goal: no measurable CPU, RSS flat.
 *
 * Usage: npm run build && node bench/trigger-latency.mjs
 *          [--rounds N (10)] [--idle-seconds N (180)] [--quick] [--only latency|idle] [--keep]
 * Prints tables, then one JSON line with every figure. DANDELION_BENCH_VERBOSE=1 echoes the daemon log.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { spawn, spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { mustRun, run } from './lib-proc.mjs';
import { machineInfo, positiveInt, progress, say, table } from './lib-report.mjs';
import { CLK_TCK, Daemon, hasProc, sampleTree, sleep, slope, summarize, wallNow } from './lib-trigger-daemon.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const LATENCY_GOAL_MS = 1000;
/** Idle goals: "no measurable CPU" as an average below this, "flat" as end − start RSS within this. */
const IDLE_CPU_GOAL_PCT = 0.1;
const IDLE_RSS_GOAL_KB = 1024;
const SAMPLE_EVERY_MS = 5000;
/** Late case: the repository appears this long after the mount, plus 0…LATE_SPREAD_MS across rounds. */
const LATE_DELAY_MS = 2000;
const LATE_SPREAD_MS = 1000;
const DISK = 'backup-disk';

const { values: opt } = parseArgs({
  options: {
    rounds: { type: 'string' },
    'idle-seconds': { type: 'string' },
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    keep: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (opt.help) {
  process.stdout.write(
    'node bench/trigger-latency.mjs [--rounds N (10)] [--idle-seconds N (180)] [--quick] [--only latency|idle] [--keep]\n',
  );
  process.exit(0);
}

const ROUNDS = positiveInt('rounds', opt.rounds, opt.quick ? 3 : 10);
const IDLE_SECONDS = positiveInt('idle-seconds', opt['idle-seconds'], opt.quick ? 20 : 180);
const SETTLE_MS = opt.quick ? 3000 : 10_000;
const ONLY = opt.only ?? null;
if (ONLY && ONLY !== 'latency' && ONLY !== 'idle') {
  process.stderr.write('--only takes "latency" or "idle"\n');
  process.exit(2);
}
if (!fs.existsSync(CLI)) {
  process.stderr.write(`${CLI} is missing: run "npm run build" first (or "npm run bench").\n`);
  process.exit(2);
}
if (process.platform !== 'linux' || !hasProc) {
  process.stderr.write('this benchmark reads /proc and loop-mounts ext4 images: Linux only\n');
  process.exit(2);
}

const isRoot = process.getuid?.() === 0;
const { locateBorg } = await import(pathToFileURL(path.join(ROOT, 'dist', 'borg', 'locate.js')).href);

const benchStart = performance.now();
const WORK = fs.mkdtempSync(path.join(os.tmpdir(), 'dandelion-trigger-bench-'));

// Everything that must be undone, even on failure or Ctrl-C.
const daemons = new Set();
const helpers = new Set();
const mounted = new Set();
const loops = new Set();

const round1 = (v) => (Number.isFinite(v) ? Math.round(v * 10) / 10 : null);
const round3 = (v) => (Number.isFinite(v) ? Math.round(v * 1000) / 1000 : null);
const ms = (v) => (Number.isFinite(v) ? `${v.toFixed(0)} ms` : 'n/a');
const fmtMb = (kb) => (Number.isFinite(kb) ? `${(kb / 1024).toFixed(1)} MB` : 'n/a');

// ---------------------------------------------------------------------------------------------
// Disks, mounts, processes

function mountsUnder(dir) {
  try {
    return fs
      .readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .map((l) => l.split(' ')[4])
      .filter((p) => p && (p === dir || p.startsWith(dir + '/')));
  } catch {
    return [];
  }
}

async function makeDisk(image, sizeMb) {
  await mustRun('truncate', ['-s', `${sizeMb}M`, image]);
  await mustRun('mkfs.ext4', ['-q', '-F', '-L', DISK, image]);
  // The loop device is attached once, so each round times only the mount(2) of the filesystem.
  const r = await mustRun('losetup', ['--find', '--show', image], { captureStdout: true });
  const dev = r.stdout.trim();
  loops.add(dev);
  return dev;
}

async function detachDisk(dev) {
  await run('losetup', ['-d', dev]);
  loops.delete(dev);
}

/** mount(8) of an attached loop device; tSpawn / tExit bracket the mount(2) syscall. */
async function mountDisk(dev, at) {
  fs.mkdirSync(at, { recursive: true });
  const tSpawn = wallNow();
  await mustRun('mount', [dev, at]);
  const tExit = wallNow();
  mounted.add(at);
  return { tSpawn, tExit };
}

async function unmountDisk(at) {
  for (let i = 0; i < 20; i++) {
    const r = await run('umount', [at]);
    if (r.code === 0) {
      mounted.delete(at);
      return;
    }
    await sleep(250);
  }
  progress(`${at} stayed busy: detaching it lazily`);
  await mustRun('umount', ['-l', at]);
  mounted.delete(at);
}

/** Our own `findmnt --poll`: when the kernel's mount table changed, as any poller sees it. */
function mountTableMonitor() {
  const events = [];
  const child = spawn('findmnt', ['--poll', '--noheadings', '--raw', '--output', 'ACTION,TARGET'], { stdio: ['ignore', 'pipe', 'ignore'] });
  helpers.add(child);
  child.on('error', () => helpers.delete(child));
  child.on('exit', () => helpers.delete(child));
  let partial = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk) => {
    const t = wallNow();
    partial += chunk;
    const parts = partial.split('\n');
    partial = parts.pop() ?? '';
    for (const l of parts) if (l.trim()) events.push({ t, line: l.trim() });
  });
  return {
    events,
    stop() {
      child.kill();
      helpers.delete(child);
    },
  };
}

function startDaemon(env) {
  const d = new Daemon(CLI, env);
  daemons.add(d);
  return d;
}

async function stopDaemon(d) {
  const r = await d.stop();
  daemons.delete(d);
  return r;
}

let cleaning = null;
function cleanup() {
  cleaning ??= (async () => {
    for (const d of daemons) await d.stop().catch(() => {});
    daemons.clear();
    for (const h of helpers) h.kill();
    for (const at of [...mounted].reverse()) {
      const r = await run('umount', [at]);
      if (r.code !== 0) await run('umount', ['-l', at]);
      mounted.delete(at);
    }
    for (const dev of loops) await detachDisk(dev).catch(() => {});
    const left = mountsUnder(WORK);
    if (left.length) process.stderr.write(`NOT removing ${WORK}: still mounted there: ${left.join(', ')}\n`);
    else if (opt.keep) process.stderr.write(`kept ${WORK}\n`);
    else fs.rmSync(WORK, { recursive: true, force: true });
  })();
  return cleaning;
}
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, () => {
    process.stderr.write(`\n${sig}: cleaning up ${WORK}\n`);
    for (const d of daemons) d.killNow();
    cleanup().finally(() => process.exit(130));
  });
}

/** A world for one daemon: HOME, borg's cache/security dirs, config dir, a small source tree. */
function world(name) {
  const dir = path.join(WORK, name);
  const w = {
    dir,
    home: path.join(dir, 'home'),
    config: path.join(dir, 'config'),
    volumes: path.join(dir, 'volumes'),
    src: path.join(dir, 'src'),
  };
  for (const p of [w.home, w.config, w.volumes, w.src]) fs.mkdirSync(p, { recursive: true });
  for (let i = 0; i < 20; i++) fs.writeFileSync(path.join(w.src, `file-${i}.bin`), crypto.randomBytes(8192));
  w.env = {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: w.home,
    DANDELION_CONFIG_DIR: w.config,
    BORG_BASE_DIR: path.join(dir, 'borg-base'),
    TMPDIR: os.tmpdir(),
  };
  w.borgEnv = { ...w.env, BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK: 'yes', BORG_RELOCATED_REPO_ACCESS_IS_OK: 'yes' };
  return w;
}

function writeConfig(w, config) {
  fs.writeFileSync(path.join(w.config, 'config.json'), JSON.stringify(config, null, 2));
}

// ---------------------------------------------------------------------------------------------

const machine = { ...machineInfo(), clkTck: CLK_TCK };
const borg = await locateBorg(null);
const report = {
  bench: 'trigger-latency',
  date: new Date().toISOString(),
  machine,
  borg: { path: borg.path, version: borg.version.raw },
  options: { rounds: ROUNDS, idleSeconds: IDLE_SECONDS, quick: opt.quick },
};

say(`Dandelion trigger benchmark — ${report.date}`);
say(
  `machine: ${machine.cpus} CPUs (${machine.cpuModel}), ${(machine.totalMemMB / 1024).toFixed(1)} GiB RAM, ${machine.platform}, node ${machine.node}, load ${machine.loadavgAtStart.join(' ')}`,
);
say(`borg:    ${borg.version.raw} (${borg.path}); temp dir ${WORK}`);

// ---------------------------------------------------------------------------------------------
// 1. Mount → borg start

/** borgPath for the daemon: notes when it was exec'd (and with which subcommand), then becomes borg. */
function writeWrapper(file, callsFile) {
  const q = (s) => `'${s.replace(/'/g, `'\\''`)}'`;
  const bash = spawnSync('bash', ['-c', 'printf %s "$EPOCHREALTIME"'], { encoding: 'utf8' });
  const hasEpoch = bash.status === 0 && /^\d+[.,]\d+$/.test(bash.stdout);
  const body = hasEpoch
    ? `#!/bin/bash\nprintf '%s %s %s\\n' "$EPOCHREALTIME" "$$" "\${1-}" >> ${q(callsFile)}\nexec ${q(borg.path)} "$@"\n`
    : `#!/bin/sh\nprintf '%s %s %s\\n' "$(date +%s.%N)" "$$" "\${1-}" >> ${q(callsFile)}\nexec ${q(borg.path)} "$@"\n`;
  fs.writeFileSync(file, body, { mode: 0o755 });
  return hasEpoch ? 'bash $EPOCHREALTIME' : 'sh + date +%s.%N';
}

function readCalls(callsFile) {
  try {
    return fs
      .readFileSync(callsFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => {
        const [t, pid, arg = ''] = l.split(' ');
        return { t: Number(t.replace(',', '.')) * 1000, pid: Number(pid), arg };
      });
  } catch {
    return [];
  }
}

/** How late the wrapper's clock reading is after node's spawn(): the measurement's own error. */
async function wrapperSkew(wrapper, callsFile, env) {
  const out = [];
  for (let i = 0; i < 5; i++) {
    const before = readCalls(callsFile).length;
    const t0 = wallNow();
    await run(wrapper, ['--version'], { env });
    const c = readCalls(callsFile)[before];
    if (c) out.push(c.t - t0);
  }
  return summarize(out);
}

async function latencyRound(ctx, kind, i, total, nextLayout) {
  const { d, dev, mp, repo, staged, callsFile, monitor } = ctx;
  // Archive names ({now}) have one-second resolution: two creates in one second collide.
  await sleep(ctx.notBefore - wallNow());
  const mark = d.mark;
  const m = await mountDisk(dev, mp);
  let tRepo = m.tExit;
  let delayMs = 0;
  if (kind === 'late') {
    delayMs = LATE_DELAY_MS + Math.round((total > 1 ? i / (total - 1) : 0) * LATE_SPREAD_MS);
    await sleep(m.tExit + delayMs - wallNow());
    if (fs.existsSync(repo) || !fs.existsSync(staged))
      throw new Error(`late round: expected the repository at ${staged} and nothing at ${repo}`);
    fs.renameSync(staged, repo); // same filesystem: atomic
    tRepo = wallNow();
  }
  const appeared = await d.waitFor(/^\[disk\] disk "backup-disk" appeared/, { from: mark, timeoutMs: 15_000 });
  const readable = await d.waitFor(/^\[disk\] repository (readable after \d+ ms|still not readable)/, { from: mark, timeoutMs: 90_000 });
  const decision = await d.waitFor(/^\[disk\] volume: /, { from: mark, timeoutMs: 15_000 });
  if (!/starting backup/.test(decision.text)) throw new Error(`the daemon did not start a backup: ${decision.text}`);
  const started = await d.waitFor(/^\[disk\] started \(volume\)/, { from: mark, timeoutMs: 30_000 });
  const finished = await d.waitFor(/^\[disk\] finished: /, { from: mark, timeoutMs: 180_000 });
  if (!/finished: (success|warning)/.test(finished.text)) throw new Error(`backup did not succeed: ${finished.text}\n${d.tail()}`);

  const calls = readCalls(callsFile).filter((c) => c.t >= m.tSpawn - 1);
  const create = calls.find((c) => c.arg === 'create');
  if (!create) throw new Error(`the borg wrapper never saw "create" (calls: ${calls.map((c) => c.arg).join(', ')})`);
  const coldLocate = calls.some((c) => c.arg === '--version' && c.t <= create.t);
  const tableSeen = monitor.events.find((e) => e.t >= m.tSpawn && e.line.includes(mp));
  const readableAfterMs = Number(/readable after (\d+) ms/.exec(readable.text)?.[1] ?? NaN);

  // Put the repository where the next round expects it, then take the disk away.
  if (nextLayout === 'staged' && fs.existsSync(repo)) fs.renameSync(repo, staged);
  if (nextLayout === 'in-place' && fs.existsSync(staged)) fs.renameSync(staged, repo);
  const markU = d.mark;
  await unmountDisk(mp);
  await d.waitFor(/disk "backup-disk" went away/, { from: markU, timeoutMs: 15_000 });

  return {
    kind,
    round: i + 1,
    delayMs: kind === 'late' ? delayMs : null,
    mountCmdMs: round1(m.tExit - m.tSpawn),
    tableSeenMs: tableSeen ? round1(tableSeen.t - m.tExit) : null,
    appearedMs: round1(appeared.stamp - m.tExit),
    readableAfterMs,
    probeLagMs: kind === 'late' ? round1(readable.stamp - tRepo) : null,
    readableToStartedMs: started.stamp - readable.stamp,
    startedToBorgMs: round1(create.t - started.stamp),
    readyToBorgMs: round1(create.t - tRepo),
    mountSpawnToBorgMs: round1(create.t - m.tSpawn),
    coldLocate,
    runMs: finished.stamp - started.stamp,
    nextSecond: (Math.floor(create.t / 1000) + 1) * 1000 + 20,
  };
}

async function latencyBench() {
  say();
  if (!isRoot) {
    say('1. Mount → borg start: SKIPPED — loop-mounting an ext4 image needs root (run as root, as CI does).');
    return { skipped: 'not root' };
  }
  const w = world('latency');
  const mp = path.join(w.volumes, DISK);
  const repo = path.join(mp, 'backup', 'mbp');
  const staged = path.join(mp, 'staging', 'mbp');
  const callsFile = path.join(w.dir, 'borg-calls.log');
  const wrapper = path.join(w.dir, 'borg-wrapper');
  const clock = writeWrapper(wrapper, callsFile);

  progress('making a 256 MB ext4 image with a borg repository…');
  const dev = await makeDisk(path.join(w.dir, 'disk.img'), 256);
  await mountDisk(dev, mp);
  await mustRun(borg.path, ['init', '--encryption=none', '--make-parent-dirs', repo], { env: w.borgEnv });
  fs.mkdirSync(path.dirname(staged), { recursive: true });
  await unmountDisk(mp);
  const skew = await wrapperSkew(wrapper, callsFile, w.borgEnv);

  writeConfig(w, {
    volumesRoot: w.volumes,
    borgPath: wrapper,
    profiles: [
      {
        id: 'disk',
        name: 'bench disk',
        repository: repo,
        encryption: 'none',
        sources: [w.src],
        volume: DISK,
        minIntervalHours: 0,
        prune: null,
      },
    ],
  });
  const monitor = mountTableMonitor();
  const d = startDaemon(w.env);
  await d.waitFor(/^watching .* for backup-disk/, { timeoutMs: 30_000 });
  await sleep(500);

  const rows = [];
  const plan = [];
  for (let i = 0; i < ROUNDS; i++) plan.push(['immediate', i]);
  for (let i = 0; i < ROUNDS; i++) plan.push(['late', i]);
  let notBefore = 0;
  for (let k = 0; k < plan.length; k++) {
    const [kind, i] = plan[k];
    const next = plan[k + 1]?.[0] === 'late' ? 'staged' : 'in-place';
    const { nextSecond, ...r } = await latencyRound({ d, dev, mp, repo, staged, callsFile, monitor, notBefore }, kind, i, ROUNDS, next);
    notBefore = nextSecond;
    rows.push(r);
    progress(
      kind === 'immediate'
        ? `mount ${i + 1}/${ROUNDS}: mount → borg create ${ms(r.readyToBorgMs)} (readable after ${r.readableAfterMs} ms, readable→started ${r.readableToStartedMs} ms${r.coldLocate ? ', incl. borg --version' : ''})`
        : `late ${i + 1}/${ROUNDS}: repo after ${r.delayMs} ms; repo in place → borg create ${ms(r.readyToBorgMs)} (probe noticed after ${ms(r.probeLagMs)})`,
    );
    await sleep(300);
  }
  monitor.stop();
  await stopDaemon(d);
  await detachDisk(dev);

  const imm = rows.filter((r) => r.kind === 'immediate');
  const late = rows.filter((r) => r.kind === 'late');
  const warm = imm.filter((r) => !r.coldLocate);
  const stat = (list, key) => summarize(list.map((r) => r[key]));
  const summary = {
    immediate: {
      mountToBorgMs: stat(imm, 'readyToBorgMs'),
      mountToBorgWarmMs: stat(warm, 'readyToBorgMs'),
      mountSpawnToBorgMs: stat(imm, 'mountSpawnToBorgMs'),
      mountCmdMs: stat(imm, 'mountCmdMs'),
      appearedMs: stat(imm, 'appearedMs'),
      readableAfterMs: stat(imm, 'readableAfterMs'),
      readableToStartedMs: stat(imm, 'readableToStartedMs'),
      startedToBorgMs: stat(imm, 'startedToBorgMs'),
    },
    late: {
      readyToBorgMs: stat(late, 'readyToBorgMs'),
      probeLagMs: stat(late, 'probeLagMs'),
      readableAfterMs: stat(late, 'readableAfterMs'),
      readableToStartedMs: stat(late, 'readableToStartedMs'),
      startedToBorgMs: stat(late, 'startedToBorgMs'),
    },
  };

  say(
    `1. Mount → borg start — ${ROUNDS} mounts of a loop-attached ext4 image (repository present), then ${ROUNDS} with the repository renamed into place ${LATE_DELAY_MS / 1000}…${(LATE_DELAY_MS + LATE_SPREAD_MS) / 1000} s after the mount`,
  );
  say(
    `   borg exec time from the borgPath wrapper (${clock}; node spawn → wrapper clock reading ${skew.n ? `${skew.median.toFixed(1)} ms median` : 'n/a'});`,
  );
  say('   "log" columns are the daemon\'s own timestamps (ms resolution); t=0 is mount(8) returning, or the rename returning (late)');
  say();
  say(
    table(
      [
        'round',
        'mount(8)',
        'table changed',
        '"appeared" logged',
        'readable after (log)',
        'readable→started (log)',
        'started→borg exec',
        'ready → borg exec',
        'note',
      ],
      rows.map((r) => [
        r.kind === 'immediate' ? `mount ${r.round}` : `late ${r.round} (+${r.delayMs} ms)`,
        ms(r.mountCmdMs),
        r.tableSeenMs === null ? 'n/a' : `${r.tableSeenMs >= 0 ? '+' : ''}${r.tableSeenMs.toFixed(0)} ms`,
        `${r.appearedMs >= 0 ? '+' : ''}${r.appearedMs.toFixed(0)} ms`,
        ms(r.readableAfterMs),
        ms(r.readableToStartedMs),
        ms(r.startedToBorgMs),
        ms(r.readyToBorgMs),
        [r.coldLocate ? 'first run: borg --version' : '', r.kind === 'late' ? `probe lag ${ms(r.probeLagMs)}` : '']
          .filter(Boolean)
          .join('; '),
      ]),
    ),
  );
  say();
  const statRow = (label, s) => [label, s.n, ms(s.min), ms(s.median), ms(s.p90), ms(s.max)];
  say(
    table(
      ['figure', 'n', 'min', 'median', 'p90', 'max'],
      [
        statRow("mount returned → borg create exec'd", summary.immediate.mountToBorgMs),
        statRow('  same, without the first run (borg --version cached)', summary.immediate.mountToBorgWarmMs),
        statRow("  mount(8) spawned → borg create exec'd", summary.immediate.mountSpawnToBorgMs),
        statRow('  mount returned → "appeared" logged', summary.immediate.appearedMs),
        statRow('  "repository readable after" (log)', summary.immediate.readableAfterMs),
        statRow('  "readable" → "started" (log)', summary.immediate.readableToStartedMs),
        statRow('  "started" logged → borg create exec\'d', summary.immediate.startedToBorgMs),
        statRow("repo renamed into place → borg create exec'd", summary.late.readyToBorgMs),
        statRow('  renamed → probe logged "readable"', summary.late.probeLagMs),
        statRow('  "readable after" (log, from "appeared")', summary.late.readableAfterMs),
        statRow('  "readable" → "started" (log)', summary.late.readableToStartedMs),
        statRow('  "started" logged → borg create exec\'d', summary.late.startedToBorgMs),
      ],
    ),
  );
  const passImmediate = summary.immediate.mountToBorgMs.max < LATENCY_GOAL_MS;
  const passLate = summary.late.readyToBorgMs.max < LATENCY_GOAL_MS;
  say();
  say(`goal: borg starts < ${LATENCY_GOAL_MS} ms after the repository is readable (the launchd script slept 5 s):`);
  say(
    `  repository readable at mount: ${passImmediate ? 'ok' : 'NOT MET'} (max ${ms(summary.immediate.mountToBorgMs.max)}, median ${ms(summary.immediate.mountToBorgMs.median)})`,
  );
  say(
    `  repository readable later:    ${passLate ? 'ok' : 'NOT MET'} (max ${ms(summary.late.readyToBorgMs.max)}, median ${ms(summary.late.readyToBorgMs.median)}; the probe backs off 50 ms doubling to a 250 ms cap)`,
  );
  return { clock, wrapperSkewMs: skew, rounds: rows, summary, goalMs: LATENCY_GOAL_MS, passImmediate, passLate };
}

// ---------------------------------------------------------------------------------------------
// 2. Idle CPU and RSS

async function idleBench() {
  say();
  const w = world('idle');
  const mp = path.join(w.volumes, DISK);
  let dev = null;
  if (isRoot) {
    progress('making a 128 MB ext4 image for the present disk…');
    dev = await makeDisk(path.join(w.dir, 'disk.img'), 128);
    await mountDisk(dev, mp);
  } else fs.mkdirSync(mp, { recursive: true }); // a non-empty folder counts as a present disk
  const repoSched = path.join(w.dir, 'repo-sched');
  const repoBoth = path.join(mp, 'backup', 'both');
  for (const r of [repoSched, repoBoth])
    await mustRun(borg.path, ['init', '--encryption=none', '--make-parent-dirs', r], { env: w.borgEnv });
  const common = { encryption: 'none', sources: [w.src], prune: null };
  writeConfig(w, {
    volumesRoot: w.volumes,
    profiles: [
      { id: 'sched', name: 'daily, not due', repository: repoSched, schedule: '0 3 * * *', ...common },
      {
        id: 'absent',
        name: 'disk absent',
        repository: path.join(w.volumes, 'absent-disk', 'backup', 'x'),
        volume: 'absent-disk',
        minIntervalHours: 24,
        ...common,
      },
      {
        id: 'both',
        name: 'daily + disk present',
        repository: repoBoth,
        schedule: '0 3 * * *',
        volume: DISK,
        minIntervalHours: 24,
        ...common,
      },
    ],
  });
  progress('backing up "sched" and "both" once, so neither is due…');
  for (const id of ['sched', 'both']) await mustRun(process.execPath, [CLI, 'run', id], { env: w.env });

  const d = startDaemon(w.env);
  await d.waitFor(/^daemon started/, { timeoutMs: 30_000 });
  await d.waitFor(/^watching /, { timeoutMs: 30_000 });
  await d.waitFor(/^\[both\] volume: skipped/, { timeoutMs: 30_000 });
  progress(
    `daemon pid ${d.pid} settled; waiting ${SETTLE_MS / 1000} s more, then sampling every ${SAMPLE_EVERY_MS / 1000} s for ${IDLE_SECONDS} s…`,
  );
  const monitor = mountTableMonitor();
  await sleep(SETTLE_MS);

  const markIdle = d.mark;
  const t0 = wallNow();
  const samples = [sampleTree(d.pid, 0)];
  const startup = samples[0];
  for (let k = 1; k * SAMPLE_EVERY_MS <= IDLE_SECONDS * 1000; k++) {
    await sleep(t0 + k * SAMPLE_EVERY_MS - wallNow());
    const s = sampleTree(d.pid, (wallNow() - t0) / 1000);
    samples.push(s);
    if (!s.alive) throw new Error(`the daemon died during the idle period\n${d.tail()}`);
    if (k % 6 === 0) progress(`${s.t.toFixed(0)} s: ${s.totalTicks - startup.totalTicks} ticks so far, RSS ${fmtMb(s.rootRssKb)}`);
  }
  monitor.stop();
  const logged = d.lines.slice(markIdle).map((l) => l.raw);
  const first = samples[0];
  const last = samples.at(-1);
  const wallS = last.t - first.t;
  const ticks = last.totalTicks - first.totalTicks;
  const cpuSeconds = ticks / CLK_TCK;
  const cpuPct = (cpuSeconds / wallS) * 100;
  const perInterval = samples.slice(1).map((s, i) => s.totalTicks - samples[i].totalTicks);
  const perProcess = last.procs.map((p) => {
    const before = first.procs.find((q) => q.pid === p.pid);
    return {
      pid: p.pid,
      comm: p.comm,
      ticks: p.ticks + p.childTicks - (before ? before.ticks + before.childTicks : 0),
      rssKb: p.rssKb,
      threads: p.threads.length,
      switches: p.voluntary + p.involuntary - (before ? before.voluntary + before.involuntary : 0),
    };
  });
  // Which threads of the daemon woke up / used CPU (by thread name: main "node", libuv pool, V8 workers…).
  const byThread = new Map();
  const rootFirst = first.procs.find((p) => p.pid === d.pid);
  for (const th of last.procs.find((p) => p.pid === d.pid)?.threads ?? []) {
    const before = rootFirst?.threads.find((x) => x.tid === th.tid);
    const name = th.tid === d.pid ? 'main (event loop)' : `${th.name} ${th.tid}`;
    byThread.set(th.tid, { name, ticks: th.ticks - (before?.ticks ?? 0), switches: th.switches - (before?.switches ?? 0) });
  }
  const daemonThreads = [...byThread.values()].sort((a, b) => b.switches - a.switches);
  // Mount-table changes by other processes wake findmnt and the daemon: split the window by them.
  const intervals = samples.slice(1).map((s, i) => {
    const from = t0 + samples[i].t * 1000;
    const to = t0 + s.t * 1000;
    return {
      ticks: s.totalTicks - samples[i].totalTicks,
      switches: s.switches - samples[i].switches,
      mountChanges: monitor.events.filter((e) => e.t > from && e.t <= to).length,
    };
  });
  // Steady state: the second half of the window, after any one-time post-start-up GC.
  const mid = samples[Math.floor((samples.length - 1) / 2)];
  const steadyS = last.t - mid.t;
  const steadySamples = samples.filter((s) => s.t >= mid.t);
  const steady = {
    fromS: round1(mid.t),
    seconds: round1(steadyS),
    cpuTicks: last.totalTicks - mid.totalTicks,
    cpuPct: steadyS ? round3(((last.totalTicks - mid.totalTicks) / CLK_TCK / steadyS) * 100) : null,
    wakeups: last.switches - mid.switches,
    wakeupsPerSecond: steadyS ? round3((last.switches - mid.switches) / steadyS) : null,
    rssStartKb: mid.rootRssKb,
    rssEndKb: last.rootRssKb,
    rssSlopeKbPerMin: round1(
      slope(
        steadySamples.map((s) => s.t / 60),
        steadySamples.map((s) => s.rootRssKb),
      ),
    ),
  };
  // The biggest single RSS step between two samples (a GC returning memory shows as one drop).
  let step = { kb: 0, fromS: null, toS: null };
  for (let i = 1; i < samples.length; i++) {
    const delta = samples[i].rootRssKb - samples[i - 1].rootRssKb;
    if (Math.abs(delta) > Math.abs(step.kb)) step = { kb: delta, fromS: round1(samples[i - 1].t), toS: round1(samples[i].t) };
  }
  const quiet = intervals.filter((x) => x.mountChanges === 0);
  const quietSeconds = (quiet.length * SAMPLE_EVERY_MS) / 1000;
  const quietTicks = quiet.reduce((a, x) => a + x.ticks, 0);
  const quietSwitches = quiet.reduce((a, x) => a + x.switches, 0);
  const rss = samples.map((s) => s.rootRssKb);
  const rssSlopeKbPerMin = slope(
    samples.map((s) => s.t / 60),
    rss,
  );
  const switches = last.switches - first.switches;
  const mountChanges = monitor.events.filter((e) => e.t >= t0);

  await stopDaemon(d);
  if (dev) {
    await unmountDisk(mp);
    await detachDisk(dev);
  }

  const result = {
    profiles: [
      'sched: schedule 0 3 * * *, backed up just before (not due)',
      'absent: volume absent-disk (not there)',
      `both: schedule 0 3 * * * + volume ${DISK} (${dev ? 'loop-mounted ext4' : 'plain folder'}, present, backed up)`,
    ],
    settleSeconds: SETTLE_MS / 1000,
    idleSeconds: round3(wallS),
    samples: samples.length,
    startupCpuSeconds: round3(startup.totalTicks / CLK_TCK),
    cpuTicks: ticks,
    cpuSeconds: round3(cpuSeconds),
    cpuPct: round3(cpuPct),
    cpuTicksPerInterval: perInterval,
    perProcess,
    daemonThreads: daemonThreads.filter((t) => t.ticks > 0 || t.switches > 0),
    daemonThreadCount: daemonThreads.length,
    quietIntervals: {
      count: quiet.length,
      seconds: quietSeconds,
      cpuTicks: quietTicks,
      cpuPct: quietSeconds ? round3((quietTicks / CLK_TCK / quietSeconds) * 100) : null,
      wakeupsPerSecond: quietSeconds ? round3(quietSwitches / quietSeconds) : null,
    },
    wakeups: switches,
    wakeupsPerSecond: round3(switches / wallS),
    rssKb: {
      start: rss[0],
      end: rss.at(-1),
      min: Math.min(...rss),
      max: Math.max(...rss),
      slopeKbPerMin: round1(rssSlopeKbPerMin),
      largestStep: step,
    },
    steady,
    treeRssKb: { start: first.treeRssKb, end: last.treeRssKb, max: Math.max(...samples.map((s) => s.treeRssKb)) },
    daemonLinesDuringIdle: logged,
    mountTableChangesDuringIdle: mountChanges.length,
    series: samples.map((s, i) => ({
      t: round1(s.t),
      ticks: s.totalTicks - first.totalTicks,
      rssKb: s.rootRssKb,
      treeRssKb: s.treeRssKb,
      switches: s.switches - first.switches,
      mountChanges: i ? intervals[i - 1].mountChanges : 0,
      procs: s.procs.length,
    })),
  };
  // Flat = no growth: a one-time drop (GC giving memory back after start-up) is not a leak.
  result.pass = {
    cpu: cpuPct < IDLE_CPU_GOAL_PCT,
    rssFlat: rss.at(-1) - rss[0] <= IDLE_RSS_GOAL_KB && steady.rssEndKb - steady.rssStartKb <= IDLE_RSS_GOAL_KB,
  };

  say(`2. Idle cost of \`dandelion daemon\` — 3 profiles (${result.profiles.join('; ')})`);
  say(
    `   after start-up (${result.startupCpuSeconds.toFixed(2)} s CPU incl. the first disk decision) and ${SETTLE_MS / 1000} s settling; /proc sampled every ${SAMPLE_EVERY_MS / 1000} s, CLK_TCK ${CLK_TCK} (1 tick = ${(1000 / CLK_TCK).toFixed(0)} ms)`,
  );
  say();
  const every = Math.max(1, Math.round(30_000 / SAMPLE_EVERY_MS));
  const shown = samples.filter((_, i) => i % every === 0 || i === samples.length - 1);
  say(
    table(
      ['t', 'CPU ticks (cumulative)', 'daemon RSS', 'tree RSS', 'wake-ups (cumulative)', 'processes'],
      shown.map((s) => [
        `${s.t.toFixed(0)} s`,
        s.totalTicks - first.totalTicks,
        fmtMb(s.rootRssKb),
        fmtMb(s.treeRssKb),
        s.switches - first.switches,
        s.procs.map((p) => p.comm).join('+'),
      ]),
    ),
  );
  say();
  say(
    table(
      ['process', 'pid', 'CPU ticks', 'CPU s', 'wake-ups', 'threads', 'RSS at end'],
      perProcess.map((p) => [p.comm, p.pid, p.ticks, (p.ticks / CLK_TCK).toFixed(2), p.switches, p.threads, fmtMb(p.rssKb)]),
    ),
  );
  say();
  say(
    table(
      ['daemon thread (active ones)', 'CPU ticks', 'wake-ups', 'per second'],
      result.daemonThreads.map((t) => [t.name, t.ticks, t.switches, (t.switches / wallS).toFixed(2)]),
    ),
  );
  say();
  say(
    table(
      ['figure', 'value'],
      [
        ['idle window', `${wallS.toFixed(1)} s, ${samples.length} samples`],
        ['CPU consumed (tree)', `${cpuSeconds.toFixed(2)} s (${ticks} ticks)`],
        ['CPU average', `${cpuPct.toFixed(3)} %`],
        ['busiest 5 s interval', `${Math.max(0, ...perInterval)} ticks`],
        ['wake-ups (context switches, all threads)', `${switches} (${(switches / wallS).toFixed(2)}/s)`],
        ['daemon RSS start / end', `${fmtMb(rss[0])} / ${fmtMb(rss.at(-1))}`],
        ['daemon RSS min / max', `${fmtMb(result.rssKb.min)} / ${fmtMb(result.rssKb.max)}`],
        ['daemon RSS slope (whole window)', `${Number.isFinite(rssSlopeKbPerMin) ? rssSlopeKbPerMin.toFixed(1) : 'n/a'} kB/min`],
        [
          'largest RSS step between samples',
          step.fromS === null ? 'none' : `${step.kb >= 0 ? '+' : ''}${(step.kb / 1024).toFixed(1)} MB (${step.fromS} s → ${step.toS} s)`,
        ],
        [
          `steady state (last ${steady.seconds} s)`,
          `${steady.cpuTicks} ticks (${steady.cpuPct} %), ${steady.wakeups} wake-ups (${steady.wakeupsPerSecond}/s), RSS ${fmtMb(steady.rssStartKb)} → ${fmtMb(steady.rssEndKb)} (slope ${steady.rssSlopeKbPerMin ?? 'n/a'} kB/min)`,
        ],
        ['tree RSS start / end / max', `${fmtMb(first.treeRssKb)} / ${fmtMb(last.treeRssKb)} / ${fmtMb(result.treeRssKb.max)}`],
        ['daemon log lines while idle', String(logged.length)],
        ['mount-table changes while idle (any process)', String(mountChanges.length)],
        [
          '5 s intervals without any mount-table change',
          `${quiet.length} of ${intervals.length}: ${quietTicks} ticks (${result.quietIntervals.cpuPct ?? 'n/a'} %), ${result.quietIntervals.wakeupsPerSecond ?? 'n/a'} wake-ups/s`,
        ],
      ],
    ),
  );
  for (const l of logged.slice(0, 10)) say(`   log: ${l}`);
  say();
  say(
    `goal: no measurable CPU (< ${IDLE_CPU_GOAL_PCT} % average): ${result.pass.cpu ? 'ok' : 'NOT MET'}; RSS flat (grows ≤ ${IDLE_RSS_GOAL_KB / 1024} MB over the window and over its second half): ${result.pass.rssFlat ? 'ok' : 'NOT MET'}`,
  );
  if (step.kb < -4096) {
    say(
      `note: RSS dropped ${(-step.kb / 1024).toFixed(1)} MB once (${step.fromS} s → ${step.toS} s, with the CPU ticks and wake-ups of that interval): a garbage collection after start-up giving memory back, not idle work; ` +
        `see the steady-state row${opt.quick ? ' (with --quick the window is too short to reach it)' : ''}`,
    );
  }
  if (mountChanges.length)
    say(
      `note: the mount table changed ${mountChanges.length} time(s) during the window (other processes); each one wakes findmnt and a re-evaluation in the daemon`,
    );
  return result;
}

// ---------------------------------------------------------------------------------------------

let exitCode = 0;
try {
  if (ONLY !== 'idle') report.latency = await latencyBench();
  if (ONLY !== 'latency') report.idle = await idleBench();
} catch (err) {
  process.stderr.write(`benchmark failed: ${err?.stack ?? err}\n`);
  report.error = String(err?.message ?? err);
  exitCode = 1;
} finally {
  await cleanup();
}
report.machine.loadavgAtEnd = os.loadavg().map((x) => Math.round(x * 100) / 100);
report.totalSeconds = Math.round((performance.now() - benchStart) / 100) / 10;
say();
say(`total: ${report.totalSeconds.toFixed(1)} s`);
say(JSON.stringify(report));
process.exitCode = exitCode;
