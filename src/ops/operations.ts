/**
 * Restores (and, through `start`, any other operation on a repository that is not a backup) of this
 * process: one at a time per profile, each under the repository lock a backup takes, with live
 * progress, cancel, a record in operations/<profile>.jsonl and its own log. The engine's entry points
 * (`restore`, `cancelOperation`, `operationProgress`) are a line each over this.
 */
import os from 'node:os';
import path from 'node:path';
import { existsSync } from 'node:fs';
import type { ConfigPaths } from '../paths.js';
import type { Profile } from '../profiles/schema.js';
import type { BorgBinary } from '../borg/locate.js';
import type { BorgRunResult, Secret } from '../borg/run.js';
import { featuresFor } from '../borg/features.js';
import { archiveStartArgs } from '../borg/argv.js';
import type { History } from '../jobs/history.js';
import { processStart } from '../jobs/process-identity.js';
import type { LockOwner } from '../jobs/pid-lock.js';
import type { Diagnosis } from '../diagnosis.js';
import { diagnosisFor } from '../messages.js';
import { diagnosisOf, failed, ok, type Outcome } from '../engine/outcome.js';
import type { ArchiveSummary } from '../repo/archives.js';
import { isCheckpoint } from '../repo/archives.js';
import { localWhen } from '../format.js';
import { OpHistory, type OpKind, type OpRecord } from './records.js';
import { lockForOperation } from './repo-lock.js';
import { OpProgressTracker, type OpProgress } from './progress.js';
import type { RestoreMode } from './restore.js';

export interface RestoreRequest {
  /** An archive name, or 'latest': the newest complete archive of the profile. */
  archive: string;
  /** Archive paths (files or folders, with or without the leading `/`); [] = everything. */
  paths: string[];
  /** The folder to restore into; default: the user's Downloads (else home), or `/` in place. */
  target?: string;
  mode?: RestoreMode;
  /** A backup of the same repository running: wait for it ('wait', the state shown) or answer busy at once. */
  busy?: 'wait' | 'fail';
}

export interface RestoreResult {
  record: OpRecord;
  /** The new folder made, or null (in place, everything put back). */
  folder: string | null;
  files: number;
  bytes: number;
  keptBoth: { path: string; restoredAs: string }[];
  identical: number;
}

export interface OperationsDeps {
  paths: ConfigPaths;
  history: History;
  busy: 'wait' | 'fail';
  cancelGraceMs?: number;
  borg(p: Profile): Promise<BorgBinary>;
  secretFor(p: Profile): Promise<Secret>;
  rsh(p: Profile): string | undefined;
  sshProbe(p: Profile): string[] | null;
  volumePath(p: Profile): string | null;
  archives(p: Profile): Promise<Outcome<ArchiveSummary[]>>;
  command(p: Profile, args: string[], opts?: { captureStdout?: boolean }): Promise<BorgRunResult>;
  progress(profile: string, progress: OpProgress): void;
  finished(record: OpRecord): void;
  changed(): void;
  note?(line: string): void;
}

interface Active {
  kind: OpKind;
  controller: AbortController;
  tracker: OpProgressTracker;
  /** Settles when the operation has ended (its staging removed, its lock released). */
  ended: Promise<unknown>;
}

/** The user's Downloads folder when there is one, else home: where a browser would put a download. */
export function defaultRestoreTarget(home = os.homedir()): string {
  const downloads = path.join(home, 'Downloads');
  return existsSync(downloads) ? downloads : home;
}

function ctxOf(p: Profile) {
  return { repository: p.repository, platform: process.platform, passphraseSupplied: false, profile: p.id };
}

export function restoreBusy(p: Profile, owner: Pick<LockOwner, 'pid' | 'what' | 'since'>): Diagnosis {
  const since = new Date(owner.since);
  const when = Number.isNaN(since.getTime()) ? owner.since : localWhen(since, new Date());
  return diagnosisFor('busy', ctxOf(p), `${owner.what} (pid ${owner.pid}), since ${when}`, { operation: 'restore' });
}

