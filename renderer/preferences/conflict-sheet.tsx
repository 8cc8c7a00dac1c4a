/**
 * config.json was changed outside Preferences while the window had unsaved edits: the sheet that
 * shows what changed (per backup and field: before, in the file now, yours) and lets the user
 * choose. Escape (or Decide Later) closes it with nothing written; the banner brings it back, and
 * Save leads here too until a choice is made.
 */
import { useEffect, useId, useRef } from 'preact/hooks';
import { Banner, Button } from '../shared/components.js';
import type { DiffRow } from './conflict.js';

function Value({ text, what }: { text: string | null; what: string }) {
  return text === null ? (
    <span class="secondary" aria-label={`${what}: not set`}>
      —
    </span>
  ) : (
    <code class="selectable">{text}</code>
  );
}

/** The rows grouped by backup, in order. */
function groups(rows: readonly DiffRow[]): { key: string; title: string; rows: DiffRow[] }[] {
  const out: { key: string; title: string; rows: DiffRow[] }[] = [];
  for (const r of rows) {
    const key = r.profile ?? '(general)';
    const g = out.find((x) => x.key === key);
    if (g) g.rows.push(r);
    else
      out.push({ key, title: r.profile === null ? 'General' : r.group === r.profile ? r.group : `${r.group} (${r.profile})`, rows: [r] });
  }
  return out;
}

/** The names the window's controls use; anything else by its name in config.json. */
const LABELS: Record<string, string> = {
  '(backup)': 'The backup itself',
  name: 'Name',
  repository: 'Repository',
  sshKey: 'SSH key',
  encryption: 'Encryption',
  sources: 'Folders',
  excludes: 'Excluded',
  excludeCaches: 'Folders marked as caches',
  volume: 'Disk',
  schedule: 'Schedule',
  minIntervalHours: 'Hours between automatic backups',
  archiveName: 'Archive names',
  compression: 'Compression',
  prune: 'Keep',
};

function fieldLabel(r: DiffRow): string {
  const keep = /^prune\.keep(\w+)$/.exec(r.field);
  if (keep) return `Keep ${keep[1]!.toLowerCase()}`;
  return LABELS[r.field] ?? r.field;
}

export function ConflictSheet(props: {
  file: string;
  rows: readonly DiffRow[];
  /** The file is not valid JSON (or settings) now, or it was removed. */
  theirsReadable: boolean;
  busy?: boolean;
  onKeepMine: () => void;
  onUseFile: () => void;
  onLater: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const id = useId();
  useEffect(() => {
    const d = ref.current;
    const before = document.activeElement as HTMLElement | null;
    if (d && !d.open) d.showModal();
    return () => before?.focus?.();
  }, []);
  const theirs = props.rows.filter((r) => r.changedByThem);
  return (
    <dialog
      ref={ref}
      class="sheet conflict-sheet"
      aria-labelledby={`${id}-t`}
      aria-describedby={`${id}-b`}
      onCancel={(e) => {
        e.preventDefault();
        props.onLater();
      }}
    >
      <h2 id={`${id}-t`}>config.json was changed outside Preferences</h2>
      <div class="sheet-body">
        <p id={`${id}-b`}>
          While you were editing, <code class="selectable">{props.file}</code> was changed (by hand, the command line or another window).{' '}
          {props.theirsReadable
            ? `${theirs.length === 1 ? 'One setting differs' : `${theirs.length} settings differ`} from what this window started from.`
            : 'It cannot be read as settings now (it is not valid, or it was removed).'}{' '}
          Nothing has been written. Choose which settings to keep.
        </p>
        <div class="conflict-diff" tabIndex={0} aria-label="What changed">
          {groups(props.rows).map((g) => (
            <table key={g.key} class="conflict-table">
              <caption>{g.title}</caption>
              <thead>
                <tr>
                  <th scope="col">Setting</th>
                  <th scope="col">Before</th>
                  <th scope="col">In the file now</th>
                  <th scope="col">Yours</th>
                </tr>
              </thead>
              <tbody>
                {g.rows.map((r) => (
                  <tr key={r.field} data-field={r.field} class={r.changedByThem && r.changedByMe ? 'both' : undefined}>
                    <th scope="row">
                      {fieldLabel(r)}
                      {r.changedByThem && r.changedByMe ? <span class="secondary"> (changed on both sides)</span> : null}
                    </th>
                    <td>
                      <Value text={r.base} what="Before" />
                    </td>
                    <td class={r.changedByThem ? 'changed' : undefined} data-side="theirs">
                      <Value text={r.theirs} what="In the file now" />
                    </td>
                    <td class={r.changedByMe ? 'changed' : undefined} data-side="mine">
                      <Value text={r.mine} what="Yours" />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ))}
        </div>
        <p class="secondary">
          Keep My Changes saves everything this window shows over the file as it is now; Use the File’s Settings drops your unsaved edits.
        </p>
      </div>
      <div class="button-row sheet-buttons">
        <Button onClick={props.onLater} autoFocus>
          Decide Later
        </Button>
        <span class="spacer" />
        <Button onClick={props.onUseFile} disabled={props.busy}>
          Use the File’s Settings
        </Button>
        <Button variant="primary" onClick={props.onKeepMine} disabled={props.busy}>
          Keep My Changes
        </Button>
      </div>
    </dialog>
  );
}

/** While the choice is put off: a reminder above the settings, with the way back to the sheet. */
export function ConflictBanner({ onReview }: { onReview: () => void }) {
  return (
    <Banner
      kind="warning"
      title="config.json was changed outside Preferences"
      class="conflict-banner"
      actions={
        <Button small onClick={onReview}>
          Review Changes…
        </Button>
      }
    >
      <p>Your unsaved edits have not been written. Review the changes to choose which settings to keep.</p>
    </Banner>
  );
}
