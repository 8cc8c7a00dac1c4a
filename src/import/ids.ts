/** Profile ids of an import: lower-case letters, digits and dashes, unique within one import. */
import path from 'node:path';
import { parseLocation } from '../borg/location.js';
import { slugId as slug } from '../profile-ids.js';

export { uniqueId } from '../profile-ids.js';

/** `Backup Disk` → `backup-disk`; never empty. */
export const slugId = (text: string, fallback = 'imported'): string => slug(text, fallback);

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
