/**
 * Finding entries by name in an archive's name table (index-file.ts `nameTable`): one regular
 * expression over every name at once, each name between NULs, instead of a test per entry.
 */

/** At most this many matches are returned; `more` says there were others. */
export const FIND_LIMIT = 1000;

/** Characters with a meaning in a regular expression (with the `u` flag, only these may be escaped). */
const SPECIAL = /[\\^$.*+?()[\]{}|/]/g;

function literal(text: string): string {
  return text.replace(SPECIAL, (c) => `\\${c}`);
}

/** A pattern is a shell-style one when it holds `*` or `?`; otherwise a plain piece of the name. */
export function isWildcard(pattern: string): boolean {
  return /[*?]/.test(pattern);
}

function body(pattern: string): string {
  if (!isWildcard(pattern)) return literal(pattern);
  let out = '';
  for (const c of pattern) out += c === '*' ? '[^\\0]*' : c === '?' ? '[^\\0]' : literal(c);
  // A wildcard pattern is the whole name: it starts at the NUL before the name and ends before the next.
  return `\\0${out}(?=\\0)`;
}

/**
 * The search for `pattern`, case-insensitive: `*` and `?` make it a shell-style pattern for the whole
 * name (`*.jpg`, `IMG_20??.*`), else it matches names that contain it (`report`). A name typed in
 * one Unicode normal form finds names stored in the other (macOS stores decomposed names). Null for
 * a pattern no name can match (empty, or holding a `/` or a NUL).
 */
export function findMatcher(pattern: string): { regex: RegExp; wildcard: boolean } | null {
  // Names hold neither: such a pattern can match nothing.
  if (!pattern || pattern.includes('\0') || pattern.includes('/')) return null;
  const clean = pattern;
  const forms = [...new Set([clean, clean.normalize('NFC'), clean.normalize('NFD')])];
  const source = forms.length === 1 ? body(forms[0]!) : `(?:${forms.map(body).join('|')})`;
  return { regex: new RegExp(source, 'giu'), wildcard: isWildcard(clean) };
}

/** The largest i with starts[i] <= pos. */
function nodeAt(starts: Uint32Array, pos: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= pos) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * The nodes whose names match, in index order (shallow first, then by name), at most `limit`.
 * `text` is the name table: a NUL, then each name followed by a NUL; name i starts at starts[i] + 1.
 */
export function findNodes(
  text: string,
  starts: Uint32Array,
  matcher: { regex: RegExp; wildcard: boolean },
  limit = FIND_LIMIT,
): { nodes: number[]; more: boolean } {
  const re = new RegExp(matcher.regex.source, matcher.regex.flags);
  const nodes: number[] = [];
  const count = starts.length - 1;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    // A wildcard match starts at the NUL before its name; a piece of a name starts inside it.
    const node = nodeAt(starts, matcher.wildcard ? m.index : m.index - 1);
    if (node >= count) break;
    if (node > 0) {
      if (nodes.length === limit) return { nodes, more: true };
      nodes.push(node);
    }
    // On to the next name (its NUL included, where a wildcard match starts).
    re.lastIndex = Math.max(starts[node + 1]!, m.index + 1);
  }
  return { nodes, more: false };
}
