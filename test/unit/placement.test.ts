import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  checkPlacement,
  deviceOf,
  entryKind,
  excludedWithin,
  lexicalFacts,
  placementFindings,
  realPathOf,
  systemFolders,
  within,
  type PlacementFacts,
} from '../../src/profiles/placement.js';
import { parseConfig } from '../../src/profiles/schema.js';

const HOME = '/Users/u';

function facts(over: Partial<PlacementFacts> = {}): PlacementFacts {
  const repository = over.repository ?? '/Volumes/disk/repo';
  return {
    home: HOME,
    volumesRoot: '/Volumes',
    repository,
    repositoryReal: over.repositoryReal ?? repository,
    repositoryKind: 'missing',
    sources: [{ written: '~/Documents', real: '/Users/u/Documents' }],
    excludes: [],
    ...over,
  };
}

const said = (f: PlacementFacts) => placementFindings(f).map((x) => `${x.field}: ${x.message}`);

describe('placementFindings', () => {
  it('accepts a repository on another disk, and one at the top of an external disk', () => {
    expect(said(facts())).toEqual([]);
    expect(said(facts({ repository: '/Volumes/disk', repositoryKind: 'folder' }))).toEqual([]);
    expect(said(facts({ repository: '/Users/u/Backups/borg', repositoryKind: 'folder' }))).toEqual([]);
  });

  it('refuses a file, something that is not a folder, and a path through a file, each in its own words', () => {
    expect(said(facts({ repository: '/Volumes/disk/notes.txt', repositoryKind: 'file' }))).toEqual([
      'repository: /Volumes/disk/notes.txt is a file: a repository is a folder; choose the folder that holds the repository, or a new folder for a new one',
    ]);
    expect(said(facts({ repositoryKind: 'other' }))[0]).toContain('/Volumes/disk/repo is not a folder: a repository is a folder');
    expect(said(facts({ repositoryKind: 'below-file' }))[0]).toContain(
      '/Volumes/disk/repo is inside a file, not a folder: a repository is a folder',
    );
  });

  it('refuses the top of the system disk, the folder of home folders, the home folder and the folder disks appear in', () => {
    const top = (repository: string, repositoryReal = repository) =>
      said(facts({ repository, repositoryReal, repositoryKind: 'folder', sources: [] }));
    expect(top('/')).toEqual(['repository: / is the top of the system disk: a repository needs a folder of its own, e.g. /Backups/borg']);
    expect(top('/System/Volumes/Data')[0]).toContain('/System/Volumes/Data is the top of the system disk');
    expect(top('/Users')[0]).toContain('/Users is the folder that holds the home folders');
    expect(top('/home')[0]).toContain('/home is the folder that holds the home folders');
    expect(top('/Users/u')).toEqual([
      'repository: /Users/u is your home folder itself: a repository needs a folder of its own, e.g. /Users/u/Backups/borg',
    ]);
    expect(top('/Volumes')[0]).toContain('/Volumes is the folder disks appear in, not a disk');
    // Through a link: the real folder decides.
    expect(top('/Volumes/link', '/')[0]).toContain('/Volumes/link is the top of the system disk');
    expect(said(facts({ repository: '/Volumes', volumesRoot: null, sources: [] }))).toEqual([]);
    expect(said(facts({ repository: '/', volumesRoot: null, sources: [] }))[0]).toContain('/ is the top of the system disk');
    // The words follow whichever of the written and the real path is the special folder.
    expect(top('/Volumes/l', '/Users/u')[0]).toContain('/Volumes/l is your home folder itself');
    expect(top('/Users/u', '/elsewhere')[0]).toContain('/Users/u is your home folder itself');
    expect(top('/Volumes/m', '/Volumes')[0]).toContain('the folder disks appear in');
  });

  it('refuses a repository that is a source or inside one, unless an exclude leaves it out', () => {
    expect(said(facts({ repository: '/Users/u/Documents/borg' }))).toEqual([
      'repository: /Users/u/Documents/borg is inside ~/Documents, which is backed up: each backup would copy the repository into itself; move the repository elsewhere, or add "/Users/u/Documents/borg" under Also leave out',
    ]);
    expect(said(facts({ repository: '/Users/u/Documents' }))).toEqual([
      'repository: /Users/u/Documents is the folder ~/Documents that is backed up: each backup would copy the repository into itself; keep the repository in a folder of its own, outside what is backed up',
    ]);
    expect(said(facts({ repository: '/Users/u/Documents/backups/borg', excludes: ['~/Documents/backups'] }))).toEqual([]);
    expect(said(facts({ repository: '/Users/u/Documents/borg', excludes: ['~/Documents/borg'] }))).toEqual([]);
    expect(said(facts({ repository: '/Users/u/Documents/borg', excludes: ['re:[', '*.tmp'] }))).toHaveLength(1);
    // A repository beside the source, with a similar name, is fine.
    expect(said(facts({ repository: '/Users/u/Documents2' }))).toEqual([]);
    // Through a link into a source.
    expect(said(facts({ repository: '/Volumes/disk/repo', repositoryReal: '/Users/u/Documents/repo' }))[0]).toContain(
      'is inside ~/Documents',
    );
  });

  it('with --one-file-system, a repository on another filesystem than its source is fine', () => {
    const onSlash = (over: Partial<PlacementFacts>) =>
      said(facts({ repository: '/Volumes/disk/repo', sources: [{ written: '/', real: '/', device: 1 }], ...over }));
    expect(onSlash({})[0]).toContain('/Volumes/disk/repo is inside /, which is backed up');
    expect(onSlash({ oneFileSystem: true, repositoryDevice: 2 })).toEqual([]);
    expect(onSlash({ oneFileSystem: true, repositoryDevice: 1 })[0]).toContain('is inside /');
    expect(onSlash({ oneFileSystem: false, repositoryDevice: 2 })[0]).toContain('is inside /');
    // Devices not looked at (the schema): left to the filesystem check.
    expect(said(facts({ repository: '/Volumes/disk/repo', sources: [{ written: '/', real: '/' }], oneFileSystem: true }))).toEqual([]);
    expect(
      said(facts({ repository: '/Volumes/disk/repo', sources: [{ written: '/', real: '/', device: 1 }], oneFileSystem: true })),
    ).toEqual([]);
    expect(
      said(facts({ repository: '/Volumes/disk/repo', sources: [{ written: '/', real: '/' }], oneFileSystem: true, repositoryDevice: 1 })),
    ).toEqual([]);
  });

  it('refuses a source inside the repository, at that source', () => {
    expect(
      said(
        facts({
          repository: '/Users/u/Backups',
          sources: [
            { written: '/Users/u/Desktop', real: '/Users/u/Desktop' },
            { written: '~/Backups/x/', real: '/Users/u/Backups/x' },
          ],
        }),
      ),
    ).toEqual([
      'sources[1]: ~/Backups/x is inside the repository /Users/u/Backups: it would back the repository up into itself; choose the folders with your own files',
    ]);
  });

  it('says nothing about a repository it did not look at, or one that is a folder or missing', () => {
    for (const repositoryKind of ['unknown', 'folder', 'missing'] as const) expect(said(facts({ repositoryKind }))).toEqual([]);
  });

  it('names a source as written, without a trailing slash; a source of / holds every repository', () => {
    expect(said(facts({ repository: '/data/repo', sources: [{ written: '/data//', real: '/data' }] }))[0]).toContain(
      'is inside /data, which',
    );
    expect(said(facts({ repository: '/srv/repo', sources: [{ written: '/', real: '/' }] }))[0]).toContain('is inside /, which');
    expect(said(facts({ repository: '/srv/repo', sources: [{ written: '/', real: '/' }], excludes: ['/srv'] }))).toEqual([]);
  });

  it('says everything that is wrong, and stops at a file', () => {
    expect(said(facts({ repository: '/Users/u', sources: [{ written: '/', real: '/' }] }))).toHaveLength(2);
    expect(said(facts({ repository: '/Users/u/Documents', repositoryKind: 'file' }))).toHaveLength(1);
  });
});

