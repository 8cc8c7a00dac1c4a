import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { appSettings, globsOverlap, globsWitness, parseConfig } from '../../src/profiles/schema.js';
import { CONFIG_VERSION, migrateConfig, type MigrationStep } from '../../src/profiles/migrate.js';
import { cronError } from '../../src/schedule/cron.js';
import { describeError, loadConfig, saveConfig } from '../../src/profiles/store.js';
import { defaultConfigDir } from '../../src/paths.js';

const seed = {
  volumesRoot: '/Volumes',
  profiles: [
    {
      id: 'offsite',
      name: 'Storage box',
      repository: 'ssh://u123@u123.your-storagebox.de:23/./backup/mbp2015',
      sshKey: '~/.ssh/storagebox_key',
      encryption: 'repokey-blake2' as const,
      sources: ['~/Documents', '~/Pictures'],
      excludes: ['*/node_modules', '*/.Trash'],
      archiveName: '{hostname}-daily-{now}',
      compression: 'auto,lzma,6',
      prune: { keepDaily: 7, keepWeekly: 5, keepMonthly: 6 },
      schedule: '0 12 * * *',
      volume: null,
      minIntervalHours: 24,
    },
  ],
};

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dandelion-cfg-'));
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  for (const dir of dirs) await fs.rm(dir, { recursive: true, force: true });
});

const minimalProfile = { id: 'a', repository: '/r', encryption: 'none', sources: ['/s'] };

describe('config.json', () => {
  it('accepts the example from the design and fills defaults', () => {
    const r = parseConfig(seed);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.config.profiles[0]).toMatchObject({ oneFileSystem: false, skipOnBattery: false, minIntervalHours: 24 });
    const minimal = parseConfig({ profiles: [{ id: 'a', repository: '/r', encryption: 'none', sources: ['/s'] }] });
    expect(minimal.ok && minimal.config.profiles[0]).toMatchObject({
      archiveName: '{hostname}-daily-{now}',
      compression: 'lz4',
      excludes: [],
    });
  });

  it('names the field of each problem', () => {
    const bad = structuredClone(seed) as { profiles: Record<string, unknown>[] };
    bad.profiles.push({ ...bad.profiles[0], id: 'Bad Id', schedule: 'every day', encryption: 'rot13', sources: [], colour: 'red' });
    bad.profiles.push({ ...bad.profiles[0] });
    const r = parseConfig(bad);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const text = r.errors.map((e) => `${e.path}: ${e.message}`);
    expect(text).toContain(`profiles[1].schedule: ${cronError('every day')}`);
    expect(text).toContain('profiles[1].id: use lower-case letters, digits and dashes');
    expect(text.some((t) => t.startsWith('profiles[1].encryption: must be one of none'))).toBe(true);
    expect(text).toContain('profiles[1].sources: needs at least one folder to back up');
    expect(text).toContain('profiles[1]: unknown field(s) colour');
    expect(text).toContain('profiles[2].id: duplicate id "offsite" (also profiles[0])');
  });

  it('rejects prune rules that keep nothing', () => {
    const r = parseConfig({ profiles: [{ id: 'a', repository: '/r', encryption: 'none', sources: ['/s'], prune: {} }] });
    expect(r.ok).toBe(false);
  });

  it('reports a broken file and leaves it byte for byte; an explicit valid save replaces it', async () => {
    const file = path.join(await tempDir(), 'config.json');
    await fs.writeFile(file, '{ "profiles": [ { "id": ');
    const r = await loadConfig(file);
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.errors[0]).toEqual({
        path: '(file)',
        message: 'line 1, column 25: the file ends where a value should be',
        line: 1,
        column: 25,
      });
    expect(await fs.readFile(file, 'utf8')).toBe('{ "profiles": [ { "id": ');
    const bad = await saveConfig(file, { profiles: [{ id: 'X', repository: '/r', encryption: 'none', sources: ['/s'] }] });
    expect(bad).toEqual({ ok: false, errors: [{ path: 'profiles[0].id', message: 'use lower-case letters, digits and dashes' }] });
    expect(await fs.readFile(file, 'utf8')).toBe('{ "profiles": [ { "id": ');
    expect(await saveConfig(file, seed)).toMatchObject({ ok: true });
    expect(JSON.parse(await fs.readFile(file, 'utf8'))).toEqual({ version: CONFIG_VERSION, ...seed });
  });

  it('describes an error as a person reads it, with the line when there is one', () => {
    expect(describeError('/c.json', { path: '(file)', message: 'line 2, column 3: x', line: 2, column: 3 })).toBe(
      '/c.json line 2, column 3: x',
    );
    expect(describeError('/c.json', { path: 'profiles[0].id', message: 'bad', line: 4, column: 9 })).toBe(
      '/c.json line 4, column 9: profiles[0].id: bad',
    );
    expect(describeError('/c.json', { path: 'version', message: 'newer' })).toBe('/c.json: version: newer');
  });

  it('treats a missing file as an empty config', async () => {
    const r = await loadConfig('/nonexistent/dandelion/config.json');
    expect(r).toMatchObject({ ok: true, exists: false, config: { profiles: [] } });
  });

  it('puts the config where Electron userData is', () => {
    expect(defaultConfigDir({ DANDELION_CONFIG_DIR: '/x/y' }, 'linux')).toBe('/x/y');
    expect(defaultConfigDir({}, 'darwin')).toBe(path.join(os.homedir(), 'Library/Application Support/Dandelion'));
    expect(defaultConfigDir({ XDG_CONFIG_HOME: '/xdg' }, 'linux')).toBe('/xdg/Dandelion');
    expect(defaultConfigDir({}, 'linux')).toBe(path.join(os.homedir(), '.config/Dandelion'));
  });
});

