/**
 * From the hidden staging folder into place. borg writes only into staging (inside the target, on
 * the file system the entries go back to: restore-devices.ts); a file reaches its real name by a rename or a link, never by a copy, so
 * contents, holes, hardlinks, xattrs, ACLs, modes and times are the ones borg wrote, and a cancelled
 * or failed restore leaves nothing half-written under a real name.
 *
 * Names are handled as bytes (`latin1` strings turned into Buffers for every call): a name that is
 * not valid UTF-8 survives the move as it was stored.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { keepBothName, putBack, restoredFolderName, type EntryKind } from './restore-plan.js';

/** A path as bytes: every call gets a Buffer, so no name is re-encoded. */
const B = (p: string): Buffer => Buffer.from(p, 'latin1');
const join = (dir: string, name: string): string => (dir.endsWith('/') ? dir + name : `${dir}/${name}`);
/** A byte path as a person reads it (UTF-8; an invalid byte shows as �). */
export const readable = (p: string): string => Buffer.from(p, 'latin1').toString('utf8');
/** A path as bytes-in-a-string, the form this module works in. */
export const bytesOf = (p: string): string => Buffer.from(p, 'utf8').toString('latin1');

function kindOf(st: fs.Stats): EntryKind {
  if (st.isDirectory()) return 'folder';
  if (st.isFile()) return 'file';
  if (st.isSymbolicLink()) return 'link';
  return 'other';
}

function lstatOrNull(p: string): fs.Stats | null {
  try {
    return fs.lstatSync(B(p));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** Taken = anything there, or a name that cannot be asked about (never chosen). */
function taken(dir: string): (name: string) => boolean {
  return (name) => {
    try {
      return lstatOrNull(join(dir, name)) !== null;
    } catch {
      return true;
    }
  };
}

/**
 * The whole restore becomes `Restored from <archive>` in the target (` 2`, ` 3`… when taken). The name
 * is claimed with mkdir (which fails on anything there) and the staging folder renamed onto the empty
 * folder just made: another process can never have it replaced.
 */
export async function moveToNewFolder(staging: string, target: string, archive: string): Promise<string> {
  const skip = new Set<string>();
  for (;;) {
    const isTaken = taken(target);
    const name = bytesOf(restoredFolderName(archive, (n) => skip.has(n) || isTaken(bytesOf(n))));
    const folder = join(target, name);
    try {
      await fsp.mkdir(B(folder));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
        skip.add(readable(name));
        continue;
      }
      throw err;
    }
    try {
      await fsp.rename(B(staging), B(folder));
      return folder;
    } catch (err) {
      // Someone wrote into the folder we made between the two calls: it is theirs now; take the next name.
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOTEMPTY' || code === 'EEXIST') {
        skip.add(readable(name));
        continue;
      }
      await fsp.rmdir(B(folder)).catch(() => {});
      throw err;
    }
  }
}

export interface PutBackResult {
  /** Files (and links, and other non-folders) now where they were. */
  files: number;
  bytes: number;
  /** Restored copies written beside a different file that was there (paths relative to the target, readable). */
  keptBoth: { path: string; restoredAs: string }[];
  /** Files already there with the same contents: left alone. */
  identical: number;
  /** Entries that could not be moved (`code` EXDEV: across a mount point): they stay in the staging folder. */
  failed: { path: string; error: string; code?: string }[];
}

async function sameFile(a: string, b: string, size: number): Promise<boolean> {
  if (size === 0) return true;
  const [fa, fb] = await Promise.all([fsp.open(B(a), 'r'), fsp.open(B(b), 'r')]);
  try {
    const chunk = 1024 * 1024;
    const ba = Buffer.alloc(chunk);
    const bb = Buffer.alloc(chunk);
    for (let pos = 0; pos < size;) {
      const [ra, rb] = await Promise.all([fa.read(ba, 0, chunk, pos), fb.read(bb, 0, chunk, pos)]);
      if (ra.bytesRead !== rb.bytesRead) return false;
      if (ra.bytesRead === 0) return true;
      if (!ba.subarray(0, ra.bytesRead).equals(bb.subarray(0, rb.bytesRead))) return false;
      pos += ra.bytesRead;
    }
    return true;
  } finally {
    await Promise.all([fa.close(), fb.close()]);
  }
}

