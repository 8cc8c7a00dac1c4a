/**
 * Lines of a history file read a bounded window at a time: forwards (a rebuild of the summary, the
 * bytes another process appended) and backwards from the end (the last runs, archive stats). A line
 * is what `History.list` calls a line: the bytes between two `\n`, the last one possibly without.
 */
import type { FileHandle } from 'node:fs/promises';
import type { RunRecord } from '../records.js';

/** Bytes read per step, forwards or backwards. */
export const CHUNK = 64 * 1024;
/** A line longer than this is not a record we wrote (records are a few KiB): skipped, like garbage, without holding it. */
export const MAX_LINE = 4 * 1024 * 1024;

export interface Line {
  /** Byte offset of the line's first byte: its place in the file, so older < newer. */
  at: number;
  bytes: Buffer;
}

/** What status and summaries read from a line: an object with the start, end and result of a run. */
export function isRecordLike(v: unknown): v is RunRecord {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const r = v as Record<string, unknown>;
  return typeof r.startedAt === 'string' && typeof r.finishedAt === 'string' && typeof r.result === 'string';
}

/** A record, or null for a blank line, a line cut short by a crash, or JSON that is not a run. */
export function parseRecord(text: string): RunRecord | null {
  if (!text.trim()) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  return isRecordLike(value) ? value : null;
}

const NL = 0x0a;

/**
 * The lines in [from, to), oldest first. `complete` is false for a last line without its `\n`
 * (a record being written, or cut short): the caller decides whether to count it now.
 */
export async function* forwardLines(handle: FileHandle, from: number, to: number): AsyncGenerator<Line & { complete: boolean }> {
  const chunk = Buffer.allocUnsafe(CHUNK);
  let carry: Buffer[] = [];
  let carryLength = 0;
  let carryAt = from;
  let tooLong = false;
  for (let pos = from; pos < to;) {
    const { bytesRead } = await handle.read(chunk, 0, Math.min(CHUNK, to - pos), pos);
    if (bytesRead === 0) break;
    let start = 0;
    for (let nl = chunk.indexOf(NL, 0); nl !== -1 && nl < bytesRead; nl = chunk.indexOf(NL, start)) {
      if (!tooLong) {
        const part = chunk.subarray(start, nl);
        yield { at: carryAt, bytes: carryLength ? Buffer.concat([...carry, part]) : part, complete: true };
      }
      carry = [];
      carryLength = 0;
      tooLong = false;
      start = nl + 1;
      carryAt = pos + start;
    }
    if (start < bytesRead && !tooLong) {
      carry.push(Buffer.from(chunk.subarray(start, bytesRead)));
      carryLength += bytesRead - start;
      if (carryLength > MAX_LINE) {
        tooLong = true;
        carry = [];
        carryLength = 0;
      }
    }
    pos += bytesRead;
  }
  if (carryLength && !tooLong) yield { at: carryAt, bytes: Buffer.concat(carry), complete: false };
}

/** The lines in [from, to), newest first; `from` must be the start of a line (0, or just after a `\n`). */
export async function* backwardLines(handle: FileHandle, from: number, to: number): AsyncGenerator<Line> {
  const chunk = Buffer.allocUnsafe(CHUNK);
  // The start of the line that ends where the bytes read so far begin, read in later chunks.
  let carry: Buffer[] = [];
  let carryLength = 0;
  let tooLong = false;
  for (let end = to; end > from;) {
    const size = Math.min(CHUNK, end - from);
    const pos = end - size;
    const { bytesRead } = await handle.read(chunk, 0, size, pos);
    if (bytesRead < size) return; // the file shrank under us: what is left is not the file we were asked about
    let stop = size;
    for (let nl = chunk.lastIndexOf(NL, stop - 1); nl !== -1; nl = stop > 0 ? chunk.lastIndexOf(NL, stop - 1) : -1) {
      if (!tooLong) {
        const part = chunk.subarray(nl + 1, stop);
        const bytes = carryLength ? Buffer.concat([part, ...carry]) : part;
        if (bytes.length) yield { at: pos + nl + 1, bytes };
      }
      carry = [];
      carryLength = 0;
      tooLong = false;
      stop = nl;
    }
    if (stop > 0 && !tooLong) {
      carry.unshift(Buffer.from(chunk.subarray(0, stop)));
      carryLength += stop;
      if (carryLength > MAX_LINE) {
        tooLong = true;
        carry = [];
        carryLength = 0;
      }
    }
    end = pos;
  }
  if (carryLength && !tooLong) yield { at: from, bytes: Buffer.concat(carry) };
}
