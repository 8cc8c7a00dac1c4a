/**
 * Restore against real borg: a tree with hostile names and every file kind comes back as it was; a
 * hostile archive writes nothing outside the target; in place keeps both; cancel, a read-only and a
 * full target, a path not in the archive and an archive deleted meanwhile each end in their diagnosis.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { Engine, type OpProgress, type OpRecord } from '../../src/engine.js';
import { MemorySecretStore } from '../../src/secrets/keyring.js';
import { OpHistory } from '../../src/ops/records.js';
import { configPaths } from '../../src/paths.js';
import { tryLock } from '../../src/jobs/pid-lock.js';
import { spawn } from 'node:child_process';
import { borg, CLI, SKIP_BORG_SELFTEST, dandelion, isRoot, sandbox, writeConfig, type Sandbox } from '../helpers/env.js';
import { cloneRepository, freshRepository } from '../helpers/repo-template.js';
import { PYTHON } from '../helpers/python.js';

const NOT_ROOT = 'needs root to mount a read-only or a small file system (run the suite as root, as CI does)';

/** A path as bytes: names that are not UTF-8 can only be written and read this way. */
const bytes = (...parts: (string | Buffer)[]): Buffer =>
  Buffer.concat(parts.flatMap((p, i) => [...(i ? [Buffer.from('/')] : []), typeof p === 'string' ? Buffer.from(p) : p]));
const BAD_NAME = Buffer.from([0x62, 0x61, 0x64, 0xff, 0xfe, 0x2e, 0x74, 0x78, 0x74]); // "bad\xff\xfe.txt"

async function setXattr(file: string, name: string, value: string): Promise<void> {
  await execa(PYTHON, ['-c', 'import os,sys; os.setxattr(sys.argv[1], sys.argv[2], sys.argv[3].encode())', file, name, value]);
}

async function getXattrs(file: string): Promise<Record<string, string>> {
  const r = await execa(PYTHON, [
    '-c',
    'import os,sys,json; print(json.dumps({k: os.getxattr(sys.argv[1], k, follow_symlinks=False).decode() for k in os.listxattr(sys.argv[1], follow_symlinks=False) if k.startswith("user.")}))',
    file,
  ]);
  return JSON.parse(r.stdout) as Record<string, string>;
}

/** Every entry under a folder (names as bytes → latin1 text), with what a restore must keep of it. */
async function describeTree(root: string): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const walk = async (dir: Buffer, rel: string) => {
    for (const name of await fs.readdir(dir, { encoding: 'buffer' })) {
      const full = Buffer.concat([dir, Buffer.from('/'), name]);
      const key = rel ? `${rel}/${name.toString('latin1')}` : name.toString('latin1');
      const st = await fs.lstat(full, { bigint: true });
      const entry: Record<string, unknown> = { mode: st.mode.toString(8), mtime: st.mtimeNs.toString() };
      if (st.isSymbolicLink()) entry.link = (await fs.readlink(full, { encoding: 'buffer' })).toString('latin1');
      else if (st.isFile()) {
        entry.sha = (await import('node:crypto'))
          .createHash('sha256')
          .update(await fs.readFile(full))
          .digest('hex');
        entry.size = st.size.toString();
        entry.nlink = st.nlink.toString();
        if (!name.equals(BAD_NAME)) entry.xattrs = await getXattrs(full.toString());
      } else if (st.isDirectory()) await walk(full, key);
      out[key] = entry;
    }
  };
  await walk(Buffer.from(root), '');
  return out;
}

/** Files anywhere under `root`, except the folders named: proves nothing was written elsewhere. */
async function everything(root: string, except: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fs.readdir(root, { withFileTypes: true, recursive: true })) {
    const full = path.join(e.parentPath, e.name);
    if (except.some((x) => full === x || full.startsWith(x + path.sep))) continue;
    out.push(full);
  }
  return out.sort();
}

let sb: Sandbox;
let src: string;
let repo: string;
let dest: string;
const cleanups: (() => Promise<unknown>)[] = [];

function profile(overrides: Record<string, unknown> = {}) {
  return {
    id: 'p',
    name: 'Backup disk',
    repository: repo,
    encryption: 'none',
    sources: [src],
    prune: null,
    archiveName: 'p-{now}',
    ...overrides,
  };
}

async function open(config: unknown = { profiles: [profile()] }): Promise<Engine> {
  await writeConfig(sb.configDir, config);
  const { engine, load } = await Engine.open({ configDir: sb.configDir, secrets: new MemorySecretStore() });
  expect(load.ok).toBe(true);
  cleanups.push(() => engine.cancelAll());
  return engine;
}

async function backup(engine: Engine): Promise<string> {
  const r = await engine.run('p');
  expect(r.result, JSON.stringify(r.diagnoses)).toBe('success');
  return r.archive!;
}

