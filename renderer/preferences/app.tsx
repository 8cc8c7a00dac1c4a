/**
 * The preferences window: a sidebar of backups (profiles) plus General, a bar of sections for the
 * chosen backup, and one Save for everything. The window keeps a working copy of config.json
 * (drafts); Save sends all of it through `configSave`, where the engine validates it: each error
 * comes back with its path and is shown under its control, and nothing is written while anything is
 * invalid. A config.json that is itself invalid (edited by hand) is shown with its errors, and
 * saving over it needs a confirmation (a `.bak` copy is kept).
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api } from '../shared/api.js';
import { Banner, Button } from '../shared/components.js';
import { useEvent, useSnapshot } from '../shared/hooks.js';
import type { ConfigView } from '../../src/ipc/contract.js';
import { Sheet } from './controls.js';
import { FileTextEditor, InvalidFileBanner, ReplaceSheet, UnknownFields, UnownedErrors, unownedErrors } from './invalid-file.js';
import { compareProfiles, refOf, unknownFields, withoutKey, type UnknownField } from './unknown.js';
import type { FieldError } from './types.js';
import { shortLocation } from './location.js';
import {
  buildConfig,
  draftFromJson,
  duplicateDraft,
  generalFromJson,
  repositoryOf,
  type GeneralDraft,
  type ProfileDraft,
} from './draft.js';
import { liveFields, placeErrors, SECTIONS, sectionsWithErrors, type PlacedErrors, type Section } from './errors.js';
import type { Env } from './context.js';
import { FoldersSection } from './section-folders.js';
import { GeneralSection } from './section-general.js';
import { KeepSection } from './section-keep.js';
import { PassphraseSection } from './section-passphrase.js';
import { RepositorySection } from './section-repository.js';
import { ScheduleSection } from './section-schedule.js';
import { Setup, type SaveProfileResult } from './setup.js';
import { diffConfigs, followFile } from './conflict.js';
import { ConflictBanner, ConflictSheet } from './conflict-sheet.js';

type Selection = { kind: 'profile'; uid: string; section: Section } | { kind: 'general' };
type Navigation = { profile?: string; section?: string };
/** config.json as it is now, changed outside while this window had unsaved edits; `open`: the sheet is shown. */
type Conflict = { revision: string; config: unknown; open: boolean };
/** Written by the main process for the window (Open at Login): never a reason to ask. */
const OWN_FIELDS = ['app.openAtLogin'];

const NO_ERRORS: PlacedErrors = { fields: {}, banner: [], first: null };

/** Unknown settings are offered for removal (UnknownFields), not placed under a control. */
const placeable = (errors: readonly FieldError[]) => errors.filter((e) => !e.unknown?.length);
const SECTION_IDS = new Set<string>(SECTIONS.map((s) => s.id));

function profilesOf(config: unknown): unknown[] {
  const p = (config as { profiles?: unknown } | null)?.profiles;
  return Array.isArray(p) ? p : [];
}

/** The navigation the window was opened with (`?profile=…&section=…`), if any. */
function initialNavigation(): Navigation | null {
  const q = new URLSearchParams(location.search);
  const profile = q.get('profile') ?? undefined;
  const section = q.get('section') ?? undefined;
  return profile || section ? { profile, section } : null;
}

