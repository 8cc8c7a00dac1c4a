/**
 * Browsing a profile's archives from their indexes: a folder, a search by name, the versions of a
 * path. The first question about an archive reads it once (`borg list --json-lines`, the floor:
 * borg 1.2 has no depth limit) and streams the asked folder's entries while borg is still writing;
 * that pass becomes the archive's index (index-file.ts, store.ts) and every later answer about the
 * archive is read from it without borg.
 *
 * Which archives exist (and their ids) comes from `borg list --json`, kept in memory until a run of
 * the profile ends (recorded in its history) or 15 minutes pass; each such listing drops the indexes
 * of archives it no longer shows.
 */
import type { Profile } from '../profiles/schema.js';
import type { Diagnosis } from '../diagnosis.js';
import { failed, ok, type Outcome } from '../engine/outcome.js';
import { isCheckpoint, type ListedArchive } from '../repo/archives.js';
import { sortEntries, type FolderEntry } from '../repo/contents.js';
import { IndexBuilder } from './builder.js';
import { encodeIndex, IndexDamaged, type ArchiveIndex } from './index-file.js';
import { archiveScope, IndexStore, type OpenedIndex } from './store.js';
import { findMatcher, findNodes, FIND_LIMIT } from './find.js';
import { versionsOf, type FileVersion, type Sighting } from './versions.js';
import { ItemLines } from './item-lines.js';

export type { FileVersion };

export interface FindResult {
  /** Matching entries with their full paths, shallowest first, at most FIND_LIMIT. */
  entries: FolderEntry[];
  /** More matched than were returned. */
  more: boolean;
}

export interface ArchiveList {
  repositoryId: string;
  archives: ListedArchive[];
}

export interface BrowseDeps {
  store: IndexStore;
  /**
   * `borg list --json --consider-checkpoints` of the profile's archives (its `--glob-archives`), with the
   * repository id. `background`: work nobody waits for (lower priority, no repository lock, `signal` stops it).
   */
  listArchives(p: Profile, opts?: Background): Promise<Outcome<ArchiveList>>;
  /** `borg list --json-lines` of one archive, its stdout handed over as it comes. */
  listItems(p: Profile, archive: string, onStdout: (chunk: Buffer) => void, opts?: Background): Promise<Outcome<void>>;
  /** When a run of the profile last ended (ms), or null: a listing older than that may miss archives. */
  lastChange(p: Profile): Promise<number | null>;
  /** The profile's archive pattern, for which indexes a listing can show gone (null: every archive). */
  archiveGlob(p: Profile): string | null;
  diagnose(p: Profile, kind: 'archive-missing' | 'path-missing', facts: { archive?: string; path?: string; summary?: string }): Diagnosis;
  now?(): number;
}

/** How a pass nobody waits for is run (an archive indexed right after its backup). */
export interface Background {
  background?: boolean;
  signal?: AbortSignal;
}

/** A listing is used until a run of the profile ended after it, or for this long. */
export const CATALOG_MAX_AGE_MS = 15 * 60_000;

/** At most this many indexes are kept open (one descriptor each). */
const OPEN_INDEXES = 32;

/** Partial folder entries go out at most this often while borg lists (the first ones at once). */
const PARTIAL_INTERVAL_MS = 100;

/** Is a remembered listing still good? Pure: the time it was made, the last run's end, now. */
export function catalogFresh(fetchedAt: number, lastChange: number | null, now: number): boolean {
  if (now - fetchedAt >= CATALOG_MAX_AGE_MS || now < fetchedAt) return false;
  return lastChange === null || lastChange < fetchedAt;
}

/**
 * The archive a name stands for: `latest` is the newest that is not a checkpoint. borg 1.2 lists
 * start times to the second, in its own order (by time, then as made): of two archives started in
 * the same second, the one listed later was made later.
 */
export function pickArchive(archives: ListedArchive[], name: string): ListedArchive | null {
  if (name === 'latest') {
    let best: ListedArchive | null = null;
    for (const a of archives) if (!isCheckpoint(a.name) && (!best || a.start >= best.start)) best = a;
    return best;
  }
  return archives.find((a) => a.name === name) ?? null;
}

