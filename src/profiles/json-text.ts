/**
 * config.json as text: where a syntax error is (line and column, not a character position), and a
 * lenient reading that forgives what people typing JSON by hand get wrong most (a comma before `}`
 * or `]`, comments). Pure; JSON.parse stays the parser for valid files, this one only explains and
 * recovers.
 */

export interface JsonSyntaxError {
  /** Character offset into the text (UTF-16 units, as JavaScript counts). */
  offset: number;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  reason: string;
}

export type JsonParse =
  | {
      ok: true;
      value: unknown;
      /** Where each value starts, by the path the schema names it (`profiles[0].schedule`; the root is `""`). */
      positions: ReadonlyMap<string, number>;
    }
  | {
      ok: false;
      error: JsonSyntaxError;
      /** What was read before the error: containers still open at the error are in `open`. */
      partial: unknown;
      open: ReadonlySet<object>;
    };

/** 1-based line and column of a character offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, offset));
  return { line: before.split('\n').length, column: before.length - before.lastIndexOf('\n') };
}

class Stop extends Error {
  constructor(
    readonly offset: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const ESCAPE = /^(?:["\\/bfnrt]|u[0-9a-fA-F]{4})/;

/** Characters a reader cannot see in the message, named instead of quoted. */
const INVISIBLE: Readonly<Record<string, string>> = {
  '\uFEFF': 'a byte order mark (U+FEFF)',
  '\u00A0': 'a no-break space (U+00A0)',
  '\u200B': 'a zero-width space (U+200B)',
  '\t': 'a tab',
};

function describe(c: string | undefined): string {
  if (c === undefined) return 'the end of the file';
  const named = INVISIBLE[c];
  if (named) return named;
  const code = c.codePointAt(0)!;
  if (code < 0x20 || (code >= 0x7f && code < 0xa0)) return `a control character (U+${code.toString(16).toUpperCase().padStart(4, '0')})`;
  return JSON.stringify(c);
}

/**
 * Parses JSON. With `lenient`, trailing commas and comments are accepted; anything else wrong is
 * an error in both modes, reported at its line and column with what was read up to it.
 */
