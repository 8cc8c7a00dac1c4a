import { describe, expect, it } from 'vitest';
import { deviceGroups, holdingFolders, mountPoints } from '../../src/ops/restore-devices.js';
import type { ScanItem } from '../../src/ops/restore-plan.js';

const file = (path: string, size = 10, source = ''): ScanItem => ({ type: '-', path, source, size });
const dir = (path: string): ScanItem => ({ type: 'd', path, source: '', size: 0 });

/** A fake file system: the device of each real folder under the target ('' = the target). */
const devices =
  (map: Record<string, number>, asked: string[] = []) =>
  async (p: string): Promise<number | null> => {
    asked.push(p);
    return map[p] ?? null;
  };

describe('holdingFolders', () => {
  it('lists every folder that holds a member, parents first, once', () => {
    expect(holdingFolders([file('a/b/c.txt'), file('a/b/d.txt'), dir('a/e'), file('top.txt')])).toEqual(['a', 'a/b']);
  });
});

describe('mountPoints', () => {
  it('finds a folder on another device than the folder above it, at any depth', async () => {
    const found = await mountPoints(
      ['home', 'home/me', 'home/me/img', 'srv'],
      devices({ '': 1, home: 2, 'home/me': 2, 'home/me/img': 3, srv: 1 }),
    );
    expect(found).toEqual(['home', 'home/me/img']);
  });

  it('asks nothing below a folder that is missing or a link, and finds no mount there', async () => {
    const asked: string[] = [];
    const found = await mountPoints(['gone', 'gone/x', 'gone/x/y', 'ok'], devices({ '': 1, 'gone/x': 5, ok: 1 }, asked));
    expect(found).toEqual([]);
    expect(asked).toEqual(['', 'gone', 'ok']);
  });

  it('answers in path order, whatever the depth', async () => {
    expect(await mountPoints(['a', 'a/m', 'b'], devices({ '': 1, a: 1, 'a/m': 2, b: 3 }))).toEqual(['a/m', 'b']);
  });

  it('asks at most 64 at a time, each folder once', async () => {
    const names = Array.from({ length: 200 }, (_, i) => `f${String(i).padStart(3, '0')}`);
    let inFlight = 0;
    let most = 0;
    const asked: string[] = [];
    const found = await mountPoints(names, async (p) => {
      asked.push(p);
      most = Math.max(most, ++inFlight);
      await new Promise((res) => setTimeout(res, 1));
      inFlight--;
      return p === 'f150' ? 9 : 1;
    });
    expect(found).toEqual(['f150']);
    expect(most).toBe(64);
    expect(asked).toHaveLength(201);
  });

  it('none when everything is on the target’s device', async () => {
    expect(await mountPoints(['a', 'a/b'], devices({ '': 7, a: 7, 'a/b': 7 }))).toEqual([]);
  });
});

describe('deviceGroups', () => {
  const items = [dir('src'), file('src/out.txt', 5), dir('src/mnt'), file('src/mnt/in.txt', 7), file('src/mnt/sub/deep.txt', 11)];

  it('without a mount point: one part, the selection as asked, staged where its paths meet', () => {
    expect(deviceGroups(['src/a', 'src/b'], [file('src/a', 1), file('src/b', 2)], [])).toEqual([
      { root: '', paths: ['src/a', 'src/b'], excludes: [], stagingUnder: 'src', files: 2, bytes: 3 },
    ]);
  });

  it('a mount point inside a folder restored whole: that folder without it, and the mount point on its own', () => {
    const groups = deviceGroups(['src'], items, ['src/mnt']);
    expect(groups).toEqual([
      { root: '', paths: ['src'], excludes: ['re:^src/mnt\\Z', 're:^src/mnt/'], stagingUnder: '', files: 1, bytes: 5 },
      { root: 'src/mnt', paths: ['src/mnt'], excludes: [], stagingUnder: 'src/mnt', files: 2, bytes: 18 },
    ]);
  });

  it('the whole archive: everything but the mount, and the mount; the first part staged where its files are', () => {
    const groups = deviceGroups([], items, ['src/mnt']);
    expect(groups.map((g) => [g.root, g.paths, g.stagingUnder])).toEqual([
      ['', [], 'src'],
      ['src/mnt', ['src/mnt'], 'src/mnt'],
    ]);
  });

  it('a path asked for inside a mount goes to that part only (the other part never names it)', () => {
    const groups = deviceGroups(['src/out.txt', 'src/mnt/sub'], [file('src/out.txt', 5), file('src/mnt/sub/deep.txt', 11)], ['src/mnt']);
    expect(groups).toEqual([
      { root: '', paths: ['src/out.txt'], excludes: ['re:^src/mnt\\Z', 're:^src/mnt/'], stagingUnder: 'src', files: 1, bytes: 5 },
      { root: 'src/mnt', paths: ['src/mnt/sub'], excludes: [], stagingUnder: 'src/mnt', files: 1, bytes: 11 },
    ]);
  });

  it('nested mounts: each part leaves out the ones below it; parts with nothing in them are dropped', () => {
    const nested = [file('a/x', 1), file('a/m/y', 2), file('a/m/n/z', 3)];
    const groups = deviceGroups(['a'], nested, ['a/m', 'a/m/n', 'a/empty']);
    expect(groups.map((g) => ({ root: g.root, paths: g.paths, excludes: g.excludes }))).toEqual([
      { root: '', paths: ['a'], excludes: ['re:^a/m\\Z', 're:^a/m/', 're:^a/m/n\\Z', 're:^a/m/n/', 're:^a/empty\\Z', 're:^a/empty/'] },
      { root: 'a/m', paths: ['a/m'], excludes: ['re:^a/m/n\\Z', 're:^a/m/n/'] },
      { root: 'a/m/n', paths: ['a/m/n'], excludes: [] },
    ]);
  });

  it('all of it under a mount: one part, staged inside the mount, not above it', () => {
    const groups = deviceGroups(['home'], [dir('home'), file('home/me/a', 4)], ['home']);
    expect(groups).toEqual([{ root: 'home', paths: ['home'], excludes: [], stagingUnder: 'home', files: 1, bytes: 4 }]);
  });

  it('a hardlink counts its bytes once, with its source', () => {
    const groups = deviceGroups([], [file('a', 100), file('b', 100, 'a'), { type: 'l', path: 'c', source: 'a', size: 5 }], []);
    expect(groups[0]).toMatchObject({ files: 3, bytes: 105 });
  });

  it('several paths asked for: each part gets those that hold something of it, a mount inside one of them whole', () => {
    const groups = deviceGroups(['a', 'b', 'z'], [file('a/1', 1), file('b/2', 2), file('b/m/3', 3), file('z/m2/4', 4)], ['b/m', 'z/m2']);
    expect(groups.map((g) => [g.root, g.paths])).toEqual([
      ['', ['a', 'b']],
      ['b/m', ['b/m']],
      ['z/m2', ['z/m2']],
    ]);
  });
});
