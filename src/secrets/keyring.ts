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

type EntryClass = typeof import('@napi-rs/keyring').Entry;
let entryClass: Promise<EntryClass> | null = null;

/** Loaded on first use: runs of unencrypted or passcommand profiles never touch the keyring. */
function loadEntry(): Promise<EntryClass> {
  entryClass ??= import('@napi-rs/keyring').then((m) => m.Entry);
  return entryClass;
}

/** The OS keyring through @napi-rs/keyring: service "Dandelion", account = keyringAccount(repository). */
export class OsKeyring implements SecretStore {
  constructor(private readonly service = KEYRING_SERVICE) {}

  private async entry(account: string) {
    const Entry = await loadEntry();
    return new Entry(this.service, account);
  }

  async get(account: string): Promise<string | null> {
    try {
      return (await this.entry(account)).getPassword() ?? null;
    } catch (err) {
      if (isNoEntry(err)) return null;
      throw new KeyringUnavailableError(err);
    }
  }

  async set(account: string, secret: string): Promise<void> {
    try {
      (await this.entry(account)).setPassword(secret);
    } catch (err) {
      throw new KeyringUnavailableError(err);
    }
  }

  async delete(account: string): Promise<boolean> {
    try {
      return (await this.entry(account)).deletePassword();
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
