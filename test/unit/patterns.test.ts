import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  borgPath,
  compileExclude,
  coversSource,
  excludeProblems,
  expandPatternHome,
  fnmatchRegex,
  normpath,
  shellRegex,
  splitStyle,
} from '../../src/profiles/patterns.js';
import { parseConfig } from '../../src/profiles/schema.js';

const recorded = JSON.parse(
  fs.readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/patterns/python-re.json'), 'utf8'),
) as { exclude: { home: string; subjects: string[]; patterns: [string, boolean[]][] } };

const HOME = '/home/u';
const matcher = (p: string) => {
  const c = compileExclude(expandPatternHome(p, HOME));
  if (!c.ok) throw new Error(c.error);
  return c.match;
};
const problems = (excludes: string[], sources = ['~/Documents']) =>
  excludeProblems(excludes, sources, HOME).map((p) => `${p.index}: ${p.message}`);

describe('what borg 1.2 matches for each exclude (recorded from borg.patterns)', () => {
  const { subjects, patterns, home } = recorded.exclude;
  it.each(patterns)('%j', (pattern, expected) => {
    const c = compileExclude(expandPatternHome(pattern, home));
    if (!c.ok) throw new Error(c.error);
    expect(subjects.map((s) => c.match(s))).toEqual(expected);
  });
});

describe('pattern styles', () => {
  it('reads a two-letter-or-digit prefix and ":" as a style, fm: by default', () => {
    expect(splitStyle('*.tmp')).toEqual({ ok: true, style: 'fm', body: '*.tmp' });
    expect(splitStyle('re:x')).toEqual({ ok: true, style: 're', body: 'x' });
    expect(splitStyle('sh:')).toEqual({ ok: true, style: 'sh', body: '' });
    expect(splitStyle('pp:/a')).toEqual({ ok: true, style: 'pp', body: '/a' });
    expect(splitStyle('pf:/a')).toEqual({ ok: true, style: 'pf', body: '/a' });
    expect(splitStyle('fm:/a')).toEqual({ ok: true, style: 'fm', body: '/a' });
    // Not a style: too short, not alphanumeric, or no ":" third.
    expect(splitStyle('re:')).toEqual({ ok: true, style: 're', body: '' });
    expect(splitStyle('re')).toEqual({ ok: true, style: 'fm', body: 're' });
    expect(splitStyle('a-:x')).toEqual({ ok: true, style: 'fm', body: 'a-:x' });
    expect(splitStyle('abc:x')).toEqual({ ok: true, style: 'fm', body: 'abc:x' });
    expect(splitStyle('/a:b')).toEqual({ ok: true, style: 'fm', body: '/a:b' });
  });

  it('refuses a prefix borg reads as a style it does not have (it stops with exit code 2)', () => {
    for (const p of ['xx:foo', '12:30', 'é1:x', 'RE:x']) {
      const r = splitStyle(p);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error).toContain(`starts with "${p.slice(0, 2)}:"`);
      if (!r.ok) expect(r.error).toContain(`write "fm:${p}"`);
    }
  });
});

