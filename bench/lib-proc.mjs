/** Child processes for the benchmarks: timed, with pipes drained, and RSS sampled from /proc. */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { setInterval, clearInterval } from 'node:timers';
import { Buffer } from 'node:buffer';

/** Children still running, so an interrupted benchmark can stop them. */
export const live = new Set();

/**
 * Runs a command to completion. stdout and stderr are read as fast as they come and thrown away
 * (only the last bytes of stderr are kept for an error message, stdout only if asked), so neither
 * pipe ever blocks the child. `ms` is the wall time from spawn to the close of its pipes.
 */
export function run(cmd, args, { env, cwd, captureStdout = false, onSpawn, stderrFd } = {}) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    // stderrFd: the child writes its stderr straight to that file instead of a pipe read here.
    const child = spawn(cmd, args, { env, cwd, stdio: ['ignore', 'pipe', stderrFd ?? 'pipe'] });
    live.add(child);
    const out = [];
    let errTail = [];
    let errBytes = 0;
    let outBytes = 0;
    child.stdout.on('data', (c) => {
      outBytes += c.length;
      if (captureStdout) out.push(c);
    });
    child.stderr?.on('data', (c) => {
      errBytes += c.length;
      errTail.push(c);
      if (errTail.length > 2) errTail = errTail.slice(-2);
    });
    child.on('error', (err) => {
      live.delete(child);
      reject(err);
    });
    child.on('close', (code, signal) => {
      live.delete(child);
      resolve({
        code,
        signal,
        ms: performance.now() - t0,
        stdout: Buffer.concat(out).toString('utf8'),
        stdoutBytes: outBytes,
        stderrBytes: errBytes,
        stderrTail: Buffer.concat(errTail).toString('utf8').slice(-4000),
      });
    });
    onSpawn?.(child);
  });
}

/** Like run(), but a non-zero exit is an error carrying the end of stderr. */
export async function mustRun(cmd, args, opts) {
  const r = await run(cmd, args, opts);
  if (r.code !== 0) {
    const e = new Error(`${cmd} ${args.join(' ')} exited with ${r.code ?? r.signal}\n${r.stderrTail}\n${r.stdout.slice(-2000)}`);
    e.result = r;
    throw e;
  }
  return r;
}

function kb(status, field) {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  return m ? Number(m[1]) : null;
}

export const hasProc = fs.existsSync('/proc/self/status');

/**
 * Samples VmRSS and VmHWM of `pid` every `intervalMs`. Samples start only once the process has
 * exec'd into a command line containing `marker`: between fork and exec /proc shows the parent.
 */
export function sampleRss(pid, { intervalMs = 50, marker } = {}) {
  const samples = [];
  const t0 = performance.now();
  let execd = !marker;
  const read = () => {
    try {
      if (!execd) {
        execd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker);
        if (!execd) return;
      }
      const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
      const rssKb = kb(status, 'VmRSS');
      if (rssKb !== null) samples.push({ t: performance.now() - t0, rssKb, hwmKb: kb(status, 'VmHWM') });
    } catch {
      /* gone, or not there yet */
    }
  };
  read();
  const timer = setInterval(read, intervalMs);
  return {
    samples,
    stop() {
      clearInterval(timer);
      return samples;
    },
  };
}

export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  if (!s.length) return NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Clock ticks per second of /proc's utime/stime (USER_HZ, 100 on every Linux build in use). */
const CLK_TCK = 100;

/**
 * CPU time of this process's reaped children, in ms: cutime + cstime of /proc/self/stat. A child's
 * figure includes its own reaped children (borg under `dandelion run`), so the difference across
 * one run() is the whole tree's CPU. Clock-tick resolution (10 ms). null without /proc.
 */
export function childrenCpu() {
  try {
    const s = fs.readFileSync('/proc/self/stat', 'utf8');
    // Field 3 (state) follows the command name in parentheses; field N is f[N - 3].
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return { userMs: (Number(f[13]) * 1000) / CLK_TCK, systemMs: (Number(f[14]) * 1000) / CLK_TCK };
  } catch {
    return null;
  }
}

/** run(), with the CPU (user, system) the child and everything it reaped used. Nothing else may run meanwhile. */
export async function runCounted(cmd, args, opts) {
  const before = childrenCpu();
  const r = await mustRun(cmd, args, opts);
  const after = childrenCpu();
  const cpu = before && after ? { userMs: after.userMs - before.userMs, systemMs: after.systemMs - before.systemMs } : null;
  return { ...r, cpu };
}