/** The step a real rename would add: pretend version 1 called a profile's repository `repo` and version 2 renamed it. */
const renameRepo: MigrationStep = (config) => ({
  ...config,
  profiles: (config.profiles as Record<string, unknown>[]).map(({ repo, ...p }) => ({ ...p, repository: repo })),
});

describe('config.json versions', () => {
  it('a file without a version is version 1, the current one: nothing to convert', () => {
    const raw = { profiles: [minimalProfile] };
    expect(CONFIG_VERSION).toBe(1);
    expect(migrateConfig(raw)).toEqual({ ok: true, value: { version: 1, profiles: [minimalProfile] }, from: 1, to: 1 });
    expect(raw).toEqual({ profiles: [minimalProfile] });
  });

  it('runs the steps from the file version up to the current one, in order, without touching the input', () => {
    const calls: string[] = [];
    const steps: Record<number, MigrationStep> = {
      1: (c) => (calls.push(`1->2 saw version ${String(c.version)}`), { ...c, two: true }),
      2: (c) => (calls.push(`2->3 saw two=${String(c.two)}`), { ...c, three: true }),
    };
    const raw = { profiles: [] };
    expect(migrateConfig(raw, { current: 3, steps })).toEqual({
      ok: true,
      value: { profiles: [], two: true, three: true, version: 3 },
      from: 1,
      to: 3,
    });
    expect(calls).toEqual(['1->2 saw version undefined', '2->3 saw two=true']);
    expect(raw).toEqual({ profiles: [] });
    calls.length = 0;
    expect(migrateConfig({ version: 2, profiles: [] }, { current: 3, steps })).toMatchObject({ ok: true, from: 2, to: 3 });
    expect(calls).toEqual(['2->3 saw two=undefined']);
  });

  it('a field renamed in a later version does not make an older file invalid under the strict schema', () => {
    const old = { version: 1, profiles: [{ id: 'a', repo: '/r', encryption: 'none', sources: ['/s'] }] };
    const r = parseConfig(old, { current: 2, steps: { 1: renameRepo } });
    expect(r.ok && r.config.profiles[0]!.repository).toBe('/r');
    expect(r.ok && r.config.version).toBe(2);
    // Without the step the same file is what the strict schema rejects.
    expect(parseConfig(old)).toMatchObject({
      ok: false,
      errors: expect.arrayContaining([
        {
          path: 'profiles[0]',
          message: 'unknown field(s) repo (did you mean repository?)',
          unknown: ['repo'],
          suggestions: ['repository'],
        },
      ]),
    });
  });

  it('a file from a newer Dandelion is an error that says so', () => {
    const r = parseConfig({ version: CONFIG_VERSION + 1, profiles: [minimalProfile], somethingNew: true });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]!.path).toBe('version');
    expect(r.errors[0]!.message).toMatch(/written by a newer version of Dandelion/);
    expect(r.errors[0]!.message).toContain(`up to version ${CONFIG_VERSION}`);
  });

  it.each([0, -1, 1.5, '1', null, true])('version %j is an error on the version field', (version) => {
    const r = parseConfig({ version, profiles: [] });
    expect(r).toEqual({ ok: false, errors: [{ path: 'version', message: expect.stringMatching(/whole number/) }] });
  });

  it('a version with no step to convert it is an error, not a guess', () => {
    expect(migrateConfig({ version: 1, profiles: [] }, { current: 3, steps: { 2: (c) => c } })).toEqual({
      ok: false,
      error: { path: 'version', message: 'is 1, and this Dandelion cannot convert version 1' },
    });
  });

  it('loading converts in memory only and never writes the file', async () => {
    const file = path.join(await tempDir(), 'config.json');
    const text = JSON.stringify({ version: 1, profiles: [{ id: 'a', repo: '/r', encryption: 'none', sources: ['/s'] }] });
    await fs.writeFile(file, text);
    const before = await fs.stat(file);
    const r = await loadConfig(file, { current: 2, steps: { 1: renameRepo } });
    expect(r.ok && r.config.profiles[0]!.repository).toBe('/r');
    expect(await fs.readFile(file, 'utf8')).toBe(text);
    expect((await fs.stat(file)).mtimeMs).toBe(before.mtimeMs);
  });

  it('loading a file from a newer Dandelion reports it and leaves the file byte for byte', async () => {
    const file = path.join(await tempDir(), 'config.json');
    const text = JSON.stringify({ version: 99, profiles: [], future: {} });
    await fs.writeFile(file, text);
    const r = await loadConfig(file);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]!.message).toMatch(/newer version of Dandelion/);
    expect(await fs.readFile(file, 'utf8')).toBe(text);
  });
});

