/**
 * What a run tells its monitor, pure: which signal (from the engine's own verdict on the run), the
 * body a Healthchecks check stores (the end of the run log for a failure, at most 10 KB), and the one
 * sentence ntfy and Uptime Kuma get.
 *
 * The signal follows `isSuccessful` (src/records.ts), the rule status and notifications use too:
 * - success → success;
 * - a warning whose archive holds the sources (some files could not be read, prune or compact
 *   failed after the archive was saved) → success, with the warning in the body;
 * - a warning that means the data is not safe (a hollow backup: no files, or under 10 % of the
 *   previous archive's count) → fail;
 * - error, interrupted → fail;
 * - cancelled, skipped → no signal (a cancel or Skip This Backup is the user's choice; a skip by a
 *   trigger never ran). The check then judges by its own schedule and grace time.
 */
import type { RunRecord } from '../records.js';
import { isSuccessful } from '../records.js';
import { count, formatBytes, localDateTime } from '../format.js';

/** Healthchecks keeps 10,000 bytes of a ping's body by default (self-hosted PING_BODY_LIMIT; hosted plans keep more). */
export const BODY_MAX_BYTES = 10_000;

export type RunSignal = 'success' | 'fail';

export function signalFor(r: RunRecord): RunSignal | null {
  switch (r.result) {
    case 'success':
      return 'success';
    case 'warning':
      return isSuccessful(r) ? 'success' : 'fail';
    case 'error':
    case 'interrupted':
      return 'fail';
    default:
      return null;
  }
}

/**
 * The last `maxBytes` bytes of `text` in UTF-8, starting on a character (never half of one) and,
 * when something was left out, at a line start with a note saying so.
 */
export function tailUtf8(text: string, maxBytes: number): string {
  const buf = Buffer.from(text, 'utf8');
  if (buf.length <= maxBytes) return text;
  const note = '[earlier lines left out]\n';
  let start = buf.length - (maxBytes - Buffer.byteLength(note));
  // Continuation bytes are 10xxxxxx: step forward to the first byte of a character.
  while (start < buf.length && (buf[start]! & 0xc0) === 0x80) start++;
  let out = buf.subarray(start).toString('utf8');
  const nl = out.indexOf('\n');
  if (nl >= 0 && nl < out.length - 1) out = out.slice(nl + 1);
  return note + out;
}

/** "Storage box: backup failed" — the title of an ntfy message and the first line of a body. */
export function runTitle(name: string, r: RunRecord): string {
  const signal = signalFor(r);
  if (signal === 'fail') return `${name}: backup ${r.result === 'warning' ? 'not safe' : 'failed'}`;
  return `${name}: backup ${r.result === 'warning' ? 'saved with a warning' : 'saved'}`;
}

/** One sentence: what went wrong (or what was saved), never the log. */
export function runSentence(r: RunRecord): string {
  const d = r.diagnoses[0];
  if (signalFor(r) === 'fail' || r.result === 'warning') return firstSentence(d?.message ?? r.message ?? `The backup ended: ${r.result}.`);
  const s = r.stats;
  return s
    ? `Saved ${r.archive ?? 'an archive'}: ${count(s.nfiles, 'file')}, ${formatBytes(s.originalSize)}, ${formatBytes(s.deduplicatedSize)} new.`
    : `Saved ${r.archive ?? 'an archive'}.`;
}

function firstSentence(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const m = /^.*?[.!?](?=\s|$)/.exec(flat);
  return m ? m[0] : flat;
}

/**
 * The body of a finish signal: what happened and, for a failure or a warning, the diagnoses and the
 * end of the run log, cut to `maxBytes` (UTF-8, whole characters). The run log never holds the
 * passphrase (borg gets it on a pipe) nor a monitoring URL (never logged in full).
 */
export function runBody(name: string, r: RunRecord, logLines: readonly string[], maxBytes = BODY_MAX_BYTES, timeZone?: string): string {
  const head = [`${runTitle(name, r)} (${r.trigger}, started ${localDateTime(new Date(r.startedAt), { timeZone })}).`, runSentence(r)];
  if (r.result !== 'success') for (const d of r.diagnoses) head.push(`${d.message}${d.fix ? ` ${d.fix}` : ''}`);
  const top = tailUtf8(head.join('\n'), Math.floor(maxBytes / 4));
  if (r.result === 'success' || logLines.length === 0) return tailUtf8(top, maxBytes);
  const marker = '\n--- end of the run log ---\n';
  const room = maxBytes - Buffer.byteLength(top) - Buffer.byteLength(marker);
  return top + marker + tailUtf8(logLines.join('\n'), Math.max(0, room));
}

/** An overdue profile's failure: title and sentence (ntfy, Kuma) and the body (Healthchecks). */
export function overdueWords(name: string, lastSuccessAt: string | null, timeZone?: string): { title: string; sentence: string } {
  const last = lastSuccessAt
    ? `the last backup that worked was on ${localDateTime(new Date(lastSuccessAt), { timeZone })}`
    : 'no backup has worked yet';
  return { title: `${name}: backup overdue`, sentence: `Backups of ${name} are overdue: ${last}.` };
}
