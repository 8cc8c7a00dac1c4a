import { describe, expect, it } from 'vitest';
import { lineColumn, locate, parseJson } from '../../src/profiles/json-text.js';

function errorOf(text: string, lenient = false) {
  const r = parseJson(text, { lenient });
  if (r.ok) throw new Error(`parsed: ${text}`);
  return r.error;
}

describe('lineColumn', () => {
  it('counts lines and columns from 1', () => {
    expect(lineColumn('abc', 0)).toEqual({ line: 1, column: 1 });
    expect(lineColumn('abc', 2)).toEqual({ line: 1, column: 3 });
    expect(lineColumn('ab\ncd\nef', 3)).toEqual({ line: 2, column: 1 });
    expect(lineColumn('ab\ncd\nef', 7)).toEqual({ line: 3, column: 2 });
    expect(lineColumn('ab\n', 3)).toEqual({ line: 2, column: 1 });
    expect(lineColumn('ab', -4)).toEqual({ line: 1, column: 1 });
  });
});

describe('parseJson', () => {
  it('reads what JSON.parse reads, the same way', () => {
    for (const text of [
      '{}',
      '[]',
      ' { "a" : [1, -2.5e3, 0, 1E+2, true, false, null, "x\\n\\u00e9\\"\\\\\\/"], "b": {"c": {}} } ',
      '"only"',
      '0',
      '[[], [{}], ""]',
      '\t\r\n{"a":1}\n',
      '[1.25, 1e10, -0.5E-12, "a b", "\\u005c"]',
    ]) {
      const r = parseJson(text);
      expect(r.ok, text).toBe(true);
      if (r.ok) expect(r.value).toEqual(JSON.parse(text));
    }
  });

  it('points at a trailing comma in an object, with its line and column', () => {
    const text = '{\n  "profiles": [],\n  "volumesRoot": "/Volumes",\n}\n';
    expect(errorOf(text)).toEqual({
      offset: 47,
      line: 3,
      column: 28,
      reason: 'a comma before } (JSON allows none after the last setting)',
    });
  });

  it('points at a trailing comma in an array', () => {
    expect(errorOf('[1,\n 2 ,\n]')).toEqual({
      offset: 7,
      line: 2,
      column: 4,
      reason: 'a comma before ] (JSON allows none after the last item)',
    });
  });

  it('names what is missing where', () => {
    expect(errorOf('{"a": 1 "b": 2}')).toMatchObject({ offset: 8, reason: '"\\"" where a , or } should be (a comma missing after "a"?)' });
    expect(errorOf('[1 2]')).toMatchObject({ offset: 3, reason: '"2" where a , or ] should be' });
    expect(errorOf('{"a" 1}')).toMatchObject({ offset: 5, reason: '"1" where a : after "a" should be' });
    expect(errorOf('{a: 1}')).toMatchObject({ offset: 1, reason: '"a" where a setting name in double quotes should be' });
    expect(errorOf('{"a": x}')).toMatchObject({ offset: 6, reason: '"x" where a value should be' });
    expect(errorOf('{"a": ')).toMatchObject({ offset: 6, line: 1, column: 7, reason: 'the file ends where a value should be' });
    expect(errorOf('{"a": 1')).toMatchObject({
      offset: 7,
      reason: 'the end of the file where a , or } should be (a comma missing after "a"?)',
    });
    expect(errorOf('[1')).toMatchObject({ offset: 2, reason: 'the end of the file where a , or ] should be' });
    expect(errorOf('{"a": 1} x')).toMatchObject({ offset: 9, reason: '"x" after the end of the settings' });
    expect(errorOf('')).toMatchObject({ offset: 0, reason: 'the file ends where a value should be' });
    expect(errorOf('{"a": 01}')).toMatchObject({ offset: 7, reason: '"1" where a , or } should be (a comma missing after "a"?)' });
    expect(errorOf('{"a":1,')).toMatchObject({ offset: 7, reason: 'the end of the file where a setting name in double quotes should be' });
    expect(errorOf('[tru]')).toMatchObject({ offset: 1, reason: '"t" where a value should be' });
    expect(errorOf('{"a": /}')).toMatchObject({ offset: 6, reason: '"/" where a value should be' });
    expect(errorOf('{"a": /}', true)).toMatchObject({ offset: 6, reason: '"/" where a value should be' });
  });

  it('names a character the reader cannot see instead of quoting it', () => {
    expect(errorOf('{"a": \uFEFF[]}')).toMatchObject({ offset: 6, reason: 'a byte order mark (U+FEFF) where a value should be' });
    expect(errorOf('{"a":\u00A01}')).toMatchObject({ reason: 'a no-break space (U+00A0) where a value should be' });
    expect(errorOf('{\u200B"a": 1}')).toMatchObject({
      reason: 'a zero-width space (U+200B) where a setting name in double quotes should be',
    });
    expect(errorOf('[1\u0000]')).toMatchObject({ reason: 'a control character (U+0000) where a , or ] should be' });
    expect(errorOf('[1\u0085]')).toMatchObject({ reason: 'a control character (U+0085) where a , or ] should be' });
    expect(errorOf('[1\u00A1]')).toMatchObject({ reason: '"¡" where a , or ] should be' });
  });

  it('explains strings that go wrong', () => {
    expect(errorOf('{"a": "x')).toMatchObject({ offset: 6, reason: 'a text in quotes that is never closed' });
    expect(errorOf('{"a": "x\ny"}')).toMatchObject({
      offset: 8,
      line: 1,
      column: 9,
      reason: 'a line break inside a text in quotes (write \\n)',
    });
    expect(errorOf('{"a": "x\ty"}')).toMatchObject({ offset: 8, reason: 'a control character inside a text in quotes' });
    expect(errorOf('["C:\\Users"]')).toMatchObject({ offset: 4, reason: 'an unknown escape after \\ (use \\\\ for a backslash)' });
    expect(errorOf('["\\u12"]')).toMatchObject({ offset: 2, reason: 'an unknown escape after \\ (use \\\\ for a backslash)' });
    const r = parseJson('["\\u0041\\t", "\\"q\\""]');
    expect(r).toMatchObject({ ok: true, value: ['A\t', '"q"'] });
  });

  it('refuses comments unless lenient; lenient reads comments and trailing commas', () => {
    expect(errorOf('{"a": 1 // one\n}')).toMatchObject({ offset: 8, reason: 'comments are not allowed in JSON' });
    expect(errorOf('/* x */ {}')).toMatchObject({ offset: 0, reason: 'comments are not allowed in JSON' });
    expect(parseJson('// settings\n{"a": [1, 2,], /* b */ "b": {"c": 3,},} // end', { lenient: true })).toMatchObject({
      ok: true,
      value: { a: [1, 2], b: { c: 3 } },
    });
    expect(parseJson('{"a": 1} // end', { lenient: true })).toMatchObject({ ok: true, value: { a: 1 } });
    expect(errorOf('{"a": 1 /* open', true)).toMatchObject({ offset: 8, reason: 'a comment that is never closed with */' });
    // "/*/" opens a comment; its own slash does not close it.
    expect(errorOf('{"a": 1 /*/ }', true)).toMatchObject({ offset: 8, reason: 'a comment that is never closed with */' });
    // Lenient is not anything-goes: a missing comma is still an error.
    expect(errorOf('{"a": 1 "b": 2}', true)).toMatchObject({ offset: 8 });
    expect(errorOf('[1,,2]', true)).toMatchObject({ offset: 3, reason: '"," where a value should be' });
    expect(errorOf('{,}', true)).toMatchObject({ offset: 1, reason: '"," where a setting name in double quotes should be' });
  });

  it('hands back what was read before the error, and which containers were still open', () => {
    const r = parseJson('{"v": 1, "profiles": [{"id": "a"}, {"id": "b", "x": [1, }]}');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const partial = r.partial as { v: number; profiles: { id: string }[] };
    expect(partial).toEqual({ v: 1, profiles: [{ id: 'a' }, { id: 'b', x: [1] }] });
    expect(r.open.has(partial)).toBe(true);
    expect(r.open.has(partial.profiles)).toBe(true);
    expect(r.open.has(partial.profiles[0]!)).toBe(false);
    expect(r.open.has(partial.profiles[1]!)).toBe(true);
    expect(r.open.size).toBe(4);
  });

  it('knows where each value starts, by its path, and locates a path or the nearest thing holding it', () => {
    const text = '{\n  "profiles": [\n    {"id": "a", "prune": {"keepDaily": 7}},\n    {"id": "b"}\n  ],\n  "v": [[1]]\n}';
    const r = parseJson(text);
    if (!r.ok) throw new Error('did not parse');
    expect([...r.positions.entries()]).toEqual([
      ['', 0],
      ['profiles', 16],
      ['profiles[0]', 22],
      ['profiles[0].id', 29],
      ['profiles[0].prune', 43],
      ['profiles[0].prune.keepDaily', 57],
      ['profiles[1]', 66],
      ['profiles[1].id', 73],
      ['v', 90],
      ['v[0]', 91],
      ['v[0][0]', 92],
    ]);
    expect(locate(r.positions, text, 'profiles[0].prune.keepDaily')).toEqual({ line: 3, column: 40 });
    expect(locate(r.positions, text, 'profiles[1].repository')).toEqual({ line: 4, column: 5 });
    expect(locate(r.positions, text, 'profiles[1].sources[3]')).toEqual({ line: 4, column: 5 });
    expect(locate(r.positions, text, 'profiles[12]')).toEqual({ line: 2, column: 15 });
    expect(locate(r.positions, text, 'v[0][5]')).toEqual({ line: 6, column: 9 });
    expect(locate(r.positions, text, '(top level)')).toBeNull();
    expect(locate(new Map(), text, 'profiles[0].id')).toBeNull();
  });

  it('reads "__proto__" as a key, as JSON.parse does', () => {
    const r = parseJson('{"__proto__": {"polluted": true}}');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(Object.getPrototypeOf(r.value)).toBe(Object.prototype);
    expect(Object.keys(r.value as object)).toEqual(['__proto__']);
    expect((r.value as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it('says a file nested too deeply to read is one, instead of throwing', () => {
    const text = '['.repeat(200_000);
    const r = parseJson(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.reason).toBe('the settings are nested too deeply to read');
    if (!r.ok) expect(r.error.offset).toBeGreaterThan(0);
  });

  it('closes containers that end, empty or not', () => {
    const r = parseJson('{"a": {}, "b": [], "c": {"d": 1}, "e": [2], "f": ');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.open.size).toBe(1);
    expect(r.partial).toEqual({ a: {}, b: [], c: { d: 1 }, e: [2] });
  });
});
