import fs from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { isSuccessful, type ArchiveStats, type RunRecord } from '../records.js';
import { lexicalRepository } from '../borg/location.js';
import { backwardLines, parseRecord } from './history-tail.js';
import { emptyFold, epochOf, foldRecord, refreshSummary, type Fold, type SummaryFile } from './history-index.js';

function sameLocation(a: string, b: string): boolean {
  try {
    return lexicalRepository(a) === lexicalRepository(b);
  } catch {
    return false;
  }
}

/** Compared in one spelling (`~`, `./`, a trailing slash, ssh's default port), so respelling the same repository keeps its history. */
const same = (a: string, b: string) => a === b || sameLocation(a, b);

/**
 * One JSON line per run, appended. Ten years of hourly runs are 32 MB, so nothing a face calls often
 * reads the file whole: `summary` answers from history/<profile>.summary.json (see history-index.ts),
 * `recent`, `errorsInARow` and `statsByArchive` read backwards from the end in 64 KiB steps and stop
 * at the first record of the repository's epoch. Only `list` reads everything.
 */
export class History {
  /** The summary last read or made per profile: checked against the file at every use, so never trusted stale. */
  private readonly known = new Map<string, SummaryFile>();

  constructor(private readonly dir: string) {}

  private file(profile: string): string {
    return path.join(this.dir, `${profile}.jsonl`);
  }

  private summaryFile(profile: string): string {
    return path.join(this.dir, `${profile}.summary.json`);
  }

  async append(record: RunRecord): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
    const handle = await fs.open(this.file(record.profile), 'a+', 0o600);
    try {
      // A line cut short by a crash must not swallow the next record: start on a fresh line.
      const { size } = await handle.stat();
      const last = Buffer.alloc(1);
      if (size > 0) await handle.read(last, 0, 1, size - 1);
      const sep = size > 0 && last.toString() !== '\n' ? '\n' : '';
      await handle.appendFile(sep + JSON.stringify(record) + '\n');
      try {
        await this.refresh(record.profile, handle);
      } catch {
        // The record is written; the summary catches up at the next read.
      }
    } finally {
      await handle.close();
    }
  }

  private async refresh(profile: string, handle: FileHandle): Promise<SummaryFile> {
    const { summary } = await refreshSummary(handle, await handle.stat(), this.summaryFile(profile), this.known.get(profile) ?? null);
    this.known.set(profile, summary);
    return summary;
  }

  /** Runs `use` on the open history file and its up-to-date summary; null when there is no history file. */
  private async withSummary<T>(profile: string, use: (handle: FileHandle, summary: SummaryFile) => Promise<T>): Promise<T | null> {
    let handle: FileHandle;
    try {
      handle = await fs.open(this.file(profile), 'r');
    } catch {
      this.known.delete(profile);
      return null;
    }
    try {
      return await use(handle, await this.refresh(profile, handle));
    } finally {
      await handle.close();
    }
  }

  /** Every record, oldest first: reads and parses the whole file (tests, tools); faces use the calls below. */
  async list(profile: string): Promise<RunRecord[]> {
    let text: string;
    try {
      text = await fs.readFile(this.file(profile), 'utf8');
    } catch {
      return [];
    }
    const out: RunRecord[] = [];
    // A line cut short by a crash, or valid JSON that is not a run (a hand edit, `null`, another tool's line): skipped, the rest kept.
    for (const line of text.split('\n')) {
      const record = parseRecord(line);
      if (record) out.push(record);
    }
    return out;
  }

  /** summarize(list(profile), repository), from the summary file: a few hundred bytes read when nothing changed. */
  async summary(profile: string, repository?: string): Promise<HistorySummary> {
    const fold = await this.withSummary(profile, async (_handle, s) => withPending(s));
    const epoch = epochOf(fold ?? emptyFold(), repository, same);
    const agg = epoch.aggregate;
    if (agg) return { lastRun: agg.last.record, lastSuccess: agg.lastSuccess?.record ?? null, firstRunAt: agg.first.record.startedAt };
    return { lastRun: null, lastSuccess: null, firstRunAt: repository === undefined ? null : (epoch.lastAny?.record.finishedAt ?? null) };
  }

  /**
   * The records of `repository`'s epoch (see currentEpoch; all records when none is given), newest
   * first, read backwards from the end; stops where the epoch begins. Break out early to read less.
   */
  async *newestFirst(profile: string, repository?: string): AsyncGenerator<RunRecord> {
    let handle: FileHandle;
    try {
      handle = await fs.open(this.file(profile), 'r');
    } catch {
      return;
    }
    try {
      const summary = await this.refresh(profile, handle);
      const epoch = epochOf(withPending(summary), repository, same);
      if (!epoch.aggregate) return;
      // Between the epoch's first and last line: nothing after its newest record belongs to it.
      for await (const line of backwardLines(handle, epoch.aggregate.first.at, epoch.aggregate.last.end)) {
        const record = parseRecord(line.bytes.toString('utf8'));
        if (record && epoch.belongs(record)) yield record;
      }
    } finally {
      await handle.close();
    }
  }

  /** The last `n` runs of `repository`'s epoch, newest first (a window's history list). */
  async recent(profile: string, n: number, repository?: string): Promise<RunRecord[]> {
    const out: RunRecord[] = [];
    if (n <= 0) return out;
    for await (const r of this.newestFirst(profile, repository)) if (out.push(r) >= n) break;
    return out;
  }

  /** Failed runs in a row, counted from the newest run of `repository`'s epoch (the retry backoff). */
  async errorsInARow(profile: string, repository?: string): Promise<number> {
    let n = 0;
    for await (const r of this.newestFirst(profile, repository)) {
      if (r.result !== 'error') break;
      n++;
    }
    return n;
  }

  /**
   * How many files the newest archive a run of `repository`'s epoch made holds (success or warning,
   * with stats), or null when no run made one: what the next backup is compared with.
   */
  async lastArchiveFiles(profile: string, repository: string): Promise<number | null> {
    for await (const r of this.newestFirst(profile, repository)) {
      // A hollow archive counts too: after it has been reported once, a smaller set of files is the new normal.
      if (r.archive && r.stats && (r.result === 'success' || r.result === 'warning')) return r.stats.nfiles;
    }
    return null;
  }

  /**
   * The stats our runs recorded for the archives `names`, the newest record of each winning, read
   * backwards until every name is found or the epoch begins. The same records joinArchiveStats
   * would pick from the epoch: named, with stats, and without a repository or with this very one.
   */
  async statsByArchive(profile: string, repository: string, names: ReadonlySet<string>): Promise<Map<string, ArchiveStats>> {
    const found = new Map<string, ArchiveStats>();
    if (names.size === 0) return found;
    for await (const r of this.newestFirst(profile, repository)) {
      if (!r.archive || !r.stats || found.has(r.archive) || !names.has(r.archive)) continue;
      if (r.repository !== undefined && r.repository !== repository) continue;
      found.set(r.archive, r.stats);
      if (found.size === names.size) break;
    }
    return found;
  }
}

