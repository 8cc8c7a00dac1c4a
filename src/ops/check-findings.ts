/**
 * What a `borg check` or a drill's `borg extract` says is damaged, read from borg's own messages
 * (borg 1.2/1.4: repository.py's check, archive.py's ArchiveChecker, the IntegrityError of a read).
 * Pure: fed one log message at a time, it keeps counts and the first line of each kind of damage.
 *
 * borg 1.2 ends a check that found damage with exit code 1, like a warning: that is never a warning
 * here. A check or drill that found damage is an error, whatever the exit code.
 */
import type { BorgEvent } from '../borg/log-json.js';

/**
 * segments: the repository's storage files (data/…) or its index do not read back as written;
 * archives: the manifest or an archive's metadata (its list of files) is missing or damaged, or a
 *   file in an archive points at data that is gone;
 * data: a piece of backed-up data fails to decrypt or authenticate (--verify-data, or a drill's read).
 */
export type DamageKind = 'segments' | 'archives' | 'data';

const PATTERNS: readonly { re: RegExp; kind: DamageKind }[] = [
  // borg 1.2 repository.check(): a segment whose entries do not match their checksums, a bad index.
  { re: /Segment entry checksum mismatch|Segment \d+ .*IntegrityError|Invalid segment|segment \d+ not found/i, kind: 'segments' },
  { re: /Index object count mismatch|This repository contains no valid data|repository check, errors found/i, kind: 'segments' },
  { re: /Repo\/Chunks index object count/i, kind: 'segments' },
  // ArchiveChecker: the manifest, archive metadata, items pointing at missing chunks, orphans.
  { re: /manifest (not found|is corrupted)|Repository manifest/i, kind: 'archives' },
  { re: /Archive metadata block .* is (missing|corrupted)|Archive '.*' not found/i, kind: 'archives' },
  { re: /missing file chunk detected|size inconsistency detected|orphaned objects found|Skipping corrupted chunk/i, kind: 'archives' },
  { re: /Archive consistency check complete, problems found/i, kind: 'archives' },
  // A chunk that does not decrypt or authenticate (verify-data, extract).
  { re: /chunk [0-9a-f]+, integrity error|Found defect chunks|decrypt.*failed|MAC (verification|authentication) failed/i, kind: 'data' },
];

const ORDER: readonly DamageKind[] = ['segments', 'archives', 'data'];
const MAX_LINE = 500;

export interface Damage {
  kind: DamageKind;
  /** How many of borg's lines named this kind of damage. */
  count: number;
  /** The first of them, as borg wrote it. */
  first: string;
}

/** The kind of damage one line of borg names, or null. */
export function damageOf(message: string, msgid?: string): DamageKind | null {
  const hit = PATTERNS.find((p) => p.re.test(message));
  if (hit) return hit.kind;
  // A read that failed its checksum (extract, list): IntegrityError names the segment when it is a storage file.
  if (msgid === 'IntegrityError' || /^Data integrity error/.test(message)) return /segment/i.test(message) ? 'segments' : 'data';
  return null;
}

export class DamageCollector {
  private readonly found = new Map<DamageKind, Damage>();

  observe(ev: BorgEvent): void {
    if (ev.type !== 'log_message' || (ev.level !== 'ERROR' && ev.level !== 'CRITICAL' && ev.level !== 'WARNING')) return;
    // A traceback repeats the error line it follows.
    if (ev.message.startsWith('Traceback (most recent call last)')) return;
    const kind = damageOf(ev.message, ev.msgid);
    if (!kind) return;
    const d = this.found.get(kind);
    if (d) d.count++;
    else this.found.set(kind, { kind, count: 1, first: ev.message.slice(0, MAX_LINE) });
  }

  /** Each kind of damage seen, the worst first (storage, then archive metadata, then data). */
  damages(): Damage[] {
    return ORDER.flatMap((k) => (this.found.has(k) ? [this.found.get(k)!] : []));
  }
}
