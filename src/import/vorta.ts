/**
 * A Vorta profile export (the JSON that Vorta's "Export profile…" writes: the profile's own columns,
 * its repository under `repo`, `SourceFileModel`, and `password` when exported with it) read into
 * Dandelion profiles, with a report of what could not come along. Pure: nothing is run, nothing
 * written; Vorta's placeholders that borg does not know are filled in here.
 */
import { archiveGlob } from '../borg/argv.js';
import { parseLocation } from '../borg/location.js';
import { ENCRYPTION_MODES, type EncryptionMode } from '../profiles/schema.js';
import { locate, parseJson } from '../profiles/json-text.js';
import type { ImportContext } from './context.js';
import { emptyImport, readSafely, type ImportedProfile, type ImportResult } from './model.js';
import { count, maskCommand, Report, repositoryId, slugId, uniqueId, vetExcludes, type FoundPattern } from './profile-bits.js';

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function text(v: unknown): string | null {
  return typeof v === 'string' && v.trim() ? v.trim() : null;
}
function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** Vorta's own slug of a profile name (Django's slugify), used for `{profile_slug}`. */
export function vortaSlug(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\w\s-]/g, '')
    .trim()
    .toLowerCase()
    .replace(/[-\s]+/g, '-');
}

export interface VortaScheduleFields {
  schedule_mode?: unknown;
  schedule_interval_unit?: unknown;
  schedule_interval_count?: unknown;
  schedule_fixed_hour?: unknown;
  schedule_fixed_minute?: unknown;
}

export interface ScheduleChoice {
  /** Cron expression, or null for "only by hand". */
  schedule: string | null;
  /** What Vorta did, in words. */
  was: string;
  /** Set when the cron expression is not exactly Vorta's rhythm: what differs. */
  differs: string | null;
}

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * Vorta's schedule as cron. Vorta counts an interval from the end of the last backup; cron counts
 * from the clock, so an interval that does not divide the hour or the day becomes the nearest one
 * that does (never a longer gap than Vorta's) and says so.
 */
export function vortaSchedule(f: VortaScheduleFields): ScheduleChoice {
  const mode = text(f.schedule_mode) ?? 'off';
  if (mode === 'off' || mode === 'manual') return { schedule: null, was: 'manual backups only', differs: null };
  if (mode === 'fixed') {
    const h = num(f.schedule_fixed_hour) ?? 3;
    const m = num(f.schedule_fixed_minute) ?? 42;
    if (!(h >= 0 && h <= 23 && m >= 0 && m <= 59))
      return { schedule: '0 3 * * *', was: 'a daily time that is not a time of day', differs: 'daily at 03:00 instead' };
    return { schedule: `${m} ${h} * * *`, was: `daily at ${pad(h)}:${pad(m)}`, differs: null };
  }
  if (mode !== 'interval') return { schedule: '0 3 * * *', was: `schedule mode "${mode}"`, differs: 'daily at 03:00 instead' };
  const unit = (text(f.schedule_interval_unit) ?? 'hours').replace(/s$/, '');
  let n = Math.round(num(f.schedule_interval_count) ?? 3);
  if (n < 1) n = 1;
  const was = `every ${count(n, unit)}`;
  if (unit === 'minute') {
    if (n >= 60)
      return {
        ...vortaSchedule({ schedule_mode: 'interval', schedule_interval_unit: 'hours', schedule_interval_count: Math.floor(n / 60) }),
        was,
      };
    const d = [30, 20, 15, 12, 10, 6, 5, 4, 3, 2, 1].find((x) => x <= n)!;
    return { schedule: `*/${d} * * * *`, was, differs: d === n ? null : `every ${count(d, 'minute')} (cron divides the hour evenly)` };
  }
  if (unit === 'hour') {
    if (n === 1) return { schedule: '0 * * * *', was, differs: null };
    if (n >= 24)
      return {
        ...vortaSchedule({ schedule_mode: 'interval', schedule_interval_unit: 'days', schedule_interval_count: Math.floor(n / 24) }),
        was,
      };
    const d = [12, 8, 6, 4, 3, 2, 1].find((x) => x <= n)!;
    return {
      schedule: d === 1 ? '0 * * * *' : `0 */${d} * * *`,
      was,
      differs: d === n ? null : `every ${count(d, 'hour')} (cron divides the day evenly)`,
    };
  }
  if (unit === 'day') {
    if (n === 1) return { schedule: '0 0 * * *', was, differs: null };
    if (n >= 7 && n % 7 === 0)
      return { ...vortaSchedule({ schedule_mode: 'interval', schedule_interval_unit: 'weeks', schedule_interval_count: n / 7 }), was };
    return {
      schedule: `0 0 */${n} * *`,
      was,
      differs: `every ${n} days counted from the 1st of each month, at midnight (a shorter gap where a month ends)`,
    };
  }
  if (unit === 'week') {
    return { schedule: '0 0 * * 1', was, differs: n === 1 ? null : 'weekly on Monday at midnight (more often than before)' };
  }
  return { schedule: '0 3 * * *', was: `every ${n} ${unit}`, differs: 'daily at 03:00 instead' };
}

/** Vorta's names for things borg knows under another name, and its own placeholders made literal. */
function borgName(tpl: string, profile: { id: string; slug: string }): string {
  return tpl
    .replace(/\{profile_slug\}/g, profile.slug)
    .replace(/\{profile_id\}/g, profile.id)
    .replace(/\{utc_now(:[^}]*)?\}/g, (_m, spec: string | undefined) => `{utcnow${spec ?? ''}}`);
}

