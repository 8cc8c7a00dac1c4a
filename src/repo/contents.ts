/**
 * What one entry of an archive folder is, and the order a folder is shown in. The folders themselves
 * come from the archive's index (src/browse/): borg 1.2 has no depth limit, so any listing reads the
 * whole archive, and one pass of it answers every later question about that archive.
 */

export type EntryType = 'dir' | 'file' | 'link' | 'other';

export interface FolderEntry {
  name: string;
  /** The path inside the archive, as borg stores it (no leading `/`); what extract takes. */
  path: string;
  type: EntryType;
  /** Bytes; 0 for folders. */
  size: number;
  /** UTC ISO; null for a folder that exists only because something below it was backed up. */
  mtime: string | null;
}

/**
 * Where `path` sits relative to `folder` ('' = the archive root): the name of the child of `folder` it
 * is or lies under, and whether it is that child itself. Null when it is outside, or `folder` itself.
 */
export function childOf(folder: string, path: string): { name: string; direct: boolean } | null {
  const prefix = folder ? `${folder}/` : '';
  if (!path.startsWith(prefix)) return null;
  const rest = path.slice(prefix.length);
  // "." is the root item of an archive made from a relative source (`borg create ::a .`).
  if (!rest || rest === '.') return null;
  const slash = rest.indexOf('/');
  return slash < 0 ? { name: rest, direct: true } : { name: rest.slice(0, slash), direct: false };
}

/** Made on first use: building an ICU collator costs every process that loads the engine (a `dandelion run` too) several ms. */
let collator: Intl.Collator | null = null;

/** Folders first, then by name as a person reads it (`file2` before `file10`), ties by code point. */
export function sortEntries(entries: FolderEntry[]): FolderEntry[] {
  collator ??= new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });
  const { compare } = collator;
  return entries.sort(
    (a, b) =>
      Number(b.type === 'dir') - Number(a.type === 'dir') || compare(a.name, b.name) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
}
