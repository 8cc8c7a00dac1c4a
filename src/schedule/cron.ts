/**
 * The one cron parser: the schema validates with it, due.ts computes slots with it and the trigger
 * controller hands its output to node-schedule, so a schedule that validates is one that fires, at
 * the slot the status shows.
 *
 * node-schedule 2 passes a string straight to cron-parser 4 (and, when that throws, tries it as a
 * one-off date), so whatever cron-parser iterates is what fires. cron-parser alone is too lenient
 * for a config file: it reads "" as every minute, "0 12" as month and weekday, knows @daily only
 * without surrounding spaces, and does not know @annually or @midnight. Hence the accepted forms:
 *  - 5 fields: minute hour day-of-month month day-of-week (`0 12 * * *`);
 *  - 6 fields with a leading seconds field that is one number (`0 0 12 * * *`): a backup runs at
 *    most once a minute, and a per-second schedule would make every slot lookup replay thousands of
 *    slots;
 *  - @hourly, @daily, @midnight, @weekly, @monthly, @yearly, @annually (any case).
 * The normalised form is plain cron-parser syntax: single spaces, 5 fields unless the seconds field
 * is not 0, aliases spelled out.
 */
import { cronParser } from './cron-parser.js';
import { scheduleFacts } from './facts.js';
import { CRON_EXAMPLE, fieldCountProblem, fieldsProblem, parserProblem } from './cron-words.js';

const ALIASES: Readonly<Record<string, string>> = {
  '@hourly': '0 * * * *',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@weekly': '0 0 * * 0',
  '@monthly': '0 0 1 * *',
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
};

/** The accepted forms, for documentation and help texts (a rejection says only what is wrong, see cron-words.ts). */
export const CRON_FORMS =
  'use 5 fields "minute hour day month weekday" (0 12 * * *), 6 with a leading seconds field (0 0 12 * * *), ' +
  `or ${Object.keys(ALIASES).join(', ')}`;

export type CronResult = { ok: true; expression: string } | { ok: false; error: string };

/** Any fixed instant: whether an expression is valid must not depend on when it is checked. */
const CHECK_FROM = new Date(Date.UTC(2024, 0, 1));

function reject(reason: string): CronResult {
  return { ok: false, error: reason };
}

/** Checks an expression and, if Dandelion accepts it, gives the normalised form. */
export function parseCron(expr: string): CronResult {
  const trimmed = expr.trim();
  if (!trimmed) return reject(`the schedule is empty (leave it out, or null, for no schedule); ${CRON_EXAMPLE}`);
  if (trimmed.startsWith('@')) {
    const alias = ALIASES[trimmed.toLowerCase()];
    return alias === undefined
      ? reject(`unknown shortcut "${trimmed}" (known: ${Object.keys(ALIASES).join(', ')})`)
      : { ok: true, expression: alias };
  }
  const fields = trimmed.split(/\s+/);
  if (fields.length !== 5 && fields.length !== 6) return reject(fieldCountProblem(fields.length));
  if (fields.length === 6) {
    const seconds = fields[0]!;
    if (!/^\d{1,2}$/.test(seconds) || Number(seconds) > 59) {
      return reject(`the seconds field must be one number from 0 to 59, not "${seconds}" (a backup runs at most once a minute)`);
    }
    if (Number(seconds) === 0) fields.shift();
  }
  const expression = fields.join(' ');
  const error = parserError(expression);
  if (error === null) return { ok: true, expression };
  // cron-parser decides what is accepted; the words come from the fields themselves where they can.
  const five = fields.slice(-5);
  return reject(fieldsProblem(five) ?? parserProblem(error, five));
}

/** What cron-parser says of an expression, remembered (facts.ts): it depends on nothing else. */
function parserError(expression: string): string | null {
  const known = scheduleFacts.check(expression);
  if (known !== undefined) return known;
  let error: string | null = null;
  try {
    // Some impossible dates (e.g. 31 February) only surface once the iterator runs.
    cronParser().parseExpression(expression, { currentDate: CHECK_FROM, tz: 'UTC' }).next();
  } catch (err) {
    error = (err as Error).message;
  }
  scheduleFacts.setCheck(expression, error);
  return error;
}

/**
 * The form to hand to node-schedule (`schedule.scheduleJob(normalizeCron(p.schedule)!, …)`) and to
 * cron-parser; null when Dandelion does not accept the expression.
 */
export function normalizeCron(expr: string): string | null {
  const r = parseCron(expr);
  return r.ok ? r.expression : null;
}

/** Why the expression is rejected, in words ("minute 61 is out of range 0–59"); null when it is accepted. */
export function cronError(expr: string): string | null {
  const r = parseCron(expr);
  return r.ok ? null : r.error;
}
