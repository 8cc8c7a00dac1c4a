/**
 * The Browse Backups window: a profile's backups newest first on the left, one folder of the chosen
 * backup at a time on the right (the same folder as you move through time, as in Time Machine),
 * search by name, the versions of a file, and Restore… / Put Back… for what is selected.
 */
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api } from '../shared/api.js';
import { Banner, Button } from '../shared/components.js';
import { useEvent, useNow, useSnapshot } from '../shared/hooks.js';
import { plural } from '../shared/format.js';
import type { Diagnosis } from '../shared/types.js';
import { StatusUnreadable } from '../status/rich-text.js';
import { DiagnosisBlock } from '../status/diagnosis-block.js';
import type { ArchiveSummary, FileVersion, FolderEntry, OpRecord } from './types.js';
import { ArchiveList } from './archive-list.js';
import { FileList } from './file-list.js';
import { ProfileHeader } from './profile-header.js';
import { RestoreSheet, type RestorePhase } from './restore-sheet.js';
import { VersionsPanel, type Loaded } from './versions-panel.js';
import { carryOver, EMPTY, withCursorOn, type ListState } from './selection.js';
import {
  archiveWords,
  childTowards,
  crumbs,
  finderCompare,
  itemsWord,
  newestFirst,
  parentOf,
  searchOrder,
  versionRows,
  versionsSummary,
} from './words.js';

const NO_ENTRIES: FolderEntry[] = [];

/** Typing pauses this long before a search starts by itself (Return starts it at once). */
const SEARCH_PAUSE_MS = 400;

/** Keeps only the answer to the latest question of a kind: older answers arriving late are dropped. */
function useLatest() {
  const n = useRef(0);
  return () => {
    const mine = ++n.current;
    return () => mine === n.current;
  };
}

