/**
 * The small words the menu-bar app shares between the tray and its notifications. Numbers use a
 * fixed 'en-US' style (1,234), whatever the machine's locale, so the tray reads the same in tests
 * and in the CLI's output.
 */

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
