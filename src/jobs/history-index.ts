/**
 * history/<profile>.summary.json: what status needs from a history file (first, last and last
 * successful run per repository spelling) so a status call reads a few hundred bytes instead of the
 * whole file. It is a cache: it names the bytes it was made from (size, mtime, inode and the last
 * bytes before `offset`); grown since → only the new bytes are read; shrunk or replaced → rebuilt in
 * one streaming pass. It holds only records the history file holds anyway (0600 like it).
 */
import fs from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { isSuccessful, type RunRecord } from '../records.js';
import { forwardLines, parseRecord } from './history-tail.js';

const VERSION = 1;
/** Bytes before `offset` kept to notice a file rewritten in place. */
const ANCHOR = 64;

export interface Seen {
  /** Byte offsets of the record's line: its first byte, and just past its last (before the `\n`). */
  at: number;
  end: number;
  record: RunRecord;
}

export interface Aggregate {
  first: Seen;
  last: Seen;
  lastSuccess: Seen | null;
}

export interface Fold {
  all: Aggregate | null;
  /** Records without `repository` (written before repositories were recorded). */
  legacy: Aggregate | null;
  /** Records by `repository` as written (spellings are only compared when asked: lexical form depends on cwd and home). */
  byRepository: Record<string, Aggregate>;
  /** The `repository` of the first record that has one, as written (legacy records belong to it); absent: none yet. */
  firstRepository?: { value: unknown };
}

export interface SummaryFile {
  version: number;
  /** The history file this was made from. */
  file: { size: number; mtimeMs: number; ino: number; dev: number };
  /** Every complete line before this offset is folded into `fold`. */
  offset: number;
  /** base64 of the bytes just before `offset`. */
  anchor: string;
  fold: Fold;
  /** The last line when it has no `\n` yet but reads as a record (a hand edit): counted, not folded. */
  pending: Seen | null;
}

export function emptyFold(): Fold {
  return { all: null, legacy: null, byRepository: {} };
}

function note(agg: Aggregate | null | undefined, seen: Seen): Aggregate {
  const success = isSuccessful(seen.record) ? seen : null;
  if (!agg) return { first: seen, last: seen, lastSuccess: success };
  return { first: agg.first, last: seen, lastSuccess: success ?? agg.lastSuccess };
}

/** Adds one record (the newest so far) to the fold. */
export function foldRecord(fold: Fold, seen: Seen): void {
  fold.all = note(fold.all, seen);
  const repo: unknown = seen.record.repository;
  if (repo === undefined) {
    fold.legacy = note(fold.legacy, seen);
    return;
  }
  fold.firstRepository ??= { value: repo };
  // A repository that is not a string never matches one asked for (as in currentEpoch): counted in `all` only.
  if (typeof repo === 'string')
    fold.byRepository[repo] = note(Object.hasOwn(fold.byRepository, repo) ? fold.byRepository[repo] : null, seen);
}

function later(a: Seen | null, b: Seen | null): Seen | null {
  if (!a) return b;
  if (!b) return a;
  return b.at > a.at ? b : a;
}

function merge(a: Aggregate | null, b: Aggregate): Aggregate {
  if (!a) return b;
  return {
    first: b.first.at < a.first.at ? b.first : a.first,
    last: later(a.last, b.last)!,
    lastSuccess: later(a.lastSuccess, b.lastSuccess),
  };
}

/** Which records belong to the epoch of `repository` (see currentEpoch), as a predicate and the aggregate. */
export interface Epoch {
  belongs(r: RunRecord): boolean;
  aggregate: Aggregate | null;
  /** When the epoch has no record: the last record of any repository (overdue counts from its end). */
  lastAny: Seen | null;
}

export function epochOf(fold: Fold, repository: string | undefined, same: (a: string, b: string) => boolean): Epoch {
  if (repository === undefined) return { belongs: () => true, aggregate: fold.all, lastAny: fold.all?.last ?? null };
  const memo = new Map<string, boolean>();
  const matches = (v: unknown): boolean => {
    if (typeof v !== 'string') return false;
    let m = memo.get(v);
    if (m === undefined) memo.set(v, (m = same(v, repository)));
    return m;
  };
  const legacyMatches = fold.firstRepository ? matches(fold.firstRepository.value) : true;
  let aggregate: Aggregate | null = null;
  for (const [repo, agg] of Object.entries(fold.byRepository)) if (matches(repo)) aggregate = merge(aggregate, agg);
  if (legacyMatches && fold.legacy) aggregate = merge(aggregate, fold.legacy);
  return {
    belongs: (r) => (r.repository === undefined ? legacyMatches : matches(r.repository)),
    aggregate,
    lastAny: fold.all?.last ?? null,
  };
}

