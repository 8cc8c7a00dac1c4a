/**
 * A restore as the user follows it: (for Put Back) what will happen and the question, then live
 * progress with Cancel, then the result with Show in Finder and, in place, the Keep Both list; a
 * failure with the engine's diagnosis (sentence and fix), never an exception's text.
 */
import { Button } from '../shared/components.js';
import { DiagnosisBlock } from '../status/diagnosis-block.js';
import type { Diagnosis } from '../shared/types.js';
import type { OpProgress, RestoreResult } from './types.js';
import { Sheet } from './sheet.js';
import { plural } from '../shared/format.js';
import { progressWords, restoreTitle, resultWords } from './words.js';

export type RestorePhase =
  | { phase: 'confirm'; paths: string[] }
  | { phase: 'running'; paths: string[]; inPlace: boolean; progress: OpProgress | null; cancelling: boolean }
  | { phase: 'done'; paths: string[]; inPlace: boolean; result: RestoreResult }
  | { phase: 'failed'; paths: string[]; inPlace: boolean; diagnosis: Diagnosis };

export interface RestoreSheetProps {
  state: RestorePhase;
  profile: string;
  platform: string;
  onConfirm(): void;
  onCancel(): void;
  onClose(): void;
  onShow(path: string): void;
}

export function RestoreSheet({ state, profile, platform, onConfirm, onCancel, onClose, onShow }: RestoreSheetProps) {
  if (state.phase === 'confirm') {
    return (
      <Sheet
        title={`Put back ${state.paths.length === 1 ? 'this item' : plural(state.paths.length, 'item')} where ${state.paths.length === 1 ? 'it was' : 'they were'}?`}
        onEscape={onClose}
      >
        <p>
          Nothing is overwritten. A file that has changed since this backup is kept as it is, and the restored copy is put beside it under a
          new name (Keep Both). Files that are the same are left alone.
        </p>
        <ul class="sheet-paths mono selectable">
          {state.paths.slice(0, 5).map((p) => (
            <li key={p}>/{p}</li>
          ))}
          {state.paths.length > 5 ? <li class="secondary">and {plural(state.paths.length - 5, 'more item')}</li> : null}
        </ul>
        <div class="button-row sheet-buttons">
          <span class="spacer" />
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" onClick={onConfirm} data-autofocus>
            Put Back
          </Button>
        </div>
      </Sheet>
    );
  }

  if (state.phase === 'running') {
    const w = progressWords(state.progress);
    const percent = state.progress?.percent ?? null;
    return (
      <Sheet title={`${restoreTitle(state.paths, state.inPlace)}…`} busy class="restoring">
        {percent === null ? (
          <progress aria-label="Restore progress" />
        ) : (
          <progress aria-label="Restore progress" max={100} value={percent} />
        )}
        <p class="restore-figures" aria-live="polite">
          {state.cancelling ? 'Cancelling…' : w.figures}
        </p>
        <p class="restore-path mono secondary" title={w.path}>
          {w.path || ' '}
        </p>
        <div class="button-row sheet-buttons">
          <span class="spacer" />
          <Button onClick={onCancel} disabled={state.cancelling}>
            Cancel
          </Button>
        </div>
      </Sheet>
    );
  }

  if (state.phase === 'failed') {
    const cancelled = state.diagnosis.kind === 'cancelled';
    return (
      <Sheet title={cancelled ? 'Restore cancelled' : 'The restore did not finish'} onEscape={onClose}>
        <DiagnosisBlock
          kind={cancelled ? 'warning' : 'error'}
          title={cancelled ? 'Cancelled' : 'Could not restore'}
          diagnoses={[state.diagnosis]}
          fallback={null}
          profile={profile}
          platform={platform}
        />
        <div class="button-row sheet-buttons">
          <span class="spacer" />
          <Button variant="primary" onClick={onClose} data-autofocus>
            Done
          </Button>
        </div>
      </Sheet>
    );
  }

  const r = state.result;
  const words = resultWords(r, state.inPlace);
  const show = r.folder ?? (state.inPlace && state.paths[0] ? `/${state.paths[0]}` : null);
  return (
    <Sheet title={words.title} onEscape={onClose} class="restored">
      {words.lines.map((l) => (
        <p key={l} class="selectable">
          {l}
        </p>
      ))}
      {r.keptBoth.length > 0 ? (
        <div class="kept-both">
          <h3>Kept both</h3>
          <ul class="kept-list" aria-label="Files kept both">
            {r.keptBoth.map((k) => (
              <li key={k.restoredAs}>
                <span class="mono selectable">{inPlacePath(k.path, r.folder)}</span>
                <span class="secondary"> — restored copy: </span>
                <span class="mono selectable">{k.restoredAs.split('/').pop()}</span>{' '}
                <Button
                  variant="link"
                  onClick={() => onShow(inPlacePath(k.restoredAs, r.folder))}
                  aria-label={`Show ${k.restoredAs.split('/').pop()} in Finder`}
                >
                  Show
                </Button>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      <div class="button-row sheet-buttons">
        <span class="spacer" />
        {show ? <Button onClick={() => onShow(show)}>Show in Finder</Button> : null}
        <Button variant="primary" onClick={onClose} data-autofocus>
          Done
        </Button>
      </div>
    </Sheet>
  );
}

/** A Keep Both path is relative to where the files went: the new folder, or `/` in place. */
function inPlacePath(rel: string, folder: string | null): string {
  return `${folder ?? ''}/${rel.replace(/^\/+/, '')}`;
}
