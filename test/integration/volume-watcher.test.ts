import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it, type TestContext } from 'vitest';
import { VolumeWatcher, waitUntilReadable, type VolumeWatcherOptions } from '../../src/triggers/volume-watcher.js';

const run = promisify(execFile); // argv only, no shell
const isRoot = process.getuid?.() === 0;
const NOT_ROOT = 'needs root to loop-mount an ext4 image (run the suite as root, e.g. in the CI container)';

let dir: string;
let root: string;
let watchers: VolumeWatcher[] = [];
let mounted: string[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dandelion-volumes-'));
  root = join(dir, 'root');
  watchers = [];
  mounted = [];
});

afterEach(async () => {
  await Promise.all(watchers.map((w) => w.close()));
  for (const target of mounted) {
    await run('umount', [target])
      .catch(() => run('umount', ['-l', target]))
      .catch(() => undefined);
  }
  // Never rm -r through a mount that is still there: that would delete the image's contents.
  const mountinfo = await readFile('/proc/self/mountinfo', 'utf8').catch(() => '');
  if (!mountinfo.includes(dir)) await rm(dir, { recursive: true, force: true });
});

async function startWatcher(names: string[], opts: VolumeWatcherOptions = {}): Promise<VolumeWatcher> {
  const errors: unknown[] = [];
  const w = new VolumeWatcher(root, names, { onError: (e) => errors.push(e), ...opts });
  watchers.push(w);
  await w.start();
  expect(errors).toEqual([]);
  return w;
}

