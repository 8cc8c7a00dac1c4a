import { describe, expect, it } from 'vitest';
import { SELFTEST_VALID_MS, selftestDue, selftestProven } from '../../src/borg/selftest.js';

const NOW = Date.UTC(2026, 11, 4, 9, 0, 0);

describe('selftestDue', () => {
  it('is due for a binary never tested', () => {
    expect(selftestDue(undefined, NOW)).toBe(true);
    expect(selftestDue(Number.NaN, NOW)).toBe(true);
    expect(selftestDue(Number.POSITIVE_INFINITY, NOW)).toBe(true);
  });

  it('is not due within a day of a pass, and due from the day on', () => {
    expect(selftestDue(NOW, NOW)).toBe(false);
    expect(selftestDue(NOW - SELFTEST_VALID_MS + 1, NOW)).toBe(false);
    expect(selftestDue(NOW - SELFTEST_VALID_MS, NOW)).toBe(true);
    expect(selftestDue(NOW - 3 * SELFTEST_VALID_MS, NOW)).toBe(true);
    expect(SELFTEST_VALID_MS).toBe(24 * 60 * 60 * 1000);
  });

  it('trusts a pass a little in the future (another process, a clock step) but not one from a clock set back', () => {
    expect(selftestDue(NOW + 5 * 60 * 1000, NOW)).toBe(false);
    expect(selftestDue(NOW + 5 * 60 * 1000 + 1, NOW)).toBe(true);
  });
});

describe('selftestProven', () => {
  it('is proven by a command that ended well or with a warning', () => {
    expect(selftestProven({ level: 'success', cancelled: false, signal: null })).toBe(true);
    expect(selftestProven({ level: 'warning', cancelled: false, signal: null })).toBe(true);
  });

  it('is not proven by an error, a cancel or a signal', () => {
    expect(selftestProven({ level: 'error', cancelled: false, signal: null })).toBe(false);
    expect(selftestProven({ level: 'success', cancelled: true, signal: null })).toBe(false);
    expect(selftestProven({ level: 'warning', cancelled: false, signal: 'SIGTERM' })).toBe(false);
  });
});
