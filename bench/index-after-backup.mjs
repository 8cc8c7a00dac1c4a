#!/usr/bin/env node
/**
 * What indexing each new archive for browsing right after its backup costs (engine option
 * `indexAfterBackup`, as the app and the daemon run): per round, an incremental backup (a few files
 * changed) of a tree of N files, then the index of its new archive made in the background (borg list
 * --bypass-lock at nice 19, parsed, sorted and written by node). Wall time and CPU of each, node's own
 * and borg's (children waited for, from /proc/self/stat), as medians; and the time a `versions`
 * answer then takes in the same process (no pass over the archive).
 *
 *   node bench/index-after-backup.mjs [--files N (20000)] [--rounds N (5)]
 *
 * Needs `npm run build` (dist/) and borg on PATH. Linux only (reads /proc).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values: opt } = parseArgs({ options: { files: { type: 'string' }, rounds: { type: 'string' } } });
const FILES = Number(opt.files ?? 20000);
const ROUNDS = Number(opt.rounds ?? 5);
const { Engine } = await import(path.join(ROOT, 'dist', 'engine.js'));
const { MemorySecretStore } = await import(path.join(ROOT, 'dist', 'secrets', 'keyring.js'));

const TICK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
/** CPU seconds of the children this process waited for (cutime + cstime). */
function childrenCpu() {
  const stat = fs.readFileSync('/proc/self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[13]) + Number(f[14])) / TICK;
}
const selfCpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dandelion-index-bench-'));
process.env.BORG_BASE_DIR = path.join(dir, 'borg-base');
process.env.BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK = 'yes';
const src = path.join(dir, 'src');
const repo = path.join(dir, 'repo');
const configDir = path.join(dir, 'config');
fs.mkdirSync(configDir, { recursive: true });
for (let i = 0; i < FILES; i++) {
  const sub = path.join(src, `d${Math.floor(i / 500)}`, `e${Math.floor(i / 50) % 10}`);
  if (i % 50 === 0) fs.mkdirSync(sub, { recursive: true });
  fs.writeFileSync(path.join(sub, `file-${i}.txt`), `file ${i} `.repeat(50 + (i % 200)));
}
fs.writeFileSync(
  path.join(configDir, 'config.json'),
  JSON.stringify({ profiles: [{ id: 'p', repository: repo, encryption: 'none', sources: [src], prune: null, archiveName: 'p-{now}' }] }),
);
const { engine } = await Engine.open({ configDir, busy: 'wait', secrets: new MemorySecretStore(), indexAfterBackup: true });
if (!(await engine.init('p')).ok) throw new Error('borg init failed');
const first = await engine.run('p');
if (first.result !== 'success') throw new Error(`first backup: ${first.result}`);
await engine.indexedAfterRun('p');

const rows = [];
for (let round = 0; round < ROUNDS; round++) {
  for (let k = 0; k < 20; k++) fs.appendFileSync(path.join(src, 'd0', 'e0', `file-${k}.txt`), `round ${round}\n`);
  await new Promise((r) => setTimeout(r, 1100)); // {now} has one-second resolution
  let t = performance.now();
  let c = childrenCpu();
  let s = selfCpu();
  const run = await engine.run('p');
  if (run.result !== 'success') throw new Error(`backup: ${run.result}`);
  const backup = { wall: (performance.now() - t) / 1000, borg: childrenCpu() - c, node: selfCpu() - s };
  t = performance.now();
  c = childrenCpu();
  s = selfCpu();
  const idx = await engine.indexedAfterRun('p');
  if (!idx?.made) throw new Error(`not indexed: ${JSON.stringify(idx)}`);
  const index = { wall: (performance.now() - t) / 1000, borg: childrenCpu() - c, node: selfCpu() - s, jobWall: idx.wallMs / 1000 };
  t = performance.now();
  const v = await engine.versions('p', path.join(src, 'd0', 'e0', 'file-1.txt'));
  if (!v.ok) throw new Error('versions failed');
  const versionsMs = performance.now() - t;
  rows.push({ backup, index, versionsMs, archives: v.value.length });
  console.error(
    `round ${round + 1}: backup ${backup.wall.toFixed(2)} s wall, ${(backup.borg + backup.node).toFixed(2)} s CPU; ` +
      `index ${index.jobWall.toFixed(2)} s wall, borg ${index.borg.toFixed(2)} s + node ${index.node.toFixed(2)} s CPU; versions ${versionsMs.toFixed(1)} ms over ${v.value.length} archives`,
  );
}
await engine.cancelAll();
const m = (f) => median(rows.map(f));
console.log(`files ${FILES}, rounds ${ROUNDS}, load ${os.loadavg()[0].toFixed(1)}, ${os.cpus().length} CPUs`);
console.log(
  `backup (incremental): wall ${m((r) => r.backup.wall).toFixed(2)} s, CPU ${m((r) => r.backup.borg + r.backup.node).toFixed(2)} s (borg ${m((r) => r.backup.borg).toFixed(2)}, node ${m((r) => r.backup.node).toFixed(2)})`,
);
console.log(
  `index after it:       wall ${m((r) => r.index.jobWall).toFixed(2)} s, CPU ${m((r) => r.index.borg + r.index.node).toFixed(2)} s (borg ${m((r) => r.index.borg).toFixed(2)}, node ${m((r) => r.index.node).toFixed(2)})`,
);
console.log(`versions afterwards:  ${m((r) => r.versionsMs).toFixed(1)} ms`);
fs.rmSync(dir, { recursive: true, force: true });
