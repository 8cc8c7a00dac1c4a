/**
 * Errors as data. Every call a face makes ends in an Outcome: a value, or a Diagnosis with a sentence
 * and a fix. Both are plain objects, so they survive structured cloning across Electron's IPC, where
 * an Error subclass would arrive stripped of its fields.
 */
import type { Diagnosis } from '../diagnosis.js';
import { diagnosisFor } from '../messages.js';

export type Outcome<T> = { ok: true; value: T } | { ok: false; diagnosis: Diagnosis };

export function ok<T>(value: T): Outcome<T> {
  return { ok: true, value };
}

export function failed(diagnosis: Diagnosis): { ok: false; diagnosis: Diagnosis } {
  return { ok: false, diagnosis };
}

/** Inside the engine only: a refusal that already has its diagnosis. Converted to an Outcome at the edge. */
export class Refusal extends Error {
  constructor(readonly diagnosis: Diagnosis) {
    super(`${diagnosis.message} ${diagnosis.fix}`.trim());
    this.name = 'Refusal';
  }
}

export interface DiagnosisScope {
  repository?: string;
  profile?: string;
}

/** Whatever was thrown, as a Diagnosis: known failures keep their kind, anything else is `unknown` with its message. */
export function diagnosisOf(err: unknown, scope: DiagnosisScope = {}): Diagnosis {
  if (err instanceof Refusal) return err.diagnosis;
  const ctx = { repository: scope.repository ?? '', platform: process.platform, passphraseSupplied: false, profile: scope.profile };
  const e = err as { kind?: unknown; message?: unknown; cause?: unknown } | null;
  const message = typeof e?.message === 'string' ? e.message : String(err);
  if (e?.kind === 'borg-missing' || e?.kind === 'borg-too-old') return diagnosisFor(e.kind, ctx, message);
  if (e?.kind === 'keyring-unavailable') return diagnosisFor('keyring-unavailable', ctx, keyringDetail(e.cause) ?? undefined);
  return { kind: 'unknown', message, fix: 'If this keeps happening, run `dandelion doctor` and include its output in a report.' };
}

function keyringDetail(cause: unknown): string | null {
  const m = (cause as { message?: unknown })?.message;
  return typeof m === 'string' ? m : cause === undefined ? null : String(cause);
}

/** Runs an engine call and turns anything it throws into a failed Outcome: nothing escapes to a face. */
export async function guard<T>(scope: DiagnosisScope, fn: () => Promise<Outcome<T>>): Promise<Outcome<T>> {
  try {
    return await fn();
  } catch (err) {
    return failed(diagnosisOf(err, scope));
  }
}
