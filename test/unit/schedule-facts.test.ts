import cronParser from 'cron-parser';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { normalizeCron } from '../../src/schedule/cron.js';
import { ScheduleFacts, type SlotWindow } from '../../src/schedule/facts.js';
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
});

describe('ScheduleFacts', () => {
  let dir: string;
  let file: string;
  /** Slots 0, 10, …, 100 ms: eleven, so with `after` = 2 moments 0 to 79 are answered. */
  const tens = (): SlotWindow => ({ slots: Array.from({ length: 11 }, (_, i) => i * 10), changes: [], periods: {} });

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'schedule-facts-class-'));
    file = path.join(dir, 'nested', 'cache', 'schedule-facts.json');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** A new process reading `file`. */
  const reader = () => {
    const f = new ScheduleFacts();
    f.useFile(file);
    return f;
  };

  it('answers a moment with the index of the slot at or before it, while `after` more slots follow', () => {
    const facts = new ScheduleFacts();
    expect(facts.window('k', 5, 2)).toBeNull();
    const w = tens();
    facts.setWindow('k', w);
    const index = (t: number) => facts.window('k', t, 2)?.index ?? null;
    expect(Array.from({ length: 80 }, (_, t) => index(t))).toEqual(Array.from({ length: 80 }, (_, t) => Math.floor(t / 10)));
    expect([-1, 80, 81, 100, 200].map(index)).toEqual([null, null, null, null, null]);
    expect(facts.window('k', 5, 2)?.window).toBe(w);
    expect(facts.window('k', 95, 0)?.index).toBe(9);
    expect(facts.window('k', 100, 0)).toBeNull();
    expect(facts.window('k', 0, 9)?.index).toBe(0);
    expect(facts.window('k', 10, 9)).toBeNull();
    expect(facts.window('k', 0, 10)).toBeNull();
    expect(facts.window('k', 0, 11)).toBeNull();
    expect(facts.window('other', 5, 2)).toBeNull();
  });

  it('finds the slot in a long window too', () => {
    const facts = new ScheduleFacts();
    const slots = Array.from({ length: 1000 }, (_, i) => i * i);
    facts.setWindow('k', { slots, changes: [], periods: {} });
    for (const i of [0, 1, 2, 3, 499, 500, 501, 989, 990]) {
      expect(facts.window('k', i * i, 8)?.index, `${i * i}`).toBe(i);
      expect(facts.window('k', i * i + i, 8)?.index, `${i * i + i}`).toBe(i);
    }
    expect(facts.window('k', 991 * 991 - 1, 8)?.index).toBe(990);
    expect(facts.window('k', 991 * 991, 8)).toBeNull();
  });

  it('keeps the 64 windows and 256 checks used last', () => {
    const facts = new ScheduleFacts();
    for (let i = 0; i < 64; i++) facts.setWindow(`w${i}`, tens());
    expect(facts.window('w0', 5, 2)).not.toBeNull();
    facts.setWindow('w0', tens()); // set again: now the newest
    facts.setWindow('w64', tens());
    expect(['w0', 'w1', 'w2', 'w63', 'w64'].map((k) => facts.window(k, 5, 2) !== null)).toEqual([true, false, true, true, true]);

    for (let i = 0; i < 256; i++) facts.setCheck(`c${i}`, i % 2 ? null : `bad ${i}`);
    expect([facts.check('c0'), facts.check('c1'), facts.check('c255')]).toEqual(['bad 0', null, null]);
    facts.setCheck('c0', 'bad 0');
    facts.setCheck('c256', null);
    expect(['c0', 'c1', 'c2', 'c256'].map((k) => facts.check(k))).toEqual(['bad 0', undefined, 'bad 2', null]);
  });

  it('in memory only until a file is given, and a new file starts from what it holds alone', () => {
    const facts = new ScheduleFacts();
    facts.setWindow('k', tens());
    facts.setCheck('e', null);
    expect(fs.existsSync(path.dirname(file))).toBe(false);
    facts.useFile(file);
    expect(facts.window('k', 5, 2)).toBeNull();
    expect(facts.check('e')).toBeUndefined();
    facts.setCheck('e', 'bad');
    facts.useFile(null);
    expect(facts.check('e')).toBeUndefined();
    facts.setWindow('k', tens());
    expect(reader().window('k', 5, 2)).toBeNull();
    expect(reader().check('e')).toBe('bad');
  });

  it('writes windows, checks and learnt periods for the next process, in a folder it creates, with no temporary file left', () => {
    const facts = new ScheduleFacts();
    facts.useFile(file);
    const w = tens();
    facts.setWindow('k', w);
    facts.setCheck('good', null);
    facts.setCheck('bad', 'not a valid cron expression');
    w.periods[20] = 10;
    expect(reader().window('k', 25, 2)?.window.periods).toEqual({});
    facts.changed();
    const next = reader();
    expect(next.window('k', 25, 2)).toEqual({ window: { slots: w.slots, changes: [], periods: { 20: 10 } }, index: 2 });
    expect([next.check('good'), next.check('bad'), next.check('unknown')]).toEqual([null, 'not a valid cron expression', undefined]);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['schedule-facts.json']);
  });

  it('stamps the file with its format, Node, the time zone data and cron-parser', () => {
    const facts = new ScheduleFacts();
    facts.useFile(file);
    facts.setCheck('e', null);
    const { stamp } = JSON.parse(fs.readFileSync(file, 'utf8')) as { stamp: string };
    const version = (JSON.parse(fs.readFileSync('node_modules/cron-parser/package.json', 'utf8')) as { version: string }).version;
    expect(stamp).toBe(`1 node ${process.version} tz ${process.versions.tz ?? '?'} cron-parser ${version}`);
  });

  it('keeps the 64 windows and 256 checks last in a file that holds more', () => {
    const facts = new ScheduleFacts();
    facts.useFile(file);
    facts.setCheck('e', null);
    const { stamp } = JSON.parse(fs.readFileSync(file, 'utf8')) as { stamp: string };
    const windows = Object.fromEntries(Array.from({ length: 70 }, (_, i) => [`w${i}`, tens()]));
    const checks = Object.fromEntries(Array.from({ length: 260 }, (_, i) => [`c${i}`, null]));
    fs.writeFileSync(file, JSON.stringify({ stamp, windows, checks }));
    const next = reader();
    expect(['w5', 'w6', 'w69'].map((k) => next.window(k, 5, 2) !== null)).toEqual([false, true, true]);
    expect(['c3', 'c4', 'c259'].map((k) => next.check(k))).toEqual([undefined, null, null]);
  });

  it('ignores a whole file that is not its own or holds anything malformed', () => {
    const facts = new ScheduleFacts();
    facts.useFile(file);
    facts.setCheck('e', 'bad');
    const { stamp } = JSON.parse(fs.readFileSync(file, 'utf8')) as { stamp: string };
    const good = tens();
    const variants: Record<string, unknown> = {
      'valid (the control)': { stamp, windows: { w: good }, checks: { e: 'bad' } },
      'not JSON': '{',
      'a number': 5,
      null: null,
      'another stamp': { stamp: `${stamp}x`, windows: { w: good }, checks: { e: 'bad' } },
      'no windows': { stamp, checks: { e: 'bad' } },
      'windows null': { stamp, windows: null, checks: { e: 'bad' } },
      'no checks': { stamp, windows: { w: good } },
      'checks null': { stamp, windows: { w: good }, checks: null },
      'a check that is a number': { stamp, windows: { w: good }, checks: { e: 'bad', n: 1 } },
      'a window null': { stamp, windows: { w: good, x: null }, checks: { e: 'bad' } },
      'a window a number': { stamp, windows: { w: good, x: 3 }, checks: { e: 'bad' } },
      'one slot': { stamp, windows: { w: good, x: { ...good, slots: [1] } }, checks: { e: 'bad' } },
      'no slots': { stamp, windows: { w: good, x: { ...good, slots: undefined } }, checks: { e: 'bad' } },
      'a slot not a number': { stamp, windows: { w: good, x: { ...good, slots: [1, '2', 3] } }, checks: { e: 'bad' } },
      'a slot repeated': { stamp, windows: { w: good, x: { ...good, slots: [1, 2, 2, 3] } }, checks: { e: 'bad' } },
      'slots descending at the end': { stamp, windows: { w: good, x: { ...good, slots: [1, 2, 3, 0] } }, checks: { e: 'bad' } },
      'an odd number of change samples': { stamp, windows: { w: good, x: { ...good, changes: [1, 2, 3] } }, checks: { e: 'bad' } },
      'changes not numbers': { stamp, windows: { w: good, x: { ...good, changes: ['1', 2] } }, checks: { e: 'bad' } },
      'no changes': { stamp, windows: { w: good, x: { ...good, changes: undefined } }, checks: { e: 'bad' } },
      'no periods': { stamp, windows: { w: good, x: { ...good, periods: undefined } }, checks: { e: 'bad' } },
      'periods null': { stamp, windows: { w: good, x: { ...good, periods: null } }, checks: { e: 'bad' } },
      'a period of 0': { stamp, windows: { w: good, x: { ...good, periods: { 10: 5, 20: 0 } } }, checks: { e: 'bad' } },
      'a period as text': { stamp, windows: { w: good, x: { ...good, periods: { 10: '5' } } }, checks: { e: 'bad' } },
    };
    const loaded: Record<string, boolean> = {};
    for (const [name, content] of Object.entries(variants)) {
      fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
      const next = reader();
      loaded[name] = next.window('w', 5, 2) !== null || next.check('e') !== undefined;
    }
    expect(loaded).toEqual(Object.fromEntries(Object.keys(variants).map((name) => [name, name === 'valid (the control)'])));
  });

  it('a window with a period and a learnt change loads', () => {
    const facts = new ScheduleFacts();
    facts.useFile(file);
    facts.setWindow('w', { slots: [1, 2, 3], changes: [1, 2], periods: { 1: 5 } });
    expect(reader().window('w', 1, 1)?.window).toEqual({ slots: [1, 2, 3], changes: [1, 2], periods: { 1: 5 } });
  });

  it('a file that cannot be written leaves no temporary file and throws nothing', () => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.mkdirSync(file); // a folder where the file should be: the rename fails
    const facts = new ScheduleFacts();
    facts.useFile(file);
    expect(() => facts.setCheck('e', null)).not.toThrow();
    expect(fs.readdirSync(path.dirname(file))).toEqual(['schedule-facts.json']);
    expect(facts.check('e')).toBeNull();
  });
});
