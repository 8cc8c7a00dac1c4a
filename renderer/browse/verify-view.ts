/**
 * What the Browse window's profile header says about verification, pure: "Verified 3 days ago",
 * "Restore proven 3 days ago", overdue, and a failed check or drill with its diagnosis. Reads the
 * "verify" part's snapshot fields when present (a snapshot without them says nothing), and the
 * newest check / drill record the window heard of.
 */
import { plural } from '../shared/format.js';
import { formatBytes } from '../../src/format.js';
import type { OpRecord } from './types.js';
import { provenWords, verifiedWords } from './words.js';

export interface VerifyFields {
  lastVerified: string | null;
  lastProven: string | null;
  verifyOverdue: boolean;
  /** The newest check and drill records, when the snapshot carries them. */
  lastCheck?: OpRecord | null;
  lastDrill?: OpRecord | null;
}

export type Tone = 'ok' | 'warning' | 'error' | 'neutral';

export interface VerifyView {
  lines: { text: string; tone: Tone }[];
  failure: { title: string; record: OpRecord } | null;
}

function newest(...records: (OpRecord | null | undefined)[]): OpRecord | null {
  let best: OpRecord | null = null;
  for (const r of records) if (r && (!best || r.finishedAt > best.finishedAt)) best = r;
  return best;
}

/** The figures a passed drill recorded: "100 files (12 MB) read back and compared". */
export function drillFigures(r: OpRecord): string | null {
  const d = r.details ?? {};
  const files = typeof d.files === 'number' ? d.files : typeof d.sampled === 'number' ? d.sampled : null;
  const bytes = typeof d.bytes === 'number' ? d.bytes : null;
  if (files === null) return null;
  return `${plural(files, 'file')}${bytes !== null ? ` (${formatBytes(bytes)})` : ''} read back and compared`;
}

export function verifyView(p: Partial<VerifyFields>, heard: OpRecord | null, now: Date): VerifyView {
  const known = 'lastVerified' in p || 'lastProven' in p || 'verifyOverdue' in p;
  const check = newest(p.lastCheck, heard?.kind === 'check' ? heard : null);
  const drill = newest(p.lastDrill, heard?.kind === 'drill' ? heard : null);
  const lines: VerifyView['lines'] = [];
  if (known || check) {
    const overdue = p.verifyOverdue === true;
    lines.push({ text: verifiedWords(p.lastVerified ?? null, overdue, now), tone: overdue ? 'warning' : p.lastVerified ? 'ok' : 'neutral' });
  }
  if (known || drill) {
    const figures = drill && drill.result === 'success' ? drillFigures(drill) : null;
    lines.push({
      text: provenWords(p.lastProven ?? (drill?.result === 'success' ? drill.finishedAt : null), now) + (figures ? `: ${figures}` : ''),
      tone: p.lastProven || drill?.result === 'success' ? 'ok' : 'neutral',
    });
  }
  const last = newest(check, drill);
  const failure =
    last && last.result === 'error'
      ? { title: last.kind === 'check' ? 'The last check found a problem' : 'The last restore drill failed', record: last }
      : null;
  return { lines, failure };
}
