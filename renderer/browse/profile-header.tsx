/**
 * The top of the sidebar: which profile's backups these are (a menu when there are several), and
 * when they were last verified and last proven restorable (verify-view.ts); a snapshot without the
 * verification fields shows nothing about verification.
 */
import { useId } from 'preact/hooks';
import { DiagnosisBlock } from '../status/diagnosis-block.js';
import { useNow } from '../shared/hooks.js';
import type { ProfileSnapshot } from '../shared/types.js';
import { verifyView, type VerifyFields } from './verify-view.js';
import type { OpRecord } from './types.js';

export interface ProfileHeaderProps {
  profiles: readonly ProfileSnapshot[];
  selected: ProfileSnapshot;
  onSelect(id: string): void;
  /** The latest check or drill record this window heard of (op-finished), if newer than the snapshot's. */
  heard: OpRecord | null;
  platform: string;
}

export function ProfileHeader({ profiles, selected, onSelect, heard, platform }: ProfileHeaderProps) {
  const selectId = useId();
  const now = useNow(60_000);
  const v = verifyView(selected as ProfileSnapshot & Partial<VerifyFields>, heard, now);
  return (
    <header class="profile-header">
      {profiles.length > 1 ? (
        <div class="profile-pick">
          <label for={selectId} class="visually-hidden">
            Profile
          </label>
          <select id={selectId} class="select" value={selected.id} onChange={(e) => onSelect((e.target as HTMLSelectElement).value)}>
            {profiles.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </div>
      ) : (
        <h1 class="profile-name">{selected.name}</h1>
      )}
      {v.lines.length ? (
        <ul class="verify-lines" aria-label="Verification">
          {v.lines.map((l) => (
            <li key={l.text} class={`verify-line tone-${l.tone}`}>
              <span class="dot" aria-hidden="true" />
              {l.text}
            </li>
          ))}
        </ul>
      ) : null}
      {v.failure ? (
        <DiagnosisBlock
          kind="error"
          title={v.failure.title}
          diagnoses={v.failure.diagnosis ? [v.failure.diagnosis] : []}
          fallback="Backups of this profile may not be restorable."
          profile={selected.id}
          platform={platform}
        />
      ) : null}
    </header>
  );
}
