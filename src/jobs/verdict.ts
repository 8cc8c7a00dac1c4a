/**
 * The pure decisions of a backup run that are about its outcome, not about borg: whether the
 * archive it made is hollow (saved nothing, or far less than the archive before it), whether prune
 * and compact may run after it, and what a failed step after create means for the run.
 */
import type { RunResult } from '../records.js';

/**
 * A backup that saved fewer files than this share of the previous archive is hollow. Fixed and
 * documented rather than a setting: 10 % is far below what a working folder loses between two runs,
 * and far above what is left when an exclude, an emptied folder or an absent disk took a source away.
 */
export const HOLLOW_BELOW_PERCENT = 10;

export type Hollow =
  /** The sources exist and borg saved no file at all. */
  | { kind: 'empty' }
  /** Fewer than HOLLOW_BELOW_PERCENT % of the previous archive's files. */
  | { kind: 'shrunk'; files: number; previousFiles: number; percent: number };

/**
 * `files` is what this archive holds (borg's nfiles), `previousFiles` what the previous archive of
 * this repository held, by our own records (null when there is none or it is not known).
 */
export function hollowVerdict(files: number, previousFiles: number | null, percent = HOLLOW_BELOW_PERCENT): Hollow | null {
  if (files <= 0) return { kind: 'empty' };
  // Whole numbers only: files / previousFiles < percent / 100 without rounding. Without a previous
  // count (or with none of 0 or less) no positive count is below it.
  if (previousFiles !== null && files * 100 < previousFiles * percent) return { kind: 'shrunk', files, previousFiles, percent };
  return null;
}

/**
 * Prune and compact thin out and give back space; they run only after an archive was made that
 * holds what it should. After a hollow archive they would count it as a real backup and push a
 * real one out of the keep rules.
 */
export function mayThinOut(result: RunResult, madeArchive: boolean, hollow: Hollow | null): boolean {
  return madeArchive && hollow === null && (result === 'success' || result === 'warning');
}

/**
 * What a step after create (prune, compact) means for the run. The archive is saved whatever the
 * step says, so the run is at worst a warning: `failed` (borg's error becomes a warning that says
 * the archive was saved, and the next step is not run), `warned` (borg's own warning, kept as it
 * is), `ok`, or `cancelled` (the user's cancel stays a cancel).
 */
export function afterCreateOutcome(level: 'success' | 'warning' | 'error', cancelled: boolean): 'ok' | 'warned' | 'failed' | 'cancelled' {
  if (cancelled) return 'cancelled';
  if (level === 'error') return 'failed';
  return level === 'success' ? 'ok' : 'warned';
}

/** borg's numbers when a transaction found too little room: "(required: 545.43 MB, available: 104.74 MB)". */
export function spaceNumbers(text: string): { required: string; available: string } | null {
  const m = /required: (.+?)\s*, available: (.+?)\s*\)/.exec(text);
  return m ? { required: m[1]!, available: m[2]! } : null;
}
