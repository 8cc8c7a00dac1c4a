/**
 * The picture a face draws: per profile its state, last run, next slot, overdue flag, live progress
 * and planned retry; for the whole config dir the config errors, borg, and who owns the schedules.
 * `profileStatus` is pure (time is an argument); the engine gathers its inputs.
 */
import type { ActivityLine } from '../activity.js';
import type { Profile, FieldError } from '../profiles/schema.js';
import { profileLabel } from '../profiles/schema.js';
import type { RunRecord, Trigger } from '../records.js';
import type { HistorySummary } from '../jobs/history.js';
import type { Diagnosis } from '../diagnosis.js';
import { isOverdue, nextSlot } from '../schedule/due.js';
import type { LiveProgress } from './run-queue.js';
import type { RetryPlan } from './shared-state.js';
import type { PauseState } from './pause.js';
import type { WaitingFor } from '../format.js';
import type { VerifyFailure, VerifyView } from '../ops/verify-due.js';
import type { OpProgress } from '../ops/verify.js';
import type { MonitorStatus } from '../monitor/state.js';

export type ProfileState = 'idle' | 'running' | 'waiting-for-volume';

export type { WaitingFor };

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
   * What a due backup waits for: "power" while the computer runs on battery and the profile has
   * skipOnBattery, "disk" while its backup disk is away (state waiting-for-volume); null otherwise.
   */
  waitingFor: WaitingFor;
  /**
   * When `dandelion key export` (or the app) last exported the repository's key; null when never.
   * Only a warning for keyfile modes, where the key lives on this computer alone.
   */
  keyExportedAt: string | null;
  /** When `borg check` last passed on the profile's repository (ISO), or null. */
  lastVerified: string | null;
  /** When the restore drill last proved the latest archive restorable (ISO), or null. */
  lastProven: string | null;
  /** check.everyDays (plus a grace) have passed without a check or drill passing. */
  verifyOverdue: boolean;
  /** The newest check or drill found damage (and none of its kind passed since): backups may not be restorable. */
  verifyFailed: VerifyFailure | null;
  /**
   * Monitoring (pingUrl / ntfyUrl): the last ping sent, whether it got through, and its host (never
   * the URL); null when the profile has no monitoring or nothing was sent yet. Always present in
   * `status --json` (optional here for callers that build a status without the engine).
   */
  monitor?: MonitorStatus | null;
}

/** No check or drill known (nothing read yet). */
export const NO_VERIFY: VerifyView = { lastVerified: null, lastProven: null, verifyOverdue: false, verifyFailed: null };

export interface StatusReport {
  profiles: ProfileStatus[];
  /**
   * Automatic backups paused (menu or `dandelion pause`): since when, and until when (ISO; null until
   * resumed); null when not paused. While paused, `nextRunAt` is when the pause ends (a slot that fell
   * in the pause runs then, once) and `overdue` is judged as at the pause's start.
   */
  paused: PauseState | null;
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
  /** Another process (the daemon, a CLI run) is backing this profile up, with its figures (at most a second old) once it has some. */
  runningElsewhere: { pid: number; what: string; since: string; progress?: LiveProgress | null } | null;
  /** When a failed automatic run is tried again, and why it failed. */
  retry: RetryPlan | null;
  /** A check or restore drill going on in this process, with live progress; null otherwise. */
  operation?: OpProgress | null;
  /** What was done lately, newest first: backups, restores, checks and drills, in the user's words (src/activity.ts). */
  activity?: ActivityLine[];
  /** The disk the repository is on is not connected: nothing can read or write it now. */
  repositoryAway?: boolean;
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
  /** Automatic backups paused, as in `status --json` (null or absent: not paused). */
  paused?: PauseState | null;
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
  pause: PauseState | null = null,
  heldForPower = false,
  verify: VerifyView = NO_VERIFY,
): ProfileStatus {
  const { lastRun, lastSuccess, firstRunAt } = summary;
  const next = nextRunWithPause(p.schedule ? nextSlot(p.schedule, now) : null, pause);
  // A pause never makes a profile overdue: judged as at the moment it began.
  const judgedAt = pause && Date.parse(pause.since) < now.getTime() ? new Date(pause.since) : now;
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
      now: judgedAt,
      overdueAfterHours: p.overdueAfterHours ?? undefined,
    }),
    waitingFor: state === 'waiting-for-volume' ? 'disk' : state === 'idle' && heldForPower ? 'power' : null,
    keyExportedAt,
    ...verify,
  };
}

/** While paused, a slot before the pause's end runs at the end (once); paused until resumed, none is known. */
export function nextRunWithPause(next: Date | null, pause: PauseState | null): Date | null {
  if (!pause || !next) return next;
  if (pause.until === null) return null;
  const until = new Date(pause.until);
  return next < until ? until : next;
}

/** borg's keyfile modes keep the key in $BORG_KEYS_DIR on this computer, not in the repository. */
export function isKeyfileMode(mode: string | null | undefined): boolean {
  return mode === 'keyfile' || mode === 'keyfile-blake2';
}

export type { Trigger };
