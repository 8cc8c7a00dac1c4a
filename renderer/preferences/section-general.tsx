/** General: Open at Login, which notifications to show, and which borg to use (with the version found). */
import { useEffect, useState } from 'preact/hooks';
import { api } from '../shared/api.js';
import { Button } from '../shared/components.js';
import type { CallResults } from '../../src/ipc/contract.js';
import { Checkbox, TextField } from './controls.js';
import { Rich } from './connection.js';
import type { GeneralDraft } from './draft.js';
import type { Env } from './context.js';

type LoginState = CallResults['loginItem'];

export function GeneralSection(props: {
  general: GeneralDraft;
  setGeneral: (fn: (g: GeneralDraft) => GeneralDraft) => void;
  err: (field: string) => string | null;
  env: Env;
  configFile: string;
}) {
  const { general, setGeneral, err, env } = props;
  const [login, setLogin] = useState<LoginState | null>(env.snapshot?.app.login ?? null);
  const [loginError, setLoginError] = useState<string | null>(null);

  useEffect(() => {
    void api.loginItem().then((r) => r.ok && setLogin(r.value));
  }, []);

  async function toggleLogin(openAtLogin: boolean) {
    const r = await api.setLoginItem({ openAtLogin });
    if (r.ok) {
      setLogin(r.value);
      setLoginError(null);
      // The main process remembers the choice in config.json: the next save must not undo it.
      await env.refreshBase();
    } else setLoginError(r.diagnosis.message);
  }

  async function chooseBorg() {
    const r = await api.pickFile({ title: 'Choose the borg program', defaultPath: general.borgPath || '/opt/homebrew/bin' });
    if (r.ok && r.value.path) {
      const path = r.value.path;
      setGeneral((g) => ({ ...g, borgPath: path }));
    }
  }

  const borg = env.snapshot?.borg;
  const n = general.notifications;
  const setN = (patch: Partial<GeneralDraft['notifications']>) =>
    setGeneral((g) => ({ ...g, notifications: { ...g.notifications, ...patch } }));

  return (
    <div class="section-body">
      <div class="group stack">
        <Checkbox
          label="Open Dandelion at login"
          checked={login?.openAtLogin ?? false}
          onChange={(on) => void toggleLogin(on)}
          hint="Backups only run while Dandelion is open."
          error={loginError ?? err('openAtLogin')}
        />
        {login?.status === 'requires-approval' ? (
          <div class="button-row">
            <span class="secondary small">macOS asks you to allow it in System Settings › Login Items.</span>
            <Button small onClick={() => void api.openLoginSettings()}>
              Open Login Items…
            </Button>
          </div>
        ) : null}
      </div>
      <h2 class="group-title">Notifications</h2>
      <div class="group stack">
        <Checkbox label="Failed backups" checked disabled onChange={() => {}} hint="Always shown: a failure needs you." />
        <Checkbox
          label="Backups with warnings"
          checked={n.warnings}
          onChange={(warnings) => setN({ warnings })}
          hint="Some files could not be read."
        />
        <Checkbox
          label="Overdue backups"
          checked={n.overdue}
          onChange={(overdue) => setN({ overdue })}
          hint="At most once a day for each backup."
        />
        <Checkbox label="Successful backups" checked={n.success} onChange={(success) => setN({ success })} error={err('notifications')} />
      </div>
      <h2 class="group-title">BorgBackup</h2>
      <div class="group stack">
        <TextField
          label="borg program"
          value={general.borgPath}
          onValue={(borgPath) => setGeneral((g) => ({ ...g, borgPath }))}
          placeholder="Found automatically"
          error={err('borgPath')}
          spellcheck={false}
          autocomplete="off"
          class="mono-input"
          after={<Button onClick={() => void chooseBorg()}>Choose…</Button>}
          hint={
            !borg || borg.state === 'unknown' ? (
              'Looking for borg…'
            ) : borg.state === 'found' ? (
              <>
                Using borg {borg.version} at <code class="selectable">{borg.path}</code>
              </>
            ) : (
              <span class="error-text">
                <Rich text={`${borg.diagnosis.message} ${borg.diagnosis.fix}`} />
              </span>
            )
          }
        />
      </div>
      <p class="secondary small file-note">
        Settings are kept in <code class="selectable">{props.configFile}</code>
      </p>
    </div>
  );
}
