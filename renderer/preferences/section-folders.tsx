/** What to back up: folders (picked, removed) and what to leave out (presets plus a free list of borg patterns). */
import { useEffect, useId, useState } from 'preact/hooks';
import { api } from '../shared/api.js';
import { Checkbox, FolderList } from './controls.js';
import { EXCLUDE_PRESETS, freePatterns, presetChosen, setPreset } from './excludes.js';
import { tildify } from './location.js';
import type { SectionProps } from './context.js';

/** Adds a folder chosen in the system's folder dialog (as `~/…` when it is in the home folder). */
export async function pickSource(home: string): Promise<string | null> {
  const r = await api.pickFolder({ title: 'Choose a folder to back up', defaultPath: home });
  return r.ok && r.value.path ? tildify(r.value.path, home) : null;
}

export function FoldersSection({ draft, update, err, env }: SectionProps) {
  const freeId = useId();
  // The free list is edited as text; blank lines and half-typed patterns are kept while typing.
  const [free, setFree] = useState(() => freePatterns(draft.excludes).join('\n'));
  useEffect(() => setFree(freePatterns(draft.excludes).join('\n')), [draft.uid]);

  function setFreeText(text: string) {
    setFree(text);
    const lines = text
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    update((d) => {
      const kept = d.excludes.filter((x) => !freePatterns(d.excludes).includes(x));
      return { ...d, excludes: [...kept, ...lines.filter((l) => !kept.includes(l))] };
    });
  }

  async function add() {
    const folder = await pickSource(env.home);
    if (folder) update((d) => (d.sources.includes(folder) ? d : { ...d, sources: [...d.sources, folder] }));
  }

  const excludesError = err('excludes');
  return (
    <div class="section-body">
      <div class="group">
        <FolderList
          label="Back up these folders"
          folders={draft.sources}
          onAdd={() => void add()}
          addLabel="Add Folder…"
          onRemove={(i) => update((d) => ({ ...d, sources: d.sources.filter((_, j) => j !== i) }))}
          error={err('sources')}
          empty="No folders yet."
        />
      </div>
      <h2 class="group-title">Leave out</h2>
      <div class="group stack">
        {EXCLUDE_PRESETS.map((p) => (
          <Checkbox
            key={p.id}
            label={p.label}
            hint={p.hint}
            checked={presetChosen(draft.excludes, p)}
            onChange={(on) => update((d) => ({ ...d, excludes: setPreset(d.excludes, p, on) }))}
          />
        ))}
        <Checkbox
          label="Folders marked as caches"
          hint="Folders holding a CACHEDIR.TAG file, as many apps mark their caches."
          checked={draft.excludeCaches}
          onChange={(excludeCaches) => update((d) => ({ ...d, excludeCaches }))}
          error={err('excludeCaches')}
        />
        <div class={['field', excludesError && 'invalid'].filter(Boolean).join(' ')}>
          <label for={freeId}>Also leave out</label>
          <textarea
            id={freeId}
            rows={3}
            value={free}
            spellcheck={false}
            aria-describedby={[`${freeId}-hint`, excludesError ? `${freeId}-error` : null].filter(Boolean).join(' ')}
            aria-invalid={excludesError ? true : undefined}
            onInput={(e) => setFreeText(e.currentTarget.value)}
          />
          <div id={`${freeId}-hint`} class="hint">
            One borg pattern per line, e.g. <code>~/Movies</code>, <code>*.tmp</code>, <code>sh:**/build</code>.
          </div>
          {excludesError ? (
            <div id={`${freeId}-error`} class="error">
              {excludesError}
            </div>
          ) : null}
        </div>
      </div>
    </div>
  );
}
