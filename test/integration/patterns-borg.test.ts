/**
 * The exclude check against real borg 1.2: every pattern Dandelion accepts is accepted by
 * `borg create --dry-run` and leaves out exactly the files Dandelion's matcher predicts; every
 * pattern it refuses for its syntax is refused by borg too; a refused exclude or repository never
 * reaches borg through the engine.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { borgPath, compileExclude } from '../../src/profiles/patterns.js';
import { Engine } from '../../src/engine.js';
import { MemorySecretStore } from '../../src/secrets/keyring.js';
import { borg, dandelion, sandbox, writeConfig, type Sandbox } from '../helpers/env.js';
import { freshRepository } from '../helpers/repo-template.js';

let sb: Sandbox;
let src: string;
let repo: string;
const FILES = [
  'a',
  'Z',
  '0',
  '.hidden',
  'notes.txt',
  'NOTES.md',
  'sub/b.tmp',
  'sub/keep',
  'node_modules/x/y.js',
  'deep/node_modules/z',
  'a b/c',
];

beforeAll(async () => {
  sb = await sandbox('dandelion-patterns-');
  process.env.BORG_BASE_DIR = sb.env.BORG_BASE_DIR;
  src = path.join(await fs.realpath(sb.dir), 'src');
  repo = path.join(sb.dir, 'repo');
  for (const f of FILES) {
    await fs.mkdir(path.dirname(path.join(src, f)), { recursive: true });
    await fs.writeFile(path.join(src, f), f);
  }
  await freshRepository(repo, 'none');
});

afterAll(() => sb.cleanup());

/** Every path under src (src included), parents before children, as borg walks them. */
async function walk(dir: string): Promise<string[]> {
  const out = [dir];
  for (const e of await fs.readdir(dir, { withFileTypes: true })) {
    if (e.isDirectory()) out.push(...(await walk(path.join(dir, e.name))));
    else out.push(path.join(dir, e.name));
  }
  return out;
}

/** What borg leaves out (the "x" lines of --list): a matched folder is not entered. */
async function predicted(pattern: string): Promise<string[]> {
  const c = compileExclude(pattern);
  if (!c.ok) throw new Error(c.error);
  const out: string[] = [];
  for (const p of await walk(src)) {
    if (out.some((x) => p.startsWith(`${x}/`))) continue;
    if (c.match(borgPath(p))) out.push(p);
  }
  return out.sort();
}

async function borgExcluded(pattern: string): Promise<{ exitCode: number | undefined; excluded: string[] }> {
  const r = await borg(sb, ['create', '--dry-run', '--list', `--exclude=${pattern}`, `${repo}::t`, src]);
  const excluded = r.stderr
    .split('\n')
    .filter((l) => l.startsWith('x '))
    .map((l) => l.slice(2))
    .sort();
  return { exitCode: r.exitCode, excluded };
}

describe('patterns Dandelion accepts', () => {
  const accepted = () => [
    '*.tmp',
    '*/node_modules',
    `${src}/a`,
    `${src}/sub/`,
    `fm:${src}/[a-m]*`,
    `sh:${src}/**/*.tmp`,
    'sh:**/node_modules',
    `sh:${src}/[!a]*`,
    `pp:${src}/sub`,
    `pf:${src}/notes.txt`,
    're:\\.tmp$',
    're:(?i)notes',
    're:(?P<n>o)(?P=n)',
    're:^/',
    `re:^${borgPath(src)}/a`,
    're:a b\\Z',
    're:(?x) node _ modules  # verbose',
    're:(?<=/)\\.',
    're:[^\\W\\d]{5}\\.',
    're:o*+d',
    `${src}`,
    '*',
  ];
  it('are accepted by borg, which leaves out what the matcher predicts', async () => {
    for (const pattern of accepted()) {
      const r = await borgExcluded(pattern);
      expect({ pattern, exitCode: r.exitCode, excluded: r.excluded }).toEqual({ pattern, exitCode: 0, excluded: await predicted(pattern) });
    }
    // 22 borg processes one after another: 49 s on the loaded 2-core machine before any change, too near 60 s.
  }, 120_000);
});

describe('patterns Dandelion refuses for their syntax', () => {
  it.each([
    're:[unclosed',
    'xx:foo',
    '12:30',
    're:a{2,1}',
    're:\\q',
    're:(?<=a*)b',
    'sh:[z-a]',
    're:(?<n>a)',
    're:\\p{L}',
    're:a**',
    're:(?P=x)',
  ])('%j is refused by borg too', async (pattern) => {
    expect(compileExclude(pattern).ok).toBe(false);
    const r = await borg(sb, ['create', '--dry-run', `--exclude=${pattern}`, `${repo}::t`, src]);
    expect(r.exitCode).not.toBe(0);
  });
});

