/** Repository: a name, where the backups go (a disk folder or an SSH server), Test Connection, encryption. */
import { useEffect, useState } from 'preact/hooks';
import { api } from '../shared/api.js';
import { Button } from '../shared/components.js';
import { ConnectionCheck, Rich } from './connection.js';
import { Checkbox, RadioGroup, SelectField, TextField } from './controls.js';
import { renameDraft, repositoryOf } from './draft.js';
import { DEFAULT_ENCRYPTION, ENCRYPTION_CHOICES, encryptionChoice } from './encryption.js';
import type { SshParts } from './location.js';
import type { SectionProps } from './context.js';
import type { EncryptionMode } from './types.js';

/** The disk (under volumesRoot) a local folder is on, looked up by the main process; null when none. */
export function useVolumeOf(path: string, kind: 'local' | 'ssh'): string | null {
  const [volume, setVolume] = useState<string | null>(null);
  useEffect(() => {
    if (kind !== 'local' || !path.trim().startsWith('/')) {
      setVolume(null);
      return;
    }
    let alive = true;
    const t = setTimeout(() => {
      void api.volumeOf({ path: path.trim() }).then((r) => {
        if (alive) setVolume(r.ok ? r.value.volume : null);
      });
    }, 150);
    return () => {
      alive = false;
      clearTimeout(t);
    };
  }, [path, kind]);
  return volume;
}

export function LocationFields({ draft, update, err, env }: Pick<SectionProps, 'draft' | 'update' | 'err' | 'env'>) {
  const volume = useVolumeOf(draft.localPath, draft.repoKind);
  const setSsh = (patch: Partial<SshParts>) => update((d) => ({ ...d, ssh: { ...d.ssh, ...patch } }));

  // A folder moved to another disk follows that disk; one moved off every disk no longer waits for one.
  useEffect(() => {
    if (draft.repoKind !== 'local' || !draft.volume) return;
    if (volume && volume !== draft.volume) update((d) => ({ ...d, volume }));
  }, [volume]);

  async function chooseFolder() {
    const r = await api.pickFolder({ title: 'Choose where the backups go', defaultPath: draft.localPath || env.volumesRoot });
    if (r.ok && r.value.path) {
      const path = r.value.path;
      update((d) => ({ ...d, localPath: path }));
    }
  }
  async function chooseKey() {
    const r = await api.pickFile({ title: 'Choose your SSH key', defaultPath: `${env.home}/.ssh`, hidden: true });
    if (r.ok && r.value.path) {
      const path = r.value.path;
      update((d) => ({ ...d, sshKey: path }));
    }
  }

  return (
    <>
      <RadioGroup
        legend="Back up to"
        value={draft.repoKind}
        onValue={(repoKind) => update((d) => ({ ...d, repoKind }))}
        options={[
          { value: 'local', label: 'A disk or folder on this Mac' },
          { value: 'ssh', label: 'An SSH server' },
        ]}
      />
      {draft.repoKind === 'local' ? (
        <>
          <TextField
            label="Folder"
            value={draft.localPath}
            onValue={(localPath) => update((d) => ({ ...d, localPath }))}
            error={err('repository')}
            placeholder="/Volumes/Backup/Dandelion"
            spellcheck={false}
            autocomplete="off"
            class="mono-input"
            after={<Button onClick={() => void chooseFolder()}>Choose…</Button>}
          />
          {volume || draft.volume ? (
            <Checkbox
              label={`Back up when “${volume ?? draft.volume}” is connected`}
              checked={draft.volume !== null}
              onChange={(on) => update((d) => ({ ...d, volume: on ? (volume ?? d.volume) : null }))}
              hint="When this disk appears and a backup is due, Dandelion backs up as soon as the disk is readable."
              error={err('volume')}
            />
          ) : null}
        </>
      ) : (
        <>
          <div class="ssh-grid">
            <TextField
              label="User"
              value={draft.ssh.user}
              onValue={(user) => setSsh({ user })}
              error={err('repository.user')}
              spellcheck={false}
              autocomplete="off"
              class="ssh-user"
            />
            <TextField
              label="Server"
              value={draft.ssh.host}
              onValue={(host) => setSsh({ host })}
              error={[err('repository.host'), err('repository')].filter(Boolean).join(' ') || null}
              placeholder="backup.example.com"
              spellcheck={false}
              autocomplete="off"
              class="ssh-host"
            />
            <TextField
              label="Port"
              value={draft.ssh.port}
              onValue={(port) => setSsh({ port })}
              error={err('repository.port')}
              placeholder="22"
              inputMode="numeric"
              autocomplete="off"
              class="ssh-port"
            />
          </div>
          <TextField
            label="Folder on the server"
            value={draft.ssh.path}
            onValue={(path) => setSsh({ path })}
            error={err('repository.path')}
            placeholder="backup/my-mac"
            hint="A path without “/” at the start is in the login’s home folder."
            spellcheck={false}
            autocomplete="off"
          />
          <TextField
            label="SSH key"
            value={draft.sshKey}
            onValue={(sshKey) => update((d) => ({ ...d, sshKey }))}
            error={err('sshKey')}
            placeholder="Your default key"
            spellcheck={false}
            autocomplete="off"
            after={<Button onClick={() => void chooseKey()}>Choose…</Button>}
          />
        </>
      )}
    </>
  );
}

