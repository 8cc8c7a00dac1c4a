/**
 * When the menu-bar app speaks up, and what it says. Pure: the glue hands in each event with the
 * memory of what was already said and keeps the memory it gets back (plain JSON, kept on disk so a
 * relaunch does not say again what was said).
 *
 * - One run, one notification: a run is told once, whichever way it was seen (this process's
 *   run-finished, or the last record of a snapshot for a run another process made); the memory
 *   keeps, per profile, the start of the newest run considered, and anything not newer is no news.
 * - A trouble speaks once: a failure (or a backup that saved almost nothing) speaks when it starts
 *   and when its cause changes (another diagnosis kind). The same trouble again is silent until it
 *   is fixed, or until a day has passed since it was last told ("still failing since …"). A run the
 *   user asked for (manual) always answers.
 * - A fix speaks once: the first run that saves the sources after a trouble says "Backups to …
 *   work again", whatever the success switch.
 * - Warnings and successes follow the user's switches; skipped and cancelled runs never speak (the
 *   user cancelled, or a trigger chose not to run). An interrupted run (its process was killed)
 *   speaks once, and not at all while a new run of the profile is already under way.
 * - Overdue speaks at most once a day per profile, and not while a trouble already told explains it;
 *   waiting for a disk once per wait.
 * - The words name menu items, never commands (app-words.ts); times are local ("today at 21:52").
 */
import type { EngineSnapshot } from '../engine/status.js';
import { isSuccessful, type RunRecord } from '../records.js';
import type { Diagnosis, ErrorKind } from '../diagnosis.js';
import type { AppSettings } from '../profiles/schema.js';
import { formatBytes, localWhen, timeAgo } from '../format.js';
import { count, overdueWords } from './wording.js';
import { appSentence, DEFAULT_MENU_WORDS, type AppMenuWords } from './app-words.js';
import { sshTarget } from '../borg/location.js';

/** Failures always notify; these switch the rest. */
export interface NotificationPrefs {
  success: boolean;
  warnings: boolean;
  overdue: boolean;
}

export interface AppNotification {
  profile: string;
  kind: 'failure' | 'warning' | 'success' | 'fixed' | 'interrupted' | 'overdue' | 'waiting' | 'damage';
  title: string;
  body: string;
}

/** A trouble already told: a kind of failure (or a hollow backup), since when, and when it was last said. */
export interface Trouble {
  kind: ErrorKind;
  /** When the first run of this trouble started (ISO). */
  since: string;
  /** When it was last told (ISO). */
  toldAt: string;
}

/** What was already said about one profile. */
export interface ProfileMemory {
  /** The trouble already told about; cleared by a run that saved the sources. */
  trouble?: Trouble;
  /**
   * The runs already considered, by their start (ISO; a profile never starts two runs at once), oldest
   * first, the last few only: a run is told once. A run older than all of them is old news.
   */
  runs?: string[];
  /** When overdue was last told (ISO). */
  overdueAt?: string;
  /** The current wait for the disk was told. */
  waiting?: true;
  /** The check or drill that found damage and was told (its end, ISO): told once, like a failure. */
  damageAt?: string;
}

export interface NotifyMemory {
  profiles: Record<string, ProfileMemory>;
}

export const EMPTY_MEMORY: NotifyMemory = Object.freeze({ profiles: Object.freeze({}) as Record<string, ProfileMemory> });

export interface RunFinishedEvent {
  type: 'run-finished';
  record: RunRecord;
  profileName: string;
  /** Where the profile backs up to, in a person's words ("backup-disk", "u123.your-storagebox.de"). */
  destination: string;
  /** A run of this profile is under way now (here or in another process). */
  runningNow: boolean;
  now: Date;
  /** The zone times are said in; the machine's own when absent. */
  timeZone?: string;
  /** The OS's locale for dates and times (app.getSystemLocale()), as the menu has it; the process's own when absent. */
  locale?: string;
}

export type NotifyEvent = RunFinishedEvent | { type: 'snapshot'; snapshot: EngineSnapshot; now: Date };

export interface NotifyOptions {
  menu?: AppMenuWords;
}

const DAY_MS = 24 * 3_600_000;

/** Where a profile backs up to, as a person names it: the server, the backup disk, or the folder. */
export function destinationOf(repository: string, volume: string | null): string {
  const ssh = repository ? sshTarget(repository) : null;
  if (ssh) return ssh.host;
  return volume ?? (repository || 'the repository');
}

export function prefsFromSettings(settings: AppSettings): NotificationPrefs {
  const { success, warnings, overdue } = settings.notifications;
  return { success, warnings, overdue };
}

/** A memory without empty entries, so that "nothing said" has one spelling. */
function withProfile(memory: NotifyMemory, id: string, entry: ProfileMemory): NotifyMemory {
  const profiles = { ...memory.profiles };
  const clean = Object.fromEntries(Object.entries(entry).filter(([, v]) => v !== undefined)) as ProfileMemory;
  if (Object.keys(clean).length) profiles[id] = clean;
  else delete profiles[id];
  return { profiles };
}

