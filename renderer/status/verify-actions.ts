/**
 * Check Now and Prove Restorable on a status card: whether each can be pressed, and when not, why,
 * in words the card shows beside them; what the card says while one runs. Pure, so the unit tests
 * and the card share it.
 */
import type { ProfileSnapshot } from '../shared/types.js';

export interface VerifyButton {
  label: 'Check Now' | 'Prove Restorable';
  enabled: boolean;
}

export interface VerifyButtons {
  check: VerifyButton;
  drill: VerifyButton;
  /** Why a button cannot be pressed now; null when both can. */
  reason: string | null;
}

type Facts = Pick<ProfileSnapshot, 'state' | 'lastSuccessAt' | 'repositoryAway' | 'triggers' | 'operation'>;

/**
 * A backup of the profile (here or in another process) or a disk that is away disables both; a
 * check or drill already going on disables both too (the card shows its progress and Cancel); the
 * drill needs a backup to prove.
 */
export function verifyButtons(p: Facts, opts: { starting?: boolean } = {}): VerifyButtons {
  const both = (enabled: boolean, reason: string | null, drill = enabled): VerifyButtons => ({
    check: { label: 'Check Now', enabled },
    drill: { label: 'Prove Restorable', enabled: drill },
    reason,
  });
  if (p.operation || opts.starting) return both(false, null);
  if (p.state === 'running') return both(false, 'Checking waits until the backup of this profile has finished.');
  if (p.repositoryAway || p.state === 'waiting-for-volume') {
    const disk = p.triggers.volume ? `“${p.triggers.volume}”` : 'the backup disk';
    return both(false, `Connect ${disk} to check these backups or prove them restorable.`);
  }
  if (!p.lastSuccessAt) return both(true, 'There is no backup to prove restorable yet.', false);
  return both(true, null);
}

/** What the card says while a check or drill goes on (its own, or one the schedule started). */
export function operationWords(op: NonNullable<ProfileSnapshot['operation']>): string {
  if (op.waitingFor) return `Waiting for the repository: ${op.waitingFor}…`;
  if (op.kind === 'check') return 'Checking the backups…';
  if (op.kind === 'drill') return (op.percent ?? 0) >= 90 ? 'Comparing restored files…' : 'Proving the latest backup restorable…';
  return 'Restoring…';
}
