/**
 * Imports a launchd job (a plist in ~/Library/LaunchAgents): what it runs (a script, read through
 * ctx and imported with readShellScript, or borg itself) becomes the profiles; when it runs
 * (StartCalendarInterval, StartInterval, WatchPaths on /Volumes/NAME) becomes their schedule and
 * volume; its Label becomes the old job to unload so backups do not run twice.
 */
import path from 'node:path';
import type { ImportContext } from './context.js';
import { emptyImport, type ImportResult, type ReportItem, type SourceRef } from './model.js';
import { parsePlist, PlistError, type PlistValue } from './plist.js';
import { isBorgProgram, readShellScript } from './shell.js';
import { parseCron } from '../schedule/cron.js';

/** When a job runs, as a profile holds it. */
export interface Timing {
  schedule?: string | null;
  volume?: string | null;
  minIntervalHours?: number;
}

type Item = Omit<ReportItem, 'profile'>;

const SHELLS = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh']);

/** Keys that change nothing Dandelion would do differently. */
const QUIET_KEYS = new Set([
  'Label',
  'Program',
  'ProgramArguments',
  'EnvironmentVariables',
  'WorkingDirectory',
  'ProcessType',
  'Nice',
  'LowPriorityIO',
  'LowPriorityBackgroundIO',
  'UserName',
  'GroupName',
  'AbandonProcessGroup',
  'ExitTimeOut',
  'ThrottleInterval',
]);

const CAL_FIELDS = ['Minute', 'Hour', 'Day', 'Month', 'Weekday'] as const;
type CalField = (typeof CAL_FIELDS)[number];

/** One value set per cron field (null = `*`) as a cron expression. */
function cronOf(fields: Record<CalField, number[] | null>): string {
  return CAL_FIELDS.map((f) => (fields[f] === null ? '*' : [...new Set(fields[f])].sort((a, b) => a - b).join(','))).join(' ');
}

/**
 * StartCalendarInterval (one dict or an array of them) as one cron expression. Exact when the
 * dicts are every combination of their values (9:00 and 18:00 → `0 9,18 * * *`); otherwise the
 * nearest expression that never runs less often, with a note saying which runs it adds.
 */
export function calendarCron(value: PlistValue, at: SourceRef): { cron: string | null; items: Item[] } {
  const items: Item[] = [];
  const dicts = value.type === 'array' ? value.items : [value];
  const entries: Record<CalField, number | null>[] = [];
  for (const d of dicts) {
    if (d.type !== 'dict') {
      items.push({ kind: 'dropped', message: 'StartCalendarInterval holds something other than a dictionary; left out.', at });
      continue;
    }
    const entry = { Minute: null, Hour: null, Day: null, Month: null, Weekday: null } as Record<CalField, number | null>;
    for (const [key, v] of d.entries) {
      if (!(CAL_FIELDS as readonly string[]).includes(key) || v.type !== 'integer') {
        items.push({
          kind: 'dropped',
          message: `StartCalendarInterval's ${key} is not a calendar field launchd knows; left out.`,
          at: { file: at.file, line: d.keyLines.get(key) ?? at.line },
        });
        continue;
      }
      entry[key as CalField] = key === 'Weekday' && v.value === 7 ? 0 : v.value;
    }
    // launchd runs every minute of the hour when Minute is missing; nobody means that for a backup.
    if (entry.Minute === null && entry.Hour !== null) {
      entry.Minute = 0;
      items.push({
        kind: 'note',
        message: `StartCalendarInterval gives the hour ${entry.Hour} without a minute (launchd then runs every minute of that hour); the profile runs at ${entry.Hour}:00.`,
        at,
      });
    }
    entries.push(entry);
  }
  if (!entries.length) return { cron: null, items };
  const fields = {} as Record<CalField, number[] | null>;
  for (const f of CAL_FIELDS) fields[f] = entries.some((e) => e[f] === null) ? null : entries.map((e) => e[f]!);
  const cron = cronOf(fields);
  const distinct = new Set(entries.map((e) => CAL_FIELDS.map((f) => e[f] ?? '*').join(' '))).size;
  const combinations = CAL_FIELDS.reduce((n, f) => n * (fields[f] === null ? 1 : new Set(fields[f]).size), 1);
  const exact = entries.every((e) => CAL_FIELDS.every((f) => (e[f] === null) === (fields[f] === null))) && combinations === distinct;
  if (!exact) {
    const each = entries.map((e) =>
      cronOf(Object.fromEntries(CAL_FIELDS.map((f) => [f, e[f] === null ? null : [e[f]]])) as Record<CalField, number[] | null>),
    );
    items.push({
      kind: 'note',
      message: `The job's ${plural(entries.length, 'start time')} (${each.join('; ')}) do not fit one schedule; the profile runs at "${cron}", which covers them all and may run more often.`,
      at,
    });
  }
  const parsed = parseCron(cron);
  if (!parsed.ok) {
    items.push({ kind: 'dropped', message: `StartCalendarInterval gives "${cron}", which is not a schedule: ${parsed.error}.`, at });
    return { cron: null, items };
  }
  items.push({ kind: 'carried', message: `Runs on the schedule "${parsed.expression}" (StartCalendarInterval).`, at });
  return { cron: parsed.expression, items };
}