function sentence(d: Diagnosis | undefined, fallback: string | null, menu: AppMenuWords): string {
  return d ? appSentence(d, menu) : (fallback ?? 'The backup did not finish.');
}

function successBody(r: RunRecord): string {
  if (!r.stats) return 'Backed up.';
  const { nfiles, originalSize, deduplicatedSize } = r.stats;
  return `Backed up ${count(nfiles, 'file')}, ${formatBytes(originalSize)} (${formatBytes(deduplicatedSize)} new).`;
}

/** The diagnosis that makes a run a trouble: a failure, or a backup that saved (almost) nothing. */
function troubleOf(r: RunRecord): Pick<Diagnosis, 'kind' | 'message' | 'fix'> | null {
  if (r.result === 'error') return r.diagnoses[0] ?? { kind: 'unknown', message: '', fix: '' };
  if (r.result === 'warning' && !isSuccessful(r)) return r.diagnoses.find((d) => d.kind === 'hollow-backup') ?? null;
  return null;
}

const RUNS_KEPT = 8;

/**
 * Whether this run is news: a run is told once, keyed by its start. One queued behind another
 * process's run (it started earlier, finished later) is still news; one older than every run
 * remembered is not.
 */
export function isNewRun(memory: NotifyMemory, r: Pick<RunRecord, 'profile' | 'startedAt'>): boolean {
  const runs = memory.profiles[r.profile]?.runs ?? [];
  if (runs.includes(r.startedAt)) return false;
  const oldest = runs[0];
  return oldest === undefined || Date.parse(r.startedAt) > Date.parse(oldest);
}

/** The runs remembered once `startedAt` is considered too: sorted, the last few. */
export function withRun(runs: readonly string[] | undefined, startedAt: string): string[] {
  return [...new Set([...(runs ?? []), startedAt])].sort((a, b) => Date.parse(a) - Date.parse(b)).slice(-RUNS_KEPT);
}

function afterRun(
  memory: NotifyMemory,
  event: RunFinishedEvent,
  prefs: NotificationPrefs,
  menu: AppMenuWords,
): { notify: AppNotification[]; memory: NotifyMemory } {
  const { record: r, profileName: title, now } = event;
  const id = r.profile;
  if (!isNewRun(memory, r)) return { notify: [], memory };
  const before = memory.profiles[id] ?? {};
  const seen: ProfileMemory = { ...before, runs: withRun(before.runs, r.startedAt) };
  const say = (kind: AppNotification['kind'], body: string) => [{ profile: id, kind, title, body }];
  const when = (iso: string) => localWhen(new Date(iso), now, { timeZone: event.timeZone, locale: event.locale });

  const trouble = troubleOf(r);
  if (trouble) {
    const body = r.result === 'error' ? sentence(r.diagnoses[0], r.message, menu) : appSentence(trouble, menu);
    const kind = r.result === 'error' ? 'failure' : 'warning';
    const told = seen.trouble;
    const toldAgo = told ? now.getTime() - Date.parse(told.toldAt) : Infinity;
    const same = told?.kind === trouble.kind;
    const since = told?.since ?? r.startedAt;
    if (same && r.trigger !== 'manual' && toldAgo < DAY_MS) {
      // The same trouble again, told less than a day ago: silent.
      return { notify: [], memory: withProfile(memory, id, seen) };
    }
    const next = { ...seen, trouble: { kind: trouble.kind, since, toldAt: now.toISOString() } };
    const still =
      same && r.trigger !== 'manual'
        ? `Backups to ${event.destination} have ${r.result === 'error' ? 'been failing' : 'saved almost nothing'} since ${when(since)}. `
        : '';
    return { notify: say(kind, `${still}${body}`), memory: withProfile(memory, id, next) };
  }

  if (isSuccessful(r)) {
    const fixed = seen.trouble !== undefined;
    const cleared = withProfile(memory, id, { ...seen, trouble: undefined });
    const warned = r.result === 'warning';
    const detail = warned
      ? prefs.warnings
        ? `Backed up, with warnings: ${sentence(r.diagnoses[0], r.message ?? 'see the log.', menu)}`
        : null
      : prefs.success
        ? successBody(r)
        : null;
    if (fixed) return { notify: say('fixed', `Backups to ${event.destination} work again.${detail ? ` ${detail}` : ''}`), memory: cleared };
    return { notify: detail ? say(warned ? 'warning' : 'success', detail) : [], memory: cleared };
  }

  if (r.result === 'interrupted') {
    // A run already under way says how it ends; "back up now" would only send the user after it.
    if (event.runningNow) return { notify: [], memory: withProfile(memory, id, seen) };
    const body = `The backup to ${event.destination} that started ${when(r.startedAt)} did not finish: Dandelion was stopped outright (killed, or the computer lost power) while it ran. Nothing needs repairing; choose Back Up Now to save what it did not.`;
    return { notify: say('interrupted', body), memory: withProfile(memory, id, seen) };
  }

  // Skipped (a trigger chose not to run) and cancelled (the user did it) are no news.
  return { notify: [], memory: withProfile(memory, id, seen) };
}

