/**
 * Test Connection for a repository that may not be saved yet: the doctor's findings inline, and
 * for an SSH server whose host key is unknown, the key's fingerprint and a Trust button that adds
 * exactly that key after the user confirmed it. A changed key is shown as a possible attack and is
 * never offered for trust.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api } from '../shared/api.js';
import { Banner, Button } from '../shared/components.js';
import type { CallResults } from '../../src/ipc/contract.js';
import { Sheet } from './controls.js';
import { hostAndPort, type SshParts } from './location.js';

export type Finding = CallResults['doctor'][number];
type HostKeyReport = CallResults['hostKey'];

/** The engine's sentences mark commands and paths with backticks: those become <code>. */
export function Rich({ text }: { text: string }): ComponentChildren {
  const parts = text.split('`');
  if (parts.length < 3) return text;
  return parts.map((part, i) => (i % 2 === 1 && i < parts.length - 1 ? <code class="selectable">{part}</code> : part));
}

/** The key ssh would check first: ED25519 when the server has one. */
function preferredKey(report: HostKeyReport): HostKeyReport['keys'][number] | null {
  return report.keys.find((k) => k.type === 'ED25519') ?? report.keys[0] ?? null;
}

export interface ConnectionProps {
  repository: string;
  sshKey: string;
  /** The SSH fields, for an ssh:// repository (the host key is looked up from them). */
  ssh: SshParts | null;
  /** Told each time the doctor answers (e.g. to offer "existing repository" when one is found). */
  onFindings?: (findings: Finding[]) => void;
  /** Runs the check as soon as the component appears (after a folder was chosen). */
  auto?: boolean;
  label?: string;
}

export function ConnectionCheck({ repository, sshKey, ssh, onFindings, auto, label = 'Test Connection' }: ConnectionProps) {
  const [findings, setFindings] = useState<Finding[] | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [report, setReport] = useState<HostKeyReport | null>(null);
  const [confirming, setConfirming] = useState<{ host: string; port: number; type: string; fingerprint: string } | null>(null);
  const [trustError, setTrustError] = useState<string | null>(null);
  const [trusted, setTrusted] = useState<string | null>(null);

  // A new location makes the old answer meaningless.
  useEffect(() => {
    setFindings(null);
    setReport(null);
    setFailure(null);
    setTrustError(null);
    setTrusted(null);
    if (auto && repository.trim()) void run();
  }, [repository, sshKey]);

  async function run() {
    if (!repository.trim()) {
      setFailure('Enter where the backups go first.');
      return;
    }
    setBusy(true);
    setFailure(null);
    setReport(null);
    setTrusted(null);
    setTrustError(null);
    const draft: Record<string, unknown> = { repository: repository.trim() };
    if (sshKey.trim()) draft.sshKey = sshKey.trim();
    const r = await api.doctor({ draft });
    if (!r.ok) {
      setBusy(false);
      setFindings(null);
      setFailure(r.diagnosis.message);
      return;
    }
    setFindings(r.value);
    onFindings?.(r.value);
    const target = ssh ? hostAndPort(ssh) : null;
    if (target && r.value.some((f) => f.kind === 'ssh-host-unknown')) {
      const k = await api.hostKey(target);
      if (k.ok) setReport(k.value);
      else setTrustError(k.diagnosis.message);
    }
    setBusy(false);
  }

  async function trust() {
    if (!confirming) return;
    const { host, port, fingerprint } = confirming;
    setBusy(true);
    const r = await api.trustHostKey({ host, port, fingerprint });
    setConfirming(null);
    setBusy(false);
    if (!r.ok) {
      setTrustError(`${r.diagnosis.message} ${r.diagnosis.fix}`.trim());
      return;
    }
    await run();
    setTrusted(fingerprint);
  }

  const unknown = findings?.find((f) => f.kind === 'ssh-host-unknown');
  const changed = findings?.find((f) => f.kind === 'ssh-host-changed') ?? (report?.state === 'changed' ? ({} as Finding) : undefined);
  const key = report && report.state === 'unknown' ? preferredKey(report) : null;
  const target = ssh ? hostAndPort(ssh) : null;

  return (
    <div class="connection">
      <div class="button-row">
        <Button onClick={() => void run()} disabled={busy}>
          {label}
        </Button>
        <span class="secondary" role="status">
          {busy ? 'Checking…' : trusted ? 'Key trusted.' : ''}
        </span>
      </div>
      {failure ? <div class="error">{failure}</div> : null}
      {findings && !changed ? (
        <ul class="findings" aria-label="Connection test results">
          {findings.map((f, i) => (
            <li key={i} class={f.ok ? 'ok' : 'bad'}>
              <span class="mark" aria-hidden="true">
                {f.ok ? '✓' : '!'}
              </span>
              <span class="visually-hidden">{f.ok ? 'OK: ' : 'Problem: '}</span>
              <span>
                <Rich text={f.kind === 'ssh-host-unknown' ? f.message.replace(/ The server presents: .*$/s, '') : f.message} />
                {f.fix && f.kind !== 'ssh-host-unknown' ? (
                  <span class="fix">
                    {' '}
                    <Rich text={f.fix} />
                  </span>
                ) : null}
              </span>
            </li>
          ))}
        </ul>
      ) : null}
      {changed ? (
        <Banner kind="error" title="Warning: the server’s identity has changed" class="host-changed">
          <p>
            The key this server presents is not the one your Mac knows for it. Someone may be intercepting the connection, so Dandelion will
            not connect and does not offer to trust the new key.
          </p>
          {changed.fix ? (
            <p>
              <Rich text={changed.fix} />
            </p>
          ) : null}
        </Banner>
      ) : null}
      {unknown && key && target ? (
        <div class="host-key group-inset">
          <p>
            Your Mac has not connected to <strong>{target.port === 22 ? target.host : `${target.host} (port ${target.port})`}</strong>{' '}
            before. It identifies itself with this key:
          </p>
          <p class="fingerprint">
            <span class="secondary">{key.type}</span> <code class="selectable">{key.fingerprint}</code>
          </p>
          <p class="secondary">Compare it with the fingerprint your server’s administrator or provider gives you before you trust it.</p>
          <div class="button-row">
            <Button onClick={() => setConfirming({ ...target, ...key })} disabled={busy}>
              Trust This Key…
            </Button>
          </div>
        </div>
      ) : null}
      {trustError ? <div class="error">{trustError}</div> : null}
      {confirming ? (
        <Sheet
          title={`Trust ${confirming.host}?`}
          confirm="Trust"
          busy={busy}
          onConfirm={() => void trust()}
          onCancel={() => setConfirming(null)}
        >
          <p>Only trust this key if its fingerprint matches the one you were given:</p>
          <p class="fingerprint">
            <span class="secondary">{confirming.type}</span> <code class="selectable">{confirming.fingerprint}</code>
          </p>
          <p class="secondary">It is added to {report?.knownHostsFile ?? 'your known_hosts file'}.</p>
        </Sheet>
      ) : null}
    </div>
  );
}