export class Operations {
  private readonly active = new Map<string, Active>();
  readonly history: OpHistory;

  constructor(private readonly deps: OperationsDeps) {
    this.history = new OpHistory(deps.paths.operations);
  }

  progress(id: string): OpProgress | null {
    return this.active.get(id)?.tracker.current() ?? null;
  }

  isRunning(id: string): boolean {
    return this.active.has(id);
  }

  cancel(id: string): boolean {
    const op = this.active.get(id);
    if (!op) return false;
    op.controller.abort('cancel');
    return true;
  }

  /** Cancels every operation of this process; resolves once they have ended (a Quit waits for it). */
  cancelAll(): Promise<unknown> {
    for (const op of this.active.values()) op.controller.abort('cancel');
    return Promise.allSettled([...this.active.values()].map((op) => op.ended));
  }

  /**
   * Runs `fn` as the profile's one operation here, with an abort signal and a progress tracker; the
   * slot is freed however it ends. null when another operation of the profile runs in this process.
   */
  async start<T>(
    p: Profile,
    kind: OpKind,
    archive: string | null,
    fn: (signal: AbortSignal, tracker: OpProgressTracker) => Promise<T>,
  ): Promise<{ ran: true; value: T } | { ran: false; running: OpKind }> {
    const existing = this.active.get(p.id);
    if (existing) return { ran: false, running: existing.kind };
    const controller = new AbortController();
    // Progress goes to its own event: the snapshot (rebuilt on `changed`) does not carry it.
    const tracker = new OpProgressTracker(kind, archive, (progress) => this.deps.progress(p.id, progress));
    const running = fn(controller.signal, tracker);
    this.active.set(p.id, { kind, controller, tracker, ended: running });
    this.deps.changed();
    try {
      return { ran: true, value: await running };
    } finally {
      tracker.flush();
      tracker.stop();
      this.active.delete(p.id);
      this.deps.changed();
    }
  }

  /** The newest archive of the profile that is not a checkpoint. */
  private async latest(p: Profile): Promise<Outcome<ArchiveSummary>> {
    const list = await this.deps.archives(p);
    if (!list.ok) return list;
    const complete = list.value.filter((a) => !isCheckpoint(a.name)).sort((a, b) => a.start.localeCompare(b.start));
    const newest = complete.at(-1);
    if (!newest)
      return failed({
        kind: 'archive-missing',
        message: `There is no backup in ${p.repository} to restore from yet.`,
        fix: 'Back up first; a restore reads an archive a backup made.',
      });
    return ok(newest);
  }

  /** When the archive was started (for Keep Both names): `borg list` of that one name. */
  private async archiveTime(p: Profile, archive: string): Promise<Date | null> {
    const borg = await this.deps.borg(p);
    const r = await this.deps.command(p, archiveStartArgs(p.repository, archive, featuresFor(borg.version)), { captureStdout: true });
    if (r.level === 'error') return null;
    try {
      const start = (JSON.parse(r.stdout) as { archives?: { start?: string }[] }).archives?.[0]?.start;
      // borg gives local time without a zone.
      return start ? new Date(start) : null;
    } catch {
      return null;
    }
  }

