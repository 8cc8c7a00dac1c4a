import cronParser from 'cron-parser';
import { beforeEach, describe, expect, it } from 'vitest';
import { normalizeCron } from '../../src/schedule/cron.js';
import { nextSlot, previousSlot, replayPeriodMs, replaySlots, schedulePeriodMs, setScheduleCacheFile } from '../../src/schedule/due.js';

const HOUR = 3_600_000;
const ms = (d: Date | null) => d?.getTime() ?? null;

type Change = { at: string; before: string; after: string };
/**
 * 2026 UTC offset changes, fixed (the first test holds them to the zone data): clocks going forward
 * (an hour, or Lord Howe's half hour, is skipped) and back (repeated); for the zones without DST an
 * ordinary midnight.
 */
const CHANGES: Record<string, { forward: Change; back: Change }> = {
  'Europe/Berlin': {
    forward: { at: '2026-03-29T01:00:00Z', before: 'GMT+01:00', after: 'GMT+02:00' },
    back: { at: '2026-10-25T01:00:00Z', before: 'GMT+02:00', after: 'GMT+01:00' },
  },
  'America/New_York': {
    forward: { at: '2026-03-08T07:00:00Z', before: 'GMT-05:00', after: 'GMT-04:00' },
    back: { at: '2026-11-01T06:00:00Z', before: 'GMT-04:00', after: 'GMT-05:00' },
  },
  'Australia/Sydney': {
    forward: { at: '2026-10-03T16:00:00Z', before: 'GMT+10:00', after: 'GMT+11:00' },
    back: { at: '2026-04-04T16:00:00Z', before: 'GMT+11:00', after: 'GMT+10:00' },
  },
  'Australia/Lord_Howe': {
    forward: { at: '2026-10-03T15:30:00Z', before: 'GMT+10:30', after: 'GMT+11:00' },
    back: { at: '2026-04-04T15:00:00Z', before: 'GMT+11:00', after: 'GMT+10:30' },
  },
};
const ORDINARY: Record<string, Change> = {
  'Asia/Kolkata': { at: '2026-03-29T00:00:00Z', before: 'GMT+05:30', after: 'GMT+05:30' },
  UTC: { at: '2026-03-29T00:00:00Z', before: 'GMT+00:00', after: 'GMT+00:00' },
};

/**
 * Zone, schedule, change. A cron-parser slot costs milliseconds, so each schedule is asked where it
 * can go wrong: daily in and next to the skipped or repeated hour, hourly and quarter-hourly, across
 * both changes of Berlin (northern hemisphere) and Lord Howe (southern, half an hour); the others
 * across one change each.
 */
const CASES: [string, string, string][] = [
  ...['30 2 * * *', '0 * * * *', '*/15 * * * *'].flatMap((s) =>
    ['Europe/Berlin', 'Australia/Lord_Howe'].flatMap((tz) =>
      [CHANGES[tz]!.forward, CHANGES[tz]!.back].map((c): [string, string, string] => [tz, s, c.at]),
    ),
  ),
  ['America/New_York', '30 2 * * *', CHANGES['America/New_York']!.forward.at],
  ['America/New_York', '0 * * * *', CHANGES['America/New_York']!.back.at],
  ['Australia/Sydney', '0 2 * * *', CHANGES['Australia/Sydney']!.forward.at],
  ['Australia/Sydney', '30 2 * * *', CHANGES['Australia/Sydney']!.back.at],
  ['Australia/Lord_Howe', '0 2 * * *', CHANGES['Australia/Lord_Howe']!.forward.at],
  ['Europe/Berlin', '30 0 2 * * *', CHANGES['Europe/Berlin']!.back.at], // 6 fields, seconds kept
  ['Europe/Berlin', '0 0 12 * * *', CHANGES['Europe/Berlin']!.forward.at], // 6 fields, seconds dropped
  ['Europe/Berlin', '0 12 * * 1-5', CHANGES['Europe/Berlin']!.forward.at], // weekdays
  ['America/New_York', '0 3 1 * *', CHANGES['America/New_York']!.back.at], // monthly
  ['Australia/Sydney', '@weekly', CHANGES['Australia/Sydney']!.forward.at],
  ['Asia/Kolkata', '30 2 * * *', ORDINARY['Asia/Kolkata']!.at],
  ['UTC', '*/15 * * * *', ORDINARY.UTC!.at],
];

