/**
 * What the Browse Backups window says, as pure functions: an archive in the list, a row's kind and
 * size, the breadcrumb, what changed between versions of a file, a restore's progress and result,
 * and when a profile's backups were last verified and proven restorable. Times in the user's words
 * and zone (never ISO), counts with the right plural.
 */
import { dayAndTime, formatBytes, formatCount, plural } from '../shared/format.js';
import { timeAgo } from '../../src/format.js';
import type { ArchiveSummary, EntryType, FileVersion, FolderEntry, OpProgress, RestoreResult } from './types.js';

/** An archive as the list shows it: when (local words), then size and file count where our records know them. */
export function archiveWords(a: ArchiveSummary, now: Date): { when: string; detail: string | null } {
  const t = new Date(a.start);
  const when = Number.isNaN(t.getTime()) ? a.name : dayAndTime(t, now);
  const parts: string[] = [];
  if (a.originalSize !== null) parts.push(formatBytes(a.originalSize));
  if (a.nfiles !== null) parts.push(plural(a.nfiles, 'file'));
  return { when, detail: parts.length ? parts.join(' · ') : null };
}

/** Newest first, as Time Machine's timeline; ties (same second) by name, so the order never flickers. */
export function newestFirst<T extends { start: string; name: string }>(archives: readonly T[]): T[] {
  return [...archives].sort((a, b) => (a.start < b.start ? 1 : a.start > b.start ? -1 : a.name < b.name ? 1 : a.name > b.name ? -1 : 0));
}

const KIND: Record<EntryType, string> = { dir: 'Folder', file: 'File', link: 'Symbolic link', other: 'Special file' };

export function kindWord(type: EntryType): string {
  return KIND[type] ?? KIND.other;
}

/** A row's size column: folders have none (their size would need the whole subtree). */
export function sizeWord(e: Pick<FolderEntry, 'type' | 'size'>): string {
  return e.type === 'dir' ? '--' : formatBytes(e.size);
}

/** A row's date column; a folder that exists only because something below it was saved has none. */
export function modifiedWord(mtime: string | null, now: Date): string {
  if (!mtime) return '--';
  const t = new Date(mtime);
  return Number.isNaN(t.getTime()) ? '--' : dayAndTime(t, now);
}

export interface Crumb {
  label: string;
  /** The folder it opens ('' = the archive's top level). */
  folder: string;
}

/** The path from the archive's top level to `folder`, one crumb per folder; the top is called `top`. */
export function crumbs(folder: string, top: string): Crumb[] {
  const out: Crumb[] = [{ label: top, folder: '' }];
  const parts = folder.split('/').filter((p) => p !== '');
  parts.forEach((label, i) => out.push({ label, folder: parts.slice(0, i + 1).join('/') }));
  return out;
}

/** The folder above `folder` ('' stays ''). */
export function parentOf(folder: string): string {
  const i = folder.lastIndexOf('/');
  return i < 0 ? '' : folder.slice(0, i);
}

/** The child of `to` on the way down to `from` (going up from `from` lands on it), or null when `from` is not below `to`. */
export function childTowards(to: string, from: string): string | null {
  const prefix = to ? `${to}/` : '';
  if (!from.startsWith(prefix) || from === to) return null;
  const rest = from.slice(prefix.length);
  const slash = rest.indexOf('/');
  return prefix + (slash < 0 ? rest : rest.slice(0, slash));
}

/** The folder an archive path is in. */
export const folderOf = parentOf;

let collator: Intl.Collator | null = null;
/** Finder's order: folders first, then names as a person reads them (`file2` before `file10`), ties by code point. */
export function finderCompare(a: Pick<FolderEntry, 'name' | 'type'>, b: Pick<FolderEntry, 'name' | 'type'>): number {
  collator ??= new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });
  return (
    Number(b.type === 'dir') - Number(a.type === 'dir') ||
    collator.compare(a.name, b.name) ||
    (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
  );
}

/** Search results: by the folder they are in (natural order), then Finder's order within it. */
export function searchOrder(entries: readonly FolderEntry[]): FolderEntry[] {
  collator ??= new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });
  const c = collator;
  return [...entries].sort((a, b) => c.compare(folderOf(a.path), folderOf(b.path)) || finderCompare(a, b));
}

export type Change = 'first' | 'changed' | 'same';

export interface VersionRow extends FileVersion {
  /** Against the next older version that holds the file: its size or modification time differ, or not. */
  change: Change;
}

