import schedule from 'node-schedule';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CRON_FORMS, cronError, normalizeCron, parseCron } from '../../src/schedule/cron.js';
import { isValidCron, nextSlot, previousSlot } from '../../src/schedule/due.js';
import { parseConfig } from '../../src/profiles/schema.js';

/** Every form Dandelion takes, and what node-schedule and cron-parser are given for it. */
const ACCEPTED: ReadonlyArray<[input: string, normalised: string]> = [
  ['0 12 * * *', '0 12 * * *'],
  ['  30   2 * * *  ', '30 2 * * *'],
  ['*/15 * * * *', '*/15 * * * *'],
  ['0 12 * * 1-5', '0 12 * * 1-5'],
  ['0 12 * * MON-FRI', '0 12 * * MON-FRI'],
  ['0 3 L * *', '0 3 L * *'],
  ['0 0 12 * * *', '0 12 * * *'],
  ['00 0 12 * * *', '0 12 * * *'],
  ['30 0 12 * * *', '30 0 12 * * *'],
  ['@hourly', '0 * * * *'],
  ['@daily', '0 0 * * *'],
  ['@midnight', '0 0 * * *'],
  [' @Daily ', '0 0 * * *'],
  ['@weekly', '0 0 * * 0'],
  ['@monthly', '0 0 1 * *'],
  ['@yearly', '0 0 1 1 *'],
  ['@annually', '0 0 1 1 *'],
];

/** Rejected, with a word the reason must contain. */
const REJECTED: ReadonlyArray<[input: string, reason: RegExp]> = [
  ['', /empty/],
  ['   ', /empty/],
  ['0 12', /got 2/],
  ['2026-06-01 12:00', /got 2/], // node-schedule would take this as a one-off date
  ['0 12 * *', /got 4/],
  ['0 0 12 * * * 2026', /got 7/],
  ['every day', /got 2/],
  ['* * * * * *', /seconds field .* not "\*"/],
  ['*/10 * * * * *', /seconds field/],
  ['60 0 12 * * *', /seconds field .* not "60"/],
  ['61 * * * *', /61/],
  ['0 25 * * *', /25/],
  ['0 0 30 2 *', /day 30 never comes in February/],
  ['a b c d e', /minute “a” is not/],
  ['@reboot', /unknown shortcut "@reboot"/],
  ['@every 1h', /unknown shortcut/],
];

const profileWith = (scheduleExpr: string) => ({
  profiles: [{ id: 'a', repository: '/r', encryption: 'none', sources: ['/s'], schedule: scheduleExpr }],
});

describe('normalizeCron', () => {
  it.each(ACCEPTED)('accepts %j as %j', (input, normalised) => {
    expect(normalizeCron(input)).toBe(normalised);
    expect(cronError(input)).toBeNull();
  });

  it.each(REJECTED)('rejects %j, saying why', (input, reason) => {
    expect(normalizeCron(input)).toBeNull();
    expect(cronError(input)).toMatch(reason);
  });

  it('CRON_FORMS still names every accepted form, for help texts', () => {
    for (const form of ['0 12 * * *', '0 0 12 * * *', '@hourly', '@daily', '@midnight', '@weekly', '@monthly', '@yearly', '@annually']) {
      expect(CRON_FORMS).toContain(form);
    }
  });

  it('parseCron gives the normalised expression or the error, never both', () => {
    expect(parseCron('0 0 12 * * *')).toEqual({ ok: true, expression: '0 12 * * *' });
    expect(parseCron('0 12')).toEqual({ ok: false, error: cronError('0 12') });
  });
});

describe('cronError says what is wrong in words, not in the parser’s', () => {
  it.each([
    ['61 * * * *', 'minute 61 is out of range 0–59'],
    ['1,2,99 * * * *', 'minute 99 is out of range 0–59'],
    ['0 25 * * *', 'hour 25 is out of range 0–23'],
    ['0 0 32 * *', 'day of month 32 is out of range 1–31'],
    ['0 0 0 * *', 'day of month 0 is out of range 1–31'],
    ['0 0 * 13 *', 'month 13 is out of range 1–12'],
    ['0 0 * * 8', 'day of week 8 is out of range 0–7'],
    ['30 0 25 * * *', 'hour 25 is out of range 0–23'],
    ['5-2 * * * *', 'minute range 5-2 goes backwards (write 2-5)'],
    ['*/0 * * * *', 'minute step “/0” must be 1 or more'],
    ['0 12 * * xyz', 'day of week “xyz” is not a number 0–7 (0 and 7 are Sunday), SUN–SAT or *'],
    ['0 0 * JANX *', 'month “JANX” is not a number 1–12, JAN–DEC or *'],
    ['0 0 31 2 *', 'day 31 never comes in February'],
    ['0 12 * *', 'expected 5 fields (minute hour day month weekday), got 4; e.g. 0 12 * * * = every day at noon'],
    ['0 12 * * * * *', 'expected 5 fields (minute hour day month weekday), got 7; e.g. 0 12 * * * = every day at noon'],
    ['@reboot', 'unknown shortcut "@reboot" (known: @hourly, @daily, @midnight, @weekly, @monthly, @yearly, @annually)'],
  ])('%j: %s', (input, words) => {
    expect(cronError(input)).toBe(words);
  });

  it('never passes the parser’s own words on, and gives one short example instead of the whole syntax', () => {
    for (const [input] of REJECTED) {
      const message = cronError(input)!;
      expect(message).not.toMatch(/Constraint error|Invalid characters|expected range \d+-\d+|Validation error/);
      expect(message.length, input).toBeLessThan(120);
    }
    expect(cronError('')).toMatch(/^the schedule is empty .*e\.g\. 0 12 \* \* \* = every day at noon$/);
  });

  it('the field check never refuses what cron-parser accepts (it only words the refusal)', () => {
    for (const expr of ['0 12 * * MON-FRI', '0 3 L * *', '0 12 * * 5L', '0 12 * * 1#2', '0 12 * jan,jul sun']) {
      expect(cronError(expr), expr).toBeNull();
    }
  });
});

