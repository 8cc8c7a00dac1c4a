/**
 * Is a backup disk there, and is its repository readable yet? Plain fs checks, shared by the volume
 * watcher and by a backup run (which must not load the watcher's chokidar just to ask).
 */
import { open, opendir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** The same presence rule for one volume path, for callers outside the watcher. */
export async function volumePresent(path: string): Promise<boolean> {
  const rootDev = await stat(dirname(path)).then(
    (s) => s.dev,
    () => null,
  );
  return rootDev !== null && looksMounted(path, rootDev);
}

export async function looksMounted(path: string, rootDev: number): Promise<boolean> {
  try {
    const s = await stat(path);
    if (!s.isDirectory()) return false;
    if (s.dev !== rootDev) return true;
    const dir = await opendir(path);
    try {
      return (await dir.read()) !== null;
    } finally {
      await dir.close();
    }
  } catch {
    return false; // ENOENT, or EIO / ENOTCONN from a disk yanked mid-check: not usable, so not present
  }
}

/** For borg, a repository is readable when `<repo>/config` opens and yields bytes. */
export async function borgConfigReadable(repo: string): Promise<boolean> {
  const fh = await open(join(repo, 'config'), 'r');
  try {
    return (await fh.read(Buffer.alloc(1), 0, 1, 0)).bytesRead > 0;
  } finally {
    await fh.close();
  }
}

/**
 * A freshly mounted disk can take a moment to be usable (automounter, fsck, spin-up, LUKS unlock).
 * Probe with a short backoff (50 ms doubling, capped at 250 ms, so a repository that shows up late is
 * seen within a quarter second) and return as soon as `path` is readable;
 * false on timeout or abort. A probe that hangs (dying disk) cannot outlast the timeout.
 */
/** A few cheap opens per second, only while a mounted disk has no readable repository yet. */
const PROBE_CAP_MS = 250;

export async function waitUntilReadable(
  path: string,
  opts: { timeoutMs?: number; signal?: AbortSignal; probe?: (p: string) => Promise<boolean> } = {},
): Promise<boolean> {
  const { timeoutMs = 60_000, signal, probe = borgConfigReadable } = opts;
  const deadline = Date.now() + timeoutMs;
  let delay = 50;
  for (;;) {
    if (signal?.aborted) return false;
    const ok = await raceTimeout(
      Promise.resolve().then(() => probe(path)),
      Math.max(deadline - Date.now(), 0),
      signal,
    );
    if (ok) return true;
    const left = deadline - Date.now();
    if (left <= 0 || signal?.aborted) return false;
    await raceTimeout(new Promise<boolean>(() => {}), Math.min(delay, left), signal);
    delay = Math.min(delay * 2, PROBE_CAP_MS);
  }
}

/** Resolves with p's value, or false after `ms` or on abort; probe errors count as "not readable". */
function raceTimeout(p: Promise<boolean>, ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((done) => {
    const finish = (value: boolean) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      done(value);
    };
    const onAbort = () => finish(false);
    const timer = setTimeout(finish, ms, false);
    signal?.addEventListener('abort', onAbort, { once: true });
    p.then(finish, () => finish(false));
  });
}
