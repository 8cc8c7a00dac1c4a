/**
 * The preferences window's working copy of config.json. Each profile is a ProfileDraft (the
 * fields as the controls hold them); `buildConfig` turns the drafts back into the JSON that
 * `configSave` validates. Fields the window does not edit (passcommand, borgPath of a profile,
 * oneFileSystem, anything newer) are carried over from the file untouched, and a value the user
 * did not change is written back exactly as it was read.
 */
import type { EncryptionMode, PruneRules } from './types.js';
import { defaultExcludes } from './excludes.js';
import { KEEP_PRESETS, keepFromPrune, pruneFromKeep, type KeepDraft } from './keep.js';
import { buildSshUrl, parseRepository, sshErrors, type SshParts } from './location.js';
import { cronFromSchedule, scheduleFromCron, type ScheduleDraft } from './schedule.js';
import { freeId, slugId } from '../../src/profile-ids.js';

type Json = Record<string, unknown>;

export const DEFAULT_ARCHIVE_NAME = '{hostname}-daily-{now}';
export const DEFAULT_PRUNE: PruneRules = { keepDaily: 7, keepWeekly: 4, keepMonthly: 6 };

export interface ProfileDraft {
  /** A key for the page only (never saved): stays the same while the id is edited. */
  uid: string;
  /** The profile is in the saved config.json: its id is fixed (history and logs are filed under it). */
  saved: boolean;
  /** The profile as read from the file, so fields the window does not edit survive. */
  base: Json;
  id: string;
  name: string;
  repoKind: 'local' | 'ssh';
  localPath: string;
  ssh: SshParts;
  sshKey: string;
  /** The repository string as read, written back unchanged while its parts are unchanged. */
  repositoryRead: string;
  /** The disk whose appearance starts a run, or null. */
  volume: string | null;
  /** null: not named (an existing repository whose mode the engine finds out). */
  encryption: EncryptionMode | null;
  sources: string[];
  excludes: string[];
  excludeCaches: boolean;
  archiveName: string;
  compression: string;
  keep: KeepDraft;
  schedule: ScheduleDraft;
  /** As read, written back unchanged while the schedule draft still says the same. */
  scheduleRead: string | null;
  minIntervalHours: string;
  overdueAfterHours: string;
  skipOnBattery: boolean;
  /** check.everyDays as typed ("30"; "0" = never by itself). */
  checkEveryDays: string;
  checkVerifyData: boolean;
  /**
   * monitor.pingUrl / monitor.ntfyUrl as typed; a saved URL arrives as a token (`sealed:<host>:…`,
   * the main process keeps the URL: it carries the check's secret) and goes back as that token.
   */
  pingUrl: string;
  ntfyUrl: string;
}

/** A window-side problem (a port that is no port, a number that is none), in the engine's path form. */
export interface DraftError {
  path: string;
  message: string;
}

const str = (v: unknown, fallback = ''): string => (typeof v === 'string' ? v : fallback);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const numText = (v: unknown): string => (typeof v === 'number' && Number.isFinite(v) ? String(v) : typeof v === 'string' ? v : '');

let uidCounter = 0;
export function newUid(): string {
  uidCounter += 1;
  return `p${uidCounter}`;
}