/** The archive path of a source path: borg stores it without the leading slash. */
const ap = (p: string) => p.replace(/^\//, '');

/**
 * Backups several tests only read, each made once for the file on first use and copied for every
 * test that uses it (a copy has its own repository id, so each test's borg meets a repository it
 * never saw, and a test may delete from its copy or leave it locked). Made lazily, so a test run
 * alone with -t makes only the backup it needs.
 */
let shared: Sandbox;
const made = new Map<string, Promise<{ repo: string; src: string; archive: string }>>();

beforeAll(async () => {
  shared = await sandbox('dandelion-restore-shared-');
});

afterAll(async () => {
  await shared?.cleanup();
});

interface SharedOptions {
  encryption?: 'none' | 'repokey-blake2';
  passphrase?: string;
  /** Backed up by `dandelion run` (the built CLI), as a person would, instead of the engine. */
  cli?: boolean;
}

async function makeShared(key: string, fill: (src: string) => Promise<void>, opts: SharedOptions) {
  const dir = path.join(shared.dir, key);
  const out = { repo: path.join(dir, 'repo'), src: path.join(dir, 'src'), archive: '' };
  const configDir = path.join(dir, 'config');
  await fs.mkdir(out.src, { recursive: true });
  await fs.mkdir(configDir, { recursive: true });
  await fill(out.src);
  const encryption = opts.encryption ?? 'none';
  await freshRepository(out.repo, encryption, opts.passphrase);
  await writeConfig(configDir, { profiles: [{ ...profile({ encryption }), repository: out.repo, sources: [out.src] }] });
  if (opts.cli) {
    const run = await dandelion({ ...shared, configDir, env: { ...shared.env, DANDELION_CONFIG_DIR: configDir } }, ['run', 'p']);
    expect(run.exitCode, run.stderr).toBe(0);
    return out;
  }
  const { engine, load } = await Engine.open({ configDir, secrets: new MemorySecretStore() });
  try {
    expect(load.ok).toBe(true);
    if (opts.passphrase !== undefined) expect((await engine.setPassphrase('p', opts.passphrase)).ok).toBe(true);
    out.archive = await backup(engine);
  } finally {
    await engine.cancelAll();
  }
  return out;
}

/**
 * The test's repository becomes its own copy of the shared backup `key` of the tree `fill` makes
 * (made on first use), and `src` that tree, where the backup found it. Returns the archive's name.
 */
async function sharedBackup(key: string, fill: (src: string) => Promise<void>, opts: SharedOptions = {}): Promise<string> {
  let p = made.get(key);
  if (!p) {
    p = makeShared(key, fill, opts);
    made.set(key, p);
    p.catch(() => made.delete(key));
  }
  const s = await p;
  repo = path.join(sb.dir, `${key}-repo`);
  await cloneRepository(s.repo, repo);
  src = s.src;
  return s.archive;
}

/** The small tree several failure tests back up: one file. */
const oneFile = (root: string) => fs.writeFile(path.join(root, 'a.txt'), 'a');

/** 400 MB that does not compress: a restore of it lasts long enough to be interrupted. */
async function bigFile(root: string): Promise<void> {
  await execa('dd', ['if=/dev/urandom', `of=${path.join(root, 'big.bin')}`, 'bs=1M', 'count=400', 'status=none']);
  await fs.writeFile(path.join(root, 'small.txt'), 'small');
}

beforeEach(async () => {
  sb = await sandbox('dandelion-restore-');
  process.env.BORG_BASE_DIR = sb.env.BORG_BASE_DIR;
  process.env.BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK = 'yes';
  src = path.join(sb.dir, 'src');
  repo = path.join(sb.dir, 'repo');
  dest = path.join(sb.dir, 'dest');
  await fs.mkdir(src, { recursive: true });
  await fs.mkdir(dest, { recursive: true });
  await freshRepository(repo, 'none');
});

afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
  await sb.cleanup();
});

describe('restore into a new folder', () => {
  it('writes the archive’s folder structure into "Restored from <archive>" and records it', async () => {
    await fs.mkdir(path.join(src, 'docs'));
    await fs.writeFile(path.join(src, 'docs', 'a.txt'), 'hello');
    const engine = await open();
    const archive = await backup(engine);
    const finished: OpRecord[] = [];
    engine.on('op-finished', (r) => finished.push(r));
    const r = await engine.restore('p', { archive: 'latest', paths: [], target: dest });
    expect(r.ok, JSON.stringify(r)).toBe(true);
    if (!r.ok) return;
    expect(r.value.folder).toBe(path.join(dest, `Restored from ${archive}`));
    expect(await fs.readFile(path.join(r.value.folder!, ap(src), 'docs', 'a.txt'), 'utf8')).toBe('hello');
    expect(r.value.files).toBe(1);
    expect(r.value.record).toMatchObject({ kind: 'restore', result: 'success', archive });
    expect(finished).toEqual([r.value.record]);
    const recent = await new OpHistory(path.join(sb.configDir, 'operations')).recent('p');
    expect(recent[0]).toMatchObject({ kind: 'restore', archive });
    // Nothing else is left in the target: no staging folder.
    expect(await fs.readdir(dest)).toEqual([`Restored from ${archive}`]);
    // Its own log, apart from the backups' (which `logs` keeps showing).
    const log = r.value.record.log!;
    expect(path.dirname(log)).toBe(path.join(sb.configDir, 'logs', 'p', 'restore'));
    const text = await fs.readFile(log, 'utf8');
    expect(text).toContain(`x ${ap(src)}/docs/a.txt`);
    expect(text).toMatch(/Dandelion: restore finished: success \(1 file, 5 B\)/);
    const tail = await engine.logTail('p', 5);
    expect(tail.ok && tail.value.file).not.toBe(log);
  });
});

