import { spawn, execFile, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { getDefaultHighWaterMark, setDefaultHighWaterMark, type Readable, type Writable } from 'node:stream';
import { LineSplitter, parseLogLine, type BorgEvent } from './log-json.js';
import { DiagnosisCollector, type ClassifyContext, type Diagnosis } from './errors.js';
import { binaryUnchanged, rememberSelftest, type BorgBinary } from './locate.js';
import { selftestDue, selftestProven } from './selftest.js';
import { borgEnv, PASSPHRASE_FD, scrubbedEnv } from './env.js';
import { connectionCause, diagnosisFor } from '../messages.js';
import { StderrFile } from './stderr-file.js';

export type { Secret } from './env.js';
import type { Secret } from './env.js';

export interface BorgRunOptions {
  borg: BorgBinary;
  args: string[];
  secret: Secret;
  rsh?: string;
  /** ssh argv (without "ssh") that reproduces the connection, run when borg lost ssh's reason. */
  sshProbe?: string[] | null;
  cwd?: string;
  extraEnv?: Record<string, string>;
  ctx: Omit<ClassifyContext, 'passphraseSupplied'>;
  onEvent?: (ev: BorgEvent) => void;
  /** Keep stdout (borg's --json answer). Off for commands whose stdout we don't need. */
  captureStdout?: boolean;
  /** stdout as it comes, chunk by chunk (e.g. `borg list --json-lines` read while borg writes it); nothing is kept. */
  onStdout?: (chunk: Buffer) => void;
  signal?: AbortSignal;
  /** Called with borg's pid once it runs (its own process group), so a lock can name it. */
  onSpawn?: (pid: number) => void;
  /**
   * borg's stderr goes to this file (made new, 0600, removed after) and is read behind it, instead of a
   * pipe: no wake-up per line, and borg never waits for us (bench/engine-overhead.mjs, section 3). For the
   * long runs (a backup's steps); short commands keep the pipe. A file that cannot be made falls back to it.
   */
  stderrFile?: string;
  /**
   * Called after each batch of stderr lines; a promise means "read no more until it resolves". On a pipe
   * that holds borg up once the pipe is full; with `stderrFile` borg writes on into the file meanwhile.
   */
  backpressure?: () => Promise<void> | null;
  /** SIGINT lets borg write a checkpoint; SIGTERM follows if it has not exited after this long. */
  cancelGraceMs?: number;
  /**
   * What a cancel sends first (default SIGINT, so borg writes its checkpoint). SIGKILL only for a command
   * that writes nothing and holds no lock (a `list --bypass-lock`): it ends at once, however busy the machine.
   */
  cancelSignal?: NodeJS.Signals;
  /**
   * Hold the passphrase back until this settles (true: give it; false: close the pipe unread). borg
   * reads it when it opens the key, before it touches any file: a gate that lets borg start (python,
   * the repository) while the caller is still deciding what borg may do.
   */
  passphraseWhen?: Promise<boolean>;
}

export interface BorgRunResult {
  exitCode: number | null;
  signal: string | null;
  cancelled: boolean;
  level: 'success' | 'warning' | 'error';
  diagnoses: Diagnosis[];
  stdout: string;
}

const MAX_STDOUT = 256 * 1024 * 1024;

/**
 * borg writes (and flushes) stderr one line at a time, thousands a second while it lists files. Read
 * as it comes, that is one wake-up, read(2) and parse pass per line: more CPU than borg's own listing
 * (bench/engine-overhead.mjs, section 3). So after each read the pipe is left alone for a moment and
 * the lines gathered in it are read at once. The pause is sized from the rate borg wrote at so that
 * about READ_BATCH_BYTES gather, half of the 16 KiB a pipe starts with on macOS (Linux: 64 KiB), so
 * borg does not wait for us; and it lasts at most READ_PAUSE_MS, so progress stays live.
 */
const READ_PAUSE_MS = 40;
const READ_BATCH_BYTES = 8 * 1024;

/**
 * A paused stream still reads from its pipe until highWaterMark bytes are buffered; with the usual
 * 16 KiB that is a read per line during the whole pause. Stdio streams made while this runs stop
 * reading as soon as they are paused. Node has no per-stream option for stdio, so the default is
 * lowered just for the (synchronous) spawn.
 */
function spawnWithEagerPause(cmd: string, args: string[], options: SpawnOptions): ChildProcess {
  const saved = getDefaultHighWaterMark(false);
  setDefaultHighWaterMark(false, 1);
  try {
    return spawn(cmd, args, options);
  } finally {
    setDefaultHighWaterMark(false, saved);
  }
}

/**
 * pause()/resume() for several independent reasons (the read pause, the run log catching up):
 * the stream flows only when none holds it.
 */
class Holds {
  private count = 0;

  constructor(private readonly stream: Readable) {}

  hold(): void {
    if (this.count++ === 0) this.stream.pause();
  }

  release(): void {
    if (--this.count === 0) this.stream.resume();
  }
}

/**
 * Runs one borg command: argv only, stdin closed, stderr parsed as it arrives, a batch of lines at
 * a time (never buffered whole), the passphrase written to an extra pipe that borg reads via
 * BORG_PASSPHRASE_FD.
 */
export async function runBorg(opts: BorgRunOptions): Promise<BorgRunResult> {
  const collector = new DiagnosisCollector({
    ...opts.ctx,
    passphraseSupplied: opts.secret.kind !== 'none',
    ...(opts.secret.kind === 'passphrase' && opts.secret.passcommand ? { passcommand: opts.secret.passcommand } : {}),
  });
  // borg's self-test runs on a binary's first command of the day; the others skip it (src/borg/selftest.ts).
  // A self-test the user turned off (BORG_SELFTEST=disabled in our environment) did not run, so proves nothing.
  const env = borgEnv(process.env, opts);
  // A binary replaced since it passed (an upgrade under a running daemon) is tested again.
  const selftest =
    env.BORG_SELFTEST !== 'disabled' && (selftestDue(opts.borg.selftestPassedAt, Date.now()) || !(await binaryUnchanged(opts.borg)));
  if (!selftest) env.BORG_SELFTEST = 'disabled';
  const stderrFile = opts.stderrFile ? await StderrFile.create(opts.stderrFile) : null;
  // node's own spawn, not execa: importing execa costs ~75 ms on every `dandelion run`
  // (bench/engine-overhead.mjs), and this needs nothing it adds.
  let child: ChildProcess;
  try {
    child = spawnWithEagerPause(opts.borg.path, opts.args, {
      stdio: ['ignore', 'pipe', stderrFile ? stderrFile.fd : 'pipe', 'pipe'],
      env,
      cwd: opts.cwd,
      // Own process group: cancel reaches borg and its ssh child, and there is no terminal to prompt on.
      detached: true,
    });
  } catch (err) {
    await stderrFile?.close();
    throw err;
  }
  stderrFile?.handedOver();
  if (child.pid) opts.onSpawn?.(child.pid);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; spawnError: Error | null }>((resolve) => {
    child.once('error', (err) => resolve({ code: null, signal: null, spawnError: err }));
    child.once('close', (code, signal) => resolve({ code, signal, spawnError: null }));
  });

  const fd = child.stdio[PASSPHRASE_FD] as unknown as Writable | undefined;
  if (fd) {
    fd.on('error', () => {}); // borg may exit before reading (e.g. repository missing)
    const give = () => {
      if (opts.secret.kind === 'passphrase') fd.end(opts.secret.value);
      else fd.end();
    };
    if (opts.passphraseWhen)
      void opts.passphraseWhen.then(
        (go) => (go ? give() : fd.destroy()),
        () => fd.destroy(),
      );
    else give();
  }

  const splitter = new LineSplitter();
  const handleLines = (lines: string[]) => {
    for (const line of lines) {
      const ev = parseLogLine(line);
      if (!ev) continue;
      collector.observe(ev);
      opts.onEvent?.(ev);
    }
  };
  const reading = stderrFile
    ? readFile(stderrFile, child, (chunk) => {
        handleLines(splitter.push(chunk));
        return opts.backpressure?.() ?? null;
      })
    : readPipe(child, (chunk) => {
        handleLines(splitter.push(chunk));
        return opts.backpressure?.() ?? null;
      });

  const stdoutChunks: Buffer[] = [];
  let stdoutSize = 0;
  child.stdout!.on('data', (chunk: Buffer) => {
    opts.onStdout?.(chunk);
    if (!opts.captureStdout || stdoutSize > MAX_STDOUT) return;
    stdoutChunks.push(chunk);
    stdoutSize += chunk.length;
  });

  let cancelled = false;
  let escalate: NodeJS.Timeout | undefined;
  const kill = (sig: NodeJS.Signals) => {
    try {
      if (child.pid) process.kill(-child.pid, sig);
    } catch {
      /* already gone */
    }
  };
  const onAbort = () => {
    if (cancelled) return;
    cancelled = true;
    const first = opts.cancelSignal ?? 'SIGINT';
    kill(first);
    if (first === 'SIGKILL') return;
    escalate = setTimeout(() => kill('SIGTERM'), opts.cancelGraceMs ?? 20_000);
    escalate.unref();
  };
  if (opts.signal?.aborted) onAbort();
  else opts.signal?.addEventListener('abort', onAbort, { once: true });

  const result = await exited;
  await reading;
  await stderrFile?.close();
  if (escalate) clearTimeout(escalate);
  opts.signal?.removeEventListener('abort', onAbort);
  handleLines(splitter.end());

  const exitCode = result.code;
  const signal = result.signal;
  const spawnFailed = result.spawnError !== null;
  let finished = collector.finish(spawnFailed ? 2 : exitCode, signal);
  if (!cancelled && opts.sshProbe && finished.diagnoses[0]?.kind === 'connection-lost') {
    const better = await probeSsh(opts.sshProbe, { ...opts.ctx, passphraseSupplied: opts.secret.kind !== 'none' });
    if (better) finished = { ...finished, diagnoses: [better, ...finished.diagnoses] };
  }
  const level = cancelled && finished.level !== 'success' ? 'error' : finished.level;
  if (selftest && !spawnFailed && selftestProven({ level, cancelled, signal })) await rememberSelftest(opts.borg, Date.now());
  return {
    exitCode,
    signal,
    cancelled,
    level,
    diagnoses: finished.diagnoses,
    stdout: Buffer.concat(stdoutChunks).toString('utf8'),
  };
}

