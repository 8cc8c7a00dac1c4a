import { describe, expect, it } from 'vitest';
import {
  ALWAYS_EXCLUDED,
  archivePathOf,
  commonParent,
  exactPattern,
  keepBothName,
  memberRefusal,
  mustRefuseAll,
  NAME_MAX_BYTES,
  neverMatched,
  planMembers,
  putBack,
  restoredFolderName,
  restoreStamp,
  sameSize,
  type ScanItem,
} from '../../src/ops/restore-plan.js';
import { parseScan } from '../../src/ops/restore-scan.js';
import { OpProgressTracker, percentOf } from '../../src/ops/progress.js';

const file = (path: string, size = 10, source = ''): ScanItem => ({ type: '-', path, source, size });
const dir = (path: string): ScanItem => ({ type: 'd', path, source: '', size: 0 });
const link = (path: string, target: string): ScanItem => ({ type: 'l', path, source: target, size: 0 });
const none = () => false;

describe('which archive members may be written', () => {
  it('refuses absolute names, .. parts anywhere and NULs, and nothing else', () => {
    expect(memberRefusal('/etc/passwd')).toBe('absolute');
    expect(memberRefusal('a/../../x')).toBe('parent');
    expect(memberRefusal('..')).toBe('parent');
    expect(memberRefusal('a/..')).toBe('parent');
    expect(memberRefusal('a\0b')).toBe('nul');
    // Names that only look like it are real names, restored as they are.
    for (const ok of ['..a', 'a..', '...', 'a/..b/c', '-rf', 'new\nline', 'bad??name', '.hidden', 'a/./b'])
      expect(memberRefusal(ok)).toBeNull();
  });

  it('refuses members under a link the archive holds, and excludes everything below that link', () => {
    const plan = planMembers([dir('home'), link('home/lnk', '/etc'), file('home/lnk/passwd'), file('home/ok.txt', 5)]);
    expect(plan.refused).toEqual([{ path: 'home/lnk/passwd', reason: 'through-link' }]);
    expect(plan.excludes).toEqual([...ALWAYS_EXCLUDED, 're:^home/lnk/']);
    // The link itself is restored (as a link), and the safe file.
    expect(plan.files).toBe(2);
    expect(plan.bytes).toBe(5);
    expect(plan.folders).toBe(1);
  });

  it('finds a link above a member at any depth, whatever order the archive holds them in', () => {
    const plan = planMembers([file('a/b/c/d.txt'), link('a/b', '/tmp')]);
    expect(plan.refused).toEqual([{ path: 'a/b/c/d.txt', reason: 'through-link' }]);
    expect(plan.excludes).toContain('re:^a/b/');
  });

  it('refuses a hardlink whose source is outside or under a link, and leaves it out by its exact name', () => {
    const plan = planMembers([
      file('hl', 0, '../../../etc/hostname'),
      link('l', '/'),
      file('h2', 0, 'l/x'),
      file('a', 3),
      file('h3', 3, 'a'),
    ]);
    expect(plan.refused).toEqual([
      { path: 'hl', reason: 'link-outside' },
      { path: 'h2', reason: 'link-outside' },
    ]);
    expect(plan.excludes).toEqual([...ALWAYS_EXCLUDED, 're:^hl\\Z', 're:^h2\\Z']);
    // A good hardlink counts as a file, its bytes once (they are its source's).
    expect(plan.files).toBe(3);
    expect(plan.bytes).toBe(3);
  });

  it('counts refused names of their own (absolute, ..) without a pattern each: the general ones leave them out', () => {
    const plan = planMembers([file('a/../../x'), file('/abs')]);
    expect(plan.refused.map((r) => r.reason)).toEqual(['parent', 'absolute']);
    expect(plan.excludes).toEqual(ALWAYS_EXCLUDED);
    expect(plan.files).toBe(0);
    expect(mustRefuseAll(plan)).toBe(false);
    expect(mustRefuseAll(planMembers([file('a\0b')]))).toBe(true);
    expect(mustRefuseAll(planMembers([file('a\0b'), file('../x'), link('l', '/'), file('l/y')]))).toBe(true);
  });

  it('the general patterns are the Python regexes for a .. part and a leading slash', () => {
    const [parent, abs] = ALWAYS_EXCLUDED.map((p) => new RegExp(p.slice(3).replace(/\\Z/g, '$')));
    for (const bad of ['..', '../x', 'a/..', 'a/../b']) expect(parent!.test(bad)).toBe(true);
    for (const good of ['..a', 'a..', 'a/...', 'x/..y/z']) expect(parent!.test(good)).toBe(false);
    expect(abs!.test('/x')).toBe(true);
    expect(abs!.test('x/')).toBe(false);
  });

  it('matches a shown-as-? byte with any one character, and escapes the rest of the name', () => {
    expect(exactPattern('a b?c.txt')).toBe('re:^a\\ b.c\\.txt\\Z');
    expect(exactPattern('d(1)', true)).toBe('re:^d\\(1\\)/');
  });
});

