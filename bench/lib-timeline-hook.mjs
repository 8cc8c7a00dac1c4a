/**
 * Preloaded into the CLI under test (`node --import <this> dist/cli.js ...`) for the overhead
 * breakdown only, never in the timed comparison: records when each child process (borg) is spawned
 * and exits, in ms since this process's time origin, and writes them to
 * $DANDELION_BENCH_TIMELINE_OUT at exit.
 */
import childProcess from 'node:child_process';
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';

const out = process.env.DANDELION_BENCH_TIMELINE_OUT;
if (out) {
  const events = [{ t: performance.now(), what: 'preload' }];
  const spawn = childProcess.ChildProcess.prototype.spawn;
  childProcess.ChildProcess.prototype.spawn = function (options) {
    // options.args is [argv0, ...args]: the borg command is the first argument.
    const name = String(options?.args?.[1] ?? options?.file ?? '?');
    events.push({ t: performance.now(), what: `spawn ${name}` });
    this.once('exit', () => events.push({ t: performance.now(), what: `exit ${name}` }));
    return spawn.call(this, options);
  };
  process.on('exit', () => {
    events.push({ t: performance.now(), what: 'process exit' });
    fs.writeFileSync(out, JSON.stringify({ timeOrigin: performance.timeOrigin, events }));
  });
}
