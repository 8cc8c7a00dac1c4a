/**
 * "Keep": retention presets a person recognises, and borg's keep-* rules (config.json's `prune`)
 * behind them. A rule set that is not exactly a preset is shown as Custom with its numbers.
 */
import type { PruneRules } from './types.js';

export type KeepPreset = 'standard' | 'time-machine' | 'everything' | 'custom';

export const KEEP_FIELDS = [
  'keepWithin',
  'keepLast',
  'keepMinutely',
  'keepHourly',
  'keepDaily',
  'keepWeekly',
  'keepMonthly',
  'keepYearly',
] as const;
export type KeepField = (typeof KEEP_FIELDS)[number];
/** The custom rules as typed: text, so a half-typed number can be shown and named as wrong. */
export type KeepCustom = Record<KeepField, string>;

export const KEEP_LABELS: Record<KeepField, string> = {
  keepWithin: 'Keep all within',
  keepLast: 'Last',
  keepMinutely: 'Minutely',
  keepHourly: 'Hourly',
  keepDaily: 'Daily',
  keepWeekly: 'Weekly',
  keepMonthly: 'Monthly',
  keepYearly: 'Yearly',
};

export const KEEP_PRESETS: Record<'standard' | 'time-machine', PruneRules> = {
  standard: { keepDaily: 7, keepWeekly: 5, keepMonthly: 6 },
  /** Like Time Machine: hourly for a day, daily for a month, weekly after that (ten years of weeks). */
  'time-machine': { keepHourly: 24, keepDaily: 30, keepWeekly: 520 },
};

export const KEEP_CHOICES: { preset: KeepPreset; label: string; sentence: string }[] = [
  {
    preset: 'time-machine',
    label: 'Like Time Machine',
    sentence: 'Hourly backups for the past day, daily backups for the past month, weekly backups after that.',
  },
  { preset: 'standard', label: '7 daily, 5 weekly, 6 monthly', sentence: 'The last week day by day, five weeks, then six months.' },
  { preset: 'everything', label: 'Keep every backup', sentence: 'Nothing is ever deleted: the disk fills up over time.' },
  { preset: 'custom', label: 'Custom', sentence: 'Choose how many of each to keep.' },
];

const EMPTY: KeepCustom = {
  keepWithin: '',
  keepLast: '',
  keepMinutely: '',
  keepHourly: '',
  keepDaily: '',
  keepWeekly: '',
  keepMonthly: '',
  keepYearly: '',
};

/** Equal as borg reads them: an absent rule and a 0 both keep nothing by that rule. */
function sameRules(a: PruneRules, b: PruneRules): boolean {
  return KEEP_FIELDS.every((f) => (f === 'keepWithin' ? (a[f] ?? '') === (b[f] ?? '') : (a[f] ?? 0) === (b[f] ?? 0)));
}

export function keepPresetOf(prune: PruneRules | null): KeepPreset {
  if (prune === null) return 'everything';
  if (sameRules(prune, KEEP_PRESETS.standard)) return 'standard';
  if (sameRules(prune, KEEP_PRESETS['time-machine'])) return 'time-machine';
  return 'custom';
}

/** The custom fields showing a rule set (a preset's numbers when it is switched to Custom). */
export function customOf(prune: PruneRules | null): KeepCustom {
  const out = { ...EMPTY };
  if (!prune) return out;
  for (const f of KEEP_FIELDS) {
    const v = prune[f];
    if (v !== undefined && v !== null) out[f] = String(v);
  }
  return out;
}

export interface KeepDraft {
  preset: KeepPreset;
  custom: KeepCustom;
}

export function keepFromPrune(prune: PruneRules | null): KeepDraft {
  return { preset: keepPresetOf(prune), custom: customOf(prune ?? KEEP_PRESETS.standard) };
}

/** The rules for a draft, or the fields that are not numbers (keyed `prune.keepDaily`). */
export function pruneFromKeep(d: KeepDraft): { prune: PruneRules | null; errors: { field: string; message: string }[] } {
  if (d.preset === 'everything') return { prune: null, errors: [] };
  if (d.preset !== 'custom') return { prune: { ...KEEP_PRESETS[d.preset] }, errors: [] };
  const prune: PruneRules = {};
  const errors: { field: string; message: string }[] = [];
  for (const f of KEEP_FIELDS) {
    const text = d.custom[f].trim();
    if (text === '') continue;
    if (f === 'keepWithin') {
      // The engine checks the unit; a bare number most likely meant days.
      prune.keepWithin = /^\d+$/.test(text) ? `${text}d` : text;
      continue;
    }
    if (!/^\d+$/.test(text)) {
      errors.push({ field: `prune.${f}`, message: 'must be a whole number (0 or more)' });
      continue;
    }
    prune[f] = Number(text);
  }
  return { prune, errors };
}

/** "24 hourly, 30 daily, 520 weekly" — how a rule set reads in a summary. */
export function describeKeep(prune: PruneRules | null): string {
  if (prune === null) return 'every backup';
  const parts: string[] = [];
  if (prune.keepWithin) parts.push(`all within ${prune.keepWithin}`);
  for (const f of KEEP_FIELDS) {
    if (f === 'keepWithin') continue;
    const v = prune[f];
    if (v) parts.push(`${v} ${KEEP_LABELS[f].toLowerCase()}`);
  }
  return parts.join(', ') || 'nothing';
}
