/**
 * Python's `re` syntax (what borg compiles an `re:` pattern with), checked and translated to a
 * JavaScript RegExp. Pure: a pattern in, either the error Python would raise (same wording, same
 * position) or a RegExp that matches like Python's `re.search` for the paths borg tests.
 *
 * Follows CPython 3.11's sre_parse (borg 1.2 runs on Python 3.9–3.13; what 3.11 added, possessive
 * quantifiers and atomic groups, is accepted). The translation is exact for what a path exclude
 * uses; a few things JavaScript cannot say are approximated, which only affects the "covers a whole
 * source" estimate, never whether a pattern is accepted: a conditional `(?(1)a|b)` matches either
 * branch, a case-insensitive range adds the other case of its ASCII letters only, and `\N{NAME}`
 * (which would need Unicode's name table) is refused with a sentence saying to type the character.
 */

const MAXREPEAT = 4294967295;
const DIGITS = '0123456789';
const OCT = '01234567';
const HEX = /^[0-9a-fA-F]+$/;
const ASCII_LETTERS = /^[A-Za-z]$/;
const IDENTIFIER = /^[\p{XID_Start}_]\p{XID_Continue}*$/u;

export class PyRegexError extends Error {
  constructor(
    readonly reason: string,
    readonly position: number | null,
  ) {
    super(position === null ? reason : `${reason} at position ${position}`);
  }
}

interface Flags {
  i: boolean;
  m: boolean;
  s: boolean;
  x: boolean;
  a: boolean;
}

type ClassItem = { k: 'cp'; cp: number } | { k: 'range'; lo: number; hi: number } | { k: 'cat'; c: string };

type Node =
  | { k: 'lit'; cp: number; i: boolean }
  | { k: 'any'; s: boolean }
  | { k: 'class'; neg: boolean; items: ClassItem[]; i: boolean; a: boolean }
  | { k: 'cat'; c: string; a: boolean }
  | { k: 'at'; at: 'bol' | 'eol' | 'A' | 'Z' | 'b' | 'B'; m: boolean; a: boolean }
  | { k: 'group'; n: number | null; body: Node[][] }
  | { k: 'look'; behind: boolean; neg: boolean; body: Node[][] }
  | { k: 'atomic'; body: Node[][] }
  | { k: 'rep'; min: number; max: number; mode: 'greedy' | 'lazy' | 'possessive'; item: Node }
  | { k: 'ref'; n: number; i: boolean }
  | { k: 'cond'; n: number; yes: Node[]; no: Node[] | null };

const ESCAPES: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92 };
const CATEGORIES = new Set(['d', 'D', 's', 'S', 'w', 'W']);
const AT_ESCAPES: Record<string, 'A' | 'Z' | 'b' | 'B'> = { A: 'A', Z: 'Z', b: 'b', B: 'B' };

class Parser {
  pos = 0;
  groups = 1; // like sre's state.groups: the next group's number
  readonly open = new Set<number>();
  readonly names = new Map<string, number>();
  readonly widths = new Map<number, [number, number]>();
  flags: Flags = { i: false, m: false, s: false, x: false, a: false };
  /** Inside a look-behind: the first group number opened in it (sre's state.lookbehindgroups). */
  lookbehindGroups: number | null = null;
  /** Groups a conditional named before they existed, checked at the end as sre does (number → position). */
  readonly forwardRefs = new Map<number, number>();
  /** Global flags seen: `(?a)` and `(?u)` together are refused at the end. */
  readonly globalFlags = new Set<string>();

  constructor(readonly src: string) {}

  private get next(): string | undefined {
    return this.src[this.pos];
  }

  private error(reason: string, at: number | null = this.pos): never {
    throw new PyRegexError(reason, at);
  }

  /** One character, a surrogate pair counting as one (Python strings are code points). */
  private get(): string {
    const cp = this.src.codePointAt(this.pos)!;
    const ch = String.fromCodePoint(cp);
    this.pos += ch.length;
    return ch;
  }