describe('through the engine', () => {
  it('refuses a save with such an exclude at its field, and a hand-edited one never reaches borg', async () => {
    const configDir = path.join(sb.dir, 'cfg-excludes');
    await fs.mkdir(configDir);
    const good = { id: 'p', repository: repo, encryption: 'none', sources: [src], prune: null };
    await writeConfig(configDir, { profiles: [good] });
    const { engine } = await Engine.open({ configDir, secrets: new MemorySecretStore() });
    const before = await fs.readFile(path.join(configDir, 'config.json'), 'utf8');
    const r = await engine.saveConfig({ profiles: [{ ...good, excludes: ['*.tmp', '/', 're:[unclosed'] }] });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map((e) => e.path)).toEqual(['profiles[0].excludes[1]', 'profiles[0].excludes[2]']);
    expect(await fs.readFile(path.join(configDir, 'config.json'), 'utf8')).toBe(before);

    // Written by hand: the config is invalid, reported with the field; the previous one stays in force.
    await writeConfig(configDir, { profiles: [{ ...good, excludes: ['re:[unclosed'] }] });
    const load = await engine.reload();
    expect(load.ok).toBe(false);
    if (!load.ok) expect(load.errors[0]!.path).toBe('profiles[0].excludes[0]');
    await engine.cancelAll();

    // Opened fresh on that file: nothing to run, and no borg log was ever written.
    const fresh = await Engine.open({ configDir, secrets: new MemorySecretStore() });
    const record = await fresh.engine.run('p');
    expect(record.diagnoses[0]!.kind).toBe('unknown-profile');
    await expect(fs.readdir(path.join(configDir, 'logs', 'p'))).rejects.toThrow();
  });

  it('ends the run of a hand-edited profile whose repository is a file before borg, with its own sentence', async () => {
    const configDir = path.join(sb.dir, 'cfg-file');
    await fs.mkdir(configDir);
    const file = path.join(sb.dir, 'a-file');
    await fs.writeFile(file, 'not a repository');
    await writeConfig(configDir, { profiles: [{ id: 'p', repository: file, encryption: 'repokey', sources: [src], prune: null }] });
    const { engine, load } = await Engine.open({ configDir, secrets: new MemorySecretStore() });
    expect(load.ok).toBe(true);
    const record = await engine.run('p');
    expect(record.result).toBe('error');
    expect(record.diagnoses.map((d) => d.kind)).toEqual(['repo-placement']);
    expect(record.message).toBe(
      `Nothing was backed up: ${file} is a file: a repository is a folder; choose the folder that holds the repository, or a new folder for a new one.`,
    );
    expect(record.log).toBeNull();
    // Saving it is refused at the field, with the same sentence.
    const saved = await engine.saveConfig({ profiles: [{ id: 'p', repository: file, encryption: 'repokey', sources: [src] }] });
    expect(saved).toMatchObject({ ok: false, errors: [{ path: 'profiles[0].repository', message: expect.stringContaining('is a file') }] });
  });

  it('refuses a repository reached through a link into a source', async () => {
    const configDir = path.join(sb.dir, 'cfg-link');
    const link = path.join(sb.dir, 'link-to-src');
    await fs.symlink(src, link);
    const { engine } = await Engine.open({ configDir, secrets: new MemorySecretStore() });
    const saved = await engine.saveConfig({
      profiles: [{ id: 'p', repository: path.join(link, 'repo'), encryption: 'none', sources: [src] }],
    });
    expect(saved).toMatchObject({
      ok: false,
      errors: [{ path: 'profiles[0].repository', message: expect.stringContaining(`is inside ${src}`) }],
    });
    // Left out by an exclude, it is fine.
    const excluded = await engine.saveConfig({
      profiles: [{ id: 'p', repository: path.join(link, 'repo'), encryption: 'none', sources: [src], excludes: [`${src}/repo`] }],
    });
    expect(excluded.ok).toBe(true);
  });
});

describe('the CLI (dist/cli.js, `npm run build`)', () => {
  it('reports the field of a refused exclude from any command, and runs nothing', async () => {
    await writeConfig(sb.configDir, {
      profiles: [{ id: 'p', repository: repo, encryption: 'none', sources: [src], excludes: ['/', 're:[unclosed'] }],
    });
    for (const args of [['status'], ['run', 'p']]) {
      const r = await dandelion(sb, args);
      expect(r.exitCode).not.toBe(0);
      expect(r.stderr).toContain(`profiles[0].excludes[0]: "/" leaves out all of ${src}`);
      expect(r.stderr).toContain('profiles[0].excludes[1]: "re:[unclosed" is not a regular expression Python (borg) accepts');
    }
    await expect(fs.readdir(path.join(sb.configDir, 'logs'))).rejects.toThrow();
  });

  it('`run` of a profile whose repository is a file ends before borg with the sentence and its fix', async () => {
    const file = path.join(sb.dir, 'cli-file');
    await fs.writeFile(file, 'x');
    await writeConfig(sb.configDir, { profiles: [{ id: 'p', repository: file, encryption: 'repokey', sources: [src] }] });
    const r = await dandelion(sb, ['run', 'p']);
    expect(r.exitCode).toBe(2);
    expect(r.stdout + r.stderr).toContain(`${file} is a file: a repository is a folder`);
    expect(r.stdout + r.stderr).not.toMatch(/no passphrase was given/);
    // doctor says the same, not borg's view of a file.
    const doctor = await dandelion(sb, ['doctor', 'p']);
    expect(doctor.stdout + doctor.stderr).toContain(`${file} is a file: a repository is a folder`);
  });

  it('`passphrase set` refuses a passphrase of only spaces before it reaches the keyring', async () => {
    await writeConfig(sb.configDir, {
      profiles: [{ id: 'p', repository: path.join(sb.dir, 'new-repo'), encryption: 'repokey', sources: [src] }],
    });
    const r = await dandelion(sb, ['passphrase', 'set', 'p'], { input: '   \n' });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('The passphrase is only spaces; nothing was stored.');
  });
});