/**
 * borg's stderr from a pipe, a batch of lines at a time (see READ_PAUSE_MS); `onChunk` may return a promise
 * to hold the pipe, and with it borg once the pipe is full. Resolves once borg exited and the pipe is drained.
 */
function readPipe(child: ChildProcess, onChunk: (chunk: Buffer) => Promise<void> | null): Promise<void> {
  const stderr = child.stderr!;
  const holds = new Holds(stderr);
  let readPause: NodeJS.Timeout | null = null;
  let borgExited = false;
  let cycleStart = performance.now();
  const endReadPause = () => {
    if (!readPause) return;
    clearTimeout(readPause);
    readPause = null;
    holds.release();
  };
  // Once borg is gone, what is left in the pipe is read straight away: the run does not wait out a pause.
  child.once('exit', () => {
    borgExited = true;
    endReadPause();
  });
  stderr.on('data', (chunk: Buffer) => {
    const drained = onChunk(chunk);
    if (!readPause && !borgExited) {
      // Each chunk holds what borg wrote during the previous pause: its size over that time is borg's rate.
      const now = performance.now();
      const bytesPerMs = chunk.length / Math.max(1, now - cycleStart);
      const pauseMs = Math.min(READ_PAUSE_MS, READ_BATCH_BYTES / bytesPerMs);
      cycleStart = now;
      if (pauseMs >= 1) {
        holds.hold();
        readPause = setTimeout(endReadPause, pauseMs);
      }
    }
    // A log that cannot keep up pauses borg's output instead of filling memory.
    if (drained) {
      holds.hold();
      void drained.then(() => holds.release());
    }
  });
  return new Promise((resolve) => {
    // 'close' comes after borg exited and its stdio ended: everything it wrote was read.
    child.once('close', () => {
      endReadPause();
      resolve();
    });
    child.once('error', () => resolve());
  });
}

