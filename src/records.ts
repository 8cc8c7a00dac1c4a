/**
 * The records every layer shares: what a run was asked by, how it ended, what it made. Plain types
 * and two pure helpers, so the triggers, the history store and the faces all speak of one thing.
 */
import type { Diagnosis } from './diagnosis.js';

/**
 * How a run ended. `interrupted`: the process running it was killed outright (SIGKILL, a power cut)
 * and the next Dandelion process wrote its record; neither a success nor a failure of the backup
 * itself, and never counted as a success.
 */
export type RunResult = 'success' | 'warning' | 'error' | 'cancelled' | 'interrupted' | 'skipped';
export type Trigger = 'manual' | 'schedule' | 'catch-up' | 'volume' | 'resume' | 'retry';

export interface ArchiveStats {
  originalSize: number;
  compressedSize: number;
  deduplicatedSize: number;
  nfiles: number;
  durationSeconds: number;
}

export interface RunRecord {
  profile: string;
  trigger: Trigger;
  startedAt: string;
  finishedAt: string;
  result: RunResult;
  archive: string | null;
  stats: ArchiveStats | null;
  message: string | null;
  diagnoses: Diagnosis[];
  log: string | null;
  /** The repository the run went to; a profile pointed elsewhere starts a fresh history from there. */
  repository?: string;
  /** Skip This Backup: stopped like a cancel, but the user chose to wait for the next slot (no retry, no alarm). */
  skippedByUser?: boolean;
  /** The checkpoint archive a create cut short left behind (borg resumes from it), when it left one. */
  checkpoint?: string;
}

const RANK: Record<RunResult, number> = { skipped: 0, success: 1, warning: 2, cancelled: 3, interrupted: 4, error: 5 };

export function worst(a: RunResult, b: RunResult): RunResult {
  return RANK[b] > RANK[a] ? b : a;
}

/** A run that saved the sources: success, or a warning other than an archive that holds (almost) nothing. */
export function isSuccessful(r: RunRecord): boolean {
  if (r.result === 'success') return true;
  return r.result === 'warning' && !r.diagnoses.some((d) => d.kind === 'hollow-backup');
}