interface Catalog {
  repositoryId: string;
  archives: ListedArchive[];
  fetchedAt: number;
}

interface Build {
  /** The index once written (or kept in memory), or why the pass failed. */
  done: Promise<Outcome<OpenedIndex>>;
}

export interface FolderOptions {
  /** Entries of the folder found so far, while the archive's first pass runs (an entry for a path already given replaces it). */
  onPartial?: (entries: FolderEntry[]) => void;
}

export class ArchiveBrowser {
  private readonly catalogs = new Map<string, Catalog>();
  private readonly open = new Map<string, OpenedIndex>();
  private readonly building = new Map<string, Build>();
  /** Index writes still going on (the answer does not wait for them); `settle()` waits. */
  private readonly writes = new Set<Promise<unknown>>();

  constructor(private readonly deps: BrowseDeps) {}

  private now(): number {
    return this.deps.now?.() ?? Date.now();
  }

  private key(p: Profile): string {
    return `${p.id}\0${p.repository}`;
  }

  /** A listing made elsewhere (the archives window): remembered, and indexes of archives it lacks dropped. */
  async noteListing(p: Profile, list: ArchiveList, opts: { checkpoints?: boolean; fetchedAt?: number } = {}): Promise<string[]> {
    this.catalogs.set(this.key(p), { ...list, fetchedAt: opts.fetchedAt ?? this.now() });
    const gone = await this.deps.store.dropGone(list.repositoryId, list.archives, {
      inScope: archiveScope(this.deps.archiveGlob(p)),
      checkpoints: opts.checkpoints === true,
    });
    for (const id of gone) this.close(`${list.repositoryId}/${id}`);
    return gone;
  }

  private async catalog(p: Profile, refresh = false, bg?: Background): Promise<Outcome<Catalog>> {
    const known = this.catalogs.get(this.key(p));
    if (known && !refresh && catalogFresh(known.fetchedAt, await this.deps.lastChange(p), this.now())) return ok(known);
    const r = await this.deps.listArchives(p, bg);
    if (!r.ok) return r;
    await this.noteListing(p, r.value, { checkpoints: true });
    return ok(this.catalogs.get(this.key(p))!);
  }

  /** The archive `name` ('latest' = the newest) names, from the listing; listed again once if it is not there. */
  async resolve(p: Profile, name: string): Promise<Outcome<{ repositoryId: string; archive: ListedArchive }>> {
    let cat = await this.catalog(p);
    if (!cat.ok) return cat;
    let archive = pickArchive(cat.value.archives, name);
    if (!archive && this.now() - cat.value.fetchedAt > 1000) {
      cat = await this.catalog(p, true);
      if (!cat.ok) return cat;
      archive = pickArchive(cat.value.archives, name);
    }
    if (!archive) return failed(this.deps.diagnose(p, 'archive-missing', name === 'latest' ? {} : { archive: name }));
    return ok({ repositoryId: cat.value.repositoryId, archive });
  }

  private close(key: string): void {
    this.open.get(key)?.close();
    this.open.delete(key);
  }

  /** An index already made (in memory or on disk), or null. */
  private cached(repositoryId: string, archiveId: string): OpenedIndex | null {
    const key = `${repositoryId}/${archiveId}`;
    const held = this.open.get(key);
    if (held) {
      this.open.delete(key);
      this.open.set(key, held); // most recently used last
      return held;
    }
    const opened = this.deps.store.open(repositoryId, archiveId);
    if (!opened) return null;
    this.remember(key, opened);
    return opened;
  }

  private remember(key: string, opened: OpenedIndex): void {
    this.close(key);
    this.open.set(key, opened);
    while (this.open.size > OPEN_INDEXES) this.close(this.open.keys().next().value!);
  }

