/**
 * Profile ids: lower-case letters, digits and dashes. One way to make one from a name, and one way to
 * find a free one, for Preferences (new, duplicate, rename) and for imports alike.
 */

/** `Backup Disk` → `backup-disk`, `Sauvegarde été` → `sauvegarde-ete` (at most 40 characters); `fallback` when nothing is left. */
export function slugId(text: string, fallback = ''): string {
  const slug = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  return slug || fallback;
}

/** `base`, or `base-2`, `base-3`, … whichever is not taken. */
export function freeId(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
}

/** freeId, and the answer is added to `taken` (ids handed out one after another). */
export function uniqueId(base: string, taken: Set<string>, fallback = 'imported'): string {
  const id = freeId(base || fallback, taken);
  taken.add(id);
  return id;
}
