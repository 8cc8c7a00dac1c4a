/**
 * Archive indexes on disk: `<config>/cache/archive-index/<repository id>/<archive id>.idx`.
 * Archives never change, so an index is good for as long as its archive exists. Written to a temp
 * file and renamed (a reader sees a whole index or none), checked when opened (index-file.ts: a
 * short, damaged or other-version file is deleted and rebuilt, never read), kept under a size cap
 * by dropping the least recently used (the access time, set on each use), and dropped when a
 * listing of the repository's archives no longer shows its archive.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { bufferSource, openIndex, type ArchiveIndex, type ByteSource, type IndexMeta } from './index-file.js';

/** All archive indexes together stay under this many bytes (the oldest used go first). */
export const INDEX_CACHE_MAX_BYTES = 500 * 1024 * 1024;

const ID = /^[0-9a-f]{8,128}$/;

export interface CachedFile {
  file: string;
  repositoryId: string;
  archiveId: string;
  bytes: number;
  /** Last use (ms). */
  usedAt: number;
}

/**
 * Which files to delete so the rest fit in `maxBytes`: least recently used first, never one named
 * in `keep` (an index just written or in use).
 */
export function evictions(files: CachedFile[], maxBytes: number, keep: ReadonlySet<string> = new Set()): CachedFile[] {
  let total = files.reduce((sum, f) => sum + f.bytes, 0);
  const out: CachedFile[] = [];
  for (const f of [...files].sort((a, b) => a.usedAt - b.usedAt || (a.file < b.file ? -1 : 1))) {
    if (total <= maxBytes) break;
    if (keep.has(f.file)) continue;
    out.push(f);
    total -= f.bytes;
  }
  return out;
}

/** A shell-style archive pattern (`--glob-archives`), with borg's `{placeholders}` standing for anything. */
export function archiveScope(glob: string | null): (name: string) => boolean {
  if (glob === null) return () => true;
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') source += '.*';
    else if (c === '?') source += '.';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) source += '\\[';
      else {
        const set = glob.slice(i + 1, end).replace(/\\/g, '\\\\');
        source += set.startsWith('!') ? `[^${set.slice(1)}]` : `[${set}]`;
        i = end;
      }
    } else if (c === '{') {
      const end = glob.indexOf('}', i);
      if (end < 0) source += '\\{';
      else {
        source += '.*';
        i = end;
      }
    } else source += c.replace(/[\\^$.+()|{}\]]/g, (x) => `\\${x}`);
  }
  const re = new RegExp(`^${source}$`, 's');
  return (name) => re.test(name);
}

/** borg's name for what an interrupted create leaves. */
const CHECKPOINT = /\.checkpoint(\.\d+)?$/;

/**
 * Indexes whose archive a listing shows gone: not among the listed ids, and either named like an
 * archive the listing would have shown (its scope; checkpoints only when it listed them) or named
 * like a listed archive (same name, new archive).
 */
export function goneArchives(
  indexed: { archiveId: string; archive: string }[],
  listed: { id: string; name: string }[],
  scope: { inScope: (name: string) => boolean; checkpoints: boolean },
): string[] {
  const ids = new Set(listed.map((a) => a.id));
  const names = new Set(listed.map((a) => a.name));
  return indexed
    .filter((x) => !ids.has(x.archiveId))
    .filter((x) => names.has(x.archive) || (scope.inScope(x.archive) && (scope.checkpoints || !CHECKPOINT.test(x.archive))))
    .map((x) => x.archiveId);
}

/** An index file read in place: positional reads, the descriptor kept until `close`. */
class FileSource implements ByteSource {
  constructor(
    private readonly fd: number,
    readonly size: number,
  ) {}

  read(offset: number, length: number): Buffer {
    const buf = Buffer.allocUnsafe(length);
    let done = 0;
    while (done < length) {
      const n = fs.readSync(this.fd, buf, done, length - done, offset + done);
      if (n === 0) break;
      done += n;
    }
    if (done < length) throw new Error('the archive index ended early');
    return buf;
  }

  close(): void {
    try {
      fs.closeSync(this.fd);
    } catch {
      /* already closed */
    }
  }
}

/** The ids and archive name an index names, from its header alone (no checksum, no use recorded). */
function peekMeta(file: string): IndexMeta | null {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return null;
  }
  const source = new FileSource(fd, fs.fstatSync(fd).size);
  try {
    const r = openIndex(source, { verify: false });
    return r.ok ? r.index.meta : null;
  } catch {
    return null;
  } finally {
    source.close();
  }
}

export interface OpenedIndex {
  index: ArchiveIndex;
  close(): void;
}

export class IndexStore {
  /** Files (by device, inode, size) whose checksum this process already checked. */
  private readonly verified = new Set<string>();

  constructor(
    readonly dir: string,
    private readonly maxBytes = INDEX_CACHE_MAX_BYTES,
  ) {}