function fingerprint(st: Stats): SummaryFile['file'] {
  return { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino, dev: st.dev };
}

async function anchorAt(handle: FileHandle, offset: number): Promise<string> {
  const len = Math.min(ANCHOR, offset);
  const buf = Buffer.alloc(len);
  const { bytesRead } = await handle.read(buf, 0, len, offset - len);
  return buf.subarray(0, bytesRead).toString('base64');
}

/** Folds the lines of [from, to) into `base`; the unterminated last line, when a record, becomes `pending`. */
async function extend(handle: FileHandle, st: Stats, base: Fold, from: number): Promise<SummaryFile> {
  let offset = from;
  let pending: Seen | null = null;
  for await (const line of forwardLines(handle, from, st.size)) {
    const record = parseRecord(line.bytes.toString('utf8'));
    if (!line.complete) {
      pending = record ? { at: line.at, end: line.at + line.bytes.length, record } : null;
      break;
    }
    offset = line.at + line.bytes.length + 1;
    if (record) foldRecord(base, { at: line.at, end: offset - 1, record });
  }
  return { version: VERSION, file: fingerprint(st), offset, anchor: await anchorAt(handle, offset), fold: base, pending };
}

function readable(v: unknown): v is SummaryFile {
  if (typeof v !== 'object' || v === null) return false;
  const s = v as Partial<SummaryFile>;
  return (
    s.version === VERSION &&
    typeof s.offset === 'number' &&
    typeof s.anchor === 'string' &&
    typeof s.file === 'object' &&
    s.file !== null &&
    typeof s.fold === 'object' &&
    s.fold !== null &&
    typeof s.fold.byRepository === 'object'
  );
}

export async function readSummaryFile(file: string): Promise<SummaryFile | null> {
  try {
    const v: unknown = JSON.parse(await fs.readFile(file, 'utf8'));
    return readable(v) ? v : null;
  } catch {
    return null;
  }
}

async function writeSummaryFile(file: string, summary: SummaryFile): Promise<void> {
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    await fs.writeFile(tmp, JSON.stringify(summary), { mode: 0o600 });
    await fs.rename(tmp, file);
  } catch {
    // A cache: a full disk or a read-only dir costs the next call a rebuild, never an answer.
    await fs.rm(tmp, { force: true });
  }
}

export type Freshness = 'fresh' | 'grown' | 'rebuilt';

/**
 * The summary of `handle`'s file as `st` describes it: `known` when it still describes these bytes,
 * extended when the file only grew, rebuilt otherwise. Writes the summary file when it changed.
 */
export async function refreshSummary(
  handle: FileHandle,
  st: Stats,
  summaryFile: string,
  known: SummaryFile | null,
): Promise<{ summary: SummaryFile; freshness: Freshness }> {
  const cached = known ?? (await readSummaryFile(summaryFile));
  let summary: SummaryFile;
  let freshness: Freshness;
  const sameFile = cached && cached.file.ino === st.ino && cached.file.dev === st.dev && cached.offset <= st.size;
  if (sameFile && (await anchorAt(handle, cached.offset)) === cached.anchor) {
    if (cached.file.size === st.size && cached.file.mtimeMs === st.mtimeMs) return { summary: cached, freshness: 'fresh' };
    if (st.size >= cached.file.size) {
      // Grown (or touched): the bytes up to `offset` are the ones folded; read from there.
      summary = await extend(handle, st, structuredClone(cached.fold), cached.offset);
      freshness = 'grown';
    } else {
      summary = await extend(handle, st, emptyFold(), 0);
      freshness = 'rebuilt';
    }
  } else {
    summary = await extend(handle, st, emptyFold(), 0);
    freshness = 'rebuilt';
  }
  await writeSummaryFile(summaryFile, summary);
  return { summary, freshness };
}