async function identical(staged: string, existing: string, s: fs.Stats, e: fs.Stats): Promise<boolean> {
  if (s.isSymbolicLink()) {
    const [a, b] = await Promise.all([fsp.readlink(B(staged), { encoding: 'buffer' }), fsp.readlink(B(existing), { encoding: 'buffer' })]);
    return a.equals(b);
  }
  return s.size === e.size && sameFile(staged, existing, s.size);
}

/** Files and bytes under a staged entry (itself when it is not a folder); links are not followed. */
async function measure(p: string, st: fs.Stats): Promise<{ files: number; bytes: number }> {
  if (!st.isDirectory()) return { files: 1, bytes: st.isFile() ? st.size : 0 };
  let files = 0;
  let bytes = 0;
  for (const name of await fsp.readdir(B(p), { encoding: 'buffer' })) {
    const child = join(p, name.toString('latin1'));
    const m = await measure(child, await fsp.lstat(B(child)));
    files += m.files;
    bytes += m.bytes;
  }
  return { files, bytes };
}

/**
 * Moves one staged entry to a name that is free, without ever replacing what is there: a file by
 * link + unlink (link fails on an existing name), anything else by rename (a folder cannot replace a
 * folder that has something in it).
 */
async function place(from: string, to: string, st: fs.Stats): Promise<void> {
  if (st.isFile()) {
    try {
      await fsp.link(B(from), B(to));
      await fsp.unlink(B(from));
      return;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // A file system without hard links (FAT, some network shares): a rename to the name found free.
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EMLINK') throw err;
      if (lstatOrNull(to) !== null) throw Object.assign(new Error(`${readable(to)} appeared meanwhile`), { code: 'EEXIST' });
    }
  }
  await fsp.rename(B(from), B(to));
}

/**
 * In place: the staging folder mirrors the target (staging/home/me/x goes to target/home/me/x). For
 * each entry: nothing there → moved into place; a folder into a folder → the same inside; identical
 * (same size and bytes, or the same link target) → left alone, counted; anything else → the restored
 * copy beside it with the Keep Both name. A link already in the target is never followed: a folder
 * restored where a link is goes beside the link.
 */
export async function putBackInPlace(staging: string, target: string, stamp: () => Promise<string>): Promise<PutBackResult> {
  const out: PutBackResult = { files: 0, bytes: 0, keptBoth: [], identical: 0, failed: [] };
  const walk = async (rel: string): Promise<void> => {
    const from = rel ? join(staging, rel) : staging;
    const names = (await fsp.readdir(B(from), { encoding: 'buffer' })).map((n) => n.toString('latin1'));
    for (const name of names) {
      const relPath = rel ? join(rel, name) : name;
      const src = join(staging, relPath);
      const dst = join(target, relPath);
      try {
        const s = await fsp.lstat(B(src));
        const e = lstatOrNull(dst);
        const action = putBack(kindOf(s), e ? kindOf(e) : null);
        if (action === 'merge') {
          await walk(relPath);
          continue;
        }
        if (action === 'compare' && (await identical(src, dst, s, e!))) {
          out.identical++;
          await fsp.rm(B(src), { force: true });
          continue;
        }
        const m = await measure(src, s);
        if (action === 'move') {
          await place(src, dst, s);
        } else {
          const dir = rel ? join(target, rel) : target;
          const when = await stamp();
          const asName = keepBothBytes(name, when, s.isDirectory(), taken(dir));
          await place(src, join(dir, asName), s);
          out.keptBoth.push({ path: readable(relPath), restoredAs: readable(rel ? join(rel, asName) : asName) });
        }
        out.files += m.files;
        out.bytes += m.bytes;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        out.failed.push({ path: readable(relPath), error: (err as Error).message, ...(code ? { code } : {}) });
      }
    }
  };
  await walk('');
  return out;
}

/**
 * Keep Both on a name held as bytes: worked out on its text when it is valid UTF-8 (so a long name is
 * shortened on a character boundary), else on its bytes as they are (latin1: one character per byte).
 */
function keepBothBytes(name: string, when: string, folder: boolean, isTaken: (n: string) => boolean): string {
  const text = readable(name);
  if (bytesOf(text) !== name) return keepBothName(name, when, { folder, taken: isTaken });
  return bytesOf(keepBothName(text, when, { folder, taken: (n) => isTaken(bytesOf(n)) }));
}
