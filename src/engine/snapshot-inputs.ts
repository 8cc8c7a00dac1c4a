/**
 * What status and the snapshot read from disk: history summaries, the trigger owner's published
 * state, repository locks of other processes, key exports. A one-shot process (the CLI) reads them
 * fresh. A long-lived one (the daemon, the app) keeps them in memory and is told when a file changes
 * (the supervisor watches history/, locks/ and cache/), so asking for the snapshot costs no I/O.
 */
import type { HistorySummary } from '../jobs/history.js';
import { ownerAlive, type LockOwner } from '../jobs/pid-lock.js';
import type { TriggerState } from './shared-state.js';
import type { PauseState } from './pause.js';
import type { VerifyRecords } from '../ops/verify-due.js';
import type { ActivityLine } from '../activity.js';

export interface SnapshotSources {
  summary(profile: string, repository: string): Promise<HistorySummary>;
  triggerState(): Promise<TriggerState | null>;
  triggerOwner(): Promise<LockOwner | null>;
  /** The live owner of the repository lock, whoever it is. */
  repositoryLock(repository: string): Promise<LockOwner | null>;
  keyExports(): Promise<Record<string, { exportedAt: string }>>;
  pause(): Promise<PauseState | null>;
  /** The latest checks and restore drills of the profile's repository (operations/<profile>.jsonl). */
  verify(profile: string, repository: string): Promise<VerifyRecords>;
  /** The profile's recent backups, restores, checks and drills as lines (src/activity.ts). */
  activity(profile: string, repository: string): Promise<ActivityLine[]>;
}

export class SnapshotInputs {
  /** Set while something watches the files and calls the invalidate methods. */
  live = false;
  private readonly summaries = new Map<string, HistorySummary>();
  private readonly locks = new Map<string, LockOwner | null>();
  private state: { value: TriggerState | null } | null = null;
  private owner: { value: LockOwner | null } | null = null;
  private exports: Record<string, { exportedAt: string }> | null = null;
  private paused: { value: PauseState | null } | null = null;
  private readonly verifies = new Map<string, VerifyRecords>();
  private readonly activities = new Map<string, ActivityLine[]>();

  constructor(private readonly src: SnapshotSources) {}

  async summary(profile: string, repository: string): Promise<HistorySummary> {
    if (!this.live) return this.src.summary(profile, repository);
    const key = `${profile}\0${repository}`;
    let s = this.summaries.get(key);
    if (!s) {
      s = await this.src.summary(profile, repository);
      this.summaries.set(key, s);
    }
    return s;
  }

  async triggerState(): Promise<TriggerState | null> {
    if (!this.live) return this.src.triggerState();
    this.state ??= { value: await this.src.triggerState() };
    return this.state.value;
  }

  async triggerOwner(): Promise<LockOwner | null> {
    if (!this.live) return this.src.triggerOwner();
    // A cached owner may have died without its lock file changing (SIGKILL): check it is still there.
    if (this.owner?.value && !ownerAlive(this.owner.value)) this.owner = null;
    this.owner ??= { value: await this.src.triggerOwner() };
    return this.owner.value;
  }

  async repositoryLock(repository: string): Promise<LockOwner | null> {
    if (!this.live) return this.src.repositoryLock(repository);
    const cached = this.locks.get(repository);
    if (cached !== undefined && (cached === null || ownerAlive(cached))) return cached;
    const owner = await this.src.repositoryLock(repository);
    this.locks.set(repository, owner);
    return owner;
  }

  async keyExports(): Promise<Record<string, { exportedAt: string }>> {
    if (!this.live) return this.src.keyExports();
    this.exports ??= await this.src.keyExports();
    return this.exports;
  }

  async pause(): Promise<PauseState | null> {
    if (!this.live) return this.src.pause();
    this.paused ??= { value: await this.src.pause() };
    return this.paused.value;
  }

  async verify(profile: string, repository: string): Promise<VerifyRecords> {
    if (!this.live) return this.src.verify(profile, repository);
    const key = `${profile}\0${repository}`;
    let v = this.verifies.get(key);
    if (!v) {
      v = await this.src.verify(profile, repository);
      this.verifies.set(key, v);
    }
    return v;
  }

  async activity(profile: string, repository: string): Promise<ActivityLine[]> {
    if (!this.live) return this.src.activity(profile, repository);
    const key = `${profile}\0${repository}`;
    let a = this.activities.get(key);
    if (!a) {
      a = await this.src.activity(profile, repository);
      this.activities.set(key, a);
    }
    return a;
  }

  /** An operations file changed (a check or drill ended, here or elsewhere): that profile, or every one. */
  operationsChanged(profile?: string): void {
    forget(this.verifies, profile);
    forget(this.activities, profile);
  }

  /** A history file changed (a run of ours or of another process ended): that profile, or every one. */
  historyChanged(profile?: string): void {
    forget(this.summaries, profile);
    forget(this.activities, profile);
  }

  /** Something under locks/ changed: a run started or ended elsewhere, waits or retries, the schedules' owner. */
  locksChanged(): void {
    this.locks.clear();
    this.state = null;
    this.owner = null;
    this.paused = null;
  }

  keysChanged(): void {
    this.exports = null;
  }
}

/** Drops what was read for one profile (keys are `profile\0repository`), or for all of them. */
function forget(map: Map<string, unknown>, profile?: string): void {
  if (profile === undefined) map.clear();
  else for (const key of [...map.keys()]) if (key.startsWith(`${profile}\0`)) map.delete(key);
}
