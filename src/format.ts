/** "2 hours ago" — the phrasing the menu bar and the CLI share. */
export function timeAgo(then: Date, now: Date): string {
  const s = (now.getTime() - then.getTime()) / 1000;
  if (s < 45) return 'just now';
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'} ago`;
  const minutes = s / 60;
  if (minutes < 45) return plural(Math.max(1, Math.round(minutes)), 'minute');
  const hours = minutes / 60;
  if (hours < 22) return plural(Math.max(1, Math.round(hours)), 'hour');
  const days = hours / 24;
  if (days < 14) return plural(Math.max(1, Math.round(days)), 'day');
  if (days < 60) return plural(Math.round(days / 7), 'week');
  return `on ${then.toISOString().slice(0, 10)}`;
}

export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB', 'PB'];
  let v = n;
  let i = -1;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

/** "1 file", "2 files", "0 files": a number and its noun, singular only for exactly one. */
export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}