  private match(s: string): boolean {
    if (this.src.startsWith(s, this.pos)) {
      this.pos += s.length;
      return true;
    }
    return false;
  }

  private skipVerbose(flags: Flags): void {
    if (!flags.x) return;
    for (;;) {
      const c = this.next;
      if (c === undefined) return;
      if (' \t\n\r\v\f'.includes(c)) this.pos++;
      else if (c === '#') {
        while (this.next !== undefined && this.next !== '\n') this.pos++;
      } else return;
    }
  }

  parse(): Node[][] {
    const body = this.alternation(this.flags, 0);
    if (this.pos < this.src.length) this.error('unbalanced parenthesis');
    for (const [group, at] of this.forwardRefs) if (group >= this.groups) this.error(`invalid group reference ${group}`, at);
    if (this.globalFlags.has('a') && this.globalFlags.has('u')) this.error('ASCII and UNICODE flags are incompatible', null);
    return body;
  }

  /** sre's checklookbehindgroup: a reference inside a look-behind to a group not closed before it. */
  private checkLookbehind(group: number): void {
    if (this.lookbehindGroups === null) return;
    if (group >= this.groups || this.open.has(group)) this.error('cannot refer to an open group');
    if (group >= this.lookbehindGroups) this.error('cannot refer to group defined in the same lookbehind subpattern');
  }

  alternation(flags: Flags, nested: number): Node[][] {
    const branches: Node[][] = [];
    for (;;) {
      branches.push(this.sequence(flags, nested, nested === 0 && branches.length === 0));
      if (!this.match('|')) break;
    }
    return branches;
  }

  sequence(flags: Flags, nested: number, first: boolean): Node[] {
    const items: Node[] = [];
    for (;;) {
      this.skipVerbose(flags);
      const c = this.next;
      if (c === undefined || c === '|' || c === ')') return items;
      const start = this.pos;
      if (c === '*' || c === '+' || c === '?' || c === '{') {
        this.repeat(items, flags, start);
        continue;
      }
      const ch = this.get();
      if (c === '\\') items.push(this.escape(flags, start));
      else if (c === '[') items.push(this.charClass(flags, start));
      else if (c === '.') items.push({ k: 'any', s: flags.s });
      else if (c === '^') items.push({ k: 'at', at: 'bol', m: flags.m, a: flags.a });
      else if (c === '$') items.push({ k: 'at', at: 'eol', m: flags.m, a: flags.a });
      else if (c === '(') {
        const node = this.group(flags, nested, first && items.length === 0, start);
        if (node === 'global') {
          // `(?x)` turns verbose on for what follows (Python re-reads the whole pattern; it started with the flags).
          continue;
        }
        if (node !== null) items.push(node);
      } else items.push({ k: 'lit', cp: ch.codePointAt(0)!, i: flags.i });
    }
  }

  private repeat(items: Node[], flags: Flags, here: number): void {
    const c = this.get();
    let min = 0;
    let max = MAXREPEAT;
    if (c === '?') max = 1;
    else if (c === '+') min = 1;
    else if (c === '{') {
      if (this.next === '}') {
        items.push({ k: 'lit', cp: 123, i: flags.i });
        return;
      }
      let lo = '';
      let hi = '';
      while (this.next !== undefined && DIGITS.includes(this.next)) lo += this.get();
      if (this.match(',')) {
        while (this.next !== undefined && DIGITS.includes(this.next)) hi += this.get();
      } else hi = lo;
      if (!this.match('}')) {
        items.push({ k: 'lit', cp: 123, i: flags.i });
        this.pos = here + 1;
        return;
      }
      if (lo) {
        min = Number(lo);
        if (min >= MAXREPEAT) this.error('the repetition number is too large', null);
      }
      if (hi) {
        max = Number(hi);
        if (max >= MAXREPEAT) this.error('the repetition number is too large', null);
        if (max < min) this.error('min repeat greater than max repeat', here + 1);
      }
    }
    const item = items[items.length - 1];
    if (!item || item.k === 'at') this.error('nothing to repeat', here);
    if (item.k === 'rep') this.error('multiple repeat', here);
    const mode = this.match('?') ? 'lazy' : this.match('+') ? 'possessive' : 'greedy';
    items[items.length - 1] = { k: 'rep', min, max, mode, item };
  }

