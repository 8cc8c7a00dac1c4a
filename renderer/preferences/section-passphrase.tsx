/**
 * Passphrase: a write-only field. Once stored it shows "Stored in Keychain" and offers Change; the
 * passphrase itself never comes back from the main process. Plus what to keep elsewhere so the
 * backups can be read if this Mac is lost, with Export Key….
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api } from '../shared/api.js';
import { Button, RelativeTime } from '../shared/components.js';
import type { CallResults } from '../../src/ipc/contract.js';
import { Rich } from './connection.js';
import { TextField } from './controls.js';
import { keychainName, type SectionProps } from './context.js';
import { repositoryOf } from './draft.js';
import { passphraseRefusal, passphraseWarnings } from '../../src/ipc/passphrase-rules.js';
import { isKeyfile } from './encryption.js';

type PassphraseState = CallResults['passphraseState'];

/** Two password fields that must agree; `onSubmit` gets the passphrase once they do. */
export function NewPassphrase(props: {
  value: [string, string];
  onValue: (v: [string, string]) => void;
  error?: string | null;
  label?: string;
  /** Only one field (an existing repository: the passphrase is checked against it). */
  single?: boolean;
  hint?: ComponentChildren;
}) {
  const [a, b] = props.value;
  const mismatch = !props.single && b !== '' && a !== b ? 'The two passphrases are not the same.' : null;
  // Choosing a new passphrase (two fields) gets the length warning; an existing one is what it is.
  const warnings = passphraseWarnings(a, !props.single);
  const hint = warnings.length ? (
    <>
      {props.hint}
      {warnings.map((w) => (
        <span class="passphrase-warning" key={w}>
          {w}
        </span>
      ))}
    </>
  ) : (
    props.hint
  );
  return (
    <>
      <TextField
        type="password"
        label={props.label ?? 'Passphrase'}
        value={a}
        onValue={(v) => props.onValue([v, b])}
        autocomplete={props.single ? 'current-password' : 'new-password'}
        error={props.error}
        hint={hint}
        spellcheck={false}
      />
      {props.single ? null : (
        <TextField
          type="password"
          label="Type it again"
          value={b}
          onValue={(v) => props.onValue([a, v])}
          autocomplete="new-password"
          error={mismatch}
          spellcheck={false}
        />
      )}
    </>
  );
}

/** Why two typed passphrases cannot be stored yet, or null. */
export function passphraseProblem([a, b]: [string, string], single = false): string | null {
  if (!a) return 'Type a passphrase.';
  if (passphraseRefusal(a) !== null) return 'A passphrase of only spaces protects nothing: type a real one.';
  if (!single && a !== b) return 'The two passphrases are not the same.';
  return null;
}

/** Where the passphrase and (for keyfile modes) the exported key must be kept; Export Key…. */
export function RecoveryAdvice(props: { profile: string | null; mode: string | null; keyExportedAt: string | null; platform: string }) {
  const [exported, setExported] = useState<{ file: string | null; error: string | null; busy: boolean }>({
    file: null,
    error: null,
    busy: false,
  });
  const keyfile = isKeyfile(props.mode);

  async function exportKey() {
    if (!props.profile) return;
    setExported({ file: null, error: null, busy: true });
    const r = await api.exportKey({ profile: props.profile });
    if (!r.ok) setExported({ file: null, error: `${r.diagnosis.message} ${r.diagnosis.fix}`.trim(), busy: false });
    else setExported({ file: r.value.file, error: null, busy: false });
  }

  return (
    <div class="recovery stack">
      <p>
        <strong>If this Mac is lost or stolen,</strong> the passphrase is the only way to read these backups. Keep a copy in a password
        manager or on paper, somewhere other than this Mac — on this Mac it is kept only in {keychainName(props.platform)}.
      </p>
      {keyfile ? (
        <p>
          <strong>The key exists only on this Mac.</strong> Export it and keep the file with the passphrase, on another device or a USB
          stick: without both, nobody can read the backups.
        </p>
      ) : props.mode !== 'none' ? (
        <p class="secondary">The key is stored in the repository. An exported copy also helps if the repository itself is damaged.</p>
      ) : null}
      {props.mode !== 'none' && props.profile ? (
        <div class="button-row">
          <Button
            onClick={() => void exportKey()}
            disabled={exported.busy}
            variant={keyfile && !props.keyExportedAt && !exported.file ? 'primary' : 'default'}
          >
            Export Key…
          </Button>
          <span class="secondary small" role="status">
            {exported.busy ? (
              'Exporting…'
            ) : exported.file ? (
              <>
                Saved to <code class="selectable">{exported.file}</code>
              </>
            ) : props.keyExportedAt ? (
              <RelativeTime iso={props.keyExportedAt} prefix="Last exported " />
            ) : keyfile ? (
              'Not exported yet.'
            ) : (
              ''
            )}
          </span>
        </div>
      ) : null}
      {exported.error ? (
        <div class="error" role="alert">
          <Rich text={exported.error} />
        </div>
      ) : null}
    </div>
  );
}

