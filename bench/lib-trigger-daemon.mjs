/**
 * Helpers for bench/trigger-latency.mjs: the real `dandelion daemon` with its log lines collected
 * (each with the daemon's own timestamp), and CPU / RSS / wake-up accounting of a process tree from
 * /proc (Linux only).
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';

/** Wall-clock time in ms with sub-ms resolution, comparable with `date +%s.%N` / $EPOCHREALTIME. */
export const wallNow = () => performance.timeOrigin + performance.now();

export const sleep = (ms) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/** The real daemon process. Every stdout/stderr line is kept as { text, stamp, recv }. */
export class Daemon {
  constructor(cli, env) {
    this.lines = [];
    this.waiters = [];
    this.exit = null;
    this.child = spawn(process.execPath, [cli, 'daemon'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        this.exit = { code, signal };
        for (const w of this.waiters) w.reject(new Error(`the daemon exited (${code ?? signal}) before logging ${w.re}\n${this.tail()}`));
        this.waiters = [];
        resolve(this.exit);
      });
    });
    this.child.on('error', (err) => {
      this.exit = { code: null, signal: null, error: err };
      for (const w of this.waiters) w.reject(err);
      this.waiters = [];
    });
    this.collect(this.child.stdout, '');
    this.collect(this.child.stderr, 'stderr: ');
  }

  get pid() {
    return this.child.pid;
  }

  /** Index of the next line: pass it as `from` to wait only for lines logged after this moment. */
  get mark() {
    return this.lines.length;
  }

  collect(stream, prefix) {
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => {
      const recv = wallNow();
      partial += chunk;
      const parts = partial.split('\n');
      partial = parts.pop() ?? '';
      for (const raw of parts) {
        const m = /^(\d{4}-\d\d-\d\dT[\d:.]+Z) (.*)$/.exec(raw);
        const line = { index: this.lines.length, text: prefix + (m ? m[2] : raw), stamp: m ? Date.parse(m[1]) : NaN, recv, raw };
        this.lines.push(line);
        if (process.env.DANDELION_BENCH_VERBOSE) process.stderr.write(`    daemon: ${raw}\n`);
        this.waiters = this.waiters.filter((w) => {
          if (line.index >= w.from && w.re.test(line.text)) {
            w.resolve(line);
            return false;
          }
          return true;
        });
      }
    });
  }

  tail(n = 25) {
    return this.lines
      .slice(-n)
      .map((l) => `    | ${l.raw}`)
      .join('\n');
  }

  /** The first line at or after index `from` whose text (without the timestamp) matches `re`. */
  waitFor(re, { from = 0, timeoutMs = 30_000 } = {}) {
    const hit = this.lines.slice(from).find((l) => re.test(l.text));
    if (hit) return Promise.resolve(hit);
    if (this.exit)
      return Promise.reject(new Error(`the daemon has exited (${this.exit.code ?? this.exit.signal}); never logged ${re}\n${this.tail()}`));
    return new Promise((resolve, reject) => {
      const w = { re, from, resolve: null, reject: null };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== w);
        reject(new Error(`the daemon did not log ${re} within ${timeoutMs} ms; its last lines:\n${this.tail()}`));
      }, timeoutMs);
      w.resolve = (line) => {
        clearTimeout(timer);
        resolve(line);
      };
      w.reject = (err) => {
        clearTimeout(timer);
        reject(err);
      };
      this.waiters.push(w);
    });
  }

  /** SIGTERM, as a service manager would; SIGKILL to the whole tree if it has not exited after `graceMs`. */
  async stop(graceMs = 15_000) {
    if (this.exit) return this.exit;
    const tree = descendants(this.pid);
    this.child.kill('SIGTERM');
    let timer;
    const done = await Promise.race([this.exited, new Promise((r) => (timer = setTimeout(r, graceMs, null)))]);
    clearTimeout(timer);
    if (done) {
      // The daemon kills its findmnt helper on the way out; make sure nothing it started lingers.
      for (const pid of tree) killQuietly(pid, 'SIGKILL');
      return done;
    }
    for (const pid of [this.pid, ...tree, ...descendants(this.pid)]) killQuietly(pid, 'SIGKILL');
    return (await this.exited) ?? { code: null, signal: 'SIGKILL' };
  }

  /** Synchronous last resort (signal handlers): kill the tree without waiting. */
  killNow() {
    if (this.exit) return;
    const tree = descendants(this.pid);
    killQuietly(this.pid, 'SIGTERM');
    for (const pid of tree) killQuietly(pid, 'SIGTERM');
  }
}

function killQuietly(pid, sig) {
  try {
    process.kill(pid, sig);
  } catch {
    /* already gone */
  }
}

// ---------------------------------------------------------------------------------------------
// /proc accounting