  private hexEscape(start: number, escape: string, digits: number): number {
    let hex = '';
    while (hex.length < digits && this.next !== undefined && HEX.test(this.next)) hex += this.get();
    if (hex.length !== digits) this.error(`incomplete escape ${escape}${hex}`, start);
    const cp = parseInt(hex, 16);
    if (cp > 0x10ffff) this.error(`bad escape ${escape}${hex}`, start);
    return cp;
  }

  private namedEscape(start: number): never {
    if (!this.match('{')) this.error('missing {', this.pos);
    const close = this.src.indexOf('}', this.pos);
    if (close === this.pos || this.pos >= this.src.length) this.error('missing character name', this.pos);
    if (close < 0) this.error('missing }, unterminated name', this.pos);
    this.error(`Dandelion cannot look up \\N{${this.src.slice(this.pos, close)}}; type the character itself`, start);
  }

  /** An escape outside a character class; the backslash is read. */
  private escape(flags: Flags, start: number): Node {
    if (this.next === undefined) this.error('bad escape (end of pattern)', start);
    const c = this.get();
    if (c in AT_ESCAPES) return { k: 'at', at: AT_ESCAPES[c]!, m: flags.m, a: flags.a };
    if (CATEGORIES.has(c)) return { k: 'cat', c, a: flags.a };
    if (c !== 'b' && c in ESCAPES) return { k: 'lit', cp: ESCAPES[c]!, i: flags.i };
    const lit = (cp: number): Node => ({ k: 'lit', cp, i: flags.i });
    if (c === 'x') return lit(this.hexEscape(start, '\\x', 2));
    if (c === 'u') return lit(this.hexEscape(start, '\\u', 4));
    if (c === 'U') return lit(this.hexEscape(start, '\\U', 8));
    if (c === 'N') this.namedEscape(start);
    if (c === '0') {
      let oct = '0';
      while (oct.length < 3 && this.next !== undefined && OCT.includes(this.next)) oct += this.get();
      return lit(parseInt(oct, 8));
    }
    if (DIGITS.includes(c)) {
      let escape = c;
      if (this.next !== undefined && DIGITS.includes(this.next)) {
        escape += this.get();
        if (OCT.includes(c) && OCT.includes(escape[1]!) && this.next !== undefined && OCT.includes(this.next)) {
          escape += this.get();
          const cp = parseInt(escape, 8);
          if (cp > 0o377) this.error(`octal escape value \\${escape} outside of range 0-0o377`, start);
          return lit(cp);
        }
      }
      const group = Number(escape);
      if (group < this.groups) {
        if (this.open.has(group)) this.error('cannot refer to an open group', start);
        this.checkLookbehind(group);
        return { k: 'ref', n: group, i: flags.i };
      }
      this.error(`invalid group reference ${group}`, start + 1);
    }
    if (ASCII_LETTERS.test(c)) this.error(`bad escape \\${c}`, start);
    return lit(c.codePointAt(0)!);
  }

  /** One member of a character class after a backslash: a code point or a category. */
  private classEscape(start: number): ClassItem {
    if (this.next === undefined) this.error('bad escape (end of pattern)', start);
    const c = this.get();
    if (c in ESCAPES) return { k: 'cp', cp: ESCAPES[c]! };
    if (CATEGORIES.has(c)) return { k: 'cat', c };
    if (c === 'x') return { k: 'cp', cp: this.hexEscape(start, '\\x', 2) };
    if (c === 'u') return { k: 'cp', cp: this.hexEscape(start, '\\u', 4) };
    if (c === 'U') return { k: 'cp', cp: this.hexEscape(start, '\\U', 8) };
    if (c === 'N') this.namedEscape(start);
    if (OCT.includes(c)) {
      let oct = c;
      while (oct.length < 3 && this.next !== undefined && OCT.includes(this.next)) oct += this.get();
      const cp = parseInt(oct, 8);
      if (cp > 0o377) this.error(`octal escape value \\${oct} outside of range 0-0o377`, start);
      return { k: 'cp', cp };
    }
    if (DIGITS.includes(c) || ASCII_LETTERS.test(c)) this.error(`bad escape \\${c}`, start);
    return { k: 'cp', cp: c.codePointAt(0)! };
  }

