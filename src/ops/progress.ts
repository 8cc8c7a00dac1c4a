/**
 * Live progress of a restore, check or drill: the figures a face shows, and the throttle that hands
 * them on at most 4 times a second (as for backups), whatever borg writes. Shared by every operation
 * in src/ops/: a check or a drill keeps an OpProgress and pokes the same tracker.
 */
import { Throttle } from '../engine/throttle.js';
import type { OpKind } from './records.js';

/** As often as a backup's progress: a face redraws no more than 4 times a second. */
export const OP_PROGRESS_INTERVAL_MS = 250;

export interface OpProgress {
  kind: OpKind;
  archive: string | null;
  /** 0–100 once borg has said how much there is, else null. */
  percent: number | null;
  /** Items done so far (files, folders, links). */
  nfiles: number;
  /** Bytes done so far. */
  bytes: number;
  /** The item borg is at, as stored in the archive. */
  path: string;
  /** While waiting for the repository: who holds it ("backup of \"offsite\" …"). */
  waitingFor?: string;
}

/** A percentage with one decimal, never above 100; null without a total. */
export function percentOf(current: number, total: number): number | null {
  if (!(total > 0) || !Number.isFinite(current)) return null;
  return Math.min(100, Math.max(0, Math.floor((current / total) * 1000) / 10));
}

/**
 * Holds one operation's figures; `update` changes them and `publish` is called at most once per
 * interval with a copy (the last state always delivered, and at once on `flush`).
 */
export class OpProgressTracker {
  private state: OpProgress;
  private readonly throttle: Throttle;

  constructor(kind: OpKind, archive: string | null, publish: (p: OpProgress) => void, intervalMs: number = OP_PROGRESS_INTERVAL_MS) {
    this.state = { kind, archive, percent: null, nfiles: 0, bytes: 0, path: '' };
    this.throttle = new Throttle(intervalMs, () => publish(this.current()));
  }

  current(): OpProgress {
    return { ...this.state };
  }

  update(change: Partial<OpProgress>): void {
    const next = { ...this.state, ...change };
    if (change.waitingFor === undefined && 'waitingFor' in change) delete next.waitingFor;
    this.state = next;
    this.throttle.poke();
  }

  flush(): void {
    this.throttle.flush();
  }

  stop(): void {
    this.throttle.cancel();
  }
}