/** How long the rest of borg's process group (its ssh) may still write into the file after borg exited. */
const GROUP_EXIT_MS = 2000;

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * borg's stderr from its file, read behind it (StderrTail). Resolves once borg and what it started are gone and
 * the whole file was read: ssh shares the file and may say why the connection ended just after borg exited
 * (a pipe waited for it by itself, as ssh held it open).
 */
function readFile(file: StderrFile, child: ChildProcess, onChunk: (chunk: Buffer) => Promise<void> | null): Promise<void> {
  const tail = file.tail(onChunk);
  child.once('error', () => tail.end());
  child.once('exit', () => {
    const pgid = child.pid;
    const until = Date.now() + GROUP_EXIT_MS;
    const check = () => {
      if (pgid && groupAlive(pgid) && Date.now() < until) setTimeout(check, 20);
      else tail.end();
    };
    check();
  });
  return tail.done;
}

function runSsh(args: string[]): Promise<{ exitCode: number; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile('ssh', args, { timeout: 30_000, env: scrubbedEnv(process.env) }, (err, _stdout, stderr) =>
      resolve({ exitCode: err ? (typeof err.code === 'number' ? err.code : 255) : 0, stderr: String(stderr) }),
    );
    child.stdin?.end();
  });
}

function sshDiagnoses(stderr: string, ctx: ClassifyContext): Diagnosis[] {
  const collector = new DiagnosisCollector(ctx);
  for (const line of stderr.split(/\r?\n/)) if (line.trim()) collector.observe({ type: 'text', line: line.trim() });
  return collector.finish(2).diagnoses;
}

