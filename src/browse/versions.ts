/** "Versions of this file": which archives hold a path, newest first, and where it changed. */
import type { EntryType } from '../repo/contents.js';

export interface FileVersion {
  archive: string;
  /** When the archive was started (ISO). */
  time: string;
  type: EntryType;
  size: number;
  mtime: string | null;
  /**
   * Whether it differs (type, size or modification time) from the next older version listed;
   * null for the oldest, which has nothing to be compared with.
   */
  changed: boolean | null;
}

export interface Sighting {
  archive: string;
  time: string;
  /** The path in that archive, or null when it is not there. */
  stat: { type: EntryType; size: number; mtime: string | null } | null;
}

/** The archives that hold the path, newest first (by start time, then name), each compared with the next older one. */
export function versionsOf(sightings: Sighting[]): FileVersion[] {
  const held = sightings
    .filter((s): s is Sighting & { stat: NonNullable<Sighting['stat']> } => s.stat !== null)
    .sort((a, b) => (a.time < b.time ? 1 : a.time > b.time ? -1 : a.archive < b.archive ? 1 : a.archive > b.archive ? -1 : 0));
  return held.map((s, i) => {
    const older = held[i + 1];
    const changed = older ? older.stat.type !== s.stat.type || older.stat.size !== s.stat.size || older.stat.mtime !== s.stat.mtime : null;
    return { archive: s.archive, time: s.time, type: s.stat.type, size: s.stat.size, mtime: s.stat.mtime, changed };
  });
}