describe('Python path helpers', () => {
  it('normpath as posixpath.normpath', () => {
    expect(['', '/', '//', '///', '//a', '///a', 'a/./b/', 'a/../b', '../a', '/../a', 'a/../..', '.', '/a/b/..'].map(normpath)).toEqual([
      '.',
      '/',
      '//',
      '/',
      '//a',
      '/a',
      'a/b',
      'b',
      '../a',
      '/a',
      '..',
      '.',
      '/a',
    ]);
  });

  it('fnmatch: * and ? cross "/", classes and their negation, reversed ranges match nothing', () => {
    const m = (glob: string, s: string) => new RegExp(fnmatchRegex(glob), 'u').test(s);
    expect([
      m('*', 'a/b'),
      m('a?c', 'a/c'),
      m('[ab]', 'b'),
      m('[!ab]', 'b'),
      m('[!ab]', 'c'),
      m('[z-a]', 'q'),
      m('[', '['),
      m('[!]', '[!]'),
      m('**', 'x'),
    ]).toEqual([true, true, true, false, true, false, true, true, true]);
    expect([m('a[z-a]b', 'ab'), m('[axc]', 'b'), m('[!ab]', '!'), m('[a]x', 'ax')]).toEqual([false, false, true, true]);
    expect([m('[a-]', '-'), m('[]]', ']'), m('[!]]', 'a'), m('a.b', 'axb'), m('[!]', 'x')]).toEqual([true, true, true, false, false]);
  });

  it('shell patterns: * stays within a name, **/ crosses folders, a reversed range is refused', () => {
    const m = (glob: string, s: string) => {
      const r = shellRegex(glob);
      if (!r.ok) throw new Error(r.error);
      return new RegExp(r.source, 'u').test(s);
    };
    expect([
      m('*', 'a/b'),
      m('*', 'ab'),
      m('**/b', 'x/y/b'),
      m('**/b', 'b'),
      m('a?c', 'a/c'),
      m('[!a]', 'b'),
      m('[ab]', 'a'),
      m('[', '['),
      m('**', 'ab'),
    ]).toEqual([false, true, true, true, false, true, true, true, true]);
    expect([
      m('*a/b', 'x/y/b'),
      m('*a/b', 'xa/b'),
      m('**b', 'xb'),
      m('[a]x', 'ax'),
      m('[!]]', 'a'),
      m('[!]]', ']'),
      m('[!ab]', '!'),
      m('[axc]', 'b'),
      m('[]a]', ']'),
    ]).toEqual([false, true, true, true, true, false, true, false, true]);
    expect(shellRegex('[z-a]')).toEqual({ ok: false, error: 'has a range that runs backwards, [z-a]: write the smaller character first' });
    expect(shellRegex('[a-z]').ok).toBe(true);
  });

  it('compileExclude refuses a shell pattern with a reversed range and a bad regex', () => {
    expect(compileExclude('sh:[z-a]')).toEqual({
      ok: false,
      error: 'has a range that runs backwards, [z-a]: write the smaller character first',
    });
    expect(compileExclude('re:[')).toEqual({
      ok: false,
      error: 'is not a regular expression Python (borg) accepts: unterminated character set at position 0',
    });
  });

  it('pp: is a plain prefix (no wildcards), pf: the whole path', () => {
    expect([
      matcher('pp:/home/*')('home/u'),
      matcher('/home/*')('home/u'),
      matcher('pp:/home/u')('home/u/x'),
      matcher('pp:/home/u/')('home/u'),
    ]).toEqual([false, true, true, true]);
    expect([matcher('pf:/home/*')('home/u'), matcher('pf:/home/u')('home/u/x'), matcher('pf:/home/u/')('home/u')]).toEqual([
      false,
      false,
      true,
    ]);
  });

  it('normpath keeps leading ".." of a relative path', () => {
    expect([normpath('../..'), normpath('a/../../b'), normpath('/..')]).toEqual(['../..', '../b', '/']);
  });

  it('borgPath drops the leading "/" as borg 1.2 does', () => {
    expect([borgPath('/home/u/Documents/'), borgPath('/'), borgPath('/a/./b')]).toEqual(['home/u/Documents', '', 'a/b']);
  });

  it('expands ~ as the engine does before borg sees the pattern', () => {
    expect([
      expandPatternHome('~', HOME),
      expandPatternHome('~/x', HOME),
      expandPatternHome('~/x', '/home/u/'),
      expandPatternHome('~x', HOME),
      expandPatternHome('sh:~/x', HOME),
    ]).toEqual([HOME, '/home/u/x', '/home/u/x', '~x', 'sh:~/x']);
  });
});

