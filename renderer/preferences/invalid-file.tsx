/**
 * A config.json that is not valid, in the preferences window: what is in use meanwhile (the last
 * good settings, or nothing), the file as text with the error at its line and column, fixed in
 * place (the engine parses and validates it before writing) or in the user's editor, and a
 * replacement that names the profiles it keeps and the ones it would lose — never an empty one
 * offered in place of profiles that could not be read. Also the settings no control owns: unknown
 * keys offered for removal with their value, and other errors listed with their path.
 */
import type { ComponentChildren } from 'preact';
import { useId, useRef, useState } from 'preact/hooks';
import { api } from '../shared/api.js';
import { Banner, Button } from '../shared/components.js';
import type { ConfigView, ProfileRef } from '../../src/ipc/contract.js';
import type { UnknownField } from './unknown.js';
import type { FieldError } from './types.js';
import { Sheet } from './controls.js';
import { inUseSentence } from '../shared/config-in-use.js';

/** The sentence both windows say about what is in use while config.json is invalid. */
function inUse(view: Pick<ConfigView, 'inUse' | 'lastGood'>): string {
  return inUseSentence({ inUse: view.inUse, lastGood: view.lastGood.map((p) => p.name ?? p.id ?? '') });
}

function label(p: ProfileRef): string {
  if (p.name && p.id && p.name !== p.id) return `${p.name} (${p.id})`;
  return p.name ?? p.id ?? 'a profile without an id';
}

/** `line 12, column 5: …`, `line 7, column 19: profiles[0].schedule: …` or `version: …`. */
function errorText(e: FieldError): ComponentChildren {
  if (e.line !== undefined && e.path === '(file)') return e.message;
  return (
    <>
      {e.line !== undefined ? `line ${e.line}, column ${e.column}: ` : ''}
      <code>{e.path}</code>: {e.message}
    </>
  );
}

/** The offset of a 1-based line and column in a text. */
function offsetOf(text: string, line: number, column: number): number {
  let at = 0;
  for (let l = 1; l < line; l++) {
    const next = text.indexOf('\n', at);
    if (next < 0) return text.length;
    at = next + 1;
  }
  return Math.min(text.length, at + column - 1);
}

/** The banner above the form while the file is invalid but readable. */
export function InvalidFileBanner({ view, onEditText }: { view: ConfigView; onEditText: () => void }) {
  const lost = view.recovery?.lost ?? [];
  return (
    <Banner
      kind="warning"
      title="The settings file has errors"
      class="invalid-file"
      actions={
        <>
          <Button onClick={onEditText}>Edit as Text</Button>
          <Button onClick={() => void api.openConfigFile()}>Open in Editor</Button>
        </>
      }
    >
      <p>
        <code class="selectable">{view.file}</code> was changed outside Dandelion and is not valid. {inUse(view)} Fix the settings below and
        save to replace it (a copy is kept as <code>config.json.bak</code>).
      </p>
      <ul class="error-list">
        {view.errors.map((e, i) => (
          <li key={i}>{errorText(e)}</li>
        ))}
      </ul>
      {lost.length ? (
        <p>
          Needs fixing before it can be used: {lost.map(label).join(', ')}.
          {view.recovery?.kept.length ? ` Fine as it is: ${view.recovery.kept.map(label).join(', ')}.` : ''}
        </p>
      ) : null}
    </Banner>
  );
}

/**
 * Asked before config.json is replaced: which profiles stay, which would be lost, where the old
 * text goes. When nothing can be kept there is no Replace at all: fixing the text is the way on.
 */