export function App() {
  const { snapshot } = useSnapshot();
  const [view, setView] = useState<ConfigView | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [drafts, setDrafts] = useState<ProfileDraft[]>([]);
  const [savedDrafts, setSavedDrafts] = useState<ProfileDraft[]>([]);
  const [general, setGeneral] = useState<GeneralDraft>(() => generalFromJson(null));
  const [savedGeneral, setSavedGeneral] = useState<GeneralDraft>(() => generalFromJson(null));
  const [sel, setSel] = useState<Selection>({ kind: 'general' });
  const [setup, setSetup] = useState<null | 'first' | 'add'>(null);
  const [placed, setPlaced] = useState<PlacedErrors>(NO_ERRORS);
  const [status, setStatus] = useState('');
  const [saveError, setSaveError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [confirmReplace, setConfirmReplace] = useState(false);
  const [confirmRemove, setConfirmRemove] = useState<ProfileDraft | null>(null);
  const [conflict, setConflict] = useState<Conflict | null>(null);
  /**
   * The re-read of config.json under way (followDisk). `writes` counts this window's own saves: a read
   * that a save started or ended during is of a file the window is about to be drawn from anyway, so
   * its answer is dropped rather than taken for someone else's edit.
   */
  const following = useRef({ busy: false, again: false, writes: 0 });
  const [recheck, setRecheck] = useState(0);
  /** config.json shown as text (always while it cannot be read as settings). */
  const [textMode, setTextMode] = useState(false);
  /** The engine's last word on the settings: the file's errors, or those of the last save. */
  const [engineErrors, setEngineErrors] = useState<FieldError[]>([]);
  const pendingNav = useRef<Navigation | null>(initialNavigation());
  const focusError = useRef(false);
  const focusPane = useRef(false);
  const saveRef = useRef<() => Promise<boolean>>(async () => false);

  const base = view?.config ?? {};
  const current = useMemo(() => buildConfig(base, drafts, general), [base, drafts, general]);
  const dirty = useMemo(
    () => JSON.stringify(current.config) !== JSON.stringify(buildConfig(base, savedDrafts, savedGeneral).config),
    [current, base, savedDrafts, savedGeneral],
  );

  /** Reads config.json again; the drafts keep their page keys by position (a save keeps the order). */
  async function load(keep: readonly ProfileDraft[] = []): Promise<{ drafts: ProfileDraft[]; view: ConfigView } | null> {
    const r = await api.configRead();
    if (!r.ok) {
      setLoadError(`${r.diagnosis.message} ${r.diagnosis.fix}`.trim());
      return null;
    }
    return show(r.value, keep);
  }

  /** Draws the window from a view of config.json: drafts, saved baseline and errors. */
  function show(v: ConfigView, keep: readonly ProfileDraft[] = []): { drafts: ProfileDraft[]; view: ConfigView } {
    const ds = profilesOf(v.config).map((p, i) => {
      const d = draftFromJson(p);
      const before = keep[i];
      return before && before.id === d.id ? { ...d, uid: before.uid } : d;
    });
    const g = generalFromJson(v.config);
    setView(v);
    setDrafts(ds);
    setSavedDrafts(ds);
    setGeneral(g);
    setSavedGeneral(g);
    setEngineErrors(v.errors);
    setPlaced(
      v.errors.length
        ? placeErrors(
            placeable(v.errors),
            ds.map((d) => d.uid),
            ds,
          )
        : NO_ERRORS,
    );
    return { drafts: ds, view: v };
  }

  useEffect(() => {
    void load().then((r) => {
      if (!r) return;
      const ds = r.drafts;
      const nav = pendingNav.current;
      pendingNav.current = null;
      if (nav) navigate(nav, ds, r.view.errors);
      else if (ds.length) setSel({ kind: 'profile', uid: ds[0]!.uid, section: 'repository' });
      // Nothing set up and nothing to repair: the setup assistant.
      if (ds.length === 0 && r.view.errors.length === 0 && (nav?.section ?? 'new-profile') === 'new-profile') setSetup('first');
    });
  }, []);

  // config.json changed by someone else (a hand edit, the CLI): any change is a new revision. Nothing
  // unsaved here: the window shows the file as it is now. Unsaved edits: the user chooses (conflict).
  useEffect(() => {
    if (!snapshot || !view || saving || setup || snapshot.configRevision === view.revision) return;
    if (conflict && conflict.revision === snapshot.configRevision && dirty) return;
    void followDisk();
  }, [snapshot, view, dirty, saving, setup, conflict, recheck]);

  async function followDisk(): Promise<void> {
    const f = following.current;
    if (f.busy) {
      f.again = true;
      return;
    }
    f.busy = true;
    f.again = false;
    const writes = f.writes;
    try {
      const r = await api.configRead();
      if (!r.ok || !view) return;
      if (writes !== f.writes) {
        f.again = true;
        return;
      }
      const fresh = r.value;
      const base = { viewRevision: view.revision, fileRevision: fresh.revision, base: view.config, theirs: fresh.config };
      const decision = followFile({ ...base, dirty, ignore: OWN_FIELDS });
      if (decision === 'take-file') {
        setConflict(null);
        setStatus('');
        show(fresh, drafts);
      } else if (decision === 'adopt-revision') {
        setConflict(null);
        setView(fresh);
      } else if (decision === 'ask') setConflict({ revision: fresh.revision, config: fresh.config, open: true });
    } finally {
      f.busy = false;
      // Asked again while reading: look once more, with what the window holds by then.
      if (f.again) setRecheck((n) => n + 1);
    }
  }

  // A reload gave the drafts new keys (config.json read again after a fix): stay on the same profile, by id.
  const selectedId = useRef<string | null>(null);
  useEffect(() => {
    if (sel.kind !== 'profile') return;
    const d = drafts.find((x) => x.uid === sel.uid);
    if (d) selectedId.current = d.id;
    else {
      const again = drafts.find((x) => x.id === selectedId.current) ?? drafts[0];
      if (again) setSel({ ...sel, uid: again.uid });
    }
  }, [sel, drafts]);

  // ⌘S (Ctrl+S) saves, as in any Mac document window.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.metaKey || e.ctrlKey) && e.key.toLowerCase() === 's' && !setup && !document.querySelector('dialog[open]')) {
        e.preventDefault();
        void saveRef.current();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [setup]);

  function navigate(nav: Navigation, ds: readonly ProfileDraft[] = drafts, errors: readonly FieldError[] = engineErrors) {
    // "Fix Settings…" in the menu: the first setting in error, with the focus on it.
    if (nav.section === 'errors') {
      setSetup(null);
      const first = placeErrors(
        placeable(errors),
        ds.map((d) => d.uid),
        ds,
      ).first;
      if (first?.uid) setSel({ kind: 'profile', uid: first.uid, section: first.section as Section });
      else if (first) setSel({ kind: 'general' });
      focusError.current = true;
      return;
    }
    if (nav.section === 'new-profile') {
      setSetup(ds.length ? 'add' : 'first');
      return;
    }
    setSetup(null);
    if (nav.section === 'general') {
      setSel({ kind: 'general' });
      return;
    }
    const d = ds.find((x) => x.id === nav.profile) ?? (sel.kind === 'profile' ? ds.find((x) => x.uid === sel.uid) : undefined) ?? ds[0];
    if (!d) {
      setSel({ kind: 'general' });
      return;
    }
    setSel({ kind: 'profile', uid: d.uid, section: nav.section && SECTION_IDS.has(nav.section) ? (nav.section as Section) : 'repository' });
    focusPane.current = true;
  }

  useEvent('navigate', (nav) => {
    if (!view) pendingNav.current = nav;
    else navigate(nav);
  });

  // After a failed save: the first control in error gets the focus (its message is read with it).
  useEffect(() => {
    if (focusError.current) {
      focusError.current = false;
      requestAnimationFrame(() => document.querySelector<HTMLElement>('.pane [aria-invalid="true"], .pane [data-invalid="true"]')?.focus());
    } else if (focusPane.current) {
      focusPane.current = false;
      requestAnimationFrame(() => document.querySelector<HTMLElement>('.section-tabs [aria-current="page"]')?.focus());
    }
  });

  function showErrors(p: PlacedErrors) {
    setPlaced(p);
    const count = Object.values(p.fields).reduce((n, m) => n + m.length, 0) + p.banner.length;
    setStatus(`${count === 1 ? 'One problem' : `${count} problems`} to fix. Nothing was saved.`);
    if (p.first) {
      if (p.first.uid) setSel({ kind: 'profile', uid: p.first.uid, section: p.first.section as Section });
      else setSel({ kind: 'general' });
      focusError.current = true;
    }
  }

  /** Saves the window's config against the revision it was drawn from (`against`: one the user was shown instead). */
  async function save(overwriteInvalid = false, against?: string): Promise<boolean> {
    setSaveError(null);
    const revision = against ?? view?.revision ?? '';
    // The file changed under unsaved edits and no choice was made yet: the choice first, never an overwrite.
    if (conflict && against === undefined) {
      setConflict({ ...conflict, open: true });
      return false;
    }
    const uids = drafts.map((d) => d.uid);
    if (current.errors.length) {
      showErrors(placeErrors(current.errors, uids, drafts));
      return false;
    }
    setSaving(true);
    following.current.writes++;
    const r = await api.configSave({
      config: current.config,
      expectedRevision: revision,
      ...(overwriteInvalid ? { overwriteInvalid: true } : {}),
    });
    if (!r.ok) {
      setSaving(false);
      setSaveError(`${r.diagnosis.message} ${r.diagnosis.fix}`.trim());
      return false;
    }
    if (r.value.saved) {
      // Still `saving` until the window is drawn from what was written: that is no change from outside.
      await load(drafts);
      following.current.writes++;
      setSaving(false);
      setStatus('Saved.');
      return true;
    }
    setSaving(false);
    if (r.value.conflict) {
      setConflict({ ...r.value.conflict, open: true });
      setStatus('config.json was changed outside Preferences. Nothing was saved.');
      return false;
    }
    if (r.value.needsConfirmation) {
      setConfirmReplace(true);
      return false;
    }
    setEngineErrors(r.value.errors);
    showErrors(placeErrors(placeable(r.value.errors), uids, drafts));
    return false;
  }

  saveRef.current = save;

  /** "Use the File's Settings": the unsaved edits go, the window shows the file as it is now. */
  async function takeFileSettings(): Promise<void> {
    const r = await api.configRead();
    if (!r.ok) {
      setSaveError(`${r.diagnosis.message} ${r.diagnosis.fix}`.trim());
      return;
    }
    // In one go with the new view: no moment where the window is still dirty without the question.
    setConflict(null);
    setStatus('');
    show(r.value, drafts);
  }

  function removeUnknown(f: UnknownField) {
    setStatus('');
    const [top, index, ...rest] = f.at;
    if (top === 'profiles' && typeof index === 'number' && drafts[index]) {
      const uid = drafts[index].uid;
      update(uid, (d) => ({ ...d, base: withoutKey(d.base, rest, f.key) as ProfileDraft['base'] }));
    } else if (view) setView({ ...view, config: withoutKey(view.config, f.at, f.key) });
  }

  /** The setup assistant's save: the saved profiles with this one put in (others' unsaved edits stay unsaved). */
  async function saveProfile(d: ProfileDraft, opts: { overwriteInvalid?: boolean }): Promise<SaveProfileResult> {
    const at = savedDrafts.findIndex((s) => s.id === d.id);
    const list = at >= 0 ? savedDrafts.map((s, i) => (i === at ? d : s)) : [...savedDrafts, d];
    const built = buildConfig(base, list, savedGeneral);
    const placeFor = (errors: { path: string; message: string }[]) => {
      const p = placeErrors(
        errors,
        list.map((x) => x.uid),
      );
      const fields: Record<string, string[]> = {};
      for (const [key, messages] of Object.entries(p.fields))
        if (key.startsWith(`${d.uid}:`)) fields[key.slice(d.uid.length + 1)] = messages;
      const other = [
        ...p.banner.map((e) => `${e.path}: ${e.message}`),
        ...Object.entries(p.fields)
          .filter(([k]) => !k.startsWith(`${d.uid}:`))
          .flatMap(([, m]) => m),
      ];
      return { ok: false as const, fields, other };
    };
    if (built.errors.length) return placeFor(built.errors);
    const r = await api.configSave({
      config: built.config,
      expectedRevision: view?.revision ?? '',
      ...(opts.overwriteInvalid ? { overwriteInvalid: true } : {}),
    });
    if (!r.ok) return { ok: false, fields: {}, other: [`${r.diagnosis.message} ${r.diagnosis.fix}`.trim()] };
    if (!r.value.saved && r.value.conflict) {
      // Nothing unsaved elsewhere in the window: read the file again, and the next save adds the backup to it.
      if (!dirty) await load(drafts);
      return {
        ok: false,
        fields: {},
        other: [
          dirty
            ? 'config.json was changed outside Preferences while you had unsaved edits, so nothing was saved. Cancel to review the change first.'
            : 'config.json was changed outside Preferences meanwhile, so nothing was saved. It has been read again: save once more to add this backup to it.',
        ],
      };
    }
    if (!r.value.saved)
      return r.value.needsConfirmation ? { ok: false, fields: {}, other: [], needsConfirmation: true } : placeFor(r.value.errors);
    // Keep the window's unsaved edits of the other profiles; take the saved file as the new baseline.
    const unsaved = drafts;
    const loaded = await load(list);
    if (loaded) setDrafts(loaded.drafts.map((x) => unsaved.find((u) => u.uid === x.uid && u.id !== d.id) ?? x));
    return { ok: true };
  }

  function update(uid: string, fn: (d: ProfileDraft) => ProfileDraft) {
    setStatus('');
    setDrafts((ds) => ds.map((d) => (d.uid === uid ? fn(d) : d)));
  }

  function duplicate(d: ProfileDraft) {
    const copy = duplicateDraft(d, drafts);
    const at = drafts.findIndex((x) => x.uid === d.uid);
    setDrafts((ds) => [...ds.slice(0, at + 1), copy, ...ds.slice(at + 1)]);
    setSel({ kind: 'profile', uid: copy.uid, section: 'repository' });
    setStatus(`“${copy.name}” is a copy with its own archive names. Save to keep it.`);
  }

  function remove(d: ProfileDraft) {
    const at = drafts.findIndex((x) => x.uid === d.uid);
    const rest = drafts.filter((x) => x.uid !== d.uid);
    setDrafts(rest);
    const next = rest[Math.min(at, rest.length - 1)];
    setSel(next ? { kind: 'profile', uid: next.uid, section: 'repository' } : { kind: 'general' });
    setStatus(`“${d.name || d.id}” removed. Save to apply; the repository and its backups stay as they are.`);
    setConfirmRemove(null);
  }

  function revert() {
    setDrafts(savedDrafts);
    setGeneral(savedGeneral);
    setPlaced(
      view?.errors.length
        ? placeErrors(
            placeable(view.errors),
            savedDrafts.map((d) => d.uid),
            savedDrafts,
          )
        : NO_ERRORS,
    );
    setStatus('');
    if (sel.kind === 'profile' && !savedDrafts.some((d) => d.uid === sel.uid))
      setSel(savedDrafts[0] ? { kind: 'profile', uid: savedDrafts[0].uid, section: 'repository' } : { kind: 'general' });
  }

  const env: Env = {
    home: view?.home ?? '',
    volumesRoot: view?.volumesRoot ?? '/Volumes',
    platform: snapshot?.app.platform ?? 'darwin',
    snapshot,
    dirty,
    save,
    // The main process wrote app.openAtLogin for the window: follow the file (that field never asks).
    refreshBase: () => followDisk(),
  };

  if (loadError) {
    return (
      <main class="prefs-message">
        <Banner kind="error" title="The settings could not be read">
          <p>{loadError}</p>
        </Banner>
      </main>
    );
  }
  if (!view) return <main class="prefs-message" aria-busy="true" />;

  // A file that cannot be read as settings is shown as text, never as an empty form.
  const shape = view.config as { profiles?: unknown } | null;
  const unreadable =
    view.errors.length > 0 &&
    (!!view.recovery?.syntax ||
      typeof shape !== 'object' ||
      shape === null ||
      Array.isArray(shape) ||
      (shape.profiles !== undefined && !Array.isArray(shape.profiles)));
  if (unreadable || textMode) {
    return (
      <FileTextEditor
        key={view.raw ?? ''}
        view={view}
        onBackToForm={unreadable ? undefined : () => setTextMode(false)}
        onSaved={() => {
          setTextMode(false);
          // Held as saving until the window is drawn from the file just written, so the snapshot's new
          // revision is not taken for someone else's edit (which would clear "Saved.").
          setSaving(true);
          following.current.writes++;
          void load().then((r) => {
            following.current.writes++;
            setSaving(false);
            const first = r?.drafts[0];
            if (first) setSel({ kind: 'profile', uid: first.uid, section: 'repository' });
            setStatus('Saved.');
          });
        }}
      />
    );
  }
  const unknown = unknownFields(engineErrors, current.config);

  if (setup) {
    return (
      <main class="prefs-setup">
        <Setup
          first={setup === 'first'}
          taken={new Set(drafts.map((d) => d.id))}
          env={env}
          saveProfile={saveProfile}
          onCancel={() => setSetup(null)}
          onDone={(id) => {
            setSetup(null);
            const d = drafts.find((x) => x.id === id);
            if (d) setSel({ kind: 'profile', uid: d.uid, section: 'repository' });
            // Saved by the main process (an import): read config.json again to show it.
            else
              void load(drafts).then((r) => {
                const x = r?.drafts.find((y) => y.id === id);
                if (x) setSel({ kind: 'profile', uid: x.uid, section: 'repository' });
              });
          }}
        />
      </main>
    );
  }

  const selected = sel.kind === 'profile' ? (drafts.find((d) => d.uid === sel.uid) ?? null) : null;
  // An error goes as soon as its field no longer holds the value it was found for.
  const shown = liveFields(placed, drafts);
  const err = (uid: string) => (field: string) => shown[`${uid}:${field}`]?.join(' ') ?? null;
  const profileHasErrors = (uid: string) =>
    sectionsWithErrors(shown, uid).size > 0 || unknown.some((f) => f.at[0] === 'profiles' && drafts[f.at[1] as number]?.uid === uid);
  const generalHasErrors = Object.keys(placed.fields).some((k) => k.startsWith('general:'));

  let pane: ComponentChildren;
  let tabs: ComponentChildren = null;
  let paneTitle: string;
  if (sel.kind === 'general' || !selected) {
    paneTitle = 'General';
    pane = (
      <GeneralSection
        general={general}
        setGeneral={(fn) => {
          setStatus('');
          setGeneral(fn);
        }}
        err={(f) => placed.fields[`general:${f}`]?.join(' ') ?? null}
        env={env}
        configFile={view.file}
      />
    );
  } else {
    const section = sel.kind === 'profile' ? sel.section : 'repository';
    const props = {
      draft: selected,
      saved: savedDrafts.find((s) => s.uid === selected.uid) ?? null,
      drafts,
      update: (fn: (d: ProfileDraft) => ProfileDraft) => update(selected.uid, fn),
      err: err(selected.uid),
      env,
    };
    paneTitle = selected.name || selected.id || 'New backup';
    const withErrors = sectionsWithErrors(shown, selected.uid);
    tabs = (
      <nav class="section-tabs" aria-label={`Settings of ${paneTitle}`}>
        {SECTIONS.map((s) => (
          <button
            type="button"
            key={s.id}
            class={['tab', section === s.id && 'selected'].filter(Boolean).join(' ')}
            aria-current={section === s.id ? 'page' : undefined}
            onClick={() => setSel({ kind: 'profile', uid: selected.uid, section: s.id })}
          >
            {s.label}
            {withErrors.has(s.id) ? (
              <>
                <span class="tab-error" aria-hidden="true" />
                <span class="visually-hidden"> (has errors)</span>
              </>
            ) : null}
          </button>
        ))}
      </nav>
    );
    const index = drafts.indexOf(selected);
    pane = (
      <>
        <UnknownFields fields={unknown.filter((f) => f.at[0] === 'profiles' && f.at[1] === index)} onRemove={removeUnknown} />
        <UnownedErrors errors={unownedErrors(placed.fields, selected.uid, selected.keep.preset === 'custom')} />
        {section === 'repository' ? <RepositorySection {...props} /> : null}
        {section === 'passphrase' ? <PassphraseSection {...props} /> : null}
        {section === 'sources' ? <FoldersSection {...props} /> : null}
        {section === 'schedule' ? <ScheduleSection {...props} /> : null}
        {section === 'keep' ? <KeepSection {...props} /> : null}
      </>
    );
  }

  const sectionLabel = sel.kind === 'profile' && selected ? SECTIONS.find((s) => s.id === sel.section)?.label : null;

  return (
    <div class="prefs">
      <nav class="sidebar" aria-label="Backups">
        <h2 class="sidebar-title" id="sidebar-title">
          Backups
        </h2>
        <ul class="sidebar-list" aria-labelledby="sidebar-title">
          {drafts.map((d) => (
            <li key={d.uid}>
              <button
                type="button"
                class="sidebar-item"
                aria-current={sel.kind === 'profile' && sel.uid === d.uid ? 'page' : undefined}
                onClick={() => setSel({ kind: 'profile', uid: d.uid, section: sel.kind === 'profile' ? sel.section : 'repository' })}
              >
                <span class="sidebar-name">{d.name || d.id || 'New backup'}</span>
                <span class="sidebar-sub">{shortLocation(repositoryOf(d), view.home) || 'No repository yet'}</span>
                {profileHasErrors(d.uid) ? (
                  <>
                    <span class="tab-error" aria-hidden="true" />
                    <span class="visually-hidden"> (has errors)</span>
                  </>
                ) : !d.saved ? (
                  <span class="visually-hidden"> (not saved)</span>
                ) : null}
              </button>
            </li>
          ))}
          {drafts.length === 0 ? <li class="sidebar-empty secondary">No backups yet.</li> : null}
        </ul>
        <div class="sidebar-tools" role="group" aria-label="Manage backups">
          <Button small onClick={() => setSetup(drafts.length ? 'add' : 'first')} aria-label="Add a backup…" title="Add a backup…">
            +
          </Button>
          <Button small onClick={() => selected && duplicate(selected)} disabled={!selected} aria-label="Duplicate" title="Duplicate">
            Duplicate
          </Button>
          <Button
            small
            onClick={() => selected && setConfirmRemove(selected)}
            disabled={!selected}
            aria-label={selected ? `Remove ${selected.name || selected.id}…` : 'Remove…'}
            title="Remove…"
          >
            −
          </Button>
        </div>
        <div class="sidebar-bottom">
          <button
            type="button"
            class="sidebar-item general"
            aria-current={sel.kind === 'general' || !selected ? 'page' : undefined}
            onClick={() => setSel({ kind: 'general' })}
          >
            <span class="sidebar-name">General</span>
            {generalHasErrors ? (
              <>
                <span class="tab-error" aria-hidden="true" />
                <span class="visually-hidden"> (has errors)</span>
              </>
            ) : null}
          </button>
        </div>
      </nav>
      <main class="pane" aria-label={sectionLabel ? `${paneTitle}: ${sectionLabel}` : paneTitle}>
        <header class="pane-header">
          <h1>{paneTitle}</h1>
        </header>
        {tabs}
        <div
          class="pane-scroll"
          onKeyDown={(e) => {
            // Return in a text field saves, as in a Mac settings sheet (not in a text area or a button).
            const t = e.target as HTMLElement;
            if (e.key === 'Enter' && t.tagName === 'INPUT' && !['checkbox', 'radio', 'password'].includes((t as HTMLInputElement).type)) {
              e.preventDefault();
              void save();
            }
          }}
        >
          {conflict && !conflict.open ? <ConflictBanner onReview={() => setConflict({ ...conflict, open: true })} /> : null}
          {view.errors.length ? <InvalidFileBanner view={view} onEditText={() => setTextMode(true)} /> : null}
          <UnknownFields fields={unknown.filter((f) => f.at[0] !== 'profiles')} onRemove={removeUnknown} />
          {placed.banner.length ? (
            <Banner kind="error" title="These settings need fixing">
              <ul class="error-list">
                {placed.banner.map((e, i) => (
                  <li key={i}>
                    <code>{e.path}</code>: {e.message}
                  </li>
                ))}
              </ul>
            </Banner>
          ) : null}
          {pane}
        </div>
        <footer class="savebar">
          <span class={['savebar-status', saveError && 'error-text'].filter(Boolean).join(' ')} role="status" aria-live="polite">
            {saveError ?? (status || (dirty ? 'Unsaved changes.' : ''))}
          </span>
          <span class="spacer" />
          <Button onClick={revert} disabled={!dirty || saving}>
            Revert
          </Button>
          <Button variant="primary" onClick={() => void save()} disabled={saving || (!dirty && view.errors.length === 0)}>
            {saving ? 'Saving…' : 'Save'}
          </Button>
        </footer>
      </main>
      {confirmReplace ? (
        <ReplaceSheet
          file={view.file}
          {...compareProfiles(profilesOf(view.config).map(refOf), current.config)}
          possible
          onFixText={() => {
            setConfirmReplace(false);
            setTextMode(true);
          }}
          onCancel={() => setConfirmReplace(false)}
          onConfirm={() => {
            setConfirmReplace(false);
            void save(true);
          }}
        />
      ) : null}
      {conflict?.open ? (
        <ConflictSheet
          file={view.file}
          rows={diffConfigs(view.config, conflict.config, current.config)}
          theirsReadable={conflict.config !== null}
          busy={saving}
          onLater={() => setConflict({ ...conflict, open: false })}
          onUseFile={() => void takeFileSettings()}
          onKeepMine={() => {
            const against = conflict.revision;
            setConflict(null);
            setView({ ...view, revision: against });
            void save(false, against);
          }}
        />
      ) : null}
      {confirmRemove ? (
        <Sheet
          title={`Remove “${confirmRemove.name || confirmRemove.id}”?`}
          confirm="Remove"
          destructive
          onCancel={() => setConfirmRemove(null)}
          onConfirm={() => remove(confirmRemove)}
        >
          <p>Dandelion stops backing up with these settings once you save.</p>
          <p>
            The repository and every backup in it stay as they are at <code class="selectable">{repositoryOf(confirmRemove)}</code>.
          </p>
        </Sheet>
      ) : null}
    </div>
  );
}
