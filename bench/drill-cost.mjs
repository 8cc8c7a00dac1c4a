#!/usr/bin/env node
/**
 * What the restore drill costs per GB of archive: `dandelion drill` (borg extract --dry-run of the
 * whole latest archive, borg list of its items, a real extract of a ≤ 100 file / ≤ 200 MB sample
 * into a temporary folder, a byte-for-byte compare) against its floor, a plain `borg extract
 * --dry-run` of the same archive with the same passphrase source. Rounds are paired (the two sides
 * alternate which goes first); wall time and CPU (user + system of the process and every child it
 * waited for, i.e. borg) are reported as medians and per GB.
 *
 *   node bench/drill-cost.mjs [--size-mb N (1024)] [--rounds N (5)] [--keep]
 *
 * Needs `npm run build` (dist/cli.js) and borg on PATH. Data: incompressible files of 4 MB plus
 * 2,000 small ones, encrypted (repokey-blake2), lz4. The repository and sources are in the page
 * cache after the first round (a warm drill, as on a machine that just backed up).
 */
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { machineInfo, positiveInt, progress, say, table } from './lib-report.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const { values: opt } = parseArgs({
  options: { 'size-mb': { type: 'string' }, rounds: { type: 'string' }, keep: { type: 'boolean' } },
});
const SIZE_MB = positiveInt('size-mb', opt['size-mb'], 1024);
const ROUNDS = positiveInt('rounds', opt.rounds, 5);

// The child's wall time and the CPU of everything it waited for, measured by a parent that does nothing else.
const TIMER = `
import resource, subprocess, sys, time
t = time.monotonic()
r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
wall = time.monotonic() - t
u = resource.getrusage(resource.RUSAGE_CHILDREN)
print(r.returncode, wall, u.ru_utime + u.ru_stime)
if r.returncode != 0:
    sys.stderr.write(r.stderr.decode(errors="replace")[-3000:])
`;

function timed(cmd, args, env) {
  const r = spawnSync('python3', ['-c', TIMER, cmd, ...args], { env, encoding: 'utf8' });
  const [code, wall, cpu] = r.stdout.trim().split(' ').map(Number);
  if (code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${code}\n${r.stderr}`);
  return { wall, cpu };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dandelion-drill-bench-'));
const src = path.join(dir, 'src');
const repo = path.join(dir, 'repo');
const configDir = path.join(dir, 'config');
const passFile = path.join(dir, 'pass');
const env = {
  PATH: process.env.PATH,
  HOME: dir,
  DANDELION_CONFIG_DIR: configDir,
  BORG_BASE_DIR: path.join(dir, 'borg-base'),
  TMPDIR: path.join(dir, 'tmp'),
};

try {
  const machine = machineInfo();
  fs.mkdirSync(src, { recursive: true });
  fs.mkdirSync(configDir);
  fs.mkdirSync(env.TMPDIR);
  fs.writeFileSync(passFile, 'bench passphrase for the drill\n', { mode: 0o600 });
  progress(`writing ${SIZE_MB} MB of incompressible files and 2,000 small ones`);
  const big = Math.floor(SIZE_MB / 4);
  for (let i = 0; i < big; i++) fs.writeFileSync(path.join(src, `blob-${i}.bin`), crypto.randomBytes(4 * 1024 * 1024));
  fs.mkdirSync(path.join(src, 'small'));
  for (let i = 0; i < 2000; i++) fs.writeFileSync(path.join(src, 'small', `f-${i}.txt`), `small file ${i}\n`.repeat(20));
  const profile = {
    id: 'b',
    repository: repo,
    encryption: 'repokey-blake2',
    passcommand: `cat ${passFile}`,
    sources: [src],
    prune: null,
    check: { everyDays: 0 },
  };
  fs.writeFileSync(path.join(configDir, 'config.json'), JSON.stringify({ profiles: [profile] }));
  for (const args of [
    ['init', 'b'],
    ['run', 'b'],
  ]) {
    progress(`dandelion ${args.join(' ')}`);
    const r = spawnSync(process.execPath, [CLI, ...args], { env, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`dandelion ${args.join(' ')}: ${r.stdout}${r.stderr}`);
  }
  const list = spawnSync('borg', ['list', '--json', repo], { env: { ...env, BORG_PASSCOMMAND: `cat ${passFile}` }, encoding: 'utf8' });
  const archive = JSON.parse(list.stdout).archives.at(-1).name;
  const borgEnv = { ...env, BORG_PASSCOMMAND: `cat ${passFile}` };
  const plain = () => timed('borg', ['extract', '--log-json', '--dry-run', '--progress', '--', `${repo}::${archive}`], borgEnv);
  const drill = () => timed(process.execPath, [CLI, 'drill', 'b'], env);

  // One of each, unmeasured: the page cache holds the repository from here on.
  plain();
  drill();
  const rows = [];
  for (let i = 0; i < ROUNDS; i++) {
    const first = i % 2 === 0;
    const a = first ? plain() : null;
    const b = drill();
    const c = first ? a : plain();
    rows.push({ plain: c, drill: b, load: os.loadavg()[0] });
    progress(
      `round ${i + 1}: plain ${c.wall.toFixed(2)} s / ${c.cpu.toFixed(2)} s CPU, drill ${b.wall.toFixed(2)} s / ${b.cpu.toFixed(2)} s CPU`,
    );
  }
  const last = JSON.parse(spawnSync(process.execPath, [CLI, 'drill', 'b', '--json'], { env, encoding: 'utf8' }).stdout);
  const gb = last.details.bytes / 1e9;
  const m = (side, what) => median(rows.map((r) => r[side][what]));
  const d = (what) => median(rows.map((r) => r.drill[what] - r.plain[what]));
  say(
    `\nDrill of a ${(last.details.bytes / 1e9).toFixed(2)} GB archive (${last.details.files} files; sample ${last.details.sampled} files), ${ROUNDS} paired rounds, medians:\n`,
  );
  say(
    table(
      ['side', 'wall', 'CPU (user+sys, with borg)', 'wall per GB', 'CPU per GB'],
      [
        [
          'borg extract --dry-run',
          `${m('plain', 'wall').toFixed(2)} s`,
          `${m('plain', 'cpu').toFixed(2)} s`,
          `${(m('plain', 'wall') / gb).toFixed(2)} s`,
          `${(m('plain', 'cpu') / gb).toFixed(2)} s`,
        ],
        [
          'dandelion drill',
          `${m('drill', 'wall').toFixed(2)} s`,
          `${m('drill', 'cpu').toFixed(2)} s`,
          `${(m('drill', 'wall') / gb).toFixed(2)} s`,
          `${(m('drill', 'cpu') / gb).toFixed(2)} s`,
        ],
        ['paired difference', `${d('wall').toFixed(2)} s`, `${d('cpu').toFixed(2)} s`, '', ''],
      ],
    ),
  );
  say(`\nload average (1 min) during the rounds: ${rows.map((r) => r.load.toFixed(1)).join(', ')}`);
  say(JSON.stringify({ machine, sizeMB: SIZE_MB, rounds: rows, archiveBytes: last.details.bytes, sample: last.details }));
} finally {
  if (!opt.keep) fs.rmSync(dir, { recursive: true, force: true });
  else progress(`kept ${dir}`);
}
