import cronParser from 'cron-parser';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { normalizeCron } from '../../src/schedule/cron.js';
import { nextSlot, previousSlot, replayPeriodMs, replaySlots, schedulePeriodMs, setScheduleCacheFile } from '../../src/schedule/due.js';

const HOUR = 3_600_000;
const MINUTE = 60_000;
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
/** Where the replay itself is asked too (tens of ms each), and where a window is built afresh. */
const REPLAYED_AT = [-1, 0.5, 1.5, 5].map((h) => h * HOUR);

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

describe('the schedule-facts file', () => {
  let dir: string;
  let file: string;
  const now = new Date('2026-05-10T12:34:00Z');
  const tz = 'Europe/Berlin';

  /** A fresh module state, as a new process has: only the file carries facts over. */
  async function freshDue() {
    vi.resetModules();
    return import('../../src/schedule/due.js');
  }

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'schedule-facts-'));
    file = path.join(dir, 'cache', 'schedule-facts.json');
  });
  afterEach(() => {
    setScheduleCacheFile(null);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Writes the file with a fresh process's facts, then moves every remembered slot 1 minute later. */
  async function poisonedFile(schedule: string, at = now, zone = tz) {
    const due = await freshDue();
    due.setScheduleCacheFile(file);
    due.nextSlot(schedule, at, zone);
    const data = JSON.parse(fs.readFileSync(file, 'utf8')) as { stamp: string; windows: Record<string, { slots: number[] }> };
    for (const w of Object.values(data.windows)) w.slots = w.slots.map((s) => s + MINUTE);
    fs.writeFileSync(file, JSON.stringify(data));
    return data;
  }

  it('is created on the first miss and answers a new process without replaying', async () => {
    await poisonedFile('0 * * * *');
    const due = await freshDue();
    due.setScheduleCacheFile(file);
    // The moved slots prove the answer came from the file.
    expect(due.nextSlot('0 * * * *', now, tz)).toEqual(new Date('2026-05-10T13:01:00Z'));
  });

  it('a missing file is no error; the first answer writes it', async () => {
    const due = await freshDue();
    due.setScheduleCacheFile(file);
    expect(due.nextSlot('0 * * * *', now, tz)).toEqual(new Date('2026-05-10T13:00:00Z'));
    expect(fs.existsSync(file)).toBe(true);
  });

  it('a corrupt file is ignored and rewritten', async () => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    for (const junk of [
      '{"stamp":',
      '[]',
      'null',
      '{"stamp":"x","windows":{"a":{"slots":[3,2,1],"changes":[],"periods":{}}},"checks":{}}',
    ]) {
      fs.writeFileSync(file, junk);
      const due = await freshDue();
      due.setScheduleCacheFile(file);
      expect(due.nextSlot('0 * * * *', now, tz), junk).toEqual(new Date('2026-05-10T13:00:00Z'));
      expect(() => JSON.parse(fs.readFileSync(file, 'utf8')) as unknown).not.toThrow();
    }
  });

  it('a window with slots out of order is ignored even with the right stamp', async () => {
    const data = await poisonedFile('0 * * * *');
    for (const w of Object.values(data.windows)) w.slots.reverse();
    fs.writeFileSync(file, JSON.stringify(data));
    const due = await freshDue();
    due.setScheduleCacheFile(file);
    expect(due.nextSlot('0 * * * *', now, tz)).toEqual(new Date('2026-05-10T13:00:00Z'));
  });

  it('a file from another version (Node, time zone data, cron-parser or format) is ignored', async () => {
    const data = await poisonedFile('0 * * * *');
    fs.writeFileSync(file, JSON.stringify({ ...data, stamp: data.stamp.replace(/^\d+/, '0') }));
    const due = await freshDue();
    due.setScheduleCacheFile(file);
    expect(due.nextSlot('0 * * * *', now, tz)).toEqual(new Date('2026-05-10T13:00:00Z'));
  });

  it('facts for another zone are not used', async () => {
    await poisonedFile('0 2 * * *', now, 'America/New_York');
    const due = await freshDue();
    due.setScheduleCacheFile(file);
    expect(due.nextSlot('0 2 * * *', now, tz)).toEqual(new Date('2026-05-11T00:00:00Z'));
    expect(due.nextSlot('0 2 * * *', now, 'America/New_York')).toEqual(new Date('2026-05-11T06:01:00Z'));
  });

  it('a window that no longer holds now is not used, and is replaced', async () => {
    await poisonedFile('0 * * * *');
    const later = new Date(now.getTime() + 30 * 24 * HOUR);
    const due = await freshDue();
    due.setScheduleCacheFile(file);
    expect(due.nextSlot('0 * * * *', later, tz)).toEqual(new Date('2026-06-09T13:00:00Z'));
    const data = JSON.parse(fs.readFileSync(file, 'utf8')) as { windows: Record<string, { slots: number[] }> };
    expect(Object.values(data.windows).map((w) => w.slots[0])).toEqual([Date.parse('2026-06-09T12:00:00Z')]);
  });

  it('an earlier moment than the window starts is not answered from it either', async () => {
    await poisonedFile('0 * * * *');
    const due = await freshDue();
    due.setScheduleCacheFile(file);
    expect(due.previousSlot('0 * * * *', new Date('2026-05-10T11:30:00Z'), tz)).toEqual(new Date('2026-05-10T11:00:00Z'));
  });

  it('a cache that cannot be written only costs time', async () => {
    fs.writeFileSync(path.join(dir, 'cache'), 'a file where the folder should be');
    const due = await freshDue();
    due.setScheduleCacheFile(file);
    expect(due.nextSlot('0 * * * *', now, tz)).toEqual(new Date('2026-05-10T13:00:00Z'));
    expect(fs.readdirSync(dir)).toEqual(['cache']);
  });
  type Stored = { windows: Record<string, { slots: number[]; changes: number[]; periods: Record<string, number> }> };
  const stored = () => (JSON.parse(fs.readFileSync(file, 'utf8')) as Stored).windows;
  const iso = (t: number) => new Date(t).toISOString();

  it('a window reaches a day past now and eight slots beyond, with at least ten and at most 48 slots', async () => {
    const due = await freshDue();
    due.setScheduleCacheFile(file);
    const at = new Date('2026-05-10T12:34:00Z');
    for (const s of ['0 * * * *', '*/15 * * * *', '0 12 * * *', '0 3 * * 0']) due.nextSlot(s, at, 'UTC');
    const w = stored();
    const span = (key: string) => [w[key]!.slots.length, iso(w[key]!.slots[0]!), iso(w[key]!.slots.at(-1)!)];
    expect(span('UTC 0 * * * *')).toEqual([34, '2026-05-10T12:00:00.000Z', '2026-05-11T21:00:00.000Z']);
    expect(span('UTC */15 * * * *')).toEqual([48, '2026-05-10T12:30:00.000Z', '2026-05-11T00:15:00.000Z']);
    expect(span('UTC 0 12 * * *')).toEqual([11, '2026-05-10T12:00:00.000Z', '2026-05-20T12:00:00.000Z']);
    expect(span('UTC 0 3 * * 0')).toEqual([10, '2026-05-10T03:00:00.000Z', '2026-07-12T03:00:00.000Z']);
    expect(Object.values(w).map((x) => x.changes)).toEqual([[], [], [], []]);
  });

  it('a window notes where the UTC offset changes, to the hour for an hourly schedule and the week for a monthly one', async () => {
    const due = await freshDue();
    due.setScheduleCacheFile(file);
    due.nextSlot('0 * * * *', new Date('2026-03-28T12:34:00Z'), tz);
    due.nextSlot('0 3 1 * *', new Date('2026-03-10T12:00:00Z'), tz);
    const w = stored();
    expect(w[`${tz} 0 * * * *`]!.changes.map(iso)).toEqual(['2026-03-29T00:00:00.000Z', '2026-03-29T01:00:00.000Z']);
    expect(w[`${tz} 0 3 1 * *`]!.changes.map(iso)).toEqual([
      '2026-03-22T02:00:00.000Z',
      '2026-03-29T02:00:00.000Z',
      '2026-10-22T01:00:00.000Z',
      '2026-10-29T01:00:00.000Z',
    ]);
  });

  it('a period near a DST change is replayed once and remembered; away from one it is read off the slots', async () => {
    let due = await freshDue();
    due.setScheduleCacheFile(file);
    expect(due.schedulePeriodMs('0 12 * * *', new Date('2026-05-10T12:34:00Z'), tz)).toBe(24 * HOUR);
    expect(due.schedulePeriodMs('0 12 * * *', new Date('2026-03-28T12:00:00Z'), tz)).toBe(24 * HOUR);
    const w = stored();
    const near = w[`${tz} 0 12 * * *`]!;
    expect(near.periods).toEqual({ [Date.parse('2026-03-28T11:00:00Z')]: 24 * HOUR });
    // The remembered period answers a new process (a poisoned one proves it).
    near.periods[Date.parse('2026-03-28T11:00:00Z')] = 5 * HOUR;
    fs.writeFileSync(file, JSON.stringify({ ...(JSON.parse(fs.readFileSync(file, 'utf8')) as object), windows: w }));
    due = await freshDue();
    due.setScheduleCacheFile(file);
    expect(due.schedulePeriodMs('0 12 * * *', new Date('2026-03-28T12:00:00Z'), tz)).toBe(5 * HOUR);
    // Days after the change, the window's own slots answer.
    expect(due.schedulePeriodMs('0 12 * * *', new Date('2026-04-05T12:00:00Z'), tz)).toBe(24 * HOUR);
    expect(Object.keys(stored()[`${tz} 0 12 * * *`]!.periods)).toEqual([]);
  });

  it('names the process zone in the key by TZ, else by the /etc/localtime link', async () => {
    const saved = process.env.TZ;
    try {
      process.env.TZ = 'Europe/Berlin';
      let due = await freshDue();
      due.setScheduleCacheFile(file);
      due.nextSlot('0 * * * *', now);
      expect(Object.keys(stored())).toEqual(['TZ=Europe/Berlin 0 * * * *']);
      delete process.env.TZ;
      fs.rmSync(file);
      due = await freshDue();
      due.setScheduleCacheFile(file);
      due.nextSlot('0 * * * *', now);
      let link: string | null = null;
      try {
        link = fs.readlinkSync('/etc/localtime');
      } catch {
        // no link: the key is the zone Intl names
      }
      const zone = link === null ? Intl.DateTimeFormat().resolvedOptions().timeZone : `localtime=${link}`;
      expect(Object.keys(stored())).toEqual([`${zone} 0 * * * *`]);
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });
});
