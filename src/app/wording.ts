/**
 * The small words the menu-bar app shares between the tray and its notifications. Numbers use a
 * fixed 'en-US' style (1,234), whatever the machine's locale, so the tray reads the same in tests
 * and in the CLI's output.
 */
import { clockFormat, dayNumber, yearOf, type LocalClock } from '../format.js';

/** How a person's clock and calendar are written: the locale and zone the OS gives (undefined = this process's). */
export type { LocalClock };

/** 1234 → "1,234". */
export function thousands(n: number): string {
  return n.toLocaleString('en-US');
}

/** "1 file", "2 files", "1,234 files". */
export function count(n: number, singular: string, pluralForm = `${singular}s`): string {
  return `${thousands(n)} ${n === 1 ? singular : pluralForm}`;
}

/**
 * A file count in a few characters for the menu-bar title: "1,234", "12k", "1.2M". Rounded down,
 * so the title never claims a figure borg has not reached yet.
 */
export function compactCount(n: number): string {
  if (n < 10_000) return thousands(n);
  if (n < 1_000_000) return `${Math.floor(n / 1000)}k`;
  const millions = Math.floor(n / 100_000) / 10;
  return millions < 10 ? `${millions}M` : `${Math.floor(millions)}M`;
}

/**
 * At most `max` characters, ending in "…" when cut. Cuts after a whole word when one ends in the
 * last 40 % of the room (a path or a URL has no spaces, so it is cut where it must be), and drops
 * the punctuation the cut would leave dangling.
 */
export function truncate(text: string, max: number): string {
  const chars = [...text];
  if (chars.length <= max) return text;
  let cut = chars.slice(0, max - 1).join('');
  const space = cut.lastIndexOf(' ');
  if (space >= Math.ceil(max * 0.6)) cut = cut.slice(0, space);
  return `${cut.replace(/[\s,;:.—-]+$/u, '')}…`;
}

/** "in 5 minutes", "in 2 hours", "in 3 days"; "soon" for what is due now or within the minute. */
export function timeUntil(then: Date, now: Date): string {
  const s = (then.getTime() - now.getTime()) / 1000;
  if (s < 45) return 'soon';
  const minutes = s / 60;
  if (minutes < 45) return `in ${count(Math.max(1, Math.round(minutes)), 'minute')}`;
  const hours = minutes / 60;
  if (hours < 22) return `in ${count(Math.max(1, Math.round(hours)), 'hour')}`;
  return `in ${count(Math.max(1, Math.round(hours / 24)), 'day')}`;
}

/**
 * Never cuts inside a path or an address: when `truncate` would end inside a word holding a `/`, `@`
 * or `:` (a path, a host, a URL), the cut moves before that word. So two lines are shortened alike,
 * none showing half a path next to another's whole one.
 */
export function shorten(text: string, max: number): string {
  const cut = truncate(text, max);
  if (cut === text) return text;
  const kept = cut.slice(0, -1);
  const words = text.split(' ');
  let at = 0;
  for (const word of words) {
    const end = at + word.length;
    if (end > kept.length && at < kept.length) {
      // The cut falls inside this word: keep it only when it is an ordinary word.
      if (/[/@:\\]/.test(word)) return `${kept.slice(0, at).replace(/[\s,;:.—-]+$/u, '')}…`;
      break;
    }
    at = end + 1;
  }
  return cut;
}

/**
 * A moment as Time Machine says it, in local time and the user's locale: "Today, 21:54",
 * "Yesterday, 21:54", "Tomorrow, 09:00", a weekday within the week ("Monday, 21:54"), a date
 * beyond ("3 November, 21:54", with the year when it is not this one).
 */
export function dayAndTime(d: Date, now: Date, clock: LocalClock = {}): string {
  const time = clockFormat('time', clock).format(d);
  const days = dayNumber(d, clock) - dayNumber(now, clock);
  if (days === 0) return `Today, ${time}`;
  if (days === -1) return `Yesterday, ${time}`;
  if (days === 1) return `Tomorrow, ${time}`;
  if (Math.abs(days) < 7) return `${clockFormat('weekday', clock).format(d)}, ${time}`;
  const sameYear = yearOf(d, clock) === yearOf(now, clock);
  return `${clockFormat(sameYear ? 'date' : 'date-year', clock).format(d)}, ${time}`;
}

// The overdue words live in src/format.ts, which the windows may import too: one wording everywhere.
export { overdueWords, waitingWords, type WaitingFor } from '../format.js';

/**
 * Where a profile's backups go, as a person names it: the disk's volume name, the server's host, or
 * for another local folder its path from the home folder ("~/Backups/mbp"), shortened from the
 * front ("…/backup/mbp") when long. Pure: the caller hands in the home folder and volumes folders.
 */
export function destinationName(repository: string, opts: { volume?: string | null; home?: string; volumesRoots?: string[] } = {}): string {
  const ssh =
    /^ssh:\/\/(?:[^@/]+@)?(\[[^\]]+\]|[^:/]+)/.exec(repository) ?? /^(?:[^@/:]+@)?(\[[^\]]+\]|[^:/[\]]+):(?!\/\/)/.exec(repository);
  if (ssh && !/^(file|[a-z]):/i.test(repository)) return ssh[1]!.replace(/^\[|\]$/g, '');
  if (opts.volume) return opts.volume;
  const local = repository.replace(/^file:\/\//i, '');
  const roots = opts.volumesRoots ?? ['/Volumes', '/media/*', '/run/media/*'];
  for (const root of roots) {
    const pattern = new RegExp(`^${root.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]+')}/([^/]+)`);
    const m = pattern.exec(local);
    if (m) return m[1]!;
  }
  const home = opts.home?.replace(/\/+$/, '');
  const shown = home && (local === home || local.startsWith(`${home}/`)) ? `~${local.slice(home.length)}` : local;
  if (shown.length <= 32) return shown;
  const parts = shown.split('/').filter(Boolean);
  return `…/${parts.slice(-2).join('/')}`;
}

/**
 * The menu item that opens the settings window: "Settings…" from macOS 13 (Ventura), where Apple
 * renamed Preferences, and "Preferences…" before it and elsewhere. `systemVersion` is the macOS
 * version (Electron's process.getSystemVersion(), e.g. "13.4.1").
 */
export function settingsLabel(platform: string, systemVersion?: string): 'Settings…' | 'Preferences…' {
  if (platform !== 'darwin') return 'Preferences…';
  const major = Number.parseInt(systemVersion ?? '', 10);
  // An unknown version: a macOS new enough to run this Electron (11+) is most likely 13 or later.
  return Number.isNaN(major) || major >= 13 ? 'Settings…' : 'Preferences…';
}