describe('the schema and due.ts agree on every case', () => {
  const now = new Date('2026-05-10T12:34:56Z');
  it.each([...ACCEPTED.map(([input]) => [input, true] as const), ...REJECTED.map(([input]) => [input, false] as const)])(
    '%j: accepted = %s by the schema, isValidCron, nextSlot and previousSlot',
    (input, accepted) => {
      const parsed = parseConfig(profileWith(input));
      expect(parsed.ok).toBe(accepted);
      if (!parsed.ok) expect(parsed.errors).toEqual([{ path: 'profiles[0].schedule', message: cronError(input) }]);
      expect(isValidCron(input)).toBe(accepted);
      expect(nextSlot(input, now, 'UTC') !== null).toBe(accepted);
      expect(previousSlot(input, now, 'UTC') !== null).toBe(accepted);
    },
  );

  it('the 6-field form with 0 seconds runs at the same slots as its 5-field form', () => {
    for (const tz of ['UTC', 'Europe/Berlin']) {
      expect(nextSlot('0 0 12 * * *', now, tz)).toEqual(nextSlot('0 12 * * *', now, tz));
      expect(previousSlot('0 0 12 * * *', now, tz)).toEqual(previousSlot('0 12 * * *', now, tz));
    }
    expect(nextSlot('30 0 12 * * *', now, 'UTC')?.toISOString()).toBe('2026-05-11T12:00:30.000Z');
  });
});

describe('node-schedule fires the normalised form at nextSlot()', () => {
  afterEach(() => {
    schedule.gracefulShutdown();
    vi.useRealTimers();
  });

  /** What node-schedule's next invocation is when the job is created at `now`. */
  function nextInvocation(rule: string, now: Date, tz: string): Date | null {
    vi.useFakeTimers({ now });
    const job = schedule.scheduleJob({ rule, tz }, () => {});
    const next = job?.nextInvocation();
    job?.cancel();
    vi.useRealTimers();
    return next ? new Date(next.getTime()) : null;
  }

  // Not inside a fall-back repeated hour: a job created there fires the repeat, which nextSlot
  // deliberately does not (see due.ts and the DST tests in due.test.ts).
  const moments: ReadonlyArray<[now: string, tz: string]> = [
    ['2026-05-10T12:34:56Z', 'UTC'],
    ['2026-05-10T12:00:00Z', 'UTC'],
    ['2026-12-31T23:59:30Z', 'UTC'],
    ['2026-03-28T12:00:00Z', 'Europe/Berlin'], // the night before spring forward
    ['2026-10-24T12:00:00Z', 'Europe/Berlin'], // the night before fall back
    ['2026-03-07T12:00:00Z', 'America/New_York'],
  ];

  it.each(ACCEPTED)('%j', (input) => {
    const rule = normalizeCron(input)!;
    for (const [at, tz] of moments) {
      const now = new Date(at);
      const expected = nextSlot(input, now, tz);
      expect(expected, `${at} ${tz}`).not.toBeNull();
      expect(nextInvocation(rule, now, tz)?.toISOString(), `${at} ${tz}`).toBe(expected?.toISOString());
    }
  });

  it('the aliases mean what cron-parser itself means by them', () => {
    const now = new Date('2026-05-10T12:34:56Z');
    for (const [alias, same] of [
      ['@hourly', '@hourly'],
      ['@daily', '@daily'],
      ['@midnight', '@daily'],
      ['@weekly', '@weekly'],
      ['@monthly', '@monthly'],
      ['@yearly', '@yearly'],
      ['@annually', '@yearly'],
    ] as const) {
      expect(nextInvocation(same, now, 'UTC'), alias).toEqual(nextSlot(alias, now, 'UTC'));
    }
  });

  it('node-schedule cannot fire some accepted forms as written: the controller must pass normalizeCron()', () => {
    const now = new Date('2026-05-10T12:34:56Z');
    for (const raw of ['@annually', '@midnight', ' @daily', '@Daily']) {
      expect(nextInvocation(raw, now, 'UTC'), raw).toBeNull();
      expect(nextInvocation(normalizeCron(raw)!, now, 'UTC'), raw).not.toBeNull();
    }
  });
});
