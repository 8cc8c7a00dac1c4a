/**
 * The archive index without borg: the one-pass builder, the file format read back a range at a
 * time, and what makes a file not an index (short, damaged, another format).
 */
import { describe, expect, it } from 'vitest';
import { IndexBuilder, itemTime, pathComponents, type ListedItem } from '../../src/browse/builder.js';
import { bufferSource, encodeIndex, FORMAT_VERSION, openIndex, type ArchiveIndex } from '../../src/browse/index-file.js';
import { ItemLines } from '../../src/browse/item-lines.js';

const META = { repositoryId: 'ab'.repeat(32), archiveId: 'cd'.repeat(32), archive: 'mac-2026-12-01', created: '2026-12-02T10:00:00.000Z' };

function item(type: string, path: string, size = 0, mtime = '2026-12-01T10:00:00.000000'): ListedItem {
  return { type, path, size, mtime };
}

function build(items: ListedItem[], watch?: string): IndexBuilder {
  const b = new IndexBuilder(watch);
  for (const i of items) b.addItem(i);
  return b;
}

function indexOf(items: ListedItem[]): ArchiveIndex {
  const r = openIndex(bufferSource(encodeIndex(build(items).finish(), META)), { verify: true });
  if (!r.ok) throw new Error(r.why);
  return r.index;
}

function folder(index: ArchiveIndex, path: string): string[] | null {
  const node = index.lookup(path);
  if (node === null) return null;
  return index.children(node, path).map((e) => `${e.type}:${e.path}${e.mtime === null ? ' (implicit)' : ''}`);
}

describe('building the tree in one pass', () => {
  it('makes the folders above a backed-up source, with no details of their own', () => {
    const index = indexOf([item('d', 'Users/me/Documents'), item('-', 'Users/me/Documents/a.txt', 3)]);
    expect(folder(index, '')).toEqual(['dir:Users (implicit)']);
    expect(folder(index, 'Users')).toEqual(['dir:Users/me (implicit)']);
    expect(folder(index, 'Users/me')).toEqual(['dir:Users/me/Documents']);
    expect(folder(index, 'Users/me/Documents')).toEqual(['file:Users/me/Documents/a.txt']);
    expect(index.stat(index.lookup('Users/me/Documents/a.txt')!)).toEqual({
      type: 'file',
      size: 3,
      mtime: new Date('2026-12-01T10:00:00').toISOString(),
      stored: true,
    });
    expect(index.stat(index.lookup('Users')!)).toMatchObject({ type: 'dir', mtime: null, stored: false });
  });

  it('gives an implicit folder its details when its own item comes later (sources /x/y/z and /x)', () => {
    const index = indexOf([item('-', 'x/y/z/f', 1), item('d', 'x', 0, '2026-11-30T09:00:00'), item('-', 'x/g', 2)]);
    expect(folder(index, '')).toEqual(['dir:x']);
    expect(index.stat(index.lookup('x')!).mtime).toBe(new Date('2026-11-30T09:00:00').toISOString());
    expect(folder(index, 'x')).toEqual(['file:x/g', 'dir:x/y (implicit)']);
  });

  it('keeps the first of a path stored twice, and one folder for folders met twice', () => {
    const index = indexOf([item('d', 'a'), item('-', 'a/f', 1), item('d', 'b'), item('-', 'a/f', 99), item('d', 'a'), item('-', 'a/g', 2)]);
    expect(folder(index, 'a')).toEqual(['file:a/f', 'file:a/g']);
    expect(index.stat(index.lookup('a/f')!).size).toBe(1);
    expect(index.count).toBe(5);
  });

  it('gives the children of a dropped twin folder to the one kept', () => {
    // A file "a/b", then the same path used as a folder: one entry stays, and what lies below is not lost.
    const index = indexOf([item('d', 'a'), item('d', 'a/b'), item('-', 'a/b/c', 1), item('d', 'a/b', 0), item('-', 'a/b/d', 1)]);
    expect(folder(index, 'a')).toEqual(['dir:a/b']);
    expect(folder(index, 'a/b')).toEqual(['file:a/b/c', 'file:a/b/d']);
  });

  it('takes "." (a relative source) as the archive root and ignores empty path parts', () => {
    expect(pathComponents('.')).toEqual([]);
    expect(pathComponents('/a//b/')).toEqual(['a', 'b']);
    const index = indexOf([item('d', '.'), item('-', 'f', 1), { type: '-', size: 1 }]);
    expect(folder(index, '')).toEqual(['file:f']);
  });

  it('orders nodes breadth first with siblings by name, each folder a contiguous run after its parent', () => {
    const tree = build([item('d', 'b'), item('-', 'b/z'), item('-', 'b/a'), item('d', 'a'), item('-', 'a/y'), item('-', 'c')]).finish();
    expect(tree.names).toEqual(['', 'a', 'b', 'c', 'y', 'a', 'z']);
    expect([...tree.parent]).toEqual([0, 0, 0, 0, 1, 2, 2]);
    expect([...tree.childStart]).toEqual([1, 4, 5, 7, 7, 7, 7, 7]);
  });

  it('reads links and other kinds, and a folder has no size', () => {
    const index = indexOf([item('l', 'ln', 4), item('p', 'fifo'), item('d', 'dir', 4096)]);
    expect(index.children(0, '').map((e) => [e.name, e.type, e.size])).toEqual([
      ['dir', 'dir', 0],
      ['fifo', 'other', 0],
      ['ln', 'link', 4],
    ]);
  });

  it('reads borg 1.2 times (local, microseconds, no offset) and nothing else', () => {
    expect(itemTime('2026-12-01T10:00:00.123456')).toBe(new Date('2026-12-01T10:00:00.123').getTime());
    expect(itemTime('')).toBeNaN();
    expect(itemTime(5)).toBeNaN();
  });
});