describe('what borg keeps comes back', () => {
  /** Names that look hostile but are legal, and every kind of file borg keeps. */
  async function hostileTree(root: string): Promise<void> {
    const t = path.join(root, 'tree');
    await fs.mkdir(path.join(t, 'sub'), { recursive: true });
    for (const name of ['..a', 'a..', '...', '-rf', '--help', 'new\nline', 'tab\there', ' space ', 'ü-nfc.txt'])
      await fs.writeFile(path.join(t, name), `file ${name}`);
    await fs.writeFile(bytes(t, BAD_NAME), 'not utf-8');
    await fs.mkdir(path.join(t, '..dir'));
    await fs.writeFile(path.join(t, '..dir', 'inside'), 'in');
    await fs.symlink('/etc/hostname', path.join(t, 'abs-link'));
    await fs.symlink('../sub', path.join(t, 'sub', 'rel-link'));
    await fs.symlink('does-not-exist', path.join(t, 'dangling'));
    await fs.writeFile(path.join(t, 'hard-a'), 'shared contents');
    await fs.link(path.join(t, 'hard-a'), path.join(t, 'sub', 'hard-b'));
    // Sparse: 64 MiB with 4 KiB of data in the middle.
    const fh = await fs.open(path.join(t, 'sparse.img'), 'w');
    await fh.write(Buffer.alloc(4096, 7), 0, 4096, 32 * 1024 * 1024);
    await fh.truncate(64 * 1024 * 1024);
    await fh.close();
    await fs.writeFile(path.join(t, 'mode-600'), 'secret');
    await fs.chmod(path.join(t, 'mode-600'), 0o600);
    await fs.writeFile(path.join(t, 'mode-755'), '#!/bin/sh');
    await fs.chmod(path.join(t, 'mode-755'), 0o755);
    await fs.writeFile(path.join(t, 'tagged.txt'), 'with xattrs');
    await setXattr(path.join(t, 'tagged.txt'), 'user.com.apple.metadata:_kMDItemUserTags', 'Red');
    await setXattr(path.join(t, 'tagged.txt'), 'user.note', 'kept');
    const old = new Date('2020-02-29T12:34:56.789Z');
    await fs.utimes(path.join(t, 'ü-nfc.txt'), old, old);
    await fs.lutimes(path.join(t, 'abs-link'), old, old);
    await fs.utimes(path.join(t, '..dir'), old, old);
  }

  for (const mode of ['new-folder', 'in-place'] as const) {
    it(`restores contents, modes, mtimes, links, hardlinks, holes, xattrs and odd names (${mode})`, async () => {
      // One backup of the tree for both modes; each restores from its own copy of the repository.
      const archive = await sharedBackup('hostile-tree', hostileTree);
      const before = await describeTree(path.join(src, 'tree'));
      const engine = await open();
      const r = await engine.restore('p', { archive, paths: [path.join(src, 'tree')], target: dest, mode });
      expect(r.ok, JSON.stringify(r)).toBe(true);
      if (!r.ok) return;
      const root = mode === 'new-folder' ? path.join(r.value.folder!, ap(src), 'tree') : path.join(dest, ap(src), 'tree');
      const after = await describeTree(root);
      expect(after).toEqual(before);
      // Hardlinks come back as one file, holes as holes.
      const a = await fs.stat(path.join(root, 'hard-a'));
      const b = await fs.stat(path.join(root, 'sub', 'hard-b'));
      expect(b.ino).toBe(a.ino);
      const sparse = await fs.stat(path.join(root, 'sparse.img'));
      expect(sparse.size).toBe(64 * 1024 * 1024);
      // borg writes holes for chunks that are all zeros: the chunk holding the data is written whole.
      expect(sparse.blocks * 512).toBeLessThan(16 * 1024 * 1024);
      expect(r.value.files).toBe(
        Object.values(before).filter((e) => !('mode' in (e as object) && (e as { mode: string }).mode.startsWith('4'))).length,
      );
      expect(r.value.record.result).toBe('success');
      // In place the folder only got the tree: no staging folder left anywhere on the way.
      expect((await fs.readdir(dest)).filter((n) => n.startsWith('.dandelion'))).toEqual([]);
      if (mode === 'in-place') expect(r.value.folder).toBeNull();
      // Over half a minute each on a loaded 2-core machine (the 64 MiB sparse file, read and written).
    }, 120_000);
  }
});

