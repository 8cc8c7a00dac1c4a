/** The status window's words for a pause of automatic backups (pure: the snapshot and the moment are arguments). */
import type { AppSnapshot } from '../shared/types.js';
import { dayAndTime } from '../shared/format.js';

/** "Backups paused until today, 15:05" (local time), or null when not paused (or the pause has ended). */
export function pausedTitle(s: Pick<AppSnapshot, 'paused'>, now: Date): string | null {
  const p = s.paused;
  if (!p) return null;
  if (p.until === null) return 'Backups paused until you resume them';
  const until = new Date(p.until);
  if (until.getTime() <= now.getTime()) return null;
  return `Backups paused until ${dayAndTime(until, now).replace(/^(Today|Tomorrow|Yesterday)/, (w) => w.toLowerCase())}`;
}

/** While paused, a card that would say "Up to date" (or nothing, never backed up) says "Paused": nothing runs by itself. */
export function pausedBadge(state: string, paused: boolean): boolean {
  return paused && (state === 'success' || state === 'never');
}

/** The window's first line while paused, where it would otherwise say all is well (or nothing happened yet). */
export function pausedGlance<T extends { text: string; tone: string }>(top: T, s: Pick<AppSnapshot, 'paused'>, now: Date): T {
  const title = pausedTitle(s, now);
  return title && (top.tone === 'ok' || top.tone === 'none') ? { ...top, text: title, tone: 'none' } : top;
}
