import { describe, expect, it } from 'vitest';
import { localDateTime, localWhen } from '../../src/format.js';
import { busyDiagnosis } from '../../src/engine/run-queue.js';
import { parseConfig } from '../../src/profiles/schema.js';

describe('times in the user’s words and zone', () => {
  const now = new Date('2026-12-02T23:30:00Z');

  it('says today, yesterday, a date this year, or a date with its year', () => {
    expect(localWhen(new Date('2026-12-02T21:52:24.621Z'), now, 'UTC')).toBe('today at 21:52');
    expect(localWhen(new Date('2026-12-01T08:05:00Z'), now, 'UTC')).toBe('yesterday at 08:05');
    expect(localWhen(new Date('2026-11-01T21:52:00Z'), now, 'UTC')).toBe('on 1 Nov at 21:52');
    expect(localWhen(new Date('2025-11-01T21:52:00Z'), now, 'UTC')).toBe('on 1 Nov 2025 at 21:52');
  });

  it('counts days in the user’s zone, not in UTC', () => {
    // 21:52 UTC on 2 Dec is 10:52 on 3 Dec in Auckland, where "now" is 12:30 on 3 Dec.
    expect(localWhen(new Date('2026-12-02T21:52:00Z'), now, 'Pacific/Auckland')).toBe('today at 10:52');
    expect(localWhen(new Date('2026-12-02T21:52:00Z'), now, 'America/Los_Angeles')).toBe('today at 13:52');
    expect(localWhen(new Date('2026-12-01T23:00:00Z'), now, 'Pacific/Auckland')).toBe('yesterday at 12:00');
  });

  it('says a kept time without words that go stale', () => {
    expect(localDateTime(new Date('2026-12-02T21:52:24.621Z'), 'Europe/Berlin')).toBe('2 Dec 2026 at 22:52');
    expect(localDateTime(new Date('2026-07-01T00:05:00Z'), 'UTC')).toBe('1 Jul 2026 at 00:05');
  });

  it('says since when another process has used a repository in local words', () => {
    const parsed = parseConfig({ profiles: [{ id: 'p', repository: '/r', sources: ['/s'] }] });
    if (!parsed.ok) throw new Error('config');
    const d = busyDiagnosis(parsed.config.profiles[0]!, {
      pid: 7,
      what: 'dandelion daemon',
      since: new Date(Date.now() - 60_000).toISOString(),
    });
    expect(d.message).toMatch(/since today at \d\d:\d\d\.$|since yesterday at \d\d:\d\d\.$/);
    expect(d.message).not.toMatch(/\d{4}-\d\d-\d\dT/);
  });
});
