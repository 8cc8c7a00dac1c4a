import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';

export const KEEP_LOGS = 30;
const LOG = '.log';
/** borg's stderr beside its run's log while a step runs: `<run>.borg-stderr`. */
const BORG_STDERR = '.borg-stderr';

/** Lines are written to the file in chunks of about this many characters, not one write per line. */
const CHUNK_CHARS = 64 * 1024;
/** Lines wait at most this long before they reach the file and the listener. */
const FLUSH_MS = 250;
/**
 * A listener gets lines every FLUSH_MS, or sooner once this many piled up: lines held much longer
 * survive V8's scavenges, and a fast listing then grows its young generation (+16 MB peak RSS).
 */
const MAX_BATCH_LINES = 1024;
/** The disk may fall this far behind before borg's output is paused (several chunks in flight). */
const STREAM_HIGH_WATER = 4 * CHUNK_CHARS;

export interface RunLogOptions {
  /** How many of the last lines tail() keeps (default 200). */
  tailSize?: number;
  /** Gets every line, stamped, in order, in batches: every FLUSH_MS while lines flow, and at flush() and close(). */
  onLines?: (lines: string[]) => void;
  /** How long a line may wait for its batch (default 250 ms). */
  flushMs?: number;
}

/**
 * One log file per run under logs/<profile>/, readable only by the user, written as a stream
 * (a run can list a million files), with the last lines kept in memory for the UI.
 *
 * Lines are gathered and written in chunks: a write (and a listener call) per line cost `dandelion
 * run` more CPU than borg spent listing the files (bench/engine-overhead.mjs, section 3).
 */
export class RunLog {
  readonly file: string;
  /** Where borg's own stderr goes while a step runs (runBorg's stderrFile), read into this log and removed after. */
  readonly borgStderr: string;
  private readonly stream: fs.WriteStream;
  private readonly tailSize: number;
  private readonly onLines: ((lines: string[]) => void) | null;
  private readonly flushMs: number;
  /** The last tailSize lines, a ring: the next line goes to tailAt. */
  private readonly tailRing: string[] = [];
  private tailAt = 0;
  /** Stamped lines, newline-terminated, not yet handed to the stream. */
  private pending = '';
  /** Stamped lines not yet given to onLines. */
  private batch: string[] = [];
  private timer: NodeJS.Timeout | null = null;
  private stampMs = 0;
  private stamp = '';

  private constructor(file: string, opts: RunLogOptions) {
    this.file = file;
    this.borgStderr = file.slice(0, -LOG.length) + BORG_STDERR;
    this.tailSize = opts.tailSize ?? 200;
    this.onLines = opts.onLines ?? null;
    this.flushMs = opts.flushMs ?? FLUSH_MS;
    this.stream = fs.createWriteStream(file, { flags: 'a', mode: 0o600, highWaterMark: STREAM_HIGH_WATER });
    this.stream.on('error', () => {}); // a full disk must not crash the run; the run itself reports it
  }

  static async open(logsDir: string, profile: string, startedAt: Date, opts: RunLogOptions = {}): Promise<RunLog> {
    const dir = path.join(logsDir, profile);
    await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
    const name = startedAt.toISOString().replace(/[:.]/g, '-') + '.log';
    await rotate(dir, KEEP_LOGS - 1);
    return new RunLog(path.join(dir, name), opts);
  }

  /** Adds a line; returns it as logged, with its time stamp. */
  line(text: string): string {
    // Thousands of lines a second share a millisecond: format the time once per millisecond.
    const now = Date.now();
    if (now !== this.stampMs) {
      this.stampMs = now;
      this.stamp = new Date(now).toISOString();
    }
    const stamped = `${this.stamp} ${text}`;
    this.pending += `${stamped}\n`;
    if (this.tailSize > 0) {
      this.tailRing[this.tailAt] = stamped;
      this.tailAt = this.tailAt + 1 === this.tailSize ? 0 : this.tailAt + 1;
    }
    if (this.onLines) {
      this.batch.push(stamped);
      if (this.batch.length >= MAX_BATCH_LINES) this.emitBatch();
    }
    if (this.pending.length >= CHUNK_CHARS) this.writePending();
    // One timer per FLUSH_MS window while lines flow, not one per line.
    this.timer ??= setTimeout(this.onTimer, this.flushMs);
    return stamped;
  }

