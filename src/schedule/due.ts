/**
 * When is a scheduled backup due? Pure functions: `now` is always a parameter so callers (and tests)
 * control the clock, and a slot missed while the machine slept counts once, not once per missed slot.
 *
 * DST: cron-parser 4's next() and prev() disagree around transitions (see test/unit/due.test.ts):
 *  - spring forward: next() moves a non-existent local time to the hour after the gap (02:30 -> 03:30),
 *    but prev() silently skips that day;
 *  - fall back: next() fires only the first of the two 02:30s, but prev() returns both.
 * node-schedule only ever calls next(), so that is what really fires. We therefore never trust prev()
 * for the answer: we replay next() from a point safely before `now` and read off the slots around it.
 */
import fs from 'node:fs';
import { normalizeCron } from './cron.js';
import { cronParser } from './cron-parser.js';
import { scheduleFacts, type SlotWindow } from './facts.js';

export { setScheduleCacheFile } from './facts.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Longer than any DST shift, so a replay started this far back includes the real slot before a repeat. */
const LOOKBACK_MS = 2 * HOUR_MS;

/** Gaps schedulePeriodMs takes the median of. */
const PERIOD_GAPS = 8;
/**
 * A window reaches this far past the moment it is built for, and further by the slots the period
 * needs after the last one it answers for. Each slot costs about a millisecond of cron-parser to
 * build (once), so an hourly schedule builds ~26 slots a day, the price of ten uncached look-ups.
 */
const WINDOW_HORIZON_MS = DAY_MS;
const WINDOW_MAX_SLOTS = 48;
/** Between two slots further apart, the UTC offset is also sampled this often (no zone changes twice in a week). */
const OFFSET_SAMPLE_MS = 7 * DAY_MS;

type Slots = { prev: Date | null; next: Date | null };

function iterator(schedule: string, from: number, tz?: string) {
  return cronParser().parseExpression(schedule, { currentDate: new Date(from), tz });
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Offset of local wall-clock time from UTC at instant `t`, in ms (tz undefined = process zone). */
function utcOffsetMs(t: number, tz?: string): number {
  const key = tz ?? '';
  let fmt = formatters.get(key);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(key, fmt);
  }
  const parts = fmt.formatToParts(t);
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'), part('second'));
  return wall - Math.floor(t / 1000) * 1000;
}

/**
 * The slots just before/after `now` as a continuously running next() iterator sees them.
 * A fresh iterator started within an hour after a DST change, or shortly before one, is not
 * "continuous" (it would return the repeated 02:30, or miss the moved one, or on Lord Howe's
 * half-hour change fire the skipped 02:00 at another time), so when the offset at `now` differs
 * from the one a lookback before the start, the start moves a lookback earlier, before the change.
 */
function slotsAround(schedule: string, now: Date, tz?: string): Slots & { it: ReturnType<typeof iterator> } {
  const nowMs = now.getTime();
  let from = nowMs - LOOKBACK_MS;
  for (let attempt = 0; ; attempt++) {
    if (utcOffsetMs(from - LOOKBACK_MS, tz) !== utcOffsetMs(nowMs, tz)) from -= LOOKBACK_MS;
    const it = iterator(schedule, from, tz);
    let prev: Date | null = null;
    let next = it.next().toDate();
    while (next.getTime() <= nowMs) {
      prev = next;
      next = it.next().toDate();
    }
    if (prev || attempt === 2) return { prev, next, it };
    // No slot in the replay window (e.g. a daily schedule): restart shortly before the raw previous
    // slot. prev() only picks the starting point, it is never the answer.
    from = iterator(schedule, from, tz).prev().getTime() - LOOKBACK_MS;
  }
}

/**
 * The window of slots the replay at `now` continues into: the same iterator's next() calls, so the
 * slots a running scheduler fires after the two around now. For any later moment between two of its
 * slots, the replay would find exactly those two (tests hold the window to that, DST changes included).
 * null when there is no slot at or before now.
 */
function buildWindow(expression: string, now: Date, tz?: string): SlotWindow | null {
  const { prev, next, it } = slotsAround(expression, now, tz);
  if (prev === null || next === null) return null;
  const slots = [prev.getTime(), next.getTime()];
  const until = now.getTime() + WINDOW_HORIZON_MS;
  try {
    while (slots.length < PERIOD_GAPS + 2 || (slots.at(-1 - PERIOD_GAPS)! < until && slots.length < WINDOW_MAX_SLOTS)) {
      slots.push(it.next().getTime());
    }
  } catch {
    // cron-parser ran out of dates: the window is what it found
  }
  return { slots, changes: offsetChanges(slots, tz), periods: {} };
}

