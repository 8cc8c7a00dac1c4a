/**
 * One pass over an archive's items (`borg list --json-lines`) into a compact tree: a node per path,
 * its parent, type, size and mtime in typed arrays and its name as a string, never the JSON objects.
 * Folders that hold something but were not backed up themselves (`x` and `x/y` when the source was
 * `/x/y/z`) become implicit folder nodes (no mtime).
 *
 * `finish()` renumbers the nodes breadth first with each folder's children sorted by name, so every
 * folder's children are one contiguous run of nodes: what the index file stores (index-file.ts) and
 * what lets a folder be read with a few range reads.
 */
import type { EntryType, FolderEntry } from '../repo/contents.js';

/** Node types as stored (one byte). */
export const TYPE_CODES: Record<EntryType, number> = { dir: 0, file: 1, link: 2, other: 3 };
export const TYPE_NAMES: EntryType[] = ['dir', 'file', 'link', 'other'];
const BORG_TYPES: Record<string, number> = { d: 0, '-': 1, l: 2 };

/** The built tree, breadth first: node 0 is the archive's root; children of node i are nodes childStart[i] … childStart[i+1]-1. */
export interface IndexTree {
  count: number;
  parent: Uint32Array;
  childStart: Uint32Array;
  type: Uint8Array;
  size: Float64Array;
  /** ms since the epoch; NaN for an implicit folder (nothing stored for it). */
  mtime: Float64Array;
  names: string[];
}

/** One item as `borg list --json-lines` writes it (only what the index keeps). */
export interface ListedItem {
  path?: unknown;
  type?: unknown;
  size?: unknown;
  mtime?: unknown;
}

/** borg 1.2 writes local times without an offset; JS reads such a string as local time too. */
export function itemTime(value: unknown): number {
  if (typeof value !== 'string' || !value) return NaN;
  return Date.parse(value.length > 23 ? value.slice(0, 23) : value);
}

/** The components of an archive path: no empty ones, no leading `/`; "." alone is the root of a relative source. */
export function pathComponents(path: string): string[] {
  const parts = path.split('/').filter((c) => c !== '');
  return parts.length === 1 && parts[0] === '.' ? [] : parts;
}

export function entryOf(path: string, name: string, type: number, size: number, mtime: number): FolderEntry {
  return {
    name,
    path,
    type: TYPE_NAMES[type] ?? 'other',
    size: type === TYPE_CODES.dir ? 0 : size,
    mtime: Number.isNaN(mtime) ? null : new Date(mtime).toISOString(),
  };
}

export class IndexBuilder {
  private n = 1;
  private parent = new Uint32Array(1024);
  private type = new Uint8Array(1024);
  private size = new Float64Array(1024);
  private mtime = new Float64Array(1024).fill(NaN);
  private readonly names: string[] = [''];
  /** `${parent}/${name}` → node, for folder nodes only: a file's path is never looked up while building. */
  private readonly dirs = new Map<string, number>();
  /** The previous item's components and the folder nodes along it: items come depth first, so most lookups stop here. */
  private lastParts: string[] = [];
  private lastIds: number[] = [];
  private readonly watchParts: string[] | null;
  private watchId: number | null = null;
  private partial: FolderEntry[] = [];

  /** `watch`: a folder whose children are collected as they appear (`takePartial`), for the first answer. */
  constructor(watch?: string) {
    this.watchParts = watch === undefined ? null : pathComponents(watch);
    if (this.watchParts?.length === 0) this.watchId = 0;
    this.type[0] = TYPE_CODES.dir;
  }

  get count(): number {
    return this.n;
  }

  private grow(): void {
    const cap = this.parent.length * 2;
    const p = new Uint32Array(cap);
    p.set(this.parent);
    this.parent = p;
    const t = new Uint8Array(cap);
    t.set(this.type);
    this.type = t;
    const s = new Float64Array(cap);
    s.set(this.size);
    this.size = s;
    const m = new Float64Array(cap).fill(NaN);
    m.set(this.mtime);
    this.mtime = m;
  }

  private node(parent: number, name: string, type: number, size: number, mtime: number): number {
    if (this.n === this.parent.length) this.grow();
    const id = this.n++;
    this.parent[id] = parent;
    this.type[id] = type;
    this.size[id] = size;
    this.mtime[id] = mtime;
    this.names.push(name);
    return id;
  }

  /** Is the node at `depth` (its path `parts[0..depth]`) the watched folder? Then its children are collected. */
  private noteWatched(parts: string[], depth: number, id: number): void {
    const w = this.watchParts;
    if (!w || this.watchId !== null || depth !== w.length - 1) return;
    for (let i = 0; i <= depth; i++) if (parts[i] !== w[i]) return;
    this.watchId = id;
  }

  private notePartial(parts: string[], depth: number, id: number): void {
    if (this.watchId === null || this.parent[id] !== this.watchId) return;
    const path = parts.slice(0, depth + 1).join('/');
    this.partial.push(entryOf(path, parts[depth]!, this.type[id]!, this.size[id]!, this.mtime[id]!));
  }

