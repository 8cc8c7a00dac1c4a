/**
 * What the Browse window's profile header says about verification, pure: "Verified 3 days ago",
 * "Restore proven 3 days ago", overdue, and a failed check or drill with its diagnosis. Reads the
 * "verify" part's snapshot fields (`lastVerified`, `lastProven`, `verifyOverdue`, `verifyFailed`)
 * when present (a snapshot without them says nothing), and a check or drill record the window heard
 * of (`op-finished`) that is newer than the snapshot's.
 */
import type { Diagnosis } from '../shared/types.js';
import type { OpRecord } from './types.js';
import { provenWords, verifiedWords } from './words.js';

export interface VerifyFailure {
  kind: 'check' | 'drill';
  /** When the failed operation ended (ISO). */
  at: string;
  diagnosis: Diagnosis | null;
}

export interface VerifyFields {
  lastVerified: string | null;
  lastProven: string | null;
  verifyOverdue: boolean;
  verifyFailed: VerifyFailure | null;
}

export type Tone = 'ok' | 'warning' | 'error' | 'neutral';

export interface VerifyView {
  lines: { text: string; tone: Tone }[];
  failure: { title: string; diagnosis: Diagnosis | null; at: string } | null;
}

const FAILED_TITLE = { check: 'The last check found a problem', drill: 'The last restore drill failed' } as const;

export function verifyView(p: Partial<VerifyFields>, heard: OpRecord | null, now: Date): VerifyView {
  const known = 'lastVerified' in p || 'lastProven' in p || 'verifyOverdue' in p;
  const lines: VerifyView['lines'] = [];
  let lastVerified = p.lastVerified ?? null;
  let lastProven = p.lastProven ?? null;
  let failed: VerifyFailure | null = p.verifyFailed ?? null;
  let overdue = p.verifyOverdue === true;
  // A check or drill that ended after the snapshot was taken says more than it.
  const fresh = heard && (heard.kind === 'check' || heard.kind === 'drill') ? heard : null;
  if (fresh) {
    const k = fresh.kind as 'check' | 'drill';
    if (fresh.result === 'error' && (!failed || failed.at < fresh.finishedAt))
      failed = { kind: k, at: fresh.finishedAt, diagnosis: fresh.diagnoses[0] ?? null };
    if (fresh.result === 'success') {
      const newer = (at: string | null) => !at || at < fresh.finishedAt;
      if (k === 'check' && newer(lastVerified)) {
        lastVerified = fresh.finishedAt;
        overdue = false;
      }
      if (k === 'drill' && newer(lastProven)) {
        lastProven = fresh.finishedAt;
        overdue = false;
      }
      if (failed?.kind === k && failed.at < fresh.finishedAt) failed = null;
    }
  }
  if (known || fresh) {
    if (failed) overdue = false;
    lines.push({ text: verifiedWords(lastVerified, overdue, now), tone: overdue ? 'warning' : lastVerified ? 'ok' : 'neutral' });
    lines.push({ text: provenWords(lastProven, now), tone: lastProven ? 'ok' : 'neutral' });
  }
  const failure = failed ? { title: FAILED_TITLE[failed.kind], diagnosis: failed.diagnosis, at: failed.at } : null;
  // Beside a failure, the last good dates are history, not a green light.
  if (failure) for (const l of lines) if (l.tone === 'ok') l.tone = 'neutral';
  return { lines, failure };
}