/** Where, around and between the slots, the UTC offset changes: pairs of samples with different offsets. */
function offsetChanges(slots: readonly number[], tz?: string): number[] {
  const samples = new Set<number>();
  slots.forEach((s, i) => {
    samples.add(s - LOOKBACK_MS);
    samples.add(s);
    const previous = slots[i - 1];
    if (previous !== undefined) for (let t = previous + OFFSET_SAMPLE_MS; t < s; t += OFFSET_SAMPLE_MS) samples.add(t);
  });
  const sorted = [...samples].sort((a, b) => a - b);
  const changes: number[] = [];
  let last = utcOffsetMs(sorted[0]!, tz);
  for (let i = 1; i < sorted.length; i++) {
    const offset = utcOffsetMs(sorted[i]!, tz);
    if (offset !== last) changes.push(sorted[i - 1]!, sorted[i]!);
    last = offset;
  }
  return changes;
}

let processZone: string | undefined;

/**
 * A name for the process's own zone in cache keys: equal names, same zone. Asking Intl costs ~12 ms
 * (ICU starts), more than all cached look-ups together, so TZ or the /etc/localtime link are used
 * when there is one (Linux, macOS); a different name for the same zone only costs a miss.
 */
function processZoneKey(): string {
  if (process.env.TZ !== undefined) return `TZ=${process.env.TZ}`;
  try {
    return `localtime=${fs.readlinkSync('/etc/localtime')}`;
  } catch {
    return Intl.DateTimeFormat().resolvedOptions().timeZone;
  }
}

/** The window holding `now` (from the facts, or built and remembered); null for an invalid time zone or no slot yet. */
function windowAt(expression: string, now: Date, tz?: string): { window: SlotWindow; index: number } | null {
  processZone ??= processZoneKey();
  const key = `${tz ?? processZone} ${expression}`;
  const found = scheduleFacts.window(key, now.getTime(), PERIOD_GAPS);
  if (found !== null) return found;
  let built: SlotWindow | null;
  try {
    built = buildWindow(expression, now, tz);
  } catch {
    return null; // invalid time zone
  }
  if (built === null) return null;
  scheduleFacts.setWindow(key, built);
  return scheduleFacts.window(key, now.getTime(), PERIOD_GAPS) ?? { window: built, index: 0 };
}

function safeSlots(schedule: string, now: Date, tz?: string): Slots {
  const expression = normalizeCron(schedule);
  if (expression === null) return { prev: null, next: null };
  const found = windowAt(expression, now, tz);
  if (found === null) return replaySlots(expression, now, tz); // no slot yet, or an invalid time zone
  const { window, index } = found;
  return { prev: new Date(window.slots[index]!), next: new Date(window.slots[index + 1]!) };
}

/**
 * The slots around now and the period by the replay alone, never remembered: the reference the
 * remembered facts are held to (test/unit/schedule-facts.test.ts). Same answers, slower.
 */
export function replaySlots(schedule: string, now: Date, tz?: string): Slots {
  const expression = normalizeCron(schedule);
  if (expression === null) return { prev: null, next: null };
  try {
    const { prev, next } = slotsAround(expression, now, tz);
    return { prev, next };
  } catch {
    return { prev: null, next: null };
  }
}

export function replayPeriodMs(schedule: string, now: Date, tz?: string): number {
  const expression = normalizeCron(schedule);
  const start = replaySlots(schedule, now, tz).prev;
  if (expression === null || start === null) throw new RangeError(`Invalid cron schedule: ${schedule}`);
  return replayedPeriodMs(expression, start.getTime(), tz);
}

/** Latest cron slot at or before now; null for an invalid schedule or time zone. */
export function previousSlot(schedule: string, now: Date, tz?: string): Date | null {
  return safeSlots(schedule, now, tz).prev;
}

/** First cron slot strictly after now; null for an invalid schedule or time zone. */
export function nextSlot(schedule: string, now: Date, tz?: string): Date | null {
  return safeSlots(schedule, now, tz).next;
}

/** Whether Dandelion accepts the expression: the same rule as the config schema (see cron.ts). */
export function isValidCron(schedule: string): boolean {
  return normalizeCron(schedule) !== null;
}

