/**
 * What the main process sends one window, batched so the window gets at most one message per
 * interval (10 a second by default) however fast borg writes, and held until the window says it is
 * ready, so nothing sent before it loaded is lost. While held or between flushes it stays bounded:
 * the latest snapshot, the latest progress per profile (of a backup, and of a restore, check or
 * drill), the last `maxLogLines` log lines per profile (with a count of those left out), and the run
 * and operation records and navigation requests in order.
 */
import type { EventMessage, EventPayloads, FolderEntry } from './contract.js';

export interface OutboxOptions {
  send(batch: EventMessage[]): void;
  intervalMs?: number;
  /** The log pane shows the last 200 lines; more in one batch would only be thrown away there. */
  maxLogLines?: number;
  now?: () => number;
}

// A little over 100 ms, so timer jitter never lets an eleventh message into one second.
export const OUTBOX_INTERVAL_MS = 110;
export const OUTBOX_LOG_LINES = 200;
/** Run records and navigation requests kept while a window is not ready; older ones are dropped. */
const MAX_KEPT = 50;

interface PendingLog {
  lines: string[];
  dropped: number;
}

export class Outbox {
  private ready = false;
  private closed = false;
  private timer: NodeJS.Timeout | null = null;
  private lastFlush = -Infinity;
  private snapshot: EventPayloads['snapshot'] | null = null;
  private readonly progress = new Map<string, EventPayloads['progress']>();
  /** The latest figures of each profile's restore, check or drill. */
  private readonly opProgress = new Map<string, EventPayloads['op-progress']>();
  /** A folder's entries found while its archive is first read, since the last flush: by folder, then by path (the later wins). */
  private readonly partial = new Map<string, { payload: EventPayloads['folder-partial']; entries: Map<string, FolderEntry> }>();
  private readonly logs = new Map<string, PendingLog>();
  /** Run records and navigation, in the order they happened. */
  private ordered: EventMessage[] = [];
  /** Messages sent so far: the benchmark and the tests read it. */
  sent = 0;

  constructor(private readonly opts: OutboxOptions) {}

  private get interval(): number {
    return this.opts.intervalMs ?? OUTBOX_INTERVAL_MS;
  }

  private now(): number {
    return this.opts.now?.() ?? Date.now();
  }

  push(message: EventMessage): void {
    if (this.closed) return;
    switch (message.event) {
      case 'snapshot':
        this.snapshot = message.payload;
        break;
      case 'progress':
        this.progress.set(message.payload.profile, message.payload);
        break;
      case 'log': {
        const max = this.opts.maxLogLines ?? OUTBOX_LOG_LINES;
        const p = this.logs.get(message.payload.profile) ?? { lines: [], dropped: 0 };
        p.dropped += message.payload.dropped;
        p.lines.push(...message.payload.lines);
        if (p.lines.length > max) {
          p.dropped += p.lines.length - max;
          p.lines = p.lines.slice(-max);
        }
        this.logs.set(message.payload.profile, p);
        break;
      }
      case 'run-finished':
        // The progress of a finished run is stale: the record says how it ended.
        this.progress.delete(message.payload.profile);
        this.ordered.push(message);
        break;
      case 'op-progress':
        this.opProgress.set(message.payload.profile, message.payload);
        break;
      case 'op-finished':
        this.opProgress.delete(message.payload.profile);
        this.ordered.push(message);
        break;
      case 'folder-partial': {
        const { profile, archive, folder } = message.payload;
        const key = `${profile}\0${archive}\0${folder}`;
        const p = this.partial.get(key) ?? { payload: message.payload, entries: new Map<string, FolderEntry>() };
        for (const e of message.payload.entries) p.entries.set(e.path, e);
        this.partial.set(key, p);
        break;
      }
      case 'navigate':
        this.ordered.push(message);
        break;
    }
    if (this.ordered.length > MAX_KEPT) this.ordered = this.ordered.slice(-MAX_KEPT);
    this.schedule();
  }

  /** The window has loaded and subscribed: what waited goes out now. */
  markReady(): void {
    if (this.closed) return;
    this.ready = true;
    this.schedule();
  }

  get isReady(): boolean {
    return this.ready;
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private pending(): boolean {
    return (
      this.snapshot !== null ||
      this.progress.size > 0 ||
      this.opProgress.size > 0 ||
      this.partial.size > 0 ||
      this.logs.size > 0 ||
      this.ordered.length > 0
    );
  }

  private schedule(): void {
    if (!this.ready || this.timer || !this.pending()) return;
    const wait = Math.max(0, this.lastFlush + this.interval - this.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flush();
    }, wait);
    this.timer.unref?.();
  }

  private flush(): void {
    if (this.closed || !this.pending()) return;
    const batch: EventMessage[] = [];
    // Navigation first, then the log lines (they come before the record that ends their run), the
    // records, the live progress, and the snapshot last: it is the newest picture of everything.
    const [navigate, finished] = partition(this.ordered, (m) => m.event === 'navigate');
    batch.push(...navigate);
    for (const [profile, p] of this.logs) batch.push({ event: 'log', payload: { profile, lines: p.lines, dropped: p.dropped } });
    batch.push(...finished);
    for (const payload of this.progress.values()) batch.push({ event: 'progress', payload });
    for (const payload of this.opProgress.values()) batch.push({ event: 'op-progress', payload });
    for (const { payload, entries } of this.partial.values())
      batch.push({ event: 'folder-partial', payload: { ...payload, entries: [...entries.values()] } });
    if (this.snapshot) batch.push({ event: 'snapshot', payload: this.snapshot });
    this.ordered = [];
    this.logs.clear();
    this.progress.clear();
    this.opProgress.clear();
    this.partial.clear();
    this.snapshot = null;
    this.lastFlush = this.now();
    this.sent++;
    this.opts.send(batch);
  }
}

function partition<T>(items: T[], test: (item: T) => boolean): [T[], T[]] {
  const yes: T[] = [];
  const no: T[] = [];
  for (const item of items) (test(item) ? yes : no).push(item);
  return [yes, no];
}
