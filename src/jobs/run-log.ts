import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';

export const KEEP_LOGS = 30;

/**
 * One log file per run under logs/<profile>/, readable only by the user, written as a stream
 * (a run can list a million files), with the last lines kept in memory for the UI.
 */
export class RunLog {
  readonly file: string;
  private readonly stream: fs.WriteStream;
  private readonly tailLines: string[] = [];

  private constructor(
    file: string,
    private readonly tailSize: number,
  ) {
    this.file = file;
    this.stream = fs.createWriteStream(file, { flags: 'a', mode: 0o600 });
    this.stream.on('error', () => {}); // a full disk must not crash the run; the run itself reports it
  }

  static async open(logsDir: string, profile: string, startedAt: Date, tailSize = 200): Promise<RunLog> {
    const dir = path.join(logsDir, profile);
    await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
    const name = startedAt.toISOString().replace(/[:.]/g, '-') + '.log';
    await rotate(dir, KEEP_LOGS - 1);
    return new RunLog(path.join(dir, name), tailSize);
  }

  private stampMs = 0;
  private stamp = '';

  line(text: string): string {
    // Thousands of lines a second share a millisecond: format the time once per millisecond.
    const now = Date.now();
    if (now !== this.stampMs) {
      this.stampMs = now;
      this.stamp = new Date(now).toISOString();
    }
    const stamped = `${this.stamp} ${text}`;
    this.stream.write(stamped + '\n');
    this.tailLines.push(stamped);
    if (this.tailLines.length > this.tailSize) this.tailLines.shift();
    return stamped;
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

  tail(): string[] {
    return [...this.tailLines];
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.stream.end(resolve));
  }
}

async function rotate(dir: string, keep: number): Promise<void> {
  const names = (await fsp.readdir(dir)).filter((n) => n.endsWith('.log')).sort();
  const excess = names.slice(0, Math.max(0, names.length - keep));
  await Promise.all(excess.map((n) => fsp.rm(path.join(dir, n), { force: true })));
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