function fromSnapshot(
  memory: NotifyMemory,
  event: Extract<NotifyEvent, { type: 'snapshot' }>,
  prefs: NotificationPrefs,
): { notify: AppNotification[]; memory: NotifyMemory } {
  const notify: AppNotification[] = [];
  // Profiles no longer in the config are forgotten, so memory stays as small as the config.
  let next: NotifyMemory = { profiles: {} };
  for (const p of event.snapshot.profiles) {
    const seen = { ...(memory.profiles[p.id] ?? {}) };
    const waiting = p.state === 'waiting-for-volume';
    const disk = p.triggers.volume ?? 'the backup disk';
    const running = p.run !== null || p.runningElsewhere !== null;
    // Not told within the last day; never told, or a date that does not parse (NaN), counts as not told.
    const toldToday = event.now.getTime() - Date.parse(seen.overdueAt ?? '') < DAY_MS;
    if (!waiting) delete seen.waiting;
    // A check or restore drill found damage: always told (as failures are), once per finding.
    const damage = p.verifyFailed;
    if (!damage) delete seen.damageAt;
    else if (seen.damageAt !== damage.at) {
      const said = damage.diagnosis?.message ?? `The last ${damage.kind === 'check' ? 'check' : 'restore drill'} found damage.`;
      notify.push({ profile: p.id, kind: 'damage', title: p.name, body: said });
      seen.damageAt = damage.at;
    }
    // A trouble already told is why it is overdue: saying "overdue" at every slot would repeat it.
    const explained = seen.trouble !== undefined;
    if (prefs.overdue && p.overdue && !running && !toldToday && !explained) {
      const last = p.lastSuccessAt ? `the last backup was ${timeAgo(new Date(p.lastSuccessAt), event.now)}` : 'it was never backed up';
      const hint = waiting ? ` Connect ${disk} to back up.` : p.waitingFor === 'power' ? ' It starts when the computer is plugged in.' : '';
      const body = `${overdueWords(waiting ? 'disk' : p.waitingFor, disk)}: ${last}.${hint}`;
      notify.push({ profile: p.id, kind: 'overdue', title: p.name, body });
      seen.overdueAt = event.now.toISOString();
      // The overdue notice already asked for the disk: the wait needs no second one.
      if (waiting) seen.waiting = true;
    } else if (waiting && !seen.waiting && prefs.warnings) {
      notify.push({
        profile: p.id,
        kind: 'waiting',
        title: p.name,
        body: `A backup is due: connect ${disk} and it starts by itself.`,
      });
      seen.waiting = true;
    }
    next = withProfile(next, p.id, seen);
  }
  return { notify, memory: next };
}

export function notificationsFor(
  previous: NotifyMemory,
  event: NotifyEvent,
  prefs: NotificationPrefs,
  opts: NotifyOptions = {},
): { notify: AppNotification[]; memory: NotifyMemory } {
  return event.type === 'run-finished'
    ? afterRun(previous, event, prefs, opts.menu ?? DEFAULT_MENU_WORDS)
    : fromSnapshot(previous, event, prefs);
}

/** A memory read back from disk: anything of the wrong shape is simply not known. */
export function memoryFromJson(json: unknown): NotifyMemory {
  const profiles: Record<string, ProfileMemory> = {};
  const raw = (json as { profiles?: unknown } | null)?.profiles;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { profiles };
  const str = (v: unknown) => (typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? v : undefined);
  for (const [id, e] of Object.entries(raw as Record<string, Record<string, unknown> | null>)) {
    if (typeof e !== 'object' || e === null) continue;
    const t = e.trouble as Record<string, unknown> | undefined;
    const trouble =
      t && typeof t.kind === 'string' && str(t.since) && str(t.toldAt)
        ? { kind: t.kind as ErrorKind, since: str(t.since)!, toldAt: str(t.toldAt)! }
        : undefined;
    const entry: ProfileMemory = {
      trouble,
      runs:
        Array.isArray(e.runs) && e.runs.every((x) => str(x) !== undefined) && e.runs.length
          ? (e.runs as string[]).slice(-RUNS_KEPT)
          : undefined,
      overdueAt: str(e.overdueAt),
      waiting: e.waiting === true ? true : undefined,
      damageAt: str(e.damageAt),
    };
    Object.assign(profiles, withProfile({ profiles: {} }, id, entry).profiles);
  }
  return { profiles };
}