describe('app settings', () => {
  it('default to failures and warnings and overdue notices, and leave openAtLogin unset, with or without an app object', () => {
    const defaults = { notifications: { success: false, warnings: true, overdue: true } };
    const without = parseConfig({ profiles: [] });
    expect(without.ok && appSettings(without.config)).toEqual(defaults);
    const empty = parseConfig({ app: {}, profiles: [] });
    expect(empty.ok && empty.config.app).toEqual(defaults);
  });

  it('keep what the file says, old notification words included', () => {
    const r = parseConfig({ app: { notifications: 'none', openAtLogin: true } });
    expect(r.ok && appSettings(r.config)).toEqual({
      notifications: { success: false, warnings: false, overdue: false },
      openAtLogin: true,
    });
    const all = parseConfig({ app: { notifications: 'all' } });
    expect(all.ok && appSettings(all.config)).toEqual({ notifications: { success: true, warnings: true, overdue: true } });
    const object = parseConfig({ app: { notifications: { success: true, overdue: false }, openAtLogin: false } });
    expect(object.ok && appSettings(object.config)).toEqual({
      notifications: { success: true, warnings: true, overdue: false },
      openAtLogin: false,
    });
  });

  it('reject unknown fields and wrong values by field', () => {
    const r = parseConfig({ app: { notifications: 'some', openAtLogin: 'yes', theme: 'dark' } });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toEqual(
      expect.arrayContaining([
        {
          path: 'app.notifications',
          message: 'must be an object like { "success": false, "warnings": true, "overdue": true }, or one of all, failures, none',
        },
        { path: 'app.openAtLogin', message: expect.stringMatching(/boolean/) },
        { path: 'app', message: 'unknown field(s) theme', unknown: ['theme'], suggestions: [null] },
      ]),
    );
    expect(r.errors).toHaveLength(3);
  });
});