  /**
   * Reads the archive once and makes its index. `watch`: a folder whose entries are handed to
   * `onPartial` while borg lists, and answered (`first`) as soon as the pass ends, before the index
   * is sorted and written.
   */
  private build(
    p: Profile,
    repositoryId: string,
    archive: ListedArchive,
    watch?: { folder: string; onPartial?: (entries: FolderEntry[]) => void },
    bg?: Background,
  ): { first: Promise<Outcome<FolderEntry[] | null>>; done: Promise<Outcome<OpenedIndex>> } {
    const key = `${repositoryId}/${archive.id}`;
    const builder = new IndexBuilder(watch?.folder);
    let lastPartial = 0;
    const flush = () => {
      const entries = builder.takePartial();
      if (entries.length) watch?.onPartial?.(entries);
      lastPartial = this.now();
    };
    const lines = new ItemLines((item) => builder.addItem(item));
    const pass = this.deps.listItems(
      p,
      archive.name,
      (chunk) => {
        lines.push(chunk);
        if (watch?.onPartial && this.now() - lastPartial >= PARTIAL_INTERVAL_MS) flush();
      },
      bg,
    );
    const first = pass.then((r): Outcome<FolderEntry[] | null> => {
      if (!r.ok) return r;
      lines.end();
      if (watch?.onPartial) flush();
      return ok(watch ? builder.watchedChildren() : null);
    });
    const done = first.then(async (r): Promise<Outcome<OpenedIndex>> => {
      if (!r.ok) return r;
      // After the first answer is on its way: the sort and the write are not what the user waits for.
      await new Promise((resolve) => setImmediate(resolve));
      const meta = { repositoryId, archiveId: archive.id, archive: archive.name, created: new Date(this.now()).toISOString() };
      const bytes = encodeIndex(builder.finish(), meta);
      let opened: OpenedIndex | null = null;
      try {
        await this.deps.store.write(meta, bytes);
        opened = this.deps.store.open(repositoryId, archive.id);
      } catch {
        /* not writable (full disk, read-only cache): this process answers from memory */
      }
      opened ??= IndexStore.inMemory(bytes);
      if (!opened) return failed(this.deps.diagnose(p, 'archive-missing', { archive: archive.name }));
      this.remember(key, opened);
      return ok(opened);
    });
    const tracked = done.finally(() => {
      this.building.delete(key);
      this.writes.delete(tracked);
    });
    this.writes.add(tracked);
    this.building.set(key, { done });
    return { first, done };
  }

  /** The index of an archive: made already, being made, or made now. */
  private async indexOf(p: Profile, repositoryId: string, archive: ListedArchive): Promise<Outcome<ArchiveIndex>> {
    const made = this.cached(repositoryId, archive.id);
    if (made) return ok(made.index);
    const pending = this.building.get(`${repositoryId}/${archive.id}`);
    const r = await (pending ? pending.done : this.build(p, repositoryId, archive).done);
    return r.ok ? ok(r.value.index) : r;
  }

  /**
   * Runs `answer` on the archive's index; an index found damaged while reading is deleted and the
   * archive read again, once.
   */
  private async withIndex<T>(
    p: Profile,
    repositoryId: string,
    archive: ListedArchive,
    answer: (index: ArchiveIndex) => Outcome<T>,
  ): Promise<Outcome<T>> {
    for (let attempt = 0; ; attempt++) {
      const index = await this.indexOf(p, repositoryId, archive);
      if (!index.ok) return index;
      try {
        return answer(index.value);
      } catch (e) {
        // Numbers that cannot be (a file changed or damaged after it was checked): read the archive again.
        if (!(e instanceof IndexDamaged || e instanceof RangeError) || attempt > 0) throw e;
        this.close(`${repositoryId}/${archive.id}`);
        this.deps.store.discard(repositoryId, archive.id);
      }
    }
  }

  private folderFrom(p: Profile, archive: ListedArchive, folder: string, index: ArchiveIndex): Outcome<FolderEntry[]> {
    const node = index.lookup(folder) ?? index.lookup(folder.normalize('NFD'));
    if (node === null) return failed(this.deps.diagnose(p, 'path-missing', { archive: archive.name, path: folder }));
    if (!index.isFolder(node))
      return failed(this.deps.diagnose(p, 'path-missing', { archive: archive.name, path: folder, summary: 'a folder in' }));
    return ok(sortEntries(index.children(node, folder)));
  }

