/**
 * A POSIX-shell reader for imported scripts: it splits a script into commands and words the way sh
 * would, and expands variables the script set earlier. It never runs anything: a command
 * substitution (`$(…)`, backticks, `$((…))`) is kept as text and marks the word that holds it, so
 * the caller can say the word cannot be imported.
 *
 * What it knows: single, double and `$'…'` quotes; backslash escapes and line continuations;
 * comments; `;`, `&`, `&&`, `||`, `|`, newlines, `(`, `)` between commands; redirections (with
 * here-documents skipped); `NAME=value` and `NAME=(a b)` assignments; `$X`, `${X}`, `${X:-default}`
 * (and `-`, `:=`, `=`, `:+`, `+`), `${X[@]}`; a leading `~`; field splitting of unquoted expansions.
 * Globs are left as written (borg patterns are passed on as text).
 */

/** One piece of a word, as written. */
export type Part =
  | { kind: 'text'; text: string; quoted: boolean }
  | { kind: 'tilde'; user: string }
  | { kind: 'var'; name: string; op: string | null; arg: Part[]; quoted: boolean; array: boolean }
  /** `$(…)`, backticks or `$((…))`: never run. */
  | { kind: 'subst'; text: string }
  /** An expansion this reader does not do (`${X%.*}`, `${#X}`, …). */
  | { kind: 'unsupported'; text: string };

export interface RawWord {
  parts: Part[];
  line: number;
  /** Offsets in the script text: [start, end). */
  start: number;
  end: number;
  /** `NAME=(a b c)`: the elements. */
  array?: RawWord[];
}

/** What separated a command from the next one. */
export type Separator = ';' | '&' | '&&' | '||' | '|' | '|&' | '\n' | '(' | ')' | ';;' | 'end';

export interface RawCommand {
  words: RawWord[];
  line: number;
  /** The last line the command reaches (line continuations). */
  endLine: number;
  /** The separator after it, and whether the one before was a pipe. */
  after: Separator;
  pipedFrom: boolean;
  /** `NAME()` / `function NAME`: a function definition begins here (its body follows as commands). */
  defines?: string;
}

export interface ParsedScript {
  commands: RawCommand[];
  /** What could not be read (an unclosed quote), with its line. */
  problems: { line: number; message: string }[];
}

const META = new Set([' ', '\t', '\n', ';', '&', '|', '<', '>', '(', ')']);
const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;

class Reader {
  pos = 0;
  line = 1;
  problems: { line: number; message: string }[] = [];
  private heredocs: { delimiter: string; stripTabs: boolean }[] = [];

  constructor(readonly text: string) {}

  peek(offset = 0): string {
    return this.text[this.pos + offset] ?? '';
  }

  next(): string {
    const c = this.text[this.pos++] ?? '';
    if (c === '\n') this.line++;
    return c;
  }

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  /** Blanks, line continuations and comments before the next token (not newlines). */
  skipBlanks(): void {
    for (;;) {
      const c = this.peek();
      if (c === ' ' || c === '\t' || c === '\r') this.next();
      else if (c === '\\' && this.peek(1) === '\n') {
        this.next();
        this.next();
      } else if (c === '#') {
        while (!this.atEnd() && this.peek() !== '\n') this.next();
      } else return;
    }
  }

  /** After a newline: the bodies of pending here-documents are not commands. */
  skipHeredocs(): void {
    for (const doc of this.heredocs) {
      while (!this.atEnd()) {
        const end = this.text.indexOf('\n', this.pos);
        const lineText = this.text.slice(this.pos, end === -1 ? undefined : end);
        const stop = (doc.stripTabs ? lineText.replace(/^\t+/, '') : lineText) === doc.delimiter;
        while (!this.atEnd() && this.peek() !== '\n') this.next();
        if (!this.atEnd()) this.next();
        if (stop) break;
      }
    }
    this.heredocs = [];
  }

  addHeredoc(target: RawWord, stripTabs: boolean): void {
    const delimiter = target.parts.map((p) => (p.kind === 'text' ? p.text : '')).join('');
    this.heredocs.push({ delimiter, stripTabs });
  }

  /** The text up to the matching close of `$(` (pos just after the `(`), quotes respected. */
  readBalanced(open: string, close: string): string {
    const from = this.pos;
    let depth = 1;
    while (!this.atEnd()) {
      const c = this.next();
      if (c === '\\') this.next();
      else if (c === "'") {
        while (!this.atEnd() && this.next() !== "'");
      } else if (c === '"') {
        while (!this.atEnd()) {
          const d = this.next();
          if (d === '\\') this.next();
          else if (d === '"') break;
        }
      } else if (c === open) depth++;
      else if (c === close && --depth === 0) return this.text.slice(from, this.pos - 1);
    }
    this.problems.push({ line: this.line, message: `"${open}" is never closed` });
    return this.text.slice(from);
  }

