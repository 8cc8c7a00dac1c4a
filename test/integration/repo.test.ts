import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { borg, filesUnder, sandbox, type Sandbox } from '../helpers/env.js';
import { freshRepository } from '../helpers/repo-template.js';
import { runBorg, type Secret } from '../../src/borg/run.js';
import { featuresFor } from '../../src/borg/features.js';
import type { RepoCommand } from '../../src/repo/types.js';
import { listArchives } from '../../src/repo/archives.js';
import { ArchiveBrowser } from '../../src/browse/browser.js';
import { IndexStore } from '../../src/browse/store.js';
import { listItemsArgs } from '../../src/borg/argv.js';
import { failureOf } from '../../src/repo/types.js';
import { ok } from '../../src/engine/outcome.js';
import type { Profile } from '../../src/profiles/schema.js';
import { checkPassphrase } from '../../src/repo/passphrase-check.js';
import { detectEncryption, RepositoryFacts } from '../../src/repo/encryption.js';
import type { RunRecord } from '../../src/records.js';

const PASS = 'correct horse battery staple 9c1e';
const VERSION = { major: 1, minor: 2, patch: 4, raw: '1.2.4' };

let sb: Sandbox;
let spy: string;
let seen: string;
let encrypted: string;
let plain: string;
const saved: Record<string, string | undefined> = {};

/** The engine's borgCommand in miniature: runBorg through a spy that records argv and environment. */
function command(repository: string, stored: Secret): RepoCommand {
  return (args, opts) =>
    runBorg({
      borg: { path: spy, version: VERSION },
      args,
      secret: opts?.secret ?? stored,
      ctx: { repository, platform: process.platform },
      captureStdout: opts?.captureStdout,
      onStdout: opts?.onStdout,
    });
}

beforeAll(async () => {
  sb = await sandbox('dandelion-repo-');
  // runBorg builds the child environment from ours: keep borg's cache and security dirs in the sandbox.
  for (const k of ['BORG_BASE_DIR', 'HOME']) saved[k] = process.env[k];
  process.env.BORG_BASE_DIR = sb.env.BORG_BASE_DIR;
  process.env.HOME = sb.home;
  seen = path.join(sb.dir, 'seen');
  await fs.mkdir(seen);
  spy = path.join(sb.dir, 'borg-spy.sh');
  await fs.writeFile(
    spy,
    `#!/bin/sh\nn=$$\nprintf '%s\\n' "$@" > "${seen}/argv.$n"\ncat /proc/$$/environ | tr '\\0' '\\n' > "${seen}/env.$n"\nexec borg "$@"\n`,
    { mode: 0o755 },
  );

  // A tree with a nested folder, a folder named -rf, a link, and a file whose parents are not stored.
  const src = path.join(sb.dir, 'src');
  await fs.mkdir(path.join(src, 'docs', 'deep', 'er'), { recursive: true });
  await fs.mkdir(path.join(src, '-rf'));
  await fs.writeFile(path.join(src, 'docs', 'b.txt'), 'bb');
  await fs.writeFile(path.join(src, 'docs', 'a.txt'), 'a');
  await fs.writeFile(path.join(src, 'docs', 'deep', 'er', 'c.txt'), 'ccc');
  await fs.writeFile(path.join(src, '-rf', 'inner'), 'x');
  await fs.writeFile(path.join(src, 'top.txt'), 'top');
  await fs.symlink('top.txt', path.join(src, 'link'));
  await fs.mkdir(path.join(src, 'only', 'parents'), { recursive: true });
  await fs.writeFile(path.join(src, 'only', 'parents', 'leaf.txt'), 'leaf');

  encrypted = path.join(sb.dir, 'enc');
  plain = path.join(sb.dir, 'plain');
  for (const [repo, mode] of [
    [encrypted, 'repokey-blake2'],
    [plain, 'none'],
  ] as const) {
    await freshRepository(repo, mode, mode === 'none' ? undefined : PASS);
  }
  // Run from src so paths are relative: `docs`, `-rf`, … and, for `only/parents/leaf.txt` named
  // alone, no items for `only` or `only/parents`.
  const create = (repo: string, name: string, ...paths: string[]) =>
    borg(sb, ['create', '--timestamp=2026-03-01T10:00:00', `${repo}::${name}`, '--', ...paths], PASS).then((r) => {
      expect(r.exitCode, r.stderr).toBe(0);
    });
  process.chdir(src);
  await create(encrypted, 'laptop-daily-2026-03-01T10:00:00', 'docs', '-rf', 'top.txt', 'link', 'only/parents/leaf.txt');
  await create(encrypted, 'laptop-daily-2026-03-02T10:00:00', 'docs');
  await create(encrypted, 'someone-else', 'docs');
  await create(plain, 'laptop-daily-2026-03-01T10:00:00', 'docs');
});

