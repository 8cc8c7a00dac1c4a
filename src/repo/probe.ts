/**
 * The one cheap command that needs the key (`borg list --json --last=1`: the manifest, no cache) and
 * the reading of its answer; shared by the passphrase check and the encryption detection.
 */
import { probeArgs } from '../borg/argv.js';
import type { Secret } from '../borg/run.js';
import { ENCRYPTION_MODES, type EncryptionMode } from '../profiles/schema.js';
import { failureOf, unreadable, type Failure, type RepoCommand } from './types.js';

export type ProbeResult = { ok: true; mode: EncryptionMode } | Failure;

/** `encryption.mode` from `borg list --json`; null when absent or not a mode this borg can create. */
export function parseEncryptionMode(stdout: string): EncryptionMode | null {
  try {
    const mode = (JSON.parse(stdout) as { encryption?: { mode?: unknown } } | null)?.encryption?.mode;
    return (ENCRYPTION_MODES as readonly unknown[]).includes(mode) ? (mode as EncryptionMode) : null;
  } catch {
    return null;
  }
}

export async function probe(cmd: RepoCommand, repository: string, secret: Secret): Promise<ProbeResult> {
  const result = await cmd(probeArgs(repository), { captureStdout: true, secret });
  if (result.level === 'error') return failureOf(result, repository);
  const mode = parseEncryptionMode(result.stdout);
  return mode ? { ok: true, mode } : unreadable(repository, 'repository description');
}

/** Whether borg asks for a passphrase for this mode: `authenticated` signs without encrypting, but its key is still protected by one. */
export function needsPassphrase(mode: EncryptionMode): boolean {
  return mode !== 'none';
}