  readBackticks(): string {
    const from = this.pos;
    while (!this.atEnd()) {
      const c = this.next();
      if (c === '\\') this.next();
      else if (c === '`') return this.text.slice(from, this.pos - 1);
    }
    this.problems.push({ line: this.line, message: 'a backtick is never closed' });
    return this.text.slice(from);
  }

  /** After `$`: a parameter, a substitution, or a plain `$`. */
  readDollar(quoted: boolean): Part {
    const c = this.peek();
    if (c === '(') {
      this.next();
      if (this.peek() === '(') {
        this.next();
        const inner = this.readBalanced('(', ')');
        if (this.peek() === ')') this.next();
        return { kind: 'subst', text: `$((${inner}))` };
      }
      return { kind: 'subst', text: `$(${this.readBalanced('(', ')')})` };
    }
    if (c === '{') {
      this.next();
      return braceExpansion(this.readBalanced('{', '}'), quoted);
    }
    if (NAME_START.test(c)) {
      let name = '';
      while (NAME_CHAR.test(this.peek()) && !this.atEnd()) name += this.next();
      return { kind: 'var', name, op: null, arg: [], quoted, array: false };
    }
    if (/[0-9@*#?$!-]/.test(c) && c !== '') {
      this.next();
      return { kind: 'var', name: c, op: null, arg: [], quoted, array: c === '@' };
    }
    return { kind: 'text', text: '$', quoted };
  }

  /** One word; pos at its first character. */
  readWord(): RawWord {
    const start = this.pos;
    const line = this.line;
    const parts: Part[] = [];
    const text = (t: string, quoted: boolean): void => {
      const last = parts[parts.length - 1];
      if (last?.kind === 'text' && last.quoted === quoted) last.text += t;
      else parts.push({ kind: 'text', text: t, quoted });
    };
    if (this.peek() === '~') {
      this.next();
      let user = '';
      while (!this.atEnd() && !META.has(this.peek()) && this.peek() !== '/' && /[A-Za-z0-9._-]/.test(this.peek())) user += this.next();
      if (this.atEnd() || META.has(this.peek()) || this.peek() === '/') parts.push({ kind: 'tilde', user });
      else text(`~${user}`, false);
    }
    while (!this.atEnd()) {
      const c = this.peek();
      if (META.has(c)) break;
      if (c === '\\') {
        this.next();
        if (this.peek() === '\n') this.next();
        else if (!this.atEnd()) text(this.next(), true);
      } else if (c === "'") {
        this.next();
        const from = this.pos;
        while (!this.atEnd() && this.peek() !== "'") this.next();
        if (this.atEnd()) this.problems.push({ line, message: 'a single quote is never closed' });
        text(this.text.slice(from, this.pos), true);
        this.next();
      } else if (c === '"') {
        this.next();
        this.readDoubleQuoted(parts, text, line);
      } else if (c === '$' && this.peek(1) === "'") {
        this.next();
        this.next();
        text(this.readAnsiC(line), true);
      } else if (c === '$') {
        this.next();
        const part = this.readDollar(false);
        if (part.kind === 'text') text(part.text, false);
        else parts.push(part);
      } else if (c === '`') {
        this.next();
        parts.push({ kind: 'subst', text: `\`${this.readBackticks()}\`` });
      } else text(this.next(), false);
    }
    return { parts, line, start, end: this.pos };
  }

  private readDoubleQuoted(parts: Part[], text: (t: string, quoted: boolean) => void, line: number): void {
    for (;;) {
      if (this.atEnd()) {
        this.problems.push({ line, message: 'a double quote is never closed' });
        return;
      }
      const c = this.next();
      if (c === '"') {
        // `""` is an empty word, not no word.
        if (!parts.length) text('', true);
        return;
      }
      if (c === '\\') {
        const d = this.peek();
        if (d === '\n') this.next();
        else if ('$`"\\'.includes(d) && d !== '') text(this.next(), true);
        else text('\\', true);
      } else if (c === '$') {
        const part = this.readDollar(true);
        if (part.kind === 'text') text(part.text, true);
        else parts.push(part);
      } else if (c === '`') parts.push({ kind: 'subst', text: `\`${this.readBackticks()}\`` });
      else text(c, true);
    }
  }

  private readAnsiC(line: number): string {
    const escapes: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', a: '\x07', e: '\x1b', '0': '\0' };
    let out = '';
    for (;;) {
      if (this.atEnd()) {
        this.problems.push({ line, message: "a $'…' quote is never closed" });
        return out;
      }
      const c = this.next();
      if (c === "'") return out;
      if (c === '\\') {
        const d = this.next();
        out += escapes[d] ?? `\\${d}`;
      } else out += c;
    }
  }
}

/** `${…}` taken apart: `${X}`, `${X:-word}` and friends, `${X[@]}`; the rest is unsupported. */
function braceExpansion(inner: string, quoted: boolean): Part {
  const m = /^([A-Za-z_][A-Za-z0-9_]*|[0-9]+|[@*#?$!-])(\[[@*]\])?(?:(:?[-=+?])([\s\S]*))?$/.exec(inner);
  if (!m) return { kind: 'unsupported', text: `\${${inner}}` };
  const arg = m[3] !== undefined ? wordParts(m[4] ?? '') : [];
  return { kind: 'var', name: m[1]!, op: m[3] ?? null, arg, quoted, array: m[2] !== undefined || m[1] === '@' };
}

/** The parts of the text after `:-` inside `${…}` (quotes and expansions inside it count). */
function wordParts(text: string): Part[] {
  const r = new Reader(text);
  const parts: Part[] = [];
  while (!r.atEnd()) {
    if (META.has(r.peek())) {
      parts.push({ kind: 'text', text: r.next(), quoted: false });
      continue;
    }
    parts.push(...r.readWord().parts);
  }
  return parts;
}

const OPERATORS: readonly Separator[] = ['&&', '||', '|&', ';;', ';', '&', '|', '(', ')'];
const REDIRECTS = ['<<<', '<<-', '&>>', '<<', '>>', '<&', '>&', '&>', '>|', '<>', '<', '>'];

/** Splits a script into commands and words. Nothing is expanded yet: see expandWord. */
export function parseScript(text: string): ParsedScript {
  const r = new Reader(text);
  const commands: RawCommand[] = [];
  let words: RawWord[] = [];
  let line = 1;
  let pipedFrom = false;
  let pipeNext = false;
  const finish = (after: Separator, endLine: number): void => {
    if (words.length) {
      const cmd: RawCommand = { words, line, endLine, after, pipedFrom };
      commands.push(cmd);
      pipeNext = after === '|' || after === '|&';
    } else if (after !== '|' && after !== '|&') pipeNext = false;
    pipedFrom = pipeNext;
    words = [];
  };
  for (;;) {
    r.skipBlanks();
    if (r.atEnd()) {
      finish('end', r.line);
      break;
    }
    const c = r.peek();
    if (c === '\n') {
      const endLine = r.line;
      r.next();
      finish('\n', endLine);
      r.skipHeredocs();
      continue;
    }
    const redirect = REDIRECTS.find((op) => r.text.startsWith(op, r.pos));
    if (redirect) {
      for (let i = 0; i < redirect.length; i++) r.next();
      r.skipBlanks();
      if (!r.atEnd() && !META.has(r.peek())) {
        const target = r.readWord();
        if (redirect === '<<' || redirect === '<<-') r.addHeredoc(target, redirect === '<<-');
      }
      continue;
    }
    const op = OPERATORS.find((o) => r.text.startsWith(o, r.pos));
    if (op) {
      const endLine = r.line;
      for (let i = 0; i < op.length; i++) r.next();
      // `name ()` starts a function: the words so far are its name.
      if (op === '(' && words.length === 1 && /^\s*\)/.test(r.text.slice(r.pos))) {
        while (r.peek() !== ')') r.next();
        r.next();
        commands.push({ words: [], line, endLine, after: ';', pipedFrom: false, defines: plainText(words[0]!) ?? '' });
        words = [];
        continue;
      }
      finish(op, endLine);
      continue;
    }
    if (!words.length) line = r.line;
    const word = r.readWord();
    // `2>/dev/null`: the digits are the redirection's file descriptor, not a word.
    if ((r.peek() === '>' || r.peek() === '<') && /^\d+$/.test(plainText(word) ?? '')) continue;
    // `NAME=(a b c)`: an array assignment.
    const lead = word.parts.length === 1 && word.parts[0]!.kind === 'text' && !word.parts[0]!.quoted ? word.parts[0]!.text : null;
    if (lead !== null && /^[A-Za-z_][A-Za-z0-9_]*\+?=$/.test(lead) && r.peek() === '(') {
      r.next();
      word.array = readArray(r);
      word.end = r.pos;
    }
    if (!words.length && plainText(word) === 'function') {
      r.skipBlanks();
      const name = r.readWord();
      r.skipBlanks();
      if (r.text.startsWith('()', r.pos)) {
        r.next();
        r.next();
      }
      commands.push({ words: [], line, endLine: r.line, after: ';', pipedFrom: false, defines: plainText(name) ?? '' });
      continue;
    }
    words.push(word);
  }
  return { commands, problems: r.problems };
}

function readArray(r: Reader): RawWord[] {
  const items: RawWord[] = [];
  for (;;) {
    r.skipBlanks();
    if (r.atEnd()) {
      r.problems.push({ line: r.line, message: 'an array "(" is never closed' });
      return items;
    }
    const c = r.peek();
    if (c === ')') {
      r.next();
      return items;
    }
    if (c === '\n') r.next();
    else if (META.has(c)) r.next();
    else items.push(r.readWord());
  }
}

/** The word's text when it has no expansion at all (keywords, function names), else null. */
export function plainText(word: RawWord): string | null {
  let out = '';
  for (const p of word.parts) {
    if (p.kind !== 'text') return null;
    out += p.text;
  }
  return out;
}

/** The value of a variable: its text (or elements), and what made it unknowable. */
export interface Value {
  text: string;
  items?: string[];
  /** The first command substitution it holds, as written. */
  subst: string | null;
  /** Variables it used that the script never set. */
  unset: string[];
  /** An expansion this reader does not do, as written. */
  unsupported: string | null;
}

export interface Scope {
  get(name: string): Value | undefined;
  home: string;
}

/** A word after expansion: zero or more fields, and what in it cannot be known without running it. */
export interface Expanded {
  fields: string[];
  subst: string | null;
  unset: string[];
  unsupported: string | null;
}

/** Whether a word is `NAME=value`: the name, the part of the value after `=`, or null. */
export function assignmentOf(word: RawWord): { name: string; append: boolean; value: RawWord } | null {
  const first = word.parts[0];
  if (first?.kind !== 'text' || first.quoted) return null;
  const m = /^([A-Za-z_][A-Za-z0-9_]*)(\+?)=/.exec(first.text);
  if (!m) return null;
  const rest = first.text.slice(m[0].length);
  const parts: Part[] = [...(rest ? [{ ...first, text: rest }] : []), ...word.parts.slice(1)];
  // `X=~/foo`: the shell expands a tilde right after the `=` of an assignment.
  if (rest.startsWith('~') && (rest.length === 1 || rest[1] === '/')) {
    parts.splice(0, 1, { kind: 'tilde', user: '' }, ...(rest.length > 1 ? [{ ...first, text: rest.slice(1) }] : []));
  }
  return { name: m[1]!, append: m[2] === '+', value: { ...word, parts } };
}

/**
 * Expands a word against the variables known so far. `split` (the default, as for command
 * arguments) splits unquoted expansions at blanks; assignments do not split.
 */
export function expandWord(word: RawWord, scope: Scope, split = true): Expanded {
  const out: Expanded = { fields: [], subst: null, unset: [], unsupported: null };
  let current = '';
  let started = false;
  const push = (): void => {
    if (started) out.fields.push(current);
    current = '';
    started = false;
  };
  const add = (t: string): void => {
    current += t;
    started = true;
  };
  const addSplit = (t: string): void => {
    const pieces = t.split(/[ \t\n]+/);
    pieces.forEach((piece, i) => {
      if (i > 0) push();
      if (piece) add(piece);
    });
  };
  const walk = (parts: Part[], inQuotes: boolean): void => {
    for (const p of parts) {
      if (p.kind === 'text') add(p.text);
      else if (p.kind === 'tilde') add(p.user ? `~${p.user}` : scope.home);
      else if (p.kind === 'subst') {
        out.subst ??= p.text;
        add(p.text);
      } else if (p.kind === 'unsupported') {
        out.unsupported ??= p.text;
        add(p.text);
      } else {
        const value = scope.get(p.name);
        const isSet = value !== undefined && (!p.op?.startsWith(':') || value.text !== '' || (value.items?.length ?? 0) > 0);
        const useArg = p.op !== null && (p.op.endsWith('+') ? isSet : !isSet);
        if (p.op?.endsWith('?') && !isSet) out.unset.push(p.name);
        if (useArg) walk(p.arg, inQuotes || p.quoted);
        else if (value === undefined) {
          if (p.op === null || !p.op.endsWith('+')) out.unset.push(p.name);
        } else if (!(p.op?.endsWith('+') ?? false)) {
          out.subst ??= value.subst;
          out.unset.push(...value.unset);
          out.unsupported ??= value.unsupported;
          if (p.array && value.items && (p.quoted || !split)) {
            value.items.forEach((item, i) => {
              if (i > 0) push();
              add(item);
            });
          } else if (p.array && value.items) value.items.forEach((item) => addSplit(` ${item} `));
          else if (p.quoted || inQuotes || !split) add(value.text);
          else addSplit(value.text);
        }
      }
    }
  };
  // A word made only of quotes (`""`) is one empty field; one made only of an empty expansion is none.
  const quotedEmpty = word.parts.some((p) => (p.kind === 'text' && p.quoted) || (p.kind === 'var' && p.quoted && !p.array));
  walk(word.parts, false);
  if (quotedEmpty) started = true;
  push();
  return out;
}