export function ReplaceSheet(props: {
  file: string;
  kept: ProfileRef[];
  lost: (ProfileRef & { why?: string })[];
  /** False when nothing of the file could be read into valid settings. */
  possible: boolean;
  onCancel: () => void;
  onConfirm: () => void;
  onFixText: () => void;
}) {
  const bak = `${props.file}.bak`;
  if (!props.possible || (props.kept.length === 0 && props.lost.length > 0)) {
    return (
      <Sheet
        title="Nothing in the settings file can be kept"
        confirm="Fix the Text"
        focusConfirm
        onCancel={props.onCancel}
        onConfirm={props.onFixText}
      >
        <p>
          Replacing <code class="selectable">{props.file}</code> now would leave no backups set up
          {props.lost.length ? (
            <>
              : <strong>{props.lost.map(label).join(', ')}</strong> could not be read
            </>
          ) : null}
          . Fix the text instead (the error is shown at its line), or open the file in your editor.
        </p>
      </Sheet>
    );
  }
  return (
    <Sheet title="Replace the settings file?" confirm="Replace" destructive onCancel={props.onCancel} onConfirm={props.onConfirm}>
      <p>
        <code class="selectable">{props.file}</code> was edited by hand and is not valid. Replacing it keeps{' '}
        {props.kept.length ? <strong>{props.kept.map(label).join(', ')}</strong> : 'no backups (there were none in it)'}.
      </p>
      {props.lost.length ? (
        <div class="replace-lost">
          <p>These would be lost from the settings:</p>
          <ul class="error-list">
            {props.lost.map((p, i) => (
              <li key={i}>
                <strong>{label(p)}</strong>
                {p.why ? <span class="secondary"> — {p.why}</span> : null}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      <p>
        The file as it is now is kept as <code class="selectable">{bak}</code>.
      </p>
    </Sheet>
  );
}

/** config.json as text, fixed in place: the whole window while the file cannot be read as settings. */
export function FileTextEditor(props: {
  view: ConfigView;
  /** The form can show the file (it parses): offer to go back to it. */
  onBackToForm?: () => void;
  onSaved: () => void;
}) {
  const { view } = props;
  const id = useId();
  const area = useRef<HTMLTextAreaElement>(null);
  const [text, setText] = useState(view.raw ?? '');
  const [errors, setErrors] = useState<FieldError[]>(view.errors);
  const [errorsFor, setErrorsFor] = useState(view.raw ?? '');
  const [status, setStatus] = useState('');
  const [saving, setSaving] = useState(false);
  const [sheet, setSheet] = useState(false);
  const recovery = view.recovery;
  const located = errors.find((e) => e.line !== undefined && e.column !== undefined);
  const current = errorsFor === text;
  const lineText = located ? (errorsFor.split('\n')[located.line! - 1] ?? '') : '';

  function showError() {
    const t = area.current;
    if (!t || !located) return;
    const at = offsetOf(text, located.line!, located.column!);
    t.focus();
    t.setSelectionRange(at, Math.min(text.length, at + 1));
  }

  async function save() {
    setSaving(true);
    setStatus('');
    const r = await api.configSaveText({ text, expectedRevision: view.revision });
    setSaving(false);
    if (!r.ok) {
      setStatus(`${r.diagnosis.message} ${r.diagnosis.fix}`.trim());
      return;
    }
    if (r.value.saved) {
      props.onSaved();
      return;
    }
    if (r.value.conflict) {
      // The file changed while this text was edited: nothing is written over it; the text stays here.
      setStatus(
        'config.json was changed outside Preferences while you edited it. Nothing was saved; copy your text, then reopen Preferences to see the file as it is now.',
      );
      return;
    }
    setErrors(r.value.errors);
    setErrorsFor(text);
    setStatus(`${r.value.errors.length === 1 ? 'One problem' : `${r.value.errors.length} problems`} to fix. Nothing was saved.`);
  }

  async function replace() {
    setSheet(false);
    if (!recovery?.config) return;
    const r = await api.configSave({ config: recovery.config, overwriteInvalid: true, expectedRevision: view.revision });
    if (!r.ok) setStatus(`${r.diagnosis.message} ${r.diagnosis.fix}`.trim());
    else if (r.value.saved) props.onSaved();
    else setStatus(r.value.errors.map((e) => `${e.path}: ${e.message}`).join('; '));
  }

  return (
    <div class="prefs-text">
      <main class="pane" aria-label="Settings file">
        <header class="pane-header">
          <h1>Settings File</h1>
        </header>
        <div class="pane-scroll">
          <Banner kind="error" title="config.json is not valid">
            <p>
              <code class="selectable">{view.file}</code> cannot be used as it is. {inUse(view)}
            </p>
            <ul class="error-list" id={`${id}-errors`}>
              {errors.map((e, i) => (
                <li key={i}>{errorText(e)}</li>
              ))}
            </ul>
            {located && current ? (
              <>
                <pre class="raw error-line" aria-label={`Line ${located.line}`}>
                  {`${lineText}\n${' '.repeat(Math.max(0, located.column! - 1))}^`}
                </pre>
                <div class="button-row">
                  <Button small onClick={showError}>
                    Show Line {located.line}
                  </Button>
                </div>
              </>
            ) : null}
          </Banner>
          <label for={`${id}-text`} class="list-label">
            config.json
          </label>
          <textarea
            ref={area}
            id={`${id}-text`}
            class="config-text mono"
            spellcheck={false}
            autocomplete="off"
            aria-describedby={`${id}-errors`}
            aria-invalid={errors.length > 0 && current ? true : undefined}
            value={text}
            onInput={(e) => {
              setText(e.currentTarget.value);
              setStatus('');
            }}
          />
        </div>
        <footer class="savebar">
          <span class={['savebar-status', status && 'error-text'].filter(Boolean).join(' ')} role="status" aria-live="polite">
            {status || (text !== (view.raw ?? '') ? 'Unsaved changes.' : '')}
          </span>
          <span class="spacer" />
          {props.onBackToForm ? <Button onClick={props.onBackToForm}>Back to the Form</Button> : null}
          <Button onClick={() => void api.openConfigFile()}>Open in Editor</Button>
          <Button onClick={() => setSheet(true)}>Replace…</Button>
          <Button variant="primary" onClick={() => void save()} disabled={saving}>
            {saving ? 'Saving…' : 'Save'}
          </Button>
        </footer>
      </main>
      {sheet ? (
        <ReplaceSheet
          file={view.file}
          kept={recovery?.kept ?? []}
          lost={recovery?.lost ?? []}
          possible={!!recovery?.config}
          onCancel={() => setSheet(false)}
          onConfirm={() => void replace()}
          onFixText={() => {
            setSheet(false);
            requestAnimationFrame(showError);
          }}
        />
      ) : null}
    </div>
  );
}

/** Unknown settings, each with its value and a Remove; a guess at what was meant when there is one. */
export function UnknownFields({ fields, onRemove }: { fields: UnknownField[]; onRemove: (f: UnknownField) => void }) {
  if (!fields.length) return null;
  return (
    <Banner kind="error" title="Settings Dandelion does not know" class="unknown-fields">
      <p>Dandelion cannot save while these are in the file. Remove them (or set what was meant with its control).</p>
      <ul class="error-list">
        {fields.map((f) => (
          <li key={`${f.path}|${f.key}`} class="unknown-field">
            <span>
              Unknown setting <code>{f.key}</code>: <code class="selectable">{f.value}</code>
              {f.at.length > 2 || (f.at.length && f.at[0] !== 'profiles') ? <span class="secondary"> in {f.path}</span> : null}
              {f.suggestion ? <span class="secondary"> — did you mean {f.suggestion}?</span> : null}
            </span>
            <Button small onClick={() => onRemove(f)} aria-label={`Remove ${f.key}`}>
              Remove
            </Button>
          </li>
        ))}
      </ul>
    </Banner>
  );
}

/** Errors of a profile that no control shows (a setting the window has no control for): listed with their path. */
export function UnownedErrors({ errors }: { errors: { field: string; messages: string[] }[] }) {
  if (!errors.length) return null;
  return (
    <Banner kind="error" title="These settings need fixing">
      <ul class="error-list">
        {errors.map((e) => (
          <li key={e.field}>
            {e.field === 'profile' ? (
              e.messages.join(' ')
            ) : (
              <>
                <code>{e.field}</code>: {e.messages.join(' ')}
              </>
            )}
          </li>
        ))}
      </ul>
      <p class="secondary small">
        The window has no control for these.{' '}
        <Button small onClick={() => void api.openConfigFile()}>
          Open in Editor
        </Button>
      </p>
    </Banner>
  );
}

/** The fields of a profile a section shows an error for (the rest go to UnownedErrors). */
const OWNED = new Set([
  'name',
  'repository',
  'repository.user',
  'repository.host',
  'repository.port',
  'repository.path',
  'sshKey',
  'volume',
  'encryption',
  'sources',
  'excludes',
  'excludeCaches',
  'schedule',
  'minIntervalHours',
  'overdueAfterHours',
  'skipOnBattery',
  'check',
  'check.everyDays',
  'check.verifyData',
  'archiveName',
  'compression',
  'prune',
]);

/** The errors placed on a profile (`fields` keys `${uid}:${field}`) that no control of the window shows. */
export function unownedErrors(fields: Record<string, string[]>, uid: string, customKeep: boolean): { field: string; messages: string[] }[] {
  const out: { field: string; messages: string[] }[] = [];
  for (const [key, messages] of Object.entries(fields)) {
    if (!key.startsWith(`${uid}:`)) continue;
    const field = key.slice(uid.length + 1);
    if (OWNED.has(field) || (customKeep && field.startsWith('prune.'))) continue;
    out.push({ field, messages });
  }
  return out;
}
