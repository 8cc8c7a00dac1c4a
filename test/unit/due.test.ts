import cronParser from 'cron-parser';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  isDue,
  isOverdue,
  isValidCron,
  minIntervalCheck,
  nextSlot,
  previousSlot,
  replayPeriodMs,
  replaySlots,
  schedulePeriodMs,
  setScheduleCacheFile,
} from '../../src/schedule/due.js';

const d = (iso: string) => new Date(iso);
const iso = (date: Date | null) => date?.toISOString() ?? null;
const HOUR = 3_600_000;
const BERLIN = 'Europe/Berlin';
const NEW_YORK = 'America/New_York';

// Each case computes its slots afresh: nothing remembered by an earlier case answers for it.
beforeEach(() => setScheduleCacheFile(null));

describe('previousSlot / nextSlot', () => {
  it('previousSlot includes a slot exactly at now; nextSlot is strictly after now', () => {
    expect(iso(previousSlot('0 12 * * *', d('2026-05-10T12:00:00Z'), 'UTC'))).toBe('2026-05-10T12:00:00.000Z');
    expect(iso(previousSlot('0 12 * * *', d('2026-05-10T11:59:59.999Z'), 'UTC'))).toBe('2026-05-09T12:00:00.000Z');
    expect(iso(nextSlot('0 12 * * *', d('2026-05-10T12:00:00Z'), 'UTC'))).toBe('2026-05-11T12:00:00.000Z');
    expect(iso(nextSlot('0 12 * * *', d('2026-05-10T11:59:59.500Z'), 'UTC'))).toBe('2026-05-10T12:00:00.000Z');
  });

  it('handles frequent and rare schedules', () => {
    expect(iso(previousSlot('*/5 * * * *', d('2026-05-10T12:07:00Z'), 'UTC'))).toBe('2026-05-10T12:05:00.000Z');
    expect(iso(previousSlot('0 0 29 2 *', d('2026-05-10T12:00:00Z'), 'UTC'))).toBe('2024-02-29T00:00:00.000Z');
    expect(iso(nextSlot('0 0 29 2 *', d('2026-05-10T12:00:00Z'), 'UTC'))).toBe('2028-02-29T00:00:00.000Z');
  });

  it('tz defaults to the process zone', () => {
    const now = d('2026-05-10T12:34:00Z');
    expect(previousSlot('0 3 * * *', now)).toEqual(previousSlot('0 3 * * *', now, Intl.DateTimeFormat().resolvedOptions().timeZone));
  });

  it('returns null for an invalid schedule or time zone instead of throwing', () => {
    expect(previousSlot('61 * * * *', d('2026-05-10T12:00:00Z'))).toBeNull();
    expect(nextSlot('0 12 * * *', d('2026-05-10T12:00:00Z'), 'Not/AZone')).toBeNull();
  });
});

describe('isValidCron', () => {
  it.each(['0 12 * * *', '*/15 * * * *', '0 12 * * 1-5', '@daily', ' 30 2 * * * '])('accepts %j', (s) => {
    expect(isValidCron(s)).toBe(true);
  });
  it.each(['', 'bogus', '61 * * * *', '0 25 * * *', '0 0 30 2 *', '* * * * * *', 'a b c d e'])('rejects %j', (s) => {
    // cron-parser itself accepts "" (as "* * * * *") and a seconds field; we only take 5-field cron.
    expect(isValidCron(s)).toBe(false);
  });
});