/** The oracle: what one cron-parser iterator fires from hours before, as node-schedule does. */
function fired(expr: string, from: number, to: number, tz: string): number[] {
  const it = cronParser.parseExpression(normalizeCron(expr)!, { currentDate: new Date(from), tz });
  const out: number[] = [];
  let t = it.next().getTime();
  for (; t <= to; t = it.next().getTime()) out.push(t);
  out.push(t); // the first slot after `to` too: the next slot of the last moments
  return out;
}

/**
 * The moments asked around a change (hours from it): the hours either side (inside a skipped or
 * repeated hour, and a replay that would start in one), with each slot within three hours of the
 * change and the millisecond before it. Ascending, so later moments are answered from the window
 * built for the first.
 */
const AROUND = [-2.5, -1.5, -1, -0.5, -0.25, 0, 0.25, 0.5, 1, 1.5, 2, 2.5, 3, 6].map((h) => h * HOUR);
/**
 * Where the replay itself is asked too (tens of ms each), and where a window is built afresh: 2.25 h
 * after a change a replay from 2 h back starts inside the repeated hour (the nudge in due.ts).
 */
const REPLAYED_AT = [-1, 0.5, 1.5, 2.25, 5].map((h) => h * HOUR);

describe('remembered slots and periods equal the replay around DST changes', () => {
  beforeEach(() => setScheduleCacheFile(null));

  it('the fixed changes are where the zone data puts them, with no other change in the days around', () => {
    const all: [string, Change][] = [
      ...Object.entries(CHANGES).flatMap(([tz, c]): [string, Change][] => [
        [tz, c.forward],
        [tz, c.back],
      ]),
      ...Object.entries(ORDINARY),
    ];
    for (const [tz, { at, before, after }] of all) {
      const format = new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: 'longOffset' });
      const offset = (t: number) => format.formatToParts(t).find((p) => p.type === 'timeZoneName')!.value;
      const t = Date.parse(at);
      expect(
        [-26 * HOUR, -1].map((d) => offset(t + d)),
        `${tz} before ${at}`,
      ).toEqual([before, before]);
      expect(
        [0, 26 * HOUR].map((d) => offset(t + d)),
        `${tz} after ${at}`,
      ).toEqual([after, after]);
    }
  });

  it.each(CASES)('%s: %s around %s', (tz, schedule, at) => {
    const change = Date.parse(at);
    const expression = normalizeCron(schedule)!;
    // The oracle starts hours before cron-parser's own previous slot before the first moment (a
    // month back for a monthly schedule), so it holds the slot at or before every moment.
    const rawPrev = cronParser.parseExpression(expression, { currentDate: new Date(change - 3 * HOUR - 1), tz }).prev();
    const slots = fired(schedule, rawPrev.getTime() - 3 * HOUR, change + 6 * HOUR, tz);
    const want = (t: number) => ({ prev: slots.filter((x) => x <= t).at(-1), next: slots.find((x) => x > t) });
    const got = (t: number) => ({ prev: ms(previousSlot(schedule, new Date(t), tz)), next: ms(nextSlot(schedule, new Date(t), tz)) });
    const wrong: string[] = [];

    const near = slots.filter((s) => Math.abs(s - change) <= 3 * HOUR).flatMap((s) => [s - 1, s]);
    const moments = [...new Set([...AROUND.map((o) => change + o), ...near])].sort((a, b) => a - b);
    for (const t of moments) {
      if (JSON.stringify(got(t)) !== JSON.stringify(want(t))) wrong.push(`${new Date(t).toISOString()} slots vs fired`);
    }
    // A window built at the moment itself (nothing remembered), and the replay, slots and period.
    for (const offset of REPLAYED_AT) {
      const t = change + offset;
      const now = new Date(t);
      setScheduleCacheFile(null);
      if (JSON.stringify(got(t)) !== JSON.stringify(want(t))) wrong.push(`${now.toISOString()} fresh slots vs fired`);
      const replayed = replaySlots(schedule, now, tz);
      if (ms(replayed.prev) !== want(t).prev || ms(replayed.next) !== want(t).next) wrong.push(`${now.toISOString()} replay vs fired`);
      if (schedulePeriodMs(schedule, now, tz) !== replayPeriodMs(schedule, now, tz)) wrong.push(`${now.toISOString()} period`);
    }
    expect(wrong).toEqual([]);
  });
});
