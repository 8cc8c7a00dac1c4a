/**
 * Words and numbers as a window shows them. Pure, no Node: `timeAgo` and `formatBytes` are the
 * engine's own (src/format.ts), so the tray, the CLI and the windows say the same thing.
 */
import { formatBytes, timeAgo } from '../../src/format.js';

export { formatBytes, timeAgo };

const DAY = 86_400_000;

/**
 * Intl formatters are costly to make (the first loads locale data) and cheap to use: a window with
 * ten cards formats dozens of times per paint, so each is made once.
 */
function once<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= make());
}
const countFormat = once(() => new Intl.NumberFormat());
const exactFormat = once(() => new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'medium' }));
const timeFormat = once(() => new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' }));
const clockFormat = once(() => new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit', second: '2-digit' }));
const dateFormat = once(() => new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short' }));
const dateYearFormat = once(
  () => new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' }),
);

/** "1,234" in the user's locale. */
export function formatCount(n: number): string {
  return countFormat().format(n);
}

/** "412,345 files" / "1 file". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** The exact time, for a `title` and for screen readers: "Tuesday, 4 June 2024 at 12:03:11". */
export function exactTime(d: Date): string {
  return exactFormat().format(d);
}

function startOfDay(d: Date): number {
  return new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
}

/** As Time Machine says a time: "Today, 12:00", "Tomorrow, 09:30", "Yesterday, 18:00", "Mon 3 Jun, 12:00". */
export function dayAndTime(d: Date, now: Date): string {
  const time = timeFormat().format(d);
  const days = Math.round((startOfDay(d) - startOfDay(now)) / DAY);
  if (days === 0) return `Today, ${time}`;
  if (days === 1) return `Tomorrow, ${time}`;
  if (days === -1) return `Yesterday, ${time}`;
  const sameYear = d.getFullYear() === now.getFullYear();
  const date = (sameYear ? dateFormat() : dateYearFormat()).format(d);
  return `${date}, ${time}`;
}

/**
 * The time of day with seconds, in the user's locale like every other time in the windows
 * ("5:24:19 PM" in en-US, "17:24:19" in de-DE): the log's time column.
 */
export function clockTime(d: Date): string {
  return clockFormat().format(d);
}

/** A time of day as the windows say it ("12:00 PM" in en-US, "12:00" in de-DE), the same format as the card's times. */
export function timeOfDay(hour: number, minute: number): string {
  return timeFormat().format(new Date(2024, 0, 1, hour, minute));
}

/** Elapsed time as a clock: "0:42", "12:05", "1:02:09". */
export function formatElapsed(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/** Elapsed time in words, for screen readers: "3 minutes 5 seconds". */
export function elapsedWords(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const parts: string[] = [];
  if (h) parts.push(plural(h, 'hour'));
  if (m) parts.push(plural(m, 'minute'));
  if (!h) parts.push(plural(s % 60, 'second'));
  return parts.join(' ');
}