export function PassphraseSection({ draft, saved, env }: SectionProps) {
  const [state, setState] = useState<PassphraseState | null>(null);
  const [stateError, setStateError] = useState<string | null>(null);
  const [changing, setChanging] = useState(false);
  const [typed, setTyped] = useState<[string, string]>(['', '']);
  // The error with the passphrases it was found for: once they change, only what is wrong with them now.
  const [found, setFound] = useState<{ message: string; typed: string } | null>(null);
  const setError = (message: string | null) => setFound(message === null ? null : { message, typed: JSON.stringify(typed) });
  const error = found === null ? null : found.typed === JSON.stringify(typed) ? found.message : passphraseProblem(typed);
  const [note, setNote] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const repositorySaved = saved !== null && repositoryOf(saved) === repositoryOf(draft);
  const where = keychainName(env.platform);

  async function refresh() {
    if (!draft.saved) return;
    const r = await api.passphraseState({ profile: draft.id });
    if (r.ok) {
      setState(r.value);
      setStateError(null);
    } else setStateError(r.diagnosis.message);
  }
  useEffect(() => {
    setState(null);
    setChanging(false);
    setNote(null);
    setError(null);
    setTyped(['', '']);
    void refresh();
  }, [draft.uid, draft.saved, saved && repositoryOf(saved)]);

  async function store() {
    const problem = passphraseProblem(typed);
    if (problem) {
      setError(problem);
      return;
    }
    setBusy(true);
    setError(null);
    const r = await api.setPassphrase({ profile: draft.id, passphrase: typed[0] });
    setBusy(false);
    if (!r.ok) {
      setError(`${r.diagnosis.message} ${r.diagnosis.fix}`.trim());
      return;
    }
    // The fields are emptied: the passphrase is in the keyring now and never shown again.
    setTyped(['', '']);
    setChanging(false);
    setNote(r.value.verified ? `Stored. ${r.value.note}` : `Stored, not checked yet: ${r.value.note}`);
    await refresh();
  }

  const profile = env.snapshot?.profiles.find((p) => p.id === draft.id) ?? null;
  const passcommand = typeof draft.base.passcommand === 'string' ? draft.base.passcommand : null;

  let body: ComponentChildren;
  if (!draft.saved || !repositorySaved) {
    body = <p>Save your changes first: the passphrase belongs to the saved repository.</p>;
  } else if (!state) {
    body = stateError ? <div class="error">{stateError}</div> : <p class="secondary">Looking in {where}…</p>;
  } else if (state.source === 'not-needed') {
    body = <p>This repository is not encrypted: it needs no passphrase.</p>;
  } else if (state.source === 'passcommand') {
    body = (
      <p>
        The passphrase comes from a command: <code class="selectable">{passcommand ?? 'passcommand'}</code>
      </p>
    );
  } else if (state.stored && !changing) {
    body = (
      <div class="button-row">
        <span class="ok-mark" aria-hidden="true">
          ✓
        </span>
        <span class="stored">Stored in {where}</span>
        <span class="spacer" />
        <Button onClick={() => setChanging(true)}>Change…</Button>
      </div>
    );
  } else {
    body = (
      <div
        class="stack"
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.target as HTMLElement).tagName === 'INPUT') {
            e.preventDefault();
            e.stopPropagation();
            void store();
          }
        }}
      >
        {state.stored ? null : <p>No passphrase is stored for this repository yet: backups cannot start without it.</p>}
        <NewPassphrase
          value={typed}
          onValue={(v) => (setTyped(v), setError(null))}
          error={error}
          label={state.stored ? 'New passphrase' : 'Passphrase'}
          hint="The one chosen when the repository was created. It is checked against the repository before it is stored."
        />
        <div class="button-row">
          {changing ? <Button onClick={() => (setChanging(false), setTyped(['', '']), setError(null))}>Cancel</Button> : null}
          <span class="spacer" />
          <Button variant="primary" onClick={() => void store()} disabled={busy}>
            {busy ? 'Checking…' : 'Store Passphrase'}
          </Button>
        </div>
      </div>
    );
  }

  return (
    <div class="section-body">
      <div class="group stack">
        {body}
        {note ? (
          <p class="ok-text" role="status">
            {note}
          </p>
        ) : null}
        {env.platform === 'darwin' ? (
          <p class="secondary small">After Dandelion is updated, macOS may ask once whether it may still read this Keychain item.</p>
        ) : null}
      </div>
      <h2 class="group-title">Recovery</h2>
      <div class="group">
        <RecoveryAdvice
          profile={draft.saved ? draft.id : null}
          mode={draft.encryption}
          keyExportedAt={profile?.keyExportedAt ?? null}
          platform={env.platform}
        />
      </div>
    </div>
  );
}
