/**
 * `dandelion logs --follow`: the run going on (in this or any other Dandelion process), or the next
 * one, printed as its log grows, until the run ends, Ctrl-C, or the reader of our output goes away.
 * The log file is the only thing read: any process's run can be followed the same way.
 */
import fsp from 'node:fs/promises';
import type { Engine } from './engine.js';

export interface FollowIO {
  out(text: string): void;
  err(text: string): void;
  /** Calls fn once stdout is closed (`| head`); returns a function that forgets it. */
  onClose(fn: () => void): () => void;
}

const POLL_MS = 250;
/** How often the profile's state is asked while following: a run killed outright writes no last line. */
const STATE_EVERY = 8;
/** The last line every run's log ends with (jobs/backup.ts). */
const FINISHED = /^\S+ Dandelion: run finished: /;

export function endsRun(lines: readonly string[]): boolean {
  return lines.some((l) => FINISHED.test(l));
}

async function running(engine: Engine, id: string): Promise<boolean> {
  const report = await engine.status();
  return report.profiles.find((p) => p.id === id)?.state === 'running';
}

async function latest(engine: Engine, id: string): Promise<string | null> {
  const r = await engine.logTail(id, 1);
  return r.ok ? r.value.file : null;
}

export async function followLog(engine: Engine, id: string, tail: { file: string | null; lines: string[] }, io: FollowIO): Promise<number> {
  let stop = false;
  let wake: (() => void) | null = null;
  const end = () => {
    stop = true;
    wake?.();
  };
  const forget = io.onClose(end);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(sig, end);
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  try {
    if (tail.lines.length) io.out(tail.lines.join('\n') + '\n');
    let file: string | null = null;
    let offset = 0;
    const busy = await running(engine, id);
    // The latest log belongs to a run still going on: carry on from where its tail ended.
    if (tail.file && !endsRun(tail.lines) && busy) {
      file = tail.file;
      offset = (await fsp.stat(file)).size;
    } else {
      // A run that has just started may not have opened its log yet: that one is followed, from its start.
      if (!busy) io.err(`Waiting for the next backup of "${id}"… (Ctrl-C to stop)\n`);
      while (!stop) {
        const next = await latest(engine, id);
        if (next && next !== tail.file) {
          file = next;
          break;
        }
        await sleep(POLL_MS * 2);
      }
    }
    if (!file) return 0;
    for (let i = 1; !stop; i++) {
      const { text, next } = await readFrom(file, offset, false);
      offset = next;
      if (text) io.out(text);
      if (endsRun(text.split('\n'))) break;
      if (i % STATE_EVERY === 0 && !(await running(engine, id))) {
        // Whatever the run wrote last, then stop: it ended without its last line (killed outright).
        const rest = (await readFrom(file, offset, true)).text;
        if (rest) io.out(rest.endsWith('\n') ? rest : `${rest}\n`);
        break;
      }
      await sleep(POLL_MS);
    }
    return 0;
  } finally {
    forget();
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.off(sig, end);
  }
}

/** What was written after offset: whole lines only (a character is never cut in two), or everything when `all`. */
async function readFrom(file: string, offset: number, all: boolean): Promise<{ text: string; next: number }> {
  const handle = await fsp.open(file, 'r');
  try {
    const { size } = await handle.stat();
    if (size <= offset) return { text: '', next: offset };
    const buf = Buffer.alloc(size - offset);
    const { bytesRead } = await handle.read(buf, 0, buf.length, offset);
    const end = all ? bytesRead : buf.subarray(0, bytesRead).lastIndexOf(0x0a) + 1;
    return { text: buf.subarray(0, end).toString('utf8'), next: offset + end };
  } finally {
    await handle.close();
  }
}