  private charClass(flags: Flags, start: number): Node {
    const items: ClassItem[] = [];
    const neg = this.match('^');
    for (;;) {
      if (this.next === undefined) this.error('unterminated character set', start);
      const here = this.pos;
      const c = this.get();
      if (c === ']' && this.pos - 1 !== (neg ? start + 2 : start + 1)) break;
      const code1: ClassItem = c === '\\' ? this.classEscape(here) : { k: 'cp', cp: c.codePointAt(0)! };
      if (this.match('-')) {
        if (this.next === undefined) this.error('unterminated character set', start);
        if (this.next === ']') {
          items.push(code1, { k: 'cp', cp: 45 });
          continue;
        }
        const there = this.pos;
        const d = this.get();
        const code2: ClassItem = d === '\\' ? this.classEscape(there) : { k: 'cp', cp: d.codePointAt(0)! };
        if (code1.k !== 'cp' || code2.k !== 'cp' || code2.cp < code1.cp)
          this.error(`bad character range ${this.src.slice(here, this.pos)}`, here);
        items.push({ k: 'range', lo: code1.cp, hi: code2.cp });
      } else items.push(code1);
    }
    return { k: 'class', neg, items, i: flags.i, a: flags.a };
  }

  private groupName(end: string): string {
    const from = this.pos;
    const close = this.src.indexOf(end, from);
    if (close < 0) {
      if (from >= this.src.length) this.error('missing group name');
      this.error(`missing ${end}, unterminated name`);
    }
    const name = this.src.slice(from, close);
    if (!name) this.error('missing group name');
    this.pos = close + 1;
    return name;
  }

  /** Inline flags after `(?`: `(?i)` (global, at the very start) or `(?i-s:…)`. */
  private inlineFlags(flags: Flags, first: boolean, nested: number, start: number): Node | 'global' {
    const on = new Set<string>();
    const off = new Set<string>();
    const FLAG_CHARS = 'aiLmsux';
    let c = this.next;
    if (c === undefined) this.error('missing -, : or )');
    while (c !== undefined && FLAG_CHARS.includes(c)) {
      this.pos++;
      if (c === 'L') this.error("bad inline flags: cannot use 'L' flag with a str pattern");
      on.add(c);
      if (on.has('a') && on.has('u')) this.error("bad inline flags: flags 'a', 'u' and 'L' are incompatible");
      c = this.next;
      if (c === undefined) this.error('missing -, : or )');
    }
    if (c === ')') {
      this.pos++;
      if (!first) this.error('global flags not at the start of the expression', start);
      for (const f of on) this.globalFlags.add(f);
      for (const f of on) if (f in flags) (this.flags as unknown as Record<string, boolean>)[f] = true;
      if (on.has('u')) this.flags.a = false;
      return 'global';
    }
    if (c === '-') {
      this.pos++;
      c = this.next;
      if (c === undefined) this.error('missing flag');
      if (!FLAG_CHARS.includes(c)) this.error(ASCII_LETTERS.test(c) ? 'unknown flag' : 'missing flag');
      while (c !== undefined && FLAG_CHARS.includes(c)) {
        this.pos++;
        if (c === 'a' || c === 'u' || c === 'L') this.error("bad inline flags: cannot turn off flags 'a', 'u' and 'L'");
        off.add(c);
        c = this.next;
      }
    }
    if (c !== ':') {
      if (c === undefined) this.error('missing :');
      this.error(ASCII_LETTERS.test(c) ? 'unknown flag' : 'missing :');
    }
    for (const f of on) if (off.has(f)) this.error('bad inline flags: flag turned on and off');
    this.pos++;
    const scoped: Flags = { ...flags };
    for (const f of on) if (f in scoped) (scoped as unknown as Record<string, boolean>)[f] = true;
    for (const f of off) if (f in scoped) (scoped as unknown as Record<string, boolean>)[f] = false;
    if (on.has('u')) scoped.a = false;
    const body = this.alternation(scoped, nested + 1);
    if (!this.match(')')) this.error('missing ), unterminated subpattern', start);
    return { k: 'group', n: null, body };
  }

