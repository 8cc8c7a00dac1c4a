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

  async summary(profile: string): Promise<{ lastRun: RunRecord | null; lastSuccess: RunRecord | null; firstRunAt: string | null }> {
    const all = await this.list(profile);
    const lastSuccess = all.findLast(isSuccessful) ?? null;
    return { lastRun: all.at(-1) ?? null, lastSuccess, firstRunAt: all[0]?.startedAt ?? null };
  }
}
