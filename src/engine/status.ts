/**
 * The picture a face draws: per profile its state, last run, next slot, overdue flag, live progress
 * and planned retry; for the whole config dir the config errors, borg, and who owns the schedules.
 * `profileStatus` is pure (time is an argument); the engine gathers its inputs.
 */
import type { Profile, FieldError } from '../profiles/schema.js';
import { profileLabel } from '../profiles/schema.js';
import type { RunRecord, Trigger } from '../records.js';
import type { HistorySummary } from '../jobs/history.js';
import type { Diagnosis } from '../diagnosis.js';
import { isOverdue, nextSlot } from '../schedule/due.js';
import type { LiveProgress } from './run-queue.js';
import type { RetryPlan } from './shared-state.js';

export type ProfileState = 'idle' | 'running' | 'waiting-for-volume';

export type LastRun = Pick<RunRecord, 'trigger' | 'startedAt' | 'finishedAt' | 'result' | 'archive' | 'message'>;

/** The headless contract of `dandelion status --json`. */
export interface ProfileStatus {
  id: string;
  name: string;
  state: ProfileState;
  lastRun: LastRun | null;
  lastSuccessAt: string | null;
  nextRunAt: string | null;
  overdue: boolean;
  /**
   * When `dandelion key export` (or the app) last exported the repository's key; null when never.
   * Only a warning for keyfile modes, where the key lives on this computer alone.
   */
  keyExportedAt: string | null;
}

export interface StatusReport {
  profiles: ProfileStatus[];
  /** The process that runs the schedules and disk triggers; null when none does (nothing runs by itself). */
  scheduler: { pid: number; what: string; since: string } | null;
}

export interface ProfileSnapshot extends ProfileStatus {
  repository: string;
  /** What starts this profile's runs besides the user: a schedule, a backup disk, both or neither. */
  triggers: { schedule: string | null; volume: string | null };
  /** The whole last record: its diagnoses (sentence and fix), stats and log file. */
  lastRun: RunRecord | null;
  /** The run going on in this process, with live progress; null when idle or running elsewhere. */
  run: LiveProgress | null;
  /** Another process (the daemon, a CLI run) is backing this profile up. */
  runningElsewhere: { pid: number; what: string; since: string } | null;
  /** When a failed automatic run is tried again, and why it failed. */
  retry: RetryPlan | null;
}

export type BorgState =
  { state: 'unknown' } | { state: 'found'; path: string; version: string } | { state: 'missing'; diagnosis: Diagnosis };

export interface EngineSnapshot {
  takenAt: string;
  configDir: string;
  configFile: string;
  /** Non-empty while config.json is invalid; the previous valid config (if any) stays in force. */
  configErrors: FieldError[];
  /** The revision of config.json the engine read last (any change of the file is a new one, see configRevision). */
  configRevision: string;
  borg: BorgState;
  /** The process that owns the schedules and disk triggers: this one, another, or none (nothing is automatic). */
  schedules: { owner: { pid: number; what: string; since: string } | null; ownedHere: boolean };
  profiles: ProfileSnapshot[];
}

export function lastRunOf(r: RunRecord | null): LastRun | null {
  return r
    ? { trigger: r.trigger, startedAt: r.startedAt, finishedAt: r.finishedAt, result: r.result, archive: r.archive, message: r.message }
    : null;
}

/** Status of one profile at `now`; overdue is judged from history whoever owns the schedules. */
export function profileStatus(
  p: Profile,
  summary: HistorySummary,
  state: ProfileState,
  now: Date,
  keyExportedAt: string | null = null,
): ProfileStatus {
  const { lastRun, lastSuccess, firstRunAt } = summary;
  const next = p.schedule ? nextSlot(p.schedule, now) : null;
  return {
    id: p.id,
    name: profileLabel(p),
    state,
    lastRun: lastRunOf(lastRun),
    lastSuccessAt: lastSuccess?.finishedAt ?? null,
    nextRunAt: next?.toISOString() ?? null,
    overdue: isOverdue({
      schedule: p.schedule ?? null,
      lastSuccessAt: lastSuccess ? new Date(lastSuccess.finishedAt) : null,
      since: firstRunAt ? new Date(firstRunAt) : null,
      now,
      overdueAfterHours: p.overdueAfterHours ?? undefined,
    }),
    keyExportedAt,
  };
}

/** borg's keyfile modes keep the key in $BORG_KEYS_DIR on this computer, not in the repository. */
export function isKeyfileMode(mode: string | null | undefined): boolean {
  return mode === 'keyfile' || mode === 'keyfile-blake2';
}

export type { Trigger };