/** StartInterval (seconds) as a schedule, or an hourly schedule with a minimum interval when no cron fits. */
export function intervalTiming(seconds: number, at: SourceRef): { timing: Timing; items: Item[] } {
  const items: Item[] = [];
  const carried = (schedule: string): { timing: Timing; items: Item[] } => {
    items.push({ kind: 'carried', message: `Runs every ${duration(seconds)}: schedule "${schedule}" (StartInterval ${seconds}).`, at });
    return { timing: { schedule }, items };
  };
  if (seconds <= 60) {
    if (seconds < 60)
      items.push({
        kind: 'note',
        message: `StartInterval ${seconds} runs more than once a minute; the profile runs at most once a minute.`,
        at,
      });
    return carried('* * * * *');
  }
  if (seconds < 3600 && seconds % 60 === 0 && 3600 % seconds === 0) return carried(`*/${seconds / 60} * * * *`);
  if (seconds % 3600 === 0 && 86400 % seconds === 0) {
    const hours = seconds / 3600;
    return carried(hours === 1 ? '0 * * * *' : hours === 24 ? '0 0 * * *' : `0 */${hours} * * *`);
  }
  if (seconds < 3600) {
    const minutes = [30, 20, 15, 12, 10, 6, 5, 4, 3, 2, 1].find((m) => m * 60 <= seconds)!;
    items.push({
      kind: 'note',
      message: `StartInterval ${seconds} (every ${duration(seconds)}) fits no schedule; the profile runs every ${minutes} minutes, a little more often.`,
      at,
    });
    return { timing: { schedule: `*/${minutes} * * * *` }, items };
  }
  const hours = Math.round((seconds / 3600) * 100) / 100;
  items.push({
    kind: 'note',
    message: `StartInterval ${seconds} (every ${duration(seconds)}) fits no schedule; the profile looks every hour and backs up when the last backup is at least ${hours} hours old.`,
    at,
  });
  return { timing: { schedule: '0 * * * *', minIntervalHours: hours }, items };
}

/** `/Volumes/backup-disk` (or a folder in it) → `backup-disk`. */
export function volumeOf(watched: string): string | null {
  const m = /^\/Volumes\/([^/]+)/.exec(watched);
  return m ? m[1]! : null;
}

