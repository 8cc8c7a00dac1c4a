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

/** The calendar parts of a moment in a zone (the machine's own when none is named). */
function partsIn(d: Date, timeZone?: string): { y: string; m: string; day: string; hm: string; month: string } {
  const get = (opts: Intl.DateTimeFormatOptions) =>
    Object.fromEntries(new Intl.DateTimeFormat('en-GB', { timeZone, ...opts }).formatToParts(d).map((p) => [p.type, p.value]));
  const date = get({ year: 'numeric', month: 'numeric', day: 'numeric' });
  const time = get({ hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  const month = get({ month: 'short' }).month ?? '';
  return { y: date.year ?? '', m: date.month ?? '', day: date.day ?? '', hm: `${time.hour}:${time.minute}`, month };
}

/**
 * A moment as a person says it, in their zone: "today at 21:52", "yesterday at 21:52",
 * "on 2 Dec at 21:52", "on 2 Dec 2025 at 21:52". For text read at once (notifications, the menu).
 */
export function localWhen(then: Date, now: Date, timeZone?: string): string {
  const t = partsIn(then, timeZone);
  const day = (d: { y: string; m: string; day: string }) => `${d.y}-${d.m}-${d.day}`;
  if (day(t) === day(partsIn(now, timeZone))) return `today at ${t.hm}`;
  if (day(t) === day(partsIn(new Date(now.getTime() - 86_400_000), timeZone))) return `yesterday at ${t.hm}`;
  return `on ${localDay(then, now, timeZone)} at ${t.hm}`;
}

/** "19 Aug", with the year when it is not this year's: "19 Aug 2025". */
export function localDay(then: Date, now: Date, timeZone?: string): string {
  const t = partsIn(then, timeZone);
  const sameYear = t.y === partsIn(now, timeZone).y;
  return `${Number(t.day)} ${t.month}${sameYear ? '' : ` ${t.y}`}`;
}

/**
 * A moment without words that go stale ("today"), for text that is kept and read later (a record's
 * message): "2 Dec 2026 at 21:52", in the zone of the machine that wrote it.
 */
export function localDateTime(then: Date, timeZone?: string): string {
  const t = partsIn(then, timeZone);
  return `${Number(t.day)} ${t.month} ${t.y} at ${t.hm}`;
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