describe('saveConfig', () => {
  it('writes the input as given (no defaults spelled out) with the current version first, 0600, atomically', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'config.json');
    const input = { app: { notifications: 'all' }, profiles: [minimalProfile] };
    const r = await saveConfig(file, input);
    expect(r.ok && r.config.profiles[0]).toMatchObject({ compression: 'lz4', excludes: [] });
    const text = await fs.readFile(file, 'utf8');
    expect(text).toBe(JSON.stringify({ version: CONFIG_VERSION, ...input }, null, 2) + '\n');
    expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
    expect((await fs.readdir(dir)).filter((n) => n !== 'config.json')).toEqual([]);
    const loaded = await loadConfig(file);
    expect(loaded.ok && r.ok && loaded.config).toEqual(r.ok && r.config);
  });

  it('an invalid input comes back as field errors and writes nothing', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'config.json');
    const r = await saveConfig(file, { profiles: [{ ...minimalProfile, schedule: '0 0 12 * * * *' }, minimalProfile] });
    expect(r).toEqual({
      ok: false,
      errors: [
        { path: 'profiles[0].schedule', message: cronError('0 0 12 * * * *') },
        { path: 'profiles[1].id', message: 'duplicate id "a" (also profiles[0])' },
      ],
    });
    expect(await fs.readdir(dir)).toEqual([]);
    expect(await saveConfig(file, 'not an object')).toMatchObject({ ok: false });
    expect(await fs.readdir(dir)).toEqual([]);
  });

  it('an older input is saved in the current shape and version', async () => {
    const file = path.join(await tempDir(), 'config.json');
    const old = { version: 1, profiles: [{ id: 'a', repo: '/r', encryption: 'none', sources: ['/s'] }] };
    const r = await saveConfig(file, old, { current: 2, steps: { 1: renameRepo } });
    expect(r.ok).toBe(true);
    expect(JSON.parse(await fs.readFile(file, 'utf8'))).toEqual({
      version: 2,
      profiles: [{ id: 'a', encryption: 'none', sources: ['/s'], repository: '/r' }],
    });
  });

  it('never replaces a file written by a newer Dandelion, nor saves an input that claims to be newer', async () => {
    const file = path.join(await tempDir(), 'config.json');
    const text = JSON.stringify({ version: CONFIG_VERSION + 1, profiles: [] });
    await fs.writeFile(file, text);
    const r = await saveConfig(file, { profiles: [minimalProfile] });
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.errors).toEqual([
        { path: '(file)', message: expect.stringMatching(/written by a newer version of Dandelion.*not replaced/) },
      ]);
    const claims = await saveConfig(file, { version: CONFIG_VERSION + 1, profiles: [] });
    expect(claims).toMatchObject({ ok: false, errors: [{ path: 'version' }] });
    expect(await fs.readFile(file, 'utf8')).toBe(text);
  });

  it('a file that cannot be written is an error, not an exception', async () => {
    const dir = await tempDir();
    await fs.writeFile(path.join(dir, 'not-a-folder'), '');
    const r = await saveConfig(path.join(dir, 'not-a-folder', 'config.json'), { profiles: [] });
    expect(r).toEqual({ ok: false, errors: [{ path: '(file)', message: expect.stringMatching(/^cannot be written: /) }] });
  });
});

describe('archive globs that overlap', () => {
  it.each([
    ['{hostname}-daily-*', '{hostname}-daily-*', true],
    ['docs-*', 'docs-*', true],
    ['docs-*', '*-daily-*', true],
    ['*', 'anything-at-all', true],
    ['a*b*c', '*d*', true],
    ['docs-*', 'doc-*', false],
    ['{hostname}-daily-*', '{hostname}-weekly-*', false],
    ['*-x', '*-y', false],
    ['a-*-z', 'b-*', false],
    ['docs', 'docs*', true],
    ['docs', 'docs-*', false],
    ['a[*]', 'ab', false],
    ['a[*]', 'a*', true],
    ['a[[]b', 'a[]]b', false],
    ['x?', 'xy', true],
    ['x?', 'x', false],
    ['', '*', true],
  ])('%j and %j overlap: %s', (a, b, expected) => {
    expect(globsOverlap(a, b)).toBe(expected);
    expect(globsOverlap(b, a)).toBe(expected);
  });

  it('names an archive that matches both', () => {
    const name = globsWitness('docs-*', '*-daily-*');
    expect(name).toBe('docs-daily-');
    expect(globsWitness('a[*]', 'a*')).toBe('a*');
    expect(globsWitness('{hostname}-daily-*', '{hostname}-weekly-*')).toBeNull();
  });
});

