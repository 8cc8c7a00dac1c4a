import { Button } from '../shared/components.js';
import { elapsedWords, formatBytes, formatElapsed, plural } from '../shared/format.js';
import { useNow } from '../shared/hooks.js';
import type { LiveProgress } from '../shared/types.js';

const STEPS: Record<LiveProgress['step'], string> = {
  waiting: 'Waiting for the repository…',
  starting: 'Starting…',
  create: 'Backing up files…',
  prune: 'Removing old backups…',
  compact: 'Freeing space in the repository…',
};

/** A run going on in this process: step, numbers, the file borg is at, elapsed time, Cancel. */
export function RunProgress({ run, onCancel, cancelling }: { run: LiveProgress; onCancel: () => void; cancelling: boolean }) {
  const now = useNow(1000);
  const elapsed = now.getTime() - new Date(run.startedAt).getTime();
  const step = STEPS[run.step];
  return (
    <div class="run">
      <div class="run-head">
        <span class="run-step">{step}</span>
        <span class="run-elapsed" title="Elapsed time">
          <span aria-hidden="true">{formatElapsed(elapsed)}</span>
          <span class="visually-hidden">{elapsedWords(elapsed)} elapsed</span>
        </span>
      </div>
      {run.percent !== null ? (
        <progress max={100} value={run.percent} aria-label={`${step} ${Math.round(run.percent)}%`}>
          {Math.round(run.percent)}%
        </progress>
      ) : null}
      <div class="run-numbers">
        <span>
          {run.step === 'create' || run.nfiles > 0 ? `${plural(run.nfiles, 'file')} · ${formatBytes(run.originalSize)}` : null}
          {run.percent !== null ? `${run.step === 'create' || run.nfiles > 0 ? ' · ' : ''}${Math.round(run.percent)}%` : null}
        </span>
        <Button onClick={onCancel} disabled={cancelling}>
          {cancelling ? 'Cancelling…' : 'Cancel'}
        </Button>
      </div>
      {run.path ? (
        <div class="run-path mono" title={run.path}>
          {run.path}
        </div>
      ) : null}
    </div>
  );
}
