/**
 * Schedule facts that do not change, remembered in-process and, once a file is given, across
 * processes (`<configDir>/cache/schedule-facts.json`): whether cron-parser accepts an expression,
 * and a window of the slots a running scheduler fires for an expression in a zone.
 *
 * Nothing here decides a slot: due.ts computes a window with the slow replay and stores it; a later
 * `now` inside the window reads its answer from the list. A file written by another Node (time zone
 * data), another cron-parser or another format is ignored whole, as is one that does not parse or
 * whose windows are not ascending lists; the next miss rewrites it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { cronParserVersion } from './cron-parser.js';

const FORMAT = 1;
/** Enough for every profile of a config dir several times over; the least recently used go first. */
const MAX_WINDOWS = 64;
const MAX_CHECKS = 256;

/** The slots one continuous next() iterator fires, ascending (ms), and what is known about them. */
export interface SlotWindow {
  slots: number[];
  /** Pairs [a, b] (flattened): the UTC offset differs between a and b, so a DST change lies in (a, b]. */
  changes: number[];
  /** schedulePeriodMs by slot (ms as key), for the slots a DST change makes unsafe to derive from the list. */
  periods: Record<string, number>;
}

interface FileShape {
  stamp: string;
  windows: Record<string, SlotWindow>;
  checks: Record<string, string | null>;
}

function stamp(): string {
  return `${FORMAT} node ${process.version} tz ${process.versions.tz ?? '?'} cron-parser ${cronParserVersion()}`;
}

const isNumberList = (x: unknown): x is number[] => Array.isArray(x) && x.every((n) => typeof n === 'number' && Number.isFinite(n));

function isWindow(x: unknown): x is SlotWindow {
  if (typeof x !== 'object' || x === null) return false;
  const w = x as Partial<SlotWindow>;
  if (!isNumberList(w.slots) || w.slots.length < 2 || !isNumberList(w.changes) || w.changes.length % 2 !== 0) return false;
  if (!w.slots.every((s, i) => i === 0 || s > w.slots![i - 1]!)) return false;
  const periods = w.periods;
  return typeof periods === 'object' && periods !== null && Object.values(periods).every((p) => typeof p === 'number' && p > 0);
}

function parseFile(text: string, expected: string): FileShape | null {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof data !== 'object' || data === null) return null;
  const f = data as Partial<FileShape>;
  if (f.stamp !== expected || typeof f.windows !== 'object' || f.windows === null) return null;
  if (typeof f.checks !== 'object' || f.checks === null) return null;
  if (!Object.values(f.windows).every(isWindow)) return null;
  if (!Object.values(f.checks).every((c) => c === null || typeof c === 'string')) return null;
  return f as FileShape;
}

function setBounded<V>(map: Map<string, V>, key: string, value: V, max: number): void {
  map.delete(key);
  map.set(key, value);
  for (const old of map.keys()) {
    if (map.size <= max) break;
    map.delete(old);
  }
}

export class ScheduleFacts {
  private windows = new Map<string, SlotWindow>();
  private checks = new Map<string, string | null>();
  private file: string | null = null;
  private fileStamp = '';

  /**
   * Remember facts in `file` from now on, starting from what it holds (if it is valid) and nothing
   * else; null = in memory only, starting from nothing.
   */
  useFile(file: string | null): void {
    this.file = file;
    this.windows.clear();
    this.checks.clear();
    if (file === null) return;
    this.fileStamp = stamp();
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      return; // missing: the first miss writes it
    }
    const data = parseFile(text, this.fileStamp);
    if (data === null) return;
    for (const [key, w] of Object.entries(data.windows)) setBounded(this.windows, key, w, MAX_WINDOWS);
    for (const [expr, c] of Object.entries(data.checks)) setBounded(this.checks, expr, c, MAX_CHECKS);
  }

  /** The window for `key` if it holds `now` with `after` more slots behind the one at or before now. */
  window(key: string, now: number, after: number): { window: SlotWindow; index: number } | null {
    const w = this.windows.get(key);
    if (w === undefined) return null;
    const { slots } = w;
    const last = slots.length - 1 - after;
    if (last < 0 || now < slots[0]! || now >= slots[last]!) return null;
    let lo = 0;
    let hi = last; // slots[lo] <= now < slots[hi]
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (slots[mid]! <= now) lo = mid;
      else hi = mid;
    }
    return { window: w, index: lo };
  }

  setWindow(key: string, w: SlotWindow): void {
    setBounded(this.windows, key, w, MAX_WINDOWS);
    this.save();
  }

  /** A window of `key` learnt something new (a period). */
  changed(): void {
    this.save();
  }

  check(expression: string): string | null | undefined {
    return this.checks.get(expression);
  }

  setCheck(expression: string, error: string | null): void {
    setBounded(this.checks, expression, error, MAX_CHECKS);
    this.save();
  }

  /** Written on each new fact (rare: once per window), atomically; a cache that cannot be written is only slower. */
  private save(): void {
    if (this.file === null) return;
    const data: FileShape = {
      stamp: this.fileStamp,
      windows: Object.fromEntries(this.windows),
      checks: Object.fromEntries(this.checks),
    };
    const tmp = `${this.file}.${process.pid}.tmp`;
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      fs.writeFileSync(tmp, JSON.stringify(data));
      fs.renameSync(tmp, this.file);
    } catch {
      try {
        fs.rmSync(tmp, { force: true });
      } catch {
        // nowhere to write, nothing to remove
      }
    }
  }
}

/** The one store the schedule functions use. */
export const scheduleFacts = new ScheduleFacts();

/**
 * Keep schedule facts in `file` across processes (the engine passes `<configDir>/cache/schedule-facts.json`
 * at open, before it validates the config); null keeps them in memory only.
 */
export function setScheduleCacheFile(file: string | null): void {
  scheduleFacts.useFile(file);
}