  fileFor(repositoryId: string, archiveId: string): string {
    if (!ID.test(repositoryId) || !ID.test(archiveId)) throw new Error('not a borg id');
    return path.join(this.dir, repositoryId, `${archiveId}.idx`);
  }

  /** The index of an archive, or null when there is none worth reading (a bad one is deleted). */
  open(repositoryId: string, archiveId: string): OpenedIndex | null {
    const file = this.fileFor(repositoryId, archiveId);
    let fd: number;
    try {
      fd = fs.openSync(file, 'r');
    } catch {
      return null;
    }
    const st = fs.fstatSync(fd);
    const source = new FileSource(fd, st.size);
    const key = `${st.dev}:${st.ino}:${st.size}`;
    let r: ReturnType<typeof openIndex>;
    try {
      r = openIndex(source, { verify: !this.verified.has(key) });
    } catch {
      r = { ok: false, why: 'unreadable' };
    }
    if (!r.ok || r.index.meta.archiveId !== archiveId || r.index.meta.repositoryId !== repositoryId) {
      source.close();
      this.remove(file);
      return null;
    }
    this.verified.add(key);
    this.touch(file, st.mtime);
    return { index: r.index, close: () => source.close() };
  }

  /** An index kept in memory (when it could not be written, it still answers for this process). */
  static inMemory(buf: Buffer): OpenedIndex | null {
    const r = openIndex(bufferSource(buf), { verify: false });
    return r.ok ? { index: r.index, close: () => {} } : null;
  }

  /** Deletes an index found damaged while reading it. */
  discard(repositoryId: string, archiveId: string): void {
    this.remove(this.fileFor(repositoryId, archiveId));
  }

  private remove(file: string): void {
    try {
      fs.unlinkSync(file);
    } catch {
      /* gone already */
    }
  }

  /** Marks a use (the access time; the modification time stays the day it was written). */
  private touch(file: string, mtime: Date): void {
    try {
      fs.utimesSync(file, new Date(), mtime);
    } catch {
      /* a read-only cache still answers */
    }
  }

  /** Writes an index whole (temp file + rename), then keeps the cache under its cap. */
  async write(meta: IndexMeta, bytes: Buffer): Promise<string> {
    const file = this.fileFor(meta.repositoryId, meta.archiveId);
    await fsp.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
    try {
      const handle = await fsp.open(tmp, 'wx', 0o600);
      try {
        await handle.writeFile(bytes);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fsp.rename(tmp, file);
    } catch (e) {
      await fsp.rm(tmp, { force: true });
      throw e;
    }
    await this.enforceCap(new Set([file]));
    return file;
  }

  /** Every index file with its size and last use; temp files of writers that died are removed. */
  async files(): Promise<CachedFile[]> {
    const out: CachedFile[] = [];
    let repos: string[];
    try {
      repos = await fsp.readdir(this.dir);
    } catch {
      return out;
    }
    for (const repositoryId of repos) {
      if (!ID.test(repositoryId)) continue;
      let names: string[];
      try {
        names = await fsp.readdir(path.join(this.dir, repositoryId));
      } catch {
        continue;
      }
      for (const name of names) {
        const file = path.join(this.dir, repositoryId, name);
        const st = await fsp.stat(file).catch(() => null);
        if (!st) continue;
        if (name.endsWith('.tmp')) {
          if (Date.now() - st.mtimeMs > 3600_000) await fsp.rm(file, { force: true });
          continue;
        }
        const archiveId = name.slice(0, -'.idx'.length);
        if (!name.endsWith('.idx') || !ID.test(archiveId)) continue;
        out.push({ file, repositoryId, archiveId, bytes: st.size, usedAt: Math.max(st.atimeMs, st.mtimeMs) });
      }
    }
    return out;
  }

  async usage(): Promise<number> {
    return (await this.files()).reduce((sum, f) => sum + f.bytes, 0);
  }

  async enforceCap(keep: ReadonlySet<string> = new Set()): Promise<CachedFile[]> {
    const gone = evictions(await this.files(), this.maxBytes, keep);
    for (const f of gone) this.remove(f.file);
    return gone;
  }

  /** The archive (id and name) each index of a repository was made for. */
  async indexed(repositoryId: string): Promise<{ archiveId: string; archive: string }[]> {
    const out: { archiveId: string; archive: string }[] = [];
    for (const f of await this.files()) {
      if (f.repositoryId !== repositoryId) continue;
      const meta = peekMeta(f.file);
      if (meta) out.push({ archiveId: f.archiveId, archive: meta.archive });
    }
    return out;
  }

  /** Deletes the indexes of archives a listing shows gone; returns their ids. */
  async dropGone(
    repositoryId: string,
    listed: { id: string; name: string }[],
    scope: { inScope: (name: string) => boolean; checkpoints: boolean },
  ): Promise<string[]> {
    if (!ID.test(repositoryId) || !fs.existsSync(path.join(this.dir, repositoryId))) return [];
    const gone = goneArchives(await this.indexed(repositoryId), listed, scope);
    for (const id of gone) this.remove(this.fileFor(repositoryId, id));
    return gone;
  }
}
