/**
 * Put Back across file systems: a disk (here a tmpfs) mounted at a folder under the in-place target.
 * A file cannot be renamed or linked from one file system to another (EXDEV), so each part of the
 * selection is staged on the file system it goes back to. Real borg, real mounts (root only).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { Engine, type OpProgress } from '../../src/engine.js';
import { MemorySecretStore } from '../../src/secrets/keyring.js';
import { isRoot, sandbox, writeConfig, type Sandbox } from '../helpers/env.js';
import { freshRepository } from '../helpers/repo-template.js';
import { PYTHON } from '../helpers/python.js';

const NOT_ROOT = 'needs root to mount a tmpfs inside the folder restored (run the suite as root, as CI does)';

let sb: Sandbox;
let src: string;
let mnt: string;
let repo: string;
const mounts: string[] = [];
const cleanups: (() => Promise<unknown>)[] = [];

async function setXattr(file: string, name: string, value: string): Promise<void> {
  await execa(PYTHON, ['-c', 'import os,sys; os.setxattr(sys.argv[1], sys.argv[2], sys.argv[3].encode())', file, name, value]);
}

/** The user xattrs of each file, read in one python run. */
async function getXattrs(files: string[]): Promise<Record<string, string>[]> {
  const r = await execa(PYTHON, [
    '-c',
    'import os,sys,json; print(json.dumps([{k: os.getxattr(f, k).decode() for k in os.listxattr(f) if k.startswith("user.")} for f in sys.argv[1:]]))',
    ...files,
  ]);
  return JSON.parse(r.stdout) as Record<string, string>[];
}

/** Every file under `root` with what a restore must keep of it; staging folders would show up here too. */
async function describeTree(root: string): Promise<Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  const files: string[] = [];
  for (const e of await fs.readdir(root, { withFileTypes: true, recursive: true })) {
    const full = path.join(e.parentPath, e.name);
    const st = await fs.lstat(full, { bigint: true });
    const entry: Record<string, unknown> = { mode: st.mode.toString(8), mtime: st.mtimeNs.toString() };
    if (st.isFile()) {
      entry.sha = createHash('sha256')
        .update(await fs.readFile(full))
        .digest('hex');
      files.push(full);
    }
    out[path.relative(root, full)] = entry;
  }
  const xattrs = await getXattrs(files);
  files.forEach((f, i) => (out[path.relative(root, f)]!.xattrs = xattrs[i]));
  return out;
}

/** Staging folders anywhere under the sandbox, on either file system. */
async function stagingLeft(): Promise<string[]> {
  const r = await execa('find', [sb.dir, '-name', '.dandelion-restore-*']);
  return r.stdout.split('\n').filter(Boolean);
}