describe('the watched folder while the pass runs', () => {
  it('hands over its children as they come, before the pass ends', () => {
    const b = new IndexBuilder('home/me');
    b.addItem(item('d', 'home/me/Documents'));
    expect(b.takePartial().map((e) => e.path)).toEqual(['home/me/Documents']);
    b.addItem(item('-', 'home/me/Documents/deep.txt', 1));
    b.addItem(item('-', 'home/me/notes.txt', 5));
    b.addItem(item('-', 'home/other.txt', 5));
    expect(b.takePartial().map((e) => [e.path, e.size])).toEqual([['home/me/notes.txt', 5]]);
    expect(b.takePartial()).toEqual([]);
  });

  it('gives an implicit child first and then again with its details', () => {
    const b = new IndexBuilder('');
    b.addItem(item('-', 'x/y/f', 1));
    b.addItem(item('d', 'x', 0, '2026-11-30T09:00:00'));
    expect(b.takePartial().map((e) => [e.path, e.mtime === null])).toEqual([
      ['x', true],
      ['x', false],
    ]);
    expect(b.watchedChildren()!.map((e) => e.path)).toEqual(['x']);
  });

  it('answers the folder from the pass alone, and null for a folder the archive does not have', () => {
    const items = [item('d', 'a'), item('-', 'a/2', 1), item('-', 'a/1', 1), item('-', 'a/1', 7)];
    expect(
      build(items, 'a')
        .watchedChildren()!
        .map((e) => [e.name, e.size]),
    ).toEqual([
      ['2', 1],
      ['1', 1],
    ]);
    expect(build(items, 'b').watchedChildren()).toBeNull();
    // A file is not a folder to list.
    expect(build(items, 'a/1').watchedChildren()).toBeNull();
  });
});