  /** After `(`. Returns null for a comment, 'global' for global flags. */
  private group(flags: Flags, nested: number, first: boolean, start: number): Node | null | 'global' {
    let n: number | null = null;
    if (this.match('?')) {
      const c = this.next;
      if (c === undefined) this.error('unexpected end of pattern');
      this.pos++;
      if (c === 'P') {
        if (this.match('<')) {
          const name = this.groupName('>');
          if (!IDENTIFIER.test(name)) this.error(`bad character in group name '${name}'`, this.pos - name.length - 1);
          const was = this.names.get(name);
          if (was !== undefined)
            this.error(`redefinition of group name '${name}' as group ${this.groups}; was group ${was}`, this.pos - name.length - 1);
          n = this.groups;
          this.names.set(name, n);
        } else if (this.match('=')) {
          const name = this.groupName(')');
          if (!IDENTIFIER.test(name)) this.error(`bad character in group name '${name}'`, this.pos - name.length - 1);
          const ref = this.names.get(name);
          if (ref === undefined) this.error(`unknown group name '${name}'`, this.pos - name.length - 1);
          if (this.open.has(ref)) this.error('cannot refer to an open group', this.pos - name.length - 1);
          this.checkLookbehind(ref);
          return { k: 'ref', n: ref, i: flags.i };
        } else {
          if (this.next === undefined) this.error('unexpected end of pattern');
          this.error(`unknown extension ?P${this.next}`, start + 1);
        }
      } else if (c === ':') {
        // non-capturing
      } else if (c === '#') {
        for (;;) {
          if (this.next === undefined) this.error('missing ), unterminated comment', start);
          if (this.get() === ')') return null;
        }
      } else if (c === '=' || c === '!' || c === '<') {
        let behind = false;
        let kind = c;
        if (c === '<') {
          if (this.next === undefined) this.error('unexpected end of pattern');
          kind = this.get();
          if (kind !== '=' && kind !== '!') this.error(`unknown extension ?<${kind}`, start + 1);
          behind = true;
        }
        const outer = this.lookbehindGroups;
        if (behind && outer === null) this.lookbehindGroups = this.groups;
        const body = this.alternation(flags, nested + 1);
        this.lookbehindGroups = outer;
        if (behind) {
          const [lo, hi] = widthOf(body, this.widths);
          if (lo !== hi) this.error('look-behind requires fixed-width pattern', null);
        }
        if (!this.match(')')) this.error('missing ), unterminated subpattern', start);
        return { k: 'look', behind, neg: kind === '!', body };
      } else if (c === '(') {
        const name = this.groupName(')');
        let ref: number;
        if (/^\d+$/.test(name)) {
          ref = Number(name);
          if (ref === 0) this.error('bad group number', this.pos - name.length - 1);
          if (ref >= MAXREPEAT) this.error(`invalid group reference ${ref}`, this.pos - name.length - 1);
          if (!this.forwardRefs.has(ref)) this.forwardRefs.set(ref, this.pos - name.length - 1);
        } else {
          if (!IDENTIFIER.test(name)) this.error(`bad character in group name '${name}'`, this.pos - name.length - 1);
          const found = this.names.get(name);
          if (found === undefined) this.error(`unknown group name '${name}'`, this.pos - name.length - 1);
          ref = found;
        }
        this.checkLookbehind(ref);
        const yes = this.sequence(flags, nested + 1, false);
        let no: Node[] | null = null;
        if (this.match('|')) {
          no = this.sequence(flags, nested + 1, false);
          if (this.next === '|') this.error('conditional backref with more than two branches');
        }
        if (!this.match(')')) this.error('missing ), unterminated subpattern', start);
        return { k: 'cond', n: ref, yes, no };
      } else if (c === '>') {
        const body = this.alternation(flags, nested + 1);
        if (!this.match(')')) this.error('missing ), unterminated subpattern', start);
        return { k: 'atomic', body };
      } else if ('aiLmsux-'.includes(c)) {
        this.pos--;
        return this.inlineFlags(flags, first, nested, start);
      } else this.error(`unknown extension ?${c}`, start + 1);
    } else {
      n = this.groups;
    }
    if (n !== null) {
      this.groups++;
      this.open.add(n);
    }
    const body = this.alternation(flags, nested + 1);
    if (!this.match(')')) this.error('missing ), unterminated subpattern', start);
    if (n !== null) {
      this.open.delete(n);
      this.widths.set(n, widthOf(body, this.widths));
    }
    return { k: 'group', n, body };
  }
}