export function App() {
  const { snapshot, error } = useSnapshot();
  const now = useNow(60_000);
  const [profileId, setProfileId] = useState<string | null>(null);
  const [archives, setArchives] = useState<Loaded<ArchiveSummary[]> | null>(null);
  const [archive, setArchive] = useState<string | null>(null);
  const [folder, setFolder] = useState('');
  /** The folder's contents, with the folder they are of (profile, backup, folder). */
  const [listed, setListed] = useState<{ key: string; result: Loaded<FolderEntry[]> } | null>(null);
  const [list, setList] = useState<ListState>(EMPTY);
  const [query, setQuery] = useState('');
  const [search, setSearch] = useState<{ pattern: string; result: Loaded<FolderEntry[]>; more?: boolean } | null>(null);
  const [versionsOf, setVersionsOf] = useState<FolderEntry | null>(null);
  const [versions, setVersions] = useState<Loaded<FileVersion[]>>({ state: 'loading' });
  const [restore, setRestore] = useState<RestorePhase | null>(null);
  const [heard, setHeard] = useState<OpRecord | null>(null);
  const [said, setSaid] = useState('');
  const [callError, setCallError] = useState<Diagnosis | null>(null);
  /** The folder's entries found so far while its archive is read for the first time (folder-partial). */
  const [partial, setPartial] = useState<{ key: string; entries: Map<string, FolderEntry> } | null>(null);
  /** The folder being loaded, as the folder-partial events name it. */
  const loadingKey = useRef<string | null>(null);
  /** The row to put the cursor on when the next listing arrives (the folder just left, going up). */
  const focusNext = useRef<string | null>(null);
  const listRef = useRef<HTMLDivElement>(null);
  const latestArchives = useLatest();
  const latestFolder = useLatest();
  const latestSearch = useLatest();
  const latestVersions = useLatest();

  const profiles = snapshot?.profiles ?? [];
  const profile = profiles.find((p) => p.id === profileId) ?? profiles[0] ?? null;
  const platform = snapshot?.app.platform ?? 'darwin';
  const mac = platform === 'darwin';

  // Main asks to show a profile's backups (a status card's Browse…).
  useEvent('navigate', (n) => {
    if (n.profile) setProfileId(n.profile);
  });
  useEvent('op-progress', (e) => {
    if (!profile || e.profile !== profile.id || e.progress.kind !== 'restore') return;
    setRestore((prev) => (prev?.phase === 'running' ? { ...prev, progress: e.progress } : prev));
  });
  useEvent('folder-partial', (e) => {
    const key = `${e.profile}\0${e.archive}\0${e.folder}`;
    if (key !== loadingKey.current) return;
    setPartial((prev) => {
      const entries = new Map(prev?.key === key ? prev.entries : []);
      for (const entry of e.entries) entries.set(entry.path, entry);
      return { key, entries };
    });
  });
  useEvent('op-finished', (r) => {
    if (r.kind === 'check' || r.kind === 'drill') setHeard(r);
  });

  // A profile: its backups, newest first, the newest chosen.
  const id = profile?.id ?? null;
  useEffect(() => {
    if (!id) return;
    const current = latestArchives();
    setArchives({ state: 'loading' });
    setArchive(null);
    setFolder('');
    setSearch(null);
    setQuery('');
    setVersionsOf(null);
    setHeard(null);
    void api.archives({ profile: id }).then((r) => {
      if (!current()) return;
      if (!r.ok) return setArchives({ state: 'error', diagnosis: r.diagnosis });
      const sorted = newestFirst(r.value);
      setArchives({ state: 'ok', value: sorted });
      setArchive(sorted[0]?.name ?? null);
    });
  }, [id]);

  // A folder of a backup: loaded on its own, one folder at a time.
  useEffect(() => {
    if (!id || !archive) {
      setListed(null);
      return;
    }
    const current = latestFolder();
    const key = `${id}\0${archive}\0${folder}`;
    setListed({ key, result: { state: 'loading' } });
    setPartial(null);
    loadingKey.current = key;
    void api.listFolder({ profile: id, archive, folder }).then((r) => {
      if (!current()) return;
      loadingKey.current = null;
      setPartial(null);
      if (!r.ok) return setListed({ key, result: { state: 'error', diagnosis: r.diagnosis } });
      setListed({ key, result: { state: 'ok', value: r.value } });
      const keys = r.value.map((e) => e.path);
      // The same folder in another backup keeps what is selected (where the names are still there);
      // a folder opened anew starts with nothing selected, the cursor on the row asked for (going up).
      const focus = focusNext.current;
      setList((prev) => withCursorOn(carryOver(prev, keys), keys, focus));
      focusNext.current = null;
      setSaid(`${itemsWord(r.value.length)} in ${folder ? folder.split('/').pop() : 'the top level'}`);
    });
  }, [id, archive, folder]);

  // Search: after a pause in typing, or at once on Return.
  useEffect(() => {
    const pattern = query.trim();
    if (!pattern) {
      setSearch(null);
      return;
    }
    const t = setTimeout(() => runSearch(pattern), SEARCH_PAUSE_MS);
    return () => clearTimeout(t);
  }, [query, archive, id]);

  const runSearch = (pattern: string) => {
    if (!id || !archive) return;
    if (search?.pattern === pattern && search.result.state !== 'error') return;
    const current = latestSearch();
    setSearch({ pattern, result: { state: 'loading' } });
    void api.find({ profile: id, archive, pattern }).then((r) => {
      if (!current()) return;
      if (!r.ok) return setSearch({ pattern, result: { state: 'error', diagnosis: r.diagnosis } });
      const sorted = searchOrder(r.value.entries);
      setSearch({ pattern, result: { state: 'ok', value: sorted }, more: r.value.more });
      setList(EMPTY);
      setSaid(sorted.length === 0 ? `Nothing named like “${pattern}” in this backup` : `${itemsWord(sorted.length)} found`);
    });
  };

  const showVersions = (entry: FolderEntry) => {
    if (!id) return;
    setVersionsOf(entry);
    setVersions({ state: 'loading' });
    const current = latestVersions();
    void api.versions({ profile: id, path: entry.path }).then((r) => {
      if (!current()) return;
      setVersions(r.ok ? { state: 'ok', value: r.value } : { state: 'error', diagnosis: r.diagnosis });
      // The panel opened beside the list, which keeps the focus: a screen reader hears what it found.
      setSaid(
        r.ok ? `Versions of ${entry.name}: ${versionsSummary(versionRows(r.value))}` : `Could not list the versions of ${entry.name}`,
      );
    });
  };

  const inSearch = search !== null;
  // Until the answer for the folder shown arrives, the list is loading: never the last folder's rows under the new name.
  const listing: Loaded<FolderEntry[]> | null =
    id && archive ? (listed?.key === `${id}\0${archive}\0${folder}` ? listed.result : { state: 'loading' }) : null;
  // While an archive is read for the first time, what was found so far, in Finder's order.
  const partialShown = useMemo(() => (partial ? [...partial.entries.values()].sort(finderCompare) : null), [partial]);
  const loadingList = inSearch ? search.result.state === 'loading' : listing?.state === 'loading' || archives?.state === 'loading';
  const shown: FolderEntry[] = inSearch
    ? search.result.state === 'ok'
      ? search.result.value
      : NO_ENTRIES
    : listing?.state === 'ok'
      ? listing.value
      : listing?.state === 'loading' && partialShown
        ? partialShown
        : NO_ENTRIES;

  const open = (entry: FolderEntry) => {
    if (entry.type === 'dir') {
      setSearch(null);
      setQuery('');
      focusNext.current = null;
      setList(EMPTY);
      setFolder(entry.path);
    } else showVersions(entry);
  };
  const goTo = (to: string) => {
    if (to === folder && !inSearch) return;
    setSearch(null);
    setQuery('');
    // Going up, the cursor lands on the folder just left, as in Finder.
    focusNext.current = inSearch ? null : childTowards(to, folder);
    setList(EMPTY);
    setFolder(to);
  };
  const up = () => {
    if (inSearch) {
      setSearch(null);
      setQuery('');
      return;
    }
    if (folder) goTo(parentOf(folder));
  };

  const pickArchive = (name: string) => {
    if (name === archive) return;
    // The same folder, another day: the selection stays where the same names are.
    setSearch(null);
    setArchive(name);
  };

  // A version chosen in the panel: that backup, the file's folder, the cursor and selection on the file.
  const pickVersion = (name: string) => {
    if (!versionsOf) return;
    const dir = parentOf(versionsOf.path);
    focusNext.current = versionsOf.path;
    setSearch(null);
    setQuery('');
    setList({ cursor: -1, anchor: -1, selected: [versionsOf.path] });
    setArchive(name);
    setFolder(dir);
  };

  const selected = list.selected;
  const cursorEntry = list.cursor >= 0 ? (shown[list.cursor] ?? null) : null;
  const oneFile = selected.length === 1 ? (shown.find((e) => e.path === selected[0]) ?? null) : cursorEntry;

  const runRestore = async (paths: string[], inPlace: boolean, target?: string) => {
    if (!id || !archive) return;
    setRestore({ phase: 'running', paths, inPlace, progress: null, cancelling: false });
    const r = await api.restore({ profile: id, archive, paths, mode: inPlace ? 'in-place' : 'new-folder', ...(target ? { target } : {}) });
    setRestore(r.ok ? { phase: 'done', paths, inPlace, result: r.value } : { phase: 'failed', paths, inPlace, diagnosis: r.diagnosis });
    setSaid(r.ok ? 'Restore finished' : 'The restore did not finish');
  };
  const restoreTo = async () => {
    if (selected.length === 0) return;
    const paths = [...selected];
    setCallError(null);
    const r = await api.pickFolder({ title: 'Choose where to restore' });
    if (!r.ok) return setCallError(r.diagnosis);
    if (r.value.path) await runRestore(paths, false, r.value.path);
  };
  const putBack = () => {
    if (selected.length) setRestore({ phase: 'confirm', paths: [...selected] });
  };
  const cancelRestore = async () => {
    if (!id) return;
    setRestore((prev) => (prev?.phase === 'running' ? { ...prev, cancelling: true } : prev));
    await api.cancelOperation({ profile: id });
  };
  const showInFinder = async (p: string) => {
    const r = await api.showInFinder({ path: p });
    if (!r.ok) setCallError(r.diagnosis);
  };

  // ⌘F (Ctrl+F elsewhere) goes to the search field, as in Finder.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'f' && (mac ? e.metaKey : e.ctrlKey)) {
        e.preventDefault();
        document.getElementById('browse-search')?.focus();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [mac]);

  useLayoutEffect(() => {
    if (listing?.state === 'ok' && !performance.getEntriesByName('dandelion:folder').length) performance.mark('dandelion:folder');
  }, [listed]);

  if (!snapshot) {
    return error ? <StatusUnreadable error={error} class="browse" /> : null;
  }
  if (!profile) {
    return (
      <main class="browse empty">
        <Banner title="No backups to browse yet">
          <p>Set up a backup first; its backups appear here.</p>
        </Banner>
      </main>
    );
  }

  const current = archives?.state === 'ok' ? archives.value.find((a) => a.name === archive) : undefined;
  const top = current ? archiveWords(current, now).when : 'Top level';
  const path = crumbs(folder, top);
  const listLabel = inSearch ? `Search results for ${search.pattern}` : `Contents of ${path[path.length - 1]!.label}`;

  return (
    <main class={versionsOf ? 'browse with-versions' : 'browse'}>
      <div role="status" class="visually-hidden">
        {said}
      </div>
      <aside class="sidebar" aria-label="Backups">
        <ProfileHeader profiles={profiles} selected={profile} onSelect={setProfileId} heard={heard} platform={platform} />
        <h2 id="archives-title" class="sidebar-title">
          Backups
        </h2>
        {archives?.state === 'loading' ? (
          <p class="secondary sidebar-note" role="status">
            Reading the list of backups…
          </p>
        ) : null}
        {archives?.state === 'error' ? (
          <DiagnosisBlock
            kind="error"
            title="Could not list the backups"
            diagnoses={[archives.diagnosis]}
            fallback={null}
            profile={profile.id}
            platform={platform}
          />
        ) : null}
        {archives?.state === 'ok' && archives.value.length === 0 ? <p class="secondary sidebar-note">No backups yet.</p> : null}
        {archives?.state === 'ok' && archives.value.length > 0 ? (
          <ArchiveList
            id="archives"
            labelledBy="archives-title"
            archives={archives.value}
            selected={archive}
            onSelect={pickArchive}
            now={now}
          />
        ) : null}
      </aside>

      <section class="content" aria-label="Files">
        <div class="toolbar">
          {inSearch ? (
            <p class="crumbs search-title">
              {search.more ? 'First results' : 'Results'} for “{search.pattern}” in {top}
            </p>
          ) : (
            <nav class="crumbs" aria-label="Folder">
              <ol>
                {path.map((c, i) => (
                  <li key={c.folder}>
                    {i === path.length - 1 ? (
                      <span aria-current="location" class="crumb current" title={c.label}>
                        {c.label}
                      </span>
                    ) : (
                      <button type="button" class="crumb" onClick={() => goTo(c.folder)} title={c.label}>
                        {c.label}
                      </button>
                    )}
                  </li>
                ))}
              </ol>
            </nav>
          )}
          <input
            id="browse-search"
            class="text search"
            type="search"
            placeholder="Search by name"
            aria-label="Search this backup by name"
            value={query}
            disabled={!archive}
            onInput={(e) => setQuery((e.target as HTMLInputElement).value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && query.trim()) {
                e.preventDefault();
                runSearch(query.trim());
              } else if (e.key === 'Escape' && query) {
                e.preventDefault();
                setQuery('');
              } else if (e.key === 'ArrowDown' && inSearch) {
                e.preventDefault();
                listRef.current?.querySelector<HTMLElement>('[role="listbox"]')?.focus();
              }
            }}
          />
        </div>

        <div class="columns" aria-hidden="true">
          <span class="col-name">Name</span>
          <span class="col-date">{inSearch ? 'Where' : 'Date Modified'}</span>
          <span class="col-size">Size</span>
          <span class="col-kind">Kind</span>
        </div>
        <div class="list-area" ref={listRef}>
          <ListBody
            inSearch={inSearch}
            loading={loadingList}
            soFar={!inSearch && listing?.state === 'loading' ? (partialShown?.length ?? 0) : 0}
            failure={
              inSearch
                ? search.result.state === 'error'
                  ? search.result.diagnosis
                  : null
                : listing?.state === 'error'
                  ? listing.diagnosis
                  : null
            }
            empty={shown.length === 0}
            folder={folder}
            onTop={() => goTo('')}
            profile={profile.id}
            platform={platform}
          />
          {archive ? (
            // Always there once a backup is chosen, so the focus stays on it while the next folder loads.
            <FileList
              id="files"
              label={listLabel}
              busy={loadingList}
              entries={shown}
              state={list}
              onState={setList}
              onOpen={open}
              onUp={up}
              showFolder={inSearch}
              now={now}
              mac={mac}
            />
          ) : null}
        </div>

        {callError ? (
          <DiagnosisBlock
            kind="error"
            title="Could not do that"
            diagnoses={[callError]}
            fallback={null}
            profile={profile.id}
            platform={platform}
          />
        ) : null}
        <footer class="actions">
          <p class="selection-note secondary">
            {selected.length
              ? `${plural(selected.length, 'item')} selected`
              : shown.length
                ? 'Select what to restore: click, or Space'
                : ''}
          </p>
          <Button onClick={() => oneFile && showVersions(oneFile)} disabled={!oneFile || oneFile.type === 'dir'}>
            Versions…
          </Button>
          <Button
            onClick={putBack}
            disabled={selected.length === 0}
            title="Put the selected items back where they were, keeping both where they differ"
          >
            Put Back…
          </Button>
          <Button variant="primary" onClick={() => void restoreTo()} disabled={selected.length === 0}>
            Restore…
          </Button>
        </footer>
      </section>

      {versionsOf ? (
        <VersionsPanel
          entry={versionsOf}
          versions={versions}
          current={archive}
          onPick={pickVersion}
          onClose={() => {
            setVersionsOf(null);
            // The panel's Close button goes with it: the keyboard goes back to the files.
            document.getElementById('files')?.focus();
          }}
          profile={profile.id}
          platform={platform}
          now={now}
        />
      ) : null}

      {restore ? (
        <RestoreSheet
          state={restore}
          profile={profile.id}
          platform={platform}
          onConfirm={() => restore.phase === 'confirm' && void runRestore(restore.paths, true)}
          onCancel={() => void cancelRestore()}
          onClose={() => setRestore(null)}
          onShow={(p) => void showInFinder(p)}
        />
      ) : null}
    </main>
  );
}

