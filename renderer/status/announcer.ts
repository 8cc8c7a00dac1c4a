/**
 * What a screen reader hears when something changes by itself: a backup started, finished, failed,
 * began waiting for its disk. Progress ticks are not announced (the numbers are on screen).
 */
import type { ProfileSnapshot } from '../shared/types.js';
import { cardState, type CardState } from './card-state.js';

export interface Seen {
  state: CardState;
  finishedAt: string | null;
}

export function seenOf(p: ProfileSnapshot): Seen {
  return { state: cardState(p), finishedAt: p.lastRun?.finishedAt ?? null };
}

/** The sentence for a change from `before` to `p`, or null when there is nothing worth saying. */
export function announcement(before: Seen | undefined, p: ProfileSnapshot): string | null {
  if (!before) return null;
  const now = seenOf(p);
  if (now.state === before.state && now.finishedAt === before.finishedAt) return null;
  if (now.state === 'running') return before.state === 'running' ? null : `${p.name}: backing up.`;
  if (now.state === 'waiting') return `${p.name}: waiting for ${p.triggers.volume ?? 'the backup disk'}.`;
  if (now.finishedAt === before.finishedAt) return null;
  const last = p.lastRun;
  switch (last?.result) {
    case 'success':
      return `${p.name}: backed up.`;
    case 'warning':
      return `${p.name}: backed up with warnings. ${last.diagnoses[0]?.message ?? ''}`.trim();
    case 'error':
      return `${p.name}: the backup failed. ${last.diagnoses[0]?.message ?? last.message ?? ''}`.trim();
    case 'cancelled':
      return `${p.name}: the backup was cancelled.`;
    case 'interrupted':
      return `${p.name}: the backup did not finish.`;
    default:
      return null;
  }
}
