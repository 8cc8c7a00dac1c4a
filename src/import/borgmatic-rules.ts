/**
 * How long a borgmatic setup keeps archives and how often it checks them: the archive name (which
 * also says what prune acts on), the keep_* rules, and the consistency checks.
 */
import { archiveGlob } from '../borg/argv.js';
import type { ImportedProfile } from './model.js';
import { list, str, type Reading } from './borgmatic-reading.js';
import { isPlainObject } from './borgmatic-yaml.js';

/** borgmatic's archive name when the file names none (borg 1). Kept, so prune finds the old archives. */
export const BORGMATIC_DEFAULT_ARCHIVE_NAME = '{hostname}-{now:%Y-%m-%dT%H:%M:%S.%f}';

const BORG_PLACEHOLDERS = new Set([
  'hostname',
  'fqdn',
  'reverse-fqdn',
  'now',
  'utcnow',
  'user',
  'pid',
  'uuid4',
  'borgversion',
  'borgmajor',
  'borgminor',
  'borgpatch',
]);
const PER_RUN = /\{(now|utcnow|uuid4)(:[^}]*)?\}/;

type Prune = Exclude<ImportedProfile['prune'], undefined>;

const KEEP: [string, keyof NonNullable<Prune>][] = [
  ['keep_minutely', 'keepMinutely'],
  ['keep_hourly', 'keepHourly'],
  ['keep_daily', 'keepDaily'],
  ['keep_weekly', 'keepWeekly'],
  ['keep_monthly', 'keepMonthly'],
  ['keep_yearly', 'keepYearly'],
];

function days(frequency: unknown): number | 'always' | null {
  if (frequency === undefined || frequency === null) return 'always';
  const f = String(frequency).trim().toLowerCase();
  if (f === 'always') return 'always';
  const m = /^(\d+)\s*([a-z]+?)s?$/.exec(f);
  if (!m) return null;
  const n = Number(m[1]);
  const per: Record<string, number> = { second: 1 / 86400, minute: 1 / 1440, hour: 1 / 24, day: 1, week: 7, month: 30, year: 365 };
  const unit = per[m[2]!];
  return unit === undefined ? null : n * unit;
}

export interface Rules {
  archiveName: string;
  prune: Prune;
  everyDays: number;
  verifyData: boolean;
  /** `check_repositories`: the repositories (paths or labels) borgmatic checked, or null for all. */
  checkOnly: { names: string[]; line: number | null } | null;
}

