/** The one word a profile's card leads with: pure, so the glance, the announcer and the tests share it. */
import type { ProfileSnapshot } from '../shared/types.js';
import { overdueWords } from '../../src/format.js';

export type CardState =
  | 'running'
  | 'waiting'
  | 'never'
  | 'success'
  | 'warning'
  | 'error'
  | 'cancelled'
  | 'interrupted'
  | 'overdue'
  /** The last check or restore drill found damage: backed up, but maybe not restorable. */
  | 'unrestorable';

/** The one word the card leads with, from the profile's state and last run. */
export function cardState(p: ProfileSnapshot): CardState {
  if (p.state === 'running') return 'running';
  if (p.state === 'waiting-for-volume') return 'waiting';
  const last = p.lastRun;
  if (last?.result === 'error') return 'error';
  if (p.verifyFailed) return 'unrestorable';
  if (p.overdue) return 'overdue';
  if (last?.result === 'warning') return 'warning';
  if (last?.result === 'cancelled') return 'cancelled';
  // Dandelion was killed while it ran: not a failure of the backup, and not "up to date" either.
  if (last?.result === 'interrupted') return 'interrupted';
  if (!p.lastSuccessAt) return 'never';
  return 'success';
}

export const BADGE: Record<CardState, string> = {
  running: 'Backing up',
  waiting: 'Waiting for disk',
  never: 'Never backed up',
  success: 'Up to date',
  warning: 'Backed up with warnings',
  error: 'Failed',
  cancelled: 'Cancelled',
  interrupted: 'Interrupted',
  overdue: 'Overdue',
  unrestorable: 'May not be restorable',
};

/** True when the last run made an archive that holds (almost) nothing: never shown as a backup that worked. */
export function savedAlmostNothing(p: ProfileSnapshot): boolean {
  return p.lastRun?.result === 'warning' && p.lastRun.diagnoses.some((d) => d.kind === 'hollow-backup');
}

/**
 * The card's badge: the state's word, except a hollow archive, which says what it is, and an overdue
 * backup held back on battery, which says what it waits for (as the menu does).
 */
export function badgeText(p: ProfileSnapshot, state: CardState = cardState(p)): string {
  if (state === 'warning' && savedAlmostNothing(p)) return 'Saved almost nothing';
  if (state === 'overdue' && p.waitingFor === 'power') return overdueWords('power', null);
  return BADGE[state];
}