afterAll(async () => {
  process.chdir('/');
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  await sb?.cleanup();
});

function record(archive: string, nfiles: number, repository?: string): RunRecord {
  return {
    profile: 'p',
    trigger: 'manual',
    startedAt: '2026-03-01T10:00:00.000Z',
    finishedAt: '2026-03-01T10:00:05.000Z',
    result: 'success',
    archive,
    stats: { originalSize: 1000 + nfiles, compressedSize: 500, deduplicatedSize: 100 + nfiles, nfiles, durationSeconds: 5 },
    message: null,
    diagnoses: [],
    log: null,
    ...(repository ? { repository } : {}),
  };
}

describe('listArchives with real borg', () => {
  it("lists only the profile's archives and joins the sizes its runs recorded", async () => {
    const history = [record('laptop-daily-2026-03-01T10:00:00', 7, encrypted), record('laptop-daily-2026-03-02T10:00:00', 9, '/elsewhere')];
    const r = await listArchives(
      command(encrypted, { kind: 'passphrase', value: PASS }),
      encrypted,
      featuresFor(VERSION),
      'laptop-daily-{now}',
      history,
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.archives.map((a) => a.name)).toEqual(['laptop-daily-2026-03-01T10:00:00', 'laptop-daily-2026-03-02T10:00:00']);
    expect(r.archives[0]).toMatchObject({ nfiles: 7, originalSize: 1007, deduplicatedSize: 107, durationSeconds: 5 });
    expect(r.archives[0]!.id).toMatch(/^[0-9a-f]{64}$/);
    expect(r.archives[0]!.start).toBe(new Date('2026-03-01T10:00:00').toISOString());
    // The second archive's record went to another repository: no stats are borrowed from it.
    expect(r.archives[1]).toMatchObject({ nfiles: null, originalSize: null, deduplicatedSize: null, durationSeconds: null });
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });

  it('returns the diagnosis when the passphrase is wrong', async () => {
    const r = await listArchives(command(encrypted, { kind: 'passphrase', value: 'nope' }), encrypted, featuresFor(VERSION), undefined, []);
    expect(r).toMatchObject({ ok: false, diagnosis: { kind: 'passphrase-wrong' } });
  });
});

describe('listFolder (from the archive index) with real borg', () => {
  const archive = 'laptop-daily-2026-03-01T10:00:00';
  let browser: ArchiveBrowser;
  const cmd = () => command(encrypted, { kind: 'passphrase', value: PASS });
  const profile = { id: 'p', repository: encrypted } as Profile;
  const list = async (folder: string) => {
    browser ??= new ArchiveBrowser({
      store: new IndexStore(path.join(sb.dir, 'archive-index')),
      listArchives: async () => {
        const r = await listArchives(cmd(), encrypted, featuresFor(VERSION), 'laptop-daily-{now}', []);
        return r.ok ? ok({ repositoryId: r.repositoryId!, archives: r.archives }) : r;
      },
      listItems: async (_p, name, onStdout) => {
        const r = await cmd()(listItemsArgs(encrypted, name), { onStdout });
        return r.level === 'error' ? failureOf(r, encrypted) : ok(undefined);
      },
      lastChange: async () => null,
      archiveGlob: () => 'laptop-daily-*',
      diagnose: (_p, kind, facts) => ({ kind, message: JSON.stringify(facts), fix: '' }),
    });
    const r = await browser.listFolder(profile, archive, folder);
    return r.ok ? { ok: true as const, entries: r.value } : r;
  };

  it('lists the archive root: folders first, including one that exists only implicitly', async () => {
    const r = await list('');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.entries.map((e) => [e.name, e.type])).toEqual([
      ['-rf', 'dir'],
      ['docs', 'dir'],
      ['only', 'dir'],
      ['link', 'link'],
      ['top.txt', 'file'],
    ]);
    const only = r.entries.find((e) => e.name === 'only');
    expect(only).toEqual({ name: 'only', path: 'only', type: 'dir', size: 0, mtime: null });
    const top = r.entries.find((e) => e.name === 'top.txt')!;
    expect(top.size).toBe(3);
    expect(Date.parse(top.mtime!)).toBeGreaterThan(Date.now() - 3_600_000);
  });

  it('lists a nested folder with only its direct children', async () => {
    const r = await list('docs');
    expect(r.ok && r.entries.map((e) => [e.path, e.type, e.size])).toEqual([
      ['docs/deep', 'dir', 0],
      ['docs/a.txt', 'file', 1],
      ['docs/b.txt', 'file', 2],
    ]);
    const deeper = await list('/docs/deep/');
    expect(deeper.ok && deeper.entries.map((e) => e.path)).toEqual(['docs/deep/er']);
  });

  it('lists a folder that exists only implicitly', async () => {
    const r = await list('only');
    expect(r.ok && r.entries).toEqual([{ name: 'parents', path: 'only/parents', type: 'dir', size: 0, mtime: null }]);
    const leaf = await list('only/parents');
    expect(leaf.ok && leaf.entries.map((e) => [e.name, e.type, e.size])).toEqual([['leaf.txt', 'file', 4]]);
  });

  it('lists a folder named -rf as a folder, never as an option', async () => {
    const r = await list('-rf');
    expect(r.ok && r.entries.map((e) => e.path)).toEqual(['-rf/inner']);
  });

  it('says so for a folder the archive does not have', async () => {
    expect(await list('no/such')).toMatchObject({ ok: false, diagnosis: { kind: 'path-missing' } });
  });
});

