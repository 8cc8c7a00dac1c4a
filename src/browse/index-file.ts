/**
 * The archive index on disk, and reading it back a range at a time.
 *
 *   0  magic "DNDLIDX\n"       8  format version (u32 LE)   12  CRC-32 of every byte from 16 on
 *  16  header length H (u32)  20  header (JSON: ids, archive name, node count, sections)   then, each
 *  8-byte aligned: parent u32[n], childStart u32[n+1], nameStart u32[n+1] (in UTF-16 code units),
 *  type u8[n], size f64[n], mtime f64[n] (ms, NaN = implicit folder), names (UTF-16LE, each name
 *  followed by a NUL).
 *
 * Nodes are breadth first with siblings sorted by name (builder.ts), so a folder's children are one
 * run of nodes and each section gives them in one read. Names are UTF-16 so any JS string (borg's
 * JSON can hold lone surrogates) comes back as it went in, and a name's offset is plain arithmetic.
 * A file that is short, longer, of another version or whose CRC does not match is not an index.
 */
import { crc32 } from 'node:zlib';
import type { FolderEntry } from '../repo/contents.js';
import { entryOf, pathComponents, TYPE_CODES, type IndexTree } from './builder.js';

export const MAGIC = 'DNDLIDX\n';
export const FORMAT_VERSION = 1;
const FIXED = 20;

export interface IndexMeta {
  repositoryId: string;
  archiveId: string;
  archive: string;
  /** When the index was made (ISO). */
  created: string;
}

type SectionName = 'parent' | 'childStart' | 'nameStart' | 'type' | 'size' | 'mtime' | 'names';

interface Header extends IndexMeta {
  count: number;
  fileLength: number;
  sections: Record<SectionName, [number, number]>;
}

const align8 = (n: number) => (n + 7) & ~7;

/** The index file's bytes for a built tree. */
export function encodeIndex(tree: IndexTree, meta: IndexMeta): Buffer {
  const n = tree.count;
  const nameStart = new Uint32Array(n + 1);
  let at = 0;
  for (let i = 0; i < n; i++) {
    nameStart[i] = at;
    at += tree.names[i]!.length + 1;
  }
  nameStart[n] = at;
  const names = Buffer.from(tree.names.join('\0') + '\0', 'utf16le');
  const parts: [SectionName, Buffer][] = [
    ['parent', Buffer.from(tree.parent.buffer, tree.parent.byteOffset, n * 4)],
    ['childStart', Buffer.from(tree.childStart.buffer, tree.childStart.byteOffset, (n + 1) * 4)],
    ['nameStart', Buffer.from(nameStart.buffer, 0, (n + 1) * 4)],
    ['type', Buffer.from(tree.type.buffer, tree.type.byteOffset, n)],
    ['size', Buffer.from(tree.size.buffer, tree.size.byteOffset, n * 8)],
    ['mtime', Buffer.from(tree.mtime.buffer, tree.mtime.byteOffset, n * 8)],
    ['names', names],
  ];
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw new Error('the archive index is written little-endian only');
  // The header's length depends on the offsets it names: lay it out with room for the longest numbers.
  const sections = {} as Record<SectionName, [number, number]>;
  const draft: Header = { ...meta, count: n, fileLength: 0, sections };
  for (const [name, buf] of parts) sections[name] = [1e12, buf.length];
  const headerRoom = Buffer.byteLength(JSON.stringify({ ...draft, fileLength: 1e12 }));
  let offset = align8(FIXED + headerRoom);
  for (const [name, buf] of parts) {
    sections[name] = [offset, buf.length];
    offset = align8(offset + buf.length);
  }
  draft.fileLength = offset;
  const header = Buffer.from(JSON.stringify(draft));
  const file = Buffer.alloc(offset);
  file.write(MAGIC, 0, 'latin1');
  file.writeUInt32LE(FORMAT_VERSION, 8);
  file.writeUInt32LE(header.length, 16);
  header.copy(file, FIXED);
  for (const [name, buf] of parts) buf.copy(file, sections[name][0]);
  file.writeUInt32LE(crc32(file.subarray(16)), 12);
  return file;
}

/** Where an index's bytes come from: the file (positional reads) or a buffer. */
export interface ByteSource {
  size: number;
  read(offset: number, length: number): Buffer;
}

export function bufferSource(buf: Buffer): ByteSource {
  return { size: buf.length, read: (offset, length) => buf.subarray(offset, offset + length) };
}