/** Resolves with the delay in ms once `event` fires for `name`; rejects after timeoutMs. */
function waitFor(w: VolumeWatcher, event: 'appeared' | 'vanished', name: string, timeoutMs = 2000): Promise<number> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no '${event}' for ${name} within ${timeoutMs} ms`)), timeoutMs);
    const listener = (n: string) => {
      if (n !== name) return;
      clearTimeout(timer);
      w.off(event, listener);
      resolve(Date.now() - started);
    };
    w.on(event, listener);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function makeImage(ctx: TestContext): Promise<string> {
  const img = join(dir, 'disk.img');
  await run('truncate', ['-s', '16M', img]);
  await run('mkfs.ext4', ['-q', '-F', img]).catch((e: unknown) => ctx.skip(`mkfs.ext4 unavailable: ${String(e)}`));
  return img;
}

async function mount(ctx: TestContext, img: string, target: string): Promise<void> {
  try {
    await run('mount', ['-o', 'loop', img, target]);
  } catch (e) {
    ctx.skip(`root, but loop mounts are not permitted here (container without CAP_SYS_ADMIN / loop devices): ${String(e)}`);
  }
  mounted.push(target);
}

async function umount(target: string): Promise<void> {
  await run('umount', [target]);
  mounted = mounted.filter((m) => m !== target);
}

describe('VolumeWatcher with a real loop-mounted ext4 image', () => {
  it.skipIf(!isRoot)(
    `mount onto an existing empty mount point => appeared; umount => vanished [${isRoot ? 'root' : NOT_ROOT}]`,
    async (ctx) => {
      const img = await makeImage(ctx);
      const target = join(root, 'backup-disk');
      await mkdir(target, { recursive: true });
      const w = await startWatcher(['backup-disk']);
      expect(w.isPresent('backup-disk')).toBe(false); // the empty directory alone is not a disk

      const appeared = waitFor(w, 'appeared', 'backup-disk');
      await mount(ctx, img, target);
      expect(await appeared).toBeLessThan(2000);
      expect(w.isPresent('backup-disk')).toBe(true);

      const vanished = waitFor(w, 'vanished', 'backup-disk');
      await umount(target);
      expect(await vanished).toBeLessThan(2000);
      expect(w.isPresent('backup-disk')).toBe(false);
    },
  );

  it.skipIf(!isRoot)(
    `a disk already mounted at start counts; unmounting it does not throw [${isRoot ? 'root' : NOT_ROOT}]`,
    async (ctx) => {
      const img = await makeImage(ctx);
      const target = join(root, 'backup-disk');
      await mkdir(target, { recursive: true });
      await mount(ctx, img, target);
      const appearedNames: string[] = [];
      const w = new VolumeWatcher(root, ['backup-disk', 'other-disk'], { onError: (e) => expect.fail(String(e)) });
      watchers.push(w);
      w.on('appeared', (n) => appearedNames.push(n));
      await w.start();
      expect(appearedNames).toEqual(['backup-disk']);
      expect(w.isPresent('other-disk')).toBe(false);

      // The watcher holds an inotify watch inside the mounted fs: umount must still succeed.
      const vanished = waitFor(w, 'vanished', 'backup-disk');
      await umount(target);
      expect(await vanished).toBeLessThan(2000);
    },
  );

  it.skipIf(!isRoot)(
    `udisks-style: mount point created, mounted at once, removed after umount [${isRoot ? 'root' : NOT_ROOT}]`,
    async (ctx) => {
      const img = await makeImage(ctx);
      await mkdir(root);
      const w = await startWatcher(['backup-disk']);
      const target = join(root, 'backup-disk');
      const appeared = waitFor(w, 'appeared', 'backup-disk');
      await mkdir(target);
      await mount(ctx, img, target);
      expect(await appeared).toBeLessThan(2000);
      const vanished = waitFor(w, 'vanished', 'backup-disk');
      await umount(target);
      await rmdir(target);
      expect(await vanished).toBeLessThan(2000);
    },
  );

  it.skipIf(!isRoot)(
    `finding: chokidar alone (no findmnt) never sees a mount onto an existing directory [${isRoot ? 'root' : NOT_ROOT}]`,
    async (ctx) => {
      const img = await makeImage(ctx);
      const target = join(root, 'backup-disk');
      await mkdir(target, { recursive: true });
      const w = await startWatcher(['backup-disk'], { mountTable: false });
      await mount(ctx, img, target);
      await sleep(1000);
      // No directory entry changed, so inotify reported nothing: this is why the watcher runs findmnt --poll.
      expect(w.isPresent('backup-disk')).toBe(false);
    },
  );
});

describe('VolumeWatcher with plain directories (no root needed)', () => {
  it('copes with a missing volumes root: watches up the tree until it and the volume appear', async () => {
    const w = await startWatcher(['backup-disk']);
    expect(w.isPresent('backup-disk')).toBe(false);
    const appeared = waitFor(w, 'appeared', 'backup-disk');
    await mkdir(join(root, 'backup-disk'), { recursive: true });
    await writeFile(join(root, 'backup-disk', 'README'), 'borg repo');
    expect(await appeared).toBeLessThan(2000);

    const vanished = waitFor(w, 'vanished', 'backup-disk');
    await rm(join(root, 'backup-disk'), { recursive: true });
    expect(await vanished).toBeLessThan(2000);
  });

  it('an empty directory is not a disk; its first entry makes it one (seen at depth 1); rmdir => vanished', async () => {
    const target = join(root, 'backup-disk');
    await mkdir(root);
    const w = await startWatcher(['backup-disk']);
    await mkdir(target);
    await sleep(300);
    expect(w.isPresent('backup-disk')).toBe(false);

    const appeared = waitFor(w, 'appeared', 'backup-disk');
    await writeFile(join(target, 'config'), '[repository]\n');
    expect(await appeared).toBeLessThan(2000);

    const vanished = waitFor(w, 'vanished', 'backup-disk');
    await rm(join(target, 'config'));
    await rmdir(target);
    expect(await vanished).toBeLessThan(2000);
  });

  it('a volume present at start counts; other names are ignored', async () => {
    await mkdir(join(root, 'backup-disk'), { recursive: true });
    await writeFile(join(root, 'backup-disk', 'x'), 'x');
    const w = new VolumeWatcher(root, ['backup-disk', 'second']);
    watchers.push(w);
    const appearedNames: string[] = [];
    w.on('appeared', (n) => appearedNames.push(n));
    await w.start();
    expect(appearedNames).toEqual(['backup-disk']);

    await mkdir(join(root, 'unrelated'));
    await writeFile(join(root, 'unrelated', 'x'), 'x');
    await sleep(300);
    expect(appearedNames).toEqual(['backup-disk']);
  });

  it('survives the volumes root being deleted and recreated', async () => {
    await mkdir(join(root, 'backup-disk'), { recursive: true });
    await writeFile(join(root, 'backup-disk', 'x'), 'x');
    const w = await startWatcher(['backup-disk']);
    expect(w.isPresent('backup-disk')).toBe(true);

    const vanished = waitFor(w, 'vanished', 'backup-disk');
    await rm(root, { recursive: true });
    expect(await vanished).toBeLessThan(2000);

    const appeared = waitFor(w, 'appeared', 'backup-disk');
    await mkdir(join(root, 'backup-disk'), { recursive: true });
    await writeFile(join(root, 'backup-disk', 'x'), 'x');
    expect(await appeared).toBeLessThan(2000);
  });

  it('close() stops events', async () => {
    await mkdir(root);
    const w = await startWatcher(['backup-disk']);
    let events = 0;
    w.on('appeared', () => events++);
    await w.close();
    await mkdir(join(root, 'backup-disk'));
    await writeFile(join(root, 'backup-disk', 'x'), 'x');
    await sleep(300);
    expect(events).toBe(0);
  });
});

describe('waitUntilReadable', () => {
  it('returns soon after <repo>/config becomes readable (no fixed sleep)', async () => {
    const repo = join(dir, 'repo');
    setTimeout(() => {
      void mkdir(repo).then(() => writeFile(join(repo, 'config'), '[repository]\n'));
    }, 300);
    const started = Date.now();
    expect(await waitUntilReadable(repo, { timeoutMs: 5000 })).toBe(true);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(1000);
  });

  it('an empty or missing config is not readable: false after the timeout', async () => {
    await writeFile(join(dir, 'config'), '');
    const started = Date.now();
    expect(await waitUntilReadable(dir, { timeoutMs: 300 })).toBe(false);
    expect(Date.now() - started).toBeLessThan(600);
    expect(await waitUntilReadable(join(dir, 'missing'), { timeoutMs: 100 })).toBe(false);
  });

  it('backs off from 50 ms, doubling, capped at 250 ms', async () => {
    const calls: number[] = [];
    const started = Date.now();
    const probe = async () => {
      calls.push(Date.now() - started);
      return calls.length === 8;
    };
    expect(await waitUntilReadable('/x', { probe, timeoutMs: 10_000 })).toBe(true);
    const gaps = calls.slice(1).map((t, i) => t - (calls[i] ?? 0));
    const expected = [50, 100, 200, 250, 250, 250, 250];
    gaps.forEach((gap, i) => {
      expect(gap).toBeGreaterThanOrEqual((expected[i] ?? 0) - 5);
      expect(gap).toBeLessThan((expected[i] ?? 0) + 250); // slack for a loaded CI machine
    });
  });

  it('stops on abort, and treats a throwing probe as not readable', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const probe = async () => {
      throw new Error('EIO');
    };
    const started = Date.now();
    expect(await waitUntilReadable('/x', { probe, signal: ac.signal })).toBe(false);
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('a hanging probe cannot outlast the timeout', async () => {
    const started = Date.now();
    expect(await waitUntilReadable('/x', { probe: () => new Promise<boolean>(() => {}), timeoutMs: 200 })).toBe(false);
    expect(Date.now() - started).toBeLessThan(500);
  });
});
