/**
 * The log pane's lines as data, apart from the DOM: at most LOG_LINES kept, the run's tail from
 * the file joined to the live batches without repeating the lines both carry.
 */
import { clockTime } from '../shared/format.js';

export const LOG_LINES = 200;

export interface LogLine {
  /** Increasing: the key that lets the DOM keep a line's node while it stays on screen. */
  id: number;
  text: string;
}

let nextId = 1;
export function toLines(texts: readonly string[]): LogLine[] {
  return texts.map((text) => ({ id: nextId++, text }));
}

/** The last `max` of `a` followed by `b`. */
export function appendBounded(a: readonly LogLine[], b: readonly LogLine[], max = LOG_LINES): LogLine[] {
  if (b.length >= max) return b.slice(-max);
  const keep = Math.max(0, a.length + b.length - max);
  return keep ? [...a.slice(keep), ...b] : [...a, ...b];
}

/**
 * The tail read from the run log, then the live lines that arrived while it was read: the run log
 * is written before lines are sent, so the tail's last lines may be the live batch's first ones.
 */
export function joinTail(tail: readonly string[], live: readonly string[]): string[] {
  const max = Math.min(tail.length, live.length);
  for (let k = max; k > 0; k--) {
    let same = true;
    for (let i = 0; i < k && same; i++) same = tail[tail.length - k + i] === live[i];
    if (same) return [...tail, ...live.slice(k)];
  }
  return [...tail, ...live];
}

/** Each line starts with its ISO time stamp (see src/jobs/run-log.ts): a line of an earlier run sorts before the run's start. */
export function fromRun(line: string, startedAt: string | null): boolean {
  if (!startedAt) return true;
  const stamp = line.slice(0, 24);
  return !/^\d{4}-\d\d-\d\dT/.test(stamp) || stamp >= startedAt.slice(0, 24);
}

/** The time of day of a stamped line and its text: "12:03:11  Creating archive …". */
export function display(line: string): string {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z) (.*)$/s.exec(line);
  if (!m) return line;
  const d = new Date(m[1]!);
  if (Number.isNaN(d.getTime())) return line;
  return `${clockTime(d)}  ${m[2]}`;
}
