/**
 * "Versions of this file": every backup that holds it, newest first, with its date, size and
 * whether it changed since the backup before. Choosing one shows the file in that backup, where
 * Restore… takes that version.
 */
import { useId } from 'preact/hooks';
import { Button } from '../shared/components.js';
import { DiagnosisBlock } from '../status/diagnosis-block.js';
import { dayAndTime, exactTime, formatBytes } from '../shared/format.js';
import type { Diagnosis } from '../shared/types.js';
import type { FileVersion, FolderEntry } from './types.js';
import { changeWord, versionRows, versionsSummary } from './words.js';

export type Loaded<T> = { state: 'loading' } | { state: 'ok'; value: T } | { state: 'error'; diagnosis: Diagnosis };

export interface VersionsPanelProps {
  entry: FolderEntry;
  versions: Loaded<FileVersion[]>;
  current: string | null;
  onPick(archive: string): void;
  onClose(): void;
  profile: string;
  platform: string;
  now: Date;
}

export function VersionsPanel({ entry, versions, current, onPick, onClose, profile, platform, now }: VersionsPanelProps) {
  const titleId = useId();
  const rows = versions.state === 'ok' ? versionRows(versions.value) : [];
  return (
    <aside
      class="versions"
      aria-labelledby={titleId}
      aria-busy={versions.state === 'loading'}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.preventDefault();
          onClose();
        }
      }}
    >
      <header class="versions-head">
        <h2 id={titleId}>
          Versions of <span class="versions-name">{entry.name}</span>
        </h2>
        <Button small onClick={onClose} aria-label="Close versions">
          Close
        </Button>
      </header>
      {versions.state === 'loading' ? <p class="secondary">Looking through every backup…</p> : null}
      {versions.state === 'error' ? (
        <DiagnosisBlock
          kind="error"
          title="Could not list the versions"
          diagnoses={[versions.diagnosis]}
          fallback={null}
          profile={profile}
          platform={platform}
        />
      ) : null}
      {versions.state === 'ok' ? <p class="secondary versions-summary">{versionsSummary(rows)}</p> : null}
      <ul class="version-list">
        {rows.map((v) => {
          const t = new Date(v.time);
          return (
            <li key={v.archive}>
              <button
                type="button"
                class={['version', `change-${v.change}`, v.archive === current && 'current'].filter(Boolean).join(' ')}
                aria-current={v.archive === current ? 'true' : undefined}
                onClick={() => onPick(v.archive)}
                title={`${exactTime(t)} — ${v.archive}`}
              >
                <span class="version-when">{dayAndTime(t, now)}</span>
                <span class="version-size">{v.type === 'dir' ? 'Folder' : formatBytes(v.size)}</span>
                <span class={`version-change change-${v.change}`}>{changeWord(v.change)}</span>
              </button>
            </li>
          );
        })}
      </ul>
    </aside>
  );
}