describe('isDue', () => {
  const daily = '0 12 * * *';
  const due = (lastSuccessStartedAt: string | null, now: string, schedule: string | null = daily, tz = 'UTC') =>
    isDue({ schedule, lastSuccessStartedAt: lastSuccessStartedAt === null ? null : d(lastSuccessStartedAt), now: d(now), tz });

  it('a slot missed while asleep is due at resume; after that run it is not due until the next slot', () => {
    expect(due('2026-05-09T12:00:00Z', '2026-05-10T15:00:00Z')).toBe(true);
    // The catch-up run started at 15:00.
    expect(due('2026-05-10T15:00:00Z', '2026-05-10T15:30:00Z')).toBe(false);
    expect(due('2026-05-10T15:00:00Z', '2026-05-11T11:59:59Z')).toBe(false);
    expect(due('2026-05-10T15:00:00Z', '2026-05-11T12:00:00Z')).toBe(true);
  });

  it('powered off across several slots: due exactly once', () => {
    // Simulate a scheduler that checks every 10 minutes while powered on and runs when due.
    let lastSuccess: string | null = '2026-05-05T12:00:00Z';
    const runs: string[] = [];
    const poweredOn = (t: number) => t < Date.parse('2026-05-05T13:00:00Z') || t >= Date.parse('2026-05-09T09:00:00Z');
    for (let t = Date.parse('2026-05-05T12:30:00Z'); t < Date.parse('2026-05-10T11:00:00Z'); t += 10 * 60_000) {
      const now = new Date(t).toISOString();
      if (poweredOn(t) && due(lastSuccess, now)) {
        runs.push(now);
        lastSuccess = now;
      }
    }
    expect(runs).toEqual(['2026-05-09T09:00:00.000Z', '2026-05-09T12:00:00.000Z']);
  });

  it('a run started exactly at the slot covers it', () => {
    expect(due('2026-05-10T12:00:00Z', '2026-05-10T12:00:00Z')).toBe(false);
  });

  it('never backed up => due, even before the first slot', () => {
    expect(due(null, '2026-05-10T08:00:00Z')).toBe(true);
  });

  it('a failed last run does not count: callers pass the last success, so the slot stays due', () => {
    // Last success yesterday; today's 12:00 run failed at 12:05 and is not passed in.
    expect(due('2026-05-09T12:00:00Z', '2026-05-10T12:10:00Z')).toBe(true);
  });

  it('no schedule (volume-only) or an invalid one is never due by time', () => {
    expect(due(null, '2026-05-10T12:00:00Z', null)).toBe(false);
    expect(due('2026-05-01T12:00:00Z', '2026-05-10T12:00:00Z', 'not cron')).toBe(false);
  });
});

describe('DST: Europe/Berlin (spring forward 2026-03-29 02:00 CET -> 03:00 CEST, fall back 2026-10-25 03:00 CEST -> 02:00 CET)', () => {
  const at230 = '30 2 * * *';

  it('spring forward: cron-parser next() moves the non-existent 02:30 to 03:30 CEST (01:30Z), once', () => {
    expect(iso(nextSlot(at230, d('2026-03-28T12:00:00Z'), BERLIN))).toBe('2026-03-29T01:30:00.000Z');
    expect(iso(nextSlot(at230, d('2026-03-29T01:30:00Z'), BERLIN))).toBe('2026-03-30T00:30:00.000Z');
  });

  it('spring forward: raw prev() would skip 2026-03-29, but previousSlot agrees with next() (03:30 CEST)', () => {
    expect(iso(previousSlot(at230, d('2026-03-29T12:00:00Z'), BERLIN))).toBe('2026-03-29T01:30:00.000Z');
    expect(iso(previousSlot(at230, d('2026-03-30T12:00:00Z'), BERLIN))).toBe('2026-03-30T00:30:00.000Z');
    // Asleep over the moved slot: due once at resume, then not again that day.
    expect(isDue({ schedule: at230, lastSuccessStartedAt: d('2026-03-28T01:30:00Z'), now: d('2026-03-29T09:00:00Z'), tz: BERLIN })).toBe(
      true,
    );
    expect(isDue({ schedule: at230, lastSuccessStartedAt: d('2026-03-29T09:00:00Z'), now: d('2026-03-29T23:00:00Z'), tz: BERLIN })).toBe(
      false,
    );
  });

  it('spring forward: 0 12 * * * is 11:00Z before the change and 10:00Z after', () => {
    expect(iso(nextSlot('0 12 * * *', d('2026-03-28T10:00:00Z'), BERLIN))).toBe('2026-03-28T11:00:00.000Z');
    expect(iso(nextSlot('0 12 * * *', d('2026-03-28T11:00:00Z'), BERLIN))).toBe('2026-03-29T10:00:00.000Z');
    expect(iso(previousSlot('0 12 * * *', d('2026-03-29T10:30:00Z'), BERLIN))).toBe('2026-03-29T10:00:00.000Z');
  });

  it('fall back: next() fires only the first 02:30 (CEST, 00:30Z); raw prev() also returns the repeat at 01:30Z, previousSlot does not', () => {
    expect(iso(nextSlot(at230, d('2026-10-24T12:00:00Z'), BERLIN))).toBe('2026-10-25T00:30:00.000Z');
    expect(iso(nextSlot(at230, d('2026-10-25T00:30:00Z'), BERLIN))).toBe('2026-10-26T01:30:00.000Z');
    // A fresh cron-parser iterator started inside the repeated hour would return the repeat; we do not.
    expect(iso(nextSlot(at230, d('2026-10-25T01:15:00Z'), BERLIN))).toBe('2026-10-26T01:30:00.000Z');
    expect(iso(previousSlot(at230, d('2026-10-25T01:45:00Z'), BERLIN))).toBe('2026-10-25T00:30:00.000Z');
    expect(iso(previousSlot(at230, d('2026-10-25T04:00:00Z'), BERLIN))).toBe('2026-10-25T00:30:00.000Z');
  });

  it('fall back: 30 2 * * * is not due twice', () => {
    const lastSuccessStartedAt = d('2026-10-25T00:30:00Z');
    for (const now of [
      '2026-10-25T01:00:00Z',
      '2026-10-25T01:30:00Z',
      '2026-10-25T01:45:00Z',
      '2026-10-25T12:00:00Z',
      '2026-10-26T01:29:00Z',
    ]) {
      expect(isDue({ schedule: at230, lastSuccessStartedAt, now: d(now), tz: BERLIN }), now).toBe(false);
    }
    expect(isDue({ schedule: at230, lastSuccessStartedAt, now: d('2026-10-26T01:30:00Z'), tz: BERLIN })).toBe(true);
  });

  it('fall back: */15 2 * * * fires 02:00-02:45 once (CEST), not again in the repeated CET hour', () => {
    const s = '*/15 2 * * *';
    expect(iso(previousSlot(s, d('2026-10-25T01:50:00Z'), BERLIN))).toBe('2026-10-25T00:45:00.000Z');
    expect(iso(nextSlot(s, d('2026-10-25T00:45:00Z'), BERLIN))).toBe('2026-10-26T01:00:00.000Z');
  });

  it('hourly schedules keep firing every real hour through both changes', () => {
    expect(iso(nextSlot('0 * * * *', d('2026-10-25T00:00:00Z'), BERLIN))).toBe('2026-10-25T01:00:00.000Z');
    expect(iso(nextSlot('0 * * * *', d('2026-03-29T00:00:00Z'), BERLIN))).toBe('2026-03-29T01:00:00.000Z');
  });
});

