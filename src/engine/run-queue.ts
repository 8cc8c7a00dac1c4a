/**
 * Backup runs: one at a time per repository inside this process (a queue), and across processes (a
 * lock file under locks/). Repeated triggers for a profile coalesce into the run already going or
 * queued. Live progress is kept per run and announced at most 4 times a second.
 */
import type { ConfigPaths } from '../paths.js';
import { repoKey } from '../paths.js';
import type { Profile } from '../profiles/schema.js';
import type { BorgBinary } from '../borg/locate.js';
import type { Secret } from '../borg/run.js';
import type { Diagnosis } from '../diagnosis.js';
import { diagnosisFor } from '../messages.js';
import type { RunRecord, RunResult, Trigger } from '../records.js';
import type { History } from '../jobs/history.js';
import { diskMissing, runBackup, type RunEvent, type Step } from '../jobs/backup.js';
import { tryLock, type LockOwner, type LockResult } from '../jobs/pid-lock.js';
import { diagnosisOf } from './outcome.js';
import { recoverStaleRun } from './recovery.js';
import { processStart } from '../jobs/process-identity.js';
import { readStopRequest, removeStopRequest } from './shared-state.js';
import { localWhen } from '../format.js';

function startOf(pid: number): { start?: string } {
  const start = processStart(pid);
  return start ? { start } : {};
}
import { Throttle } from './throttle.js';

export const PROGRESS_INTERVAL_MS = 250;
/** How often the figures other processes show are rewritten into the repository lock. */
export const SHARED_PROGRESS_MS = 1000;
/** How often a run looks for a cancel or skip asked by another process. */
export const STOP_POLL_MS = 400;

/** How a user stops a run: cancel (a cancelled run) or Skip This Backup (a skipped one: no alarm, no retry). */
export type StopHow = 'cancel' | 'skip';
export const SKIPPED_BY_YOU = 'Skipped by you; the next backup runs at its usual time.';

export interface LiveProgress {
  trigger: Trigger;
  startedAt: string;
  step: Step | 'waiting' | 'starting';
  nfiles: number;
  originalSize: number;
  deduplicatedSize: number;
  /** The file borg is at, as stored in the archive. */
  path: string;
  /** 0–100 when borg reports a total (prune, compact, check), else null: create cannot know its total. */
  percent: number | null;
}

export interface RunRequest {
  trigger?: Trigger;
  /** What to do when another process holds the repository: 'fail' at once (CLI) or 'wait' (triggers, the app). */
  busy?: 'fail' | 'wait';
}

export interface RunQueueDeps {
  paths: ConfigPaths;
  history: History;
  busy: 'fail' | 'wait';
  cancelGraceMs?: number;
  borg(p: Profile): Promise<BorgBinary>;
  /** Throws a Refusal (passphrase missing, keyring unavailable) that becomes the run's diagnosis. */
  secretFor(p: Profile): Promise<Secret>;
  /** Throws a Refusal when the repository cannot hold this profile's backups (a file, inside a source…). */
  placement?(p: Profile): Promise<void>;
  volumePath(p: Profile): string | null;
  rsh(p: Profile): string | undefined;
  sshProbe(p: Profile): string[] | null;
  started(profile: string, trigger: Trigger): void;
  progress(profile: string, progress: LiveProgress): void;
  log(profile: string, lines: string[]): void;
  finished(record: RunRecord): void;
  changed(): void;
  /** A line for the daemon's log (recoveries). */
  note?(line: string): void;
}

interface ActiveRun {
  controller: AbortController;
  progress: LiveProgress;
  throttle: Throttle;
  /** Rewrites the figures into the repository lock for other processes (while the lock is held). */
  share?: Throttle;
  promise?: Promise<RunRecord>;
}

export class RunQueue {
  private readonly active = new Map<string, ActiveRun>();
  private readonly repoQueues = new Map<string, Promise<unknown>>();

  constructor(private readonly deps: RunQueueDeps) {}

  isRunning(id: string): boolean {
    return this.active.has(id);
  }

  progress(id: string): LiveProgress | null {
    const run = this.active.get(id);
    return run ? { ...run.progress } : null;
  }