describe('helpers', () => {
  it('within compares whole folder names', () => {
    expect([
      within('/a/b', '/a'),
      within('/a', '/a'),
      within('/ab', '/a'),
      within('/a', '/a/b'),
      within('/x', '/'),
      within('/', '/'),
    ]).toEqual([true, true, false, false, true, true]);
  });

  it('systemFolders', () => {
    expect(systemFolders('/Users/u/', '~/Disks')).toEqual(['/', '/System/Volumes/Data', '/Users', '/home', '/Users/u', '/Users/u/Disks']);
    expect(systemFolders('/home/u', null)).toEqual(['/', '/System/Volumes/Data', '/Users', '/home', '/home/u']);
  });

  it('excludedWithin looks at the target and the folders between it and the source, not the source itself', () => {
    const m = (s: string) => (p: string) => p === s;
    expect(excludedWithin([m('a/b/c')], '/a', '/a/b/c')).toBe(true);
    expect(excludedWithin([m('a/b')], '/a', '/a/b/c')).toBe(true);
    expect(excludedWithin([m('a')], '/a', '/a/b/c')).toBe(false);
    expect(excludedWithin([], '/a', '/a/b')).toBe(false);
  });

  it('lexicalFacts expands ~ and leaves ssh repositories alone', () => {
    expect(lexicalFacts({ repository: 'ssh://u@h/./r', sources: ['~'], excludes: [] }, HOME, null)).toBeNull();
    expect(lexicalFacts({ repository: '~/x/', sources: ['~/Documents/', '/a/./b'], excludes: ['*.tmp'] }, HOME, '/Volumes')).toEqual({
      home: HOME,
      volumesRoot: '/Volumes',
      repository: '/Users/u/x',
      repositoryReal: '/Users/u/x',
      repositoryKind: 'unknown',
      sources: [
        { written: '~/Documents/', real: '/Users/u/Documents' },
        { written: '/a/./b', real: '/a/b' },
      ],
      excludes: ['*.tmp'],
      oneFileSystem: false,
    });
    expect(lexicalFacts({ repository: '/r', sources: [], excludes: [], oneFileSystem: true }, HOME, null)?.oneFileSystem).toBe(true);
  });
});

