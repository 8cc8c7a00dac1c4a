#!/usr/bin/env node
/**
 * Runs npm scripts side by side, at most `--jobs` at a time (default: one per core), each one's
 * output printed whole when it ends so the logs do not interleave. Exits non-zero if any failed,
 * after all have ended; a failure is named at the end.
 *
 * Usage: node scripts/run-parallel.mjs [--jobs N] [--live script] script...
 * `--live` names the one script whose output goes straight through as it comes (a long test run
 * that must show progress); it starts first.
 * `npm test` uses it twice: the three builds (the tests use what they build), then the tests beside
 * lint and typecheck, which need nothing built and fill the cores while the tests wait on borg.
 */
import { spawn } from 'node:child_process';
import os from 'node:os';

const args = process.argv.slice(2);
let jobs = Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
const scripts = [];
let live = null;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--jobs') jobs = Math.max(1, Number(args[++i]) || 1);
  else if (args[i] === '--live') scripts.unshift((live = args[++i]));
  else scripts.push(args[i]);
}
if (scripts.length === 0 || (live !== null && !live)) {
  console.error('usage: node scripts/run-parallel.mjs [--jobs N] [--live script] script...');
  process.exit(2);
}

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const failed = [];
let next = 0;

function run(script) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child =
      script === live
        ? spawn(npm, ['run', '-s', script], { stdio: ['ignore', 'inherit', 'inherit'] })
        : spawn(npm, ['run', '-s', script], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } });
    const out = [];
    child.stdout?.on('data', (b) => out.push(b));
    child.stderr?.on('data', (b) => out.push(b));
    child.on('error', (err) => out.push(Buffer.from(`${err.message}\n`)));
    child.on('close', (code, signal) => {
      const ok = code === 0;
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      process.stdout.write(`\n> ${script} ${ok ? 'ok' : `FAILED (${signal ?? `exit ${code}`})`} in ${seconds} s\n`);
      process.stdout.write(Buffer.concat(out));
      if (!ok) failed.push(script);
      resolve();
    });
  });
}

async function lane() {
  while (next < scripts.length) await run(scripts[next++]);
}

await Promise.all(Array.from({ length: Math.min(jobs, scripts.length) }, lane));
if (failed.length > 0) {
  console.error(`\nfailed: ${failed.join(', ')}`);
  process.exit(1);
}
