/**
 * A borgmatic configuration (YAML, the sectioned layout of 1.7 or the flat one of 1.8+) read into
 * Dandelion profiles: one per repository, with everything that could not be carried over in the
 * report, line by line, with why. Pure: the file is read, never run; other files it names (an
 * `exclude_from` list, a `patterns_from` file) come through `ctx.readFile`.
 */
import { splitCommand } from '../secrets/passcommand.js';
import { ENCRYPTION_MODES, type EncryptionMode } from '../profiles/schema.js';
import { archiveGlob } from '../borg/argv.js';
import { parseLocation } from '../borg/location.js';
import type { ImportContext } from './context.js';
import { emptyImport, type ImportedProfile, type ImportResult, type MonitorInput } from './model.js';
import { isPlainObject, readBorgmaticYaml, type Opt } from './borgmatic-yaml.js';
import {
  count,
  isHttpUrl,
  portOf,
  Report,
  repositoryId,
  slugId,
  uniqueId,
  urlHost,
  vetExcludes,
  withSshPort,
  type FoundPattern,
} from './profile-bits.js';

/** borgmatic's archive name when the file names none (borg 1). Kept, so prune finds the old archives. */
export const BORGMATIC_DEFAULT_ARCHIVE_NAME = '{hostname}-{now:%Y-%m-%dT%H:%M:%S.%f}';

/** borgmatic keeps no schedule in its configuration; this is the daily run of its sample cron file. */
export const BORGMATIC_IMPORT_SCHEDULE = '0 3 * * *';

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

const KEEP: [string, keyof NonNullable<Prune>][] = [
  ['keep_minutely', 'keepMinutely'],
  ['keep_hourly', 'keepHourly'],
  ['keep_daily', 'keepDaily'],
  ['keep_weekly', 'keepWeekly'],
  ['keep_monthly', 'keepMonthly'],
  ['keep_yearly', 'keepYearly'],
];
type Prune = Exclude<ImportedProfile['prune'], undefined>;

/** Options that only shape borgmatic's own output: nothing to carry, nothing lost. */
const COSMETIC = new Set([
  'verbosity',
  'syslog_verbosity',
  'log_file',
  'log_file_verbosity',
  'log_file_format',
  'log_json',
  'monitoring_verbosity',
  'color',
  'progress',
  'statistics',
  'list_details',
  'output',
]);

/** Why an option borgmatic has but Dandelion lacks is left out (others get a general sentence). */
const WHY: Record<string, string> = {
  remote_path:
    'Dandelion runs the server\'s borg under the name "borg"; if the server only has it under another name, backups there will fail',
  exclude_nodump: 'Dandelion has no "exclude nodump": files marked nodump are backed up now',
  keep_exclude_tags: 'Dandelion does not keep the tag files of excluded folders',
  keep_secondly: 'Dandelion has no secondly retention rule',
  keep_13weekly: 'Dandelion has no 13-weekly retention rule',
  keep_3monthly: 'Dandelion has no 3-monthly retention rule',
  check_last: 'Dandelion checks every archive, not only the last ones',
  upload_rate_limit: 'Dandelion has no upload rate limit: backups use the full bandwidth',
  remote_rate_limit: 'Dandelion has no upload rate limit: backups use the full bandwidth',
  lock_wait: 'Dandelion waits for a locked repository in its own way',
  checkpoint_interval: "Dandelion uses borg's default checkpoint interval",
  read_special: 'Dandelion does not read special files (devices) as data',
  borg_keys_directory:
    'Dandelion uses borg\'s default keys folder; for a "keyfile" repository, copy the key there (borg key import) or the repository will not open',
  source_directories_must_exist: 'Dandelion reports a missing folder in its run log instead',
  files_cache: "Dandelion uses borg's default files cache",
  chunker_params: "Dandelion uses borg's default chunker parameters (changing them would re-chunk everything)",
  umask: "Dandelion uses borg's default umask (files in the repository readable by you only)",
};

