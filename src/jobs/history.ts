import fs from 'node:fs/promises';
import path from 'node:path';
import { isSuccessful, type RunRecord } from '../records.js';

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
      try {
        out.push(JSON.parse(line) as RunRecord);
      } catch {
        // A line cut short by a crash: skip it, keep the rest.
      }
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
 * A profile pointed at another repository starts a fresh epoch: nothing borg did for the old one
 * says the new one holds a backup. Records carry the repository they went to; the epoch begins after
 * the last record that went elsewhere. Records from before repositories were recorded count for the
 * current one.
 */
export function currentEpoch(records: RunRecord[], repository?: string): { records: RunRecord[]; since: string | null } {
  if (repository === undefined) return { records, since: records[0]?.startedAt ?? null };
  let start = 0;
  for (let i = records.length - 1; i >= 0; i--) {
    const r = records[i]!.repository;
    if (r !== undefined && r !== repository) {
      start = i + 1;
      break;
    }
  }
  const epoch = start === 0 ? records : records.slice(start);
  // Pointed here after the last record elsewhere: overdue counts from then, not from the first backup ever.
  const since = epoch[0]?.startedAt ?? (start > 0 ? records[start - 1]!.finishedAt : null);
  return { records: epoch, since };
}

export function summarize(records: RunRecord[], repository?: string): HistorySummary {
  const { records: epoch, since } = currentEpoch(records, repository);
  return { lastRun: epoch.at(-1) ?? null, lastSuccess: epoch.findLast(isSuccessful) ?? null, firstRunAt: since };
}