/**
 * ssh alone, with the options borg's ssh gets (and `borg --version` as its command, as borg's own ssh runs
 * borg there): why it cannot connect when that says more than "connection lost": an ssh- kind, a named
 * cause (name not found, refused, timed out, unreachable), or no borg on the server. Else null. borg often
 * exits on the closed pipe before it passes ssh's or the server's last words on, so its own output may lack them.
 */
async function probeSsh(args: string[], ctx: ClassifyContext): Promise<Diagnosis | null> {
  const d = await testSsh(args, ctx);
  if (!d || (d.kind === 'connection-lost' && connectionCause(d.detail) === 'lost')) return null;
  return d;
}

/**
 * "Test connection": null when ssh connects and the command it ran (`borg --version` there) worked, else the
 * reason: ssh's own (host key, login, key file), the server's shell saying borg is not there (exit 127), or
 * why the connection failed (name not found, refused, timed out).
 */
export async function testSsh(args: string[], ctx: ClassifyContext): Promise<Diagnosis | null> {
  const r = await runSsh(args);
  if (r.exitCode === 0) return null;
  const ds = sshDiagnoses(r.stderr, ctx);
  const known = ds.find((x) => x.kind.startsWith('ssh-')) ?? ds.find((x) => x.kind !== 'unknown');
  if (known) return known;
  // ssh passes on the remote command's status: 127 is the shell's "command not found", whatever its wording.
  if (r.exitCode === 127) return diagnosisFor('borg-missing', ctx, r.stderr.trim() || undefined, { remote: true });
  return diagnosisFor('connection-lost', ctx, r.stderr.trim() || `ssh exited with ${r.exitCode}`);
}
