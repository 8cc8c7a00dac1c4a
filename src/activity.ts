/**
 * "Recent activity": what Dandelion did to a profile's repository, backups beside restores, checks
 * and restore drills, newest first, each as one line in the user's words. Pure (no Node, no I/O):
 * the engine builds the lines for the snapshot, the CLI prints them (`dandelion history`), and the
 * status window draws them with a local time beside each.
 */
import type { Diagnosis } from './diagnosis.js';
import type { RunRecord, RunResult } from './records.js';
import type { OpKind, OpRecord } from './ops/records.js';

export type ActivityKind = 'backup' | OpKind;
/** ok: it did what it should; warning: partly; error: failed (red, with its diagnosis); neutral: stopped by someone. */
export type ActivityTone = 'ok' | 'warning' | 'error' | 'neutral';

export interface ActivityLine {
  kind: ActivityKind;
  result: RunResult;
  /** When it ended (ISO); the faces say it in local time. */
  at: string;
  startedAt: string;
  tone: ActivityTone;
  /** The line, without its time: "Restored 3 files from vm-daily-2026-12-02 10.00". */
  text: string;
  /** For a failure or warning: what went wrong and what to do; null otherwise. */
  diagnosis: Diagnosis | null;
  archive: string | null;
  /** The record's own log, to open from the line. */
  log: string | null;
}

/** How many lines the snapshot carries per profile. */
export const ACTIVITY_LINES = 10;

export type NumberWords = (n: number) => string;
// Made on first use: the first Intl object a process makes loads ICU's data (~20 ms of CPU), and most
// processes that load this module (a `dandelion run`) never word a number here.
let grouped: Intl.NumberFormat | null = null;
const defaultNum: NumberWords = (n) => (grouped ??= new Intl.NumberFormat('en-US')).format(n);

function files(n: number, num: NumberWords): string {
  return `${num(n)} ${n === 1 ? 'file' : 'files'}`;
}

const numberOf = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : null);

function toneOf(result: RunResult): ActivityTone {
  if (result === 'success') return 'ok';
  if (result === 'warning' || result === 'interrupted') return 'warning';
  if (result === 'error') return 'error';
  return 'neutral';
}

/** The line of one backup record; null for a trigger that decided not to run (`skipped`): nothing was done. */
export function backupLine(r: RunRecord, num: NumberWords = defaultNum): ActivityLine | null {
  if (r.result === 'skipped') return null;
  const saved = r.stats ? `Backup saved ${files(r.stats.nfiles, num)}` : 'Backup saved';
  const hollow = r.diagnoses.some((d) => d.kind === 'hollow-backup');
  let text: string;
  switch (r.result) {
    case 'success':
      text = saved;
      break;
    case 'warning':
      text = hollow ? 'Backup saved almost nothing' : `${saved}, with warnings`;
      break;
    case 'error':
      text = 'Backup failed';
      break;
    case 'cancelled':
      text = r.skippedByUser ? 'Backup skipped' : 'Backup cancelled';
      break;
    case 'interrupted':
      text = 'Backup did not finish';
      break;
  }
  return {
    kind: 'backup',
    result: r.result,
    at: r.finishedAt || r.startedAt,
    startedAt: r.startedAt,
    // A hollow archive is never shown as a backup that worked.
    tone: hollow ? 'error' : toneOf(r.result),
    text,
    diagnosis: r.result === 'success' || r.result === 'cancelled' ? null : (r.diagnoses[0] ?? null),
    archive: r.archive,
    log: r.log,
  };
}

const DAMAGE: ReadonlySet<string> = new Set(['repo-damaged', 'archives-damaged', 'data-damaged']);

function restoreText(r: OpRecord, num: NumberWords): string {
  const d = r.details ?? {};
  const from = r.archive ? ` from ${r.archive}` : '';
  const inPlace = d.mode === 'in-place';
  if (r.result === 'error') return `Restore${from} failed`;
  if (r.result === 'cancelled') return `Restore${from} cancelled`;
  const n = numberOf(d.files) ?? 0;
  const keptBoth = Array.isArray(d.keptBoth) ? d.keptBoth.length : 0;
  const identical = numberOf(d.identical) ?? 0;
  let text = inPlace ? `Put back ${files(n, num)}${from}` : `Restored ${files(n, num)}${from}`;
  const extras: string[] = [];
  if (keptBoth) extras.push(`${num(keptBoth)} kept beside ${keptBoth === 1 ? 'a changed original' : 'changed originals'}`);
  if (identical) extras.push(`${num(identical)} already there`);
  if (extras.length) text += ` (${extras.join(', ')})`;
  return r.result === 'warning' ? `${text}, with warnings` : text;
}

function checkText(r: OpRecord): string {
  if (r.result === 'success' || r.result === 'warning')
    return r.details?.verifyData === true ? 'Check read all data and found no damage' : 'Check found no damage';
  if (r.result === 'cancelled') return 'Check cancelled';
  return r.diagnoses.some((d) => DAMAGE.has(d.kind)) ? 'Check found damage' : 'Check could not run';
}

function drillText(r: OpRecord, num: NumberWords): string {
  const d = r.details ?? {};
  if (r.result === 'cancelled') return 'Restore drill cancelled';
  if (r.result === 'error') {
    const mismatched = Array.isArray(d.mismatched) ? d.mismatched.length : 0;
    if (mismatched)
      return `Restore drill found ${files(mismatched, num)} that ${mismatched === 1 ? 'differs' : 'differ'} from the original`;
    if (r.diagnoses.some((x) => DAMAGE.has(x.kind))) return 'Restore drill found damage';
    return 'Restore drill failed';
  }
  const matched = numberOf(d.matched) ?? 0;
  const read = numberOf(d.files);
  const changed = numberOf(d.skippedChanged) ?? 0;
  let text: string;
  if (matched > 0) text = `Restore drill compared ${files(matched, num)}`;
  else if (read !== null) text = `Restore drill read ${files(read, num)} back`;
  else text = 'Restore drill passed';
  if (changed) text += ` (${num(changed)} changed since the backup, not compared)`;
  return text;
}

/** The line of one restore, check or drill record. */
export function opLine(r: OpRecord, num: NumberWords = defaultNum): ActivityLine {
  const text = r.kind === 'restore' ? restoreText(r, num) : r.kind === 'check' ? checkText(r) : drillText(r, num);
  return {
    kind: r.kind,
    result: r.result,
    at: r.finishedAt || r.startedAt,
    startedAt: r.startedAt,
    tone: toneOf(r.result),
    text,
    diagnosis: r.result === 'success' || r.result === 'cancelled' ? null : (r.diagnoses[0] ?? null),
    archive: r.archive,
    log: r.log,
  };
}

/**
 * Backups and operations merged, newest first (by when each ended; on a tie the check or drill comes
 * first, as it followed the backup that started it), at most `limit` lines.
 */
export function recentActivity(runs: RunRecord[], ops: OpRecord[], limit = ACTIVITY_LINES, num: NumberWords = defaultNum): ActivityLine[] {
  const lines: ActivityLine[] = [];
  for (const r of runs) {
    const line = backupLine(r, num);
    if (line) lines.push(line);
  }
  for (const r of ops) lines.push(opLine(r, num));
  const time = (l: ActivityLine) => {
    const t = Date.parse(l.at);
    return Number.isNaN(t) ? 0 : t;
  };
  lines.sort((a, b) => time(b) - time(a) || Number(a.kind === 'backup') - Number(b.kind === 'backup'));
  return lines.slice(0, Math.max(0, limit));
}
