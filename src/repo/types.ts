import type { BorgRunResult, Secret } from '../borg/run.js';
import type { ClassifyContext, Diagnosis } from '../diagnosis.js';
import { diagnosisFor } from '../messages.js';

/**
 * One borg command against the profile's repository, with its environment, ssh options and secret
 * (the engine's `borgCommand`). `secret` overrides the stored one, e.g. to try a candidate passphrase.
 */
export type RepoCommand = (args: string[], opts?: RepoCommandOptions) => Promise<BorgRunResult>;

export interface RepoCommandOptions {
  captureStdout?: boolean;
  secret?: Secret;
  /** stdout chunk by chunk while borg writes it (a long listing read as it comes). */
  onStdout?: (chunk: Buffer) => void;
  signal?: AbortSignal;
  /** Run borg at this niceness (0–19): work nobody waits for gives way to everything else. */
  nice?: number;
  /** What `signal` sends borg first (runBorg's `cancelSignal`): SIGINT unless the command writes nothing and holds no lock. */
  cancelSignal?: NodeJS.Signals;
}

export type Failure = { ok: false; diagnosis: Diagnosis };

export function contextFor(repository: string): ClassifyContext {
  return { repository, platform: process.platform, passphraseSupplied: false };
}

/** What explains a failed command: borg's own diagnosis, else a plain "borg failed". */
export function failureOf(result: BorgRunResult, repository: string): Failure {
  return { ok: false, diagnosis: result.diagnoses[0] ?? diagnosisFor('unknown', contextFor(repository)) };
}

/** borg's answer was not what it promised (truncated, or another borg): say so without quoting it. */
export function unreadable(repository: string, what: string): Failure {
  return { ok: false, diagnosis: diagnosisFor('unknown', contextFor(repository), `borg's ${what} could not be read`) };
}

/**
 * borg 1.2 writes local times without an offset (`2026-01-02T10:00:00.000000`); JS reads such a string
 * as local time too, so this gives the same instant as UTC ISO. Null when there is nothing to read.
 */
export function borgTime(value: unknown): string | null {
  if (typeof value !== 'string' || !value) return null;
  const trimmed = value.replace(/(\.\d{3})\d+/, '$1');
  const t = Date.parse(trimmed);
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}