/** The summary's fold with the unterminated last line counted, as `list` counts it. */
function withPending(s: SummaryFile): Fold {
  if (!s.pending) return s.fold;
  const fold = structuredClone(s.fold);
  foldRecord(fold, s.pending);
  return fold;
}

export interface HistorySummary {
  lastRun: RunRecord | null;
  lastSuccess: RunRecord | null;
  /** When this profile's history with this repository began: its first record, or the moment it was pointed here. */
  firstRunAt: string | null;
}

/**
 * A profile pointed at another repository starts afresh: nothing borg did for the old one says the
 * new one holds a backup. Records carry the repository they went to, and only those of the current
 * repository count (pointed back, the old repository's backups count again: they are still there).
 * Records from before repositories were recorded belong to the first repository recorded after
 * them, or to the current one.
 */
export function currentEpoch(records: RunRecord[], repository?: string): { records: RunRecord[]; since: string | null } {
  if (repository === undefined) return { records, since: records[0]?.startedAt ?? null };
  const legacy = records.find((r) => r.repository !== undefined)?.repository ?? repository;
  const epoch = records.filter((r) => same(r.repository ?? legacy, repository));
  if (epoch.length) return { records: epoch, since: epoch[0]!.startedAt };
  // Never backed up there: overdue counts from when the profile was pointed here (after its last run elsewhere).
  return { records: epoch, since: records.at(-1)?.finishedAt ?? null };
}

export function summarize(records: RunRecord[], repository?: string): HistorySummary {
  const { records: epoch, since } = currentEpoch(records, repository);
  return { lastRun: epoch.at(-1) ?? null, lastSuccess: epoch.findLast(isSuccessful) ?? null, firstRunAt: since };
}