describe('a hostile archive', () => {
  /**
   * A tar made by hand, imported with borg import-tar: members that climb out with `..`, an absolute
   * name, an absolute symlink with a file "inside" it, and a hardlink to a file outside.
   */
  async function hostileArchive(outside: string): Promise<void> {
    await fs.mkdir(outside, { recursive: true });
    await fs.writeFile(path.join(outside, 'secret'), 'outside, untouched');
    const tar = path.join(sb.dir, 'evil.tar');
    const script = `
import tarfile, io, sys
out, tarpath = sys.argv[1], sys.argv[2]
t = tarfile.open(tarpath, 'w')
def add(name, data=b'x', kind=tarfile.REGTYPE, link=''):
    ti = tarfile.TarInfo(name); ti.type = kind; ti.linkname = link; ti.mode = 0o644; ti.mtime = 1700000000
    ti.size = len(data) if kind == tarfile.REGTYPE else 0
    t.addfile(ti, io.BytesIO(data) if kind == tarfile.REGTYPE else None)
add('ok.txt', b'fine')
add('../escape1.txt', b'e1')
add('a/../../escape2.txt', b'e2')
add('a/b/../../../../newdir/escape3.txt', b'e3')
add('/abs.txt', b'abs')
add('lnk', kind=tarfile.SYMTYPE, link=out)
add('lnk/through.txt', b'written through a link')
add('deep/lnk2', kind=tarfile.SYMTYPE, link=out)
add('deep/lnk2/sub/through2.txt', b'written through a link')
add('hl', kind=tarfile.LNKTYPE, link='../../outside/secret')
add('nl\\nname.txt', b'newline')
t.close()
`;
    await execa(PYTHON, ['-c', script, outside, tar]);
    const r = await borg(sb, ['import-tar', `${repo}::evil`, tar]);
    expect(r.exitCode, r.stderr).toBe(0);
  }

  it('is dangerous when plain borg extracts it (the control): it writes through the link', async () => {
    const outside = path.join(sb.dir, 'outside');
    await hostileArchive(outside);
    const stage = path.join(dest, 'stage');
    await fs.mkdir(stage);
    await execa('borg', ['extract', `${repo}::evil`], {
      cwd: stage,
      reject: false,
      env: { ...sb.env, ...SKIP_BORG_SELFTEST, BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK: 'yes' },
    });
    expect(await fs.readFile(path.join(outside, 'through.txt'), 'utf8')).toBe('written through a link');
  });

  for (const mode of ['new-folder', 'in-place'] as const) {
    it(`writes nothing outside the target, restores the rest, and says what it left out (${mode})`, async () => {
      const outside = path.join(sb.dir, 'outside');
      await hostileArchive(outside);
      const keep = [path.join(sb.dir, 'borg-base'), repo, sb.configDir, dest, path.join(sb.dir, 'evil.tar')];
      const engine = await open();
      const before = await everything(sb.dir, keep);
      const r = await engine.restore('p', { archive: 'evil', paths: [], target: dest, mode });
      expect(r.ok, JSON.stringify(r)).toBe(true);
      if (!r.ok) return;
      expect(await everything(sb.dir, keep)).toEqual(before);
      expect(await fs.readFile(path.join(outside, 'secret'), 'utf8')).toBe('outside, untouched');
      expect((await fs.stat(path.join(outside, 'secret'))).nlink).toBe(1);
      const root = mode === 'new-folder' ? r.value.folder! : dest;
      expect(await fs.readFile(path.join(root, 'ok.txt'), 'utf8')).toBe('fine');
      expect(await fs.readFile(path.join(root, 'nl\nname.txt'), 'utf8')).toBe('newline');
      // The link is restored as a link (never followed), nothing under it.
      expect(await fs.readlink(path.join(root, 'lnk'))).toBe(outside);
      expect(await fs.readlink(path.join(root, 'deep', 'lnk2'))).toBe(outside);
      await expect(fs.lstat(path.join(root, 'hl'))).rejects.toThrow();
      const all = await everything(root, []);
      // borg itself stored `../escape1.txt` and `/abs.txt` without their climb: those land inside, as borg made them.
      expect(all.filter((f) => /escape|abs/.test(f)).map((f) => path.relative(root, f))).toEqual(['abs.txt', 'escape1.txt']);
      expect(r.value.record.result).toBe('warning');
      const refused = r.value.record.diagnoses.find((d) => d.kind === 'restore-refused');
      expect(refused?.message).toMatch(/^5 items in evil would have been written outside the restore folder and were left out/);
      expect(r.value.record.details?.refused).toEqual(
        expect.arrayContaining([
          { path: 'a/../../escape2.txt', reason: 'parent' },
          { path: 'lnk/through.txt', reason: 'through-link' },
          { path: 'deep/lnk2/sub/through2.txt', reason: 'through-link' },
          { path: 'hl', reason: 'link-outside' },
        ]),
      );
    });
  }
});

