/**
 * What `dandelion status` pays for its schedules: 10 hourly profiles, each one nextSlot + isOverdue,
 * in a fresh process, cold (no schedule-facts cache file) and warm (the file a previous process left).
 *
 *   npm run build && node bench/schedule-facts.mjs            # dist/schedule
 *   node bench/schedule-facts.mjs /tmp/some-build/schedule    # any compiled src/schedule
 *
 * Each figure is one child process: import of due.js (cron-parser, luxon come with it) and the
 * 10 profiles, CPU (user + system) and wall, median of RUNS children.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import { pathToFileURL } from 'node:url';

const RUNS = 7;
const PROFILES = 10;

async function child(dir, cacheFile, withHistory) {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const due = await import(pathToFileURL(path.join(dir, 'due.js')).href);
  const useCache = typeof due.setScheduleCacheFile === 'function' && cacheFile !== '';
  if (useCache) due.setScheduleCacheFile(cacheFile);
  const c1 = process.cpuUsage(c0);
  const t1 = performance.now();
  const now = new Date();
  const hour = 3_600_000;
  for (let i = 0; i < PROFILES; i++) {
    const schedule = `${i * 5} * * * *`;
    due.nextSlot(schedule, now);
    due.isOverdue({
      schedule,
      lastSuccessAt: withHistory ? new Date(now.getTime() - 3 * hour) : null,
      since: withHistory ? new Date(now.getTime() - 30 * 24 * hour) : null,
      now,
    });
  }
  if (useCache && typeof due.flushScheduleCache === 'function') due.flushScheduleCache();
  const c2 = process.cpuUsage(c0);
  const t2 = performance.now();
  const cpuMs = (u) => (u.user + u.system) / 1000;
  process.stdout.write(
    JSON.stringify({
      importWall: t1 - t0,
      importCpu: cpuMs(c1),
      profilesWall: t2 - t1,
      profilesCpu: cpuMs(c2) - cpuMs(c1),
    }),
  );
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function measure(dir, cacheFile, withHistory, keepCache) {
  const rows = [];
  for (let i = 0; i < RUNS; i++) {
    if (!keepCache && cacheFile) fs.rmSync(cacheFile, { force: true });
    const r = spawnSync(process.execPath, [process.argv[1], '--child', dir, cacheFile, withHistory ? '1' : '0'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    rows.push(JSON.parse(r.stdout));
  }
  const m = (k) => median(rows.map((r) => r[k])).toFixed(1);
  return `import ${m('importCpu')} ms CPU / ${m('importWall')} ms wall; 10 profiles ${m('profilesCpu')} ms CPU / ${m('profilesWall')} ms wall`;
}

if (process.argv[2] === '--child') {
  await child(process.argv[3], process.argv[4], process.argv[5] === '1');
} else {
  const dir = path.resolve(process.argv[2] ?? 'dist/schedule');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'schedule-facts-'));
  const cacheFile = path.join(tmp, 'cache', 'schedule-facts.json');
  for (const withHistory of [false, true]) {
    const label = withHistory ? 'last success 3 h ago' : 'no history';
    console.log(`${dir}, ${label}`);
    console.log(`  cold: ${measure(dir, cacheFile, withHistory, false)}`);
    // The warm runs find the file the previous child left.
    measure(dir, cacheFile, withHistory, false);
    console.log(`  warm: ${measure(dir, cacheFile, withHistory, true)}`);
  }
  fs.rmSync(tmp, { recursive: true, force: true });
}
