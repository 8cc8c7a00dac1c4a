import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { setScheduleCacheFile } from '../../src/schedule/due.js';

// What due.ts keeps in <configDir>/cache/schedule-facts.json and reads back; schedule-dst.test.ts
// holds the remembered slots to the scheduler and the replay around DST changes, and
// schedule-facts-store.test.ts the store itself.
const HOUR = 3_600_000;
const MINUTE = 60_000;

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
  it('replays the period only for slots whose next eight reach a DST change, or follow one by less than the lookback', async () => {
    const due = await freshDue();
    due.setScheduleCacheFile(file);
    // One hourly window from 12:00Z on 28 March to 21:00Z on the 29th; the offset changes between
    // 00:00Z and 01:00Z on the 29th.
    const asked = ['2026-03-28T12:34:00Z', '2026-03-28T15:30:00Z', '2026-03-28T16:30:00Z', '2026-03-29T03:30:00Z', '2026-03-29T04:30:00Z'];
    expect(asked.map((t) => due.schedulePeriodMs('0 * * * *', new Date(t), tz))).toEqual(asked.map(() => HOUR));
    const w = stored()[`${tz} 0 * * * *`]!;
    expect(w.changes.map(iso)).toEqual(['2026-03-29T00:00:00.000Z', '2026-03-29T01:00:00.000Z']);
    // 16:00Z: its eighth slot after is the 00:00Z sample; 03:00Z: the lookback reaches back to 01:00Z.
    expect(Object.keys(w.periods).map((k) => iso(Number(k)))).toEqual(['2026-03-28T16:00:00.000Z', '2026-03-29T03:00:00.000Z']);
  });
});