describe('in place', () => {
  it('never overwrites: a file that differs is kept and the restored copy goes beside it; identical files are left alone', async () => {
    const docs = path.join(src, 'docs');
    await fs.mkdir(path.join(docs, 'gone'), { recursive: true });
    await fs.writeFile(path.join(docs, 'report.pdf'), 'version 1');
    await fs.writeFile(path.join(docs, 'same.txt'), 'unchanged');
    await fs.writeFile(path.join(docs, 'gone', 'x.txt'), 'deleted later');
    await fs.symlink('same.txt', path.join(docs, 'link'));
    const engine = await open();
    const archive = await backup(engine);
    await fs.writeFile(path.join(docs, 'report.pdf'), 'version 2, edited since');
    await fs.rm(path.join(docs, 'gone'), { recursive: true });
    const sameIno = (await fs.stat(path.join(docs, 'same.txt'))).ino;

    // No target: back where they were.
    const r = await engine.restore('p', { archive, paths: [docs], mode: 'in-place' });
    expect(r.ok, JSON.stringify(r)).toBe(true);
    if (!r.ok) return;
    const when = (await engine.archives('p')).ok ? '' : '';
    void when;
    expect(await fs.readFile(path.join(docs, 'report.pdf'), 'utf8')).toBe('version 2, edited since');
    const names = (await fs.readdir(docs)).sort();
    const copy = names.find((n) => /^report \(restored \d{4}-\d\d-\d\d \d\d\.\d\d\)\.pdf$/.test(n));
    expect(copy, names.join(', ')).toBeDefined();
    expect(await fs.readFile(path.join(docs, copy!), 'utf8')).toBe('version 1');
    expect(await fs.readFile(path.join(docs, 'gone', 'x.txt'), 'utf8')).toBe('deleted later');
    expect((await fs.stat(path.join(docs, 'same.txt'))).ino).toBe(sameIno);
    expect(r.value.identical).toBe(2); // same.txt and the link
    expect(r.value.keptBoth).toEqual([{ path: `${ap(docs)}/report.pdf`, restoredAs: `${ap(docs)}/${copy}` }]);
    expect(r.value.files).toBe(2); // the kept copy and gone/x.txt
    expect(names.filter((n) => n.startsWith('.dandelion'))).toEqual([]);
    expect((await fs.readdir(src)).filter((n) => n.startsWith('.dandelion'))).toEqual([]);

    // Again: the copy is there now too, so the next one gets its own name; the stamp is the archive's local time.
    const again = await engine.restore('p', { archive, paths: [path.join(docs, 'report.pdf')], mode: 'in-place' });
    expect(again.ok).toBe(true);
    if (!again.ok) return;
    expect(again.value.keptBoth[0]!.restoredAs).toBe(`${ap(docs)}/${copy!.replace(').pdf', ' 2).pdf')}`);
    expect(again.value.identical).toBe(0);
  });
});

describe('each failure has its own diagnosis', () => {
  it('a path that is not in the archive is an error naming it, and nothing is written', async () => {
    const archive = await sharedBackup('one-file', oneFile);
    const engine = await open();
    const r = await engine.restore('p', { archive, paths: [path.join(src, 'a.txt'), path.join(src, 'nope.txt')], target: dest });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.diagnosis.kind).toBe('restore-path-missing');
    expect(r.diagnosis.message).toBe(`"${path.join(src, 'nope.txt')}" is not in the backup ${archive}; nothing was restored.`);
    expect(await fs.readdir(dest)).toEqual([]);
    const [rec] = await new OpHistory(path.join(sb.configDir, 'operations')).recent('p');
    expect(rec).toMatchObject({ kind: 'restore', result: 'error', archive });
  });

  it('an archive deleted between the list and the restore', async () => {
    await sharedBackup('one-file', oneFile);
    const engine = await open();
    const listed = await engine.archives('p');
    expect(listed.ok).toBe(true);
    if (!listed.ok) return;
    const name = listed.value.at(-1)!.name;
    const del = await borg(sb, ['delete', `${repo}::${name}`]);
    expect(del.exitCode, del.stderr).toBe(0);
    const r = await engine.restore('p', { archive: name, paths: [], target: dest });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.diagnosis.kind).toBe('archive-missing');
    expect(r.diagnosis.message).toContain(name);
    expect(await fs.readdir(dest)).toEqual([]);
  });

  it('latest with no archive yet', async () => {
    const engine = await open();
    const r = await engine.restore('p', { archive: 'latest', paths: [], target: dest });
    expect(r.ok || r.diagnosis.kind).toBe('archive-missing');
  });

  it('a target that does not exist', async () => {
    const archive = await sharedBackup('one-file', oneFile);
    const engine = await open();
    const r = await engine.restore('p', { archive, paths: [], target: path.join(sb.dir, 'nowhere') });
    expect(r.ok || r.diagnosis.kind).toBe('restore-target-unwritable');
  });

  it('a repository on a disk that is not connected', async () => {
    const volumes = path.join(sb.dir, 'Volumes');
    await fs.mkdir(volumes);
    const engine = await open({
      volumesRoot: volumes,
      profiles: [profile({ repository: path.join(volumes, 'disk', 'repo'), volume: 'disk' })],
    });
    const r = await engine.restore('p', { archive: 'p-1', paths: [], target: dest });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.diagnosis.kind).toBe('disk-not-mounted');
    expect(r.diagnosis.message).toMatch(/not connected, so nothing can be restored/);
  });

  it('busy: says who holds the repository, or waits for it with that shown', async () => {
    const archive = await sharedBackup('one-file', oneFile);
    const engine = await open();
    const lock = await tryLock(configPaths(sb.configDir).repoLock(repo), 'backup of "p" (disk)', { profile: 'p' });
    expect(lock.ok).toBe(true);
    if (!lock.ok) return;
    const r = await engine.restore('p', { archive, paths: [], target: dest, busy: 'fail' });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.diagnosis.kind).toBe('busy');
      expect(r.diagnosis.message).toContain('backup of "p" (disk)');
    }
    const seen: OpProgress[] = [];
    engine.on('op-progress', ({ progress }) => seen.push(progress));
    const waiting = engine.restore('p', { archive, paths: [], target: dest, busy: 'wait' });
    await new Promise((res) => setTimeout(res, 700));
    expect(engine.operationProgress('p')).toMatchObject({ kind: 'restore', waitingFor: 'backup of "p" (disk)' });
    await lock.release();
    const done = await waiting;
    expect(done.ok, JSON.stringify(done)).toBe(true);
    expect(seen[0]?.waitingFor).toBe('backup of "p" (disk)');
    expect(seen.at(-1)?.waitingFor).toBeUndefined();
    expect(engine.operationProgress('p')).toBeNull();
  });

  it('cancel mid-restore: no file under its real name, nothing left behind, the repository checks clean', async () => {
    const archive = await sharedBackup('big', bigFile);
    const engine = await open();
    const seen: OpProgress[] = [];
    const times: number[] = [];
    engine.on('op-progress', ({ progress }) => {
      seen.push(progress);
      times.push(Date.now());
      if (progress.bytes > 100 * 1024 * 1024) engine.cancelOperation('p');
    });
    const r = await engine.restore('p', { archive, paths: [], target: dest });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.diagnosis.kind).toBe('cancelled');
    expect(r.diagnosis.message).toMatch(/restore was cancelled/);
    expect(seen.some((p) => p.bytes > 0 && p.percent !== null && p.percent < 100)).toBe(true);
    // At most 4 a second, however often borg reports (it reports every 0.1 %).
    expect(times.length).toBeGreaterThan(3);
    // (The last one is the final state, delivered at once when the restore ends.)
    const paced = times.slice(0, -1);
    const gaps = paced.slice(1).map((t, i) => t - paced[i]!);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(200);
    expect(await fs.readdir(dest)).toEqual([]);
    const [rec] = await new OpHistory(path.join(sb.configDir, 'operations')).recent('p');
    expect(rec).toMatchObject({ result: 'cancelled' });
    const check = await borg(sb, ['check', repo]);
    expect(check.exitCode, check.stderr).toBe(0);
    expect(engine.cancelOperation('p')).toBe(false);
  }, 120_000);
});