  /** Hands every line so far to the file and to the listener (at the end of a step, before closing). */
  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    this.writePending();
    this.emitBatch();
  }

  private readonly onTimer = (): void => {
    this.timer = null;
    this.flush();
  };

  private writePending(): void {
    if (!this.pending) return;
    // After a write error (disk full) the stream is gone; the lines still reach the tail and the listener.
    if (!this.stream.destroyed) this.stream.write(this.pending);
    this.pending = '';
  }

  private emitBatch(): void {
    if (!this.onLines || this.batch.length === 0) return;
    const lines = this.batch;
    this.batch = [];
    this.onLines(lines);
  }

  /** While the disk is behind, a promise that resolves when it caught up; borg's output waits for it. */
  backpressure(): Promise<void> | null {
    if (!this.stream.writableNeedDrain || this.stream.errored) return null;
    return new Promise((resolve) => {
      // A log that failed (disk full) must not hold borg up forever.
      const done = () => {
        this.stream.off('drain', done).off('error', done).off('close', done);
        resolve();
      };
      this.stream.on('drain', done).on('error', done).on('close', done);
    });
  }

  /** The last lines (at most tailSize), oldest first. */
  tail(): string[] {
    if (this.tailRing.length < this.tailSize) return [...this.tailRing];
    return [...this.tailRing.slice(this.tailAt), ...this.tailRing.slice(0, this.tailAt)];
  }

  close(): Promise<void> {
    this.flush();
    return new Promise((resolve) => this.stream.end(resolve));
  }
}

async function rotate(dir: string, keep: number): Promise<void> {
  const all = await fsp.readdir(dir);
  const names = all.filter((n) => n.endsWith(LOG)).sort();
  const excess = names.slice(0, Math.max(0, names.length - keep));
  await Promise.all([...excess, ...leftBehind(all)].map((n) => fsp.rm(path.join(dir, n), { force: true })));
}

/**
 * borg's stderr files left behind by runs killed before they could remove them (their lines reached that run's
 * log as they came). The newest run's is spared in case it is still going: runs of one profile take turns under
 * the repository's lock, so it should not be, but a file borg may still write to is never taken from it.
 */
export function leftBehind(names: readonly string[]): string[] {
  const newest = names
    .filter((n) => n.endsWith(LOG))
    .sort()
    .at(-1);
  const spared = newest ? newest.slice(0, -LOG.length) + BORG_STDERR : null;
  return names.filter((n) => n.endsWith(BORG_STDERR) && n !== spared);
}

export async function latestLog(logsDir: string, profile: string): Promise<string | null> {
  try {
    const names = (await fsp.readdir(path.join(logsDir, profile))).filter((n) => n.endsWith('.log')).sort();
    const last = names.at(-1);
    return last ? path.join(logsDir, profile, last) : null;
  } catch {
    return null;
  }
}

/** The last n lines of a file, read from the end so a huge log costs only what is shown. */
export async function tailFile(file: string, n: number): Promise<string[]> {
  const handle = await fsp.open(file, 'r');
  try {
    const { size } = await handle.stat();
    let pos = size;
    let text = '';
    const chunk = 64 * 1024;
    while (pos > 0) {
      const len = Math.min(chunk, pos);
      pos -= len;
      const buf = Buffer.alloc(len);
      await handle.read(buf, 0, len, pos);
      text = buf.toString('utf8') + text;
      if (text.split('\n').length > n + 1) break;
    }
    const lines = text.split('\n');
    if (lines.at(-1) === '') lines.pop();
    return lines.slice(-n);
  } finally {
    await handle.close();
  }
}
