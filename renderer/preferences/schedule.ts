/**
 * "When" in words a person picks (Manual only, Every hour, Daily at …, Weekly on … at …) and the
 * cron line config.json holds. Anything the presets cannot say exactly stays a custom cron line,
 * shown as written: the window never rewrites a schedule the user did not touch.
 */
export type ScheduleKind = 'manual' | 'hourly' | 'daily' | 'weekly' | 'custom';

export interface ScheduleDraft {
  kind: ScheduleKind;
  /** Minute past the hour for "Every hour". */
  minute: number;
  /** "HH:MM" for daily and weekly. */
  time: string;
  /** 0 = Sunday … 6 = Saturday, as cron counts. */
  weekday: number;
  /** The custom cron line (also kept while another kind is chosen, so switching back restores it). */
  cron: string;
}

export const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;

export const SCHEDULE_KINDS: { kind: ScheduleKind; label: string }[] = [
  { kind: 'manual', label: 'Manual only' },
  { kind: 'hourly', label: 'Every hour' },
  { kind: 'daily', label: 'Daily' },
  { kind: 'weekly', label: 'Weekly' },
  { kind: 'custom', label: 'Custom (cron)' },
];

const DEFAULTS: ScheduleDraft = { kind: 'manual', minute: 0, time: '12:00', weekday: 1, cron: '' };

function num(field: string, max: number): number | null {
  if (!/^\d{1,2}$/.test(field)) return null;
  const n = Number(field);
  return n <= max ? n : null;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** The draft for a schedule as config.json holds it (null or absent: manual only). */
export function scheduleFromCron(cron: string | null | undefined): ScheduleDraft {
  if (cron === null || cron === undefined || cron.trim() === '') return { ...DEFAULTS };
  const custom: ScheduleDraft = { ...DEFAULTS, kind: 'custom', cron };
  const f = cron.trim().split(/\s+/);
  if (f.length !== 5) return custom;
  const [mi, h, dom, mon, dow] = f as [string, string, string, string, string];
  const minute = num(mi, 59);
  if (minute === null || dom !== '*' || mon !== '*') return custom;
  if (h === '*' && dow === '*') return { ...DEFAULTS, kind: 'hourly', minute, cron };
  const hour = num(h, 23);
  if (hour === null) return custom;
  const time = `${pad(hour)}:${pad(minute)}`;
  if (dow === '*') return { ...DEFAULTS, kind: 'daily', minute, time, cron };
  const day = /^[0-7]$/.test(dow) ? Number(dow) % 7 : null;
  if (day === null) return custom;
  return { ...DEFAULTS, kind: 'weekly', minute, time, weekday: day, cron };
}

/** "HH:MM" → [hour, minute], or null when it is not a time of day. */
export function parseTime(time: string): [number, number] | null {
  const m = /^(\d{1,2}):(\d{2})$/.exec(time.trim());
  if (!m) return null;
  const h = Number(m[1]);
  const mi = Number(m[2]);
  return h <= 23 && mi <= 59 ? [h, mi] : null;
}

/**
 * The cron line for a draft; null for manual only. A daily or weekly draft with an unreadable time
 * gives back its text unchanged, so the engine's validation names the problem.
 */
export function cronFromSchedule(d: ScheduleDraft): string | null {
  switch (d.kind) {
    case 'manual':
      return null;
    case 'hourly':
      return `${d.minute} * * * *`;
    case 'daily':
    case 'weekly': {
      const t = parseTime(d.time);
      if (!t) return `${d.time} (not a time of day)`;
      return `${t[1]} ${t[0]} * * ${d.kind === 'daily' ? '*' : d.weekday}`;
    }
    case 'custom':
      return d.cron.trim();
  }
}

/** The same schedule in other words: switching kinds keeps the time and day already chosen. */
export function switchKind(d: ScheduleDraft, kind: ScheduleKind): ScheduleDraft {
  if (kind === 'custom') return { ...d, kind, cron: d.kind === 'custom' ? d.cron : (cronFromSchedule(d) ?? d.cron) };
  return { ...d, kind };
}

/** "Every hour at :15", "Daily at 12:00", "Mondays at 09:30", "Manual only", or the cron line. */
export function describeSchedule(d: ScheduleDraft): string {
  switch (d.kind) {
    case 'manual':
      return 'Manual only';
    case 'hourly':
      return d.minute === 0 ? 'Every hour' : `Every hour at :${pad(d.minute)}`;
    case 'daily':
      return `Daily at ${d.time}`;
    case 'weekly':
      return `${WEEKDAYS[d.weekday]}s at ${d.time}`;
    case 'custom':
      return d.cron.trim() || 'Custom';
  }
}
