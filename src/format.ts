/** "2 hours ago" — the phrasing the menu bar and the CLI share. */
export function timeAgo(then: Date, now: Date): string {
  const s = (now.getTime() - then.getTime()) / 1000;
  if (s < 45) return 'just now';
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'} ago`;
  const minutes = s / 60;
  if (minutes < 45) return plural(Math.max(1, Math.round(minutes)), 'minute');
  const hours = minutes / 60;
  if (hours < 22) return plural(Math.max(1, Math.round(hours)), 'hour');
  const days = hours / 24;
  if (days < 14) return plural(Math.max(1, Math.round(days)), 'day');
  if (days < 60) return plural(Math.round(days / 7), 'week');
  // Long ago: the day, in the user's zone and words ("on 19 Aug"), never an ISO date.
  return `on ${localDay(then, now)}`;
}

export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB', 'PB'];
  let v = n;
  let i = -1;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

/** "1 file", "2 files", "0 files": a number and its noun, singular only for exactly one. */
export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}

/** Whose clock a time is read on: the user's locale (12 or 24 hours, day or month first) and zone; the process's own when absent. */
export interface LocalClock {
  locale?: string;
  timeZone?: string;
}

/** The ways a moment is written. */
export type ClockShape = 'ymd' | 'time' | 'weekday' | 'day' | 'day-year' | 'date' | 'date-year';
const SHAPES: Record<ClockShape, Intl.DateTimeFormatOptions> = {
  // Only computed with, never shown: the calendar day in the zone (en-GB: Gregorian, Latin digits).
  ymd: { year: 'numeric', month: 'numeric', day: 'numeric' },
  // "21:52" or "9:52 PM", as the locale has it.
  time: { timeStyle: 'short' },
  weekday: { weekday: 'long' },
  // "2 Dec" / "Dec 2" in sentences; "2 December" / "December 2" in the menu (wording.ts).
  day: { day: 'numeric', month: 'short' },
  'day-year': { day: 'numeric', month: 'short', year: 'numeric' },
  date: { day: 'numeric', month: 'long' },
  'date-year': { day: 'numeric', month: 'long', year: 'numeric' },
};
const formats = new Map<string, Intl.DateTimeFormat>();

/** A formatter for a shape on a clock, made once per shape, locale and zone (each costs ~80 µs to make). */
export function clockFormat(shape: ClockShape, clock: LocalClock): Intl.DateTimeFormat {
  const key = `${shape}|${clock.locale ?? ''}|${clock.timeZone ?? ''}`;
  let f = formats.get(key);
  if (!f) {
    const locale = shape === 'ymd' ? 'en-GB' : clock.locale;
    try {
      f = new Intl.DateTimeFormat(locale, { ...SHAPES[shape], timeZone: clock.timeZone });
    } catch {
      // A locale or zone this runtime does not know: the process's own.
      f = new Intl.DateTimeFormat(shape === 'ymd' ? 'en-GB' : undefined, SHAPES[shape]);
    }
    formats.set(key, f);
  }
  return f;
}

function ymdParts(d: Date, clock: LocalClock): { year: number; month: number; day: number } {
  const parts = clockFormat('ymd', clock).formatToParts(d);
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return { year: part('year'), month: part('month'), day: part('day') };
}

/** The calendar day of `d` on the clock's zone, as a day number, so two days can be subtracted. */
export function dayNumber(d: Date, clock: LocalClock): number {
  const { year, month, day } = ymdParts(d, clock);
  return Math.round(Date.UTC(year, month - 1, day) / 86_400_000);
}

/** The calendar year of `d` on the clock's zone. */
export function yearOf(d: Date, clock: LocalClock): number {
  return ymdParts(d, clock).year;
}

/**
 * A moment as a person says it, on their clock: "today at 21:52" (or "today at 9:52 PM"),
 * "yesterday at 21:52", "on 2 Dec at 21:52" ("on Dec 2 at 9:52 PM"), "on 2 Dec 2025 at 21:52".
 * For text read at once (notifications, the CLI).
 */
export function localWhen(then: Date, now: Date, clock: LocalClock = {}): string {
  const time = clockFormat('time', clock).format(then);
  const days = dayNumber(then, clock) - dayNumber(now, clock);
  if (days === 0) return `today at ${time}`;
  if (days === -1) return `yesterday at ${time}`;
  return `on ${localDay(then, now, clock)} at ${time}`;
}

/** "19 Aug" ("Aug 19"), with the year when it is not this year's: "19 Aug 2025". */
export function localDay(then: Date, now: Date, clock: LocalClock = {}): string {
  return clockFormat(yearOf(then, clock) === yearOf(now, clock) ? 'day' : 'day-year', clock).format(then);
}

/**
 * A moment without words that go stale ("today"), for text that is kept and read later (a record's
 * message): "2 Dec 2026 at 21:52" ("Dec 2, 2026 at 9:52 PM"), on the clock of the machine that wrote it.
 */
export function localDateTime(then: Date, clock: LocalClock = {}): string {
  return `${clockFormat('day-year', clock).format(then)} at ${clockFormat('time', clock).format(then)}`;
}

/** What holds a due backup back: the power adapter (skipOnBattery) or its disk; null when nothing does. */
export type WaitingFor = 'power' | 'disk' | null;

/** "waiting for power", "waiting for backup-disk" (the disk's name, else "the backup disk"); '' when nothing holds it back. */
export function waitingWords(waitingFor: WaitingFor, disk: string | null): string {
  if (waitingFor === 'power') return 'waiting for power';
  if (waitingFor === 'disk') return `waiting for ${disk ?? 'the backup disk'}`;
  return '';
}

/**
 * The one sentence fragment every face uses for an overdue backup: "Overdue, waiting for power",
 * "Overdue, waiting for backup-disk", or plain "Overdue".
 */
export function overdueWords(waitingFor: WaitingFor, disk: string | null): string {
  const why = waitingWords(waitingFor, disk);
  return why ? `Overdue, ${why}` : 'Overdue';
}
