/** Where repository passphrases live: the macOS Keychain, the Secret Service on Linux. */
import { canonicalRepository } from '../borg/location.js';

export interface SecretStore {
  get(account: string): Promise<string | null>;
  set(account: string, secret: string): Promise<void>;
  delete(account: string): Promise<boolean>;
}

export const KEYRING_SERVICE = 'Dandelion';

/**
 * The account a repository's passphrase is stored under: its canonical location, so every spelling
 * of one repository (`/x/./repo/`, a symlinked folder, `u@h:r` for `ssh://u@h:22/./r`) finds the
 * same passphrase. Before this, the account was the location as typed (see Passphrases.lookup).
 */
export function keyringAccount(repository: string): string {
  return canonicalRepository(repository);
}

export class KeyringUnavailableError extends Error {
  readonly kind = 'keyring-unavailable' as const;
  constructor(cause: unknown) {
    super(
      `The system keyring could not be reached (${(cause as Error)?.message ?? String(cause)}). ` +
        (process.platform === 'darwin'
          ? 'Unlock the login Keychain and try again.'
          : 'Start a Secret Service (gnome-keyring or KeePassXC) in this session, or use "passcommand" in config.json.'),
      { cause },
    );
    this.name = 'KeyringUnavailableError';
  }
}

type AsyncEntryClass = typeof import('@napi-rs/keyring').AsyncEntry;
let entryClass: Promise<AsyncEntryClass> | null = null;

/** Loaded on first use: runs of unencrypted or passcommand profiles never touch the keyring. */
function loadEntry(): Promise<AsyncEntryClass> {
  entryClass ??= import('@napi-rs/keyring').then((m) => m.AsyncEntry);
  return entryClass;
}

/**
 * The OS keyring through @napi-rs/keyring: service "Dandelion", account = keyringAccount(repository).
 * On Linux the Secret Service is required: left to choose, the library falls back without a word to
 * the kernel keyring (keyutils) when no Secret Service answers — reads then find nothing ("no
 * passphrase was given") and a passphrase "stored" there is gone at the next reboot. Required, the
 * store fails when it is out of reach, and that becomes the keyring-unavailable diagnosis.
 */
export class OsKeyring implements SecretStore {
  constructor(private readonly service = KEYRING_SERVICE) {}

  private async entry(account: string) {
    const AsyncEntry = await loadEntry();
    try {
      return new AsyncEntry(this.service, account, process.platform === 'linux' ? { linux: { store: 'secret-service' } } : undefined);
    } catch (err) {
      throw new KeyringUnavailableError(err);
    }
  }

  async get(account: string): Promise<string | null> {
    const entry = await this.entry(account);
    try {
      return (await entry.getPassword()) ?? null;
    } catch (err) {
      if (isNoEntry(err)) return null;
      throw new KeyringUnavailableError(err);
    }
  }

  async set(account: string, secret: string): Promise<void> {
    const entry = await this.entry(account);
    try {
      await entry.setPassword(secret);
    } catch (err) {
      throw new KeyringUnavailableError(err);
    }
  }

  async delete(account: string): Promise<boolean> {
    const entry = await this.entry(account);
    try {
      return await entry.deletePassword();
    } catch (err) {
      if (isNoEntry(err)) return false;
      throw new KeyringUnavailableError(err);
    }
  }
}

function isNoEntry(err: unknown): boolean {
  return /no matching entry|not found|NoEntry/i.test((err as Error)?.message ?? '');
}

/** For tests and for embedding: keeps secrets in this process only. */
export class MemorySecretStore implements SecretStore {
  private readonly map = new Map<string, string>();
  async get(account: string) {
    return this.map.get(account) ?? null;
  }
  async set(account: string, secret: string) {
    this.map.set(account, secret);
  }
  async delete(account: string) {
    return this.map.delete(account);
  }
}