export type OpenResult = { ok: true; index: ArchiveIndex } | { ok: false; why: string };

export interface NodeStat {
  type: FolderEntry['type'];
  size: number;
  mtime: string | null;
  /** Stored: false for a folder that exists only because something below it was backed up. */
  stored: boolean;
}

/**
 * Reads an index. `verify` checks the CRC of the whole file (once per file per process is enough:
 * the file is never rewritten in place); the structure is checked either way.
 */
export function openIndex(source: ByteSource, opts: { verify: boolean }): OpenResult {
  if (source.size < FIXED) return { ok: false, why: 'shorter than its fixed header' };
  const fixed = source.read(0, FIXED);
  if (fixed.toString('latin1', 0, 8) !== MAGIC) return { ok: false, why: 'not an archive index' };
  const version = fixed.readUInt32LE(8);
  if (version !== FORMAT_VERSION) return { ok: false, why: `format ${version}, not ${FORMAT_VERSION}` };
  const headerLength = fixed.readUInt32LE(16);
  if (FIXED + headerLength > source.size) return { ok: false, why: 'truncated header' };
  let header: Header;
  try {
    header = JSON.parse(source.read(FIXED, headerLength).toString('utf8')) as Header;
  } catch {
    return { ok: false, why: 'unreadable header' };
  }
  const why = checkHeader(header, source.size);
  if (why) return { ok: false, why };
  if (opts.verify) {
    const body = source.read(16, source.size - 16);
    if (crc32(body) !== fixed.readUInt32LE(12)) return { ok: false, why: 'checksum mismatch' };
  }
  return { ok: true, index: new ArchiveIndex(source, header) };
}

function checkHeader(h: Header, size: number): string | null {
  if (typeof h !== 'object' || h === null) return 'unreadable header';
  if (h.fileLength !== size) return `${size} bytes, the header says ${String(h.fileLength)}`;
  const n = h.count;
  if (!Number.isInteger(n) || n < 1) return 'no root node';
  if (typeof h.archiveId !== 'string' || typeof h.repositoryId !== 'string') return 'no ids';
  const want: Record<SectionName, number | null> = {
    parent: n * 4,
    childStart: (n + 1) * 4,
    nameStart: (n + 1) * 4,
    type: n,
    size: n * 8,
    mtime: n * 8,
    names: null,
  };
  for (const [name, length] of Object.entries(want) as [SectionName, number | null][]) {
    const s = h.sections?.[name];
    if (!Array.isArray(s) || !Number.isInteger(s[0]) || !Number.isInteger(s[1])) return `no ${name} section`;
    if (s[0] < FIXED || s[0] + s[1] > size) return `${name} section outside the file`;
    if (length !== null && s[1] !== length) return `${name} section of the wrong size`;
    if (name !== 'type' && name !== 'names' && s[0] % 4) return `${name} section misaligned`;
  }
  return null;
}

/** Answers from one archive's index; every number read is checked against the node count before use. */
export class ArchiveIndex {
  readonly meta: IndexMeta;
  readonly count: number;
  private allNames: string | null = null;
  private allNameStarts: Uint32Array | null = null;
  private allParents: Uint32Array | null = null;

  constructor(
    private readonly source: ByteSource,
    private readonly header: Header,
  ) {
    this.meta = { repositoryId: header.repositoryId, archiveId: header.archiveId, archive: header.archive, created: header.created };
    this.count = header.count;
  }

  private section(name: SectionName, width: number, from: number, to: number): Buffer {
    const [offset] = this.header.sections[name];
    return this.source.read(offset + from * width, (to - from) * width);
  }

  private u32(name: 'parent' | 'childStart' | 'nameStart', from: number, to: number): Uint32Array {
    const buf = this.section(name, 4, from, to);
    const out = new Uint32Array(to - from);
    for (let i = 0; i < out.length; i++) out[i] = buf.readUInt32LE(i * 4);
    return out;
  }

  private bad(what: string): never {
    throw new IndexDamaged(`archive index ${this.meta.archiveId}: ${what}`);
  }

  /** Children of `node`: the node range [from, to). */
  private childRange(node: number): [number, number] {
    const [from, to] = this.u32('childStart', node, node + 2) as unknown as [number, number];
    if (from > to || to > this.count || from <= node) this.bad('a child range out of order');
    return [from, to];
  }

