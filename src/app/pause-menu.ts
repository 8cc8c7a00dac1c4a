/**
 * The menu items of Pause Backups, Skip This Backup and Cancel, apart from the rest of the menu
 * (tray-view.ts places them). Pure: the pause, the profiles and the moment are arguments.
 *
 * - Not paused: "Pause Backups ▸ For 1 Hour / Until Tomorrow / Until I Resume".
 * - Paused: a line that says until when, in local time ("Backups paused until 15:05"), then
 *   "Resume Backups". Back Up Now stays as it is: it works while paused and leaves the pause in force.
 * - A backup going on, here or in another Dandelion process (the daemon, a CLI run): "Cancel Backup"
 *   and "Skip This Backup" (stopped the same way; recorded as skipped by the user: no alarm, no retry
 *   before the next slot). With several runs, each names its profile.
 */
import type { PauseState } from '../engine/pause.js';
import { activePause } from '../engine/pause.js';
import type { ProfileSnapshot } from '../engine/status.js';
import type { TrayMenuItem } from './tray-view.js';

function sameDay(a: Date, b: Date): boolean {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
}

/**
 * "until 15:05" today, "until midnight" at the start of tomorrow, "until tomorrow, 09:00",
 * "until Sat 5 Dec, 09:00" further on; "until you resume them" without an end. Local time and zone.
 */
export function pausedUntilWords(p: PauseState, now: Date, locale?: string): string {
  if (p.until === null) return 'until you resume them';
  const until = new Date(p.until);
  const time = until.toLocaleTimeString(locale, { hour: 'numeric', minute: '2-digit' });
  const tomorrow = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1);
  if (until.getTime() === tomorrow.getTime()) return 'until midnight';
  if (sameDay(until, now)) return `until ${time}`;
  if (sameDay(until, tomorrow)) return `until tomorrow, ${time}`;
  return `until ${until.toLocaleDateString(locale, { weekday: 'short', day: 'numeric', month: 'short' })}, ${time}`;
}

/** The sentence the menu, the tooltip and the status window show while paused; null when not paused. */
export function pausedSentence(paused: PauseState | null | undefined, now: Date, locale?: string): string | null {
  const p = activePause(paused ?? null, now);
  return p ? `Backups paused ${pausedUntilWords(p, now, locale)}` : null;
}

export function pauseItems(paused: PauseState | null | undefined, now: Date, locale?: string): TrayMenuItem[] {
  const sentence = pausedSentence(paused, now, locale);
  if (sentence)
    return [
      { label: sentence, enabled: false },
      { label: 'Resume Backups', action: { type: 'resume' } },
    ];
  return [
    {
      label: 'Pause Backups',
      submenu: [
        { label: 'For 1 Hour', action: { type: 'pause', choice: { for: 'hour' } } },
        { label: 'Until Tomorrow', action: { type: 'pause', choice: { for: 'tomorrow' } } },
        { label: 'Until I Resume', action: { type: 'pause', choice: { for: 'ever' } } },
      ],
    },
  ];
}

/** Cancel and Skip for each backup going on, in this process or another one. */
export function runControls(profiles: ProfileSnapshot[]): TrayMenuItem[] {
  const running = profiles.filter((p) => p.run !== null || p.runningElsewhere !== null);
  const several = running.length > 1;
  return running.flatMap((p): TrayMenuItem[] => [
    { label: several ? `Cancel Backup of ${p.name}` : 'Cancel Backup', action: { type: 'cancel', profile: p.id } },
    { label: several ? `Skip Backup of ${p.name}` : 'Skip This Backup', action: { type: 'skip', profile: p.id } },
  ]);
}
