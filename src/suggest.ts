/**
 * "Did you mean …?" for a name that is not known: a mistyped command, option, profile id or config.json
 * field. Pure functions over strings; the callers word the sentence.
 */

/** Capitals, dashes and underscores ignored: `keep_daily`, `Keep-Daily` and `keepdaily` are one name. */
export function foldName(name: string): string {
  return name.toLowerCase().replace(/[-_]/g, '');
}

/**
 * Edits between a and b: insertions, deletions, substitutions, and a swap of two neighbours counts as
 * one (optimal string alignment), as typing mistakes go. Stops early once every path exceeds `limit`,
 * returning limit + 1.
 */
export function editDistance(a: string, b: string, limit = Infinity): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let before: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      // A swap of a[i-2..i-1] and b[j-2..j-1] (at i or j = 1 an index is -1: undefined, never equal).
      if (a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, before[j - 2]! + 1);
      row.push(d);
      best = Math.min(best, d);
    }
    if (best > limit) return limit + 1;
    before = prev;
    prev = row;
  }
  return prev[b.length]!;
}

/** How many edits a name of this length may be away and still be meant: 1 up to 5 characters, then 2. */
function allowedEdits(length: number): number {
  return length <= 5 ? 1 : 2;
}

/**
 * The known names the unknown one most likely meant, at most two, best first; [] when none is close.
 * Close is: the fewest edits within allowedEdits, capitals, dashes and underscores ignored (all that
 * tie); else the one known name it begins (`repo` for `repository`), at least 3 characters of it.
 */
export function closestNames(unknown: string, known: readonly string[]): string[] {
  const folded = foldName(unknown);
  if (!folded) return [];
  // The same name but for capitals, dashes and underscores is 0 edits away: the nearest of all.
  const limit = allowedEdits(folded.length);
  let best = limit + 1;
  let nearest: string[] = [];
  for (const k of known) {
    const d = editDistance(folded, foldName(k), limit);
    if (d < best) {
      best = d;
      nearest = [k];
    } else if (d === best && d <= limit) nearest.push(k);
  }
  if (nearest.length) return nearest.slice(0, 2);
  if (folded.length < 3) return [];
  const begun = known.filter((k) => foldName(k).startsWith(folded));
  return begun.length === 1 ? begun : [];
}