async function open(encryption = 'none'): Promise<Engine> {
  await writeConfig(sb.configDir, {
    profiles: [{ id: 'p', repository: repo, encryption, sources: [src], prune: null, archiveName: 'p-{now}' }],
  });
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

const devOf = async (p: string) => (await fs.stat(p)).dev;

/** Where the file system holding `p` is mounted: the highest folder above it on the same device. */
async function mountPointOf(p: string): Promise<string> {
  const dev = await devOf(p);
  let dir = p;
  while (dir !== '/' && (await devOf(path.dirname(dir))) === dev) dir = path.dirname(dir);
  return dir;
}

beforeEach(async () => {
  if (!isRoot) return;
  sb = await sandbox('dandelion-restore-xdev-');
  process.env.BORG_BASE_DIR = sb.env.BORG_BASE_DIR;
  process.env.BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK = 'yes';
  src = path.join(sb.dir, 'src');
  mnt = path.join(src, 'mnt');
  repo = path.join(sb.dir, 'repo');
  await fs.mkdir(mnt, { recursive: true });
  await execa('mount', ['-t', 'tmpfs', '-o', 'size=64m', 'tmpfs', mnt]);
  mounts.push(mnt);
  await freshRepository(repo, 'none');
});

afterEach(async () => {
  if (!isRoot) return;
  for (const c of cleanups.splice(0)) await c();
  for (const m of mounts.splice(0)) await execa('umount', ['-l', m], { reject: false });
  await sb.cleanup();
});

describe.skipIf(!isRoot)(`Put Back across a mount point (${isRoot ? 'tmpfs as root' : NOT_ROOT})`, () => {
  it('puts every file back where it was on both file systems, keeps both across the mount, and leaves no staging folder', async () => {
    expect(await devOf(mnt)).not.toBe(await devOf(src));
    const old = new Date('2021-03-04T05:06:07.891Z');
    await fs.mkdir(path.join(src, 'docs'));
    await fs.writeFile(path.join(src, 'docs', 'outside.txt'), 'on the target’s disk');
    await fs.writeFile(path.join(src, 'docs', 'edited.txt'), 'version 1 outside');
    await fs.mkdir(path.join(mnt, 'sub', 'deep'), { recursive: true });
    await fs.writeFile(path.join(mnt, 'inner.txt'), 'on the mounted disk');
    await fs.chmod(path.join(mnt, 'inner.txt'), 0o640);
    await setXattr(path.join(mnt, 'inner.txt'), 'user.tag', 'Red');
    await fs.utimes(path.join(mnt, 'inner.txt'), old, old);
    await fs.writeFile(path.join(mnt, 'sub', 'deep', 'b.txt'), 'deep inside');
    await fs.writeFile(path.join(mnt, 'hard-a'), 'one file, two names');
    await fs.link(path.join(mnt, 'hard-a'), path.join(mnt, 'sub', 'hard-b'));
    await fs.writeFile(path.join(mnt, 'edited.txt'), 'version 1 inside');
    const before = await describeTree(src);
    const engine = await open();
    const archive = await backup(engine);

    // Lost and changed since, on both disks.
    await fs.rm(path.join(src, 'docs', 'outside.txt'));
    await fs.writeFile(path.join(src, 'docs', 'edited.txt'), 'version 2 outside');
    await fs.rm(path.join(mnt, 'inner.txt'));
    await fs.rm(path.join(mnt, 'sub'), { recursive: true });
    await fs.rm(path.join(mnt, 'hard-a'));
    await fs.writeFile(path.join(mnt, 'edited.txt'), 'version 2 inside');

    // The folder holding the mount point restored whole, back where it was (target `/`).
    const r = await engine.restore('p', { archive, paths: [src], mode: 'in-place' });
    expect(r.ok, JSON.stringify(r)).toBe(true);
    if (!r.ok) return;
    expect(r.value.record.result, JSON.stringify(r.value.record.diagnoses)).toBe('success');
    expect(r.value.folder).toBeNull();
    expect(await stagingLeft()).toEqual([]);

    // Keep Both on each side of the mount: the edited file stays, the restored copy is beside it.
    const copyOf = async (dir: string) => (await fs.readdir(dir)).find((n) => /^edited \(restored .+\)\.txt$/.test(n));
    const outsideCopy = await copyOf(path.join(src, 'docs'));
    const insideCopy = await copyOf(mnt);
    expect(outsideCopy).toBeDefined();
    expect(insideCopy).toBeDefined();
    expect(await fs.readFile(path.join(src, 'docs', 'edited.txt'), 'utf8')).toBe('version 2 outside');
    expect(await fs.readFile(path.join(mnt, 'edited.txt'), 'utf8')).toBe('version 2 inside');
    expect(await fs.readFile(path.join(src, 'docs', outsideCopy!), 'utf8')).toBe('version 1 outside');
    expect(await fs.readFile(path.join(mnt, insideCopy!), 'utf8')).toBe('version 1 inside');
    const rel = (p: string) => path.relative('/', p);
    expect(r.value.keptBoth).toEqual(
      expect.arrayContaining([
        { path: rel(path.join(src, 'docs', 'edited.txt')), restoredAs: rel(path.join(src, 'docs', outsideCopy!)) },
        { path: rel(path.join(mnt, 'edited.txt')), restoredAs: rel(path.join(mnt, insideCopy!)) },
      ]),
    );

    // Everything else exactly as it was: contents, modes, mtimes, xattrs, on the disk it was on.
    const after = await describeTree(src);
    for (const k of Object.keys(after)) if (/\(restored /.test(k)) delete after[k];
    const same = (t: Record<string, unknown>) => {
      const c = { ...t };
      // Folders that got a file put back (or kept both) have a new mtime; their own mode stays.
      for (const k of ['docs', 'mnt']) if (c[k]) c[k] = { mode: (c[k] as { mode: string }).mode };
      for (const k of ['docs/edited.txt', 'mnt/edited.txt']) delete c[k];
      return c;
    };
    expect(same(after)).toEqual(same(before));
    const mdev = await devOf(mnt);
    for (const f of ['inner.txt', 'sub/deep/b.txt', 'hard-a', 'sub/hard-b']) expect(await devOf(path.join(mnt, f))).toBe(mdev);
    expect(await devOf(path.join(src, 'docs', 'outside.txt'))).toBe(await devOf(src));
    // The hardlink pair inside the mount comes back as one file.
    const a = await fs.stat(path.join(mnt, 'hard-a'));
    const b = await fs.stat(path.join(mnt, 'sub', 'hard-b'));
    expect(b.ino).toBe(a.ino);
    expect(a.nlink).toBe(2);
    // One record and one log for the whole restore.
    const log = await fs.readFile(r.value.record.log!, 'utf8');
    // The sandbox's own file system is named by its mount point unless it is the target's, `/`
    // (the temporary folder may be a tmpfs of its own, as /dev/shm is).
    const home = await mountPointOf(src);
    expect(log).toContain(`on 2 file systems (${home === '/' ? 'the target' : home}, ${mnt})`);
    expect(log.match(/borg extract finished: success/g)).toHaveLength(2);

    // The whole archive too (no path asked for): the mount point is found below the archive's top.
    await fs.rm(path.join(mnt, 'inner.txt'));
    await fs.rm(path.join(src, 'docs', 'outside.txt'));
    const whole = await engine.restore('p', { archive, paths: [], mode: 'in-place' });
    expect(whole.ok, JSON.stringify(whole)).toBe(true);
    if (!whole.ok) return;
    expect(whole.value.record.result, JSON.stringify(whole.value.record.diagnoses)).toBe('success');
    expect(await fs.readFile(path.join(mnt, 'inner.txt'), 'utf8')).toBe('on the mounted disk');
    expect(await fs.readFile(path.join(src, 'docs', 'outside.txt'), 'utf8')).toBe('on the target’s disk');
    expect(await stagingLeft()).toEqual([]);
  }, 120_000);

  it('a cancel while the part on the mounted disk is extracted leaves nothing under a real name on either disk', async () => {
    await fs.mkdir(path.join(src, 'docs'));
    await fs.writeFile(path.join(src, 'docs', 'outside.txt'), 'outside');
    await execa('dd', ['if=/dev/urandom', `of=${path.join(src, 'docs', 'first.bin')}`, 'bs=1M', 'count=16', 'status=none']);
    await execa('dd', ['if=/dev/urandom', `of=${path.join(mnt, 'big.bin')}`, 'bs=1M', 'count=48', 'status=none']);
    await fs.writeFile(path.join(mnt, 'inner.txt'), 'inside');
    const engine = await open();
    const archive = await backup(engine);
    await fs.rm(path.join(src, 'docs', 'outside.txt'));
    await fs.rm(path.join(src, 'docs', 'first.bin'));
    await fs.rm(path.join(mnt, 'big.bin'));
    await fs.rm(path.join(mnt, 'inner.txt'));

    const seen: OpProgress[] = [];
    engine.on('op-progress', ({ progress }) => seen.push(progress));
    const pending = engine.restore('p', { archive, paths: [src], mode: 'in-place' });
    // Cancelled once borg writes into the staging folder on the mounted disk (the other part is staged by then).
    let cancelled = false;
    for (let i = 0; i < 2000 && !cancelled; i++) {
      for (const n of await fs.readdir(mnt)) {
        if (!n.startsWith('.dandelion-restore-')) continue;
        const found = await execa('find', [path.join(mnt, n), '-name', 'big.bin'], { reject: false });
        if (found.stdout.trim()) cancelled = engine.cancelOperation('p');
      }
      if (!cancelled) await new Promise((res) => setTimeout(res, 5));
    }
    expect(cancelled).toBe(true);
    const r = await pending;
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.diagnosis.kind).toBe('cancelled');
    // Progress is of the whole restore: the second part's bytes come on top of the first's, the percent of all 64 MiB.
    const bytesSeen = seen.map((p) => p.bytes);
    expect(bytesSeen).toEqual([...bytesSeen].sort((a, b) => a - b));
    const last = seen.at(-1)!;
    expect(last.bytes).toBeGreaterThan(16 * 2 ** 20);
    expect(Math.abs(last.percent! - (last.bytes / (64 * 2 ** 20)) * 100)).toBeLessThan(1);
    expect((await fs.readdir(mnt)).sort()).toEqual([]);
    expect(await fs.readdir(path.join(src, 'docs'))).toEqual([]);
    expect(await stagingLeft()).toEqual([]);
  }, 120_000);

  it('what still cannot be put back (a bind mount: same device, another mount) is said in words and left in plain sight', async () => {
    // A bind mount of a folder of the same file system has the same device number, yet rename and link across it fail (EXDEV).
    const elsewhere = path.join(sb.dir, 'elsewhere');
    const bound = path.join(src, 'bound');
    await fs.mkdir(elsewhere);
    await fs.mkdir(bound);
    await execa('mount', ['--bind', elsewhere, bound]);
    mounts.push(bound);
    expect(await devOf(bound)).toBe(await devOf(src));
    await fs.writeFile(path.join(bound, 'one.txt'), 'behind a bind mount');
    await fs.writeFile(path.join(src, 'plain.txt'), 'plain');
    const engine = await open();
    const archive = await backup(engine);
    await fs.rm(path.join(bound, 'one.txt'));
    await fs.rm(path.join(src, 'plain.txt'));

    const r = await engine.restore('p', { archive, paths: [src], mode: 'in-place' });
    expect(r.ok, JSON.stringify(r)).toBe(true);
    if (!r.ok) return;
    expect(r.value.record.result).toBe('warning');
    expect(await fs.readFile(path.join(src, 'plain.txt'), 'utf8')).toBe('plain');
    const folder = r.value.folder!;
    expect(path.dirname(folder)).toBe(sb.dir);
    expect(path.basename(folder)).toBe(`Restored from ${archive}`);
    expect(await fs.readFile(path.join(folder, path.relative('/', bound), 'one.txt'), 'utf8')).toBe('behind a bind mount');
    expect(r.value.record.diagnoses[0]!.message).toBe(
      `1 file (${path.join(bound, 'one.txt')}) belongs on another disk than the one it was restored to (a disk mounted inside the folder), so it could not be put back and is in ${folder}.`,
    );
    expect(await stagingLeft()).toEqual([]);
  }, 120_000);

  it('with a passphrase: the extract that waited during the scan is started again for each file system, and all comes back', async () => {
    const PASS = 'across the mount 7c1d';
    repo = path.join(sb.dir, 'enc-repo');
    await freshRepository(repo, 'repokey-blake2', PASS);
    const engine = await open('repokey-blake2');
    expect((await engine.setPassphrase('p', PASS)).ok).toBe(true);
    await fs.writeFile(path.join(src, 'outside.txt'), 'outside, encrypted');
    await fs.writeFile(path.join(mnt, 'inside.txt'), 'inside, encrypted');
    const archive = await backup(engine);
    await fs.rm(path.join(src, 'outside.txt'));
    await fs.rm(path.join(mnt, 'inside.txt'));
    const r = await engine.restore('p', { archive, paths: [src], mode: 'in-place' });
    expect(r.ok, JSON.stringify(r)).toBe(true);
    if (!r.ok) return;
    expect(r.value.record.result, JSON.stringify(r.value.record.diagnoses)).toBe('success');
    expect(await fs.readFile(path.join(src, 'outside.txt'), 'utf8')).toBe('outside, encrypted');
    expect(await fs.readFile(path.join(mnt, 'inside.txt'), 'utf8')).toBe('inside, encrypted');
    const log = await fs.readFile(r.value.record.log!, 'utf8');
    expect(log).toContain('borg extract waited for the scan; started again for each file system');
    expect(log).not.toContain(PASS);
    expect(await stagingLeft()).toEqual([]);
  }, 120_000);

  it('a target reached through a link (as /tmp is on a Mac) still finds the mount point below it', async () => {
    await fs.writeFile(path.join(src, 'outside.txt'), 'outside');
    await fs.writeFile(path.join(mnt, 'inside.txt'), 'inside');
    const engine = await open();
    const archive = await backup(engine);
    await fs.rm(path.join(src, 'outside.txt'));
    await fs.rm(path.join(mnt, 'inside.txt'));
    const viaLink = path.join(sb.dir, 'root-link');
    await fs.symlink('/', viaLink);
    const r = await engine.restore('p', { archive, paths: [src], target: viaLink, mode: 'in-place' });
    expect(r.ok, JSON.stringify(r)).toBe(true);
    if (!r.ok) return;
    expect(r.value.record.result, JSON.stringify(r.value.record.diagnoses)).toBe('success');
    expect(await fs.readFile(path.join(mnt, 'inside.txt'), 'utf8')).toBe('inside');
    expect(await fs.readFile(path.join(src, 'outside.txt'), 'utf8')).toBe('outside');
    expect(await stagingLeft()).toEqual([]);
  }, 120_000);
});