  /** One item of the listing, in the order borg writes them. */
  addItem(item: ListedItem): void {
    if (typeof item.path !== 'string') return;
    const parts = pathComponents(item.path);
    if (parts.length === 0) return; // the root of a relative source: the archive's root itself
    const type = BORG_TYPES[String(item.type)] ?? TYPE_CODES.other;
    const size = typeof item.size === 'number' && type !== TYPE_CODES.dir ? item.size : 0;
    const mtime = itemTime(item.mtime);
    const last = parts.length - 1;

    // The folders above the item: shared with the previous item as far as the paths agree.
    let depth = 0;
    let parent = 0;
    const ids: number[] = [];
    while (depth < last && depth < this.lastIds.length && parts[depth] === this.lastParts[depth]) {
      parent = this.lastIds[depth]!;
      ids.push(parent);
      depth++;
    }
    for (; depth < last; depth++) {
      const key = `${parent}/${parts[depth]}`;
      let id = this.dirs.get(key);
      if (id === undefined) {
        id = this.node(parent, parts[depth]!, TYPE_CODES.dir, 0, NaN);
        this.dirs.set(key, id);
        this.noteWatched(parts, depth, id);
        this.notePartial(parts, depth, id);
      }
      ids.push(id);
      parent = id;
    }

    const name = parts[last]!;
    if (type === TYPE_CODES.dir) {
      const key = `${parent}/${name}`;
      const known = this.dirs.get(key);
      if (known !== undefined) {
        // Seen before as the implicit parent of something below it: now it has its own details.
        if (Number.isNaN(this.mtime[known]!) && !Number.isNaN(mtime)) {
          this.mtime[known] = mtime;
          this.notePartial(parts, last, known);
        }
        ids.push(known);
      } else {
        const id = this.node(parent, name, type, 0, mtime);
        this.dirs.set(key, id);
        this.noteWatched(parts, last, id);
        this.notePartial(parts, last, id);
        ids.push(id);
      }
    } else {
      const id = this.node(parent, name, type, size, mtime);
      this.notePartial(parts, last, id);
    }
    this.lastParts = parts;
    this.lastIds = ids;
  }

  /** The watched folder's children found since the last call (an entry for a path already given replaces it). */
  takePartial(): FolderEntry[] {
    const out = this.partial;
    this.partial = [];
    return out;
  }

  /**
   * The watched folder's children as the pass left them, before `finish` (a scan of the parent array:
   * the first answer does not wait for the sort). Null when the folder is not in the archive.
   */
  watchedChildren(): FolderEntry[] | null {
    const w = this.watchId;
    if (w === null || !this.watchParts) return null;
    const prefix = this.watchParts.length ? `${this.watchParts.join('/')}/` : '';
    const byName = new Map<string, FolderEntry>();
    for (let i = 1; i < this.n; i++) {
      if (this.parent[i] !== w) continue;
      const name = this.names[i]!;
      if (byName.has(name)) continue; // the same path stored twice: the first stays
      byName.set(name, entryOf(prefix + name, name, this.type[i]!, this.size[i]!, this.mtime[i]!));
    }
    return [...byName.values()];
  }

  /** The tree breadth first, each folder's children sorted by name (code units) and one node per path. */
  finish(): IndexTree {
    const n = this.n;
    const { parent, names } = this;
    // Children lists by the build's numbering (CSR).
    const count = new Uint32Array(n + 1);
    for (let i = 1; i < n; i++) count[parent[i]! + 1]!++;
    for (let i = 0; i < n; i++) count[i + 1]! += count[i]!;
    const start = count.slice();
    const list = new Uint32Array(Math.max(0, n - 1));
    const fill = count.slice(0, n);
    for (let i = 1; i < n; i++) list[fill[parent[i]!]!++] = i;
    /** Children moved to a same-named sibling kept in place of their own folder (a path stored twice). */
    const adopted = new Map<number, number[]>();

    const order = new Uint32Array(n);
    const newParent = new Uint32Array(n);
    const childStart = new Uint32Array(n + 1);
    order[0] = 0;
    let placed = 1;
    const byName = (a: number, b: number) => {
      const x = names[a]!;
      const y = names[b]!;
      return x < y ? -1 : x > y ? 1 : a - b;
    };
    for (let at = 0; at < placed; at++) {
      const u = order[at]!;
      childStart[at] = placed;
      let kids = Array.from(list.subarray(start[u]!, start[u + 1]!));
      const more = adopted.get(u);
      if (more) kids = kids.concat(more);
      if (kids.length === 0) continue;
      kids.sort(byName);
      let prev = -1;
      for (const k of kids) {
        if (prev >= 0 && names[k] === names[prev]) {
          // One path twice: keep the first stored one, and give a dropped folder's children to it.
          const keep = Number.isNaN(this.mtime[prev]!) && !Number.isNaN(this.mtime[k]!) ? k : prev;
          const drop = keep === k ? prev : k;
          if (keep === k) order[placed - 1] = k;
          if (this.type[keep] === TYPE_CODES.dir && start[drop + 1]! > start[drop]!) {
            adopted.set(keep, (adopted.get(keep) ?? []).concat(Array.from(list.subarray(start[drop]!, start[drop + 1]!))));
          }
          prev = keep;
          continue;
        }
        order[placed] = k;
        newParent[placed] = at;
        placed++;
        prev = k;
      }
    }
    childStart[placed] = placed;
    const tree: IndexTree = {
      count: placed,
      parent: newParent.slice(0, placed),
      childStart: childStart.slice(0, placed + 1),
      type: new Uint8Array(placed),
      size: new Float64Array(placed),
      mtime: new Float64Array(placed),
      names: new Array<string>(placed),
    };
    for (let i = 0; i < placed; i++) {
      const old = order[i]!;
      tree.type[i] = this.type[old]!;
      tree.size[i] = this.size[old]!;
      tree.mtime[i] = this.mtime[old]!;
      tree.names[i] = names[old]!;
    }
    return tree;
  }
}
