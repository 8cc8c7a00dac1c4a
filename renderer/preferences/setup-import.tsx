/**
 * "I already use borg…" in the setup assistant: a backup script, its launchd plist or crontab, a
 * borgmatic configuration or a Vorta export, chosen in the open panel or dropped on the window. The
 * main process reads the file (this window never sees a passphrase), shows what it would create and
 * the report, and saves only when the user clicks Import; then each repository's check.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../shared/api.js';
import { Banner, Button } from '../shared/components.js';
import { plural } from '../shared/format.js';
import type { ImportOutcome, ImportPreview } from '../../src/ipc/contract.js';
import { keychainName } from './context.js';

type Report = ImportOutcome['report'][number];
type Imported = ImportOutcome['profiles'][number];

export interface ImportSetupProps {
  platform: string;
  onCancel: () => void;
  onDone: (id: string | null) => void;
}

function where(r: Report): string | null {
  if (!r.at) return null;
  const name = r.at.file.split('/').pop() ?? r.at.file;
  return r.at.line === null ? name : `${name}, line ${r.at.line}`;
}

function ReportGroup({ title, items }: { title: string; items: Report[] }) {
  if (!items.length) return null;
  return (
    <section class="import-report" aria-label={title}>
      <h2>{title}</h2>
      <ul>
        {items.map((r, i) => (
          <li key={i}>
            {where(r) ? <span class="secondary mono">{where(r)}: </span> : null}
            <span class="selectable">{r.message}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}

function checkWords(p: Imported): string {
  const c = p.check;
  if (!c) return 'Saved.';
  const reach =
    c.reachable === true
      ? 'The repository answers'
      : c.reachable === false
        ? 'The repository cannot be reached'
        : 'The repository was not checked';
  const enc = c.encryption ? ` (encryption ${c.encryption})` : '';
  const pass = {
    opens: 'and the passphrase opens it.',
    wrong: 'but the passphrase from the file does not open it.',
    missing: 'but no passphrase is stored yet.',
    'not-needed': 'and needs no passphrase.',
    unchecked: 'and the passphrase was not tried.',
  }[c.passphrase];
  return `Saved. ${reach}${enc}, ${pass}`;
}

function ProfileCard({ p, done }: { p: Imported; done: boolean }) {
  return (
    <dl class="summary" aria-label={p.name}>
      <dt>Backup</dt>
      <dd>
        <strong>{p.name}</strong>
      </dd>
      <dt>Backs up to</dt>
      <dd class="mono selectable">{p.repository}</dd>
      <dt>Folders</dt>
      <dd class="mono selectable">{p.sources.join(', ')}</dd>
      <dt>Leaves out</dt>
      <dd class="mono selectable">{p.excludes.length ? p.excludes.join(', ') : 'nothing'}</dd>
      <dt>When</dt>
      <dd>{p.when}</dd>
      <dt>Keeps</dt>
      <dd>{p.keep}</dd>
      <dt>Archive names</dt>
      <dd class="mono selectable">{p.archiveName}</dd>
      {p.monitor ? (
        <>
          <dt>Monitoring</dt>
          <dd>{[p.monitor.ping, p.monitor.ntfy].filter(Boolean).join(', ')}</dd>
        </>
      ) : null}
      {done ? (
        <>
          <dt>Result</dt>
          <dd>{checkWords(p)}</dd>
        </>
      ) : null}
    </dl>
  );
}

export function ImportSetup({ platform, onCancel, onDone }: ImportSetupProps) {
  const [preview, setPreview] = useState<Extract<ImportPreview, { token: string }> | null>(null);
  const [done, setDone] = useState<ImportOutcome | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [dragging, setDragging] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => heading.current?.focus(), [preview === null, done === null]);

  async function read(path?: string) {
    setProblem(null);
    setBusy('Reading the file…');
    const r = await api.importPreview(path ? { path } : {});
    setBusy(null);
    if (!r.ok) return setProblem(`${r.diagnosis.message} ${r.diagnosis.fix}`.trim());
    if (r.value.token === null) return;
    setDone(null);
    setPreview(r.value);
  }

  async function importNow() {
    if (!preview) return;
    setProblem(null);
    setBusy('Saving and checking each repository…');
    const r = await api.importApply({ token: preview.token, expectedRevision: preview.revision });
    setBusy(null);
    if (!r.ok) return setProblem(`${r.diagnosis.message} ${r.diagnosis.fix}`.trim());
    if (!r.value.saved && r.value.conflict) {
      // The settings changed meanwhile: read the file again against them, and show that.
      setProblem('The settings changed while this was open. Here is the import again, against them; nothing was saved yet.');
      const again = await api.importPreview({ path: preview.file });
      if (again.ok && again.value.token !== null) setPreview(again.value);
      return;
    }
    if (!r.value.saved) {
      setPreview({ ...preview, outcome: r.value });
      return;
    }
    setDone(r.value);
  }

  function onDrop(e: DragEvent) {
    e.preventDefault();
    setDragging(false);
    const file = e.dataTransfer?.files[0];
    if (!file) return;
    const path = api.pathOf(file);
    if (!path) return setProblem(`“${file.name}” could not be read from where it was dropped. Choose it with Choose File… instead.`);
    void read(path);
  }

  const shown = done ?? preview?.outcome ?? null;
  const todo = shown?.report.filter((r) => r.kind === 'todo') ?? [];
  const title = done ? 'Imported' : preview ? 'What would be imported' : 'Bring your borg setup';
  const canImport = !!preview && !done && preview.outcome.profiles.length > 0 && preview.outcome.errors.length === 0;

  return (
    <div
      class={`setup import-setup${dragging ? ' dragging' : ''}`}
      onDragOver={(e) => {
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
    >
      <header class="setup-header">
        <p class="secondary small" aria-hidden="true">
          Set up Dandelion · I already use borg
        </p>
        <h1 ref={heading} tabIndex={-1}>
          {title}
        </h1>
        {!preview ? (
          <p class="lede">
            Choose the script that runs your backups, its launchd plist or crontab, a borgmatic configuration or a Vorta export — or drop it
            on this window. The file is read, never run or changed, and nothing is saved until you click Import.
          </p>
        ) : null}
      </header>
      <div class="setup-body">
        <div class="stack">
          {shown ? (
            <>
              <p>
                {done
                  ? `${plural(done.profiles.length, 'backup')} set up from ${preview?.file.split('/').pop() ?? 'the file'}.`
                  : shown.profiles.length
                    ? `${plural(shown.profiles.length, 'backup')} from ${preview?.file.split('/').pop() ?? 'the file'}:`
                    : 'Nothing in this file can be imported.'}
              </p>
              {shown.profiles.map((p) => (
                <ProfileCard key={p.id} p={p} done={!!done} />
              ))}
              {shown.skipped.map((s) => (
                <p key={s.importedAs} class="secondary">
                  Already set up: “{s.existing}” backs up to <span class="mono">{s.repository}</span> with the same archive names.
                </p>
              ))}
              {shown.errors.length ? (
                <Banner kind="error" title="This cannot be saved as it is">
                  <ul>
                    {shown.errors.map((e, i) => (
                      <li key={i}>
                        {e.profile ? `${e.profile}: ` : ''}
                        {e.path} {e.message}
                      </li>
                    ))}
                  </ul>
                </Banner>
              ) : null}
              {!done ? (
                <>
                  <ReportGroup title="Carried over" items={shown.report.filter((r) => r.kind === 'carried')} />
                  <ReportGroup title="Left out" items={shown.report.filter((r) => r.kind === 'dropped')} />
                  <ReportGroup title="Good to know" items={shown.report.filter((r) => r.kind === 'note')} />
                </>
              ) : null}
              <ReportGroup title={done ? 'What you still have to do' : 'What you will still have to do'} items={todo} />
              {!done && shown.profiles.some((p) => p.passphraseFound) ? (
                <p class="secondary small">
                  The passphrase found in the file goes to {keychainName(platform)} when you click Import, never into the settings file.
                </p>
              ) : null}
            </>
          ) : (
            <div class="drop-zone" aria-hidden="true">
              Drop a file here
            </div>
          )}
          {problem ? (
            <Banner kind="error" title="That did not work">
              <p>{problem}</p>
            </Banner>
          ) : null}
        </div>
        <div class="button-row setup-buttons">
          {done ? null : <Button onClick={onCancel}>{preview ? 'Cancel' : 'Back'}</Button>}
          {done ? null : (
            <Button onClick={() => void read()} disabled={!!busy}>
              {preview ? 'Choose Another File…' : 'Choose File…'}
            </Button>
          )}
          <span class="spacer" />
          <span class="secondary small" role="status">
            {busy ?? ''}
          </span>
          {done ? (
            <Button variant="primary" onClick={() => onDone(done.profiles[0]?.id ?? null)}>
              Done
            </Button>
          ) : preview ? (
            <Button variant="primary" onClick={() => void importNow()} disabled={!!busy || !canImport}>
              Import
            </Button>
          ) : null}
        </div>
      </div>
    </div>
  );
}
