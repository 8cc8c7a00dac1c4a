import type { FSWatcher } from 'chokidar';

/** The part of chokidar's watcher (4.x, 5.x) that close() forgets: its throttles, each with a running timer. */
interface Throttled {
  _throttled?: unknown;
}

/**
 * Closes a chokidar watcher and ends the timers of its throttles. chokidar 4 and 5 clear the map of
 * throttles on close() but leave each timer running: after a directory was read, 1 s in which node
 * cannot exit, so a daemon told to stop lingered a second after "daemon stopped". A chokidar without
 * that field is closed as it is.
 */
export function closeWatcher(w: FSWatcher): Promise<void> {
  const throttled = (w as unknown as Throttled)._throttled;
  if (throttled instanceof Map) {
    for (const byPath of throttled.values()) {
      if (!(byPath instanceof Map)) continue;
      for (const t of [...byPath.values()]) {
        const clear = (t as { clear?: unknown } | null)?.clear;
        if (typeof clear === 'function') clear.call(t);
      }
    }
  }
  return w.close();
}
