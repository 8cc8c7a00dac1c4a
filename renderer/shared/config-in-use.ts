/**
 * What both windows say while config.json is invalid: the engine keeps the last good settings it
 * had (their profiles still run), or it never had any (the file was invalid from the start) and
 * nothing is backed up. One sentence, so the status window and Preferences never disagree.
 */
export interface InUse {
  inUse: 'file' | 'last-good' | 'none';
  /** The profiles of the last good settings, as their names. */
  lastGood: string[];
}

export function inUseSentence({ inUse, lastGood }: InUse): string {
  if (inUse === 'last-good') return `The last good settings stay in use (${lastGood.join(', ')}) until it is fixed.`;
  return 'Nothing is backed up until it is fixed: Dandelion has no valid settings to use.';
}