describe('with the filesystem', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'placement-')));
    await fs.mkdir(path.join(dir, 'src/sub'), { recursive: true });
    await fs.writeFile(path.join(dir, 'file'), 'x');
    await fs.symlink(path.join(dir, 'src'), path.join(dir, 'link'));
  });
  afterAll(() => fs.rm(dir, { recursive: true, force: true }));

  it('entryKind and realPathOf', async () => {
    expect(await entryKind(path.join(dir, 'src'))).toBe('folder');
    expect(await entryKind(path.join(dir, 'file'))).toBe('file');
    expect(await entryKind(path.join(dir, 'file/x'))).toBe('below-file');
    expect(await entryKind(path.join(dir, 'none'))).toBe('missing');
    expect(await entryKind('/dev/null')).toBe('other');
    expect(await realPathOf(path.join(dir, 'link/sub'))).toBe(path.join(dir, 'src/sub'));
    expect(await realPathOf(path.join(dir, 'link/new/repo'))).toBe(path.join(dir, 'src/new/repo'));
    expect(await realPathOf('/')).toBe('/');
    // Any other error (here a name too long): not known, so nothing is said about it.
    expect(await entryKind(path.join(dir, 'x'.repeat(300)))).toBe('unknown');
    const dev = (await fs.stat(dir)).dev;
    expect(await deviceOf(path.join(dir, 'src'))).toBe(dev);
    expect(await deviceOf(path.join(dir, 'not/yet/there'))).toBe(dev);
  });

  it('checkPlacement finds a file and a repository reached through a link', async () => {
    const src = path.join(dir, 'src');
    expect(await checkPlacement({ repository: path.join(dir, 'file'), sources: [src], excludes: [] }, HOME, null)).toEqual([
      {
        field: 'repository',
        message: `${dir}/file is a file: a repository is a folder; choose the folder that holds the repository, or a new folder for a new one`,
      },
    ]);
    const viaLink = await checkPlacement({ repository: path.join(dir, 'link/repo'), sources: [src], excludes: [] }, HOME, null);
    expect(viaLink.map((f) => f.field)).toEqual(['repository']);
    expect(await checkPlacement({ repository: path.join(dir, 'repo'), sources: [src], excludes: [] }, HOME, null)).toEqual([]);
    expect(await checkPlacement({ repository: 'u@h:repo', sources: [src], excludes: [] }, HOME, null)).toEqual([]);
    // Same filesystem: --one-file-system does not help.
    expect(
      await checkPlacement({ repository: path.join(src, 'repo'), sources: [src], excludes: [], oneFileSystem: true }, HOME, null),
    ).toHaveLength(1);
  });
});

describe('the schema refuses what it can see without the filesystem', () => {
  it('at profiles[i].repository and profiles[i].sources[j]', () => {
    const r = parseConfig({
      profiles: [
        { id: 'a', repository: '~/Documents/borg', sources: ['~/Documents'] },
        { id: 'b', repository: '/Volumes/disk/borg', sources: ['~/Pictures', '/Volumes/disk/borg/x'] },
        { id: 'c', repository: '~/Documents/b2', sources: ['~/Documents'], excludes: ['~/Documents/b2'] },
      ],
    });
    expect(r.ok ? [] : r.errors.map((e) => e.path)).toEqual(['profiles[0].repository', 'profiles[1].sources[1]']);
  });
});
