/**
 * When each repository's key was last exported (`cache/key-exports.json`), so status and doctor stop
 * warning about a keyfile key that exists only on this computer. Times only, never the key. A
 * missing or damaged file means no export is known: the warning shows, which is the safe side.
 */
import { readKeyedFile, writeKeyedFile } from '../keyed-file.js';

export type KeyExportLog = Record<string, { exportedAt: string }>;

function pick(entry: unknown): { exportedAt: string } | null {
  const at = (entry as { exportedAt?: unknown } | null)?.exportedAt;
  return typeof at === 'string' && !Number.isNaN(Date.parse(at)) ? { exportedAt: at } : null;
}

export class KeyExports {
  constructor(readonly file: string) {}

  all(): Promise<KeyExportLog> {
    return readKeyedFile(this.file, pick);
  }

  async record(repository: string, at = new Date()): Promise<void> {
    const log = await this.all();
    log[repository] = { exportedAt: at.toISOString() };
    await writeKeyedFile(this.file, log);
  }
}