describe('the paths asked for', () => {
  it('are archive paths: the slashes around them and . parts dropped, .. and NUL refused', () => {
    expect(archivePathOf('/home/me/Documents/')).toBe('home/me/Documents');
    expect(archivePathOf('home//me/./x')).toBe('home/me/x');
    expect(archivePathOf('/')).toBe('');
    expect(archivePathOf('/home/../etc')).toBeNull();
    expect(archivePathOf('a\0')).toBeNull();
    expect(archivePathOf('-rf')).toBe('-rf');
  });

  it('never matched: a path with no member equal to it or below it, in the order asked', () => {
    const items = [dir('home'), dir('home/me'), file('home/me/a.txt'), file('home/me2/b.txt')];
    expect(neverMatched(['home/me', 'home/me/a.txt', 'home'], items)).toEqual([]);
    expect(neverMatched(['home/me/zz', 'home/m', 'etc'], items)).toEqual(['home/me/zz', 'home/m', 'etc']);
    // A parent not stored as a member itself still matched (borg lists only what it stored).
    expect(neverMatched(['home/me2'], [file('home/me2/b.txt')])).toEqual([]);
    expect(neverMatched([], items)).toEqual([]);
    expect(neverMatched(['home/me', 'nope', 'home/me/a.txt/x'], items)).toEqual(['nope', 'home/me/a.txt/x']);
    // '' is the whole archive: it always matches, and so does everything asked beside it.
    expect(neverMatched(['', 'nope'], items)).toEqual([]);
    expect(neverMatched(['x'], [])).toEqual(['x']);
  });

  it('stage in place under the folder that holds them all', () => {
    expect(commonParent(['home/me/a/x.txt', 'home/me/a/y.txt'])).toBe('home/me/a');
    expect(commonParent(['home/me/a/x.txt', 'home/me/b'])).toBe('home/me');
    expect(commonParent(['home/me/a', 'etc/x'])).toBe('');
    expect(commonParent(['home/me/Documents'])).toBe('home/me');
    expect(commonParent([])).toBe('');
    expect(commonParent(['home/x', ''])).toBe('');
  });
});

describe('the new folder', () => {
  it('is named after the archive, never an existing one', () => {
    expect(restoredFolderName('vm-daily-2026-12-02 10.00', none)).toBe('Restored from vm-daily-2026-12-02 10.00');
    const taken = new Set(['Restored from a', 'Restored from a 2']);
    expect(restoredFolderName('a', (n) => taken.has(n))).toBe('Restored from a 3');
  });

  it('turns what cannot be in a name into something that can, and fits in a name', () => {
    expect(restoredFolderName('x/y\0z\nw', none)).toBe('Restored from x-y-z w');
    const long = restoredFolderName('é'.repeat(300), (n) => !n.endsWith(' 2'));
    expect(Buffer.byteLength(long)).toBeLessThanOrEqual(NAME_MAX_BYTES);
    expect(long.endsWith(' 2')).toBe(true);
    // Exactly as long as a name may be: kept whole.
    const exact = 'x'.repeat(NAME_MAX_BYTES - 'Restored from '.length);
    expect(restoredFolderName(exact, none)).toBe(`Restored from ${exact}`);
    expect(restoredFolderName(`${exact}y`, none)).toBe(`Restored from ${exact}`);
  });
});