function ListBody(props: {
  inSearch: boolean;
  loading: boolean;
  /** Entries found so far while the archive is read for the first time. */
  soFar: number;
  failure: Diagnosis | null;
  empty: boolean;
  folder: string;
  onTop(): void;
  profile: string;
  platform: string;
}) {
  if (props.loading)
    return (
      <p class="list-note secondary" role="status">
        {props.inSearch
          ? 'Searching…'
          : props.soFar > 0
            ? `Reading this backup for the first time… ${itemsWord(props.soFar)} so far`
            : 'Reading this backup…'}
      </p>
    );
  if (props.failure)
    return (
      <div class="list-note">
        <DiagnosisBlock
          kind="error"
          title={props.inSearch ? 'Could not search this backup' : 'Could not read this folder'}
          diagnoses={[props.failure]}
          fallback={null}
          profile={props.profile}
          platform={props.platform}
        />
      </div>
    );
  if (!props.empty) return null;
  if (props.inSearch) return <p class="list-note secondary">Nothing with that name in this backup.</p>;
  if (props.folder)
    return (
      <div class="list-note">
        <p class="secondary">This folder is empty, or not in this backup.</p>
        <Button variant="link" onClick={props.onTop}>
          Go to the top level
        </Button>
      </div>
    );
  return <p class="list-note secondary">This backup is empty.</p>;
}