  /** The direct children of `folder` ('' = the top) in `archive` (a name or 'latest'), folders first. */
  async listFolder(p: Profile, archiveName: string, folder: string, opts: FolderOptions = {}): Promise<Outcome<FolderEntry[]>> {
    const r = await this.resolve(p, archiveName);
    if (!r.ok) return r;
    const { repositoryId, archive } = r.value;
    const key = `${repositoryId}/${archive.id}`;
    if (!this.open.has(key) && !this.building.has(key) && !this.cached(repositoryId, archive.id)) {
      // The first look at this archive: answer from the pass itself, before the index is sorted and written.
      const { first } = this.build(p, repositoryId, archive, { folder, onPartial: opts.onPartial });
      const entries = await first;
      if (!entries.ok) return entries;
      if (entries.value) return ok(sortEntries(entries.value));
    }
    return this.withIndex(p, repositoryId, archive, (index) => this.folderFrom(p, archive, folder, index));
  }

  /** Entries of `archive` whose name matches `pattern` (find.ts), case-insensitive, at most FIND_LIMIT. */
  async find(p: Profile, archiveName: string, pattern: string, limit = FIND_LIMIT): Promise<Outcome<FindResult>> {
    const r = await this.resolve(p, archiveName);
    if (!r.ok) return r;
    const matcher = findMatcher(pattern);
    const { repositoryId, archive } = r.value;
    return this.withIndex(p, repositoryId, archive, (index) => {
      if (!matcher) return ok({ entries: [], more: false });
      const { text, starts } = index.nameTable();
      const found = findNodes(text, starts, matcher, limit);
      return ok({ entries: found.nodes.map((n) => index.entry(n)), more: found.more });
    });
  }

  /**
   * Every archive of the profile that holds `path`, newest first. Indexes missing are made one
   * archive at a time (`onProgress` counts them); after that an answer reads a few blocks per archive.
   */
  async versions(
    p: Profile,
    path: string,
    opts: { onProgress?: (done: number, total: number) => void } = {},
  ): Promise<Outcome<FileVersion[]>> {
    const cat = await this.catalog(p);
    if (!cat.ok) return cat;
    const { repositoryId } = cat.value;
    const archives = cat.value.archives.filter((a) => !isCheckpoint(a.name));
    const sightings: Sighting[] = [];
    let done = 0;
    for (const archive of archives) {
      const seen = await this.withIndex(p, repositoryId, archive, (index) => {
        const node = index.lookup(path) ?? index.lookup(path.normalize('NFD'));
        const stat = node === null ? null : index.stat(node);
        return ok(stat && { type: stat.type, size: stat.size, mtime: stat.mtime });
      });
      // An archive deleted since the listing says nothing about the path; any other failure ends the answer.
      if (!seen.ok) {
        if (seen.diagnosis.kind === 'archive-missing') continue;
        return seen;
      }
      sightings.push({ archive: archive.name, time: archive.start, stat: seen.value });
      opts.onProgress?.(++done, archives.length);
    }
    return ok(versionsOf(sightings));
  }

  /**
   * Makes the index of a new archive now, unless it is made or being made: right after its backup, so
   * no later folder, search or `versions` waits for a pass over it. Run in the background (`bg`): a
   * fresh listing of the archives (the new one is not in any kept listing), then the archive's pass.
   * Answers whether a pass was made here.
   */
  async prepare(p: Profile, archiveName: string, bg: Background = { background: true }): Promise<Outcome<{ made: boolean }>> {
    const cat = await this.catalog(p, true, bg);
    if (!cat.ok) return cat;
    const { repositoryId } = cat.value;
    const archive = pickArchive(cat.value.archives, archiveName);
    if (!archive) return failed(this.deps.diagnose(p, 'archive-missing', { archive: archiveName }));
    if (this.cached(repositoryId, archive.id)) return ok({ made: false });
    const pending = this.building.get(`${repositoryId}/${archive.id}`);
    if (pending) {
      const r = await pending.done;
      return r.ok ? ok({ made: false }) : r;
    }
    const r = await this.build(p, repositoryId, archive, undefined, bg).done;
    return r.ok ? ok({ made: true }) : r;
  }

  /** Waits for index writes still going on (a CLI exits after them; tests look at the files). */
  async settle(): Promise<void> {
    while (this.writes.size) await Promise.allSettled([...this.writes]);
  }

  /** Closes every open index. */
  dispose(): void {
    for (const key of [...this.open.keys()]) this.close(key);
  }
}