/**
 * The versions of a file, newest first, each marked changed or the same as the one before it: the
 * engine's own `changed` when it says (null for the oldest), else type, size and modification time compared.
 */
export function versionRows(versions: readonly FileVersion[]): VersionRow[] {
  const oldestFirst = [...versions].sort((a, b) =>
    a.time < b.time ? -1 : a.time > b.time ? 1 : a.archive < b.archive ? -1 : a.archive > b.archive ? 1 : 0,
  );
  const rows: VersionRow[] = oldestFirst.map((v, i) => {
    const before = oldestFirst[i - 1];
    if (!before) return { ...v, change: 'first' };
    if (typeof v.changed === 'boolean') return { ...v, change: v.changed ? 'changed' : 'same' };
    const same = before.type === v.type && before.size === v.size && before.mtime === v.mtime;
    return { ...v, change: same ? 'same' : 'changed' };
  });
  return rows.reverse();
}

export function changeWord(change: Change): string {
  return change === 'first' ? 'Oldest version' : change === 'changed' ? 'Changed' : 'Unchanged';
}

/** How many distinct versions (changes) the list holds: "3 versions in 12 backups". */
export function versionsSummary(rows: readonly VersionRow[]): string {
  const distinct = rows.filter((r) => r.change !== 'same').length;
  if (rows.length === 0) return 'No backup holds this file.';
  return `${plural(distinct, 'version')} in ${plural(rows.length, 'backup')}`;
}

/** What is being restored, for the sheet's title: "Restoring “report.pdf”", "Restoring 3 items". */
export function restoreTitle(paths: readonly string[], inPlace: boolean): string {
  const what = paths.length === 1 ? `“${paths[0]!.split('/').pop()}”` : plural(paths.length, 'item');
  return `${inPlace ? 'Putting back' : 'Restoring'} ${what}`;
}

/** The live line under the progress bar: "42% · 1,234 files · 56.7 MB". */
export function progressWords(p: OpProgress | null): { percent: string | null; figures: string; path: string } {
  if (!p) return { percent: null, figures: 'Starting…', path: '' };
  // The repository is busy (a backup of it): said, and the restore starts by itself after it.
  if (p.waitingFor) return { percent: null, figures: `Waiting for the ${p.waitingFor} to finish…`, path: '' };
  const percent = p.percent === null ? null : `${Math.floor(p.percent)}%`;
  const figures = [percent, plural(p.nfiles, 'file'), formatBytes(p.bytes)].filter(Boolean).join(' · ');
  return { percent, figures, path: p.path };
}

/** The end of a restore in words: the headline and what a person wants to know next. */
export function resultWords(r: RestoreResult, inPlace: boolean): { title: string; lines: string[] } {
  const files = plural(r.files, 'file');
  const lines: string[] = [];
  if (inPlace) {
    const title = r.files === 0 && r.identical > 0 ? 'Everything was already in place' : `Put back ${files} (${formatBytes(r.bytes)})`;
    if (r.identical > 0) lines.push(`${plural(r.identical, 'file was', 'files were')} already the same and left alone.`);
    if (r.keptBoth.length > 0)
      lines.push(
        `${plural(r.keptBoth.length, 'file has', 'files have')} changed since this backup: kept as ${
          r.keptBoth.length === 1 ? 'it is' : 'they are'
        }, with the restored ${r.keptBoth.length === 1 ? 'copy' : 'copies'} beside ${r.keptBoth.length === 1 ? 'it' : 'them'}.`,
      );
    return { title, lines };
  }
  const title = `Restored ${files} (${formatBytes(r.bytes)})`;
  if (r.folder) lines.push(`Into the new folder ${r.folder}`);
  return { title, lines };
}

/** "Verified 3 days ago", "Not verified yet"; `overdue` adds that it is due. */
export function verifiedWords(lastVerified: string | null | undefined, overdue: boolean, now: Date): string {
  const base = lastVerified ? `Verified ${timeAgo(new Date(lastVerified), now)}` : 'Not verified yet';
  return overdue ? `${base} · verification overdue` : base;
}

/** "Restore proven 2 days ago", "Restore not proven yet". */
export function provenWords(lastProven: string | null | undefined, now: Date): string {
  return lastProven ? `Restore proven ${timeAgo(new Date(lastProven), now)}` : 'Restore not proven yet';
}

/** A count for a screen reader's announcement: "1,204 items". */
export function itemsWord(n: number): string {
  return `${formatCount(n)} ${n === 1 ? 'item' : 'items'}`;
}
