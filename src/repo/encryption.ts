/**
 * What encryption an existing repository uses, for a profile that does not say.
 *
 * borg is asked without a secret first. An unencrypted repository answers (and must be asked that way:
 * given a passphrase, borg 1.2 asks "previously unknown unencrypted repository, continue?" and, with
 * stdin closed, aborts). An encrypted one fails at once with NoPassphraseFailure — no prompt can hang:
 * runBorg closes stdin and detaches from the terminal, so borg's getpass reads EOF — which the collector
 * reports as `passphrase-missing`. Only then is the stored secret, if any, tried.
 */
import type { Secret } from '../borg/run.js';
import type { EncryptionMode } from '../profiles/schema.js';
import { needsPassphrase, probe } from './probe.js';
import type { Failure, RepoCommand } from './types.js';

export { RepositoryFacts, type RepositoryFact } from './facts.js';

export type EncryptionResult = { ok: true; mode: EncryptionMode; encrypted: boolean; passphraseNeeded: boolean } | Failure;

/**
 * `{ ok: false, diagnosis.kind: 'passphrase-missing' }` means "encrypted, and no passphrase to read the
 * mode with"; `passphrase-wrong` means the one given does not open it.
 */
export async function detectEncryption(cmd: RepoCommand, repository: string, secret: Secret): Promise<EncryptionResult> {
  const bare = await probe(cmd, repository, { kind: 'none' });
  const answered =
    bare.ok || bare.diagnosis.kind !== 'passphrase-missing' || secret.kind === 'none' ? bare : await probe(cmd, repository, secret);
  if (!answered.ok) return answered;
  return {
    ok: true,
    mode: answered.mode,
    encrypted: answered.mode !== 'none' && !answered.mode.startsWith('authenticated'),
    passphraseNeeded: needsPassphrase(answered.mode),
  };
}
