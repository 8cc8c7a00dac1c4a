/**
 * Exclude patterns as borg 1.2 reads `--exclude` (borg/patterns.py), checked before they are saved.
 * Pure: patterns, sources and the home folder in; what is wrong with each pattern out.
 *
 * borg 1.2, as measured with `borg create --dry-run --list`:
 * - A pattern starting with two letters or digits and ":" names a style: `fm:` (the default),
 *   `sh:`, `re:`, `pp:`, `pf:`. Any other such prefix (`xx:foo`, also `12:30`) stops borg with
 *   "invalid parse_exclude_pattern value" (exit 2) before it reads a file.
 * - `re:` is Python's `re` (see pyregex.ts): a pattern Python cannot compile ends borg with a traceback.
 * - Paths are matched without their leading "/" (`home/u/Documents/x`): `fm:`, `sh:`, `pp:` and `pf:`
 *   drop the pattern's leading "/", `re:` does not, so `re:^/home` matches nothing.
 * - A source folder itself is matched too: an exclude that matches it leaves the whole source out,
 *   and the backup "succeeds" with nothing in it.
 * - The engine expands a leading `~` (`~`, `~/x`) before borg sees the pattern (borg/argv.ts).
 */
import { compilePythonRegex } from './pyregex.js';

export const PATTERN_STYLES = ['fm', 'sh', 're', 'pp', 'pf'] as const;
export type PatternStyle = (typeof PATTERN_STYLES)[number];

export type StyleSplit = { ok: true; style: PatternStyle; body: string } | { ok: false; error: string };

/** Python's `str.isalnum()` for the two characters of a style prefix. */
const ALNUM2 = /^[\p{L}\p{N}]{2}$/u;

/** The style and the rest, as borg's parse_pattern splits them (fallback `fm`, as for --exclude). */
export function splitStyle(pattern: string): StyleSplit {
  const chars = [...pattern];
  if (chars.length > 2 && chars[2] === ':' && ALNUM2.test(chars[0]! + chars[1]!)) {
    const style = chars[0]! + chars[1]!;
    const body = chars.slice(3).join('');
    if ((PATTERN_STYLES as readonly string[]).includes(style)) return { ok: true, style: style as PatternStyle, body };
    return {
      ok: false,
      error: `starts with "${style}:", which borg reads as a pattern style, and there is none by that name (fm:, sh:, re:, pp:, pf:); to leave out a path that starts with "${style}:", write "fm:${pattern}"`,
    };
  }
  return { ok: true, style: 'fm', body: pattern };
}

/** Python's posixpath.normpath. */
export function normpath(p: string): string {
  if (!p) return '.';
  let initial = p.startsWith('/') ? 1 : 0;
  if (p.startsWith('//') && !p.startsWith('///')) initial = 2;
  const out: string[] = [];
  for (const comp of p.split('/')) {
    if (comp === '' || comp === '.') continue;
    if (comp !== '..' || (!initial && !out.length) || (out.length && out[out.length - 1] === '..')) out.push(comp);
    else if (out.length) out.pop();
  }
  const joined = '/'.repeat(initial) + out.join('/');
  return joined || '.';
}

function lstripSlash(s: string): string {
  return s.replace(/^\/+/, '');
}

function rstripSlash(s: string): string {
  return s.replace(/\/+$/, '');
}

function escapeChar(ch: string): string {
  return /^[A-Za-z0-9_]$/.test(ch) ? ch : `\\u{${ch.codePointAt(0)!.toString(16)}}`;
}

interface ClassParts {
  neg: boolean;
  /** Single characters and ranges, as [lo, hi] code points. */
  items: [number, number][];
}

function classRegex({ neg, items }: ClassParts): string {
  if (!items.length) return neg ? '[\\s\\S]' : '(?!)';
  const inner = items.map(([lo, hi]) =>
    lo === hi ? escapeChar(String.fromCodePoint(lo)) : `${escapeChar(String.fromCodePoint(lo))}-${escapeChar(String.fromCodePoint(hi))}`,
  );
  return `[${neg ? '^' : ''}${inner.join('')}]`;
}

/** Reads `[…]` contents as a set of characters and ranges (no escapes: a backslash is a character). */
function classItems(stuff: string[]): [number, number][] {
  const items: [number, number][] = [];
  for (let k = 0; k < stuff.length; k++) {
    const lo = stuff[k]!.codePointAt(0)!;
    if (stuff[k + 1] === '-' && k + 2 < stuff.length) {
      items.push([lo, stuff[k + 2]!.codePointAt(0)!]);
      k += 2;
    } else items.push([lo, lo]);
  }
  return items;
}

/**
 * Python's fnmatch.translate (3.11) to a JavaScript regex source, anchored at both ends. `*` crosses
 * "/", as in borg's `fm:` style. A reversed range (`[z-a]`) matches nothing, as there.
 */
export function fnmatchRegex(pattern: string): string {
  const pat = [...pattern];
  let res = '';
  for (let i = 0; i < pat.length;) {
    const c = pat[i++]!;
    if (c === '*') {
      if (!res.endsWith('[\\s\\S]*')) res += '[\\s\\S]*';
    } else if (c === '?') res += '[\\s\\S]';
    else if (c === '[') {
      let j = i;
      if (pat[j] === '!') j++;
      if (pat[j] === ']') j++;
      while (j < pat.length && pat[j] !== ']') j++;
      if (j >= pat.length) res += '\\[';
      else {
        let stuff = pat.slice(i, j);
        i = j + 1;
        const neg = stuff[0] === '!';
        if (neg) stuff = stuff.slice(1);
        const items = classItems(stuff).filter(([lo, hi]) => lo <= hi);
        res += classRegex({ neg, items });
      }
    } else res += escapeChar(c);
  }
  return `^${res}$`;
}

