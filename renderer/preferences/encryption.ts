/** borg's encryption modes as the window offers them: a short label and one plain sentence each. */
import type { EncryptionMode } from './types.js';

export interface EncryptionChoice {
  mode: EncryptionMode;
  label: string;
  sentence: string;
}

export const DEFAULT_ENCRYPTION: EncryptionMode = 'repokey-blake2';

export const ENCRYPTION_CHOICES: EncryptionChoice[] = [
  {
    mode: 'repokey-blake2',
    label: 'Encrypted, key in the repository (recommended)',
    sentence:
      'Your files are encrypted; the key is kept in the repository, locked by your passphrase, so the passphrase alone opens the backups.',
  },
  {
    mode: 'repokey',
    label: 'Encrypted, key in the repository (SHA-256)',
    sentence: 'The same as the recommended mode, with SHA-256 instead of BLAKE2b: faster only on processors with SHA instructions.',
  },
  {
    mode: 'keyfile-blake2',
    label: 'Encrypted, key on this Mac only',
    sentence:
      'Your files are encrypted and the key stays on this Mac: to read the backups anywhere else you need both the passphrase and an exported copy of the key.',
  },
  {
    mode: 'keyfile',
    label: 'Encrypted, key on this Mac only (SHA-256)',
    sentence: 'Like “key on this Mac only”, with SHA-256 instead of BLAKE2b.',
  },
  {
    mode: 'authenticated-blake2',
    label: 'Not encrypted, tamper-evident',
    sentence: 'Anyone who can read the disk or server can read your files, but changes to them are detected.',
  },
  {
    mode: 'authenticated',
    label: 'Not encrypted, tamper-evident (SHA-256)',
    sentence: 'Like “not encrypted, tamper-evident”, with SHA-256 instead of BLAKE2b.',
  },
  {
    mode: 'none',
    label: 'Not encrypted',
    sentence: 'No encryption and no protection against changes: only for a disk you keep locked away.',
  },
];

export function encryptionChoice(mode: string | null | undefined): EncryptionChoice | null {
  return ENCRYPTION_CHOICES.find((c) => c.mode === mode) ?? null;
}

/** The key lives only on this computer (borg's keyfile modes): it must be exported to survive losing the Mac. */
export function isKeyfile(mode: string | null | undefined): boolean {
  return mode === 'keyfile' || mode === 'keyfile-blake2';
}

/** Needs a passphrase (every mode but none). */
export function needsPassphrase(mode: string | null | undefined): boolean {
  return mode !== 'none';
}