  async restore(p: Profile, req: RestoreRequest, trigger: OpRecord['trigger'] = 'manual'): Promise<Outcome<RestoreResult>> {
    // Loaded on first use: a `dandelion run` (which builds this object too) never restores.
    const [{ archivePathOf }, { runRestore }] = await Promise.all([import('./restore-plan.js'), import('./restore.js')]);
    const ctx = ctxOf(p);
    const paths: string[] = [];
    for (const raw of req.paths) {
      const ap = archivePathOf(raw);
      if (ap === null)
        return failed(diagnosisFor('restore-path-missing', ctx, raw, { operation: 'restore', archive: req.archive, paths: [raw] }));
      if (ap === '') {
        paths.length = 0;
        break;
      }
      paths.push(ap);
    }
    const mode: RestoreMode = req.mode ?? 'new-folder';
    const target = path.resolve(req.target ?? (mode === 'in-place' ? '/' : defaultRestoreTarget()));
    const startedAt = new Date().toISOString();
    let archive = req.archive === 'latest' ? null : req.archive;
    const started = await this.start(p, 'restore', archive, async (signal, tracker) => {
      const record = (
        result: OpRecord['result'],
        diagnoses: Diagnosis[],
        details: Record<string, unknown>,
        log: string | null,
      ): OpRecord => ({
        kind: 'restore',
        profile: p.id,
        repository: p.repository,
        trigger,
        startedAt,
        finishedAt: new Date().toISOString(),
        result,
        archive: archive ?? req.archive,
        message: result === 'success' ? null : (diagnoses[0]?.message ?? null),
        diagnoses,
        log,
        details: { folder: null, files: 0, bytes: 0, keptBoth: [], identical: 0, paths, target, mode, ...details },
      });
      const held = await lockForOperation(this.deps.paths, this.deps.history, p, 'restore', `restore from ${req.archive} of "${p.id}"`, {
        busy: req.busy ?? this.deps.busy,
        signal,
        waiting: (owner) => tracker.update({ waitingFor: owner.what }),
        note: this.deps.note,
      });
      if (!held.ok) {
        const d = signal.aborted ? diagnosisFor('cancelled', ctx, undefined, { operation: 'restore' }) : restoreBusy(p, held.owner);
        return record(signal.aborted ? 'cancelled' : 'error', [d], {}, null);
      }
      tracker.update({ waitingFor: undefined });
      try {
        if (archive === null) {
          const newest = await this.latest(p);
          if (!newest.ok) return record('error', [newest.diagnosis], {}, null);
          archive = newest.value.name;
          tracker.update({ archive });
        }
        let borg: BorgBinary;
        let secret: Secret;
        try {
          borg = await this.deps.borg(p);
          secret = await this.deps.secretFor(p);
        } catch (err) {
          return record('error', [diagnosisOf(err, p)], {}, null);
        }
        const name = archive;
        const done = await runRestore({
          profile: p,
          borg,
          secret,
          rsh: this.deps.rsh(p),
          sshProbe: this.deps.sshProbe(p),
          archive: name,
          paths,
          target,
          mode,
          logsDir: this.deps.paths.logs,
          volumePath: this.deps.volumePath(p),
          signal,
          cancelGraceMs: this.deps.cancelGraceMs,
          progress: (change) => tracker.update(change),
          onBorgStart: (pid) => {
            const start = processStart(pid);
            void held.lock.update({ borg: { pid, ...(start ? { start } : {}) } }).catch(() => {});
          },
          archiveTime: () => this.archiveTime(p, name),
        });
        return record(
          done.result,
          done.diagnoses,
          {
            folder: done.folder,
            files: done.files,
            bytes: done.bytes,
            keptBoth: done.keptBoth,
            identical: done.identical,
            ...(done.refused.length ? { refused: done.refused.slice(0, 100) } : {}),
          },
          done.log,
        );
      } finally {
        await held.lock.release();
      }
    });
    if (!started.ran)
      return failed({
        kind: 'busy',
        message: `A ${started.running} of profile "${p.id}" is already running in this process.`,
        fix: 'Wait for it to finish, or cancel it.',
      });
    const rec = started.value;
    await this.history.append(rec).catch(() => {});
    this.deps.finished(rec);
    if (rec.result === 'error' || rec.result === 'cancelled') {
      const d = rec.diagnoses[0] ?? diagnosisFor('unknown', ctx);
      return failed(d);
    }
    const det = rec.details as {
      folder: string | null;
      files: number;
      bytes: number;
      keptBoth: RestoreResult['keptBoth'];
      identical: number;
    };
    return ok({ record: rec, folder: det.folder, files: det.files, bytes: det.bytes, keptBoth: det.keptBoth, identical: det.identical });
  }
}