  /**
   * Starts a run, or returns the one already running or queued for this profile (repeated triggers
   * coalesce, whoever sends them). Never rejects: every ending, refusals included, is a record.
   */
  run(profile: Profile, req: RunRequest = {}): Promise<RunRecord> {
    const existing = this.active.get(profile.id);
    if (existing?.promise) return existing.promise;
    const trigger = req.trigger ?? 'manual';
    const controller = new AbortController();
    const key = repoKey(profile.repository);
    const previous = this.repoQueues.get(key) ?? Promise.resolve();
    const entry: ActiveRun = {
      controller,
      progress: {
        trigger,
        startedAt: new Date().toISOString(),
        step: 'waiting',
        nfiles: 0,
        originalSize: 0,
        deduplicatedSize: 0,
        path: '',
        percent: null,
      },
      throttle: new Throttle(PROGRESS_INTERVAL_MS, () => this.deps.progress(profile.id, { ...entry.progress })),
    };
    const promise = previous
      .catch(() => {})
      .then(() => this.execute(profile, trigger, entry, req.busy ?? this.deps.busy))
      .catch((err: unknown) => this.refused(profile, trigger, entry.progress.startedAt, diagnosisOf(err, profile)))
      .finally(() => {
        entry.throttle.cancel();
        this.active.delete(profile.id);
        if (this.repoQueues.get(key) === promise) this.repoQueues.delete(key);
        this.deps.changed();
      });
    entry.promise = promise;
    this.repoQueues.set(key, promise);
    this.active.set(profile.id, entry);
    this.deps.changed();
    return promise;
  }

  cancel(id: string, how: StopHow = 'cancel'): boolean {
    const run = this.active.get(id);
    if (!run) return false;
    run.controller.abort(how);
    return true;
  }

  cancelAll(): Promise<unknown> {
    for (const run of this.active.values()) run.controller.abort();
    return Promise.allSettled([...this.active.values()].map((r) => r.promise));
  }

  private refused(profile: Profile, trigger: Trigger, startedAt: string, d: Diagnosis, result: RunResult = 'error'): RunRecord {
    return {
      profile: profile.id,
      trigger,
      startedAt,
      finishedAt: new Date().toISOString(),
      result,
      archive: null,
      stats: null,
      message: d.message,
      diagnoses: [d],
      log: null,
      repository: profile.repository,
    };
  }

  private async execute(profile: Profile, trigger: Trigger, entry: ActiveRun, busy: 'fail' | 'wait'): Promise<RunRecord> {
    const { deps } = this;
    const { signal } = entry.controller;
    const startedAt = entry.progress.startedAt;
    const lockFile = deps.paths.repoLock(profile.repository);
    const what = `backup of "${profile.id}" (${profile.repository})`;
    const mine = { profile: profile.id, trigger, repository: profile.repository };
    // A lock left by a process that was killed: end its borg, record its run, then take over.
    const stale = (owner: LockOwner | null) => recoverStaleRun(owner, deps.history, { log: deps.note }).then(() => deps.changed());
    let lock = await tryLock(lockFile, what, mine, stale);
    while (!lock.ok && busy === 'wait' && !signal.aborted) {
      await sleep(1000, signal);
      lock = await tryLock(lockFile, what, mine, stale);
    }
    if (!lock.ok) {
      // The repository is fine, someone else is using it: the caller gets a record, history does not.
      const d = busyDiagnosis(profile, lock.owner);
      const record = this.refused(
        profile,
        trigger,
        startedAt,
        d,
        !signal.aborted ? 'error' : signal.reason === 'skip' ? 'skipped' : 'cancelled',
      );
      deps.finished(record);
      return record;
    }

    let record: RunRecord;
    const unwatch = this.watchStopRequests(profile, lock, entry);
    entry.share = new Throttle(SHARED_PROGRESS_MS, () => void lock.update({ progress: { ...entry.progress } }).catch(() => {}));
    try {
      entry.progress.step = 'starting';
      entry.share.poke();
      deps.started(profile.id, trigger);
      deps.changed();
      let secret: Secret;
      let borg: BorgBinary;
      try {
        await deps.placement?.(profile);
        borg = await deps.borg(profile);
        secret = await deps.secretFor(profile);
      } catch (err) {
        // With the disk away, that is what the user needs to hear, not the passphrase it would unlock.
        const volume = deps.volumePath(profile);
        const away = await diskMissing(profile, volume);
        const ctx = { repository: profile.repository, platform: process.platform, passphraseSupplied: false, profile: profile.id };
        record = this.refused(
          profile,
          trigger,
          startedAt,
          away ? diagnosisFor('disk-not-mounted', ctx, volume ?? undefined) : diagnosisOf(err, profile),
        );
        await deps.history.append(record);
        deps.finished(record);
        return record;
      }
      const previousFiles = await deps.history.lastArchiveFiles(profile.id, profile.repository).catch(() => null);
      const backup = await runBackup({
        profile,
        previousFiles,
        borg,
        secret,
        rsh: deps.rsh(profile),
        sshProbe: deps.sshProbe(profile),
        trigger,
        logsDir: deps.paths.logs,
        volumePath: deps.volumePath(profile),
        signal,
        cancelGraceMs: deps.cancelGraceMs,
        // The lock names borg too: if this process is killed, the next one ends the orphan first.
        onBorgStart: (pid) => void lock.update({ borg: { pid, ...startOf(pid) } }).catch(() => {}),
        onEvent: (event) => this.onEvent(profile.id, entry, event),
      });
      entry.throttle.flush();
      record = { ...backup, repository: profile.repository };
      if (!signal.aborted && (record.result === 'cancelled' || record.diagnoses.some((x) => x.kind === 'cancelled'))) {
        // borg ended by a signal nobody here sent (kill, OOM, shutdown): not a user's cancel.
        const d = diagnosisFor(
          'killed',
          {
            repository: profile.repository,
            platform: process.platform,
            passphraseSupplied: false,
            profile: profile.id,
            checkpoint: record.checkpoint !== undefined,
          },
          record.diagnoses.find((x) => x.kind === 'cancelled')?.detail,
        );
        record = {
          ...record,
          result: 'error',
          message: d.message,
          diagnoses: [d, ...record.diagnoses.filter((x) => x.kind !== 'cancelled')],
        };
      }
      if (signal.aborted && signal.reason === 'skip' && record.result === 'cancelled') {
        // Skip This Backup: stopped like a cancel (checkpoint kept), said as the user's choice.
        record = {
          ...record,
          result: 'skipped',
          skippedByUser: true,
          message: SKIPPED_BY_YOU,
          diagnoses: record.diagnoses.filter((x) => x.kind !== 'cancelled'),
        };
      }
      await deps.history.append(record);
    } finally {
      unwatch();
      entry.share.cancel();
      await lock.release();
    }
    deps.finished(record);
    return record;
  }

