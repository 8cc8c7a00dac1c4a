import { useId, useState } from 'preact/hooks';
import { api } from '../shared/api.js';
import { Button } from '../shared/components.js';
import { formatBytes, plural } from '../shared/format.js';
import type { Diagnosis, EventPayloads, ProfileSnapshot } from '../shared/types.js';
import { DiagnosisBlock } from './diagnosis-block.js';
import { operationWords, verifyButtons } from './verify-actions.js';

type OpProgress = EventPayloads['op-progress']['progress'];
type OpRecord = EventPayloads['op-finished'];
type Line = NonNullable<ProfileSnapshot['activity']>[number];

/**
 * Check Now and Prove Restorable: the two buttons (disabled with the reason while a backup runs or
 * the disk is away), the live progress of a check or drill with Cancel, and how the last one asked
 * here ended.
 */
export function VerifyControls({ p, live, platform }: { p: ProfileSnapshot; live: OpProgress | null; platform: string }) {
  const reasonId = useId();
  const [starting, setStarting] = useState<'check' | 'drill' | null>(null);
  const [cancelling, setCancelling] = useState(false);
  const [answer, setAnswer] = useState<{ record: OpRecord; line: Line } | null>(null);
  const [callError, setCallError] = useState<Diagnosis | null>(null);
  const op = live ?? p.operation ?? null;
  const buttons = verifyButtons(p, { starting: starting !== null });

  const start = async (kind: 'check' | 'drill') => {
    setStarting(kind);
    setAnswer(null);
    setCallError(null);
    setCancelling(false);
    const r = kind === 'check' ? await api.check({ profile: p.id }) : await api.drill({ profile: p.id });
    setStarting(null);
    setCancelling(false);
    if (r.ok) setAnswer(r.value);
    else setCallError(r.diagnosis);
  };
  const cancel = async () => {
    setCancelling(true);
    const r = await api.cancelOperation({ profile: p.id });
    if (!r.ok) setCallError(r.diagnosis);
  };

  const result = answer?.record ?? null;
  const line = answer?.line ?? null;
  // Damage found is already the card's red block (verifyFailed); any other failure is said here.
  const damageShown = result?.result === 'error' && p.verifyFailed !== null && p.verifyFailed.at === result.finishedAt;
  return (
    <div class="verify-controls">
      {op ? (
        <div class="run op-run">
          <div class="run-head">
            <span class="run-step">{operationWords(op)}</span>
          </div>
          {op.percent !== null ? (
            <progress max={100} value={op.percent} aria-label={`${operationWords(op)} ${Math.floor(op.percent)}%`}>
              {Math.floor(op.percent)}%
            </progress>
          ) : null}
          <div class="run-numbers">
            <span>
              {op.kind === 'drill' && op.bytes > 0 ? `${formatBytes(op.bytes)} read` : null}
              {op.kind === 'drill' && op.nfiles > 0 ? ` · ${plural(op.nfiles, 'file')} compared` : null}
              {op.percent !== null ? `${op.kind === 'drill' && op.bytes > 0 ? ' · ' : ''}${Math.floor(op.percent)}%` : null}
            </span>
            <Button onClick={() => void cancel()} disabled={cancelling}>
              {cancelling ? 'Cancelling…' : 'Cancel'}
            </Button>
          </div>
        </div>
      ) : starting ? (
        <p class="secondary" role="status">
          {starting === 'check' ? 'Starting the check…' : 'Starting the restore drill…'}
        </p>
      ) : (
        <div class="verify-row">
          <Button
            small
            disabled={!buttons.check.enabled}
            aria-describedby={buttons.reason ? reasonId : undefined}
            onClick={() => void start('check')}
            title="Reads the repository and its archives and reports any damage (borg check)"
          >
            {buttons.check.label}
          </Button>
          <Button
            small
            disabled={!buttons.drill.enabled}
            aria-describedby={buttons.reason ? reasonId : undefined}
            onClick={() => void start('drill')}
            title="Reads back the whole latest backup and restores a sample, compared byte for byte with the originals"
          >
            {buttons.drill.label}
          </Button>
          {buttons.reason ? (
            <span id={reasonId} class="verify-reason secondary small">
              {buttons.reason}
            </span>
          ) : null}
        </div>
      )}
      {!op && line && result && result.result !== 'error' ? (
        <p class={`op-result tone-${line.tone}`} role="status" data-op-result>
          <span class="dot" aria-hidden="true" />
          {line.text}.
        </p>
      ) : null}
      {!op && line && result?.result === 'error' && !damageShown ? (
        <DiagnosisBlock
          kind="error"
          title={line.text}
          diagnoses={result.diagnoses}
          fallback={result.message}
          profile={p.id}
          platform={platform}
        />
      ) : null}
      {callError ? (
        <DiagnosisBlock kind="error" title="Could not do that" diagnoses={[callError]} fallback={null} profile={p.id} platform={platform} />
      ) : null}
    </div>
  );
}