export function parseJson(text: string, opts: { lenient?: boolean } = {}): JsonParse {
  const lenient = opts.lenient === true;
  const open = new Set<object>();
  const positions = new Map<string, number>();
  let pos = 0;
  let root: unknown = undefined;

  function space(): void {
    for (;;) {
      const c = text[pos];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') pos++;
      else if (c === '/' && (text[pos + 1] === '/' || text[pos + 1] === '*')) {
        if (!lenient) throw new Stop(pos, 'comments are not allowed in JSON');
        if (text[pos + 1] === '/') {
          const end = text.indexOf('\n', pos);
          pos = end < 0 ? text.length : end + 1;
        } else {
          const end = text.indexOf('*/', pos + 2);
          if (end < 0) throw new Stop(pos, 'a comment that is never closed with */');
          pos = end + 2;
        }
      } else return;
    }
  }

  function string(): string {
    const start = pos;
    pos++;
    for (;;) {
      const c = text[pos];
      if (c === undefined) throw new Stop(start, 'a text in quotes that is never closed');
      if (c === '"') break;
      if (c < ' ')
        throw new Stop(
          pos,
          c === '\n' ? 'a line break inside a text in quotes (write \\n)' : 'a control character inside a text in quotes',
        );
      if (c === '\\') {
        if (!ESCAPE.test(text.slice(pos + 1, pos + 6))) throw new Stop(pos, 'an unknown escape after \\ (use \\\\ for a backslash)');
        // The four hex digits of a \u escape are checked above; they are read on as plain characters.
        pos += 2;
      } else pos++;
    }
    pos++;
    return JSON.parse(text.slice(start, pos)) as string;
  }

  /** Parses one value and hands it to `put` as soon as it exists, so containers are in the partial tree while still open. */
  function value(put: (v: unknown) => void, path: string): void {
    space();
    positions.set(path, pos);
    const c = text[pos];
    if (c === '{') return object(put, path);
    if (c === '[') return array(put, path);
    if (c === '"') return put(string());
    for (const [word, v] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (text.startsWith(word, pos)) {
        pos += word.length;
        return put(v);
      }
    }
    NUMBER.lastIndex = pos;
    const m = NUMBER.exec(text);
    if (m) {
      pos += m[0].length;
      return put(Number(m[0]));
    }
    throw new Stop(pos, c === undefined ? 'the file ends where a value should be' : `${describe(c)} where a value should be`);
  }

  function object(put: (v: unknown) => void, path: string): void {
    const out: Record<string, unknown> = {};
    let comma = pos;
    put(out);
    open.add(out);
    pos++;
    space();
    if (text[pos] === '}') {
      pos++;
      open.delete(out);
      return;
    }
    for (;;) {
      space();
      if (text[pos] !== '"') {
        if (text[pos] === '}') throw new Stop(comma, 'a comma before } (JSON allows none after the last setting)');
        throw new Stop(pos, `${describe(text[pos])} where a setting name in double quotes should be`);
      }
      const key = string();
      space();
      if (text[pos] !== ':') throw new Stop(pos, `${describe(text[pos])} where a : after "${key}" should be`);
      pos++;
      value(
        // As JSON.parse does: "__proto__" is a key like any other, not the object's prototype.
        (v) => Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true }),
        path ? `${path}.${key}` : key,
      );
      space();
      if (text[pos] === ',') {
        comma = pos++;
        space();
        if (lenient && text[pos] === '}') {
          pos++;
          open.delete(out);
          return;
        }
        continue;
      }
      if (text[pos] === '}') {
        pos++;
        open.delete(out);
        return;
      }
      throw new Stop(pos, `${describe(text[pos])} where a , or } should be (a comma missing after "${key}"?)`);
    }
  }

  function array(put: (v: unknown) => void, path: string): void {
    const out: unknown[] = [];
    let comma = pos;
    put(out);
    open.add(out);
    pos++;
    space();
    if (text[pos] === ']') {
      pos++;
      open.delete(out);
      return;
    }
    for (;;) {
      space();
      if (text[pos] === ']') throw new Stop(comma, 'a comma before ] (JSON allows none after the last item)');
      value((v) => out.push(v), `${path}[${out.length}]`);
      space();
      if (text[pos] === ',') {
        comma = pos++;
        space();
        if (lenient && text[pos] === ']') {
          pos++;
          open.delete(out);
          return;
        }
        continue;
      }
      if (text[pos] === ']') {
        pos++;
        open.delete(out);
        return;
      }
      throw new Stop(pos, `${describe(text[pos])} where a , or ] should be`);
    }
  }

  try {
    value((v) => {
      root = v;
    }, '');
    space();
    if (pos < text.length) throw new Stop(pos, `${describe(text[pos])} after the end of the settings`);
    return { ok: true, value: root, positions };
  } catch (thrown) {
    // Only a stack overflow escapes as something else: thousands of brackets deep.
    const err = thrown instanceof Stop ? thrown : new Stop(pos, 'the settings are nested too deeply to read');
    return { ok: false, error: { offset: err.offset, ...lineColumn(text, err.offset), reason: err.reason }, partial: root, open };
  }
}

/**
 * The line and column of the setting a path names (`profiles[0].schedule`), or of the nearest
 * setting that holds it when it is not in the text (a missing field is reported on its profile).
 */
export function locate(positions: ReadonlyMap<string, number>, text: string, path: string): { line: number; column: number } | null {
  let p = path;
  for (;;) {
    const at = positions.get(p);
    if (at !== undefined) return lineColumn(text, at);
    const up = p.replace(/(\.[^.[]+|\[\d+\])$/, '');
    if (up === p) return null;
    p = up;
  }
}
