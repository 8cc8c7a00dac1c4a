/**
 * Records of what Dandelion does to a repository besides backing up: restores, checks and restore
 * drills. They live apart from the backup history (operations/<profile>.jsonl): a restore that
 * succeeded must never read as "backed up", and a failed check must not count as a failed backup
 * in a row (retries, notifications, "Last backup failed"). The windows merge both lists by time.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Diagnosis } from '../diagnosis.js';
import type { RunResult, Trigger } from '../records.js';
import { backwardLines } from '../jobs/history-tail.js';

export type OpKind = 'restore' | 'check' | 'drill';

export interface OpRecord {
  kind: OpKind;
  profile: string;
  repository: string;
  /** What asked for it: the user (manual) or the schedule after a backup. */
  trigger: Trigger;
  startedAt: string;
  finishedAt: string;
  /** success, warning, error or cancelled; never `skipped`. */
  result: RunResult;
  /** The archive it read (restore, drill), null for a check of the whole repository. */
  archive: string | null;
  message: string | null;
  diagnoses: Diagnosis[];
  /** The operation's own log file, as for backups. */
  log: string | null;
  /** What the kind measured: files and bytes restored or proven, sample matches, the folder written… */
  details?: Record<string, unknown>;
}

function isOpRecord(v: unknown): v is OpRecord {
  if (!v || typeof v !== 'object') return false;
  const r = v as Partial<OpRecord>;
  return (
    (r.kind === 'restore' || r.kind === 'check' || r.kind === 'drill') &&
    typeof r.profile === 'string' &&
    typeof r.startedAt === 'string' &&
    typeof r.result === 'string'
  );
}

/** One JSON line per operation, appended; read backwards from the end, so old lines cost nothing. */
export class OpHistory {
  constructor(private readonly dir: string) {}

  file(profile: string): string {
    return path.join(this.dir, `${profile}.jsonl`);
  }

  async append(record: OpRecord): Promise<void> {
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

  /** The newest records first, at most `limit`, of one kind when asked. Lines that are not records are skipped. */
  async recent(profile: string, opts: { kind?: OpKind; limit?: number; repository?: string } = {}): Promise<OpRecord[]> {
    const limit = opts.limit ?? 50;
    const out: OpRecord[] = [];
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(this.file(profile), 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return out;
      throw err;
    }
    try {
      const { size } = await handle.stat();
      for await (const line of backwardLines(handle, 0, size)) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(line.bytes.toString('utf8'));
        } catch {
          continue;
        }
        if (!isOpRecord(parsed)) continue;
        if (opts.kind && parsed.kind !== opts.kind) continue;
        if (opts.repository !== undefined && parsed.repository !== opts.repository) continue;
        out.push(parsed);
        if (out.length >= limit) break;
      }
    } finally {
      await handle.close();
    }
    return out;
  }

  /** The newest record of `kind` that succeeded (success or warning), or null. */
  async lastSuccess(profile: string, kind: OpKind, repository?: string): Promise<OpRecord | null> {
    const recent = await this.recent(profile, { kind, repository, limit: 10_000 });
    return recent.find((r) => r.result === 'success' || r.result === 'warning') ?? null;
  }
}