export function EncryptionSelect({
  value,
  onValue,
  error,
}: {
  value: EncryptionMode;
  onValue: (m: EncryptionMode) => void;
  error?: string | null;
}) {
  return (
    <SelectField
      label="Encryption"
      value={value}
      onValue={onValue}
      options={ENCRYPTION_CHOICES.map((c) => ({ value: c.mode, label: c.label }))}
      hint={encryptionChoice(value)?.sentence}
      error={error}
    />
  );
}

export function RepositorySection(props: SectionProps) {
  const { draft, saved, update, err, env, drafts } = props;
  const [init, setInit] = useState<{ busy: boolean; message: string | null; error: string | null }>({
    busy: false,
    message: null,
    error: null,
  });
  const repository = repositoryOf(draft);
  const unchanged = saved !== null && repositoryOf(saved) === repository && saved.encryption === draft.encryption;

  async function createRepository() {
    setInit({ busy: true, message: null, error: null });
    const r = await api.initRepository({ profile: draft.id });
    setInit(
      r.ok
        ? { busy: false, message: `Created a ${r.value.encryption} repository at ${r.value.repository}.`, error: null }
        : { busy: false, message: null, error: `${r.diagnosis.message} ${r.diagnosis.fix}`.trim() },
    );
  }

  return (
    <div class="section-body">
      <div class="group">
        <TextField
          label="Name"
          class="name-field"
          value={draft.name}
          onValue={(name) => update((d) => renameDraft(d, name, drafts))}
          error={err('name')}
          hint={
            draft.saved ? (
              <>
                On the command line: <code class="selectable">dandelion run {draft.id}</code>
              </>
            ) : (
              <>
                Its id will be <code>{draft.id}</code>.
              </>
            )
          }
        />
      </div>
      <h2 class="group-title">Where the backups go</h2>
      <div class="group stack">
        <LocationFields {...props} />
        <ConnectionCheck
          repository={repository}
          sshKey={draft.sshKey}
          ssh={draft.repoKind === 'ssh' ? draft.ssh : null}
          label={draft.repoKind === 'ssh' ? 'Test Connection' : 'Check Folder'}
        />
      </div>
      <h2 class="group-title">Encryption</h2>
      <div class="group stack">
        {draft.encryption !== null ? (
          <>
            <EncryptionSelect
              value={draft.encryption}
              onValue={(encryption) => update((d) => ({ ...d, encryption }))}
              error={err('encryption')}
            />
            <p class="secondary small">Used when the repository is created; an existing repository keeps the mode it was created with.</p>
            {draft.saved ? (
              <div class="button-row">
                <Button onClick={() => void createRepository()} disabled={init.busy || !unchanged || env.dirty}>
                  Create Repository
                </Button>
                <span class="secondary small" role="status">
                  {init.busy ? 'Creating…' : !unchanged || env.dirty ? 'Save your changes first.' : ''}
                </span>
              </div>
            ) : null}
            {init.message ? <p class="ok-text">{init.message}</p> : null}
            {init.error ? (
              <div class="error" role="alert">
                <Rich text={init.error} />
              </div>
            ) : null}
          </>
        ) : (
          <>
            <p>Found out from the repository when it is first opened.</p>
            <div class="button-row">
              <Button onClick={() => update((d) => ({ ...d, encryption: DEFAULT_ENCRYPTION }))}>Choose a Mode for a New Repository…</Button>
            </div>
          </>
        )}
      </div>
    </div>
  );
}