describe.skipIf(!isRoot)(`targets on real mounts (${isRoot ? 'tmpfs as root' : NOT_ROOT})`, () => {
  const mounts: string[] = [];
  afterEach(async () => {
    for (const m of mounts.splice(0)) await execa('umount', ['-l', m], { reject: false });
  });

  it('a read-only target', async () => {
    const archive = await sharedBackup('one-file', oneFile);
    const engine = await open();
    const ro = path.join(sb.dir, 'ro');
    await fs.mkdir(ro);
    await execa('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', ro]);
    mounts.push(ro);
    for (const mode of ['new-folder', 'in-place'] as const) {
      const r = await engine.restore('p', { archive, paths: [], target: ro, mode });
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.diagnosis.kind).toBe('restore-target-unwritable');
      expect(r.diagnosis.message).toContain(ro);
    }
  });

  it('a target disk that fills up: the restore stops and what it wrote is removed', async () => {
    await execa('dd', ['if=/dev/urandom', `of=${path.join(src, 'big.bin')}`, 'bs=1M', 'count=6', 'status=none']);
    const engine = await open();
    const archive = await backup(engine);
    const small = path.join(sb.dir, 'small');
    await fs.mkdir(small);
    await execa('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', small]);
    mounts.push(small);
    const r = await engine.restore('p', { archive, paths: [], target: small });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.diagnosis.kind).toBe('restore-target-full');
    expect(r.diagnosis.message).toContain(small);
    expect(await fs.readdir(small)).toEqual([]);
  });
});