function isPrune(v: unknown): v is PruneRules {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The draft of one profile as config.json holds it (best effort for a file that is not valid). */
export function draftFromJson(raw: unknown, saved = true): ProfileDraft {
  const base: Json = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? { ...(raw as Json) } : {};
  const repository = str(base.repository);
  const parts = parseRepository(repository);
  const schedule = typeof base.schedule === 'string' ? base.schedule : null;
  const prune = 'prune' in base ? (base.prune === null ? null : isPrune(base.prune) ? base.prune : DEFAULT_PRUNE) : DEFAULT_PRUNE;
  return {
    uid: newUid(),
    saved,
    base,
    id: str(base.id),
    name: str(base.name),
    repoKind: parts.kind,
    localPath: parts.kind === 'local' ? parts.path : '',
    ssh: parts.kind === 'ssh' ? { user: parts.user, host: parts.host, port: parts.port, path: parts.path } : emptySsh(),
    sshKey: str(base.sshKey),
    repositoryRead: repository,
    volume: typeof base.volume === 'string' ? base.volume : null,
    encryption: typeof base.encryption === 'string' ? (base.encryption as EncryptionMode) : null,
    sources: strings(base.sources),
    excludes: strings(base.excludes),
    excludeCaches: typeof base.excludeCaches === 'boolean' ? base.excludeCaches : true,
    archiveName: str(base.archiveName, DEFAULT_ARCHIVE_NAME),
    compression: str(base.compression, 'lz4'),
    keep: keepFromPrune(prune),
    schedule: scheduleFromCron(schedule),
    scheduleRead: schedule,
    minIntervalHours: 'minIntervalHours' in base ? numText(base.minIntervalHours) : '0',
    overdueAfterHours: numText(base.overdueAfterHours),
    skipOnBattery: base.skipOnBattery === true,
    ...checkFromJson(base.check),
    ...monitorFromJson(base.monitor),
  };
}

function monitorFromJson(v: unknown): Pick<ProfileDraft, 'pingUrl' | 'ntfyUrl'> {
  const m = (typeof v === 'object' && v !== null && !Array.isArray(v) ? v : {}) as Json;
  return { pingUrl: str(m.pingUrl), ntfyUrl: str(m.ntfyUrl) };
}

function checkFromJson(v: unknown): Pick<ProfileDraft, 'checkEveryDays' | 'checkVerifyData'> {
  const c = (typeof v === 'object' && v !== null && !Array.isArray(v) ? v : {}) as Json;
  return { checkEveryDays: 'everyDays' in c ? numText(c.everyDays) : '30', checkVerifyData: c.verifyData === true };
}

export function emptySsh(): SshParts {
  return { user: '', host: '', port: '', path: '' };
}

/** The repository string the draft stands for. */
export function repositoryOf(d: ProfileDraft): string {
  if (d.repoKind === 'local') return d.localPath.trim();
  const read = parseRepository(d.repositoryRead);
  if (read.kind === 'ssh' && read.user === d.ssh.user && read.host === d.ssh.host && read.port === d.ssh.port && read.path === d.ssh.path)
    return d.repositoryRead;
  return buildSshUrl(d.ssh);
}

/** The cron line for the draft's schedule (the one read, while the draft says the same). */
export function scheduleOf(d: ProfileDraft): string | null {
  const now = cronFromSchedule(d.schedule);
  return now === cronFromSchedule(scheduleFromCron(d.scheduleRead)) ? d.scheduleRead : now;
}

function hours(text: string, path: string, errors: DraftError[], opts: { positive: boolean }): number | null {
  const t = text.trim();
  if (t === '') return null;
  const n = Number(t);
  if (!/^\d+(\.\d+)?$/.test(t) || !Number.isFinite(n) || (opts.positive && n <= 0)) {
    errors.push({ path, message: opts.positive ? 'must be a number of hours above 0' : 'must be a number of hours (0 or more)' });
    return null;
  }
  return n;
}

/** Sets `key` unless the value is the default and the file did not name it: a file stays as short as it was. */
function put(out: Json, base: Json, key: string, value: unknown, fallback: unknown): void {
  if (JSON.stringify(value) === JSON.stringify(fallback) && !(key in base)) delete out[key];
  else out[key] = value;
}

/** One profile as config.json holds it, and what the window itself can tell is wrong (paths `profiles[i].…`). */
export function profileJson(d: ProfileDraft, index: number): { json: Json; errors: DraftError[] } {
  const at = (f: string) => `profiles[${index}].${f}`;
  const errors: DraftError[] = [];
  const out: Json = { ...d.base };
  out.id = d.id;
  // A name of spaces, or a name the file had that was emptied, goes to the engine, which refuses it:
  // dropping it would quietly show the id instead.
  if (d.name.trim()) out.name = d.name.trim();
  else if (d.name || 'name' in d.base) out.name = d.name;
  else delete out.name;
  if (d.repoKind === 'ssh') for (const e of sshErrors(d.ssh)) errors.push({ path: at(`repository.${e.field}`), message: e.message });
  out.repository = repositoryOf(d);
  if (d.sshKey.trim()) out.sshKey = d.sshKey.trim();
  else if ('sshKey' in d.base) out.sshKey = null;
  if (d.encryption) out.encryption = d.encryption;
  else if ('encryption' in d.base) out.encryption = null;
  out.sources = d.sources;
  put(out, d.base, 'excludes', d.excludes, []);
  put(out, d.base, 'excludeCaches', d.excludeCaches, true);
  put(out, d.base, 'archiveName', d.archiveName, DEFAULT_ARCHIVE_NAME);
  put(out, d.base, 'compression', d.compression, 'lz4');
  const keep = pruneFromKeep(d.keep);
  errors.push(...keep.errors.map((e) => ({ path: at(e.field), message: e.message })));
  put(out, d.base, 'prune', keep.prune, DEFAULT_PRUNE);
  const schedule = scheduleOf(d);
  if (schedule !== null) out.schedule = schedule;
  else if ('schedule' in d.base) out.schedule = null;
  if (d.volume) out.volume = d.volume;
  else if ('volume' in d.base) out.volume = null;
  const min = hours(d.minIntervalHours, at('minIntervalHours'), errors, { positive: false });
  put(out, d.base, 'minIntervalHours', min ?? 0, 0);
  const overdue = hours(d.overdueAfterHours, at('overdueAfterHours'), errors, { positive: true });
  if (overdue !== null) out.overdueAfterHours = overdue;
  else if ('overdueAfterHours' in d.base) out.overdueAfterHours = null;
  put(out, d.base, 'skipOnBattery', d.skipOnBattery, false);
  const everyText = d.checkEveryDays.trim();
  const every = everyText === '' ? 30 : Number(everyText);
  if (everyText !== '' && (!/^\d+(\.\d+)?$/.test(everyText) || !Number.isFinite(every)))
    errors.push({ path: at('check.everyDays'), message: 'must be a number of days (0 = never)' });
  // Kept as the file had it (other fields too), set only where the window says otherwise.
  const baseCheck = (typeof d.base.check === 'object' && d.base.check !== null ? d.base.check : {}) as Json;
  const check: Json = { ...baseCheck };
  // Text that is no number stays in the draft's config as typed, so the window sees an unsaved change (never saved: it is an error).
  put(check, baseCheck, 'everyDays', Number.isFinite(every) ? every : everyText, 30);
  put(check, baseCheck, 'verifyData', d.checkVerifyData, false);
  if (Object.keys(check).length || 'check' in d.base) out.check = check;
  else delete out.check;
  // Monitoring: absent while never set; { pingUrl, ntfyUrl } (null = none) once set or in the file.
  const baseMonitor = (typeof d.base.monitor === 'object' && d.base.monitor !== null ? d.base.monitor : {}) as Json;
  const pingUrl = d.pingUrl.trim() || null;
  const ntfyUrl = d.ntfyUrl.trim() || null;
  if (pingUrl || ntfyUrl || 'monitor' in d.base) out.monitor = { ...baseMonitor, pingUrl, ntfyUrl };
  else delete out.monitor;
  return { json: out, errors };
}

/** App-wide settings the General section edits. */
export interface GeneralDraft {
  notifications: { success: boolean; warnings: boolean; overdue: boolean };
  borgPath: string;
}

export function generalFromJson(raw: unknown): GeneralDraft {
  const c = (typeof raw === 'object' && raw !== null ? raw : {}) as Json;
  const app = (typeof c.app === 'object' && c.app !== null ? c.app : {}) as Json;
  const n = app.notifications;
  // The words files written before notifications were switches hold.
  const legacy: Record<string, GeneralDraft['notifications']> = {
    all: { success: true, warnings: true, overdue: true },
    failures: { success: false, warnings: true, overdue: true },
    none: { success: false, warnings: false, overdue: false },
  };
  const obj = (typeof n === 'object' && n !== null ? n : {}) as Json;
  const notifications =
    typeof n === 'string' && legacy[n]
      ? legacy[n]
      : { success: obj.success === true, warnings: obj.warnings !== false, overdue: obj.overdue !== false };
  return { notifications, borgPath: str(c.borgPath) };
}

/**
 * The whole config.json to save: the file as read (version, volumesRoot, app settings the window
 * does not show) with the profiles and the General settings put in.
 */
export function buildConfig(base: unknown, drafts: readonly ProfileDraft[], general: GeneralDraft): { config: Json; errors: DraftError[] } {
  const out: Json = typeof base === 'object' && base !== null && !Array.isArray(base) ? { ...(base as Json) } : {};
  const errors: DraftError[] = [];
  out.profiles = drafts.map((d, i) => {
    const r = profileJson(d, i);
    errors.push(...r.errors);
    return r.json;
  });
  const app = (typeof out.app === 'object' && out.app !== null && !Array.isArray(out.app) ? { ...(out.app as Json) } : {}) as Json;
  const readGeneral = generalFromJson(base);
  if (JSON.stringify(readGeneral.notifications) !== JSON.stringify(general.notifications) || typeof app.notifications === 'object')
    app.notifications = general.notifications;
  if (Object.keys(app).length > 0 || 'app' in out) out.app = app;
  if (general.borgPath.trim()) out.borgPath = general.borgPath.trim();
  else if ('borgPath' in out) out.borgPath = null;
  return { config: out, errors };
}

// ---- new profiles and copies -----------------------------------------------------------------

/** An id from a name: lower-case letters, digits and dashes ("Backup disk" → "backup-disk"). */
export const slugify = (name: string): string => slugId(name, 'backup');

/** `base`, or `base-2`, `base-3`… whichever is free. */
export const uniqueId = freeId;

/** "Backup disk copy", then "Backup disk copy 2"… */
export function copyName(name: string, taken: ReadonlySet<string>): string {
  const stem = name.replace(/ copy( \d+)?$/, '');
  if (!taken.has(`${stem} copy`)) return `${stem} copy`;
  for (let n = 2; ; n++) if (!taken.has(`${stem} copy ${n}`)) return `${stem} copy ${n}`;
}

/**
 * The archive names of a profile: its id after the host name and an "_" (which no id holds) before
 * the time, so profiles on one repository never match (and prune) each other's archives, even when
 * one id starts with another ("disk" and "disk-2"): `{hostname}-backup-disk_{now}`.
 */
export function archiveNameFor(id: string): string {
  return `{hostname}-${id}_{now}`;
}

/** A new profile's draft: nothing chosen yet but sensible defaults (hourly, Time-Machine-like keeping). */
export function newDraft(taken: ReadonlySet<string>, name = 'Backup'): ProfileDraft {
  const id = uniqueId(slugify(name), taken);
  const d = draftFromJson({ id }, false);
  d.base = {};
  d.name = name;
  d.encryption = 'repokey-blake2';
  d.archiveName = archiveNameFor(id);
  d.schedule = scheduleFromCron('0 * * * *');
  d.scheduleRead = null;
  d.keep = keepFromPrune(KEEP_PRESETS['time-machine']);
  d.excludes = defaultExcludes();
  d.minIntervalHours = '0';
  return d;
}

/**
 * A copy of a profile: same repository and settings, a new name and id, and archive names of its
 * own so the two never prune each other's archives. Not saved until the user saves.
 */
export function duplicateDraft(d: ProfileDraft, all: readonly ProfileDraft[]): ProfileDraft {
  const names = new Set(all.map((x) => x.name || x.id));
  const name = copyName(d.name || d.id, names);
  const id = uniqueId(slugify(name), new Set(all.map((x) => x.id)));
  return {
    ...structuredClone(d),
    uid: newUid(),
    saved: false,
    base: { ...structuredClone(d.base), id },
    id,
    name,
    archiveName: archiveNameFor(id),
  };
}

const VALID_ID = /^[a-z0-9][a-z0-9-]*$/;

/** While a profile is new, its id follows its name (and its archive names follow its id). */
export function renameDraft(d: ProfileDraft, name: string, others: readonly ProfileDraft[]): ProfileDraft {
  // A saved id stays (history and logs are filed under it), unless it is not a valid id at all.
  if (d.saved && VALID_ID.test(d.id)) return { ...d, name };
  const id = uniqueId(slugify(name), new Set(others.filter((o) => o.uid !== d.uid).map((o) => o.id)));
  const followsId = d.archiveName === archiveNameFor(d.id);
  return { ...d, name, id, archiveName: followsId ? archiveNameFor(id) : d.archiveName };
}
