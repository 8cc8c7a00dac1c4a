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
import cronParser from 'cron-parser';
import { normalizeCron } from './cron.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Longer than any DST shift, so a replay started this far back includes the real slot before a repeat. */
const LOOKBACK_MS = 2 * HOUR_MS;

type Slots = { prev: Date | null; next: Date | null };

function iterator(schedule: string, from: number, tz?: string) {
  return cronParser.parseExpression(schedule, { currentDate: new Date(from), tz });
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
 * A fresh iterator started within an hour after a DST change is not "continuous" (it would return
 * the repeated 02:30 or miss the moved one), so the replay start is nudged to before any change.
 */
function slotsAround(schedule: string, now: Date, tz?: string): Slots {
  const nowMs = now.getTime();
  let from = nowMs - LOOKBACK_MS;
  for (let attempt = 0; ; attempt++) {
    if (utcOffsetMs(from, tz) !== utcOffsetMs(from - LOOKBACK_MS, tz)) from -= LOOKBACK_MS;
    const it = iterator(schedule, from, tz);
    let prev: Date | null = null;
    let next = it.next().toDate();
    while (next.getTime() <= nowMs) {
      prev = next;
      next = it.next().toDate();
    }
    if (prev || attempt === 2) return { prev, next };
    // No slot in the replay window (e.g. a daily schedule): restart shortly before the raw previous
    // slot. prev() only picks the starting point, it is never the answer.
    from = iterator(schedule, from, tz).prev().getTime() - LOOKBACK_MS;
  }
}

function safeSlots(schedule: string, now: Date, tz?: string): Slots {
  const expression = normalizeCron(schedule);
  if (expression === null) return { prev: null, next: null };
  try {
    return slotsAround(expression, now, tz);
  } catch {
    return { prev: null, next: null }; // invalid time zone
  }
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
  const start = previousSlot(schedule, now, tz);
  if (expression === null || start === null) throw new RangeError(`Invalid cron schedule: ${schedule}`);
  const it = iterator(expression, start.getTime() - 1, tz);
  const gaps: number[] = [];
  let last = it.next().getTime();
  for (let i = 0; i < 8; i++) {
    const t = it.next().getTime();
    gaps.push(t - last);
    last = t;
  }
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