describe('the index file', () => {
  const items = [
    item('d', 'home/me'),
    item('-', 'home/me/sp ace.txt', 10),
    item('-', 'home/me/new\nline', 11),
    item('-', 'home/me/caf\u00e9', 12),
    item('-', 'home/me/lone\udc80surrogate', 13),
    item('-', 'home/me/\u{1f600}.png', 14),
  ];

  it('gives back every name as it went in: spaces, newlines, accents, lone surrogates, emoji', () => {
    const index = indexOf(items);
    expect(index.children(index.lookup('home/me')!, 'home/me').map((e) => e.name)).toEqual([
      'caf\u00e9',
      'lone\udc80surrogate',
      'new\nline',
      'sp ace.txt',
      '\u{1f600}.png',
    ]);
    for (const i of items) expect(index.lookup(i.path as string), i.path as string).not.toBeNull();
    expect(index.entry(index.lookup('home/me/new\nline')!)).toMatchObject({ path: 'home/me/new\nline', name: 'new\nline', size: 11 });
    expect(index.lookup('home/me/cafe')).toBeNull();
    expect(index.lookup('home/me/sp ace.txt/below')).toBeNull();
    expect(index.meta).toEqual(META);
  });

  it('finds any of 10,000 siblings by binary search', () => {
    const many = [item('d', 'big'), ...Array.from({ length: 10_000 }, (_, i) => item('-', `big/f${i}`, i))];
    const index = indexOf(many);
    expect(index.children(index.lookup('big')!, 'big')).toHaveLength(10_000);
    for (const i of [0, 1, 4999, 9999]) expect(index.stat(index.lookup(`big/f${i}`)!).size).toBe(i);
    expect(index.lookup('big/f10000')).toBeNull();
  });

  it('is refused when truncated, extended, damaged or of another format version', () => {
    const good = encodeIndex(build(items).finish(), META);
    expect(openIndex(bufferSource(good), { verify: true }).ok).toBe(true);
    const why = (buf: Buffer, verify = true) => {
      const r = openIndex(bufferSource(buf), { verify });
      return r.ok ? 'ok' : r.why;
    };
    expect(why(good.subarray(0, good.length - 1))).toMatch(/bytes, the header says/);
    expect(why(good.subarray(0, 10))).toMatch(/shorter/);
    expect(why(Buffer.concat([good, Buffer.alloc(8)]))).toMatch(/bytes, the header says/);
    const flipped = Buffer.from(good);
    flipped[flipped.length - 3]! ^= 0xff;
    expect(why(flipped)).toBe('checksum mismatch');
    // Without the checksum a flipped name byte goes unnoticed: that is why a file is verified on first open.
    expect(why(flipped, false)).toBe('ok');
    const other = Buffer.from(good);
    other.writeUInt32LE(FORMAT_VERSION + 1, 8);
    expect(why(other)).toBe(`format ${FORMAT_VERSION + 1}, not ${FORMAT_VERSION}`);
    const magic = Buffer.from(good);
    magic.write('X', 0, 'latin1');
    expect(why(magic)).toBe('not an archive index');
    const header = Buffer.from(good);
    header.write('}', 20, 'latin1');
    expect(why(header)).toBe('unreadable header');
    expect(why(Buffer.alloc(0))).toMatch(/shorter/);
  });

  it('throws IndexDamaged, never answers, when the numbers inside cannot be', () => {
    const good = encodeIndex(build(items).finish(), META);
    const headerLength = good.readUInt32LE(16);
    const header = JSON.parse(good.toString('utf8', 20, 20 + headerLength)) as { sections: Record<string, [number, number]> };
    const bad = Buffer.from(good);
    // Root's children said to start at node 0 (itself): a loop a reader must not follow.
    bad.writeUInt32LE(0, header.sections.childStart![0]);
    const r = openIndex(bufferSource(bad), { verify: false });
    expect(r.ok).toBe(true);
    if (r.ok) expect(() => r.index.lookup('home')).toThrow(/child range/);
  });

  it('has a name table for searches: a NUL, then each name and a NUL', () => {
    const index = indexOf([item('-', 'a', 1), item('-', 'bc', 1)]);
    const { text, starts } = index.nameTable();
    expect(text).toBe('\0\0a\0bc\0');
    expect([...starts]).toEqual([0, 1, 3, 6]);
    expect(index.pathOf(2)).toBe('bc');
    expect(index.pathOf(0)).toBe('');
  });
});

describe('borg list --json-lines as it arrives', () => {
  it('splits lines across chunks at any byte, keeps escaped newlines inside names, skips what is not JSON', () => {
    const seen: string[] = [];
    const lines = new ItemLines((i) => seen.push(String(i.path)));
    const text = `${JSON.stringify(item('-', 'a\nb'))}\nnot json\n${JSON.stringify(item('-', 'caf\u00e9'))}\n${JSON.stringify(item('-', 'last'))}`;
    const bytes = Buffer.from(text);
    for (let i = 0; i < bytes.length; i += 7) lines.push(bytes.subarray(i, i + 7));
    lines.end();
    expect(seen).toEqual(['a\nb', 'caf\u00e9', 'last']);
    expect(lines.skipped).toBe(1);
  });
});