describe('dandelion restore (the built CLI)', () => {
  async function docs(root: string): Promise<void> {
    await fs.mkdir(path.join(root, 'docs'));
    await fs.writeFile(path.join(root, 'docs', 'report.pdf'), 'version 1');
    await fs.writeFile(path.join(root, 'docs', '-rf'), 'dash');
  }

  /** The docs backed up by `dandelion run`: shared by the tests that leave the source alone, `own` for one that edits it. */
  async function setUp(own = false): Promise<void> {
    if (own) {
      await docs(src);
      await writeConfig(sb.configDir, { profiles: [profile()] });
      const run = await dandelion(sb, ['run', 'p']);
      expect(run.exitCode, run.stderr).toBe(0);
      return;
    }
    await sharedBackup('cli-docs', docs, { cli: true });
    await writeConfig(sb.configDir, { profiles: [profile()] });
  }

  it('restores into a new folder and says where; --json for scripts; exit 0', async () => {
    await setUp();
    const r = await dandelion(sb, ['restore', 'p', '--to', dest, path.join(src, 'docs', 'report.pdf'), path.join(src, 'docs', '-rf')]);
    expect(r.exitCode, r.stderr).toBe(0);
    const [folder] = await fs.readdir(dest);
    expect(folder).toMatch(/^Restored from p-/);
    expect(r.stdout).toContain(`Restored 2 files (13 B) from ${folder!.slice('Restored from '.length)} into ${path.join(dest, folder!)}\n`);
    expect(await fs.readFile(path.join(dest, folder!, ap(src), 'docs', '-rf'), 'utf8')).toBe('dash');

    const j = await dandelion(sb, ['restore', 'p', '--json', '--to', dest, path.join(src, 'docs')]);
    expect(j.exitCode, j.stderr).toBe(0);
    const answer = JSON.parse(j.stdout) as { result: string; folder: string; files: number };
    expect(answer).toMatchObject({ result: 'success', folder: path.join(dest, `${folder} 2`), files: 2 });
  });

  it('in place: keeps both and lists them; exit 0', async () => {
    await setUp(true);
    await fs.writeFile(path.join(src, 'docs', 'report.pdf'), 'version 2');
    const r = await dandelion(sb, ['restore', 'p', '--in-place', path.join(src, 'docs')]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Put back 1 file \(9 B\) from p-\S+\.\n1 file already there and identical: left alone\.\n/);
    expect(r.stdout).toMatch(
      new RegExp(
        `Kept both: ${path.join(src, 'docs', 'report.pdf')} differs from the backup; the restored copy is ${path.join(src, 'docs')}/report \\(restored [^)]+\\)\\.pdf\n`,
      ),
    );
    expect(await fs.readFile(path.join(src, 'docs', 'report.pdf'), 'utf8')).toBe('version 2');
  });

  it('a path not in the archive, and a wrong command line: exit 2 with the reason', async () => {
    await setUp();
    const r = await dandelion(sb, ['restore', 'p', '--to', dest, '/no/such/file']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('"/no/such/file" is not in the backup p-');
    // The command that lists the archives holding it, quoted for a shell.
    expect(r.stderr).toContain('`dandelion versions p /no/such/file` lists the archives that hold it.');
    const spaced = await dandelion(sb, ['restore', 'p', '--to', dest, "/no/it's here"]);
    expect(spaced.stderr).toContain(`\`dandelion versions p '/no/it'"'"'s here'\` lists the archives that hold it.`);
    const two = await dandelion(sb, ['restore', 'p', '--to', dest, '/no/a', '/no/b']);
    expect(two.stderr).not.toContain('dandelion versions');
    expect(await fs.readdir(dest)).toEqual([]);
    const both = await dandelion(sb, ['restore', 'p', '--to', dest, '--in-place']);
    expect(both.exitCode).toBe(2);
    expect(both.stderr).toContain('Choose one: --to DIR (a new folder there) or --in-place.');
    const help = await dandelion(sb, ['help', 'restore']);
    expect(help.stdout).toContain('Usage: dandelion restore <profile> [--archive NAME|latest] [--to DIR | --in-place] [--json] [PATH...]');
  });

  it('on a terminal, one progress line redrawn in place: percent, items, bytes and the path', async () => {
    await execa('dd', ['if=/dev/urandom', `of=${path.join(src, 'big.bin')}`, 'bs=1M', 'count=150', 'status=none']);
    await writeConfig(sb.configDir, { profiles: [profile()] });
    expect((await dandelion(sb, ['run', 'p'])).exitCode).toBe(0);
    // script(1) gives the CLI a terminal, as a person's shell would.
    const cmd = [process.execPath, CLI, 'restore', 'p', '--to', dest].map((w) => `'${w}'`).join(' ');
    const r = await execa('script', ['-qec', cmd, '/dev/null'], { env: sb.env, extendEnv: false, reject: false });
    expect(r.exitCode, r.stdout).toBe(0);
    const redraws = r.stdout.split('\r\x1b[K').slice(1);
    expect(redraws.length).toBeGreaterThan(1);
    // Each redraw: percent, items, bytes, the path borg is at (cut to the terminal's width).
    for (const line of redraws.slice(0, -1)) expect(line).toMatch(/^(\d+\.\d% {2})?\d+ items?, [\d.]+ [kMG]?B {2}\/\S/);
    expect(redraws.some((l) => /^\d+\.\d% /.test(l) && l.includes('big.b'))).toBe(true);
    expect(r.stdout).toMatch(/\nRestored 1 file \(157 MB\) from p-\S+ into /);
  }, 120_000);

  it('Ctrl-C cancels cleanly: exit 2, nothing left in the target', async () => {
    await sharedBackup('big', bigFile);
    await writeConfig(sb.configDir, { profiles: [profile()] });
    const child = spawn(process.execPath, [CLI, 'restore', 'p', '--to', dest], { env: sb.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((res) => child.on('close', (code) => res(code)));
    // Once borg writes into the staging folder, interrupt as a terminal's Ctrl-C would.
    for (let i = 0; i < 600; i++) {
      const staging = (await fs.readdir(dest)).find((n) => n.startsWith('.dandelion-restore-'));
      if (staging && (await everything(path.join(dest, staging), [])).some((f) => f.endsWith('big.bin'))) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGINT');
    expect(await exited).toBe(2);
    expect(stderr).toContain('The restore was cancelled');
    expect(await fs.readdir(dest)).toEqual([]);
  }, 120_000);
});

describe('with a passphrase: borg extract starts while the scan runs, and gets the passphrase only once it is safe', () => {
  const PASS = 'correct horse battery staple 4f2a';
  let engine: Engine;

  beforeEach(async () => {
    repo = path.join(sb.dir, 'enc-repo');
    await freshRepository(repo, 'repokey-blake2', PASS);
    engine = await open({ profiles: [profile({ encryption: 'repokey-blake2' })] });
    const saved = await engine.setPassphrase('p', PASS);
    expect(saved.ok, JSON.stringify(saved)).toBe(true);
  });

  /** The test's own copy of one encrypted backup of a.txt, and an engine (with the passphrase) on it. */
  async function sharedEncrypted(): Promise<string> {
    const archive = await sharedBackup('enc-one-file', oneFile, { encryption: 'repokey-blake2', passphrase: PASS });
    engine = await open({ profiles: [profile({ encryption: 'repokey-blake2' })] });
    const saved = await engine.setPassphrase('p', PASS);
    expect(saved.ok, JSON.stringify(saved)).toBe(true);
    return archive;
  }

  it('restores, and leaves no second extract’s trace in the log', async () => {
    await fs.writeFile(path.join(src, 'a.txt'), 'encrypted hello');
    const archive = await backup(engine);
    const r = await engine.restore('p', { archive, paths: [path.join(src, 'a.txt')], target: dest });
    expect(r.ok, JSON.stringify(r)).toBe(true);
    if (!r.ok) return;
    expect(await fs.readFile(path.join(r.value.folder!, ap(src), 'a.txt'), 'utf8')).toBe('encrypted hello');
    const text = await fs.readFile(r.value.record.log!, 'utf8');
    expect(text).not.toMatch(/ERROR|started again/);
  });

  it('a hostile archive: the waiting extract never gets the passphrase; the one started with the patterns writes nothing outside', async () => {
    const outside = path.join(sb.dir, 'outside');
    await fs.mkdir(outside);
    const tar = path.join(sb.dir, 'evil.tar');
    await execa(PYTHON, [
      '-c',
      `import tarfile, io, sys
t = tarfile.open(sys.argv[2], 'w')
def add(name, data=b'x', kind=tarfile.REGTYPE, link=''):
    ti = tarfile.TarInfo(name); ti.type = kind; ti.linkname = link; ti.mode = 0o644
    ti.size = len(data) if kind == tarfile.REGTYPE else 0
    t.addfile(ti, io.BytesIO(data) if kind == tarfile.REGTYPE else None)
add('ok.txt', b'fine')
add('lnk', kind=tarfile.SYMTYPE, link=sys.argv[1])
add('lnk/through.txt', b'through')
t.close()`,
      outside,
      tar,
    ]);
    expect((await borg(sb, ['import-tar', `${repo}::evil`, tar], PASS)).exitCode).toBe(0);
    const r = await engine.restore('p', { archive: 'evil', paths: [], target: dest });
    expect(r.ok, JSON.stringify(r)).toBe(true);
    if (!r.ok) return;
    expect(await fs.readdir(outside)).toEqual([]);
    expect(await fs.readFile(path.join(r.value.folder!, 'ok.txt'), 'utf8')).toBe('fine');
    expect(r.value.record.diagnoses.map((d) => d.kind)).toEqual(['restore-refused']);
    expect(await fs.readFile(r.value.record.log!, 'utf8')).toContain('started again with patterns');
  });

  it('a path not in the archive: the waiting extract is stopped, nothing is written, nothing waits', async () => {
    const archive = await sharedEncrypted();
    const r = await engine.restore('p', { archive, paths: [path.join(src, 'nope')], target: dest });
    expect(r.ok || r.diagnosis.kind).toBe('restore-path-missing');
    expect(await fs.readdir(dest)).toEqual([]);
    // No borg left behind waiting for a passphrase.
    const left = await execa('pgrep', ['-f', `${repo}::${archive}`], { reject: false });
    expect(left.stdout.trim()).toBe('');
  });

  it('cancelled during the scan: both borgs stop, nothing is left', async () => {
    const archive = await sharedEncrypted();
    const pending = engine.restore('p', { archive, paths: [], target: dest });
    await new Promise((res) => setTimeout(res, 150));
    expect(engine.cancelOperation('p')).toBe(true);
    const r = await pending;
    expect(r.ok || r.diagnosis.kind).toBe('cancelled');
    expect(await fs.readdir(dest)).toEqual([]);
    const left = await execa('pgrep', ['-f', `${repo}::${archive}`], { reject: false });
    expect(left.stdout.trim()).toBe('');
  });
});
