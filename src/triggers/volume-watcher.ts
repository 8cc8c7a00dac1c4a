/**
 * Notices backup disks appearing under a volumes root (/media/<user>, /run/media/<user>, /Volumes).
 *
 * `<root>/<name>` counts as present when it is a directory AND (it is a mount point — its st_dev
 * differs from the root's — OR it has at least one entry). The mount-point test matters because a
 * mount point directory can exist with nothing mounted on it (fstab mount points, or udisks'
 * mkdir-then-mount), and the non-empty test covers plain folders and bind mounts of the same fs.
 *
 * Events: chokidar (inotify / FSEvents) on the root, depth 1 so files appearing inside a volume and
 * the unmount of a volume that was mounted when we started also wake us. But mounting onto an
 * existing directory changes no directory entry, so no inotify event fires at all — verified with a
 * real loop mount in test/integration/volume-watcher.test.ts. On Linux we therefore also run
 * `findmnt --poll`, which sleeps in poll() on /proc/self/mountinfo and prints a line whenever the
 * kernel's mount table changes: event-driven, no polling loop of ours. Every event just triggers a
 * (coalesced) re-evaluation of all names, so the decision logic lives in one place.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter, once } from 'node:events';
import { stat } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import { closeWatcher } from './close-watcher.js';
import { looksMounted } from '../volumes/probe.js';

export { borgConfigReadable, volumePresent, waitUntilReadable } from '../volumes/probe.js';

export type VolumeWatcherEvents = { appeared: [name: string]; vanished: [name: string] };

export interface VolumeWatcherOptions {
  /** Also listen to mount-table changes via `findmnt --poll` (Linux only). Default true. */
  mountTable?: boolean;
  /** Watcher errors (chokidar, listener exceptions); they never throw out of the watcher. */
  onError?: (err: unknown) => void;
}

export class VolumeWatcher extends EventEmitter<VolumeWatcherEvents> {
  private readonly root: string;
  private readonly names: ReadonlySet<string>;
  private readonly present = new Set<string>();
  private watcher: FSWatcher | null = null;
  private watchedPath: string | null = null;
  private mountMonitor: ChildProcess | null = null;
  private arming: Promise<void> = Promise.resolve();
  private evaluating: Promise<void> | null = null;
  private dirty = false;
  private closed = false;

  constructor(
    volumesRoot: string,
    names: Iterable<string>,
    private readonly opts: VolumeWatcherOptions = {},
  ) {
    super();
    this.root = resolve(volumesRoot);
    this.names = new Set(names);
  }

  /** Resolves once the initial state is known: already-mounted disks have emitted `appeared`. */
  async start(): Promise<void> {
    if (this.opts.mountTable !== false) this.startMountMonitor();
    await this.rearm();
    await this.evaluate();
  }

  isPresent(name: string): boolean {
    return this.present.has(name);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.mountMonitor?.kill();
    await this.arming;
    if (this.watcher) await closeWatcher(this.watcher);
  }

  /**
   * chokidar 4 never reports a path that did not exist when watching started. So while the root is
   * missing (/media/<user> appears with the first mount) we watch its nearest existing ancestor at
   * depth 0 and move down as directories appear; if the root is deleted we move back up.
   */
  private rearm(): Promise<void> {
    this.arming = this.arming.then(() => this.arm()).catch((err: unknown) => this.opts.onError?.(err));
    return this.arming;
  }

  private async arm(): Promise<void> {
    // Loops because a directory created while a watch was being set up sent no event: look again.
    for (;;) {
      if (this.closed) return;
      const target = await nearestExistingDir(this.root);
      if (target === this.watchedPath) return;
      if (this.watcher) await closeWatcher(this.watcher);
      const atRoot = target === this.root;
      const w = watch(target, { depth: atRoot ? 1 : 0, ignoreInitial: !atRoot, ignorePermissionErrors: true });
      this.watcher = w;
      this.watchedPath = target;
      w.on('error', (err) => this.opts.onError?.(err));
      if (atRoot) {
        w.on('all', (event, path) => {
          if (event === 'unlinkDir' && path === this.root) {
            this.watchedPath = null; // the watched inode is gone: a recreated root needs a new watch
            void this.rearm();
          }
          void this.evaluate();
        });
        w.on('raw', () => void this.evaluate());
      } else {
        w.on('all', () => void this.rearm().then(() => this.evaluate()));
      }
      await once(w, 'ready');
    }
  }

  private startMountMonitor(): void {
    if (process.platform !== 'linux') return;
    const child = spawn('findmnt', ['--poll', '--noheadings', '--raw', '--output', 'TARGET'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    // ENOENT (no util-linux): carry on with chokidar alone, which still sees volumes that are created
    // as directories at mount time (udisks, macOS); only mounts onto pre-existing dirs go unnoticed.
    child.on('error', (err) => this.opts.onError?.(err));
    child.stdout?.on('data', () => void this.evaluate());
    // A helper process must not keep the app alive.
    child.unref();
    (child.stdout as Socket | null)?.unref();
    this.mountMonitor = child;
  }

  /** Coalesces bursts of events into one pass, and never runs two passes at once. */
  private evaluate(): Promise<void> {
    this.dirty = true;
    this.evaluating ??= this.drain();
    return this.evaluating;
  }

  private async drain(): Promise<void> {
    try {
      while (this.dirty && !this.closed) {
        this.dirty = false;
        await this.evaluateOnce().catch((err: unknown) => this.opts.onError?.(err));
      }
    } finally {
      this.evaluating = null;
    }
  }

  private async evaluateOnce(): Promise<void> {
    const rootDev = await stat(this.root).then(
      (s) => s.dev,
      () => null,
    );
    for (const name of this.names) {
      const isPresent = rootDev !== null && (await looksMounted(join(this.root, name), rootDev));
      if (this.closed || isPresent === this.present.has(name)) continue;
      if (isPresent) this.present.add(name);
      else this.present.delete(name);
      this.emit(isPresent ? 'appeared' : 'vanished', name);
    }
  }
}

async function nearestExistingDir(path: string): Promise<string> {
  let p = path;
  while (
    !(await stat(p).then(
      (s) => s.isDirectory(),
      () => false,
    ))
  ) {
    const parent = dirname(p);
    if (parent === p) break;
    p = parent;
  }
  return p;
}
