/**
 * When a repository is next checked (`borg check`) and proven restorable (the restore drill), and
 * what status says about it. Pure: time and the records are arguments.
 *
 * Both run after a successful backup of the profile, each when `check.everyDays` have passed since
 * its last success on the profile's current repository. A profile never checked counts from its
 * first backup there, so the first check comes `everyDays` after backups began, not in the middle
 * of the very first one. `everyDays: 0` turns the schedule off (`dandelion check` / `drill` still work).
 */
import type { Diagnosis } from '../diagnosis.js';
import type { OpKind, OpRecord } from './records.js';

const DAY_MS = 86_400_000;
/** Overdue once a week (at most everyDays) has passed beyond everyDays without a success. */
const MAX_GRACE_DAYS = 7;

export interface VerifyPolicy {
  everyDays: number;
  verifyData: boolean;
}

/** Whether a check (or a drill) is due now: `everyDays` since its last success, else since backups began. */
export function opDue(args: { everyDays: number; lastSuccessAt: Date | null; backupsSince: Date | null; now: Date }): boolean {
  const { everyDays, lastSuccessAt, backupsSince, now } = args;
  if (!(everyDays > 0)) return false;
  const reference = lastSuccessAt ?? backupsSince;
  if (reference === null) return false;
  return now.getTime() - reference.getTime() >= everyDays * DAY_MS;
}

/** The grace beyond everyDays before a missed verification is overdue. */
export function graceDays(everyDays: number): number {
  return Math.min(everyDays, MAX_GRACE_DAYS);
}

/** The kinds of diagnosis that say the backups themselves are damaged (a red state), not that a check could not run. */
export const DAMAGE_DIAGNOSES: ReadonlySet<string> = new Set(['repo-damaged', 'archives-damaged', 'data-damaged', 'restore-mismatch']);

const passed = (r: OpRecord) => r.result === 'success' || r.result === 'warning';
/** A record that says something about the backups: passed, or found damage (not a disk away, a wrong passphrase, a cancel). */
const conclusive = (r: OpRecord) => passed(r) || (r.result === 'error' && DAMAGE_DIAGNOSES.has(r.diagnoses[0]?.kind ?? ''));

/**
 * From the newest records of one repository (newest first, any kinds): the last conclusive check
 * and drill, and the last of each that passed.
 */
export function pickVerifyRecords(recent: readonly OpRecord[]): VerifyRecords {
  const of = (kind: OpKind) => recent.filter((r) => r.kind === kind);
  const checks = of('check');
  const drills = of('drill');
  return {
    lastCheck: checks.find(conclusive) ?? null,
    lastCheckSuccess: checks.find(passed) ?? null,
    lastDrill: drills.find(conclusive) ?? null,
    lastDrillSuccess: drills.find(passed) ?? null,
  };
}

/** What the latest check and drill records of one repository say. */
export interface VerifyRecords {
  lastCheck: OpRecord | null;
  lastCheckSuccess: OpRecord | null;
  lastDrill: OpRecord | null;
  lastDrillSuccess: OpRecord | null;
}

export interface VerifyFailure {
  kind: Extract<OpKind, 'check' | 'drill'>;
  /** When the failed operation ended (ISO). */
  at: string;
  diagnosis: Diagnosis | null;
}

export interface VerifyView {
  /** When `borg check` last passed on the current repository (ISO), or null. */
  lastVerified: string | null;
  /** When the restore drill last passed (ISO), or null. */
  lastProven: string | null;
  /** A check or drill is everyDays + grace late (never while a failure is shown instead). */
  verifyOverdue: boolean;
  /** The newest check or drill ended in an error and nothing of its kind passed since: backups may not be restorable. */
  verifyFailed: VerifyFailure | null;
}

function failure(last: OpRecord | null, kind: 'check' | 'drill'): VerifyFailure | null {
  if (!last || last.result !== 'error') return null;
  return { kind, at: last.finishedAt, diagnosis: last.diagnoses[0] ?? null };
}

/**
 * Status of verification at `now`. `backupsSince`: the first backup to this repository (ISO), the
 * clock for a repository never checked; null: no backup yet, so nothing can be overdue.
 */
export function verifyView(records: VerifyRecords, policy: VerifyPolicy, backupsSince: string | null, now: Date): VerifyView {
  const lastVerified = records.lastCheckSuccess?.finishedAt ?? null;
  const lastProven = records.lastDrillSuccess?.finishedAt ?? null;
  // The check says what is damaged; a drill failing on a repository that checks clean comes next.
  const verifyFailed = failure(records.lastCheck, 'check') ?? failure(records.lastDrill, 'drill');
  const late = (last: string | null) => {
    if (!(policy.everyDays > 0) || backupsSince === null) return false;
    const reference = Date.parse(last ?? backupsSince);
    return now.getTime() - reference > (policy.everyDays + graceDays(policy.everyDays)) * DAY_MS;
  };
  return {
    lastVerified,
    lastProven,
    verifyOverdue: verifyFailed === null && (late(lastVerified) || late(lastProven)),
    verifyFailed,
  };
}

/** Which of check and drill to run after a successful backup (the drill only after a check passed, or when no check is due). */
export function verifyPlan(args: {
  policy: VerifyPolicy;
  lastCheckSuccessAt: Date | null;
  lastDrillSuccessAt: Date | null;
  backupsSince: Date | null;
  now: Date;
}): { check: boolean; drill: boolean } {
  const { policy, backupsSince, now } = args;
  const check = opDue({ everyDays: policy.everyDays, lastSuccessAt: args.lastCheckSuccessAt, backupsSince, now });
  const drill = opDue({ everyDays: policy.everyDays, lastSuccessAt: args.lastDrillSuccessAt, backupsSince, now });
  return { check, drill };
}
