/**
 * Repository passphrases: where a run gets its secret (keyring, passcommand, or none), and the face's
 * calls to save, check for and delete one. A passphrase only goes in: nothing here returns it.
 */
import type { Profile } from '../profiles/schema.js';
import type { Secret } from '../borg/run.js';
import { keyringAccount, type SecretStore } from '../secrets/keyring.js';
import { diagnosisFor } from '../messages.js';
import { PASSCOMMAND_TIMEOUT_MS, runPasscommand } from '../secrets/passcommand.js';
import type { PassphraseCheck } from '../repo/passphrase-check.js';
import { passphraseRefusal } from '../ipc/passphrase-rules.js';
import { failed, ok, Refusal, diagnosisOf, type Outcome } from './outcome.js';

export type PassphraseSource = 'keyring' | 'passcommand' | 'not-needed';

export interface PassphraseState {
  /** Where a run takes it from; 'not-needed' for an unencrypted repository. */
  source: PassphraseSource;
  /** For the keyring: whether one is stored for this repository. */
  stored: boolean;
}

export type { PassphraseCheck };

export interface SavedPassphrase {
  verified: boolean;
  /** What to tell the user: "opens the repository" or why it could not be checked yet. */
  note: string;
  /** When not verified: why it could not be checked, and when it will be used (no "Stored" in it). */
  unchecked?: string;
}

/** A passphrase stored for a profile with a passcommand would never be used: the passcommand is what to fix. */
export function passcommandRefusal(p: Pick<Profile, 'id' | 'passcommand'>): string {
  return `Profile "${p.id}" takes its passphrase from its passcommand ("${p.passcommand}" in config.json), not from the keyring, so nothing was stored. Fix the passcommand so it prints the right passphrase, or remove "passcommand" from the profile to keep the passphrase in the keyring instead.`;
}

/** DANDELION_PASSCOMMAND_TIMEOUT (seconds) for helpers slower than a minute, and for tests. */
function passcommandTimeoutMs(): number {
  const s = Number(process.env.DANDELION_PASSCOMMAND_TIMEOUT);
  return Number.isFinite(s) && s > 0 ? s * 1000 : PASSCOMMAND_TIMEOUT_MS;
}

function ctx(p: Profile) {
  return { repository: p.repository, platform: process.platform, passphraseSupplied: false, profile: p.id };
}

export class Passphrases {
  constructor(private readonly store: SecretStore) {}

  /** The secret a borg command of this profile gets. Throws a Refusal when one is needed and missing. */
  async secretFor(p: Profile): Promise<Secret> {
    if (p.encryption === 'none') return { kind: 'none' };
    if (p.passcommand) {
      // Run here, with a time limit, and handed to borg on the passphrase pipe: a helper that hangs ends in a diagnosis.
      const r = await runPasscommand(p.passcommand, { timeoutMs: passcommandTimeoutMs() });
      if (!r.ok) throw new Refusal(diagnosisFor('passcommand-failed', ctx(p), r.reason));
      return { kind: 'passphrase', value: r.passphrase, passcommand: p.passcommand };
    }
    const value = await this.get(p);
    if (value !== null) return { kind: 'passphrase', value };
    // Encryption not named (an existing repository): borg itself says whether it needs one.
    if (!p.encryption) return { kind: 'none' };
    throw new Refusal(diagnosisFor('passphrase-missing', ctx(p)));
  }

  private async get(p: Profile): Promise<string | null> {
    try {
      return await this.lookup(p);
    } catch (err) {
      throw new Refusal(diagnosisOf(err, p));
    }
  }

  /**
   * The stored passphrase, under the canonical account. Earlier versions stored it under the
   * location as typed; found there, it is moved (set under the canonical account first, then the
   * old one deleted, so a crash in between loses nothing). A move that fails is tried again at the
   * next lookup: the run still gets its passphrase.
   */
  private async lookup(p: Profile): Promise<string | null> {
    const account = keyringAccount(p.repository);
    const value = await this.store.get(account);
    if (value !== null || account === p.repository) return value;
    const legacy = await this.store.get(p.repository);
    if (legacy === null) return null;
    try {
      await this.store.set(account, legacy);
      await this.store.delete(p.repository);
    } catch {
      // Left where it was; found there again next time.
    }
    return legacy;
  }

  /** Removes a passphrase stored under the location as typed (before accounts were canonical). */
  private async dropLegacy(p: Profile): Promise<boolean> {
    return keyringAccount(p.repository) !== p.repository && (await this.store.delete(p.repository));
  }

  async state(p: Profile): Promise<Outcome<PassphraseState>> {
    if (p.encryption === 'none') return ok({ source: 'not-needed', stored: false });
    if (p.passcommand) return ok({ source: 'passcommand', stored: false });
    try {
      return ok({ source: 'keyring', stored: (await this.lookup(p)) !== null });
    } catch (err) {
      return failed(diagnosisOf(err, p));
    }
  }

  /**
   * Saves a passphrase after checking that it opens the repository. A wrong one is refused and the
   * stored one kept; when the repository cannot be reached (not created yet, disk away, offline) it
   * is stored unverified and the answer says so.
   */
  async save(p: Profile, passphrase: string, check: (candidate: string) => Promise<PassphraseCheck>): Promise<Outcome<SavedPassphrase>> {
    if (p.encryption === 'none')
      return failed({ kind: 'unknown', message: `${p.repository} is not encrypted: it needs no passphrase.`, fix: '' });
    if (p.passcommand) return failed({ kind: 'invalid-request', message: passcommandRefusal(p), fix: '' });
    const refusal = passphraseRefusal(passphrase);
    if (refusal !== null)
      return failed({
        kind: 'passphrase-missing',
        message: refusal,
        fix: 'Type the passphrase chosen when the repository was created.',
      });
    const result = await check(passphrase);
    if (result.outcome === 'wrong') return failed(result.diagnosis);
    if (result.outcome === 'not-needed')
      return failed({
        kind: 'unknown',
        message: `${p.repository} is not encrypted: it needs no passphrase, so none was stored.`,
        fix: 'Set "encryption": "none" for this profile, or leave it out.',
      });
    try {
      await this.store.set(keyringAccount(p.repository), passphrase);
      await this.dropLegacy(p).catch(() => false);
    } catch (err) {
      return failed(diagnosisOf(err, p));
    }
    return ok(
      result.outcome === 'verified'
        ? { verified: true, note: `Stored; it opens ${p.repository}.` }
        : {
            verified: false,
            note: `Stored without checking: ${result.diagnosis.message} It will be used when the repository is created or reachable.`,
            unchecked: `${result.diagnosis.message} It will be used when the repository is created or reachable.`,
          },
    );
  }

  async delete(p: Profile): Promise<Outcome<{ deleted: boolean }>> {
    try {
      const deleted = await this.store.delete(keyringAccount(p.repository));
      return ok({ deleted: (await this.dropLegacy(p)) || deleted });
    } catch (err) {
      return failed(diagnosisOf(err, p));
    }
  }
}
