/** What every section of the preferences window is given. */
import type { AppSnapshot } from '../shared/types.js';
import type { ProfileDraft } from './draft.js';

export interface Env {
  home: string;
  volumesRoot: string;
  platform: string;
  snapshot: AppSnapshot | null;
  /** Unsaved changes anywhere in the window. */
  dirty: boolean;
  /** Saves the whole window (as the Save button does); true when it was written. */
  save: () => Promise<boolean>;
  /** Reads config.json again as the base of the next save (after the main process wrote to it), keeping the edits. */
  refreshBase: () => Promise<void>;
}

export interface SectionProps {
  draft: ProfileDraft;
  /** The same profile as it is saved, or null while it is new. */
  saved: ProfileDraft | null;
  drafts: readonly ProfileDraft[];
  update: (fn: (d: ProfileDraft) => ProfileDraft) => void;
  /** The errors shown under a control (`sources`, `repository.port`, `prune.keepDaily`), joined. */
  err: (field: string) => string | null;
  env: Env;
}

/** "Keychain" on a Mac, "keyring" elsewhere: where the passphrase is kept. */
export function keychainName(platform: string): string {
  return platform === 'darwin' ? 'Keychain' : 'the keyring';
}
