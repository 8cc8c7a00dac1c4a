/**
 * One app setting changed in config.json's text, the rest of the text kept as the person wrote it
 * (their indentation, key order, line breaks): the first launch's answer to "Open Dandelion at
 * login?" should not reformat a file written by hand. Pure. When the text cannot be edited with
 * certainty (not JSON, `app` not an object, duplicate keys...), the answer is null and the caller
 * saves the whole file as any save does.
 */
import { isDeepStrictEqual } from 'node:util';
import { parseJson } from './json-text.js';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The white space after the `{` at `open`: what a new first member is preceded by, to match the others. */
function leading(text: string, open: number): string {
  return /^[ \t\r\n]*/.exec(text.slice(open + 1))![0];
}

/** Inserts `member` (`"key": value`) as the first member of the object whose `{` is at `open`. */
function insertFirst(text: string, open: number, member: string): string {
  const ws = leading(text, open);
  const after = open + 1 + ws.length;
  if (text[after] === '}') return `${text.slice(0, open + 1)} ${member} ${text.slice(after)}`;
  return `${text.slice(0, open + 1)}${ws}${member},${ws || ' '}${text.slice(after)}`;
}

/**
 * `text` with `app.<key>` set to `value`, changed in place (a value already there) or added as the
 * first member of `app` (or of the file, as `"app": { … }`). null when the edit could not be made
 * with certainty; the result is checked to mean exactly the old settings plus this one.
 */
export function withAppSetting(text: string, key: string, value: boolean): string | null {
  const bom = text.charCodeAt(0) === 0xfeff ? '\ufeff' : '';
  const body = text.slice(bom.length);
  const read = parseJson(body);
  if (!read.ok || !isObject(read.value)) return null;
  const before = read.value;
  if (before.app !== undefined && !isObject(before.app)) return null;
  const literal = JSON.stringify(value);
  const member = `${JSON.stringify(key)}: ${literal}`;
  let edited: string;
  const current = isObject(before.app) ? before.app[key] : undefined;
  // A key with a dot in it ("app.openAtLogin" at the top) has the same path: the check at the end catches it.
  const at = read.positions.get(`app.${key}`);
  const app = read.positions.get('app');
  if (at !== undefined && typeof current === 'boolean') {
    const old = JSON.stringify(current);
    if (body.slice(at, at + old.length) !== old) return null;
    edited = body.slice(0, at) + literal + body.slice(at + old.length);
  } else if (at !== undefined) {
    return null;
  } else if (app !== undefined && body[app] === '{') {
    edited = insertFirst(body, app, member);
  } else {
    const root = read.positions.get('')!;
    edited = insertFirst(body, root, `"app": { ${member} }`);
  }
  let after: unknown;
  try {
    after = JSON.parse(edited);
  } catch {
    return null;
  }
  const expected = { ...before, app: { ...((before.app as Json | undefined) ?? {}), [key]: value } };
  return isDeepStrictEqual(after, expected) ? bom + edited : null;
}