describe('an exclude that covers a whole source', () => {
  it.each([
    ['/'],
    ['~'],
    ['*'],
    ['fm:*'],
    ['sh:*'],
    ['sh:**'],
    ['re:'],
    ['re:.*'],
    ['re:.'],
    ['re:Documents'],
    ['re:^home/u/Documents$'],
    ['pp:/'],
    ['pp:/home'],
    ['pf:/home/u/Documents'],
    ['/home/u'],
    ['~/Documents'],
    ['~/Documents/'],
    ['~/Documents/*'],
    ['sh:/home/u/Documents/*'],
    ['sh:/home/*/Documents'],
    ['fm:/home/*/Documents'],
    ['/home/u/Doc?ments'],
  ])('%j leaves out ~/Documents', (pattern) => {
    expect(coversSource(matcher(pattern), '/home/u/Documents')).toBe(true);
  });

  it.each([
    ['*/node_modules'],
    ['*/.Trash'],
    ['*.tmp'],
    ['~/Documents/Caches'],
    ['sh:**/node_modules'],
    ['re:\\.tmp$'],
    ['re:^/home'],
    ['pp:/home/u/Doc'],
    ['pf:/home/u'],
    ['fm:'],
    ['sh:'],
    ['pp:'],
    ['pf:'],
    ['~/Documents/a*'],
    ['*/.*'],
    ['~/Documents2'],
  ])('%j leaves ~/Documents in', (pattern) => {
    expect(coversSource(matcher(pattern), '/home/u/Documents')).toBe(false);
  });

  it('needs every probe name to match, not just one', () => {
    // Each of these leaves out some names inside ~/Documents but not all.
    for (const p of [
      '~/Documents/a',
      '~/Documents/Z',
      '~/Documents/0',
      '~/Documents/.*',
      '~/Documents/*.txt',
      '~/Documents/* *',
      '~/Documents/Ü*',
      '~/Documents/-',
      '~/Documents/x',
      '~/Documents/[!a]*',
      '~/Documents/[!Z]*',
      '~/Documents/[!0]*',
      '~/Documents/[!.]*',
      '~/Documents/[!n]*',
      '~/Documents/[!P]*',
      '~/Documents/[!Ü]*',
      '~/Documents/[!-]*',
      '~/Documents/[!x]*',
    ])
      expect({ p, covers: coversSource(matcher(p), '/home/u/Documents') }).toEqual({ p, covers: false });
  });

  it('probes the root source by its names alone', () => {
    const onlyProbes = matcher('re:^(a|Z|0|\\.hidden|notes\\.txt|Photo 2024\\.JPG|Ünïcode|-|x/y)$');
    expect(coversSource(onlyProbes, '/')).toBe(true);
    expect(coversSource(onlyProbes, '/home')).toBe(false);
  });

  it('checks the root source too', () => {
    expect(coversSource(matcher('*'), '/')).toBe(true);
    expect(coversSource(matcher('*/.Trash'), '/')).toBe(false);
  });
});

describe('excludeProblems', () => {
  it('names the pattern and the source it empties', () => {
    expect(problems(['*.tmp', '/', '~'])).toEqual([
      '1: "/" leaves out all of ~/Documents: the backup would save nothing from it; remove this pattern or make it narrower (e.g. "~/Documents/Caches")',
      '2: "~" leaves out all of ~/Documents: the backup would save nothing from it; remove this pattern or make it narrower (e.g. "~/Documents/Caches")',
    ]);
    expect(problems(['pp:/data'], ['/data//'])[0]).toContain(
      'leaves out all of /data: the backup would save nothing from it; remove this pattern or make it narrower (e.g. "/data/Caches")',
    );
    expect(problems(['pp:/data'], ['~/Documents', '/data/'])).toEqual([
      '0: "pp:/data" leaves out all of /data: the backup would save nothing from it; remove this pattern or make it narrower (e.g. "/data/Caches")',
    ]);
  });

  it('names what borg would refuse', () => {
    expect(problems(['re:[unclosed', 'xx:foo', 'sh:[z-a]'])).toEqual([
      '0: "re:[unclosed" is not a regular expression Python (borg) accepts: unterminated character set at position 0',
      '1: "xx:foo" starts with "xx:", which borg reads as a pattern style, and there is none by that name (fm:, sh:, re:, pp:, pf:); to leave out a path that starts with "xx:", write "fm:xx:foo"',
      '2: "sh:[z-a]" has a range that runs backwards, [z-a]: write the smaller character first',
    ]);
  });

  it('leaves blank patterns to the schema and passes good ones', () => {
    expect(problems(['  ', '*/node_modules', '*/.Trash', 'sh:**/.cache', 're:\\.DS_Store$'])).toEqual([]);
  });
});

describe('the schema refuses them at the field', () => {
  const errorsOf = (profile: Record<string, unknown>) => {
    const r = parseConfig({ profiles: [{ id: 'docs', repository: '/Volumes/disk/repo', sources: ['~/Documents'], ...profile }] });
    return r.ok ? [] : r.errors.map((e) => e.path);
  };
  it('at profiles[i].excludes[j]', () => {
    expect(errorsOf({ excludes: ['*.tmp', '/', 're:[unclosed', 'xx:foo'] })).toEqual([
      'profiles[0].excludes[1]',
      'profiles[0].excludes[2]',
      'profiles[0].excludes[3]',
    ]);
    expect(errorsOf({ excludes: ['*.tmp'] })).toEqual([]);
  });
});

describe('the window’s exclude presets', () => {
  it('are valid for borg and leave the usual sources in', async () => {
    const { EXCLUDE_PRESETS } = await import('../../renderer/preferences/excludes.js');
    const all = EXCLUDE_PRESETS.flatMap((p) => p.patterns);
    expect(excludeProblems(all, ['~', '~/Documents', '~/Pictures', '/'], HOME)).toEqual([]);
  });
});