export function readRules(rd: Reading): Rules {
  const { opt, opts, lineOf, report, shared } = rd;
  // --- Archive names and which archives prune acts on. ---
  const nameOpt = opt('archive_name_format');
  let archiveName = str(nameOpt?.value) ?? BORGMATIC_DEFAULT_ARCHIVE_NAME;
  if (!nameOpt)
    report.note(
      shared,
      `No archive_name_format: borgmatic's default "${BORGMATIC_DEFAULT_ARCHIVE_NAME}" is kept, so the new archives are named like the old ones.`,
    );
  for (const m of archiveName.matchAll(/\{([^}:]+)(:[^}]*)?\}/g)) {
    if (!BORG_PLACEHOLDERS.has(m[1]!))
      report.todo(
        shared,
        `The archive name uses {${m[1]!}}, which borg does not know: borg would refuse to make the archive. Change the archive name in Preferences.`,
        nameOpt?.line ?? null,
      );
  }
  if (archiveName.includes('/') || archiveName.includes('::')) {
    report.dropped(
      shared,
      `Archive name "${archiveName}" holds "/" or "::", which borg does not allow in a name; borgmatic's default is used instead.`,
      nameOpt?.line ?? null,
    );
    archiveName = BORGMATIC_DEFAULT_ARCHIVE_NAME;
  }
  if (!PER_RUN.test(archiveName)) {
    report.note(
      shared,
      `The archive name "${archiveName}" does not change from one run to the next; "-{now}" was added so the second backup does not fail.`,
      nameOpt?.line ?? null,
    );
    archiveName = `${archiveName}-{now}`;
  }
  const glob = archiveGlob(archiveName);
  const match = opt('match_archives');
  const prefix = opt('prefix');
  const oldFilter = str(match?.value);
  const oldPrefix = str(prefix?.value);
  if (oldFilter !== null && oldFilter !== glob && oldFilter !== `sh:${glob}`) {
    report.note(
      shared,
      `borgmatic's match_archives "${oldFilter}" chose which archives prune and check act on; Dandelion derives that from the archive name: "${glob}". Archives that match only the old filter are no longer pruned (they stay).`,
      match!.line,
    );
  } else if (oldFilter === null && oldPrefix !== null && `${oldPrefix}*` !== glob) {
    report.note(
      shared,
      `borgmatic pruned the archives starting with "${oldPrefix}"; Dandelion prunes those matching "${glob}" (the archive name with its time as *). The archives this file made match both; others that start with "${oldPrefix}" are no longer pruned (they stay).`,
      prefix!.line,
    );
  }
  report.carried(
    shared,
    `Archive name "${archiveName}" kept: prune goes on acting on the archives borgmatic made ("${glob}"), by the same rules.`,
    nameOpt?.line ?? null,
  );

  // --- Retention. ---
  const prune: NonNullable<Prune> = {};
  const keepWithin = opt('keep_within');
  if (keepWithin) {
    const v = str(keepWithin.value);
    if (v && /^\d+[HdwmyS]$/.test(v)) prune.keepWithin = v;
    else
      report.dropped(
        shared,
        `keep_within "${v ?? ''}" is not a span Dandelion reads (like 24H, 7d, 4w, 6m, 1y); left out.`,
        keepWithin.line,
      );
  }
  for (const [key, field] of KEEP) {
    const o = opt(key);
    if (!o) continue;
    const n = typeof o.value === 'number' ? o.value : Number(str(o.value));
    if (Number.isInteger(n) && n >= 0) (prune as Record<string, number>)[field] = n;
    else report.dropped(shared, `${key} "${String(o.value)}" is not a whole number; left out.`, o.line);
  }
  const skip = list(opt('skip_actions')?.value).map(String);
  const keeps = Object.values(prune).some((v) => v !== undefined && v !== 0);
  let pruneRules: Prune = keeps ? prune : null;
  if (skip.includes('prune')) {
    pruneRules = null;
    report.note(shared, 'borgmatic skipped prune (skip_actions); Dandelion will not prune either.', opts.get('skip_actions')!.line);
  } else if (keeps) {
    const words = Object.entries(prune)
      .filter(([, v]) => v !== undefined && v !== 0)
      .map(([k, v]) => (k === 'keepWithin' ? `all within ${String(v)}` : `${String(v)} ${k.slice(4).toLowerCase()}`));
    report.carried(shared, `Prune keeps ${words.join(', ')}.`, opts.get('keep_daily')?.line ?? keepWithin?.line ?? null);
  } else report.note(shared, 'No retention rules: Dandelion will not prune (borgmatic could not either).');

  // --- Consistency checks. ---
  const checksOpt = opt('checks');
  let everyDays = 30;
  let verifyData = false;
  if (!checksOpt) {
    report.note(shared, "No checks listed: borgmatic's default (repository and archives, monthly) becomes a check every 30 days.");
  } else {
    const checks = list(checksOpt.value).map((c, i) => ({
      name: isPlainObject(c) ? str(c.name) : str(c),
      frequency: isPlainObject(c) ? c.frequency : undefined,
      line: lineOf(`${checksOpt.path}[${i}]`),
    }));
    if (checks.some((c) => c.name === 'disabled') || !checks.length) {
      everyDays = 0;
      report.carried(shared, 'Checks disabled, as in borgmatic (you can still run one by hand).', checksOpt.line);
    } else {
      let min: number | null = null;
      let always = false;
      for (const c of checks) {
        if (!c.name || !['repository', 'archives', 'data', 'extract', 'spot'].includes(c.name)) {
          report.dropped(shared, `Check "${c.name ?? '?'}" is not one Dandelion knows; left out.`, c.line);
          continue;
        }
        if (c.name === 'data') verifyData = true;
        if (c.name === 'extract' || c.name === 'spot')
          report.note(
            shared,
            `borgmatic's "${c.name}" check: Dandelion's restore drill, which runs with each check, extracts and compares files from the latest archive instead.`,
            c.line,
          );
        const d = days(c.frequency);
        if (d === null) {
          report.dropped(shared, `Check frequency "${String(c.frequency)}" was not understood; left out.`, c.line);
          continue;
        }
        if (d === 'always') always = true;
        else min = min === null ? d : Math.min(min, d);
      }
      if (always) {
        everyDays = 1;
        report.note(shared, 'borgmatic checked on every run; Dandelion checks at most once a day.', checksOpt.line);
      } else if (min !== null) {
        everyDays = Math.max(1, Math.ceil(min));
        report.carried(
          shared,
          `Checks ${everyDays === 1 ? 'every day' : `every ${everyDays} days`}${verifyData ? ', reading all data' : ''}.`,
          checksOpt.line,
        );
      }
      if (verifyData && always) report.carried(shared, 'The data check: every check reads and verifies all data.', checksOpt.line);
    }
  }
  if (skip.includes('check') && everyDays > 0) {
    everyDays = 0;
    report.note(
      shared,
      'borgmatic skipped checks (skip_actions); Dandelion will not check on its own either.',
      opts.get('skip_actions')!.line,
    );
  }
  const checkRepos = opt('check_repositories');
  const checkOnly = checkRepos ? list(checkRepos.value).map(String) : null;

  return {
    archiveName,
    prune: pruneRules,
    everyDays,
    verifyData,
    checkOnly: checkOnly ? { names: checkOnly, line: checkRepos!.line } : null,
  };
}