describe('Keep Both', () => {
  const stamp = restoreStamp(new Date(Date.UTC(2026, 11, 2, 10, 0)), 'UTC');

  it('stamps with the backup’s local time, dots for colons', () => {
    expect(stamp).toBe('2026-12-02 10.00');
    expect(restoreStamp(new Date(Date.UTC(2026, 11, 2, 23, 5)), 'Europe/Berlin')).toBe('2026-12-03 00.05');
  });

  it('puts the suffix before the extension, and after a name that has none', () => {
    expect(keepBothName('report.pdf', stamp, { taken: none })).toBe('report (restored 2026-12-02 10.00).pdf');
    expect(keepBothName('archive.tar.gz', stamp, { taken: none })).toBe('archive.tar (restored 2026-12-02 10.00).gz');
    expect(keepBothName('.bashrc', stamp, { taken: none })).toBe('.bashrc (restored 2026-12-02 10.00)');
    expect(keepBothName('Makefile', stamp, { taken: none })).toBe('Makefile (restored 2026-12-02 10.00)');
    expect(keepBothName('trailing.', stamp, { taken: none })).toBe('trailing. (restored 2026-12-02 10.00)');
    expect(keepBothName('Photos.library', stamp, { folder: true, taken: none })).toBe('Photos.library (restored 2026-12-02 10.00)');
  });

  it('stays unique: 2, 3… inside the brackets', () => {
    const taken = new Set(['report (restored 2026-12-02 10.00).pdf', 'report (restored 2026-12-02 10.00 2).pdf']);
    expect(keepBothName('report.pdf', stamp, { taken: (n) => taken.has(n) })).toBe('report (restored 2026-12-02 10.00 3).pdf');
  });

  it('shortens a long stem to fit in a name, keeping the suffix and extension whole', () => {
    const name = `${'ü'.repeat(125)}.txt`;
    const out = keepBothName(name, stamp, { taken: none });
    expect(Buffer.byteLength(out)).toBeLessThanOrEqual(NAME_MAX_BYTES);
    expect(out.endsWith(' (restored 2026-12-02 10.00).txt')).toBe(true);
    expect(out.startsWith('üü')).toBe(true);
  });
});

describe('putting back in place', () => {
  it('moves into an empty place, merges folders, compares like with like, else keeps both', () => {
    expect(putBack('file', null)).toBe('move');
    expect(putBack('folder', null)).toBe('move');
    expect(putBack('folder', 'folder')).toBe('merge');
    expect(putBack('file', 'file')).toBe('compare');
    expect(putBack('link', 'link')).toBe('compare');
    expect(putBack('other', 'other')).toBe('keep-both');
    // A link where a folder is restored is never followed; a file where a folder is never replaces it.
    expect(putBack('folder', 'link')).toBe('keep-both');
    expect(putBack('file', 'folder')).toBe('keep-both');
    expect(putBack('link', 'file')).toBe('keep-both');
  });

  it('identical starts with the same size', () => {
    expect(sameSize({ size: 3 }, { size: 3n })).toBe(true);
    expect(sameSize({ size: 3 }, { size: 4 })).toBe(false);
  });
});

describe('the scan', () => {
  it('reads NUL-separated records, names with newlines whole, a cut-off record dropped', () => {
    const text = 'd\0home\0\x000\0-\0home/a\nb\0\x0012\0l\0home/l\0/etc\x000\0-\0home/h\0home/a\nb\x0012\0-\0home/cut';
    expect(parseScan(text)).toEqual([
      { type: 'd', path: 'home', source: '', size: 0 },
      { type: '-', path: 'home/a\nb', source: '', size: 12 },
      { type: 'l', path: 'home/l', source: '/etc', size: 0 },
      { type: '-', path: 'home/h', source: 'home/a\nb', size: 12 },
    ]);
    expect(parseScan('')).toEqual([]);
    expect(parseScan('-\0x\0\0NaN\0')).toEqual([{ type: '-', path: 'x', source: '', size: 0 }]);
    // The size not yet ended by its NUL: the record is not whole.
    expect(parseScan('-\0x\0\x0012')).toEqual([]);
  });
});

describe('progress', () => {
  it('a percentage with one decimal, capped, null without a total', () => {
    expect(percentOf(1, 3)).toBe(33.3);
    expect(percentOf(5, 4)).toBe(100);
    expect(percentOf(1, 0)).toBeNull();
    expect(percentOf(Number.NaN, 4)).toBeNull();
    expect(percentOf(-1, 4)).toBe(0);
  });

  it('publishes at most once per interval, the last state always, and drops waitingFor when told', async () => {
    const seen: unknown[] = [];
    const t = new OpProgressTracker('restore', 'a', (p) => seen.push(p), 50);
    t.update({ waitingFor: 'backup of "p"' });
    t.update({ nfiles: 1 });
    t.update({ nfiles: 2, waitingFor: undefined });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ waitingFor: 'backup of "p"', nfiles: 0 });
    await new Promise((r) => setTimeout(r, 80));
    expect(seen).toHaveLength(2);
    expect(seen[1]).toEqual({ kind: 'restore', archive: 'a', percent: null, nfiles: 2, bytes: 0, path: '' });
    expect('waitingFor' in (seen[1] as object)).toBe(false);
    t.update({ nfiles: 3 });
    expect(seen).toHaveLength(2);
    t.flush();
    expect(seen).toHaveLength(3);
    t.update({ nfiles: 4 });
    t.stop();
    await new Promise((r) => setTimeout(r, 80));
    expect(seen).toHaveLength(3);
    expect(t.current().nfiles).toBe(4);
  });
});
