/**
 * Exclude presets: each a few borg patterns (borg 1.2 `borg help patterns`). `--exclude` reads
 * fnmatch by default, where `*` also matches "/"; `sh:` patterns use `**` for any depth. borg
 * matches paths without their leading "/", and strips the "/" from a pattern too, so an absolute
 * pattern matches; `~/` is expanded by the engine before borg sees it (borg would not).
 */
export type ExcludePresetId = 'caches' | 'trash' | 'node_modules' | 'ds_store' | 'cloud';

export interface ExcludePreset {
  id: ExcludePresetId;
  label: string;
  hint: string;
  patterns: string[];
}

export const EXCLUDE_PRESETS: ExcludePreset[] = [
  {
    id: 'caches',
    label: 'Caches',
    hint: 'Your Library/Caches and ~/.cache: apps rebuild them.',
    patterns: ['~/Library/Caches', '~/.cache'],
  },
  {
    id: 'trash',
    label: 'Trash',
    hint: 'The Trash in your home folder and on other disks.',
    patterns: ['sh:**/.Trash', 'sh:**/.Trashes', '~/.local/share/Trash'],
  },
  {
    id: 'node_modules',
    label: 'node_modules folders',
    hint: 'JavaScript dependencies: npm install brings them back.',
    patterns: ['sh:**/node_modules'],
  },
  {
    id: 'ds_store',
    label: '.DS_Store files',
    hint: "Finder's folder view settings.",
    patterns: ['*/.DS_Store'],
  },
  {
    id: 'cloud',
    label: 'Cloud-only files',
    hint: 'iCloud placeholders and the folders of Dropbox, OneDrive and Google Drive: reading them would download everything.',
    patterns: ['sh:**/.*.icloud', '~/Library/CloudStorage'],
  },
];

/** What a new profile leaves out unless the user says otherwise. */
export const DEFAULT_EXCLUDE_PRESETS: ExcludePresetId[] = ['caches', 'trash', 'cloud'];

/** A preset counts as chosen when every one of its patterns is in the list. */
export function presetChosen(excludes: readonly string[], preset: ExcludePreset): boolean {
  return preset.patterns.every((p) => excludes.includes(p));
}

/** Turns a preset on (its missing patterns appended) or off (its patterns removed, the rest kept in order). */
export function setPreset(excludes: readonly string[], preset: ExcludePreset, on: boolean): string[] {
  if (on) return [...excludes, ...preset.patterns.filter((p) => !excludes.includes(p))];
  return excludes.filter((p) => !preset.patterns.includes(p));
}

/** The patterns no chosen preset accounts for: the free list the user edits. */
export function freePatterns(excludes: readonly string[]): string[] {
  const chosen = EXCLUDE_PRESETS.filter((p) => presetChosen(excludes, p)).flatMap((p) => p.patterns);
  return excludes.filter((p) => !chosen.includes(p));
}

/** The whole list from the chosen presets and the free patterns (one per line), without duplicates or blanks. */
export function combineExcludes(presets: readonly ExcludePresetId[], free: string): string[] {
  const out: string[] = [];
  for (const p of EXCLUDE_PRESETS) if (presets.includes(p.id)) for (const x of p.patterns) if (!out.includes(x)) out.push(x);
  for (const line of free.split('\n')) {
    const x = line.trim();
    if (x && !out.includes(x)) out.push(x);
  }
  return out;
}

export function defaultExcludes(): string[] {
  return combineExcludes(DEFAULT_EXCLUDE_PRESETS, '');
}