/** Python's getwidth: the shortest and longest text a pattern matches (capped like sre). */
function widthOf(body: Node[][], groups: Map<number, [number, number]>): [number, number] {
  let lo = Infinity;
  let hi = 0;
  for (const branch of body) {
    let l = 0;
    let h = 0;
    for (const node of branch) {
      const [a, b] = nodeWidth(node, groups);
      l += a;
      h += b;
    }
    lo = Math.min(lo, l);
    hi = Math.max(hi, h);
  }
  return [lo === Infinity ? 0 : Math.min(lo, MAXREPEAT), Math.min(hi, MAXREPEAT)];
}

function nodeWidth(node: Node, groups: Map<number, [number, number]>): [number, number] {
  switch (node.k) {
    case 'lit':
    case 'any':
    case 'class':
    case 'cat':
      return [1, 1];
    case 'at':
    case 'look':
      return [0, 0];
    case 'group':
    case 'atomic':
      return widthOf(node.body, groups);
    case 'rep': {
      const [a, b] = nodeWidth(node.item, groups);
      return [a * node.min, b * node.max];
    }
    case 'ref':
      return groups.get(node.n) ?? [0, 0];
    case 'cond':
      return widthOf(node.no ? [node.yes, node.no] : [node.yes, []], groups);
  }
}

// ---- translation ---------------------------------------------------------------------------------

function cpText(cp: number): string {
  const ch = String.fromCodePoint(cp);
  return /^[A-Za-z0-9_]$/.test(ch) ? ch : `\\u{${cp.toString(16)}}`;
}

function otherCase(cp: number): number[] {
  const ch = String.fromCodePoint(cp);
  const out = new Set<number>();
  for (const v of [ch.toLowerCase(), ch.toUpperCase()]) if ([...v].length === 1 && v !== ch) out.add(v.codePointAt(0)!);
  return [...out];
}

function category(c: string, ascii: boolean): string {
  const neg = c === c.toUpperCase();
  const base: Record<string, string> = ascii
    ? { d: '0-9', s: ' \\t\\n\\r\\f\\v', w: 'A-Za-z0-9_' }
    : { d: '\\p{Nd}', s: '\\s\\x1c-\\x1f\\x85', w: '\\p{L}\\p{N}_' };
  return `[${neg ? '^' : ''}${base[c.toLowerCase()]!}]`;
}

function assertion(at: 'bol' | 'eol' | 'A' | 'Z' | 'b' | 'B', multiline: boolean, ascii: boolean): string {
  if (at === 'bol') return multiline ? '(?:^|(?<=\\n))' : '^';
  if (at === 'eol') return multiline ? '(?=\\n|$)' : '(?=\\n?$)';
  if (at === 'A') return '^';
  if (at === 'Z') return '$';
  const w = category('w', ascii);
  const edge = `(?:(?<=${w})(?!${w})|(?<!${w})(?=${w}))`;
  // Python's \B does not match in an empty string.
  return at === 'b' ? edge : `(?:(?<=[\\s\\S])|(?=[\\s\\S]))(?!${edge})`;
}

