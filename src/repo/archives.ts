/**
 * The profile's archives, as the archives window shows them: borg's list joined with what each run
 * recorded (sizes, file count, duration), so no archive needs a `borg info` of its own.
 */
import { listArgs } from '../borg/argv.js';
import type { BorgFeatures } from '../borg/features.js';
import type { ArchiveStats, RunRecord } from '../records.js';
import { borgTime, failureOf, unreadable, type Failure, type RepoCommand } from './types.js';

export interface ArchiveSummary {
  name: string;
  id: string;
  /** UTC ISO time the archive was started. */
  start: string;
  nfiles: number | null;
  originalSize: number | null;
  deduplicatedSize: number | null;
  durationSeconds: number | null;
}

/** borg's name for the archive an interrupted `borg create` leaves: `<name>.checkpoint` or `<name>.checkpoint.N`. */
export function isCheckpoint(name: string): boolean {
  return /\.checkpoint(\.\d+)?$/.test(name);
}

/** One archive as `borg list --json` names it. */
export interface ListedArchive {
  name: string;
  id: string;
  start: string;
}

export type ArchivesResult =
  | {
      ok: true;
      archives: ArchiveSummary[];
      /** borg's id of the repository (what archive indexes are kept under); null when borg did not say. */
      repositoryId: string | null;
    }
  | Failure;

/** The repository's id in `borg list --json` / `borg info --json` output, or null. */
export function parseRepositoryId(stdout: string): string | null {
  try {
    const id = (JSON.parse(stdout) as { repository?: { id?: unknown } } | null)?.repository?.id;
    return typeof id === 'string' && /^[0-9a-f]+$/.test(id) ? id : null;
  } catch {
    return null;
  }
}

/** Reads `borg list --json`; null when it is not that shape. */
export function parseArchiveList(stdout: string): ListedArchive[] | null {
  let json: unknown;
  try {
    json = JSON.parse(stdout);
  } catch {
    return null;
  }
  const list = (json as { archives?: unknown } | null)?.archives;
  if (!Array.isArray(list)) return null;
  const out: ListedArchive[] = [];
  for (const a of list as Record<string, unknown>[]) {
    if (typeof a?.name !== 'string' || typeof a.id !== 'string') continue;
    out.push({ name: a.name, id: a.id, start: borgTime(a.start) ?? borgTime(a.time) ?? '' });
  }
  return out;
}

/**
 * Joins archives with the history records that made them. A record counts when it names the archive,
 * has stats and went to this repository (records from before `repository` was recorded count too);
 * the latest such record wins. Archives made outside Dandelion get nulls.
 */
/** Stats by archive name for the names asked: from our own run records, read however the caller likes (e.g. from the end). */
export type StatsLookup = (names: ReadonlySet<string>) => Promise<Map<string, ArchiveStats>>;

export function statsFromRecords(history: RunRecord[], repository: string): Map<string, ArchiveStats> {
  const stats = new Map<string, ArchiveStats>();
  for (const r of history) {
    if (!r.archive || !r.stats) continue;
    if (r.repository !== undefined && r.repository !== repository) continue;
    stats.set(r.archive, r.stats);
  }
  return stats;
}

export function withStats(archives: ListedArchive[], stats: Map<string, ArchiveStats>): ArchiveSummary[] {
  return archives.map((a) => {
    const s = stats.get(a.name);
    return {
      name: a.name,
      id: a.id,
      start: a.start,
      nfiles: s?.nfiles ?? null,
      originalSize: s?.originalSize ?? null,
      deduplicatedSize: s?.deduplicatedSize ?? null,
      durationSeconds: s?.durationSeconds ?? null,
    };
  });
}

export function joinArchiveStats(archives: ListedArchive[], history: RunRecord[], repository: string): ArchiveSummary[] {
  return withStats(archives, statsFromRecords(history, repository));
}

/** `borg list --json`, scoped to the profile's archives by `--glob-archives` derived from `archiveName`. */
export async function listArchives(
  cmd: RepoCommand,
  repository: string,
  features: BorgFeatures,
  archiveName: string | undefined,
  history: RunRecord[] | StatsLookup,
  opts: { checkpoints?: boolean } = {},
): Promise<ArchivesResult> {
  const result = await cmd(listArgs(repository, features, archiveName, opts), { captureStdout: true });
  if (result.level === 'error') return failureOf(result, repository);
  const listed = parseArchiveList(result.stdout);
  if (!listed) return unreadable(repository, 'archive list');
  const stats = Array.isArray(history) ? statsFromRecords(history, repository) : await history(new Set(listed.map((a) => a.name)));
  return { ok: true, archives: withStats(listed, stats), repositoryId: parseRepositoryId(result.stdout) };
}
