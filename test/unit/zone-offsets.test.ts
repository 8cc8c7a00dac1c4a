/**
 * The zone offsets cron-parser's luxon remembers (src/schedule/cron-parser.ts) are the offsets the
 * zone data gives, at every second around DST changes (including half-hour and 45-minute zones), and
 * an instant asked again is answered without formatting it again.
 */
import { createRequire } from 'node:module';
import { describe, expect, it, vi } from 'vitest';
import { cronParser, OFFSETS_PER_ZONE } from '../../src/schedule/cron-parser.js';

const require = createRequire(import.meta.url);
cronParser();
const { IANAZone } = createRequire(require.resolve('cron-parser'))('luxon') as {
  IANAZone: { create(name: string): { offset(ts: number): number } };
};

/** The offset in minutes by Intl alone ("GMT+10:30"), independent of luxon. */
function intlOffset(zone: string, ts: number): number {
  const part = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' })
    .formatToParts(ts)
    .find((p) => p.type === 'timeZoneName')!.value;
  const m = /^GMT(?:([+-])(\d\d):(\d\d))?$/.exec(part)!;
  return m[1] ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
}

const CHANGES: [string, string][] = [
  ['Europe/Berlin', '2026-03-29T01:00:00Z'],
  ['Europe/Berlin', '2026-10-25T01:00:00Z'],
  ['America/New_York', '2026-11-01T06:00:00Z'],
  ['Australia/Lord_Howe', '2026-10-03T15:30:00Z'],
  ['Australia/Lord_Howe', '2026-04-04T15:00:00Z'],
  ['Pacific/Chatham', '2026-04-04T14:00:00Z'],
  ['Asia/Kathmandu', '2026-03-29T00:00:00Z'],
];

describe('remembered zone offsets', () => {
  it.each(CHANGES)('%s around %s: every asked instant has the zone data’s offset, asked once or twice', (zone, at) => {
    const change = Date.parse(at);
    const z = IANAZone.create(zone);
    const wrong: string[] = [];
    // Both sides of the change, to the millisecond next to it, then every 7.5 minutes for 3 hours either side.
    const instants = [change - 1001, change - 1000, change - 1, change, change + 1, change + 999, change + 1000];
    for (let t = change - 3 * 3_600_000; t <= change + 3 * 3_600_000; t += 450_000) instants.push(t, t + 437);
    for (const round of [1, 2])
      for (const t of instants) {
        const want = intlOffset(zone, t);
        const got = z.offset(t);
        if (got !== want) wrong.push(`round ${round}, ${new Date(t).toISOString()}: ${got} instead of ${want}`);
      }
    expect(wrong).toEqual([]);
    // The change is really in the instants asked: an offset on each side (Kathmandu, +05:45, has none).
    if (zone !== 'Asia/Kathmandu') expect(z.offset(change - 1)).not.toBe(z.offset(change));
    else expect(z.offset(change)).toBe(345);
  });

  it('formats an instant once: asked again (another millisecond of the same second) it is remembered', () => {
    const z = IANAZone.create('Europe/Berlin');
    const spy = vi.spyOn(Intl.DateTimeFormat.prototype, 'formatToParts');
    try {
      const t = Date.parse('2026-07-01T10:00:00.250Z');
      const first = z.offset(t);
      const after = spy.mock.calls.length;
      expect(after).toBeGreaterThan(0);
      expect(z.offset(t)).toBe(first);
      expect(z.offset(t + 500)).toBe(first);
      expect(spy.mock.calls.length).toBe(after);
      expect(first).toBe(120);
      // Another second is formatted, and the first is still remembered after it.
      expect(z.offset(t + 1000)).toBe(first);
      const afterSecond = spy.mock.calls.length;
      expect(afterSecond).toBeGreaterThan(after);
      expect(z.offset(t)).toBe(first);
      expect(spy.mock.calls.length).toBe(afterSecond);
    } finally {
      spy.mockRestore();
    }
  });

  it(`remembers at most ${OFFSETS_PER_ZONE.toLocaleString('en-US')} seconds of a zone, then starts again`, () => {
    const z = IANAZone.create('America/Chicago');
    const start = Date.parse('2031-01-01T00:00:00Z');
    // A zone no other test asked, so its memory starts empty: exactly as many seconds as it keeps.
    for (let i = 0; i < OFFSETS_PER_ZONE; i++) z.offset(start + i * 1000);
    const spy = vi.spyOn(Intl.DateTimeFormat.prototype, 'formatToParts');
    try {
      expect(z.offset(start)).toBe(-360);
      expect(spy).not.toHaveBeenCalled();
      // One second more: the memory starts again with it, so the first second is formatted anew.
      expect(z.offset(start + OFFSETS_PER_ZONE * 1000)).toBe(-360);
      const calls = spy.mock.calls.length;
      expect(calls).toBeGreaterThan(0);
      expect(z.offset(start + OFFSETS_PER_ZONE * 1000)).toBe(-360);
      expect(spy.mock.calls.length).toBe(calls);
      expect(z.offset(start)).toBe(-360);
      expect(spy.mock.calls.length).toBeGreaterThan(calls);
    } finally {
      spy.mockRestore();
    }
  });

  it('answers an instant that is no number as luxon does', () => {
    const z = IANAZone.create('Europe/Berlin');
    expect(z.offset(Number.NaN)).toBeNaN();
  });
});
