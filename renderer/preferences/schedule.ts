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

/** How a time of day is written; the windows pass the user's locale format (renderer/shared/format.ts). */
export type TimeOfDay = (hour: number, minute: number) => string;
const plainTime: TimeOfDay = (h, m) => `${pad(h)}:${pad(m)}`;

function at(d: ScheduleDraft, time: TimeOfDay): string {
  const t = parseTime(d.time);
  return t ? time(t[0], t[1]) : d.time;
}

/** A custom line said in words where its shape is a common one ("every 15 minutes"), else null. */
function customWords(cron: string): string | null {
  const f = cron.trim().split(/\s+/);
  if (f.length !== 5 || f[2] !== '*' || f[3] !== '*' || f[4] !== '*') return null;
  const every = (n: string, unit: string) => (n === '1' ? `every ${unit}` : `every ${n} ${unit}s`);
  const minutes = /^\*\/(\d+)$/.exec(f[0]!);
  if (minutes && f[1] === '*') return every(minutes[1]!, 'minute');
  const hours = /^\*\/(\d+)$/.exec(f[1]!);
  if (hours && /^\d+$/.test(f[0]!)) return every(hours[1]!, 'hour');
  return null;
}

/** "Every hour at :15", "Daily at 12:00 PM", "Mondays at 9:30 AM", "Manual only", "Every 2 hours", or the cron line. */
export function describeSchedule(d: ScheduleDraft, time: TimeOfDay = plainTime): string {
  switch (d.kind) {
    case 'manual':
      return 'Manual only';
    case 'hourly':
      return d.minute === 0 ? 'Every hour' : `Every hour at :${pad(d.minute)}`;
    case 'daily':
      return `Daily at ${at(d, time)}`;
    case 'weekly':
      return `${WEEKDAYS[d.weekday]}s at ${at(d, time)}`;
    case 'custom': {
      const words = customWords(d.cron);
      return words ? words[0]!.toUpperCase() + words.slice(1) : d.cron.trim() || 'Custom';
    }
  }
}

/**
 * When a profile backs up, as one sentence part for the setup's summary: "backs up every hour and
 * whenever “Backup” is connected", "backs up daily at 12:00 PM", "backs up only when you choose Back Up Now".
 */
export function scheduleSentence(d: ScheduleDraft, volume: string | null, time: TimeOfDay = plainTime): string {
  const disk = volume ? `when “${volume}” is connected` : null;
  if (d.kind === 'manual') return disk ? `backs up ${disk}` : 'backs up only when you choose Back Up Now';
  let when = describeSchedule(d, time);
  if (d.kind === 'custom' && !customWords(d.cron)) when = `on the schedule “${d.cron.trim()}”`;
  else if (d.kind !== 'weekly') when = when[0]!.toLowerCase() + when.slice(1);
  else when = `on ${when}`;
  return `backs up ${when}${disk ? ` and whenever “${volume}” is connected` : ''}`;
}

/** The whole summary line: "Backs up every hour; keeps hourly backups for a day, daily for a month, weekly for 10 years." */
export function planSentence(schedule: string, keep: string): string {
  const s = `${schedule}; keeps ${keep}.`;
  return s[0]!.toUpperCase() + s.slice(1);
}
