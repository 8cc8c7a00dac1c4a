import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compilePythonRegex } from '../../src/profiles/pyregex.js';

/** Recorded from Python 3.11's `re` (and borg 1.2.4's patterns.py): test/fixtures/patterns/python-re.json. */
const recorded = JSON.parse(
  fs.readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/patterns/python-re.json'), 'utf8'),
) as {
  compile: [string, string | null][];
  search: { subjects: string[]; patterns: [string, boolean[]][] };
};

/** Python accepts these; Dandelion refuses them with a sentence of its own (see pyregex.ts). */
const KNOWN_DIFFERENT = new Set(['\\N{DIGIT ONE}']);

const errorOf = (p: string) => {
  const r = compilePythonRegex(p);
  return r.ok ? null : r.error;
};

describe('Python regex syntax, as re.compile sees it', () => {
  it.each(recorded.compile.filter(([p]) => !KNOWN_DIFFERENT.has(p)))('%j → %j', (pattern, error) => {
    expect(errorOf(pattern)).toBe(error);
  });

  it('refuses \\N{…}: the character names are not at hand, so the user is told to type the character', () => {
    expect(errorOf('\\N{DIGIT ONE}')).toBe('Dandelion cannot look up \\N{DIGIT ONE}; type the character itself at position 0');
    expect(errorOf('\\N')).toBe('missing { at position 2');
    expect(errorOf('\\N{}')).toBe('missing character name at position 3');
    expect(errorOf('[\\N{DIGIT ONE}]')).toBe('Dandelion cannot look up \\N{DIGIT ONE}; type the character itself at position 1');
  });

  it('refuses what JavaScript accepts and Python does not', () => {
    expect(errorOf('(?<name>x)')).toBe('unknown extension ?<n at position 1');
    expect(errorOf('\\p{L}')).toBe('bad escape \\p at position 0');
    expect(errorOf('\\k<n>')).toBe('bad escape \\k at position 0');
    expect(errorOf('a{2,1}')).toBe('min repeat greater than max repeat at position 2');
    expect(errorOf('\\c')).toBe('bad escape \\c at position 0');
  });

  it('accepts what Python accepts and JavaScript spells differently', () => {
    for (const p of [
      '(?P<n>a)(?P=n)',
      '\\Z',
      '(?i)x',
      '(?s:.)',
      'a*+',
      '(?>a)',
      '(?x) a # note',
      '\\U0001F600',
      '(a)(?(1)b|c)',
      '\\0',
      '\\177',
      '[\\0-\\7]',
      '(?a)\\w',
      '(?#comment)x',
    ])
      expect(errorOf(p)).toBeNull();
  });
});

describe('what a translated regex finds (re.search)', () => {
  const { subjects, patterns } = recorded.search;
  it.each(patterns)('%j', (pattern, expected) => {
    const r = compilePythonRegex(pattern);
    if (!r.ok) throw new Error(r.error);
    expect(subjects.map((s) => r.regex.test(s))).toEqual(expected);
  });

  it('matches like Python where JavaScript differs', () => {
    const test = (p: string, s: string) => {
      const r = compilePythonRegex(p);
      if (!r.ok) throw new Error(r.error);
      return r.regex.test(s);
    };
    // $ also matches before a final newline; \Z only at the very end.
    expect([test('a$', 'a\n'), test('a\\Z', 'a\n'), test('a\\Z', 'a')]).toEqual([true, false, true]);
    // . stops at a newline unless (?s); ^ is the start unless (?m).
    expect([test('a.b', 'a\nb'), test('(?s)a.b', 'a\nb'), test('^b', 'a\nb'), test('(?m)^b', 'a\nb'), test('(?m)a$', 'a\nb')]).toEqual([
      false,
      true,
      false,
      true,
      true,
    ]);
    // Scoped flags and case.
    expect([test('(?i:A)b', 'ab'), test('(?i:A)b', 'aB'), test('(?i)[a-c]', 'B'), test('(?i)[A-C]', 'b'), test('(?i)[x]', 'X')]).toEqual([
      true,
      false,
      true,
      true,
      true,
    ]);
    // Possessive and atomic: no backtracking into them.
    expect([test('^a*+a', 'aaa'), test('^(?>a*)a', 'aaa'), test('^a*a', 'aaa'), test('^(?>x|xy)z', 'xyz')]).toEqual([
      false,
      false,
      true,
      false,
    ]);
    // Categories, ASCII or Unicode; negated classes with categories.
    expect([
      test('^\\w$', 'é'),
      test('(?a)^\\w$', 'é'),
      test('^[^\\d]$', '5'),
      test('^[^\\d]$', 'x'),
      test('^\\D$', 'x'),
      test('^[\\W]$', '-'),
    ]).toEqual([true, false, false, true, true, true]);
    // Word boundaries, repeat counts, lazy repeats, backreferences by name and number.
    expect([
      test('\\bab\\b', 'x ab y'),
      test('\\Bb', 'ab'),
      test('^a{2,3}$', 'aaaa'),
      test('^a{2,}$', 'aaaa'),
      test('^a{,2}$', 'aa'),
      test('^a{2}$', 'aa'),
    ]).toEqual([true, true, false, true, true, true]);
    expect([
      test('^(a+?)b', 'aab'),
      test('^(?P<x>.)(?P=x)$', 'zz'),
      test('^(.)(.)\\2\\1$', 'abba'),
      test('(?<=a)b', 'ab'),
      test('(?<!a)b', 'ab'),
    ]).toEqual([true, true, true, true, false]);
    // A literal "{" where no repeat count follows; escapes of every kind.
    expect([
      test('^a{x}$', 'a{x}'),
      test('^a{}$', 'a{}'),
      test('^\\x41\\u0042\\U00000043$', 'ABC'),
      test('^\\101$', 'A'),
      test('^[\\x41-\\x43]+$', 'ABC'),
      test('^\\.\\-$', '.-'),
    ]).toEqual([true, true, true, true, true, true]);
    // Conditionals match either branch (JavaScript cannot ask whether a group took part).
    expect([test('^(a)?(?(1)b|c)$', 'ab'), test('^(a)?(?(1)b|c)$', 'c')]).toEqual([true, true]);
    // A negated class of nothing but a range; an empty class cannot be written in Python.
    expect([test('^[^a-c]$', 'd'), test('^[^a-c]$', 'b'), test('^[]]$', ']'), test('^[a-]$', '-')]).toEqual([true, false, true, true]);
  });
});