describe('DST: America/New_York (spring 2026-03-08, fall 2026-11-01)', () => {
  it('spring forward: 30 2 * * * runs at 03:30 EDT (07:30Z) that day, once', () => {
    expect(iso(nextSlot('30 2 * * *', d('2026-03-07T12:00:00Z'), NEW_YORK))).toBe('2026-03-08T07:30:00.000Z');
    expect(iso(previousSlot('30 2 * * *', d('2026-03-08T12:00:00Z'), NEW_YORK))).toBe('2026-03-08T07:30:00.000Z');
    expect(iso(nextSlot('30 2 * * *', d('2026-03-08T07:30:00Z'), NEW_YORK))).toBe('2026-03-09T06:30:00.000Z');
  });

  it('spring forward: 0 12 * * * moves from 17:00Z to 16:00Z', () => {
    expect(iso(nextSlot('0 12 * * *', d('2026-03-07T17:00:00Z'), NEW_YORK))).toBe('2026-03-08T16:00:00.000Z');
  });

  it('fall back: the repeated 01:30 (EDT 05:30Z, EST 06:30Z) is one slot, not due twice', () => {
    expect(iso(nextSlot('30 1 * * *', d('2026-10-31T12:00:00Z'), NEW_YORK))).toBe('2026-11-01T05:30:00.000Z');
    expect(iso(previousSlot('30 1 * * *', d('2026-11-01T06:45:00Z'), NEW_YORK))).toBe('2026-11-01T05:30:00.000Z');
    expect(
      isDue({ schedule: '30 1 * * *', lastSuccessStartedAt: d('2026-11-01T05:30:00Z'), now: d('2026-11-01T06:31:00Z'), tz: NEW_YORK }),
    ).toBe(false);
  });
});

describe('schedulePeriodMs', () => {
  const now = d('2026-05-10T12:34:00Z');
  it.each([
    ['0 12 * * *', 24 * HOUR],
    ['0 * * * *', HOUR],
    ['*/15 * * * *', HOUR / 4],
    ['0 12 * * 1-5', 24 * HOUR], // the weekend gap is not typical
    ['0 3 * * 0', 7 * 24 * HOUR],
  ])('%s => %d ms', (schedule, expected) => {
    expect(schedulePeriodMs(schedule, now, 'UTC')).toBe(expected);
  });

  it('a daily schedule stays 24h in a DST week (not 23h/25h)', () => {
    expect(schedulePeriodMs('0 12 * * *', d('2026-03-28T12:00:00Z'), BERLIN)).toBe(24 * HOUR);
    expect(schedulePeriodMs('0 12 * * *', d('2026-10-24T12:00:00Z'), BERLIN)).toBe(24 * HOUR);
  });

  it('throws on an invalid schedule', () => {
    expect(() => schedulePeriodMs('nope', now)).toThrow(RangeError);
  });
});

