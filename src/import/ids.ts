/** Profile ids of an import: lower-case letters, digits and dashes, unique within one import. */
import path from 'node:path';
import { parseLocation } from '../borg/location.js';

/** `Backup Disk` → `backup-disk`; never empty. */
export function slugId(text: string, fallback = 'imported'): string {
  const slug = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug || fallback;
}

/** `id`, or `id-2`, `id-3`, … when taken; the answer is added to `taken`. */
export function uniqueId(id: string, taken: Set<string>): string {
  let candidate = id;
  for (let n = 2; taken.has(candidate); n++) candidate = `${id}-${n}`;
  taken.add(candidate);
  return candidate;
}

/**
 * A name for a profile from its repository, as a person would call it: the disk for a repository
 * under /Volumes, the server for an ssh one, the folder otherwise.
 */
export function repositoryLabel(repository: string): string {
  const loc = parseLocation(repository);
  if (loc.kind === 'ssh') return loc.host;
  const volume = /^\/Volumes\/([^/]+)/.exec(loc.path);
  if (volume) return volume[1]!;
  return path.basename(loc.path.replace(/\/+$/, '')) || 'repository';
}
