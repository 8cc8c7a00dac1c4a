import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/profiles/schema.js';
import { pruneArgs } from '../../src/borg/argv.js';
import { featuresFor } from '../../src/borg/features.js';
import { customOf, describeKeep, KEEP_PRESETS, keepFromPrune, keepPresetOf, pruneFromKeep } from '../../renderer/preferences/keep.js';

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
    expect(describeKeep(KEEP_PRESETS['time-machine'])).toBe('24 hourly, 30 daily, 520 weekly');
    expect(describeKeep(null)).toBe('every backup');
  });
});
