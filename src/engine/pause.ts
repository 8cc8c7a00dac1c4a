/**
 * Pausing automatic backups, as one small file every process reads (locks/pause.json, written
 * atomically): the app, the daemon and the CLI honour the same pause whoever owns the schedules.
 * Scheduled, catch-up, retry and disk-triggered runs do not start while it holds; Back Up Now and
 * `dandelion run` still work and leave the pause as it is (as Time Machine's Back Up Now works
 * with automatic backups off). A pause ends by itself at `until` (null: when the user resumes).
 * The decisions (until when, is it still in force) are pure; time is an argument.
 */
import fs from 'node:fs/promises';
import type { ConfigPaths } from '../paths.js';
import { writeFileAtomic } from '../profiles/store.js';

export interface PauseState {
  /** When the pause began (ISO). */
  since: string;
  /** When it ends by itself (ISO); null: until the user resumes. */
  until: string | null;
}

/** What the menu and the CLI offer: an hour (or any length), until tomorrow, or until resumed. */
export type PauseChoice = { for: 'hour' } | { for: 'tomorrow' } | { for: 'ever' } | { for: 'ms'; ms: number };

/**
 * When a pause chosen at `now` ends. "Until tomorrow" is the start of the next calendar day in the
 * local zone: midnight at whatever offset that night has, never "now + 24 h".
 */
export function pauseEnd(choice: PauseChoice, now: Date): Date | null {
  switch (choice.for) {
    case 'hour':
      return new Date(now.getTime() + 3_600_000);
    case 'ms':
      return new Date(now.getTime() + choice.ms);
    case 'tomorrow':
      return new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1, 0, 0, 0, 0);
    case 'ever':
      return null;
  }
}

/** The pause in force at `now`, or null (none, or it has ended). */
export function activePause(p: PauseState | null, now: Date): PauseState | null {
  if (!p) return null;
  if (p.until !== null && Date.parse(p.until) <= now.getTime()) return null;
  return p;
}

/** "1h", "30m", "2d", "90s" → milliseconds; null when it is not such a length (or not above zero). */
export function parseDuration(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(s|m|min|h|d)\s*$/i.exec(text);
  if (!m) return null;
  const unit = { s: 1000, m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000 }[m[2]!.toLowerCase() as 's' | 'm' | 'min' | 'h' | 'd'];
  const ms = Math.round(Number(m[1]) * unit);
  return ms > 0 ? ms : null;
}

export async function readPause(paths: ConfigPaths): Promise<PauseState | null> {
  try {
    const raw = JSON.parse(await fs.readFile(paths.pause, 'utf8')) as Partial<PauseState> | null;
    if (!raw || typeof raw.since !== 'string') return null;
    const until = typeof raw.until === 'string' && !Number.isNaN(Date.parse(raw.until)) ? raw.until : null;
    return { since: raw.since, until };
  } catch {
    return null;
  }
}

export async function writePause(paths: ConfigPaths, state: PauseState): Promise<void> {
  await writeFileAtomic(paths.pause, JSON.stringify(state));
}

/** Ends the pause; with `onlySince`, only the pause that began then (a newer one chosen meanwhile stays). */
export async function clearPause(paths: ConfigPaths, onlySince?: string): Promise<void> {
  if (onlySince !== undefined) {
    const now = await readPause(paths);
    if (!now || now.since !== onlySince) return;
  }
  await fs.rm(paths.pause, { force: true });
}
