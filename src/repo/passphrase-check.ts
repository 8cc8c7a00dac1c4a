/**
 * Does a passphrase open the repository, before it is stored? Only a wrong one is refused. When borg
 * cannot say (no repository yet, disk away, server unreachable, locked, anything else), the caller
 * stores it and says it is unverified: refusing would leave the user unable to save a passphrase for
 * a repository that is only out of reach today, and a wrong one is caught, and named, by the next run.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { isRemote } from '../borg/location.js';
import type { Diagnosis, ErrorKind } from '../diagnosis.js';
import { diagnosisFor } from '../messages.js';
import { probe } from './probe.js';
import { contextFor, type RepoCommand } from './types.js';

export type UnverifiedReason = 'repository-missing' | 'disk-absent' | 'unreachable' | 'locked' | 'other';

export type PassphraseCheck =
  | { outcome: 'verified' }
  /** The repository is not encrypted: there is nothing for a passphrase to open. */
  | { outcome: 'not-needed' }
  | { outcome: 'wrong'; diagnosis: Diagnosis }
  | { outcome: 'unverified'; reason: UnverifiedReason; diagnosis: Diagnosis };

const UNREACHABLE: readonly ErrorKind[] = [
  'connection-lost',
  'ssh-host-unknown',
  'ssh-host-changed',
  'ssh-permission-denied',
  'ssh-key-too-open',
];

/** A local repository whose parent folder is gone is on a disk that is not there (or a path mistyped). */
async function parentMissing(repository: string): Promise<boolean> {
  if (isRemote(repository)) return false;
  try {
    await fs.stat(path.dirname(path.resolve(repository)));
    return false;
  } catch {
    return true;
  }
}

export async function checkPassphrase(cmd: RepoCommand, repository: string, candidate: string): Promise<PassphraseCheck> {
  const ctx = { ...contextFor(repository), passphraseSupplied: true };
  if (!candidate) return { outcome: 'wrong', diagnosis: diagnosisFor('passphrase-wrong', ctx, 'the passphrase is empty') };
  const r = await probe(cmd, repository, { kind: 'passphrase', value: candidate });
  if (r.ok) return { outcome: r.mode === 'none' ? 'not-needed' : 'verified' };
  const kind = r.diagnosis.kind;
  if (kind === 'passphrase-wrong' || kind === 'passphrase-missing') return { outcome: 'wrong', diagnosis: r.diagnosis };
  if (kind === 'repo-missing') {
    return (await parentMissing(repository))
      ? { outcome: 'unverified', reason: 'disk-absent', diagnosis: diagnosisFor('disk-not-mounted', ctx, path.dirname(repository)) }
      : { outcome: 'unverified', reason: 'repository-missing', diagnosis: r.diagnosis };
  }
  if (UNREACHABLE.includes(kind)) return { outcome: 'unverified', reason: 'unreachable', diagnosis: r.diagnosis };
  if (kind === 'lock-timeout' || kind === 'lock-failed') return { outcome: 'unverified', reason: 'locked', diagnosis: r.diagnosis };
  // An unencrypted repository this machine has not seen aborts when a passphrase is given (see encryption.ts).
  const bare = await probe(cmd, repository, { kind: 'none' });
  if (bare.ok && bare.mode === 'none') return { outcome: 'not-needed' };
  return { outcome: 'unverified', reason: 'other', diagnosis: r.diagnosis };
}
