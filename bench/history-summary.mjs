#!/usr/bin/env node
/**
 * Benchmark: what a status call pays for a long history. One profile with ten years of hourly runs
 * (87,600 records, ≈ 32 MB; the first 40,000 to an older repository), then, each in a fresh node
 * process so the memory figures are its own:
 *
 *   summary cold      History.summary with no summary file: one streaming pass, the file written
 *   summary warm      the summary file present: stat, 64 bytes of the history, the summary file
 *   summary repeat    the same History asked again in one process (what a long-lived face does)
 *   recent(50)        the last 50 runs of the current repository, read backwards (and again, repeat)
 *   errorsInARow      the retry count
 *   list (before)     summarize(list()): what every status call paid before
 *
 * Wall, CPU (user + system) and the increase of RSS over the process before the call (its peak:
 * maxRSS after − RSS before). Goal: warm summary and recent(50) well under 5 ms, no tens of MB.
 *
 * Usage: npm run build && node bench/history-summary.mjs [--records N] [--dist DIR]
 * --dist imports another build (default dist/). Prints a table, then one JSON line.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';

const self = fileURLToPath(import.meta.url);
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    records: { type: 'string', default: '87600' },
    dist: { type: 'string', default: path.join(path.dirname(self), '..', 'dist') },
    child: { type: 'string' },
  },
});

async function child(kind, dir, dist) {
  const { History, summarize } = await import(pathToFileURL(path.join(dist, 'jobs', 'history.js')).href);
  const repo = '/backups/new';
  const h = new History(dir);
  if (kind.endsWith('-repeat')) await h.recent('p', 50, repo);
  globalThis.gc?.();
  const rss0 = process.memoryUsage().rss;
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  let out;
  if (kind.startsWith('summary')) out = (await h.summary('p', repo)).lastRun?.startedAt;
  else if (kind.startsWith('recent50')) out = (await h.recent('p', 50, repo)).length;
  else if (kind === 'errors') out = await h.errorsInARow('p', repo);
  else if (kind === 'list') out = summarize(await h.list('p'), repo).lastRun?.startedAt;
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu = process.cpuUsage(cpu0);
  const peakKb = process.resourceUsage().maxRSS;
  process.stdout.write(
    JSON.stringify({
      kind,
      wallMs,
      cpuMs: (cpu.user + cpu.system) / 1000,
      rssIncreaseMB: Math.max(0, peakKb * 1024 - rss0) / 2 ** 20,
      out,
    }) + '\n',
  );
}

function generate(dir, n) {
  const start = Date.parse('2016-01-01T00:00:00Z');
  const lines = [];
  for (let i = 0; i < n; i++) {
    const t = start + i * 3_600_000;
    const failed = i % 97 === 0;
    lines.push(
      JSON.stringify({
        profile: 'p',
        trigger: 'schedule',
        startedAt: new Date(t).toISOString(),
        finishedAt: new Date(t + 95_000).toISOString(),
        result: failed ? 'error' : 'success',
        archive: failed ? null : `p-${new Date(t).toISOString().slice(0, 19)}`,
        stats: failed
          ? null
          : {
              originalSize: 51234567890 + i,
              compressedSize: 41234567890,
              deduplicatedSize: 1234567 + i,
              nfiles: 123456,
              durationSeconds: 95.2,
            },
        message: failed ? 'Connection to the server was lost.' : null,
        diagnoses: [],
        log: `/home/user/.config/dandelion/logs/p/${new Date(t).toISOString().replace(/[:.]/g, '-')}.log`,
        repository: i < 40_000 ? '/backups/old' : '/backups/new',
      }),
    );
  }
  fs.writeFileSync(path.join(dir, 'p.jsonl'), lines.join('\n') + '\n');
}

function run(kind, dir, dist) {
  const r = spawnSync(process.execPath, ['--expose-gc', self, '--child', kind, '--dist', dist, dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${kind}: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1));
}

if (values.child) {
  await child(values.child, positionals[0], values.dist);
} else {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dandelion-bench-history-'));
  try {
    generate(dir, Number(values.records));
    const size = fs.statSync(path.join(dir, 'p.jsonl')).size;
    const summaryFile = path.join(dir, 'p.summary.json');
    const results = [];
    const median = (kind, prepare, times = 7) => {
      const rs = [];
      for (let i = 0; i < times; i++) {
        prepare?.();
        rs.push(run(kind, dir, values.dist));
      }
      const mid = (k) => rs.map((r) => r[k]).sort((a, b) => a - b)[Math.floor(times / 2)];
      results.push({ kind: rs[0].kind, wallMs: mid('wallMs'), cpuMs: mid('cpuMs'), rssIncreaseMB: mid('rssIncreaseMB'), out: rs[0].out });
    };
    median('summary-cold', () => fs.rmSync(summaryFile, { force: true }), 3);
    median('summary-warm');
    median('summary-repeat');
    median('recent50');
    median('recent50-repeat');
    median('errors');
    median('list', undefined, 3);
    console.log(
      `history: ${Number(values.records)} records, ${(size / 2 ** 20).toFixed(1)} MB; summary file ${fs.statSync(summaryFile).size} bytes`,
    );
    console.log('case              wall ms   cpu ms   RSS +MB');
    for (const r of results)
      console.log(
        `${r.kind.padEnd(16)} ${r.wallMs.toFixed(2).padStart(8)} ${r.cpuMs.toFixed(2).padStart(8)} ${r.rssIncreaseMB.toFixed(1).padStart(9)}`,
      );
    console.log(JSON.stringify({ records: Number(values.records), bytes: size, results }));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