describe('profiles sharing a repository', () => {
  const profile = (id: string, repository: string, extra: Record<string, unknown> = {}) => ({
    id,
    repository,
    encryption: 'none',
    sources: ['/s'],
    ...extra,
  });
  const problems = (...profiles: Record<string, unknown>[]) => {
    const r = parseConfig({ profiles });
    return r.ok ? [] : r.errors.map((e) => `${e.path}: ${e.message}`);
  };

  it('refuses two whose archive names would let prune take the other one’s archives, naming the field and the other profile', () => {
    expect(problems(profile('docs', '/r'), profile('photos', '/r'))).toEqual([
      'profiles[1].archiveName: overlaps the archives of profile "docs" on the same repository (both match "{hostname}-daily-*"); give each profile its own archive name',
    ]);
    expect(problems(profile('docs', '/r', { archiveName: 'docs-{now}' }), profile('all', '/r', { archiveName: '{now}-daily' }))).toEqual([
      'profiles[1].archiveName: overlaps the archives of profile "docs" on the same repository ("docs-*" and "*-daily" both match "docs-daily"); give each profile its own archive name',
    ]);
  });

  it.each([
    ['/r', '/r/'],
    ['/r', '/./r'],
    ['/x/r', '/x/y/../r'],
    ['~/r', `${os.homedir()}/r`],
    ['ssh://u@h:22/./r', 'u@h:r'],
    ['ssh://u@h/./r', 'ssh://u@h:22/./r/'],
    ['ssh://u@h/~/r', 'u@h:~/r'],
  ])('sees %j and %j as one repository', (a, b) => {
    expect(problems(profile('docs', a), profile('photos', b))).toHaveLength(1);
  });

  it.each([
    ['/r', '/r2'],
    ['u@h:r', 'u@h:~/r'],
    ['u@h:r', 'ssh://u@h:2222/./r'],
    ['u@h:r', 'v@h:r'],
  ])('keeps %j and %j apart', (a, b) => {
    expect(problems(profile('docs', a), profile('photos', b))).toEqual([]);
  });

  it('accepts archive names that cannot meet, and leaves invalid or repeated profiles to their own errors', () => {
    expect(
      problems(profile('docs', '/r', { archiveName: 'docs-{now}' }), profile('photos', '/r', { archiveName: 'photos-{now}' })),
    ).toEqual([]);
    expect(problems(profile('docs', '/r', { sources: [] }), profile('photos', '/r'))).toEqual([
      'profiles[0].sources: needs at least one folder to back up',
    ]);
    expect(problems(profile('docs', '/r'), profile('docs', '/r'))).toEqual(['profiles[1].id: duplicate id "docs" (also profiles[0])']);
  });
});

describe('archive names and sources that would fail later', () => {
  const problems = (extra: Record<string, unknown>) => {
    const r = parseConfig({ profiles: [{ id: 'docs', repository: '/r', encryption: 'none', sources: ['/s'], ...extra }] });
    return r.ok ? [] : r.errors.map((e) => `${e.path}: ${e.message}`);
  };

  it('refuses an archive name without a per-run placeholder: the second run would find it taken', () => {
    const message =
      'profiles[0].archiveName: has no {now}: the second run would fail because the archive already exists; add {now} (or {utcnow}, {uuid4}), e.g. "docs-{now}"';
    expect(problems({ archiveName: 'docs' })).toEqual([message]);
    expect(problems({ archiveName: '{hostname}-{user}-{pid}' })).toEqual([message]);
    for (const archiveName of ['docs-{now}', 'docs-{utcnow}', 'docs-{uuid4}', 'docs-{now:%Y-%m-%dT%H:%M:%S}', '{utcnow:%s}'])
      expect(problems({ archiveName })).toEqual([]);
  });

  it('refuses a relative source, which would silently mean a folder in the home folder', () => {
    expect(problems({ sources: ['/s', 'Documents'] })).toEqual([
      'profiles[0].sources[1]: is a relative path: write "~/Documents" for a folder in your home folder, or an absolute path',
    ]);
    expect(problems({ sources: ['-rf'] })).toEqual([
      'profiles[0].sources[0]: is a relative path: write "~/-rf" for a folder in your home folder, or an absolute path',
    ]);
    expect(problems({ sources: ['./x'] })).toHaveLength(1);
    expect(problems({ sources: ['~user/x'] })).toHaveLength(1);
    expect(problems({ sources: ['~', '~/Documents', '/srv/data', ' /srv/padded '] })).toEqual([]);
  });
});

describe('repository locations in config.json', () => {
  const base = { id: 'p', sources: ['/src'], encryption: 'none' };
  it('expands ~ in a local repository (borg would not) and leaves ssh locations as written', () => {
    const r = parseConfig({ profiles: [{ ...base, repository: '~/backups/repo' }] });
    expect(r.ok && r.config.profiles[0]!.repository).toBe(path.join(os.homedir(), 'backups/repo'));
    const s = parseConfig({ profiles: [{ ...base, repository: 'ssh://u@h:23/~/repo' }] });
    expect(s.ok && s.config.profiles[0]!.repository).toBe('ssh://u@h:23/~/repo');
  });

  it('refuses a relative local repository, which would depend on the working directory', () => {
    const r = parseConfig({ profiles: [{ ...base, repository: 'backups/repo' }] });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.errors).toEqual([
      { path: 'profiles[0].repository', message: expect.stringMatching(/relative path.*~\/backups\/repo/) },
    ]);
  });
});