interface RepoFound {
  url: string;
  encryption: string | null;
  password: string | null;
  passwordPath: string | null;
  path: string;
  extraArgs: string | null;
  createCmd: string | null;
}

export function readVorta(source: string, file: string, ctx: ImportContext): ImportResult {
  return readSafely('vorta', file, () => readExport(source, file, ctx));
}

function readExport(source: string, file: string, ctx: ImportContext): ImportResult {
  const result = emptyImport('vorta', file);
  const report = new Report(file);
  result.report = report.items;
  const parsed = parseJson(source);
  if (!parsed.ok) {
    report.dropped(
      null,
      `This file could not be read as a Vorta export (${parsed.error.reason}); nothing was imported from it.`,
      parsed.error.line,
    );
    return result;
  }
  const root = parsed.value;
  if (!isObj(root)) {
    report.dropped(null, 'This file is not a Vorta profile export (no profile object in it); nothing was imported.', 1);
    return result;
  }
  const lineOf = (path: string): number | null => locate(parsed.positions, source, path)?.line ?? null;

  const name = text(root.name) ?? 'Vorta';
  const vortaId = String(num(root.id) ?? 1);
  const slug = vortaSlug(name);

  // --- Repositories: `repo` (Vorta 0.8–0.10), or a list under BackupProfileMixin (newer). ---
  const repos: RepoFound[] = [];
  const fromRepo = (repo: Obj, path: string, password: unknown, passwordPath: string) => {
    const url = text(repo.url);
    if (!url) return;
    const pw = typeof password === 'string' && password !== '' ? password : null;
    repos.push({
      url,
      encryption: text(repo.encryption),
      password: pw,
      passwordPath: pw ? passwordPath : null,
      path,
      extraArgs: text(repo.extra_borg_arguments),
      createCmd: text(repo.create_backup_cmd),
    });
  };
  if (isObj(root.repo)) fromRepo(root.repo, 'repo', root.password, 'password');
  else if (text(root.repo_url)) fromRepo({ url: root.repo_url, encryption: root.encryption }, 'repo_url', root.password, 'password');
  if (Array.isArray(root.BackupProfileMixin)) {
    root.BackupProfileMixin.forEach((m, i) => {
      if (isObj(m) && isObj(m.repo))
        fromRepo(m.repo, `BackupProfileMixin[${i}].repo`, m.repo.password, `BackupProfileMixin[${i}].repo.password`);
    });
  }
  if (!repos.length) {
    report.dropped(null, `Vorta profile "${name}" has no repository; nothing was imported from it.`, lineOf('repo'));
    return result;
  }
  const taken = new Set<string>();
  const base = slugId(name) || 'vorta';
  const ids = repos.map((r) => uniqueId(repos.length === 1 ? base : `${base}-${repositoryId(r.url)}`, taken));
  const shared = ids.length === 1 ? ids[0]! : null;

  // --- Sources. ---
  const sources: string[] = [];
  const files = Array.isArray(root.SourceFileModel) ? root.SourceFileModel : [];
  files.forEach((f, i) => {
    const dir = isObj(f) ? text(f.dir) : null;
    if (!dir) return;
    if (!(dir.startsWith('/') || dir === '~' || dir.startsWith('~/'))) {
      report.dropped(shared, `Source "${dir}" is not a full path; add it again in Preferences.`, lineOf(`SourceFileModel[${i}].dir`));
      return;
    }
    if (!sources.includes(dir)) sources.push(dir);
  });
  if (!sources.length) {
    report.dropped(
      null,
      `Vorta profile "${name}" backs up no folder (its source list is empty); nothing was imported.`,
      lineOf('SourceFileModel'),
    );
    return result;
  }
  report.carried(shared, `Sources: ${sources.join(', ')}.`, lineOf('SourceFileModel'));

  // --- Excludes: one pattern a line, "#" starts a comment (borg reads them from a file). ---
  const patterns: FoundPattern[] = [];
  const excludeText = typeof root.exclude_patterns === 'string' ? root.exclude_patterns : '';
  for (const raw of excludeText.split('\n')) {
    const t = raw.trim();
    if (t && !t.startsWith('#')) patterns.push({ pattern: t, line: lineOf('exclude_patterns') });
  }
  const vetted = vetExcludes(patterns, sources, ctx.home);
  for (const r of vetted.refused) report.dropped(shared, `Exclude "${r.pattern}" was left out: ${r.why}.`, r.line);
  if (vetted.kept.length)
    report.carried(shared, `${count(vetted.kept.length, 'exclude pattern')} carried over.`, lineOf('exclude_patterns'));
  let excludeCaches = false;
  const presentText = typeof root.exclude_if_present === 'string' ? root.exclude_if_present : '';
  for (const raw of presentText.split('\n')) {
    const t = raw.trim().replace(/^\[[ x]\]\s*/, '');
    if (!t || raw.trim().startsWith('[ ]')) continue;
    if (t === 'CACHEDIR.TAG') {
      excludeCaches = true;
      report.carried(
        shared,
        'Exclude if present CACHEDIR.TAG → "exclude caches", which skips the same folders.',
        lineOf('exclude_if_present'),
      );
    } else
      report.dropped(
        shared,
        `Exclude if present "${t}" was left out: Dandelion cannot skip folders by a marker file, so folders holding ${t} are backed up now; exclude them by path instead.`,
        lineOf('exclude_if_present'),
      );
  }

  // --- Compression. ---
  let compression = text(root.compression) ?? 'lz4';
  if (!/^(none|lz4|zstd|zlib|lzma|auto|obfuscate)(,[a-z0-9]+)*$/.test(compression)) {
    report.dropped(shared, `Compression "${compression}" is not one borg knows; lz4 is used.`, lineOf('compression'));
    compression = 'lz4';
  } else report.carried(shared, `Compression ${compression}.`, lineOf('compression'));

  // --- Archive name and prune's filter. ---
  const names = { id: vortaId, slug };
  const tpl = text(root.new_archive_name) ?? '{hostname}-{now:%Y-%m-%d-%H%M%S}';
  let archiveName = borgName(tpl, names);
  if (archiveName.includes('/') || archiveName.includes('::')) {
    report.dropped(
      shared,
      `Archive name "${tpl}" holds "/" or "::", which borg does not allow; "{hostname}-{now}" is used instead.`,
      lineOf('new_archive_name'),
    );
    archiveName = '{hostname}-{now}';
  }
  if (!/\{(now|utcnow|uuid4)(:[^}]*)?\}/.test(archiveName)) {
    report.note(
      shared,
      `The archive name "${archiveName}" does not change from one run to the next; "-{now}" was added so the second backup does not fail.`,
      lineOf('new_archive_name'),
    );
    archiveName = `${archiveName}-{now}`;
  }
  const glob = archiveGlob(archiveName);
  report.carried(
    shared,
    archiveName === tpl
      ? `Archive name "${archiveName}" kept: prune goes on acting on the archives Vorta made ("${glob}").`
      : `Archive name "${tpl}" → "${archiveName}" (Vorta's own placeholders filled in as Vorta did): prune goes on acting on the archives Vorta made ("${glob}").`,
    lineOf('new_archive_name'),
  );
  if (/\{hostname\}/.test(archiveName) && ctx.hostname.includes('.'))
    report.note(
      shared,
      `borg writes {hostname} as "${ctx.hostname.split('.')[0]!}". Older Vorta versions wrote the full name "${ctx.hostname}": if your Vorta archives start with that, prune leaves them alone (they stay).`,
      lineOf('new_archive_name'),
    );
  const prefixTpl = text(root.prune_prefix);
  if (prefixTpl !== null) {
    const prefix = borgName(prefixTpl, names);
    if (`${prefix}*` !== glob)
      report.note(
        shared,
        `Vorta pruned the archives starting with "${prefix}"; Dandelion prunes those matching "${glob}" (the archive name with its time as *). The archives this profile made match both; others starting with "${prefix}" are no longer pruned (they stay).`,
        lineOf('prune_prefix'),
      );
  }

  // --- Prune. ---
  let prune: ImportedProfile['prune'] = null;
  if (root.prune_on === true) {
    const rules: Record<string, number | string> = {};
    const keep: [string, string][] = [
      ['prune_hour', 'keepHourly'],
      ['prune_day', 'keepDaily'],
      ['prune_week', 'keepWeekly'],
      ['prune_month', 'keepMonthly'],
      ['prune_year', 'keepYearly'],
    ];
    for (const [key, field] of keep) {
      const n = num(root[key]);
      if (n !== null && Number.isInteger(n) && n > 0) rules[field] = n;
    }
    const within = text(root.prune_keep_within);
    if (within && /^\d+[HdwmyS]$/.test(within)) rules.keepWithin = within;
    else if (within)
      report.dropped(shared, `Keep within "${within}" is not a span borg reads (like 10H, 7d); left out.`, lineOf('prune_keep_within'));
    if (Object.keys(rules).length) {
      prune = rules as NonNullable<ImportedProfile['prune']>;
      const words = Object.entries(rules).map(([k, v]) =>
        k === 'keepWithin' ? `all within ${String(v)}` : `${String(v)} ${k.slice(4).toLowerCase()}`,
      );
      report.carried(shared, `Prune keeps ${words.join(', ')}.`, lineOf('prune_on'));
    } else report.note(shared, 'Vorta pruned with no rule that keeps anything; Dandelion will not prune.', lineOf('prune_on'));
  } else report.carried(shared, 'Vorta did not prune this profile; Dandelion will not either (every archive stays).', lineOf('prune_on'));

  // --- Schedule. ---
  const sched = vortaSchedule(root);
  if (sched.schedule === null)
    report.carried(shared, 'Vorta backed this profile up by hand only; so will Dandelion (no schedule).', lineOf('schedule_mode'));
  else if (sched.differs)
    report.note(shared, `Vorta backed up ${sched.was}; Dandelion backs up ${sched.differs}.`, lineOf('schedule_mode'));
  else report.carried(shared, `Schedule: ${sched.was} (${sched.schedule}).`, lineOf('schedule_mode'));
  if (sched.schedule !== null && root.schedule_make_up_missed === false)
    report.note(
      shared,
      'Vorta did not catch up missed backups for this profile; Dandelion does, once, after sleep or power-off.',
      lineOf('schedule_make_up_missed'),
    );

  // --- Checks. ---
  let everyDays = 0;
  if (root.validation_on === true) {
    const weeks = num(root.validation_weeks) ?? 3;
    everyDays = Math.max(1, Math.round(weeks * 7));
    report.carried(
      shared,
      `Checks every ${count(everyDays, 'day')} (Vorta: every ${weeks === 1 ? 'week' : `${weeks} weeks`}).`,
      lineOf('validation_on'),
    );
  } else if (root.validation_on === false)
    report.carried(shared, 'Vorta did not check this repository on its own; neither will Dandelion.', lineOf('validation_on'));

  // --- What Dandelion does not do. ---
  for (const key of ['pre_backup_cmd', 'post_backup_cmd']) {
    const cmd = text(root[key]);
    if (cmd)
      report.dropped(
        shared,
        `${key === 'pre_backup_cmd' ? 'Pre-backup' : 'Post-backup'} command "${maskCommand(cmd)}" was left out: Dandelion does not run commands around a backup.`,
        lineOf(key),
      );
  }
  if (root.dont_run_on_metered_networks === true)
    report.dropped(
      shared,
      'Vorta skipped backups on metered networks; Dandelion has no such rule and backs up on any network.',
      lineOf('dont_run_on_metered_networks'),
    );
  const wifi = Array.isArray(root.WifiSettingModel) ? root.WifiSettingModel : [];
  wifi.forEach((w, i) => {
    if (isObj(w) && w.allowed === false && text(w.ssid))
      report.dropped(
        shared,
        `Vorta did not back up on the Wi-Fi network "${text(w.ssid)!}"; Dandelion has no per-network rule.`,
        lineOf(`WifiSettingModel[${i}]`),
      );
  });

  // --- One profile per repository. ---
  const sshKeyName = text(root.ssh_key);
  repos.forEach((repo, i) => {
    const id = ids[i]!;
    const loc = parseLocation(repo.url);
    if (loc.kind === 'local' && !(repo.url.startsWith('/') || repo.url.startsWith('~'))) {
      report.dropped(
        id,
        `Repository "${repo.url}" is not a full path; no profile was made for it.`,
        lineOf(`${repo.path}.url`) ?? lineOf(repo.path),
      );
      return;
    }
    report.carried(id, `Repository ${repo.url} → profile "${id}".`, lineOf(`${repo.path}.url`) ?? lineOf(repo.path));
    const profile: ImportedProfile = {
      id,
      name: repos.length === 1 ? name : `${name} (${loc.kind === 'ssh' ? loc.host : repo.url})`,
      repository: repo.url,
      sources: [...sources],
      excludes: vetted.kept.map((k) => k.pattern),
      archiveName,
      compression,
      oneFileSystem: false,
      excludeCaches,
      prune,
      schedule: sched.schedule,
      check: { everyDays, verifyData: false },
    };
    if (repo.encryption && (ENCRYPTION_MODES as readonly string[]).includes(repo.encryption))
      profile.encryption = repo.encryption as EncryptionMode;
    if (sshKeyName && loc.kind === 'ssh') {
      // Vorta stores the name of a key in ~/.ssh, not its path.
      const key = sshKeyName.startsWith('/') || sshKeyName.startsWith('~') ? sshKeyName : `~/.ssh/${sshKeyName}`;
      profile.sshKey = key;
      report.carried(id, `SSH key ${key}.`, lineOf('ssh_key'));
      const full = key.startsWith('~/') ? `${ctx.home.replace(/\/+$/, '')}/${key.slice(2)}` : key;
      if (!ctx.exists(full))
        report.note(id, `The SSH key ${key} is not on this machine; copy it here or choose another key in Preferences.`, lineOf('ssh_key'));
    }
    if (repo.extraArgs)
      report.dropped(
        id,
        `Extra borg arguments "${maskCommand(repo.extraArgs)}" were left out: Dandelion builds borg's arguments itself.`,
        lineOf(`${repo.path}.extra_borg_arguments`),
      );
    if (repo.createCmd)
      report.dropped(
        id,
        `The custom create command "${maskCommand(repo.createCmd)}" was left out: Dandelion runs borg create itself.`,
        lineOf(`${repo.path}.create_backup_cmd`),
      );
    result.profiles.push(profile);
    if (repo.password) {
      result.secrets.push({ profile: id, passphrase: repo.password, at: report.at(lineOf(repo.passwordPath!)) });
      report.todo(
        id,
        `${file} holds the repository passphrase in plain text (line ${lineOf(repo.passwordPath!) ?? '?'}): it goes to ${ctx.keychain}, not to Dandelion's settings. Delete the export file once the import is applied.`,
        lineOf(repo.passwordPath!),
      );
    } else if (repo.encryption !== 'none')
      report.todo(
        id,
        `The export holds no passphrase (Vorta keeps it in ${ctx.keychain}): enter it in Preferences (Passphrase) before the first backup.`,
        lineOf(repo.path),
      );
  });

  if (result.profiles.length && sched.schedule !== null) {
    result.oldJobs.push({
      kind: 'vorta',
      name: `Vorta profile "${name}"`,
      at: report.at(lineOf('schedule_mode')),
      howToStop: `in Vorta, open the profile "${name}", Schedule tab, and choose "Manual" (or quit Vorta and turn off its start at login)`,
    });
    report.todo(
      shared,
      `Vorta would go on backing up "${name}" ${sched.was}, a second time beside Dandelion: in Vorta, set this profile's schedule to Manual, or quit Vorta.`,
      lineOf('schedule_mode'),
    );
  }
  return result;
}
