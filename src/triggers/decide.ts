import type { Profile } from '../profiles/schema.js';
import { isDue, minIntervalCheck } from '../schedule/due.js';
import type { RunRecord } from '../records.js';
import type { ErrorKind } from '../diagnosis.js';

/**
 * What a trigger should do, as a pure function of the profile, its history and the moment.
 * Timers, the volume watcher and power events only gather these inputs and act on the answer.
 */
export type Decision =
  | { action: 'none'; reason: string }
  | { action: 'run' }
  | { action: 'wait-for-volume' }
  | { action: 'skip'; reason: string; record: boolean; heldForPower?: true };

export interface Situation {
  now: Date;
  /** Start of the last run that ended in success or warning. */
  lastSuccessStartedAt: Date | null;
  running: boolean;
  volumePresent: boolean;
  onBattery: boolean;
  /** A slot came while the disk was away: the run is owed and ignores minIntervalHours. */
  owed: boolean;
  /** Automatic backups are paused (menu, `dandelion pause`): nothing starts; the pause's end catches up once. */
  paused?: boolean;
  /** Start of a run the user skipped (Skip This Backup) since the last success: the next slot is after it. */
  lastSkippedByUserAt?: Date | null;
  tz?: string;
}

/** What a schedule counts from: the last success, or a later backup the user chose to skip. */
function dueSince(s: Situation): Date | null {
  const skip = s.lastSkippedByUserAt ?? null;
  if (!skip) return s.lastSuccessStartedAt;
  return s.lastSuccessStartedAt && s.lastSuccessStartedAt > skip ? s.lastSuccessStartedAt : skip;
}

/** At startup, at each slot, on resume: run if a slot has passed since the last success. */
export function decideTimed(p: Profile, s: Situation): Decision {
  if (s.running) return { action: 'none', reason: 'already running' };
  if (s.paused) return { action: 'none', reason: 'paused' };
  if (!isDue({ schedule: p.schedule ?? null, lastSuccessStartedAt: dueSince(s), now: s.now, tz: s.tz })) {
    return { action: 'none', reason: 'not due' };
  }
  if (p.skipOnBattery && s.onBattery)
    return { action: 'skip', reason: 'on battery power (skipOnBattery); runs when plugged in', record: false, heldForPower: true };
  if (p.volume && !s.volumePresent) return { action: 'wait-for-volume' };
  return { action: 'run' };
}

/** When the profile's disk appears (and its repository is readable). */
export function decideMount(p: Profile, s: Situation): Decision {
  if (s.running) return { action: 'none', reason: 'already running' };
  if (s.paused) return { action: 'none', reason: 'paused' };
  if (s.owed) return { action: 'run' };
  if (isDue({ schedule: p.schedule ?? null, lastSuccessStartedAt: dueSince(s), now: s.now, tz: s.tz })) return { action: 'run' };
  if (p.skipOnBattery && s.onBattery) return { action: 'skip', reason: 'on battery power (skipOnBattery)', record: true };
  const gate = minIntervalCheck({ lastSuccessAt: s.lastSuccessStartedAt, minIntervalHours: p.minIntervalHours, now: s.now });
  if (!gate.allowed) {
    return {
      action: 'skip',
      reason: `the last backup is less than ${p.minIntervalHours} h old (minIntervalHours); the next disk-triggered backup is allowed after ${gate.allowedAt!.toISOString()}`,
      record: true,
    };
  }
  return { action: 'run' };
}

/** Failures that may pass by themselves (network, a lock held elsewhere). The rest need the user. */
const TRANSIENT: ReadonlySet<ErrorKind> = new Set<ErrorKind>(['connection-lost', 'lock-timeout', 'unknown']);
const RETRY_STEPS_MIN = [5, 15, 30, 60, 120];

/**
 * When to try again after an automatic run failed: soon for a dropped connection, backing off to
 * two hours; never for a wrong passphrase or a changed host key (retrying cannot fix those, and the
 * next slot or resume tries again anyway). `failuresInARow` counts this one.
 */
export function retryDelayMs(record: RunRecord, failuresInARow: number): number | null {
  if (record.result !== 'error' || record.trigger === 'manual') return null;
  const kind = record.diagnoses[0]?.kind ?? 'unknown';
  if (!TRANSIENT.has(kind)) return null;
  const step = RETRY_STEPS_MIN[Math.min(Math.max(failuresInARow, 1), RETRY_STEPS_MIN.length) - 1]!;
  return step * 60_000;
}
