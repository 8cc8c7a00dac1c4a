import { describe, expect, it } from 'vitest';
import { localDateTime, localDay, localWhen } from '../../src/format.js';
import { dayAndTime } from '../../src/app/wording.js';
import { busyDiagnosis } from '../../src/engine/run-queue.js';
import { parseConfig } from '../../src/profiles/schema.js';

describe('times in the user’s words and zone', () => {
  const now = new Date('2026-12-02T23:30:00Z');

  it('says today, yesterday, a date this year, or a date with its year', () => {
    expect(localWhen(new Date('2026-12-02T21:52:24.621Z'), now, { timeZone: 'UTC', locale: 'en-GB' })).toBe('today at 21:52');
    expect(localWhen(new Date('2026-12-01T08:05:00Z'), now, { timeZone: 'UTC', locale: 'en-GB' })).toBe('yesterday at 08:05');
    expect(localWhen(new Date('2026-11-01T21:52:00Z'), now, { timeZone: 'UTC', locale: 'en-GB' })).toBe('on 1 Nov at 21:52');
    expect(localWhen(new Date('2025-11-01T21:52:00Z'), now, { timeZone: 'UTC', locale: 'en-GB' })).toBe('on 1 Nov 2025 at 21:52');
  });

  it('counts days in the user’s zone, not in UTC', () => {
    // 21:52 UTC on 2 Dec is 10:52 on 3 Dec in Auckland, where "now" is 12:30 on 3 Dec.
    expect(localWhen(new Date('2026-12-02T21:52:00Z'), now, { timeZone: 'Pacific/Auckland', locale: 'en-GB' })).toBe('today at 10:52');
    expect(localWhen(new Date('2026-12-02T21:52:00Z'), now, { timeZone: 'America/Los_Angeles', locale: 'en-GB' })).toBe('today at 13:52');
    expect(localWhen(new Date('2026-12-01T23:00:00Z'), now, { timeZone: 'Pacific/Auckland', locale: 'en-GB' })).toBe('yesterday at 12:00');
  });

  it('on the user’s clock: 12 or 24 hours, and day or month first, as their locale has it (as the menu does)', () => {
    const us = { timeZone: 'America/New_York', locale: 'en-US' };
    expect(localWhen(new Date('2026-12-02T21:52:00Z'), now, us)).toBe('today at 4:52 PM');
    expect(localWhen(new Date('2026-12-01T14:05:00Z'), now, us)).toBe('yesterday at 9:05 AM');
    expect(localWhen(new Date('2026-11-01T21:52:00Z'), now, us)).toBe('on Nov 1 at 4:52 PM');
    expect(localWhen(new Date('2025-11-01T21:52:00Z'), now, us)).toBe('on Nov 1, 2025 at 5:52 PM');
    expect(localDateTime(new Date('2026-12-02T21:52:00Z'), us)).toBe('Dec 2, 2026 at 4:52 PM');
    expect(localDay(new Date('2026-08-19T12:00:00Z'), now, us)).toBe('Aug 19');
    const de = { timeZone: 'Europe/Berlin', locale: 'de-DE' };
    expect(localWhen(new Date('2026-12-02T21:52:00Z'), now, de)).toBe('yesterday at 22:52');
    // A locale or zone the runtime does not know: the process's own clock, not an exception.
    expect(localWhen(new Date('2026-12-02T21:52:00Z'), now, { timeZone: 'Mars/Olympus', locale: 'en-GB' })).toMatch(
      /^(today|yesterday) at /,
    );
    expect(localWhen(new Date('2026-12-02T21:52:00Z'), now, { timeZone: 'UTC', locale: '!!' })).toMatch(/^(today|yesterday) at /);
  });

  it('counts days the same in a locale with other digits or another calendar (the menu too)', () => {
    // Arabic-Indic digits and the Islamic calendar: the day is still counted on the Gregorian one.
    for (const locale of ['ar-EG', 'ar-SA', 'th-TH', 'fa-IR']) {
      const clock = { timeZone: 'UTC', locale };
      expect(localWhen(new Date('2026-12-02T21:52:00Z'), now, clock), locale).toMatch(/^today at /);
      expect(localWhen(new Date('2026-12-01T21:52:00Z'), now, clock), locale).toMatch(/^yesterday at /);
      expect(dayAndTime(new Date('2026-12-02T21:52:00Z'), now, clock), locale).toMatch(/^Today, /);
      expect(dayAndTime(new Date('2026-12-03T09:00:00Z'), now, clock), locale).toMatch(/^Tomorrow, /);
    }
  });

  it('counts days across a month and a year, and names a weekday only within the week', () => {
    const utc = { timeZone: 'UTC', locale: 'en-GB' };
    const dec1 = new Date('2026-12-01T10:00:00Z');
    expect(localWhen(new Date('2026-11-30T21:52:00Z'), dec1, utc)).toBe('yesterday at 21:52');
    expect(localWhen(new Date('2026-11-29T21:52:00Z'), dec1, utc)).toBe('on 29 Nov at 21:52');
    const jan1 = new Date('2027-01-01T10:00:00Z');
    expect(localWhen(new Date('2026-12-31T21:52:00Z'), jan1, utc)).toBe('yesterday at 21:52');
    expect(dayAndTime(new Date('2026-12-31T21:52:00Z'), jan1, utc)).toBe('Yesterday, 21:52');
    expect(dayAndTime(new Date('2026-12-26T09:00:00Z'), jan1, utc)).toBe('Saturday, 09:00');
    expect(dayAndTime(new Date('2026-12-25T09:00:00Z'), jan1, utc)).toBe('25 December 2026, 09:00');
    expect(dayAndTime(new Date('2027-01-08T09:00:00Z'), jan1, utc)).toBe('8 January, 09:00');
  });

  it('says a kept time without words that go stale', () => {
    expect(localDateTime(new Date('2026-12-02T21:52:24.621Z'), { timeZone: 'Europe/Berlin', locale: 'en-GB' })).toBe('2 Dec 2026 at 22:52');
    expect(localDateTime(new Date('2026-07-01T00:05:00Z'), { timeZone: 'UTC', locale: 'en-GB' })).toBe('1 Jul 2026 at 00:05');
  });

  it('says since when another process has used a repository in local words', () => {
    const parsed = parseConfig({ profiles: [{ id: 'p', repository: '/r', sources: ['/s'] }] });
    if (!parsed.ok) throw new Error('config');
    const d = busyDiagnosis(parsed.config.profiles[0]!, {
      pid: 7,
      what: 'dandelion daemon',
      since: new Date(Date.now() - 60_000).toISOString(),
    });
    expect(d.message).toMatch(/since (today|yesterday) at \d{1,2}:\d\d( [AP]M)?\.$/);
    expect(d.message).not.toMatch(/\d{4}-\d\d-\d\dT/);
  });
});
