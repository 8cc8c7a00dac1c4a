/**
 * The setup assistant: the first launch (no backup yet) and "Add Backup…". Folders → where the
 * backups go → a new or existing repository with its passphrase → what to keep safe → Back Up
 * Now. Each step is a form (Return continues); the profile is saved before the passphrase is
 * stored and the repository created, because both belong to a saved profile.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../shared/api.js';
import { Banner, Button } from '../shared/components.js';
import { formatBytes, plural } from '../shared/format.js';
import { useEvent } from '../shared/hooks.js';
import type { LiveProgress, RunRecord } from '../shared/types.js';
import { ConnectionCheck, Rich, type Finding } from './connection.js';
import { FolderList, RadioGroup, ReplaceInvalidSheet, TextField } from './controls.js';
import { newDraft, renameDraft, repositoryOf, type ProfileDraft } from './draft.js';
import { fieldValue } from './errors.js';
import { DEFAULT_ENCRYPTION, needsPassphrase } from './encryption.js';
import { joinPath, sshErrors } from './location.js';
import { Plan } from './setup-plan.js';
import { EncryptionSelect, LocationFields, useVolumeOf } from './section-repository.js';
import { NewPassphrase, passphraseProblem, RecoveryAdvice } from './section-passphrase.js';
import { pickSource } from './section-folders.js';
import { keychainName, type Env } from './context.js';
import { ImportSetup } from './setup-import.js';

export type SaveProfileResult =
  { ok: true } | { ok: false; fields: Record<string, string[]>; other: string[]; needsConfirmation?: boolean };

export interface SetupProps {
  first: boolean;
  taken: ReadonlySet<string>;
  env: Env;
  saveProfile: (d: ProfileDraft, opts: { overwriteInvalid?: boolean }) => Promise<SaveProfileResult>;
  onCancel: () => void;
  onDone: (id: string) => void;
}

type Step = 'folders' | 'where' | 'repository' | 'recovery' | 'ready';
const STEPS: Step[] = ['folders', 'where', 'repository', 'recovery', 'ready'];
const TITLES: Record<Step, string> = {
  folders: 'What do you want to back up?',
  where: 'Where should the backups go?',
  repository: 'A new or an existing repository?',
  recovery: 'Keep your passphrase safe',
  ready: 'Ready for the first backup',
};

export function Setup({ first, taken, env, saveProfile, onCancel, onDone }: SetupProps) {
  const [step, setStep] = useState<Step>('folders');
  const [draft, setDraft] = useState<ProfileDraft>(() => newDraft(taken));
  const [nameTouched, setNameTouched] = useState(false);
  const [mode, setMode] = useState<'new' | 'existing'>('new');
  const [typed, setTyped] = useState<[string, string]>(['', '']);
  // Each error with the value it was found for: it goes as soon as the field no longer holds that value.
  const [errors, setErrorsFound] = useState<{ fields: Record<string, string | null>; values: Record<string, string> }>({
    fields: {},
    values: {},
  });
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [confirmReplace, setConfirmReplace] = useState(false);
  const [folderState, setFolderState] = useState<Finding | null>(null);
  /** "I already use borg…": the import of an old setup instead of the steps below. */
  const [importing, setImporting] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  const volume = useVolumeOf(draft.localPath, draft.repoKind);

  const update = (fn: (d: ProfileDraft) => ProfileDraft) => setDraft((d) => fn(d));
  const valueOf = (field: string) => (field === 'passphrase' ? JSON.stringify([mode, typed]) : fieldValue(draft, field));
  const setErrors = (fields: Record<string, string | null>) =>
    setErrorsFound({ fields, values: Object.fromEntries(Object.keys(fields).map((f) => [f, valueOf(f)])) });
  /** What is wrong with a field's value now, as far as the window can tell (the engine's own findings wait for the next try). */
  const recheck = (field: string): string | null => {
    if (field === 'passphrase') return mode === 'new' || typed[0] !== '' ? passphraseProblem(typed, mode === 'existing') : null;
    if (field === 'sources') return sourcesProblem(draft);
    return whereProblems(draft)[field] ?? null;
  };
  const err = (field: string) => {
    const found = errors.fields[field] ?? null;
    if (found === null || errors.values[field] === valueOf(field)) return found;
    return recheck(field);
  };

  useEffect(() => heading.current?.focus(), [step]);

  // A backup disk names the backup, until the user names it.
  useEffect(() => {
    if (nameTouched || draft.saved) return;
    const suggestion = draft.repoKind === 'ssh' ? draft.ssh.host.trim() : volume;
    if (suggestion) setDraft((d) => renameDraft(d, suggestion, []));
  }, [volume, draft.repoKind, draft.ssh.host]);
  // Disk-triggered by default: plugging in the backup disk is how a Time Machine user backs up.
  useEffect(() => {
    if (draft.repoKind === 'local' && volume && !draft.saved) setDraft((d) => ({ ...d, volume }));
    if (!volume && draft.volume && !draft.saved) setDraft((d) => ({ ...d, volume: null }));
  }, [volume]);

  const steps = STEPS.filter((s) => s !== 'recovery' || showRecovery());
  const index = steps.indexOf(step);

  function showRecovery(): boolean {
    return mode === 'new' ? needsPassphrase(draft.encryption) : typed[0] !== '';
  }

  function go(to: Step) {
    setErrors({});
    setProblem(null);
    setStep(to);
  }

  function fail(fields: Record<string, string | null>, message: string | null = null) {
    setErrors(fields);
    setProblem(message);
    setBusy(null);
    // The first control in error takes the focus, so its message is read out.
    requestAnimationFrame(() => document.querySelector<HTMLElement>('.setup [aria-invalid="true"], .setup [data-invalid="true"]')?.focus());
  }

  function onFindings(findings: Finding[]) {
    const f = findings[0] ?? null;
    setFolderState(f);
    if (f?.folder === 'repository') setMode('existing');
    else if (f?.ok) setMode('new');
  }

  async function next(e?: Event) {
    e?.preventDefault();
    if (busy) return;
    if (step === 'folders') {
      const problem = sourcesProblem(draft);
      if (problem) return fail({ sources: problem });
      return go('where');
    }
    if (step === 'where') {
      const fields = whereProblems(draft);
      if (Object.keys(fields).length) return fail(fields);
      return go('repository');
    }
    if (step === 'repository') return createOrConnect();
    if (step === 'recovery') return go('ready');
  }

  async function createOrConnect(overwriteInvalid = false) {
    const encrypted = mode === 'new' ? needsPassphrase(draft.encryption) : typed[0] !== '';
    if (encrypted) {
      const p = passphraseProblem(typed, mode === 'existing');
      if (p) return fail({ passphrase: p });
    }
    const toSave: ProfileDraft = { ...draft, encryption: mode === 'new' ? (draft.encryption ?? DEFAULT_ENCRYPTION) : null };
    setErrors({});
    setProblem(null);
    setBusy('Saving the settings…');
    const saved = await saveProfile(toSave, { overwriteInvalid });
    if (!saved.ok) {
      if (saved.needsConfirmation) {
        setBusy(null);
        setConfirmReplace(true);
        return;
      }
      const fields = Object.fromEntries(Object.entries(saved.fields).map(([k, v]) => [k, v.join(' ')]));
      const here = ['encryption'];
      const elsewhere = Object.entries(fields).filter(([k]) => !here.includes(k));
      return fail(fields, elsewhere.length || saved.other.length ? [...elsewhere.map(([, v]) => v), ...saved.other].join(' ') : null);
    }
    const now: ProfileDraft = { ...toSave, saved: true };
    setDraft(now);
    if (encrypted) {
      setBusy(`Storing the passphrase in ${keychainName(env.platform)}…`);
      const r = await api.setPassphrase({ profile: now.id, passphrase: typed[0] });
      if (!r.ok) return fail({ passphrase: `${r.diagnosis.message} ${r.diagnosis.fix}`.trim() });
    }
    if (mode === 'new') {
      setBusy('Creating the repository…');
      const r = await api.initRepository({ profile: now.id });
      if (!r.ok) return fail({}, `${r.diagnosis.message} ${r.diagnosis.fix}`.trim());
    }
    setTyped(['', '']);
    setBusy(null);
    go(encrypted ? 'recovery' : 'ready');
  }

  if (importing)
    return (
      <ImportSetup platform={env.platform} onCancel={() => setImporting(false)} onDone={(id) => (id ? onDone(id) : setImporting(false))} />
    );

  let body: ComponentChildren;
  let primary = 'Continue';
  if (step === 'folders') {
    body = (
      <>
        <FolderList
          label="Folders"
          folders={draft.sources}
          onAdd={() =>
            void pickSource(env.home).then((f) => f && update((d) => (d.sources.includes(f) ? d : { ...d, sources: [...d.sources, f] })))
          }
          addLabel="Add Folder…"
          onRemove={(i) => update((d) => ({ ...d, sources: d.sources.filter((_, j) => j !== i) }))}
          error={err('sources')}
          empty="Add the folders you want to keep safe, e.g. your home folder."
        />
        <p class="secondary small">Caches, the Trash and cloud-only files are left out. You can change this later under Folders.</p>
        {first ? (
          <div class="button-row">
            <Button onClick={() => setImporting(true)}>I Already Use borg…</Button>
            <span class="secondary small">Bring your backup script, borgmatic or Vorta setup.</span>
          </div>
        ) : null}
      </>
    );
  } else if (step === 'where') {
    const repository = repositoryOf(draft);
    const otherFiles = folderState?.folder === 'other-files';
    body = (
      <>
        <LocationFields draft={draft} update={update} err={err} env={env} />
        {draft.repoKind === 'local' && draft.localPath.trim().startsWith('/') ? (
          <ConnectionCheck repository={repository} sshKey="" ssh={null} auto onFindings={onFindings} label="Check Folder" />
        ) : null}
        {draft.repoKind === 'local' && otherFiles ? (
          <div class="button-row">
            <Button onClick={() => update((d) => ({ ...d, localPath: joinPath(d.localPath, 'Dandelion') }))}>
              Use a New Folder Inside It
            </Button>
          </div>
        ) : null}
        {draft.repoKind === 'ssh' ? (
          <ConnectionCheck repository={repository} sshKey={draft.sshKey} ssh={draft.ssh} onFindings={onFindings} />
        ) : null}
        <TextField
          label="Name of this backup"
          value={draft.name}
          onValue={(name) => {
            setNameTouched(true);
            update((d) => renameDraft(d, name, []));
          }}
          error={err('name')}
        />
      </>
    );
  } else if (step === 'repository') {
    primary = mode === 'new' ? 'Create Repository' : 'Connect';
    body = (
      <>
        <RadioGroup
          legend="Repository"
          legendHidden
          value={mode}
          onValue={(m) => {
            setMode(m);
            setErrors({});
          }}
          options={[
            { value: 'new', label: 'Create a new repository', sentence: 'For backups to a place that has none yet.' },
            {
              value: 'existing',
              label: 'Use an existing repository',
              sentence: 'Continue a repository made before, by Dandelion or borg. Its encryption is found out from it.',
            },
          ]}
        />
        {mode === 'new' ? (
          <>
            <EncryptionSelect
              value={draft.encryption ?? DEFAULT_ENCRYPTION}
              onValue={(encryption) => update((d) => ({ ...d, encryption }))}
              error={err('encryption')}
            />
            {needsPassphrase(draft.encryption) ? (
              <NewPassphrase
                value={typed}
                onValue={setTyped}
                error={err('passphrase')}
                hint={`A long phrase you use nowhere else. It is stored in ${keychainName(env.platform)} and never shown again.`}
              />
            ) : null}
          </>
        ) : (
          <NewPassphrase
            single
            value={typed}
            onValue={setTyped}
            error={err('passphrase')}
            label="Passphrase of the repository"
            hint="Leave it empty if the repository is not encrypted."
          />
        )}
      </>
    );
  } else if (step === 'recovery') {
    body = (
      <RecoveryAdvice profile={draft.id} mode={mode === 'new' ? draft.encryption : null} keyExportedAt={null} platform={env.platform} />
    );
  } else {
    body = (
      <Ready
        draft={draft}
        env={env}
        onDone={() => onDone(draft.id)}
        onSave={async (d) => {
          const r = await saveProfile(d, {});
          if (!r.ok) return [...Object.values(r.fields).flat(), ...r.other].join(' ') || 'The settings could not be saved.';
          setDraft(d);
          return null;
        }}
      />
    );
  }

  return (
    <div class="setup">
      <header class="setup-header">
        <p class="secondary small" aria-hidden="true">
          {first ? 'Set up Dandelion' : 'Add a backup'} · Step {index + 1} of {steps.length}
        </p>
        <h1 ref={heading} tabIndex={-1}>
          <span class="visually-hidden">
            Step {index + 1} of {steps.length}:{' '}
          </span>
          {TITLES[step]}
        </h1>
        {first && step === 'folders' ? (
          <p class="lede">
            Dandelion backs up your folders with BorgBackup, encrypted, to a disk or a server — every hour while your Mac is on, and
            whenever the backup disk is connected.
          </p>
        ) : null}
      </header>
      {step === 'ready' ? (
        <div class="setup-body">{body}</div>
      ) : (
        <form class="setup-body" onSubmit={(e) => void next(e)} noValidate>
          <div class="stack">{body}</div>
          {problem ? (
            <Banner kind="error" title="That did not work">
              <p>
                <Rich text={problem} />
              </p>
            </Banner>
          ) : null}
          <div class="button-row setup-buttons">
            {index === 0 || step === 'recovery' ? (
              step === 'recovery' ? null : (
                <Button onClick={onCancel}>{first ? 'Set Up Later' : 'Cancel'}</Button>
              )
            ) : (
              <Button onClick={() => go(steps[index - 1]!)} disabled={!!busy}>
                Back
              </Button>
            )}
            <span class="spacer" />
            <span class="secondary small" role="status">
              {busy ?? ''}
            </span>
            <Button type="submit" variant="primary" disabled={!!busy}>
              {primary}
            </Button>
          </div>
        </form>
      )}
      {confirmReplace ? (
        <ReplaceInvalidSheet
          onCancel={() => setConfirmReplace(false)}
          onConfirm={() => {
            setConfirmReplace(false);
            void createOrConnect(true);
          }}
        />
      ) : null}
    </div>
  );
}

