import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { watch, type FSWatcher } from 'chokidar';
import { closeWatcher } from '../../src/triggers/close-watcher.js';

let dir: string;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dandelion-close-watcher-'));
});
afterAll(() => fs.rm(dir, { recursive: true, force: true }));

/** The timers of a watcher's throttles (chokidar's private `_throttled`: a test may look inside). */
function throttleTimers(w: FSWatcher): { _destroyed?: boolean }[] {
  const throttled = (w as unknown as { _throttled: Map<string, Map<string, { timeoutObject: { _destroyed?: boolean } }>> })._throttled;
  return [...throttled.values()].flatMap((byPath) => [...byPath.values()].map((t) => t.timeoutObject));
}
const running = (ts: { _destroyed?: boolean }[]) => ts.filter((t) => t._destroyed !== true).length;

/** A watcher of a folder of its own that has just seen a file appear (chokidar then read the folder). */
async function watcherThatSawAFile(name: string): Promise<FSWatcher> {
  const folder = path.join(dir, name);
  await fs.mkdir(folder);
  const w = watch(folder, { ignoreInitial: true, depth: 0 });
  await new Promise<void>((resolve) => w.once('ready', () => resolve()));
  const added = new Promise<void>((resolve) => w.once('add', () => resolve()));
  await fs.writeFile(path.join(folder, 'new-file'), 'x');
  await added;
  return w;
}

describe('closeWatcher', () => {
  it('leaves no timer of the watcher running, where chokidar’s own close() leaves one (the control)', async () => {
    const control = await watcherThatSawAFile('control');
    const controlTimers = throttleTimers(control);
    expect(running(controlTimers)).toBeGreaterThan(0);
    await control.close();
    // chokidar's 1 s folder-read throttle outlives close(): if this fails, chokidar fixed it and closeWatcher can go.
    expect(running(controlTimers)).toBeGreaterThan(0);

    const ours = await watcherThatSawAFile('ours');
    const ourTimers = throttleTimers(ours);
    expect(running(ourTimers)).toBeGreaterThan(0);
    await closeWatcher(ours);
    expect(running(ourTimers)).toBe(0);
    expect(ours.closed).toBe(true);
  });

  it('closes a watcher that has no throttle running', async () => {
    const w = watch(path.join(dir), { ignoreInitial: true, depth: 0 });
    await new Promise<void>((resolve) => w.once('ready', () => resolve()));
    await closeWatcher(w);
    expect(w.closed).toBe(true);
  });
});
