/** Keep: how many backups to keep (presets or custom keep-* rules), compression and the archive names pruning is scoped to. */
import { RadioGroup, SelectField, TextField } from './controls.js';
import { describeKeep, KEEP_CHOICES, KEEP_FIELDS, KEEP_LABELS, pruneFromKeep, type KeepPreset } from './keep.js';
import type { SectionProps } from './context.js';

const COMPRESSIONS: { value: string; label: string }[] = [
  { value: 'lz4', label: 'Fast (lz4)' },
  { value: 'zstd,3', label: 'Balanced (zstd)' },
  { value: 'auto,zstd,9', label: 'Small (zstd 9, skips incompressible files)' },
  { value: 'auto,lzma,6', label: 'Smallest, slow (lzma)' },
  { value: 'none', label: 'None' },
];

export function KeepSection({ draft, update, err }: SectionProps) {
  const { preset, custom } = draft.keep;
  const compressions = COMPRESSIONS.some((c) => c.value === draft.compression)
    ? COMPRESSIONS
    : [...COMPRESSIONS, { value: draft.compression, label: `Custom: ${draft.compression}` }];
  return (
    <div class="section-body">
      <div class="group stack">
        <RadioGroup
          legend="Keep"
          value={preset}
          onValue={(p: KeepPreset) => update((d) => ({ ...d, keep: { ...d.keep, preset: p } }))}
          options={KEEP_CHOICES.map((c) => ({ value: c.preset, label: c.label, sentence: c.sentence }))}
          error={err('prune')}
        />
        {preset === 'custom' ? (
          <div class="keep-grid">
            {KEEP_FIELDS.filter((f) => f !== 'keepMinutely' || custom.keepMinutely !== '').map((f) => (
              <TextField
                key={f}
                label={KEEP_LABELS[f]}
                value={custom[f]}
                onValue={(v) => update((d) => ({ ...d, keep: { ...d.keep, custom: { ...d.keep.custom, [f]: v } } }))}
                error={err(`prune.${f}`)}
                placeholder={f === 'keepWithin' ? 'e.g. 24H' : '0'}
                inputMode={f === 'keepWithin' ? 'text' : 'numeric'}
                autocomplete="off"
              />
            ))}
          </div>
        ) : null}
        {preset === 'custom' ? <KeepWords draft={draft} /> : null}
        <p class="secondary small">Older backups are deleted after each backup (borg prune), only among this backup’s own archives.</p>
      </div>
      <h2 class="group-title">Archives</h2>
      <div class="group stack">
        <SelectField
          label="Compression"
          value={draft.compression}
          onValue={(compression) => update((d) => ({ ...d, compression }))}
          options={compressions}
          error={err('compression')}
        />
        <TextField
          label="Archive names"
          value={draft.archiveName}
          onValue={(archiveName) => update((d) => ({ ...d, archiveName }))}
          error={err('archiveName')}
          hint={
            <>
              <code>{'{hostname}'}</code> and <code>{'{now}'}</code> are filled in by borg. Only archives whose names match this pattern are
              pruned, so each backup sharing a repository needs its own.
            </>
          }
          spellcheck={false}
          autocomplete="off"
          class="mono-input"
        />
      </div>
    </div>
  );
}

/** The custom numbers in words ("Keeps daily backups for a week, weekly for 10 years."), while they are all numbers. */
function KeepWords({ draft }: Pick<SectionProps, 'draft'>) {
  const { prune, errors } = pruneFromKeep(draft.keep);
  if (errors.length) return null;
  return (
    <p class="keep-words" aria-live="polite">
      Keeps {describeKeep(prune)}.
    </p>
  );
}