  /** Names of nodes [from, to). */
  private names(from: number, to: number): string[] {
    if (from === to) return [];
    const starts = this.u32('nameStart', from, to + 1);
    const first = starts[0]!;
    const last = starts[to - from]!;
    const [, namesLength] = this.header.sections.names;
    if (last < first || last * 2 > namesLength) this.bad('a name outside the name table');
    const text = this.section('names', 2, first, last).toString('utf16le');
    const out = new Array<string>(to - from);
    for (let i = 0; i < out.length; i++) {
      const a = starts[i]! - first;
      const b = starts[i + 1]! - first - 1;
      if (b < a) this.bad('names out of order');
      out[i] = text.slice(a, b);
    }
    return out;
  }

  /** The node at `path` ('' = the root), or null. */
  lookup(path: string): number | null {
    let node = 0;
    for (const part of pathComponents(path)) {
      const [from, to] = this.childRange(node);
      const names = this.names(from, to);
      let lo = 0;
      let hi = names.length - 1;
      let found = -1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const name = names[mid]!;
        if (name === part) {
          found = mid;
          break;
        }
        if (name < part) lo = mid + 1;
        else hi = mid - 1;
      }
      if (found < 0) return null;
      node = from + found;
    }
    return node;
  }

  stat(node: number): NodeStat {
    const type = this.section('type', 1, node, node + 1)[0]!;
    const size = this.section('size', 8, node, node + 1).readDoubleLE(0);
    const mtime = this.section('mtime', 8, node, node + 1).readDoubleLE(0);
    const e = entryOf('', '', type, size, mtime);
    return { type: e.type, size: e.size, mtime: e.mtime, stored: node === 0 || !Number.isNaN(mtime) };
  }

  isFolder(node: number): boolean {
    return this.section('type', 1, node, node + 1)[0] === TYPE_CODES.dir;
  }

  /** The direct children of the folder at `path`, unsorted (sortEntries orders them as a person reads them). */
  children(node: number, path: string): FolderEntry[] {
    const [from, to] = this.childRange(node);
    const names = this.names(from, to);
    const types = this.section('type', 1, from, to);
    const sizes = this.section('size', 8, from, to);
    const mtimes = this.section('mtime', 8, from, to);
    const prefix = pathComponents(path).join('/');
    const out = new Array<FolderEntry>(to - from);
    for (let i = 0; i < out.length; i++) {
      const name = names[i]!;
      out[i] = entryOf(prefix ? `${prefix}/${name}` : name, name, types[i]!, sizes.readDoubleLE(i * 8), mtimes.readDoubleLE(i * 8));
    }
    return out;
  }

  /** Every name as one string, each preceded by a NUL (node i's name starts at nameStarts[i] + 1), for a search. */
  nameTable(): { text: string; starts: Uint32Array } {
    if (this.allNames === null || this.allNameStarts === null) {
      const [, length] = this.header.sections.names;
      this.allNames = '\0' + this.section('names', 1, 0, length).toString('utf16le');
      this.allNameStarts = this.u32('nameStart', 0, this.count + 1);
    }
    return { text: this.allNames, starts: this.allNameStarts };
  }

  /** The archive path of a node. */
  pathOf(node: number): string {
    this.allParents ??= this.u32('parent', 0, this.count);
    const { text, starts } = this.nameTable();
    const parts: string[] = [];
    for (let at = node, steps = 0; at !== 0; steps++) {
      if (steps > this.count) this.bad('a parent loop');
      parts.push(text.slice(starts[at]! + 1, starts[at + 1]!));
      const up = this.allParents[at]!;
      if (up >= at) this.bad('a parent after its child');
      at = up;
    }
    return parts.reverse().join('/');
  }

  /** Node `i` as an entry, with its full path. */
  entry(node: number): FolderEntry {
    const path = this.pathOf(node);
    const s = this.section('type', 1, node, node + 1)[0]!;
    return entryOf(
      path,
      path.slice(path.lastIndexOf('/') + 1),
      s,
      this.section('size', 8, node, node + 1).readDoubleLE(0),
      this.section('mtime', 8, node, node + 1).readDoubleLE(0),
    );
  }

  /** Drops what searches loaded (the name table can be megabytes). */
  forget(): void {
    this.allNames = null;
    this.allNameStarts = null;
    this.allParents = null;
  }
}

/** A read found numbers that cannot be: the file changed under us or is damaged. The caller rebuilds. */
export class IndexDamaged extends Error {}