describe('isOverdue', () => {
  const now = d('2026-05-10T12:00:00Z');
  const hoursAgo = (h: number) => new Date(now.getTime() - h * HOUR);
  const overdue = (args: { schedule?: string | null; lastSuccessAt?: Date | null; since?: Date | null; overdueAfterHours?: number }) =>
    isOverdue({ schedule: null, lastSuccessAt: null, since: null, now, tz: 'UTC', ...args });

  it('daily schedule: overdue once a missed slot stayed unserved for a whole period (48h)', () => {
    expect(overdue({ schedule: '0 12 * * *', lastSuccessAt: hoursAgo(47) })).toBe(false);
    expect(overdue({ schedule: '0 12 * * *', lastSuccessAt: hoursAgo(48) })).toBe(false);
    expect(overdue({ schedule: '0 12 * * *', lastSuccessAt: hoursAgo(49) })).toBe(true);
  });

  it('hourly schedule: overdue after 2h', () => {
    expect(overdue({ schedule: '0 * * * *', lastSuccessAt: hoursAgo(1.5) })).toBe(false);
    expect(overdue({ schedule: '0 * * * *', lastSuccessAt: hoursAgo(2.5) })).toBe(true);
  });

  it('overdueAfterHours wins over the schedule', () => {
    expect(overdue({ schedule: '0 * * * *', lastSuccessAt: hoursAgo(10), overdueAfterHours: 12 })).toBe(false);
    expect(overdue({ schedule: '0 * * * *', lastSuccessAt: hoursAgo(13), overdueAfterHours: 12 })).toBe(true);
  });

  it('no schedule (volume-only): 7 days', () => {
    expect(overdue({ lastSuccessAt: hoursAgo(6 * 24) })).toBe(false);
    expect(overdue({ lastSuccessAt: hoursAgo(7 * 24 + 1) })).toBe(true);
  });

  it('never backed up: measured from `since`; unknown since => not overdue', () => {
    expect(overdue({ schedule: '0 12 * * *', since: null })).toBe(false);
    expect(overdue({ schedule: '0 12 * * *', since: hoursAgo(24) })).toBe(false);
    expect(overdue({ schedule: '0 12 * * *', since: hoursAgo(100) })).toBe(true);
  });

  it('a recent success overrides an old since', () => {
    expect(overdue({ schedule: '0 12 * * *', lastSuccessAt: hoursAgo(1), since: hoursAgo(1000) })).toBe(false);
  });
});

describe('minIntervalCheck', () => {
  const now = d('2026-05-10T12:00:00Z');
  it('never backed up => allowed', () => {
    expect(minIntervalCheck({ lastSuccessAt: null, minIntervalHours: 4, now })).toEqual({ allowed: true, allowedAt: null });
  });
  it('too soon => not allowed, with the time it becomes allowed', () => {
    expect(minIntervalCheck({ lastSuccessAt: d('2026-05-10T10:00:00Z'), minIntervalHours: 4, now })).toEqual({
      allowed: false,
      allowedAt: d('2026-05-10T14:00:00Z'),
    });
  });
  it('exactly at the boundary and later => allowed', () => {
    expect(minIntervalCheck({ lastSuccessAt: d('2026-05-10T08:00:00Z'), minIntervalHours: 4, now }).allowed).toBe(true);
    expect(minIntervalCheck({ lastSuccessAt: d('2026-05-09T08:00:00Z'), minIntervalHours: 4, now }).allowed).toBe(true);
  });
  it('0 (or negative) minIntervalHours => no limit', () => {
    expect(minIntervalCheck({ lastSuccessAt: now, minIntervalHours: 0, now })).toEqual({ allowed: true, allowedAt: null });
  });
  it('fractional hours', () => {
    expect(minIntervalCheck({ lastSuccessAt: d('2026-05-10T11:45:00Z'), minIntervalHours: 0.5, now }).allowedAt).toEqual(
      d('2026-05-10T12:15:00Z'),
    );
  });
});