  private onEvent(id: string, entry: ActiveRun, event: RunEvent): void {
    const p = entry.progress;
    switch (event.type) {
      case 'log':
        this.deps.log(id, event.lines);
        return;
      case 'step':
        p.step = event.step;
        p.percent = null;
        break;
      case 'progress':
        p.nfiles = event.nfiles;
        p.originalSize = event.originalSize;
        p.deduplicatedSize = event.deduplicatedSize;
        p.path = event.path;
        break;
      case 'percent':
        p.percent = event.total ? Math.min(100, Math.round(((event.current ?? 0) / event.total) * 1000) / 10) : p.percent;
        break;
    }
    entry.throttle.poke();
    entry.share?.poke();
  }

  /**
   * While this process holds the repository's lock, another one may ask it to cancel or skip the run
   * (the app's menu while the daemon or a CLI backs up): the request names the lock it saw, and
   * becomes this process's own cancel. A request for an earlier holder of the lock is dropped.
   */
  private watchStopRequests(profile: Profile, lock: Extract<LockResult, { ok: true }>, entry: ActiveRun): () => void {
    const { paths } = this.deps;
    let checking = false;
    const check = async () => {
      if (checking || entry.controller.signal.aborted) return;
      checking = true;
      try {
        const req = await readStopRequest(paths, profile.repository);
        if (!req) return;
        await removeStopRequest(paths, profile.repository);
        const me = lock.owner();
        if (req.pid !== me.pid || req.since !== me.since || req.profile !== profile.id) return;
        this.deps.note?.(`[${profile.id}] ${req.how === 'skip' ? 'skip this backup' : 'cancel'} asked by pid ${req.by}`);
        entry.controller.abort(req.how);
      } finally {
        checking = false;
      }
    };
    const timer = setInterval(() => void check(), STOP_POLL_MS);
    timer.unref?.();
    void check();
    return () => clearInterval(timer);
  }
}

export function busyDiagnosis(p: Profile, owner: LockOwner): Diagnosis {
  return {
    kind: 'busy',
    message: `Another Dandelion process (pid ${owner.pid}) is already using ${p.repository}: ${owner.what}, since ${sinceWords(owner.since)}.`,
    fix: 'Wait for it to finish, or cancel it there; a second borg on the same repository is never started.',
  };
}

function sinceWords(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : localWhen(d, new Date());
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });
}
