#!/usr/bin/env node
/**
 * `dandelion restore` against plain `borg extract` with the same argv.
 *
 * One repository, one archive of N files (default 20,000) totalling M MB (default 1,000) of random
 * bytes. Each round restores the whole archive twice into fresh empty folders: once with plain borg
 * (the engine's own restoreExtractArgs and borgEnv, run in an empty folder, stderr read and thrown
 * away), once with the built CLI (`dandelion restore p --archive NAME --to DIR`, which also scans the
 * selection first and moves the result into place). The order alternates; each restore's output is
 * removed and synced away before the next, untimed. Wall time and CPU (user + sys of the whole tree,
 * children included) are reported as medians and paired medians of the per-round ratios.
 * The repository is encrypted (repokey-blake2), as a user's is: plain borg gets the passphrase in
 * BORG_PASSPHRASE, the profile through a passcommand (no keyring on a benchmark machine).
 * Goals (issue 16): wall ≤ 1.03×, CPU ≤ 1.05×.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { randomFillSync } from 'node:crypto';
import { machineInfo, positiveInt, progress, say, table } from './lib-report.mjs';
import { live, median, mustRun, runCounted } from './lib-proc.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..');
const WALL_GOAL = 1.03;
const CPU_GOAL = 1.05;

const { values: opt } = parseArgs({
  options: {
    files: { type: 'string' },
    mb: { type: 'string' },
    rounds: { type: 'string' },
    keep: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (opt.help) {
  process.stdout.write('node bench/restore-cost.mjs [--files N (20000)] [--mb M (1000)] [--rounds N (5)] [--keep]\n');
  process.exit(0);
}
const FILES = positiveInt('files', opt.files, 20000);
const MB = positiveInt('mb', opt.mb, 1000);
const ROUNDS = positiveInt('rounds', opt.rounds, 5);
const CLI = path.join(ROOT, 'dist', 'cli.js');
if (!fs.existsSync(CLI)) {
  process.stderr.write(`${CLI} is missing: run "npm run build" first.\n`);
  process.exit(2);
}

const dist = (p) => import(pathToFileURL(path.join(ROOT, 'dist', p)).href);
const { initArgs, createArgs, restoreExtractArgs, restoreScanArgs } = await dist('borg/argv.js');
const { borgEnv } = await dist('borg/env.js');
const { locateBorg } = await dist('borg/locate.js');
const { ALWAYS_EXCLUDED } = await dist('ops/restore-plan.js');
const { profileSchema } = await dist('profiles/schema.js');

const WORK = fs.mkdtempSync(path.join(os.tmpdir(), 'dandelion-bench-restore-'));
const cleanup = () => {
  for (const c of live) c.kill('SIGKILL');
  if (!opt.keep) fs.rmSync(WORK, { recursive: true, force: true });
};
process.on('SIGINT', () => {
  cleanup();
  process.exit(130);
});

const secs = (ms) => `${(ms / 1000).toFixed(2)} s`;
const round3 = (v) => Math.round(v * 1000) / 1000;

try {
  const borg = await locateBorg(null, path.join(WORK, 'borg-versions.json'));
  const home = path.join(WORK, 'home');
  const config = path.join(WORK, 'config');
  const src = path.join(WORK, 'src');
  const repo = path.join(WORK, 'repo');
  for (const d of [home, config, src]) fs.mkdirSync(d, { recursive: true });
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, BORG_BASE_DIR: path.join(WORK, 'borg-base'), TMPDIR: os.tmpdir() };
  const PASS = 'bench passphrase 7d1c';
  const benv = { ...borgEnv(env, { secret: { kind: 'none' } }), BORG_PASSPHRASE: PASS };
  delete benv.BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK;

  progress(`writing ${FILES} files, ${MB} MB of random bytes…`);
  const per = Math.floor((MB * 1e6) / FILES);
  const buf = Buffer.alloc(per);
  for (let i = 0; i < FILES; i++) {
    const dir = path.join(src, `d${String(Math.floor(i / 200)).padStart(3, '0')}`);
    if (i % 200 === 0) fs.mkdirSync(dir, { recursive: true });
    randomFillSync(buf);
    fs.writeFileSync(path.join(dir, `f${String(i % 200).padStart(3, '0')}.bin`), buf);
  }
  const profileInput = {
    id: 'p',
    repository: repo,
    encryption: 'repokey-blake2',
    passcommand: `printf %s '${PASS}'`,
    sources: [src],
    prune: null,
    archiveName: 'bench-{now}',
  };
  fs.writeFileSync(path.join(config, 'config.json'), JSON.stringify({ profiles: [profileInput] }, null, 2));
  const profile = profileSchema.parse(profileInput);
  await mustRun(borg.path, initArgs(repo, 'repokey-blake2'), { env: benv });
  progress('borg create (untimed)…');
  const created = await mustRun(borg.path, createArgs(profile), { env: benv, captureStdout: true });
  const archive = JSON.parse(created.stdout).archive.name;
  spawnSync('sync');

  const argv = restoreExtractArgs(repo, archive, [], ALWAYS_EXCLUDED);
  let n = 0;
  const fresh = () => {
    const d = path.join(WORK, `out-${n++}`);
    fs.mkdirSync(d);
    return d;
  };
  const drop = (d) => {
    fs.rmSync(d, { recursive: true, force: true });
    spawnSync('sync');
  };
  const sides = {
    borg: async () => {
      const d = fresh();
      const r = await runCounted(borg.path, argv, { env: benv, cwd: d });
      drop(d);
      return { ms: r.ms, cpu: r.cpu.userMs + r.cpu.systemMs };
    },
    dandelion: async () => {
      const d = fresh();
      const r = await runCounted(process.execPath, [CLI, '--config-dir', config, 'restore', 'p', '--archive', archive, '--to', d], { env });
      const made = fs.readdirSync(d);
      if (made.length !== 1 || !made[0].startsWith('Restored from bench')) throw new Error(`unexpected restore result: ${made.join(', ')}`);
      drop(d);
      return { ms: r.ms, cpu: r.cpu.userMs + r.cpu.systemMs };
    },
  };

  progress('one untimed restore of each (warms the page cache and the CLI’s borg version cache)…');
  await sides.borg();
  await sides.dandelion();

  // What the scan before the extract costs on its own (the engine's one extra borg command).
  const scans = [];
  for (let i = 0; i < 3; i++) {
    const r = await runCounted(borg.path, restoreScanArgs(repo, archive, []), { env: benv });
    scans.push({ ms: r.ms, cpu: r.cpu.userMs + r.cpu.systemMs });
  }

  const load0 = os.loadavg();
  const rounds = [];
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 ? ['dandelion', 'borg'] : ['borg', 'dandelion'];
    const row = {};
    for (const side of order) {
      row[side] = await sides[side]();
      progress(`round ${r + 1}/${ROUNDS} ${side.padEnd(9)} ${secs(row[side].ms)}, CPU ${secs(row[side].cpu)}`);
    }
    rounds.push(row);
  }
  const load1 = os.loadavg();

  const med = (side, k) => median(rounds.map((x) => x[side][k]));
  const ratio = (k) => median(rounds.map((x) => x.dandelion[k] / x.borg[k]));
  const result = {
    files: FILES,
    mb: MB,
    rounds: ROUNDS,
    borgMs: { wall: med('borg', 'ms'), cpu: med('borg', 'cpu') },
    dandelionMs: { wall: med('dandelion', 'ms'), cpu: med('dandelion', 'cpu') },
    pairedRatio: { wall: round3(ratio('ms')), cpu: round3(ratio('cpu')) },
    scanMs: { wall: median(scans.map((s) => s.ms)), cpu: median(scans.map((s) => s.cpu)) },
    goals: { wall: WALL_GOAL, cpu: CPU_GOAL },
    met: { wall: ratio('ms') <= WALL_GOAL, cpu: ratio('cpu') <= CPU_GOAL },
    loadavg: { start: load0.map((x) => round3(x)), end: load1.map((x) => round3(x)) },
    machine: machineInfo(),
    borg: borg.version.raw,
  };
  say();
  say(`restore of ${FILES} files / ${MB} MB, ${ROUNDS} rounds (load average ${load0.map((x) => x.toFixed(2)).join(', ')} at the start)`);
  say(
    table(
      ['', 'plain borg extract (median)', 'dandelion restore (median)', 'paired ratio (median)', 'goal'],
      [
        ['wall', secs(result.borgMs.wall), secs(result.dandelionMs.wall), `${result.pairedRatio.wall.toFixed(3)}×`, `≤ ${WALL_GOAL}×`],
        ['CPU user+sys', secs(result.borgMs.cpu), secs(result.dandelionMs.cpu), `${result.pairedRatio.cpu.toFixed(3)}×`, `≤ ${CPU_GOAL}×`],
      ],
    ),
  );
  say(`the scan before the extract (borg list of the selection), alone: ${secs(result.scanMs.wall)}, CPU ${secs(result.scanMs.cpu)}`);
  say(JSON.stringify(result));
} finally {
  cleanup();
}
