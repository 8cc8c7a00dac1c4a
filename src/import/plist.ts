/**
 * A reader for XML property lists (launchd jobs), small enough to need no dependency: the elements
 * a plist holds (dict, array, key, string, integer, real, true, false, date, data), comments,
 * CDATA and character references. Every value keeps the line it starts on, for the report.
 */

export type PlistValue =
  | { type: 'dict'; entries: Map<string, PlistValue>; keyLines: Map<string, number>; line: number }
  | { type: 'array'; items: PlistValue[]; line: number }
  | { type: 'string' | 'date' | 'data'; value: string; line: number }
  | { type: 'integer' | 'real'; value: number; line: number }
  | { type: 'boolean'; value: boolean; line: number };

export class PlistError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

interface Tag {
  name: string;
  closing: boolean;
  selfClosing: boolean;
  line: number;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, ref: string) => {
    if (ref.startsWith('#x')) return String.fromCodePoint(parseInt(ref.slice(2), 16));
    if (ref.startsWith('#')) return String.fromCodePoint(parseInt(ref.slice(1), 10));
    return ENTITIES[ref] ?? whole;
  });
}

class XmlReader {
  pos = 0;
  constructor(readonly text: string) {}

  lineAt(pos: number): number {
    let line = 1;
    for (let i = 0; i < pos && i < this.text.length; i++) if (this.text[i] === '\n') line++;
    return line;
  }

  /** Skips prolog, doctype, comments and blanks; the next tag, or null at the end. */
  nextTag(): Tag | null {
    for (;;) {
      const lt = this.text.indexOf('<', this.pos);
      if (lt === -1) {
        this.pos = this.text.length;
        return null;
      }
      const between = this.text.slice(this.pos, lt);
      if (between.trim()) throw new PlistError(`unexpected text "${between.trim().slice(0, 30)}"`, this.lineAt(this.pos));
      if (this.text.startsWith('<!--', lt)) {
        const end = this.text.indexOf('-->', lt);
        if (end === -1) throw new PlistError('a comment is never closed', this.lineAt(lt));
        this.pos = end + 3;
        continue;
      }
      if (this.text.startsWith('<?', lt) || this.text.startsWith('<!', lt)) {
        const end = this.text.indexOf('>', lt);
        if (end === -1) throw new PlistError('a declaration is never closed', this.lineAt(lt));
        this.pos = end + 1;
        continue;
      }
      const end = this.text.indexOf('>', lt);
      if (end === -1) throw new PlistError('a tag is never closed', this.lineAt(lt));
      const inner = this.text.slice(lt + 1, end).trim();
      this.pos = end + 1;
      const closing = inner.startsWith('/');
      const selfClosing = inner.endsWith('/');
      const name = inner.replace(/^\//, '').replace(/\/$/, '').split(/\s+/)[0] ?? '';
      return { name, closing, selfClosing, line: this.lineAt(lt) };
    }
  }

  /** The text up to `</name>`, decoded (CDATA kept as is). */
  textUntil(name: string, line: number): string {
    let out = '';
    for (;;) {
      const cdata = this.text.indexOf('<![CDATA[', this.pos);
      const close = this.text.indexOf(`</${name}`, this.pos);
      if (close === -1) throw new PlistError(`<${name}> is never closed`, line);
      if (cdata !== -1 && cdata < close) {
        out += decode(this.text.slice(this.pos, cdata));
        const cend = this.text.indexOf(']]>', cdata);
        if (cend === -1) throw new PlistError('a CDATA section is never closed', this.lineAt(cdata));
        out += this.text.slice(cdata + 9, cend);
        this.pos = cend + 3;
        continue;
      }
      out += decode(this.text.slice(this.pos, close));
      this.pos = this.text.indexOf('>', close) + 1;
      return out;
    }
  }
}

function readValue(r: XmlReader, tag: Tag): PlistValue {
  const line = tag.line;
  switch (tag.name) {
    case 'true':
    case 'false':
      if (!tag.selfClosing) r.textUntil(tag.name, line);
      return { type: 'boolean', value: tag.name === 'true', line };
    case 'string':
    case 'date':
    case 'data':
      return { type: tag.name, value: tag.selfClosing ? '' : r.textUntil(tag.name, line), line };
    case 'integer':
    case 'real': {
      const text = tag.selfClosing ? '' : r.textUntil(tag.name, line).trim();
      const value = Number(text);
      if (!text || Number.isNaN(value)) throw new PlistError(`<${tag.name}> holds "${text}", not a number`, line);
      return { type: tag.name, value, line };
    }
    case 'array': {
      const items: PlistValue[] = [];
      if (tag.selfClosing) return { type: 'array', items, line };
      for (;;) {
        const next = r.nextTag();
        if (!next) throw new PlistError('<array> is never closed', line);
        if (next.closing && next.name === 'array') return { type: 'array', items, line };
        items.push(readValue(r, next));
      }
    }
    case 'dict': {
      const entries = new Map<string, PlistValue>();
      const keyLines = new Map<string, number>();
      if (tag.selfClosing) return { type: 'dict', entries, keyLines, line };
      for (;;) {
        const next = r.nextTag();
        if (!next) throw new PlistError('<dict> is never closed', line);
        if (next.closing && next.name === 'dict') return { type: 'dict', entries, keyLines, line };
        if (next.name !== 'key') throw new PlistError(`expected <key> in <dict>, found <${next.name}>`, next.line);
        const key = r.textUntil('key', next.line);
        const valueTag = r.nextTag();
        if (!valueTag || valueTag.closing) throw new PlistError(`the key "${key}" has no value`, next.line);
        entries.set(key, readValue(r, valueTag));
        keyLines.set(key, next.line);
      }
    }
    default:
      throw new PlistError(`<${tag.name}> is not a property list element`, line);
  }
}

/** The plist's top value (normally a dict). Throws PlistError with a line when the XML is not a plist. */
export function parsePlist(text: string): PlistValue {
  const r = new XmlReader(text);
  const first = r.nextTag();
  if (!first || first.name !== 'plist' || first.closing) throw new PlistError('this is not an XML property list (no <plist>)', 1);
  const top = r.nextTag();
  if (!top || top.closing) throw new PlistError('the property list is empty', first.line);
  return readValue(r, top);
}

/** Plain JavaScript of a plist value, for the parts a reader does not need lines of. */
export function plainValue(v: PlistValue): unknown {
  switch (v.type) {
    case 'dict':
      return Object.fromEntries([...v.entries].map(([k, x]) => [k, plainValue(x)]));
    case 'array':
      return v.items.map(plainValue);
    default:
      return v.value;
  }
}