class Emitter {
  js = 0; // capturing groups emitted so far
  readonly map = new Map<number, number>();

  alt(body: Node[][]): string {
    return body.map((b) => b.map((n) => this.node(n)).join('')).join('|');
  }

  node(n: Node): string {
    switch (n.k) {
      case 'lit': {
        const others = n.i ? otherCase(n.cp) : [];
        return others.length ? `[${cpText(n.cp)}${others.map(cpText).join('')}]` : cpText(n.cp);
      }
      case 'any':
        return n.s ? '[\\s\\S]' : '[^\\n]';
      case 'cat':
        return category(n.c, n.a);
      case 'class': {
        const simple: string[] = [];
        const cats: string[] = [];
        for (const item of n.items) {
          if (item.k === 'cat') cats.push(category(item.c, n.a));
          else if (item.k === 'cp') {
            simple.push(cpText(item.cp));
            if (n.i) simple.push(...otherCase(item.cp).map(cpText));
          } else {
            simple.push(`${cpText(item.lo)}-${cpText(item.hi)}`);
            if (n.i) {
              for (const [from, to] of [
                [97, 65],
                [65, 97],
              ] as const) {
                const lo = Math.max(item.lo, from);
                const hi = Math.min(item.hi, from + 25);
                if (lo <= hi) simple.push(`${cpText(lo - from + to)}-${cpText(hi - from + to)}`);
              }
            }
          }
        }
        const parts = [...(simple.length ? [`[${simple.join('')}]`] : []), ...cats];
        const any = parts.length ? `(?:${parts.join('|')})` : '(?!)';
        return n.neg ? `(?:(?!${any})[\\s\\S])` : any;
      }
      case 'at':
        return assertion(n.at, n.m, n.a);
      case 'group': {
        if (n.n === null) return `(?:${this.alt(n.body)})`;
        this.map.set(n.n, ++this.js);
        return `(${this.alt(n.body)})`;
      }
      case 'look':
        return `(?${n.behind ? '<' : ''}${n.neg ? '!' : '='}${this.alt(n.body)})`;
      case 'atomic': {
        // JavaScript has no atomic groups: a lookahead captures what the group would, a backreference consumes it.
        const inner = this.alt(n.body);
        const k = ++this.js;
        return `(?:(?=(${inner}))\\${k})`;
      }
      case 'rep': {
        const q =
          n.max === MAXREPEAT
            ? n.min === 0
              ? '*'
              : n.min === 1
                ? '+'
                : `{${n.min},}`
            : n.min === n.max
              ? `{${n.min}}`
              : `{${n.min},${n.max}}`;
        const item = `(?:${this.node(n.item)})`;
        if (n.mode === 'lazy') return `${item}${q}?`;
        if (n.mode === 'greedy') return `${item}${q}`;
        const k = ++this.js;
        return `(?:(?=(${item}${q}))\\${k})`;
      }
      case 'ref': {
        const k = this.map.get(n.n)!;
        return `\\${k}`;
      }
      case 'cond':
        // JavaScript cannot ask whether a group took part: either branch.
        return `(?:${n.yes.map((x) => this.node(x)).join('')}|${(n.no ?? []).map((x) => this.node(x)).join('')})`;
    }
  }
}

export type PyRegexResult = { ok: true; regex: RegExp } | { ok: false; error: string };

/** Compiles `source` as Python's `re.compile` would: the error it raises, or an equivalent RegExp. */
export function compilePythonRegex(source: string): PyRegexResult {
  let body: Node[][];
  try {
    body = new Parser(source).parse();
  } catch (err) {
    if (err instanceof PyRegexError) return { ok: false, error: err.message };
    throw err;
  }
  const js = new Emitter().alt(body);
  try {
    return { ok: true, regex: new RegExp(js, 'u') };
  } catch {
    // Something Python accepts that this translation cannot express: accepted, matching nothing.
    return { ok: true, regex: /(?!)/u };
  }
}
