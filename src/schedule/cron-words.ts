/**
 * Why a cron line is wrong, in words a person can act on ("minute 61 is out of range 0–59"),
 * instead of cron-parser's ("Constraint error, got value 61 expected range 0-59"). Pure: the
 * schema (so the CLI and the engine's config errors), the preview in the windows and the tests all
 * say the same thing.
 */

/** One example, shown when the shape of the line is wrong (not for a number out of range). */
export const CRON_EXAMPLE = 'e.g. 0 12 * * * = every day at noon';

export const FIVE_FIELDS = 'expected 5 fields (minute hour day month weekday)';

interface FieldRule {
  name: string;
  min: number;
  max: number;
  /** Names cron also takes in this field (JAN…DEC, SUN…SAT). */
  names?: readonly string[];
  hint: string;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] as const;
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] as const;
const MONTH_WORDS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
] as const;

/** The five fields of a cron line in order (the optional leading seconds field is checked by the caller). */
export const CRON_FIELDS: readonly FieldRule[] = [
  { name: 'minute', min: 0, max: 59, hint: 'a number 0–59 or *' },
  { name: 'hour', min: 0, max: 23, hint: 'a number 0–23 or *' },
  { name: 'day of month', min: 1, max: 31, hint: 'a number 1–31, L or *' },
  { name: 'month', min: 1, max: 12, names: MONTHS, hint: 'a number 1–12, JAN–DEC or *' },
  { name: 'day of week', min: 0, max: 7, names: DAYS, hint: 'a number 0–7 (0 and 7 are Sunday), SUN–SAT or *' },
];

/** "expected 5 fields (minute hour day month weekday), got 3; e.g. 0 12 * * * = every day at noon". */
export function fieldCountProblem(count: number): string {
  return `${FIVE_FIELDS}, got ${count}; ${CRON_EXAMPLE}`;
}

/** A value of one field: a number, a name of the field, or a special cron-parser knows (L, W, #). */
function valueProblem(rule: FieldRule, value: string): string | null {
  if (/^\d+$/.test(value)) {
    const n = Number(value);
    return n < rule.min || n > rule.max ? `${rule.name} ${n} is out of range ${rule.min}–${rule.max}` : null;
  }
  if (rule.names?.includes(value.toUpperCase())) return null;
  // L (last), nW (nearest weekday), n#k (k-th weekday), nL (last weekday n): cron-parser reads these.
  if (/^(L|\d+W|LW|\d+#\d|\d+L|L-\d+)$/i.test(value)) return null;
  return `${rule.name} “${value}” is not ${rule.hint}`;
}

/** What is wrong with one field, or null when every part of it reads. */
export function fieldProblem(rule: FieldRule, field: string): string | null {
  for (const part of field.split(',')) {
    if (part === '') return `${rule.name} “${field}” has an empty part between commas`;
    const [range, step, extra] = part.split('/');
    if (extra !== undefined) return `${rule.name} “${part}” has more than one “/”`;
    if (step !== undefined && !/^\d+$/.test(step)) return `${rule.name} step “/${step}” is not a number`;
    if (step !== undefined && Number(step) === 0) return `${rule.name} step “/0” must be 1 or more`;
    if (range === '*' || range === '?') continue;
    const ends = range!.split('-');
    if (ends.length > 2 || ends.some((e) => e === '')) {
      // "L-2" (two days before the last) is one value, not a range.
      const single = valueProblem(rule, range!);
      if (single === null) continue;
      return `${rule.name} “${range}” is not ${rule.hint}`;
    }
    for (const e of ends) {
      const p = valueProblem(rule, e);
      if (p) return p;
    }
    if (ends.length === 2 && /^\d+$/.test(ends[0]!) && /^\d+$/.test(ends[1]!) && Number(ends[0]) > Number(ends[1]))
      return `${rule.name} range ${ends[0]}-${ends[1]} goes backwards (write ${ends[1]}-${ends[0]})`;
  }
  return null;
}

/** The first problem of a 5-field line, field by field, or null when each field reads on its own. */
export function fieldsProblem(fields: readonly string[]): string | null {
  if (fields.length !== 5) return fieldCountProblem(fields.length);
  for (let i = 0; i < 5; i++) {
    const p = fieldProblem(CRON_FIELDS[i]!, fields[i]!);
    if (p) return p;
  }
  return null;
}

/**
 * cron-parser's message for a 5-field line in words; used when each field reads but the whole does
 * not (31 February), and as a last resort for what the field check above lets through.
 */
export function parserProblem(message: string, fields: readonly string[]): string {
  if (/day of month/i.test(message)) {
    const month = fields[3] ?? '*';
    const monthWord = /^\d+$/.test(month) ? MONTH_WORDS[Number(month) - 1] : undefined;
    return `day ${fields[2]} never comes in ${monthWord ?? `month ${month}`}`;
  }
  const range = /got value (\S+) expected range (\d+)-(\d+)/.exec(message);
  if (range) {
    const rule = CRON_FIELDS.find((r) => String(r.min) === range[2] && String(r.max) === range[3]);
    return `${rule?.name ?? 'value'} ${range[1]} is out of range ${range[2]}–${range[3]}`;
  }
  const chars = /Invalid characters, got value: (\S+)/.exec(message);
  if (chars) return `“${chars[1]}” is not a cron value; ${CRON_EXAMPLE}`;
  const alias = /cannot resolve alias "([^"]+)"/.exec(message);
  if (alias) return `“${alias[1]}” is not a month or day name`;
  return `${message.replace(/\.$/, '')}; ${CRON_EXAMPLE}`;
}
