/**
 * Small JSON files keyed by repository location (cache/repositories.json, cache/key-exports.json):
 * read leniently — a missing, unreadable or damaged file, or an entry of the wrong shape, is simply
 * not known — and written atomically, mode 0600.
 */
import fs from 'node:fs/promises';
import { writeFileAtomic } from './profiles/store.js';

export async function readKeyedFile<T>(file: string, pick: (entry: unknown) => T | null): Promise<Record<string, T>> {
  let json: unknown;
  try {
    json = JSON.parse(await fs.readFile(file, 'utf8'));
  } catch {
    return {};
  }
  const out: Record<string, T> = {};
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return out;
  for (const [key, entry] of Object.entries(json)) {
    const value = pick(entry);
    if (value !== null) out[key] = value;
  }
  return out;
}

export function writeKeyedFile<T>(file: string, entries: Record<string, T>): Promise<void> {
  return writeFileAtomic(file, JSON.stringify(entries, null, 2) + '\n', 0o600);
}
