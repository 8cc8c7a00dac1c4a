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

type Shape = 'ymd' | 'time' | 'day' | 'day-year';
const SHAPES: Record<Shape, Intl.DateTimeFormatOptions> = {
  // Only compared, never shown: which calendar day a moment falls on in the zone.
  ymd: { year: 'numeric', month: 'numeric', day: 'numeric' },
  // As the menu says it (wording.ts): "21:52" or "9:52 PM", as the locale has it.
  time: { timeStyle: 'short' },
  day: { day: 'numeric', month: 'short' },
  'day-year': { day: 'numeric', month: 'short', year: 'numeric' },
};
const formats = new Map<string, Intl.DateTimeFormat>();

function format(shape: Shape, clock: LocalClock): Intl.DateTimeFormat {
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

function sameDay(a: Date, b: Date, clock: LocalClock): boolean {
  const f = format('ymd', clock);
  return f.format(a) === f.format(b);
}

function sameYear(a: Date, b: Date, clock: LocalClock): boolean {
  const year = (d: Date) =>
    format('ymd', clock)
      .formatToParts(d)
      .find((p) => p.type === 'year')?.value;
  return year(a) === year(b);
}

/**
 * A moment as a person says it, on their clock: "today at 21:52" (or "today at 9:52 PM"),
 * "yesterday at 21:52", "on 2 Dec at 21:52" ("on Dec 2 at 9:52 PM"), "on 2 Dec 2025 at 21:52".
 * For text read at once (notifications, the CLI).
 */
export function localWhen(then: Date, now: Date, clock: LocalClock = {}): string {
  const time = format('time', clock).format(then);
  if (sameDay(then, now, clock)) return `today at ${time}`;
  if (sameDay(then, new Date(now.getTime() - 86_400_000), clock)) return `yesterday at ${time}`;
  return `on ${localDay(then, now, clock)} at ${time}`;
}

/** "19 Aug" ("Aug 19"), with the year when it is not this year's: "19 Aug 2025". */
export function localDay(then: Date, now: Date, clock: LocalClock = {}): string {
  return format(sameYear(then, now, clock) ? 'day' : 'day-year', clock).format(then);
}

/**
 * A moment without words that go stale ("today"), for text that is kept and read later (a record's
 * message): "2 Dec 2026 at 21:52" ("Dec 2, 2026 at 9:52 PM"), on the clock of the machine that wrote it.
 */
export function localDateTime(then: Date, clock: LocalClock = {}): string {
  return `${format('day-year', clock).format(then)} at ${format('time', clock).format(then)}`;
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