function sourcesProblem(d: ProfileDraft): string | null {
  return d.sources.length === 0 ? 'Choose at least one folder to back up.' : null;
}

/** What is missing or wrong on the "where" step, by field. */
function whereProblems(d: ProfileDraft): Record<string, string> {
  const fields: Record<string, string> = {};
  if (!d.name.trim()) fields.name = 'Give this backup a name.';
  if (d.repoKind === 'local') {
    const p = d.localPath.trim();
    if (!p) fields.repository = 'Choose the folder the backups go to.';
    else if (!p.startsWith('/') && !p.startsWith('~')) fields.repository = 'Write the whole path, starting with “/”.';
  } else for (const s of sshErrors(d.ssh)) fields[`repository.${s.field}`] = s.message;
  return fields;
}

/** The last step: what was set up, and Back Up Now with its progress and result. */
function Ready({
  draft,
  env,
  onDone,
  onSave,
}: {
  draft: ProfileDraft;
  env: Env;
  onDone: () => void;
  onSave: (d: ProfileDraft) => Promise<string | null>;
}) {
  const [startedAt, setStartedAt] = useState<string | null>(null);
  const [progress, setProgress] = useState<LiveProgress | null>(null);
  const [record, setRecord] = useState<RunRecord | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEvent('progress', (p) => {
    if (p.profile === draft.id && startedAt) setProgress(p.progress);
  });
  useEvent('run-finished', (r) => {
    if (r.profile === draft.id && startedAt && r.finishedAt >= startedAt) setRecord(r);
  });
  // A run that ended before its event reached us still shows, from the snapshot.
  const snap = env.snapshot?.profiles.find((p) => p.id === draft.id);
  const last = record ?? (startedAt && snap?.lastRun && snap.lastRun.finishedAt >= startedAt ? snap.lastRun : null);
  const running = startedAt !== null && !last;

  // When the run ends, Done is what comes next.
  useEffect(() => {
    if (last) document.querySelector<HTMLButtonElement>('.setup .done-button')?.focus();
  }, [last !== null]);

  async function backUp() {
    setError(null);
    setRecord(null);
    setProgress(null);
    const at = new Date().toISOString();
    setStartedAt(at);
    const r = await api.runNow({ profile: draft.id });
    if (!r.ok) {
      setStartedAt(null);
      setError(r.diagnosis.message);
    }
  }

  return (
    <div class="stack">
      <dl class="summary">
        <dt>Folders</dt>
        <dd class="mono selectable">{draft.sources.join(', ')}</dd>
        <dt>Backs up to</dt>
        <dd class="mono selectable">{repositoryOf(draft)}</dd>
      </dl>
      <Plan draft={draft} onSave={onSave} />
      <p class="secondary small">You can change all of this later in Preferences.</p>
      <div class="run-status" aria-live="polite">
        {running ? (
          <div class="stack">
            <p>
              <strong>Backing up…</strong>{' '}
              {progress && progress.nfiles > 0
                ? `${plural(progress.nfiles, 'file')}, ${formatBytes(progress.originalSize)}`
                : progress?.step && progress.step !== 'create'
                  ? progress.step
                  : ''}
            </p>
            <progress aria-label="Backup progress" value={progress?.percent ?? undefined} max={100} />
          </div>
        ) : last ? (
          last.result === 'success' || last.result === 'warning' ? (
            <Banner
              kind={last.result === 'success' ? 'info' : 'warning'}
              title={last.result === 'success' ? 'Your first backup is done.' : 'Backed up, with warnings.'}
            >
              <p>
                {last.archive ? (
                  <>
                    Archive <code class="selectable">{last.archive}</code>.{' '}
                  </>
                ) : null}
                {'stats' in last && last.stats ? `${plural(last.stats.nfiles, 'file')}, ${formatBytes(last.stats.originalSize)}.` : ''}
                {last.result === 'warning' && 'diagnoses' in last && last.diagnoses[0] ? ` ${last.diagnoses[0].message}` : ''}
              </p>
            </Banner>
          ) : (
            <Banner kind="error" title="The backup did not finish.">
              <p>
                <Rich
                  text={
                    'diagnoses' in last && last.diagnoses[0]
                      ? `${last.diagnoses[0].message} ${last.diagnoses[0].fix}`
                      : (last.message ?? '')
                  }
                />
              </p>
            </Banner>
          )
        ) : null}
        {error ? <div class="error">{error}</div> : null}
      </div>
      <div class="button-row setup-buttons">
        <span class="spacer" />
        <Button onClick={onDone} class="done-button" variant={last ? 'primary' : 'default'}>
          Done
        </Button>
        {!last || last.result === 'error' || last.result === 'cancelled' || last.result === 'interrupted' ? (
          <Button variant="primary" onClick={() => void backUp()} disabled={running}>
            {last ? 'Try Again' : 'Back Up Now'}
          </Button>
        ) : null}
      </div>
    </div>
  );
}
