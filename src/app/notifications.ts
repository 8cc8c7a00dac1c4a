/**
 * When the menu-bar app speaks up, and what it says. Pure: the glue hands in each event with the
 * memory of what was already said and keeps the memory it gets back (plain JSON, so it can be kept
 * on disk across restarts).
 *
 * - A failed run always notifies, once per trouble: while a profile keeps failing through automatic
 *   retries with the same kind of problem, only the first failure speaks. A successful run (warnings
 *   included) ends the trouble; a different kind of failure is news and speaks again. A failure
 *   nobody will retry (a manual run, a wrong passphrase) always speaks.
 * - A backup that saved (almost) nothing always notifies, not as "backed up".
 * - Warnings and successes follow the user's switches; skipped and cancelled runs never speak (the
 *   user cancelled, or a trigger chose not to run).
 * - Overdue speaks at most once a day per profile, waiting for a disk once per wait.
 */
import type { EngineSnapshot } from '../engine/status.js';
import type { RunRecord } from '../records.js';
import type { ErrorKind } from '../diagnosis.js';
import type { AppSettings } from '../profiles/schema.js';
import { formatBytes, timeAgo } from '../format.js';
import { count } from './wording.js';

/** Failures always notify; these switch the rest. */
export interface NotificationPrefs {
  success: boolean;
  warnings: boolean;
  overdue: boolean;
}

export interface AppNotification {
  profile: string;
  kind: 'failure' | 'warning' | 'success' | 'overdue' | 'waiting';
  title: string;
  body: string;
}

/** What was already said about one profile. */
export interface ProfileMemory {
  /** The kind of failure already told about; cleared by a successful run. */
  failure?: ErrorKind;
  /** When overdue was last told (ISO). */
  overdueAt?: string;
  /** The current wait for the disk was told. */
  waiting?: true;
}

export interface NotifyMemory {
  profiles: Record<string, ProfileMemory>;
}

export const EMPTY_MEMORY: NotifyMemory = Object.freeze({ profiles: Object.freeze({}) as Record<string, ProfileMemory> });

export type NotifyEvent =
  | { type: 'run-finished'; record: RunRecord; profileName: string; retryPlanned: boolean; now: Date }
  | { type: 'snapshot'; snapshot: EngineSnapshot; now: Date };

const DAY_MS = 24 * 3_600_000;

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

function sentence(d: { message: string; fix: string } | undefined, fallback: string | null): string {
  return d ? `${d.message} ${d.fix}` : (fallback ?? 'The backup did not finish.');
}

function successBody(r: RunRecord): string {
  if (!r.stats) return 'Backed up.';
  const { nfiles, originalSize, deduplicatedSize } = r.stats;
  return `Backed up ${count(nfiles, 'file')}, ${formatBytes(originalSize)} (${formatBytes(deduplicatedSize)} new).`;
}

function afterRun(
  memory: NotifyMemory,
  event: Extract<NotifyEvent, { type: 'run-finished' }>,
  prefs: NotificationPrefs,
): { notify: AppNotification[]; memory: NotifyMemory } {
  const { record: r, profileName: title } = event;
  const id = r.profile;
  const seen = memory.profiles[id] ?? {};
  const say = (kind: AppNotification['kind'], body: string) => [{ profile: id, kind, title, body }];
  switch (r.result) {
    case 'error': {
      const d = r.diagnoses[0];
      const kind = d?.kind ?? 'unknown';
      const retrying = r.trigger === 'retry' || event.retryPlanned;
      const told = retrying && seen.failure === kind;
      return {
        notify: told ? [] : say('failure', sentence(d, r.message)),
        memory: withProfile(memory, id, { ...seen, failure: kind }),
      };
    }
    case 'warning':
    case 'success': {
      const cleared = withProfile(memory, id, { ...seen, failure: undefined });
      if (r.result === 'success') return { notify: prefs.success ? say('success', successBody(r)) : [], memory: cleared };
      // An archive that holds (almost) nothing is not "backed up, with warnings": it always speaks, as a failure does.
      if (r.diagnoses[0]?.kind === 'hollow-backup') return { notify: say('warning', sentence(r.diagnoses[0], r.message)), memory: cleared };
      const body = `Backed up, with warnings: ${sentence(r.diagnoses[0], r.message ?? 'see the log.')}`;
      return { notify: prefs.warnings ? say('warning', body) : [], memory: cleared };
    }
    default:
      // Skipped (a trigger chose not to run) and cancelled (the user did it) are no news.
      return { notify: [], memory };
  }
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
    if (prefs.overdue && p.overdue && !running && !toldToday) {
      const last = p.lastSuccessAt ? `the last backup was ${timeAgo(new Date(p.lastSuccessAt), event.now)}` : 'it was never backed up';
      const hint = waiting ? ` Connect ${disk} to back up.` : '';
      notify.push({ profile: p.id, kind: 'overdue', title: p.name, body: `Overdue: ${last}.${hint}` });
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
): { notify: AppNotification[]; memory: NotifyMemory } {
  return event.type === 'run-finished' ? afterRun(previous, event, prefs) : fromSnapshot(previous, event, prefs);
}