export const hasProc = fs.existsSync('/proc/self/stat');

/** Clock ticks per second for utime/stime in /proc/<pid>/stat (almost always 100). */
export const CLK_TCK = (() => {
  try {
    const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
    const n = Number(r.stdout.trim());
    return Number.isInteger(n) && n > 0 ? n : 100;
  } catch {
    return 100;
  }
})();

/** /proc/<pid>/stat (or <pid>/task/<tid>): comm, ppid, own CPU ticks (utime+stime) and reaped children's (cutime+cstime). */
export function readStat(pid) {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const open = s.indexOf('(');
    const close = s.lastIndexOf(')');
    const comm = s.slice(open + 1, close);
    const f = s.slice(close + 2).split(' ');
    // f[0] is field 3 (state): field N is f[N - 3].
    return { pid, comm, state: f[0], ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]), childTicks: Number(f[13]) + Number(f[14]) };
  } catch {
    return null;
  }
}

/**
 * All live descendants of `root`. /proc/<pid>/task/<tid>/children needs CONFIG_PROC_CHILDREN, which
 * many kernels lack, so the parent links of every process are read instead.
 */
export function descendants(root) {
  if (!hasProc) return [];
  const kids = new Map();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const st = readStat(Number(name));
    if (!st) continue;
    if (!kids.has(st.ppid)) kids.set(st.ppid, []);
    kids.get(st.ppid).push(st.pid);
  }
  const out = [];
  const queue = [...(kids.get(root) ?? [])];
  while (queue.length) {
    const pid = queue.shift();
    out.push(pid);
    queue.push(...(kids.get(pid) ?? []));
  }
  return out;
}

function statusKb(status, field) {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  return m ? Number(m[1]) : null;
}

/** VmRSS and context switches summed over all threads (each voluntary switch is a sleep → wake-up). */
export function readStatus(pid) {
  let rssKb = null;
  try {
    rssKb = statusKb(fs.readFileSync(`/proc/${pid}/status`, 'utf8'), 'VmRSS');
  } catch {
    return null;
  }
  let voluntary = 0;
  let involuntary = 0;
  const threads = [];
  try {
    for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
      try {
        const s = fs.readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8');
        const v = Number(/^voluntary_ctxt_switches:\s+(\d+)/m.exec(s)?.[1] ?? 0);
        const n = Number(/^nonvoluntary_ctxt_switches:\s+(\d+)/m.exec(s)?.[1] ?? 0);
        const st = readStat(`${pid}/task/${tid}`);
        voluntary += v;
        involuntary += n;
        threads.push({ tid: Number(tid), name: /^Name:\s+(.*)$/m.exec(s)?.[1] ?? '?', switches: v + n, ticks: st?.ticks ?? 0 });
      } catch {
        /* thread gone */
      }
    }
  } catch {
    /* process gone */
  }
  return { rssKb, voluntary, involuntary, threads };
}

/**
 * One sample of a process tree: each process's own CPU ticks plus those of its reaped children, so
 * CPU used by short-lived helpers that came and went between samples is still counted (in the
 * parent's cutime/cstime once reaped).
 */
export function sampleTree(rootPid, t) {
  const procs = [];
  for (const pid of [rootPid, ...descendants(rootPid)]) {
    const st = readStat(pid);
    if (!st) continue;
    const status = readStatus(pid);
    procs.push({
      pid,
      comm: st.comm,
      ticks: st.ticks,
      childTicks: st.childTicks,
      rssKb: status?.rssKb ?? 0,
      voluntary: status?.voluntary ?? 0,
      involuntary: status?.involuntary ?? 0,
      threads: status?.threads ?? [],
    });
  }
  const root = procs.find((p) => p.pid === rootPid) ?? null;
  return {
    t,
    procs,
    alive: root !== null,
    totalTicks: procs.reduce((s, p) => s + p.ticks + p.childTicks, 0),
    rootRssKb: root?.rssKb ?? null,
    treeRssKb: procs.reduce((s, p) => s + p.rssKb, 0),
    switches: procs.reduce((s, p) => s + p.voluntary + p.involuntary, 0),
  };
}

// ---------------------------------------------------------------------------------------------
// Statistics

/** Linear-interpolated quantile (q in 0..1) of the finite values. */
export function quantile(values, q) {
  const s = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

export function summarize(values) {
  const v = values.filter(Number.isFinite);
  if (!v.length) return { n: 0, min: NaN, median: NaN, p90: NaN, max: NaN };
  return { n: v.length, min: Math.min(...v), median: quantile(v, 0.5), p90: quantile(v, 0.9), max: Math.max(...v) };
}

/** Least-squares slope of y over x. */
export function slope(xs, ys) {
  const n = xs.length;
  if (n < 2) return NaN;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return den === 0 ? NaN : num / den;
}