describe('checkPassphrase with real borg', () => {
  const check = (repository: string, candidate: string) => checkPassphrase(command(repository, { kind: 'none' }), repository, candidate);

  it('verifies the right passphrase', async () => {
    expect(await check(encrypted, PASS)).toEqual({ outcome: 'verified' });
  });

  it('calls a wrong passphrase wrong', async () => {
    expect(await check(encrypted, 'not it')).toMatchObject({ outcome: 'wrong', diagnosis: { kind: 'passphrase-wrong' } });
  });

  it('leaves it unverified when there is no repository yet', async () => {
    const r = await check(path.join(sb.dir, 'not-yet'), PASS);
    expect(r).toMatchObject({ outcome: 'unverified', reason: 'repository-missing', diagnosis: { kind: 'repo-missing' } });
  });

  it('leaves it unverified, disk absent, when the repository parent folder does not exist', async () => {
    const r = await check(path.join(sb.dir, 'no-disk', 'backup', 'repo'), PASS);
    expect(r).toMatchObject({ outcome: 'unverified', reason: 'disk-absent', diagnosis: { kind: 'disk-not-mounted' } });
  });

  it('says a passphrase is not needed for an unencrypted repository', async () => {
    expect(await check(plain, PASS)).toEqual({ outcome: 'not-needed' });
  });
});

describe('detectEncryption with real borg', () => {
  it('finds repokey-blake2 with the stored passphrase', async () => {
    const r = await detectEncryption(command(encrypted, { kind: 'none' }), encrypted, { kind: 'passphrase', value: PASS });
    expect(r).toEqual({ ok: true, mode: 'repokey-blake2', encrypted: true, passphraseNeeded: true });
  });

  it('finds none without any secret', async () => {
    const r = await detectEncryption(command(plain, { kind: 'none' }), plain, { kind: 'none' });
    expect(r).toEqual({ ok: true, mode: 'none', encrypted: false, passphraseNeeded: false });
  });

  it('finds none even when a passphrase is stored for an unencrypted repository', async () => {
    await fs.rm(sb.env.BORG_BASE_DIR!, { recursive: true, force: true }); // borg has not seen it before
    const r = await detectEncryption(command(plain, { kind: 'none' }), plain, { kind: 'passphrase', value: PASS });
    expect(r).toMatchObject({ ok: true, mode: 'none' });
  });

  it('says "encrypted, passphrase needed" fast, without a prompt, when none is stored', async () => {
    const started = Date.now();
    const r = await detectEncryption(command(encrypted, { kind: 'none' }), encrypted, { kind: 'none' });
    expect(r).toMatchObject({ ok: false, diagnosis: { kind: 'passphrase-missing' } });
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('remembers the mode in a 0600 file without any secret', async () => {
    const file = path.join(sb.configDir, 'cache', 'repositories.json');
    const facts = new RepositoryFacts(file);
    expect(await facts.get(encrypted)).toBeNull();
    await facts.set(encrypted, { encryption: 'repokey-blake2' }, new Date('2026-03-01T10:00:00Z'));
    await facts.set(plain, { encryption: 'none' });
    expect(await facts.get(encrypted)).toEqual({ encryption: 'repokey-blake2', checkedAt: '2026-03-01T10:00:00.000Z' });
    expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
    expect(await fs.readFile(file, 'utf8')).not.toContain(PASS);
    await facts.forget(plain);
    expect(Object.keys(await facts.all())).toEqual([encrypted]);
  });
});

describe('the passphrase never reaches argv or the environment', () => {
  it('went to borg only through the pipe in every command above', async () => {
    const captured = await filesUnder(seen);
    expect(captured.filter((f) => path.basename(f).startsWith('argv.')).length).toBeGreaterThan(10);
    for (const f of captured) expect(await fs.readFile(f, 'utf8'), f).not.toContain(PASS);
    const envs = await Promise.all(captured.filter((f) => path.basename(f).startsWith('env.')).map((f) => fs.readFile(f, 'utf8')));
    expect(envs.some((e) => e.includes('BORG_PASSPHRASE_FD=3'))).toBe(true);
  });
});
