/**
 * What browsing decides without borg: the name search, the versions of a path, which indexes go
 * (size cap, archives gone), when a listing of archives is still good, and the browser's use of
 * its indexes with a borg that is only a function handing over JSON lines.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IndexBuilder, type ListedItem } from '../../src/browse/builder.js';
import { bufferSource, encodeIndex, openIndex, type ArchiveIndex } from '../../src/browse/index-file.js';
import { findMatcher, findNodes, isWildcard } from '../../src/browse/find.js';
import { versionsOf } from '../../src/browse/versions.js';
import { archiveScope, evictions, goneArchives, IndexStore, type CachedFile } from '../../src/browse/store.js';
import { ArchiveBrowser, catalogFresh, CATALOG_MAX_AGE_MS, pickArchive, type BrowseDeps } from '../../src/browse/browser.js';
import type { Profile } from '../../src/profiles/schema.js';
import type { FolderEntry } from '../../src/repo/contents.js';
import { failed, ok } from '../../src/engine/outcome.js';

const REPO = 'ab'.repeat(32);
const idOf = (n: number) => n.toString(16).padStart(64, '0');
const META = { repositoryId: REPO, archiveId: idOf(1), archive: 'a1', created: '2026-12-02T10:00:00.000Z' };

function item(type: string, p: string, size = 0, mtime = '2026-12-01T10:00:00.000000'): ListedItem {
  return { type, path: p, size, mtime };
}

function indexOf(items: ListedItem[]): ArchiveIndex {
  const b = new IndexBuilder();
  for (const i of items) b.addItem(i);
  const r = openIndex(bufferSource(encodeIndex(b.finish(), META)), { verify: true });
  if (!r.ok) throw new Error(r.why);
  return r.index;
}

function find(index: ArchiveIndex, pattern: string, limit?: number): { paths: string[]; more: boolean } | null {
  const m = findMatcher(pattern);
  if (!m) return null;
  const { text, starts } = index.nameTable();
  const r = findNodes(text, starts, m, limit);
  return { paths: r.nodes.map((n) => index.pathOf(n)), more: r.more };
}

describe('finding by name', () => {
  const index = indexOf([
    item('d', 'Photos'),
    item('-', 'Photos/IMG_2024.JPG', 1),
    item('-', 'Photos/img_2025.jpg', 1),
    item('-', 'Photos/notes.txt', 1),
    item('-', 'Photos/a.b(c)+[d]', 1),
    item('-', 'Photos/caf\u00e9.jpg', 1),
    item('-', 'Photos/deep/x/jpg', 1),
    item('-', 'report.jpg.txt', 1),
    item('-', 'multi jpg jpg', 1),
  ]);

  it('matches a piece of the name, whatever its capitals, once per entry, shallow first', () => {
    expect(find(index, 'JPG')!.paths).toEqual([
      'multi jpg jpg',
      'report.jpg.txt',
      'Photos/IMG_2024.JPG',
      'Photos/caf\u00e9.jpg',
      'Photos/img_2025.jpg',
      'Photos/deep/x/jpg',
    ]);
  });

  it('takes * and ? as shell wildcards for the whole name', () => {
    expect(find(index, '*.jpg')!.paths).toEqual(['Photos/IMG_2024.JPG', 'Photos/caf\u00e9.jpg', 'Photos/img_2025.jpg']);
    expect(find(index, 'img_202?.*')!.paths).toEqual(['Photos/IMG_2024.JPG', 'Photos/img_2025.jpg']);
    expect(find(index, 'jpg')!.paths).toContain('Photos/deep/x/jpg');
    expect(find(index, 'jp?')!.paths).toEqual(['Photos/deep/x/jpg']);
    expect(find(index, 'photos')!.paths).toEqual(['Photos']);
    expect(isWildcard('a*')).toBe(true);
    expect(isWildcard('a.b')).toBe(false);
  });

  it('takes every other character literally', () => {
    expect(find(index, 'a.b(c)+[d]')!.paths).toEqual(['Photos/a.b(c)+[d]']);
    expect(find(index, '.b(')!.paths).toEqual(['Photos/a.b(c)+[d]']);
    expect(find(index, 'a?b(c)+[d]')!.paths).toEqual(['Photos/a.b(c)+[d]']);
    expect(find(index, 'a.b')!.paths).toEqual(['Photos/a.b(c)+[d]']);
  });

  it('finds a name typed composed when it is stored decomposed, and the other way round', () => {
    expect(find(index, 'cafe\u0301')!.paths).toEqual(['Photos/caf\u00e9.jpg']);
    const nfd = indexOf([item('-', 'cafe\u0301.txt', 1)]);
    expect(find(nfd, 'caf\u00e9')!.paths).toEqual(['cafe\u0301.txt']);
  });

  it('caps the answer and says there was more', () => {
    const many = indexOf(Array.from({ length: 30 }, (_, i) => item('-', `f${i}.log`, 1)));
    expect(find(many, '.log', 10)).toMatchObject({ more: true });
    expect(find(many, '.log', 10)!.paths).toHaveLength(10);
    expect(find(many, '.log', 30)).toMatchObject({ more: false });
    expect(find(many, '*', 30)!.paths).toHaveLength(30);
    // The archive's top (an empty name) is not an entry, even for "*".
    expect(find(many, '*', 30)!.more).toBe(false);
    expect(find(many, '*')!.paths).not.toContain('');
  });

  it('places a match at the very end of a name in that name', () => {
    const ends = indexOf([item('-', 'ax', 1), item('-', 'b', 1), item('-', 'cx', 1)]);
    expect(find(ends, 'x')!.paths).toEqual(['ax', 'cx']);
    expect(find(ends, 'b')!.paths).toEqual(['b']);
    expect(find(ends, 'X?')!.paths).toEqual([]);
  });

  it('matches nothing for an empty pattern or one with a slash or a NUL (no name holds one)', () => {
    expect(findMatcher('')).toBeNull();
    expect(findMatcher('Photos/IMG')).toBeNull();
    expect(findMatcher('a\0b')).toBeNull();
  });
});

describe('versions of a path', () => {
  const stat = (size: number, mtime: string | null = '2026-12-01T10:00:00.000Z', type: 'file' | 'dir' = 'file') => ({ type, size, mtime });

  it('lists the archives that hold it, newest first, each compared with the next older one', () => {
    const v = versionsOf([
      { archive: 'a1', time: '2026-12-01T10:00:00.000Z', stat: stat(5) },
      { archive: 'a3', time: '2026-12-03T10:00:00.000Z', stat: stat(6) },
      { archive: 'a2', time: '2026-12-02T10:00:00.000Z', stat: stat(5) },
      { archive: 'a4', time: '2026-12-04T10:00:00.000Z', stat: null },
      { archive: 'a5', time: '2026-12-05T10:00:00.000Z', stat: stat(6) },
    ]);
    expect(v.map((x) => [x.archive, x.changed])).toEqual([
      ['a5', false],
      ['a3', true],
      ['a2', false],
      ['a1', null],
    ]);
    expect(v[0]).toEqual({
      archive: 'a5',
      time: '2026-12-05T10:00:00.000Z',
      type: 'file',
      size: 6,
      mtime: '2026-12-01T10:00:00.000Z',
      changed: false,
    });
  });

  it('counts a new modification time or a new type as a change, and orders equal times by name', () => {
    const v = versionsOf([
      { archive: 'b', time: '2026-12-01T10:00:00.000Z', stat: stat(0, null, 'dir') },
      { archive: 'a', time: '2026-12-01T10:00:00.000Z', stat: stat(0, null, 'file') },
      { archive: 'c', time: '2026-12-02T10:00:00.000Z', stat: stat(0, '2026-12-02T10:00:00.000Z', 'file') },
    ]);
    expect(v.map((x) => [x.archive, x.changed])).toEqual([
      ['c', true],
      ['b', true],
      ['a', null],
    ]);
    expect(versionsOf([])).toEqual([]);
  });

  it('orders the same way whatever order the archives come in', () => {
    const s = (archive: string, time: string) => ({ archive, time, stat: stat(1) });
    const input = [s('b', '2026-12-01'), s('a', '2026-12-01'), s('c', '2026-12-02'), s('d', '2026-11-30')];
    for (const order of [input, [...input].reverse(), [input[1]!, input[3]!, input[0]!, input[2]!]])
      expect(versionsOf(order).map((x) => x.archive)).toEqual(['c', 'b', 'a', 'd']);
  });
});

describe('which indexes go', () => {
  const f = (name: string, bytes: number, usedAt: number): CachedFile => ({
    file: name,
    repositoryId: REPO,
    archiveId: name,
    bytes,
    usedAt,
  });

  it('drops the least recently used until the rest fit, never the one just written', () => {
    const files = [f('new', 40, 300), f('old', 40, 100), f('mid', 40, 200)];
    expect(evictions(files, 120).map((x) => x.file)).toEqual([]);
    expect(evictions(files, 119).map((x) => x.file)).toEqual(['old']);
    expect(evictions(files, 80).map((x) => x.file)).toEqual(['old']);
    expect(evictions(files, 79).map((x) => x.file)).toEqual(['old', 'mid']);
    expect(evictions(files, 10, new Set(['old'])).map((x) => x.file)).toEqual(['mid', 'new']);
    // Used in the same moment: by name, so every process drops the same one.
    const tie = [f('b', 40, 100), f('a', 40, 100), f('c', 40, 100)];
    expect(evictions(tie, 80).map((x) => x.file)).toEqual(['a']);
    expect(evictions([...tie].reverse(), 40).map((x) => x.file)).toEqual(['a', 'b']);
  });

  it('drops an index whose archive a listing lacks, if the listing would have shown it', () => {
    const indexed = [
      { archiveId: '1', archive: 'mac-daily-1' },
      { archiveId: '2', archive: 'mac-daily-2' },
      { archiveId: '3', archive: 'other-1' },
      { archiveId: '4', archive: 'mac-daily-3.checkpoint' },
      { archiveId: '5', archive: 'renamed' },
    ];
    const listed = [
      { id: '2', name: 'mac-daily-2' },
      { id: '9', name: 'renamed' },
    ];
    const scope = { inScope: archiveScope('{hostname}-daily-*'), checkpoints: false };
    expect(goneArchives(indexed, listed, scope)).toEqual(['1', '5']);
    expect(goneArchives(indexed, listed, { ...scope, checkpoints: true })).toEqual(['1', '4', '5']);
    expect(goneArchives(indexed, listed, { inScope: archiveScope(null), checkpoints: true })).toEqual(['1', '3', '4', '5']);
  });

  it('reads an archive pattern as borg does: * ? [set] [!set], placeholders as anything, the rest literally', () => {
    const s = archiveScope('{hostname}-d?ily-[0-9][!x]*.a+b');
    expect(s('mac-daily-12.a+b')).toBe(true);
    expect(s('mac-daily-1x.a+b')).toBe(false);
    expect(s('mac-daily-12.aab')).toBe(false);
    expect(s('mac-daily-12.a+bc')).toBe(false);
    expect(archiveScope('a[')('a[')).toBe(true);
    expect(archiveScope('a{')('a{')).toBe(true);
    expect(archiveScope('[[]x')('[x')).toBe(true);
    expect(archiveScope('[0-9]')('a')).toBe(false);
    expect(archiveScope('[!x]')('!')).toBe(true);
    expect(archiveScope('[!x]')('x')).toBe(false);
    expect(archiveScope('a[\\]b')('a\\b')).toBe(true);
    expect(archiveScope('a*')('a\nb')).toBe(true);
    expect(archiveScope('a.b')('axb')).toBe(false);
  });
});

describe('the index files on disk', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dandelion-index-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const bytesFor = (archiveId: string, archive: string, n = 50) => {
    const b = new IndexBuilder();
    for (let i = 0; i < n; i++) b.addItem(item('-', `f${i}`, i));
    return { meta: { ...META, archiveId, archive }, bytes: encodeIndex(b.finish(), { ...META, archiveId, archive }) };
  };

  it('writes an index whole and reads it back; a damaged or truncated one is deleted, never read', async () => {
    const store = new IndexStore(dir);
    const { meta, bytes } = bytesFor(idOf(1), 'a1');
    const file = await store.write(meta, bytes);
    expect(fs.readdirSync(path.dirname(file))).toEqual([`${idOf(1)}.idx`]);
    expect((fs.statSync(file).mode & 0o777).toString(8)).toBe('600');
    const opened = store.open(REPO, idOf(1))!;
    expect(opened.index.meta.archive).toBe('a1');
    expect(opened.index.stat(opened.index.lookup('f7')!).size).toBe(7);
    opened.close();

    const flipped = Buffer.from(bytes);
    flipped[flipped.length - 5]! ^= 1;
    fs.writeFileSync(file, flipped);
    expect(new IndexStore(dir).open(REPO, idOf(1))).toBeNull();
    expect(fs.existsSync(file)).toBe(false);

    fs.writeFileSync(file, bytes.subarray(0, bytes.length - 100));
    expect(new IndexStore(dir).open(REPO, idOf(1))).toBeNull();
    expect(fs.existsSync(file)).toBe(false);

    // An index file under another archive's name is not that archive's index.
    fs.writeFileSync(store.fileFor(REPO, idOf(2)), bytes);
    expect(store.open(REPO, idOf(2))).toBeNull();
    expect(() => store.fileFor(REPO, '../../etc')).toThrow();
  });

  it('keeps the total under its cap by dropping the least recently used', async () => {
    const one = bytesFor(idOf(1), 'a1');
    const store = new IndexStore(dir, one.bytes.length * 2 + 10);
    const f1 = await store.write(one.meta, one.bytes);
    const two = bytesFor(idOf(2), 'a2');
    const f2 = await store.write(two.meta, two.bytes);
    fs.utimesSync(f1, new Date(Date.now() - 120_000), new Date(Date.now() - 120_000));
    fs.utimesSync(f2, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    // Using the first makes the second the least recently used.
    store.open(REPO, idOf(1))!.close();
    expect(fs.statSync(f1).mtimeMs).toBeGreaterThan(Date.now() - 10_000);
    const three = bytesFor(idOf(3), 'a3');
    await store.write(three.meta, three.bytes);
    expect(fs.existsSync(f1)).toBe(true);
    expect(fs.existsSync(f2)).toBe(false);
    expect(await store.usage()).toBeLessThanOrEqual(one.bytes.length * 2 + 10);
  });

  it('drops the indexes of archives a listing shows gone', async () => {
    const store = new IndexStore(dir);
    for (const [n, name] of [
      [1, 'mac-1'],
      [2, 'mac-2'],
      [3, 'other-1'],
    ] as const) {
      const { meta, bytes } = bytesFor(idOf(n), name);
      await store.write(meta, bytes);
    }
    const gone = await store.dropGone(REPO, [{ id: idOf(2), name: 'mac-2' }], { inScope: archiveScope('mac-*'), checkpoints: false });
    expect(gone).toEqual([idOf(1)]);
    expect((await store.files()).map((f) => f.archiveId).sort()).toEqual([idOf(2), idOf(3)]);
    expect(await store.dropGone('cd'.repeat(32), [], { inScope: () => true, checkpoints: true })).toEqual([]);
  });
});

describe('when a listing of archives is still good, and which archive a name means', () => {
  it('is good until a run ends after it, or for 15 minutes', () => {
    expect(catalogFresh(1000, null, 2000)).toBe(true);
    expect(catalogFresh(1000, 999, 2000)).toBe(true);
    expect(catalogFresh(1000, 1000, 2000)).toBe(false);
    expect(catalogFresh(1000, null, 1000 + CATALOG_MAX_AGE_MS - 1)).toBe(true);
    expect(catalogFresh(1000, null, 1000 + CATALOG_MAX_AGE_MS)).toBe(false);
    expect(catalogFresh(1000, null, 999)).toBe(false);
  });

  it('takes latest as the newest archive that is not a checkpoint', () => {
    const list = [
      { name: 'b', id: '2', start: '2026-12-02T10:00:00.000Z' },
      { name: 'c.checkpoint', id: '3', start: '2026-12-03T10:00:00.000Z' },
      { name: 'a', id: '1', start: '2026-12-01T10:00:00.000Z' },
    ];
    expect(pickArchive(list, 'latest')?.name).toBe('b');
    expect(pickArchive(list, 'a')?.id).toBe('1');
    expect(pickArchive(list, 'zzz')).toBeNull();
    expect(pickArchive([], 'latest')).toBeNull();
  });

  it('of archives started in the same second (borg 1.2 lists seconds), latest is the one borg lists last', () => {
    const second = '2026-12-03T13:40:12.000000';
    const list = [
      { name: 't-1', id: '1', start: '2026-12-03T13:40:11.000000' },
      { name: 't-2', id: '2', start: second },
      { name: 't-3', id: '3', start: second },
    ];
    expect(pickArchive(list, 'latest')?.name).toBe('t-3');
  });
});

describe('the browser over its indexes', () => {
  let dir: string;
  const profile = { id: 'p', repository: '/r' } as Profile;
  let lists: string[];
  let catalogs: number;
  let archives: { name: string; id: string; start: string }[];
  const contents: Record<string, ListedItem[]> = {};
  let clock = 1_000_000;

  function browser(extra: Partial<BrowseDeps> = {}): ArchiveBrowser {
    return new ArchiveBrowser({
      store: new IndexStore(dir),
      listArchives: async () => {
        catalogs++;
        return ok({ repositoryId: REPO, archives });
      },
      listItems: async (_p, archive, onStdout) => {
        lists.push(archive);
        const items = contents[archive];
        if (!items) return failed({ kind: 'archive-missing', message: 'gone', fix: '' });
        // Three chunks, a turn of the event loop apart, as borg's pipe gives them.
        const text = Buffer.from(items.map((i) => JSON.stringify(i)).join('\n') + '\n');
        for (let at = 0; at < text.length; at += Math.ceil(text.length / 3)) {
          onStdout(text.subarray(at, at + Math.ceil(text.length / 3)));
          clock += 200;
          await new Promise((r) => setImmediate(r));
        }
        return ok(undefined);
      },
      lastChange: async () => null,
      archiveGlob: () => null,
      diagnose: (_p, kind, facts) => ({ kind, message: JSON.stringify(facts), fix: '' }),
      now: () => clock,
      ...extra,
    });
  }

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dandelion-browser-'));
    lists = [];
    catalogs = 0;
    archives = [
      { name: 'a1', id: idOf(1), start: '2026-12-01T10:00:00.000Z' },
      { name: 'a2', id: idOf(2), start: '2026-12-02T10:00:00.000Z' },
    ];
    contents.a1 = [
      item('d', 'home/me'),
      item('-', 'home/me/f.txt', 1),
      ...Array.from({ length: 30 }, (_, i) => item('-', `home/me/n${i}`, i)),
    ];
    contents.a2 = [item('d', 'home/me'), item('-', 'home/me/f.txt', 2, '2026-12-02T09:00:00.000000'), item('-', 'home/me/g.txt', 1)];
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads an archive once: later folders, searches and a new process answer from the index', async () => {
    const b = browser();
    const partial: FolderEntry[][] = [];
    const top = await b.listFolder(profile, 'a1', 'home/me', { onPartial: (e) => partial.push(e) });
    expect(top.ok && top.value.map((e) => e.name).slice(0, 3)).toEqual(['f.txt', 'n0', 'n1']);
    // Entries came before the pass ended, in more than one piece.
    expect(partial.length).toBeGreaterThan(1);
    expect(
      partial
        .flat()
        .map((e) => e.name)
        .sort(),
    ).toEqual(top.ok ? top.value.map((e) => e.name).sort() : []);
    await b.settle();
    expect(await b.listFolder(profile, 'a1', '')).toMatchObject({ ok: true, value: [{ name: 'home', mtime: null }] });
    expect(await b.find(profile, 'a1', 'F.TXT')).toMatchObject({ ok: true, value: { entries: [{ path: 'home/me/f.txt' }], more: false } });
    const fresh = browser();
    expect((await fresh.listFolder(profile, 'a1', 'home')).ok).toBe(true);
    expect(lists).toEqual(['a1']);
    expect(catalogs).toBe(2);
  });

  it('answers versions from every archive, making the missing indexes once', async () => {
    const b = browser();
    const progress: number[] = [];
    const v = await b.versions(profile, 'home/me/f.txt', { onProgress: (done) => progress.push(done) });
    expect(v.ok && v.value.map((x) => [x.archive, x.size, x.changed])).toEqual([
      ['a2', 2, true],
      ['a1', 1, null],
    ]);
    expect(progress).toEqual([1, 2]);
    const g = await b.versions(profile, '/home/me/g.txt/');
    expect(g.ok && g.value.map((x) => x.archive)).toEqual(['a2']);
    expect(await b.versions(profile, 'nowhere')).toEqual({ ok: true, value: [] });
    expect(lists).toEqual(['a1', 'a2']);
  });

  it('says which archive or folder is missing', async () => {
    const b = browser();
    expect((await b.listFolder(profile, 'a1', '')).ok).toBe(true);
    clock += 5000;
    expect(await b.listFolder(profile, 'zz', '')).toMatchObject({ ok: false, diagnosis: { kind: 'archive-missing' } });
    // A name not in the listing is listed again once (a backup may have just made it).
    expect(catalogs).toBe(2);
    expect(await b.listFolder(profile, 'a1', 'home/none')).toMatchObject({ ok: false, diagnosis: { kind: 'path-missing' } });
    expect(await b.listFolder(profile, 'a1', 'home/me/f.txt')).toMatchObject({
      ok: false,
      diagnosis: { kind: 'path-missing', message: expect.stringContaining('a folder in') as string },
    });
    archives = [];
    expect(await browser().listFolder(profile, 'latest', '')).toMatchObject({
      ok: false,
      diagnosis: { kind: 'archive-missing', message: '{}' },
    });
  });

  it('takes latest as the newest archive that is not a checkpoint, and browses a checkpoint named', async () => {
    archives.push({ name: 'a3.checkpoint', id: idOf(3), start: '2026-12-03T10:00:00.000Z' });
    contents['a3.checkpoint'] = [item('-', 'half.txt', 1)];
    const b = browser();
    const r = await b.listFolder(profile, 'latest', 'home/me');
    expect(r.ok && r.value.map((e) => e.name)).toEqual(['f.txt', 'g.txt']);
    const c = await b.listFolder(profile, 'a3.checkpoint', '');
    expect(c.ok && c.value.map((e) => e.name)).toEqual(['half.txt']);
    const v = await b.versions(profile, 'home/me/g.txt');
    expect(v.ok && v.value.map((x) => x.archive)).toEqual(['a2']);
    expect(lists.filter((a) => a === 'a3.checkpoint')).toHaveLength(1);
  });

  it('lists the archives again after a run of the profile ended, and drops indexes of archives gone', async () => {
    let last: number | null = null;
    const b = browser({ lastChange: async () => last });
    await b.listFolder(profile, 'a1', '');
    await b.listFolder(profile, 'a2', '');
    await b.settle();
    expect(catalogs).toBe(1);
    last = clock + 1;
    clock += 10;
    archives = archives.filter((a) => a.name !== 'a1');
    expect(await b.listFolder(profile, 'a2', 'home')).toMatchObject({ ok: true });
    expect(catalogs).toBe(2);
    expect(fs.existsSync(path.join(dir, REPO, `${idOf(1)}.idx`))).toBe(false);
    expect(fs.existsSync(path.join(dir, REPO, `${idOf(2)}.idx`))).toBe(true);
  });

  it('reads the archive again when its index file was damaged', async () => {
    const b = browser();
    await b.listFolder(profile, 'a1', '');
    await b.settle();
    const file = path.join(dir, REPO, `${idOf(1)}.idx`);
    const bytes = fs.readFileSync(file);
    bytes[bytes.length - 2]! ^= 0xff;
    fs.writeFileSync(file, bytes);
    const again = browser();
    const found = await again.find(profile, 'a1', 'n2?');
    expect(found.ok && found.value.entries.map((e) => e.name)).toEqual([
      'n20',
      'n21',
      'n22',
      'n23',
      'n24',
      'n25',
      'n26',
      'n27',
      'n28',
      'n29',
    ]);
    expect(lists).toEqual(['a1', 'a1']);
  });

  it('answers from memory when the index cannot be written', async () => {
    const store = new IndexStore(dir);
    store.write = async () => {
      throw Object.assign(new Error('no space'), { code: 'ENOSPC' });
    };
    const b = browser({ store });
    expect((await b.listFolder(profile, 'a1', '')).ok).toBe(true);
    expect((await b.listFolder(profile, 'a1', 'home/me')).ok).toBe(true);
    expect(lists).toEqual(['a1']);
  });

  it('passes on the failure of the pass and keeps nothing from it', async () => {
    const b = browser();
    delete contents.a1;
    expect(await b.listFolder(profile, 'a1', '')).toMatchObject({ ok: false, diagnosis: { kind: 'archive-missing' } });
    await b.settle();
    expect(fs.existsSync(path.join(dir, REPO))).toBe(false);
  });
});
