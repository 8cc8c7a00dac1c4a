import { describe, expect, it } from 'vitest';
import { cronError } from '../../src/schedule/cron.js';
import {
  cronFromSchedule,
  describeSchedule,
  parseTime,
  planSentence,
  scheduleSentence,
  scheduleFromCron,
  switchKind,
  type ScheduleDraft,
} from '../../renderer/preferences/schedule.js';

const base: ScheduleDraft = { kind: 'manual', minute: 0, time: '12:00', weekday: 1, cron: '' };

describe('preferences: schedule presets and cron', () => {
  it.each([
    [null, 'manual'],
    ['', 'manual'],
    ['0 * * * *', 'hourly'],
    ['15 * * * *', 'hourly'],
    ['0 12 * * *', 'daily'],
    ['30 9 * * 1', 'weekly'],
    ['0 12 * * 7', 'weekly'],
    ['*/5 * * * *', 'custom'],
    ['0 12 1 * *', 'custom'],
    ['0 12 * * 1-5', 'custom'],
    ['0 0 12 * * *', 'custom'],
    ['@daily', 'custom'],
    ['0 24 * * *', 'custom'],
  ])('reads %j as %s', (cron, kind) => {
    expect(scheduleFromCron(cron).kind).toBe(kind);
  });

  it('reads the minute, time and weekday of a preset', () => {
    expect(scheduleFromCron('15 * * * *')).toMatchObject({ kind: 'hourly', minute: 15 });
    expect(scheduleFromCron('5 7 * * *')).toMatchObject({ kind: 'daily', time: '07:05' });
    expect(scheduleFromCron('30 9 * * 1')).toMatchObject({ kind: 'weekly', time: '09:30', weekday: 1 });
    expect(scheduleFromCron('0 12 * * 7')).toMatchObject({ kind: 'weekly', weekday: 0 });
  });

  it.each([
    [{ ...base, kind: 'manual' as const }, null],
    [{ ...base, kind: 'hourly' as const, minute: 0 }, '0 * * * *'],
    [{ ...base, kind: 'daily' as const, time: '07:05' }, '5 7 * * *'],
    [{ ...base, kind: 'weekly' as const, time: '23:59', weekday: 6 }, '59 23 * * 6'],
    [{ ...base, kind: 'custom' as const, cron: ' */10 * * * * ' }, '*/10 * * * *'],
  ])('writes %j as %j, a line the engine accepts', (draft, cron) => {
    expect(cronFromSchedule(draft)).toBe(cron);
    if (cron) expect(cronError(cron)).toBeNull();
  });

  it('round-trips every preset through cron', () => {
    for (const cron of ['0 * * * *', '45 * * * *', '0 0 * * *', '5 7 * * *', '0 12 * * 0', '30 18 * * 5'])
      expect(cronFromSchedule(scheduleFromCron(cron))).toBe(cron);
  });

  it('gives an unreadable time to the engine, which refuses it', () => {
    const cron = cronFromSchedule({ ...base, kind: 'daily', time: '25:00' });
    expect(cron).not.toBeNull();
    expect(cronError(cron!)).not.toBeNull();
  });

  it('keeps the time when switching kinds, and starts Custom from the current preset', () => {
    const daily = scheduleFromCron('30 8 * * *');
    expect(switchKind(daily, 'weekly')).toMatchObject({ kind: 'weekly', time: '08:30' });
    expect(switchKind(daily, 'custom')).toMatchObject({ kind: 'custom', cron: '30 8 * * *' });
  });

  it('reads times of day and refuses others', () => {
    expect(parseTime('7:05')).toEqual([7, 5]);
    expect(parseTime('23:59')).toEqual([23, 59]);
    expect(parseTime('24:00')).toBeNull();
    expect(parseTime('noon')).toBeNull();
  });

  it('describes a schedule in words', () => {
    expect(describeSchedule(scheduleFromCron(null))).toBe('Manual only');
    expect(describeSchedule(scheduleFromCron('0 * * * *'))).toBe('Every hour');
    expect(describeSchedule(scheduleFromCron('15 * * * *'))).toBe('Every hour at :15');
    expect(describeSchedule(scheduleFromCron('0 12 * * *'))).toBe('Daily at 12:00');
    expect(describeSchedule(scheduleFromCron('30 9 * * 1'))).toBe('Mondays at 09:30');
    expect(describeSchedule(scheduleFromCron('*/15 * * * *'))).toBe('Every 15 minutes');
    expect(describeSchedule(scheduleFromCron('0 */2 * * *'))).toBe('Every 2 hours');
    expect(describeSchedule(scheduleFromCron('0 12 1 * *'))).toBe('0 12 1 * *');
  });

  it('says times the way the window formats them', () => {
    const us = (h: number, m: number) => `${h % 12 || 12}:${String(m).padStart(2, '0')} ${h < 12 ? 'AM' : 'PM'}`;
    expect(describeSchedule(scheduleFromCron('0 12 * * *'), us)).toBe('Daily at 12:00 PM');
    expect(describeSchedule(scheduleFromCron('30 9 * * 1'), us)).toBe('Mondays at 9:30 AM');
  });

  it('makes the setup’s summary sentence', () => {
    const keep = 'hourly backups for a day, daily for a month, weekly for 10 years';
    expect(planSentence(scheduleSentence(scheduleFromCron('0 * * * *'), null), keep)).toBe(
      'Backs up every hour; keeps hourly backups for a day, daily for a month, weekly for 10 years.',
    );
    expect(scheduleSentence(scheduleFromCron('0 * * * *'), 'Backup')).toBe('backs up every hour and whenever “Backup” is connected');
    expect(scheduleSentence(scheduleFromCron('0 12 * * *'), null)).toBe('backs up daily at 12:00');
    expect(scheduleSentence(scheduleFromCron('30 9 * * 1'), null)).toBe('backs up on Mondays at 09:30');
    expect(scheduleSentence(scheduleFromCron(null), null)).toBe('backs up only when you choose Back Up Now');
    expect(scheduleSentence(scheduleFromCron(null), 'Backup')).toBe('backs up when “Backup” is connected');
    expect(scheduleSentence(scheduleFromCron('0 12 1 * *'), null)).toBe('backs up on the schedule “0 12 1 * *”');
    expect(scheduleSentence(scheduleFromCron('*/30 * * * *'), null)).toBe('backs up every 30 minutes');
  });
});