const HOOK_COMMAND = /^(before|after)_[a-z_]+$|^on_error$/;
const DATABASES = ['postgresql_databases', 'mysql_databases', 'mariadb_databases', 'mongodb_databases', 'sqlite_databases'];
const SNAPSHOTS = ['zfs', 'btrfs', 'lvm'];
const OTHER_MONITORS = [
  'cronitor',
  'cronhub',
  'pagerduty',
  'pushover',
  'apprise',
  'zabbix',
  'loki',
  'sentry',
  'uptime_kuma',
  'ntfy',
  'healthchecks',
];

function str(v: unknown): string | null {
  if (typeof v === 'string') return v.trim() || null;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return null;
}

function list(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (v === undefined || v === null) return [];
  return [v];
}

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

interface RepositoryEntry {
  path: string;
  label: string | null;
  encryption: string | null;
  line: number | null;
}

export function readBorgmatic(text: string, file: string, ctx: ImportContext): ImportResult {
  try {
    return readConfig(text, file, ctx);
  } catch (e) {
    // A reader answers with a report, whatever the file holds; a crash here would hide every other file's report.
    const result = emptyImport('borgmatic', file);
    result.report.push({
      kind: 'dropped',
      profile: null,
      message: `This file could not be read (${e instanceof Error ? e.message : String(e)}); nothing was imported from it.`,
      at: null,
    });
    return result;
  }
}

