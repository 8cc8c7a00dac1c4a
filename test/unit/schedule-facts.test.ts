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

/** Where `tz` changes its UTC offset in 2026 (none for UTC or Kolkata: then one ordinary midnight). */
function changesIn2026(tz: string): number[] {
  const offset = (t: number) => {
    const parts = new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: 'longOffset' }).formatToParts(t);
    return parts.find((p) => p.type === 'timeZoneName')!.value;
  };
  const out: number[] = [];
  let last = offset(Date.UTC(2026, 0, 1));
  for (let t = Date.UTC(2026, 0, 1); t < Date.UTC(2027, 0, 1); t += 15 * MINUTE) {
    const o = offset(t);
    if (o !== last) out.push(t);
    last = o;
  }
  return out.length ? out : [Date.UTC(2026, 2, 29)];
}

const ZONES = ['Europe/Berlin', 'America/New_York', 'Australia/Sydney', 'Australia/Lord_Howe', 'Asia/Kolkata', 'UTC'];
const SCHEDULES = [
  '0 * * * *', // hourly
  '30 2 * * *', // daily, inside the hour that is skipped or repeated in most zones
  '0 2 * * *',
  '0 12 * * 1-5', // weekdays
  '*/15 * * * *',
  '0 3 1 * *', // monthly
  '30 0 2 * * *', // 6 fields, seconds kept
  '0 0 12 * * *', // 6 fields, seconds dropped
  '@weekly',
];

/** The oracle: what one cron-parser iterator fires from days before, as node-schedule does. */
function fired(expr: string, from: number, to: number, tz: string): number[] {
  const it = cronParser.parseExpression(normalizeCron(expr)!, { currentDate: new Date(from), tz });
  const out: number[] = [];
  let t = it.next().getTime();
  for (; t <= to; t = it.next().getTime()) out.push(t);
  out.push(t); // the first slot after `to` too: the next slot of the last moments
  return out;
}

/** Moments around a change where the replay itself (tens of ms each) is asked too. */
const REPLAYED_AT = [-2, -1, 0.5, 1, 1.5, 2.5, 5, 26].map((h) => h * HOUR);

describe('remembered slots and periods equal the replay around DST changes', () => {
  beforeEach(() => setScheduleCacheFile(null));

  it('finds a DST change in each zone that has one, and a 30-minute one on Lord Howe', () => {
    expect(changesIn2026('Europe/Berlin')).toEqual([Date.parse('2026-03-29T01:00:00Z'), Date.parse('2026-10-25T01:00:00Z')]);
    expect(changesIn2026('Australia/Lord_Howe')).toHaveLength(2);
  });

  describe.each(ZONES)('%s', (tz) => {
    it.each(SCHEDULES)('%s', (schedule) => {
      const wrong: string[] = [];
      for (const change of changesIn2026(tz)) {
        // Every 14 minutes over the days around the change, against what a running scheduler fires.
        // Started hours before the slot at or before the first moment (a month back for a monthly schedule).
        const first = replaySlots(schedule, new Date(change - 26 * HOUR), tz).prev!.getTime();
        const slots = fired(schedule, first - 3 * HOUR, change + 50 * HOUR, tz);
        for (let t = change - 26 * HOUR; t <= change + 50 * HOUR; t += 14 * MINUTE) {
          const want = { prev: slots.filter((x) => x <= t).at(-1), next: slots.find((x) => x > t) };
          const got = { prev: ms(previousSlot(schedule, new Date(t), tz)), next: ms(nextSlot(schedule, new Date(t), tz)) };
          if (got.prev !== want.prev || got.next !== want.next) wrong.push(`${new Date(t).toISOString()} slots vs fired`);
        }
        // And against the replay itself, slots and period, where the DST quirks live.
        for (const offset of REPLAYED_AT) {
          const now = new Date(change + offset);
          const want = replaySlots(schedule, now, tz);
          // Where the replay itself misses what fires (Lord Howe's 30-minute change, 02:00-02:30 the
          // day it springs forward: a known bug of the replay, not of the facts), the facts follow
          // the scheduler, checked above.
          const t = now.getTime();
          if (ms(want.next) !== slots.find((x) => x > t) || ms(want.prev) !== slots.filter((x) => x <= t).at(-1)) continue;
          if (ms(previousSlot(schedule, now, tz)) !== ms(want.prev) || ms(nextSlot(schedule, now, tz)) !== ms(want.next)) {
            wrong.push(`${now.toISOString()} slots vs replay`);
          }
          if (schedulePeriodMs(schedule, now, tz) !== replayPeriodMs(schedule, now, tz)) wrong.push(`${now.toISOString()} period`);
        }
      }
      expect(wrong).toEqual([]);
    });
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
