import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/profiles/schema.js';
import { pruneArgs } from '../../src/borg/argv.js';
import { featuresFor } from '../../src/borg/features.js';
import {
  customOf,
  describeKeep,
  KEEP_PRESETS,
  keepFromPrune,
  keepPresetOf,
  keepSpan,
  pruneFromKeep,
} from '../../renderer/preferences/keep.js';

const profile = (prune: unknown) => ({ profiles: [{ id: 'p', repository: '/tmp/r', sources: ['/tmp/s'], prune }] });

describe('preferences: keep presets and prune rules', () => {
  it('recognises the presets and everything else as custom', () => {
    expect(keepPresetOf({ keepDaily: 7, keepWeekly: 5, keepMonthly: 6 })).toBe('standard');
    expect(keepPresetOf({ keepMonthly: 6, keepDaily: 7, keepWeekly: 5, keepYearly: 0 })).toBe('standard');
    expect(keepPresetOf({ keepHourly: 24, keepDaily: 30, keepWeekly: 520 })).toBe('time-machine');
    expect(keepPresetOf(null)).toBe('everything');
    expect(keepPresetOf({ keepDaily: 7, keepWeekly: 4, keepMonthly: 6 })).toBe('custom');
    expect(keepPresetOf({ keepWithin: '24H', keepDaily: 30, keepWeekly: 520 })).toBe('custom');
  });

  it('gives each preset as rules the schema accepts', () => {
    for (const preset of ['standard', 'time-machine', 'everything'] as const) {
      const { prune, errors } = pruneFromKeep({ preset, custom: customOf(null) });
      expect(errors).toEqual([]);
      expect(parseConfig(profile(prune)).ok).toBe(true);
    }
  });

  it('Time-Machine-like keeps hourly for a day, daily for a month, weekly after', () => {
    expect(KEEP_PRESETS['time-machine']).toEqual({ keepHourly: 24, keepDaily: 30, keepWeekly: 520 });
    const f = featuresFor({ major: 1, minor: 2, patch: 4, raw: '1.2.4' });
    expect(pruneArgs('/r', 'x-{now}', KEEP_PRESETS['time-machine'], f)).toEqual(
      expect.arrayContaining(['--keep-hourly=24', '--keep-daily=30', '--keep-weekly=520']),
    );
  });

  it('custom: numbers as typed, blanks left out, a bare keepWithin number read as days', () => {
    const custom = { ...customOf(null), keepDaily: ' 10 ', keepWithin: '3', keepYearly: '' };
    expect(pruneFromKeep({ preset: 'custom', custom })).toEqual({ prune: { keepWithin: '3d', keepDaily: 10 }, errors: [] });
  });

  it('custom: a field that is not a whole number is named', () => {
    const custom = { ...customOf(null), keepDaily: '7.5', keepWeekly: 'x' };
    expect(pruneFromKeep({ preset: 'custom', custom }).errors.map((e) => e.field)).toEqual(['prune.keepDaily', 'prune.keepWeekly']);
  });

  it('custom keeps rules the form does not usually show (keepMinutely)', () => {
    const d = keepFromPrune({ keepMinutely: 60, keepDaily: 3 });
    expect(d.preset).toBe('custom');
    expect(pruneFromKeep(d).prune).toEqual({ keepMinutely: 60, keepDaily: 3 });
  });

  it('switching a preset to Custom starts from its numbers', () => {
    expect(keepFromPrune(KEEP_PRESETS.standard).custom).toMatchObject({ keepDaily: '7', keepWeekly: '5', keepMonthly: '6' });
    expect(keepFromPrune(null).custom.keepDaily).toBe('7');
  });

  it('describes rules in words', () => {
    expect(describeKeep(KEEP_PRESETS['time-machine'])).toBe('hourly backups for a day, daily for a month, weekly for 10 years');
    expect(describeKeep(KEEP_PRESETS.standard)).toBe('daily backups for a week, weekly for 5 weeks, monthly for 6 months');
    expect(describeKeep(null)).toBe('every backup');
    expect(describeKeep({ keepWithin: '24H', keepLast: 3 })).toBe('every backup of the last 24 hours, the last 3 backups');
    expect(describeKeep({ keepWithin: '1d', keepYearly: 1 })).toBe('every backup of the last day, yearly backups for a year');
    expect(describeKeep({})).toBe('nothing');
  });

  it.each([
    ['keepWeekly', 520, '10 years'],
    ['keepWeekly', 52, 'a year'],
    ['keepWeekly', 26, '6 months'],
    ['keepWeekly', 4, '4 weeks'],
    ['keepWeekly', 1, 'a week'],
    ['keepMonthly', 6, '6 months'],
    ['keepMonthly', 1, 'a month'],
    ['keepMonthly', 24, '2 years'],
    ['keepDaily', 7, 'a week'],
    ['keepDaily', 14, '2 weeks'],
    ['keepDaily', 30, 'a month'],
    ['keepDaily', 10, '10 days'],
    ['keepDaily', 1, 'a day'],
    ['keepDaily', 90, '3 months'],
    ['keepDaily', 365, 'a year'],
    ['keepHourly', 24, 'a day'],
    ['keepHourly', 48, '2 days'],
    ['keepHourly', 12, '12 hours'],
    ['keepHourly', 1, 'an hour'],
    ['keepMinutely', 60, 'an hour'],
    ['keepMinutely', 30, '30 minutes'],
    ['keepYearly', 3, '3 years'],
  ] as const)('%s %i reaches back %s', (field, n, words) => {
    expect(keepSpan(field, n)).toBe(words);
  });
});