/**
 * borg's shellpattern.translate to a JavaScript regex source: `**` followed by "/" is any number of whole folders,
 * `*` and `?` stay within one name. Returns an error for what Python's `re` refuses (`[z-a]`).
 */
export function shellRegex(pattern: string): { ok: true; source: string } | { ok: false; error: string } {
  const pat = [...pattern];
  let res = '';
  for (let i = 0; i < pat.length;) {
    const c = pat[i++]!;
    if (c === '*') {
      if (i + 1 < pat.length && pat[i] === '*' && pat[i + 1] === '/') {
        res += '(?:[^/]*/)*';
        i += 2;
      } else res += '[^/]*';
    } else if (c === '?') res += '[^/]';
    else if (c === '[') {
      let j = i;
      if (pat[j] === '!') j++;
      if (pat[j] === ']') j++;
      while (j < pat.length && pat[j] !== ']') j++;
      if (j >= pat.length) res += '\\[';
      else {
        let stuff = pat.slice(i, j);
        i = j + 1;
        const neg = stuff[0] === '!';
        if (neg) stuff = stuff.slice(1);
        const items = classItems(stuff);
        const bad = items.find(([lo, hi]) => lo > hi);
        if (bad)
          return {
            ok: false,
            error: `has a range that runs backwards, [${String.fromCodePoint(bad[0])}-${String.fromCodePoint(bad[1])}]: write the smaller character first`,
          };
        res += classRegex({ neg, items });
      }
    } else res += escapeChar(c);
  }
  return { ok: true, source: `^${res}$` };
}

export type Matcher = (path: string) => boolean;
export type CompiledExclude = { ok: true; style: PatternStyle; match: Matcher } | { ok: false; error: string };

/** `~` and `~/x` as the engine expands them before borg sees the pattern. */
export function expandPatternHome(pattern: string, home: string): string {
  if (pattern === '~') return home;
  if (pattern.startsWith('~/')) return `${rstripSlash(home)}/${pattern.slice(2)}`;
  return pattern;
}

/**
 * One `--exclude` as borg 1.2 builds it: a matcher over paths as borg tests them (no leading "/"),
 * or why borg would refuse the pattern.
 */
export function compileExclude(pattern: string): CompiledExclude {
  const split = splitStyle(pattern);
  if (!split.ok) return split;
  const { style, body } = split;
  switch (style) {
    case 'pf': {
      const full = lstripSlash(normpath(body));
      return { ok: true, style, match: (path) => path === full };
    }
    case 'pp': {
      const prefix = lstripSlash(rstripSlash(normpath(body)) + '/');
      return { ok: true, style, match: (path) => `${path}/`.startsWith(prefix) };
    }
    case 'fm': {
      const glob = lstripSlash(body.endsWith('/') ? `${rstripSlash(normpath(body))}/*/` : `${normpath(body)}/*`);
      const regex = new RegExp(fnmatchRegex(glob), 'u');
      return { ok: true, style, match: (path) => regex.test(`${path}/`) };
    }
    case 'sh': {
      const glob = lstripSlash(body.endsWith('/') ? `${rstripSlash(normpath(body))}/**/*/` : `${normpath(body)}/**/*`);
      const translated = shellRegex(glob);
      if (!translated.ok) return translated;
      const regex = new RegExp(translated.source, 'u');
      return { ok: true, style, match: (path) => regex.test(`${path}/`) };
    }
    case 're': {
      const compiled = compilePythonRegex(body);
      if (!compiled.ok) return { ok: false, error: `is not a regular expression Python (borg) accepts: ${compiled.error}` };
      const regex = compiled.regex;
      return { ok: true, style, match: (path) => regex.test(path) };
    }
  }
}

/**
 * Names a folder could hold. An exclude that matches the source folder, or every one of these
 * inside it, leaves the source (practically) empty.
 */
const PROBES = ['a', 'Z', '0', '.hidden', 'notes.txt', 'Photo 2024.JPG', 'Ünïcode', '-', 'x/y'];

/** The path borg matches for an absolute source: normalised, without the leading "/". */
export function borgPath(source: string): string {
  return lstripSlash(normpath(source));
}

/** Whether an exclude leaves out a whole source (an absolute path, `~` already expanded). */
export function coversSource(match: Matcher, source: string): boolean {
  const path = borgPath(source);
  if (match(path)) return true;
  const prefix = path ? `${path}/` : '';
  return PROBES.every((name) => match(prefix + name));
}

export interface ExcludeProblem {
  /** Index into the excludes. */
  index: number;
  message: string;
}

/**
 * What is wrong with each exclude of a profile: a pattern borg would refuse, or one that leaves out a
 * whole source. `sources` are as written in config.json (shown in the message); `home` expands `~`.
 */
export function excludeProblems(excludes: readonly string[], sources: readonly string[], home: string): ExcludeProblem[] {
  const problems: ExcludeProblem[] = [];
  excludes.forEach((raw, index) => {
    const compiled = compileExclude(expandPatternHome(raw, home));
    if (!compiled.ok) {
      problems.push({ index, message: `"${raw}" ${compiled.error}` });
      return;
    }
    const covered = sources.find((s) => coversSource(compiled.match, expandPatternHome(s, home)));
    if (covered !== undefined)
      problems.push({
        index,
        message: `"${raw}" leaves out all of ${covered.replace(/(.)\/+$/, '$1')}: the backup would save nothing from it; remove this pattern or make it narrower (e.g. "${covered.replace(/\/+$/, '')}/Caches")`,
      });
  });
  return problems;
}