function duration(seconds: number): string {
  if (seconds % 86400 === 0) return plural(seconds / 86400, 'day');
  if (seconds % 3600 === 0) return plural(seconds / 3600, 'hour');
  if (seconds % 60 === 0) return plural(seconds / 60, 'minute');
  return plural(seconds, 'second');
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function stringsOf(v: PlistValue | undefined): string[] | null {
  if (!v) return null;
  if (v.type === 'string') return [v.value];
  if (v.type !== 'array' || v.items.some((i) => i.type !== 'string')) return null;
  return v.items.map((i) => (i as { value: string }).value);
}

/** A word quoted for sh, so a made-up script of ProgramArguments reads back as the same words. */
function shQuote(word: string): string {
  return /^[A-Za-z0-9_/.,:=@%+{}-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

export function readLaunchd(text: string, file: string, ctx: ImportContext): ImportResult {
  const result = emptyImport('launchd', file);
  let top: PlistValue;
  try {
    top = parsePlist(text);
  } catch (err) {
    const line = err instanceof PlistError ? err.line : null;
    result.report.push({
      kind: 'dropped',
      profile: null,
      message: `The launchd job cannot be read: ${(err as Error).message}.`,
      at: { file, line },
    });
    return result;
  }
  if (top.type !== 'dict') {
    result.report.push({
      kind: 'dropped',
      profile: null,
      message: 'The property list holds no launchd job (no dictionary at the top).',
      at: { file, line: top.line },
    });
    return result;
  }
  const at = (key: string): SourceRef => ({ file, line: top.keyLines.get(key) ?? null });
  const items: Item[] = [];

  // What it runs.
  const env: Record<string, { value: string; at: SourceRef }> = {};
  const envDict = top.entries.get('EnvironmentVariables');
  if (envDict?.type === 'dict') {
    for (const [name, v] of envDict.entries) {
      if (v.type === 'string') env[name] = { value: v.value, at: { file, line: envDict.keyLines.get(name) ?? null } };
    }
  }
  const workingDirectory = top.entries.get('WorkingDirectory');
  const cwd = workingDirectory?.type === 'string' ? workingDirectory.value : '/';
  const programArgs = stringsOf(top.entries.get('ProgramArguments'));
  const program = top.entries.get('Program');
  const argv = programArgs ?? (program?.type === 'string' ? [program.value] : null);
  const argvAt = at(programArgs ? 'ProgramArguments' : 'Program');
  let imported: ImportResult | null = null;
  if (!argv?.length) {
    items.push({
      kind: 'dropped',
      message: 'The job names no program to run (Program or ProgramArguments).',
      at: { file, line: top.line },
    });
  } else {
    const exe = program?.type === 'string' ? program.value : argv[0]!;
    const base = path.posix.basename(exe);
    const rest = argv.slice(1);
    const dashC = rest.findIndex((a) => /^-[a-z]*c[a-z]*$/.test(a));
    if (SHELLS.has(base) && dashC !== -1) {
      const body = rest[dashC + 1] ?? '';
      imported = readShellScript(body, file, ctx, { env, cwd, lineOf: () => argvAt.line ?? 0 });
    } else if (isBorgProgram(exe)) {
      imported = readShellScript([exe, ...rest].map(shQuote).join(' '), file, ctx, { env, cwd, lineOf: () => argvAt.line ?? 0 });
    } else {
      const script = SHELLS.has(base) ? rest.find((a) => !a.startsWith('-')) : exe;
      const full = script === undefined ? null : path.posix.resolve(cwd, script);
      const content = full === null ? null : ctx.readFile(full);
      if (content === null) {
        items.push({
          kind: 'todo',
          message: `The script the job runs (${script ?? argv.join(' ')}) could not be read here: import it too, or make the profile by hand.`,
          at: argvAt,
        });
      } else {
        imported = readShellScript(content, full!, ctx, { env, cwd });
        items.push({ kind: 'carried', message: `The job runs ${full!}, imported with it.`, at: argvAt });
      }
    }
  }

  // When it runs.
  const timing: Timing = {};
  const calendar = top.entries.get('StartCalendarInterval');
  const interval = top.entries.get('StartInterval');
  if (calendar) {
    const c = calendarCron(calendar, at('StartCalendarInterval'));
    items.push(...c.items);
    if (c.cron) timing.schedule = c.cron;
    if (interval)
      items.push({
        kind: 'dropped',
        message: 'StartInterval is left out: the profile follows StartCalendarInterval.',
        at: at('StartInterval'),
      });
  } else if (interval?.type === 'integer' && interval.value > 0) {
    const t = intervalTiming(interval.value, at('StartInterval'));
    items.push(...t.items);
    Object.assign(timing, t.timing);
  } else if (interval)
    items.push({ kind: 'dropped', message: 'StartInterval is not a number of seconds; left out.', at: at('StartInterval') });

  const watched = stringsOf(top.entries.get('WatchPaths')) ?? [];
  // A profile's disk is the one its repository is on (its scheduled backups wait for it): a job on a
  // schedule that also ran when another disk appeared keeps the schedule, without that disk.
  const elsewhere = (volume: string) =>
    timing.schedule != null && !!imported?.profiles.length && imported.profiles.every((x) => volumeOf(x.repository) !== volume);
  for (const p of watched) {
    const volume = volumeOf(p);
    if (volume && timing.volume == null && elsewhere(volume)) {
      items.push({
        kind: 'dropped',
        message: `WatchPaths ${p} is left out: the repository is not on the disk "${volume}", and a profile's disk in Dandelion is the one its repository is on (scheduled backups would wait for it). The schedule carries on.`,
        at: at('WatchPaths'),
      });
    } else if (volume && timing.volume == null) {
      timing.volume = volume;
      items.push({ kind: 'carried', message: `Backs up when the disk "${volume}" appears (WatchPaths ${p}).`, at: at('WatchPaths') });
    } else if (volume) {
      items.push({
        kind: 'dropped',
        message: `WatchPaths ${p} is left out: a profile follows one disk ("${timing.volume!}").`,
        at: at('WatchPaths'),
      });
    } else {
      items.push({
        kind: 'dropped',
        message: `WatchPaths ${p} is left out: Dandelion starts a backup when a disk appears, not when a file changes.`,
        at: at('WatchPaths'),
      });
    }
  }
  const startOnMount = top.entries.get('StartOnMount');
  if (startOnMount?.type === 'boolean' && startOnMount.value && timing.volume == null) {
    const repoVolume = imported?.profiles.map((p) => volumeOf(p.repository)).find((v) => v !== null) ?? null;
    if (repoVolume) {
      timing.volume = repoVolume;
      items.push({
        kind: 'carried',
        message: `StartOnMount: backs up when the disk "${repoVolume}", where the repository is, appears.`,
        at: at('StartOnMount'),
      });
    } else
      items.push({
        kind: 'dropped',
        message: 'StartOnMount is left out: the repository is on no disk under /Volumes.',
        at: at('StartOnMount'),
      });
  }
  const runAtLoad = top.entries.get('RunAtLoad');
  if (runAtLoad?.type === 'boolean' && runAtLoad.value) {
    items.push({
      kind: 'note',
      message: 'RunAtLoad: the job also ran at login; Dandelion runs a backup that is due when it starts.',
      at: at('RunAtLoad'),
    });
  }
  if (timing.schedule == null && timing.volume == null) {
    items.push({
      kind: 'note',
      message: 'The job has no schedule Dandelion can follow; the profile runs when you ask it to.',
      at: { file, line: top.line },
    });
  }
  for (const key of ['StandardOutPath', 'StandardErrorPath']) {
    if (top.entries.has(key))
      items.push({ kind: 'note', message: `${key} is left out: Dandelion keeps a log of every run itself.`, at: at(key) });
  }
  const disabled = top.entries.get('Disabled');
  if (disabled?.type === 'boolean' && disabled.value) {
    items.push({
      kind: 'note',
      message: 'The job is marked Disabled, so it may not have been running; its schedule is carried over anyway.',
      at: at('Disabled'),
    });
  }
  for (const key of top.entries.keys()) {
    const known = [
      'StartCalendarInterval',
      'StartInterval',
      'WatchPaths',
      'StartOnMount',
      'RunAtLoad',
      'StandardOutPath',
      'StandardErrorPath',
      'Disabled',
    ];
    if (QUIET_KEYS.has(key) || known.includes(key)) continue;
    items.push({ kind: 'dropped', message: `${key} is not carried over: Dandelion has no such setting.`, at: at(key) });
  }

  // The old job.
  const label = top.entries.get('Label');
  if (label?.type === 'string' && label.value) {
    const domain = file.includes('/LaunchDaemons/') ? 'system' : `gui/${ctx.uid}`;
    const howToStop = `launchctl bootout ${domain} ${label.value}`;
    result.oldJobs.push({ kind: 'launchd', name: label.value, at: at('Label'), howToStop });
    items.push({
      kind: 'todo',
      message: `Once Dandelion runs these backups, stop the launchd job ${label.value} so they do not run twice: ${howToStop}, then move ${path.posix.basename(file)} out of the ${domain === 'system' ? 'LaunchDaemons' : 'LaunchAgents'} folder so it does not load again${domain === 'system' ? '' : ' at login'}.`,
      at: at('Label'),
    });
  }

  if (imported) {
    result.files.push(...imported.files.filter((f) => f !== file));
    result.secrets.push(...imported.secrets);
    result.oldJobs.push(...imported.oldJobs);
    for (const p of imported.profiles) {
      if (timing.schedule != null) p.schedule = timing.schedule;
      if (timing.volume != null) p.volume = timing.volume;
      if (timing.minIntervalHours !== undefined) p.minIntervalHours = timing.minIntervalHours;
    }
    result.profiles.push(...imported.profiles);
  }
  const ids = result.profiles.map((p) => p.id);
  // What the job says applies to every profile it runs; one profile makes the report name it.
  const profile = ids.length === 1 ? ids[0]! : null;
  result.report.push(...items.map((i) => ({ ...i, profile })), ...(imported?.report ?? []));
  if (imported && !imported.profiles.length && (timing.schedule != null || timing.volume != null)) {
    result.report.push({
      kind: 'dropped',
      profile: null,
      message: "The job's schedule is not carried over: what it runs makes no backup Dandelion can import.",
      at: { file, line: top.line },
    });
  }
  return result;
}
