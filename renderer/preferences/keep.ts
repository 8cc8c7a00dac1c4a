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

const count = (n: number, one: string, article = 'a') => (n === 1 ? `${article} ${one}` : `${n} ${one}s`);

/** A number of days as a person says it: "a day", "a week", "2 weeks", "a month", "6 months", "a year", "10 days". */
function days(n: number): string {
  if (n >= 365 && n % 365 === 0) return count(n / 365, 'year');
  if (n >= 28 && n <= 31) return 'a month';
  if (n >= 60 && n % 30 === 0) return count(n / 30, 'month');
  if (n >= 7 && n % 7 === 0) return count(n / 7, 'week');
  return count(n, 'day');
}

/** How far back one keep-rule reaches, in words: keepWeekly 520 → "10 years", keepDaily 7 → "a week". */
export function keepSpan(field: Exclude<KeepField, 'keepWithin' | 'keepLast'>, n: number): string {
  switch (field) {
    case 'keepMinutely':
      return n >= 60 && n % 60 === 0 ? keepSpan('keepHourly', n / 60) : count(n, 'minute');
    case 'keepHourly':
      return n >= 24 && n % 24 === 0 ? days(n / 24) : count(n, 'hour', 'an');
    case 'keepDaily':
      return days(n);
    case 'keepWeekly':
      if (n >= 52 && n % 52 === 0) return count(n / 52, 'year');
      if (n === 26) return '6 months';
      return count(n, 'week');
    case 'keepMonthly':
      return n >= 12 && n % 12 === 0 ? count(n / 12, 'year') : count(n, 'month');
    case 'keepYearly':
      return count(n, 'year');
  }
}

const WITHIN_UNITS: Record<string, string> = { H: 'hour', d: 'day', w: 'week', m: 'month', y: 'year' };

/**
 * A rule set in words, as the setup and the Keep section say it: "hourly backups for a day, daily
 * for a month, weekly for 10 years" (never "520 weekly"); null keeps "every backup".
 */
export function describeKeep(prune: PruneRules | null): string {
  if (prune === null) return 'every backup';
  const parts: string[] = [];
  if (prune.keepWithin) {
    const m = /^(\d+)([Hdwmy])$/.exec(prune.keepWithin.trim());
    const unit = m ? WITHIN_UNITS[m[2]!] : undefined;
    parts.push(
      m && unit ? `every backup of the last ${Number(m[1]) === 1 ? unit : `${m[1]} ${unit}s`}` : `every backup within ${prune.keepWithin}`,
    );
  }
  if (prune.keepLast) parts.push(prune.keepLast === 1 ? 'the last backup' : `the last ${prune.keepLast} backups`);
  let first = true;
  for (const f of ['keepMinutely', 'keepHourly', 'keepDaily', 'keepWeekly', 'keepMonthly', 'keepYearly'] as const) {
    const v = prune[f];
    if (!v) continue;
    const word = KEEP_LABELS[f].toLowerCase();
    parts.push(`${word}${first ? ' backups' : ''} for ${keepSpan(f, v)}`);
    first = false;
  }
  return parts.join(', ') || 'nothing';
}