function readConfig(text: string, file: string, ctx: ImportContext): ImportResult {
  const result = emptyImport('borgmatic', file);
  const report = new Report(file);
  result.report = report.items;
  const parsed = readBorgmaticYaml(text);
  for (const e of parsed.errors)
    report.dropped(null, `This file could not be read as borgmatic YAML (${e.message}); nothing was imported from it.`, e.line);
  if (parsed.errors.length) return result;

  const opts = parsed.options;
  const used = new Set<string>();
  const opt = (name: string): Opt | undefined => {
    used.add(name);
    return opts.get(name);
  };
  const lineOf = (path: string): number | null => parsed.lines.get(path) ?? null;
  /** Paths whose value held a `${VAR}` without a default: their own report item says so. */
  const unresolved = new Set(parsed.env.filter((e) => e.fallback === null).map((e) => e.path));
  const isUnresolved = (path: string) => [...unresolved].some((p) => p === path || p.startsWith(`${path}.`) || p.startsWith(`${path}[`));

  for (const t of parsed.tags) {
    if (t.tag === '!include')
      report.todo(
        null,
        `borgmatic includes ${t.value || 'another file'} here; its options were not read: import that file too if it holds settings of this backup.`,
        t.line,
      );
    else report.note(null, `borgmatic's ${t.tag} tag is not needed by Dandelion and was ignored.`, t.line);
  }
  for (const e of parsed.env) {
    if (e.fallback !== null)
      report.note(
        null,
        `\${${e.variable}} comes from the environment of borgmatic's job, which an import cannot see; its default was used.`,
        e.line,
      );
  }
  for (const d of parsed.duplicates) {
    if (JSON.stringify(d.first.value) !== JSON.stringify(d.second.value))
      report.note(
        null,
        `"${d.name}" is set in two sections with different values; the one at line ${d.first.line ?? '?'} was used.`,
        d.second.line,
      );
  }

  // --- Repositories: one profile each. ---
  const repos: RepositoryEntry[] = [];
  const repoOpt = opt('repositories');
  list(repoOpt?.value).forEach((item, i) => {
    const p = `${repoOpt!.path}[${i}]`;
    const line = lineOf(p);
    const path = isPlainObject(item) ? str(item.path) : str(item);
    if (path === null) {
      if (isUnresolved(p))
        report.dropped(
          null,
          'This repository is named by an environment variable without a default, which an import cannot read; no profile was made for it.',
          line,
        );
      else report.dropped(null, 'A repository without a path was left out.', line);
      return;
    }
    const label = isPlainObject(item) ? str(item.label) : null;
    const encryption = isPlainObject(item) ? str(item.encryption) : null;
    repos.push({ path, label, encryption, line });
  });
  if (!repos.length) {
    if (!repoOpt) report.dropped(null, 'This borgmatic configuration names no repository; nothing was imported from it.', null);
    return result;
  }

  const taken = new Set<string>();
  const ids = repos.map((r) => uniqueId(slugId(r.label ?? '') || repositoryId(r.path), taken));
  const shared: string | null = ids.length === 1 ? ids[0]! : null;

  // --- Sources. ---
  const workdir = str(opt('working_directory')?.value);
  const sources: string[] = [];
  const sourceOpt = opt('source_directories');
  list(sourceOpt?.value).forEach((item, i) => {
    const p = `${sourceOpt!.path}[${i}]`;
    const s = str(item);
    if (s === null) {
      if (isUnresolved(p))
        report.dropped(shared, 'A source folder named by an environment variable without a default was left out.', lineOf(p));
      return;
    }
    if (/[*?[]/.test(s)) {
      report.dropped(
        shared,
        `Source "${s}" is a glob: borgmatic expands it, Dandelion backs up named folders. Add the folders it matches by hand.`,
        lineOf(p),
      );
      return;
    }
    let source = s;
    if (!(s === '~' || s.startsWith('~/') || s.startsWith('/'))) {
      if (workdir && workdir.startsWith('/')) source = `${workdir.replace(/\/+$/, '')}/${s}`;
      else {
        report.dropped(
          shared,
          `Source "${s}" is a relative path and this file sets no working_directory to say relative to what; add it as a full path.`,
          lineOf(p),
        );
        return;
      }
    }
    if (!sources.includes(source)) sources.push(source);
  });

  // --- Patterns (R roots become sources, - and ! become excludes). ---
  const excludes: FoundPattern[] = [];
  const readPatterns = (lines: { text: string; line: number | null; where: string }[]) => {
    let style = 'sh';
    for (const { text: raw, line, where } of lines) {
      const t = raw.trim();
      if (!t || t.startsWith('#')) continue;
      const rule = t[0]!;
      const rest = t.slice(1).trim();
      if (rule === 'R') {
        if (rest.startsWith('/') || rest.startsWith('~')) {
          if (!sources.includes(rest)) sources.push(rest);
          report.carried(shared, `Pattern root "${rest}" → source folder.`, line);
        } else report.dropped(shared, `Pattern root "${rest}"${where} is not a full path; add it as one.`, line);
      } else if (rule === 'P') {
        style = rest;
      } else if (rule === '-' || rule === '!') {
        const body = /^(fm|sh|re|pp|pf):/.test(rest) ? rest : `${style}:${rest}`;
        excludes.push({ pattern: body, line });
      } else if (rule === '+') {
        report.dropped(
          shared,
          `Include pattern "${rest}"${where} was left out: Dandelion has no include rules, only sources and excludes; what it re-included inside an excluded folder is no longer backed up.`,
          line,
        );
      } else report.dropped(shared, `Pattern line "${t}"${where} was not understood and was left out.`, line);
    }
  };
  const patternsOpt = opt('patterns');
  readPatterns(
    list(patternsOpt?.value).flatMap((v, i) =>
      typeof v === 'string' ? [{ text: v, line: lineOf(`${patternsOpt!.path}[${i}]`), where: '' }] : [],
    ),
  );
  const patternsFromOpt = opt('patterns_from');
  list(patternsFromOpt?.value).forEach((f, i) => {
    const name = str(f);
    const line = lineOf(`${patternsFromOpt!.path}[${i}]`);
    if (!name) return;
    const content = ctx.readFile(expandTilde(name, ctx.home));
    if (content === null) {
      report.todo(
        shared,
        `The patterns file ${name} could not be read here, so its rules were not imported; add its excludes by hand.`,
        line,
      );
      return;
    }
    readPatterns(content.split('\n').map((t) => ({ text: t, line, where: ` (in ${name})` })));
  });

  const excludeOpt = opt('exclude_patterns');
  list(excludeOpt?.value).forEach((v, i) => {
    const p = `${excludeOpt!.path}[${i}]`;
    const s = typeof v === 'string' ? v.trim() : null;
    if (s) excludes.push({ pattern: s, line: lineOf(p) });
    else if (isUnresolved(p))
      report.dropped(shared, 'An exclude pattern named by an environment variable without a default was left out.', lineOf(p));
  });
  const excludeFromOpt = opt('exclude_from');
  list(excludeFromOpt?.value).forEach((f, i) => {
    const name = str(f);
    const line = lineOf(`${excludeFromOpt!.path}[${i}]`);
    if (!name) return;
    const content = ctx.readFile(expandTilde(name, ctx.home));
    if (content === null) {
      report.todo(
        shared,
        `The exclude file ${name} could not be read here, so its patterns were not imported; add them by hand or backups will include what it left out.`,
        line,
      );
      return;
    }
    let n = 0;
    for (const raw of content.split('\n')) {
      const t = raw.trim();
      if (!t || t.startsWith('#')) continue;
      excludes.push({ pattern: t, line });
      n++;
    }
    report.carried(shared, `${count(n, 'exclude pattern')} read from ${name}.`, line);
  });

  if (!sources.length) {
    report.dropped(
      null,
      'This configuration backs up no folder Dandelion can name (no source_directories it could read); nothing was imported.',
      sourceOpt?.line ?? null,
    );
    return result;
  }
  report.carried(shared, `Sources: ${sources.join(', ')}.`, sourceOpt?.line ?? patternsOpt?.line ?? null);

  const vetted = vetExcludes(excludes, sources, ctx.home);
  for (const r of vetted.refused) report.dropped(shared, `Exclude "${r.pattern}" was left out: ${r.why}.`, r.line);
  if (vetted.kept.length)
    report.carried(
      shared,
      `${count(vetted.kept.length, 'exclude pattern')} carried over.`,
      excludeOpt?.line ?? excludeFromOpt?.line ?? patternsOpt?.line ?? null,
    );

  const ifPresent = opt('exclude_if_present');
  for (const [i, v] of list(ifPresent?.value).entries()) {
    const name = str(v);
    if (!name) continue;
    const line = lineOf(Array.isArray(ifPresent?.value) ? `${ifPresent!.path}[${i}]` : ifPresent!.path) ?? ifPresent?.line ?? null;
    if (name === 'CACHEDIR.TAG')
      report.carried(
        shared,
        'exclude_if_present CACHEDIR.TAG → "exclude caches", which skips the same folders (those with a valid CACHEDIR.TAG).',
        line,
      );
    else
      report.dropped(
        shared,
        `exclude_if_present "${name}" was left out: Dandelion cannot skip folders by a marker file, so folders holding ${name} are backed up now; exclude them by path instead.`,
        line,
      );
  }
  const cachedirTag = list(ifPresent?.value).some((v) => str(v) === 'CACHEDIR.TAG');

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

  // --- Compression, one file system, caches. ---
  const compressionOpt = opt('compression');
  let compression = str(compressionOpt?.value) ?? 'lz4';
  if (!/^(none|lz4|zstd|zlib|lzma|auto|obfuscate)(,[a-z0-9]+)*$/.test(compression)) {
    report.dropped(shared, `Compression "${compression}" is not one borg knows; lz4 is used.`, compressionOpt?.line ?? null);
    compression = 'lz4';
  } else if (compressionOpt) report.carried(shared, `Compression ${compression}.`, compressionOpt.line);
  const oneFileSystem = opt('one_file_system')?.value === true;
  if (oneFileSystem) report.carried(shared, 'Stays on one file system (one_file_system).', opts.get('one_file_system')!.line);
  const excludeCaches = opt('exclude_caches')?.value === true || cachedirTag;
  if (opts.get('exclude_caches')?.value === true)
    report.carried(shared, 'Skips cache folders (exclude_caches).', opts.get('exclude_caches')!.line);

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
  const encryptionOpt = opt('encryption');
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

  // --- Passphrase, passcommand. ---
  const passOpt = opt('encryption_passphrase');
  const passcommandOpt = opt('encryption_passcommand');
  let passphrase: string | null = null;
  let passcommand: string | null = null;
  if (passOpt) {
    const v = typeof passOpt.value === 'string' || typeof passOpt.value === 'number' ? String(passOpt.value) : null;
    const credential = v ? /^\{credential\s+(\S+)\s+(.+)\}$/.exec(v.trim()) : null;
    if (credential) {
      if (credential[1] === 'file') {
        passcommand = `cat ${quoteWord(credential[2]!.trim())}`;
        report.carried(shared, 'The passphrase file becomes the passcommand (it is read when borg needs it, never copied).', passOpt.line);
      } else
        report.todo(
          shared,
          `The passphrase comes from borgmatic's ${credential[1]} credential, which Dandelion cannot read: store it in Preferences (Passphrase) before the first backup.`,
          passOpt.line,
        );
    } else if (v === null || isUnresolved(passOpt.path)) {
      report.todo(
        shared,
        'The passphrase comes from an environment variable an import cannot read: store it in Preferences (Passphrase) before the first backup.',
        passOpt.line,
      );
    } else passphrase = v;
  }
  if (passcommandOpt) {
    const v = str(passcommandOpt.value);
    if (passphrase !== null || passcommand !== null)
      report.dropped(
        shared,
        'encryption_passcommand was left out: this file also gives the passphrase, which borgmatic used first.',
        passcommandOpt.line,
      );
    else if (v === null)
      report.todo(
        shared,
        'The passcommand uses an environment variable an import cannot read: set the passphrase in Preferences.',
        passcommandOpt.line,
      );
    else {
      passcommand = v;
      report.carried(shared, 'Passcommand kept: Dandelion runs it (without a shell) when borg needs the passphrase.', passcommandOpt.line);
    }
  }

  // --- ssh command: key and port. ---
  const sshOpt = opt('ssh_command');
  let sshKey: string | null = null;
  let sshPort: number | null = null;
  if (sshOpt) {
    const words = splitCommand(str(sshOpt.value) ?? '');
    if (!words.length || !/(^|\/)ssh$/.test(words[0]!)) {
      report.dropped(shared, `ssh_command "${words[0] ?? ''}" is not ssh; Dandelion runs ssh itself and left it out.`, sshOpt.line);
    } else {
      const left: string[] = [];
      for (let i = 1; i < words.length; i++) {
        const w = words[i]!;
        const value = (flag: string) => (w === flag ? words[++i] : w.slice(flag.length));
        if (w.startsWith('-i')) sshKey = value('-i') ?? null;
        else if (w.startsWith('-p')) sshPort = Number(value('-p'));
        else if (w.startsWith('-o')) {
          const o = value('-o') ?? '';
          const [k, ...rest] = o.split(/[=\s]+/);
          const val = rest.join(' ');
          if (/^identityfile$/i.test(k!)) sshKey = val;
          else if (/^port$/i.test(k!)) sshPort = Number(val);
          else if (/^identitiesonly$/i.test(k!)) continue;
          else left.push(`-o ${o}`);
        } else left.push(w);
      }
      if (sshKey) {
        report.carried(shared, `SSH key ${sshKey}.`, sshOpt.line);
        if (!ctx.exists(expandTilde(sshKey, ctx.home)))
          report.note(
            shared,
            `The SSH key ${sshKey} is not on this machine; copy it here or choose another key in Preferences.`,
            sshOpt.line,
          );
      }
      if (sshPort !== null && !(Number.isInteger(sshPort) && sshPort >= 1 && sshPort <= 65535)) {
        report.dropped(shared, 'The ssh port in ssh_command is not a port number; left out.', sshOpt.line);
        sshPort = null;
      }
      for (const w of left) {
        const why = /StrictHostKeyChecking/i.test(w)
          ? 'Dandelion checks host keys itself and asks before trusting a new one'
          : /UserKnownHostsFile|GlobalKnownHostsFile/i.test(w)
            ? 'Dandelion keeps its own known hosts'
            : 'Dandelion builds the ssh command itself (key and port only)';
        report.dropped(shared, `ssh option "${w}" was left out: ${why}.`, sshOpt.line);
      }
    }
  }

  // --- borg path. ---
  const localPathOpt = opt('local_path');
  let borgPath: string | null = null;
  if (localPathOpt) {
    const v = str(localPathOpt.value);
    if (v && v !== 'borg') {
      if (v.includes('/') && ctx.exists(expandTilde(v, ctx.home))) {
        borgPath = v;
        report.carried(shared, `borg at ${v}.`, localPathOpt.line);
      } else report.note(shared, `borg at "${v}" is not on this machine; the borg Dandelion finds is used.`, localPathOpt.line);
    }
  }

  // --- Monitoring. ---
  const monitor: Required<{ [K in keyof MonitorInput]: string | null }> = { pingUrl: null, ntfyUrl: null };
  const hc = opt('healthchecks');
  if (hc) {
    let url = isPlainObject(hc.value) ? str(hc.value.ping_url) : str(hc.value);
    // borgmatic also takes a check's UUID alone, meaning healthchecks.io.
    if (url && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(url)) url = `https://hc-ping.com/${url}`;
    if (url && isHttpUrl(url)) {
      monitor.pingUrl = url;
      report.carried(shared, `Healthchecks pings go to ${urlHost(url)} (start, success, failure).`, hc.line);
    } else if (isUnresolved(hc.path))
      report.todo(
        shared,
        'The healthchecks ping URL comes from an environment variable an import cannot read; set it in Preferences (Monitoring).',
        hc.line,
      );
    else report.dropped(shared, 'The healthchecks ping URL is not a web address; left out.', hc.line);
    if (isPlainObject(hc.value)) {
      for (const k of Object.keys(hc.value).filter((k) => !['ping_url', 'send_logs', 'ping_body_limit', 'verify_tls'].includes(k)))
        report.dropped(
          shared,
          `healthchecks "${k}" was left out: Dandelion pings start, success and failure, with the end of the log on failure.`,
          lineOf(`${hc.path}.${k}`),
        );
    }
  }
  const ntfy = opt('ntfy');
  if (ntfy) {
    const o = isPlainObject(ntfy.value) ? ntfy.value : {};
    const topic = str(o.topic);
    const server = (str(o.server) ?? 'https://ntfy.sh').replace(/\/+$/, '');
    if (topic && isHttpUrl(`${server}/${topic}`)) {
      monitor.ntfyUrl = `${server}/${encodeURIComponent(topic)}`;
      report.carried(shared, `ntfy messages on failure go to ${urlHost(server)}.`, ntfy.line);
    } else if (isUnresolved(ntfy.path))
      report.todo(
        shared,
        'The ntfy topic or server comes from an environment variable an import cannot read; set it in Preferences (Monitoring).',
        ntfy.line,
      );
    else report.dropped(shared, 'The ntfy hook names no topic; left out.', ntfy.line);
    for (const k of ['access_token', 'username', 'password'])
      if (k in o)
        report.todo(
          shared,
          `ntfy "${k}" was left out: Dandelion sends to the topic URL without logging in; allow it on the server, or the messages will be refused.`,
          lineOf(`${ntfy.path}.${k}`),
        );
  }
  for (const name of OTHER_MONITORS.filter((n) => n !== 'healthchecks' && n !== 'ntfy')) {
    const o = opt(name);
    if (!o) continue;
    const push = name === 'uptime_kuma' && isPlainObject(o.value) ? str(o.value.push_url) : null;
    if (push && isHttpUrl(push) && monitor.pingUrl === null) {
      monitor.pingUrl = push;
      report.carried(shared, `Uptime Kuma pushes go to ${urlHost(push)}.`, o.line);
    } else
      report.dropped(shared, `The ${name} hook was left out: Dandelion sends healthchecks-style pings and ntfy messages only.`, o.line);
  }

  // --- Hooks: commands and database dumps are not carried. ---
  for (const [name, o] of opts) {
    if (HOOK_COMMAND.test(name)) {
      used.add(name);
      list(o.value).forEach((cmd, i) => {
        const c = str(cmd);
        if (c)
          report.dropped(
            shared,
            `Hook ${name}: "${c}" was left out: Dandelion does not run commands around a backup.`,
            lineOf(`${o.path}[${i}]`) ?? o.line,
          );
      });
    } else if (name === 'commands') {
      used.add(name);
      list(o.value).forEach((entry, i) => {
        if (!isPlainObject(entry)) return;
        const when = str(entry.before)
          ? `before ${str(entry.before)!}`
          : str(entry.after)
            ? `after ${str(entry.after)!}`
            : 'around a backup';
        list(entry.run).forEach((cmd, j) => {
          const c = str(cmd);
          if (c)
            report.dropped(
              shared,
              `Command ${when}: "${c}" was left out: Dandelion does not run commands around a backup.`,
              lineOf(`${o.path}[${i}].run[${j}]`) ?? lineOf(`${o.path}[${i}]`),
            );
        });
      });
    } else if (DATABASES.includes(name)) {
      used.add(name);
      list(o.value).forEach((db, i) => {
        const dbName = isPlainObject(db) ? (str(db.name) ?? '?') : '?';
        report.todo(
          shared,
          `borgmatic dumped the ${name.replace('_databases', '')} database "${dbName}" into each backup; Dandelion does not, so its backups will not hold it. Dump it into a backed-up folder yourself.`,
          lineOf(`${o.path}[${i}]`) ?? o.line,
        );
      });
    } else if (SNAPSHOTS.includes(name)) {
      used.add(name);
      report.dropped(shared, `The ${name} snapshot hook was left out: Dandelion backs up the live files, not a snapshot.`, o.line);
    }
  }

  // --- Everything else the file sets. ---
  for (const [name, o] of opts) {
    if (used.has(name) || COSMETIC.has(name)) continue;
    const why = WHY[name] ?? 'Dandelion has no such setting';
    report.dropped(shared, `${name} was left out: ${why}.`, o.line);
  }

  // --- One profile per repository. ---
  repos.forEach((repo, i) => {
    const id = ids[i]!;
    let repository = repo.path;
    if (/^file:\/\//i.test(repository)) repository = repository.slice('file://'.length);
    const loc = parseLocation(repository);
    if (loc.kind === 'local' && !(repository.startsWith('/') || repository === '~' || repository.startsWith('~/'))) {
      if (/^[a-z0-9+]+:\/\//i.test(repository) || /^(rclone|s3|b2):/i.test(repository))
        report.dropped(
          id,
          `Repository ${repository} is of a kind Dandelion cannot reach (ssh and local repositories only); no profile was made for it.`,
          repo.line,
        );
      else
        report.dropped(id, `Repository "${repository}" is a relative path; give it as a full path. No profile was made for it.`, repo.line);
      return;
    }
    if (loc.kind === 'ssh' && sshPort !== null) {
      const own = portOf(repository);
      if (own !== null && own !== sshPort)
        report.note(
          id,
          `The repository names port ${own} and ssh_command port ${sshPort}; the repository's port is kept.`,
          sshOpt?.line ?? null,
        );
      else if (own === null) {
        repository = withSshPort(repository, sshPort);
        report.carried(
          id,
          `ssh port ${sshPort} from ssh_command is now part of the repository address: ${repository}.`,
          sshOpt?.line ?? null,
        );
      }
    }
    report.carried(id, `Repository ${repository}${repo.label ? ` (label "${repo.label}")` : ''} → profile "${id}".`, repo.line);
    if (repos.length > 1)
      report.note(
        id,
        `Profile "${id}" is one of ${repos.length} made from this file, one per repository, with the same folders and rules.`,
        repo.line,
      );

    let profileDays = everyDays;
    if (checkOnly && !checkOnly.includes(repo.path) && !(repo.label && checkOnly.includes(repo.label))) {
      profileDays = 0;
      report.note(
        id,
        'borgmatic did not check this repository (check_repositories); Dandelion will not check it on its own either.',
        checkRepos!.line,
      );
    }

    const profile: ImportedProfile = {
      id,
      name: repo.label ?? (loc.kind === 'ssh' ? loc.host : repository),
      repository,
      sources: [...sources],
      excludes: vetted.kept.map((k) => k.pattern),
      archiveName,
      compression,
      oneFileSystem,
      excludeCaches,
      prune: pruneRules,
      schedule: BORGMATIC_IMPORT_SCHEDULE,
      check: { everyDays: profileDays, verifyData },
    };
    if (sshKey && loc.kind === 'ssh') profile.sshKey = sshKey;
    if (passcommand) profile.passcommand = passcommand;
    if (borgPath) profile.borgPath = borgPath;
    const enc = repo.encryption ?? str(encryptionOpt?.value);
    if (enc && (ENCRYPTION_MODES as readonly string[]).includes(enc)) profile.encryption = enc as EncryptionMode;
    if (monitor.pingUrl !== null || monitor.ntfyUrl !== null) profile.monitor = { ...monitor };
    result.profiles.push(profile);
    if (passphrase !== null) result.secrets.push({ profile: id, passphrase, at: report.at(passOpt!.line) });
  });

  if (result.profiles.length > 1 && monitor.pingUrl !== null)
    report.todo(
      null,
      `borgmatic pinged ${urlHost(monitor.pingUrl)} once for all its repositories; now ${result.profiles.length} profiles ping the same check, so one profile's success can hide another's failure. Give each profile its own check in Preferences (Monitoring).`,
      hc?.line ?? null,
    );
  if (passphrase !== null && result.profiles.length)
    report.todo(
      shared,
      `The passphrase is written in plain text in ${file} at line ${passOpt!.line ?? '?'}: it goes to the Keychain, not to Dandelion's settings. Remove it from ${file} once the import is applied.`,
      passOpt!.line,
    );

  if (result.profiles.length) {
    report.note(
      shared,
      `borgmatic's schedule is not in this file (it lives in a systemd timer, a cron job or launchd): ${result.profiles.length === 1 ? 'the profile backs' : 'the profiles back'} up daily at 03:00. Change it in Preferences if yours ran at another time.`,
    );
    const howToStop =
      'systemctl --user disable --now borgmatic.timer (or sudo systemctl disable --now borgmatic.timer for the system timer); for cron, remove the borgmatic line with crontab -e; for launchd, launchctl bootout gui/' +
      `${ctx.uid} followed by the job's label`;
    result.oldJobs.push({ kind: 'borgmatic', name: `borgmatic (${file})`, at: report.at(null), howToStop });
    report.todo(
      shared,
      `borgmatic's own timer or cron job would back up a second time. Stop it once Dandelion's backups work: ${howToStop}.`,
    );
  }
  return result;
}

/** `~` and `~/x` with the importing user's home (the file is read on this machine). */
export function expandTilde(p: string, home: string): string {
  if (p === '~') return home;
  if (p.startsWith('~/')) return `${home.replace(/\/+$/, '')}/${p.slice(2)}`;
  return p;
}

/** One shell word, quoted only when it needs to be. */
function quoteWord(w: string): string {
  return /^[A-Za-z0-9_@%+=:,./~-]+$/.test(w) ? w : `'${w.replace(/'/g, "'\\''")}'`;
}
