import fs from 'node:fs/promises';
import path from 'node:path';
import { isSuccessful, type RunRecord } from '../records.js';
import { lexicalRepository } from '../borg/location.js';

function sameLocation(a: string, b: string): boolean {
  try {
    return lexicalRepository(a) === lexicalRepository(b);
  } catch {
    return false;
  }
}

/** What status and summaries read from a line: an object with the start, end and result of a run. */
function isRecordLike(v: unknown): v is RunRecord {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const r = v as Record<string, unknown>;
  return typeof r.startedAt === 'string' && typeof r.finishedAt === 'string' && typeof r.result === 'string';
}

/** One JSON line per run, appended; small enough (a line a day) to read whole. */
export class History {
  constructor(private readonly dir: string) {}

  private file(profile: string): string {
    return path.join(this.dir, `${profile}.jsonl`);
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
    } finally {
      await handle.close();
    }
  }

  async list(profile: string): Promise<RunRecord[]> {
    let text: string;
    try {
      text = await fs.readFile(this.file(profile), 'utf8');
    } catch {
      return [];
    }
    const out: RunRecord[] = [];
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        // A line cut short by a crash: skip it, keep the rest.
        continue;
      }
      // Valid JSON that is not a run (a hand edit, `null`, another tool's line) is skipped the same way.
      if (isRecordLike(value)) out.push(value);
    }
    return out;
  }

  /** The records that speak of `repository` (see `summarize`); all of them when no repository is given. */
  async summary(profile: string, repository?: string): Promise<HistorySummary> {
    return summarize(await this.list(profile), repository);
  }
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
  // Compared in one spelling (`~`, `./`, a trailing slash, ssh's default port), so respelling the same repository keeps its history.
  const same = (a: string, b: string) => a === b || sameLocation(a, b);
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