describe('slots agree with what a running scheduler fires, at every moment around a DST change', () => {
  /** The oracle: one cron-parser iterator calling next() from days before, exactly what node-schedule does. */
  function fired(expr: string, from: number, to: number, tz: string): number[] {
    const it = cronParser.parseExpression(expr, { currentDate: new Date(from), tz });
    const out: number[] = [];
    for (let t = it.next().getTime(); t <= to; t = it.next().getTime()) out.push(t);
    return out;
  }

  it.each([
    [BERLIN, '2026-10-25T01:00:00Z', '30 2 * * *'],
    [BERLIN, '2026-03-29T01:00:00Z', '30 2 * * *'],
    [NEW_YORK, '2026-11-01T06:00:00Z', '30 1 * * *'],
  ])('%s, change at %s, %s', (tz, change, expr) => {
    const c = Date.parse(change);
    const slots = fired(expr, c - 72 * HOUR, c + 72 * HOUR, tz);
    const wrong: string[] = [];
    // Every 45 minutes from just before the change to six hours after it: each offset of "now" from
    // the change, so a replay may start before, inside or after the repeated or skipped hour.
    for (let now = c - 0.75 * HOUR; now <= c + 6 * HOUR; now += 0.75 * HOUR) {
      const want = { prev: slots.filter((s) => s <= now).at(-1), next: slots.find((s) => s > now) };
      const got = { prev: previousSlot(expr, new Date(now), tz)?.getTime(), next: nextSlot(expr, new Date(now), tz)?.getTime() };
      if (got.prev !== want.prev || got.next !== want.next) wrong.push(new Date(now).toISOString());
    }
    expect(wrong).toEqual([]);
  });

  it('fall back: a 02:30 backup that ran in the first 02:30 is not due again in the hours after the change', () => {
    const lastSuccessStartedAt = d('2026-10-25T00:30:00Z');
    for (const now of ['2026-10-25T03:15:00Z', '2026-10-25T03:45:00Z', '2026-10-25T05:15:00Z']) {
      expect(isDue({ schedule: '30 2 * * *', lastSuccessStartedAt, now: d(now), tz: BERLIN }), now).toBe(false);
    }
  });
});

describe('due-ness edge cases', () => {
  it('is never due, and does not throw, in a time zone that does not exist', () => {
    expect(
      isDue({ schedule: '0 12 * * *', lastSuccessStartedAt: d('2026-05-01T12:00:00Z'), now: d('2026-05-10T15:00:00Z'), tz: 'Not/AZone' }),
    ).toBe(false);
  });

  it('refuses to give a period for a valid schedule in a time zone that does not exist, naming the schedule', () => {
    expect(() => schedulePeriodMs('0 12 * * *', d('2026-05-10T12:00:00Z'), 'Not/AZone')).toThrow(RangeError);
    expect(() => schedulePeriodMs('nope', d('2026-05-10T12:00:00Z'))).toThrow('Invalid cron schedule: nope');
  });

  it('takes the typical gap of a weekday schedule even when the weekend gap comes fifth', () => {
    // From Monday's slot the gaps are 24, 24, 24, 24, 72 (Fri -> Mon), 24, ... hours.
    expect(schedulePeriodMs('0 12 * * 1-5', d('2026-05-11T13:00:00Z'), 'UTC')).toBe(24 * HOUR);
  });

  it('does not hold a disk-triggered run back when minIntervalHours is 0, even after the clock was set back', () => {
    const now = d('2026-05-10T12:00:00Z');
    expect(minIntervalCheck({ lastSuccessAt: d('2026-05-10T13:00:00Z'), minIntervalHours: 0, now })).toEqual({
      allowed: true,
      allowedAt: null,
    });
  });
});

describe('the replay, never remembered', () => {
  it('gives the slots around now, or none for an invalid schedule', () => {
    const now = d('2026-05-10T12:34:00Z');
    expect(replaySlots('0 12 * * *', now, 'UTC')).toEqual({ prev: d('2026-05-10T12:00:00Z'), next: d('2026-05-11T12:00:00Z') });
    expect(replaySlots('nope', now, 'UTC')).toEqual({ prev: null, next: null });
    expect(replaySlots('0 12 * * *', now, 'Not/AZone')).toEqual({ prev: null, next: null });
  });

  it('gives the median of the next eight gaps as the period, and refuses an invalid schedule', () => {
    const now = d('2026-05-10T12:34:00Z');
    expect(replayPeriodMs('0 * * * *', now, 'UTC')).toBe(HOUR);
    expect(replayPeriodMs('*/15 * * * *', now, 'UTC')).toBe(HOUR / 4);
    expect(replayPeriodMs('0 12 * * 1-5', d('2026-05-11T13:00:00Z'), 'UTC')).toBe(24 * HOUR);
    expect(() => replayPeriodMs('nope', now, 'UTC')).toThrow('Invalid cron schedule: nope');
  });
});
