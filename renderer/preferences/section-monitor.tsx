/**
 * Monitoring (in the Schedule section): a Healthchecks / Uptime Kuma ping URL and an ntfy topic URL,
 * and Send Test Ping. A saved URL is never sent to this window (it carries the check's secret): it
 * shows as its host, and Change… replaces it with one typed anew.
 */
import { useState } from 'preact/hooks';
import { api } from '../shared/api.js';
import { Button } from '../shared/components.js';
import { TextField } from './controls.js';
import { sealedHost } from '../../src/ipc/monitor-url.js';
import type { SectionProps } from './context.js';
import type { CallResults } from '../../src/ipc/contract.js';

type Results = CallResults['testMonitor'];

/** What Send Test Ping answered, a line per URL: "Ping: hc-ping.com answered HTTP 200. It works." */
export function testWords(results: Results): { text: string; ok: boolean }[] {
  if (!results.length) return [{ text: 'Nothing to test: enter a ping URL or an ntfy topic URL first.', ok: false }];
  return results.map((r) => {
    const what = r.what === 'ping' ? 'Ping' : 'ntfy';
    return { text: r.ok ? `${what}: ${r.host} ${r.how}. It works.` : `${what}: ${r.host} ${r.how}.`, ok: r.ok };
  });
}

function UrlField(props: {
  label: string;
  value: string;
  saved: string;
  onValue: (v: string) => void;
  error: string | null;
  placeholder: string;
  hint: string;
}) {
  const host = sealedHost(props.value);
  if (host)
    return (
      <TextField
        label={props.label}
        value={`${host} (address hidden)`}
        onValue={() => {}}
        readOnly
        error={props.error}
        hint={props.hint}
        after={
          <Button small onClick={() => props.onValue('')}>
            Change…
          </Button>
        }
      />
    );
  return (
    <TextField
      label={props.label}
      value={props.value}
      onValue={props.onValue}
      error={props.error}
      placeholder={props.placeholder}
      hint={props.hint}
      inputMode="url"
      spellcheck={false}
      autoComplete="off"
      after={
        sealedHost(props.saved) ? (
          <Button small onClick={() => props.onValue(props.saved)}>
            Keep Saved
          </Button>
        ) : undefined
      }
    />
  );
}

export function MonitoringGroup({ draft, saved, update, err }: SectionProps) {
  const [testing, setTesting] = useState(false);
  const [answer, setAnswer] = useState<{ text: string; ok: boolean }[] | null>(null);

  async function test() {
    setTesting(true);
    setAnswer(null);
    const r = await api.testMonitor({
      profile: saved ? draft.id : null,
      pingUrl: draft.pingUrl.trim() || null,
      ntfyUrl: draft.ntfyUrl.trim() || null,
    });
    setTesting(false);
    setAnswer(r.ok ? testWords(r.value) : [{ text: r.diagnosis.message, ok: false }]);
  }

  return (
    <>
      <h2 class="group-title">Monitoring</h2>
      <div class="group stack">
        <UrlField
          label="Ping URL"
          value={draft.pingUrl}
          saved={saved?.pingUrl ?? ''}
          onValue={(pingUrl) => update((d) => ({ ...d, pingUrl }))}
          error={err('monitor.pingUrl') ?? err('monitor')}
          placeholder="https://hc-ping.com/…"
          hint="Healthchecks.io, your own Healthchecks or an Uptime Kuma push URL: told when a backup starts, works or fails, and when backups are overdue. The log of a failed backup goes with it."
        />
        <UrlField
          label="ntfy topic URL"
          value={draft.ntfyUrl}
          saved={saved?.ntfyUrl ?? ''}
          onValue={(ntfyUrl) => update((d) => ({ ...d, ntfyUrl }))}
          error={err('monitor.ntfyUrl')}
          placeholder="https://ntfy.sh/…"
          hint="A short message when a backup fails or is overdue (never the log)."
        />
        <div class="button-row">
          <Button small onClick={() => void test()} disabled={testing || (!draft.pingUrl.trim() && !draft.ntfyUrl.trim())}>
            {testing ? 'Sending…' : 'Send Test Ping'}
          </Button>
          <div role="status" class="small">
            {answer?.map((l) => (
              <div key={l.text} class={l.ok ? 'secondary' : 'error-text'}>
                {l.text}
              </div>
            ))}
          </div>
        </div>
      </div>
    </>
  );
}