/**
 * Due when the latest slot at or before now is later than the start of the last successful (or
 * warning) run; never backed up => due. No (or an invalid) schedule => never due by time.
 * Callers pass only the last success/warning start: a failed run must not cancel the slot.
 */
export function isDue(args: { schedule: string | null; lastSuccessStartedAt: Date | null; now: Date; tz?: string }): boolean {
  const { schedule, lastSuccessStartedAt, now, tz } = args;
  if (schedule === null || !isValidCron(schedule)) return false;
  if (lastSuccessStartedAt === null) return true;
  const slot = previousSlot(schedule, now, tz);
  return slot !== null && slot.getTime() > lastSuccessStartedAt.getTime();
}

/**
 * Typical period between consecutive slots around now: the median of the next few gaps, so one
 * 23 h DST day or a weekend gap in a weekday schedule does not skew it. Throws on an invalid schedule.
 */
export function schedulePeriodMs(schedule: string, now: Date, tz?: string): number {
  const expression = normalizeCron(schedule);
  const found = expression === null ? null : windowAt(expression, now, tz);
  if (expression === null || found === null) return replayPeriodMs(schedule, now, tz);
  const { window, index } = found;
  const start = window.slots[index]!;
  const end = window.slots[index + PERIOD_GAPS]!;
  // Away from a DST change a fresh iterator from the slot fires the window's next slots, so their
  // gaps are the answer; near one it may not (see the top of this file), so ask it, once.
  const nearChange = window.changes.some((t, i) => i % 2 === 0 && t <= end && window.changes[i + 1]! >= start - LOOKBACK_MS);
  if (!nearChange) return medianGap(window.slots.slice(index, index + PERIOD_GAPS + 1));
  const known = window.periods[start];
  if (known !== undefined) return known;
  const period = replayedPeriodMs(expression, start, tz);
  window.periods[start] = period;
  scheduleFacts.changed();
  return period;
}

/** The median gap between the slots a fresh iterator fires from `start` (a slot) on. */
function replayedPeriodMs(expression: string, start: number, tz?: string): number {
  const it = iterator(expression, start - 1, tz);
  const slots = [it.next().getTime()];
  for (let i = 0; i < PERIOD_GAPS; i++) slots.push(it.next().getTime());
  return medianGap(slots);
}

function medianGap(slots: readonly number[]): number {
  const gaps = slots.slice(1).map((t, i) => t - slots[i]!);
  gaps.sort((a, b) => a - b);
  return gaps[gaps.length / 2] ?? DAY_MS;
}

/**
 * Overdue when there was no success within overdueAfterHours (if given), else 2x the schedule
 * period (a slot was missed and has stayed unserved for a whole period: whoever owns the schedules,
 * or nobody, the user hears of it), else (no schedule, e.g. volume-only) 7 days. Never backed up: overdue only once `since`
 * (first known run or profile creation) is older than that threshold; unknown `since` => false.
 */
export function isOverdue(args: {
  schedule: string | null;
  lastSuccessAt: Date | null;
  since: Date | null;
  now: Date;
  overdueAfterHours?: number;
  tz?: string;
}): boolean {
  const { schedule, lastSuccessAt, since, now, overdueAfterHours, tz } = args;
  let thresholdMs = 7 * DAY_MS;
  if (overdueAfterHours !== undefined) thresholdMs = overdueAfterHours * HOUR_MS;
  else if (schedule !== null && isValidCron(schedule)) thresholdMs = 2 * schedulePeriodMs(schedule, now, tz);
  const reference = lastSuccessAt ?? since;
  return reference !== null && now.getTime() - reference.getTime() > thresholdMs;
}

/**
 * Whether an automatic run may start given minIntervalHours since the last success.
 * allowedAt is when the wait ends, or null when there is nothing to wait for.
 */
export function minIntervalCheck(args: { lastSuccessAt: Date | null; minIntervalHours: number; now: Date }): {
  allowed: boolean;
  allowedAt: Date | null;
} {
  const { lastSuccessAt, minIntervalHours, now } = args;
  if (lastSuccessAt === null || !(minIntervalHours > 0)) return { allowed: true, allowedAt: null };
  const allowedAt = new Date(lastSuccessAt.getTime() + minIntervalHours * HOUR_MS);
  return now.getTime() >= allowedAt.getTime() ? { allowed: true, allowedAt: null } : { allowed: false, allowedAt };
}
