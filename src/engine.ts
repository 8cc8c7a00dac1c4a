import { EventEmitter } from 'node:events';
import path from 'node:path';
import fs from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { configPaths, defaultVolumesRoots, expandHome, repoKey, type ConfigPaths } from './paths.js';
import { loadConfig, writeFileAtomic, type LoadResult } from './profiles/store.js';
import { profileLabel, type Config, type Profile, type FieldError } from './profiles/schema.js';
import { locateBorg, type BorgBinary } from './borg/locate.js';
import { featuresFor } from './borg/features.js';
import { borgRsh, breakLockArgs, infoArgs, initArgs, isRemote, listArgs, sshProbeArgs } from './borg/argv.js';
import { runBorg, type BorgRunResult, type Secret } from './borg/run.js';
import type { Diagnosis, ErrorKind } from './diagnosis.js';
import { diagnosisFor } from './messages.js';
import { OsKeyring, type SecretStore } from './secrets/keyring.js';
import { History } from './jobs/history.js';
import type { RunRecord, Trigger } from './records.js';
import { diskMissing, runBackup, type RunEvent } from './jobs/backup.js';
import { alive, liveOwner, tryLock, type LockOwner } from './jobs/pid-lock.js';
import { latestLog, tailFile } from './jobs/run-log.js';
import { isOverdue, nextSlot } from './schedule/due.js';

export type ProfileState = 'idle' | 'running' | 'waiting-for-volume';

export interface ProfileStatus {
  id: string;
  name: string;
  state: ProfileState;
  lastRun: Pick<RunRecord, 'trigger' | 'startedAt' | 'finishedAt' | 'result' | 'archive' | 'message'> | null;
  lastSuccessAt: string | null;
  nextRunAt: string | null;
  overdue: boolean;
}

export interface StatusReport {
  profiles: ProfileStatus[];
}

export interface LiveProgress {
  profile: string;
  step: 'create' | 'prune' | 'compact';
  nfiles: number;
  originalSize: number;
  deduplicatedSize: number;
  path: string;
}

export interface EngineEvents {
  'run-started': [{ profile: string; trigger: Trigger }];
  'run-event': [{ profile: string; event: RunEvent }];
  'run-finished': [RunRecord];
  'status-changed': [];
  'config-error': [{ file: string; errors: FieldError[] }];
}

export class EngineError extends Error {
  constructor(readonly diagnosis: Diagnosis) {
    super(`${diagnosis.message} ${diagnosis.fix}`.trim());
    this.name = 'EngineError';
  }
}

export class UnknownProfileError extends Error {
  constructor(id: string, known: string[]) {
    super(`No profile "${id}" in config.json${known.length ? ` (profiles: ${known.join(', ')})` : ''}`);
    this.name = 'UnknownProfileError';
  }
}

export interface EngineOptions {
  configDir: string;
  secrets?: SecretStore;
  /** What to do when another process holds the repository: 'fail' at once (CLI) or 'wait' (triggers). */
  busy?: 'fail' | 'wait';
  cancelGraceMs?: number;
}

interface ActiveRun {
  trigger: Trigger;
  controller: AbortController;
  progress: LiveProgress | null;
  promise?: Promise<RunRecord>;
}

export interface RunRequest {
  trigger?: Trigger;
  busy?: 'fail' | 'wait';
}

/** The one object the tray, the CLI and the tests drive. Plain Node: no electron in here. */
export class Engine extends EventEmitter<EngineEvents> {
  readonly paths: ConfigPaths;
  readonly secrets: SecretStore;
  readonly history: History;
  private cfg: Config = { profiles: [] };
  private readonly active = new Map<string, ActiveRun>();
  private readonly repoQueues = new Map<string, Promise<unknown>>();
  private readonly waiting = new Set<string>();

  private constructor(private readonly opts: EngineOptions) {
    super();
    this.paths = configPaths(opts.configDir);
    this.secrets = opts.secrets ?? new OsKeyring();
    this.history = new History(this.paths.history);
  }

  /** Opens the engine; an invalid config.json is an error here (it is never replaced). */
  static async open(opts: EngineOptions): Promise<{ engine: Engine; load: LoadResult }> {
    const engine = new Engine(opts);
    const load = await engine.reload();
    return { engine, load };
  }

  get config(): Config {
    return this.cfg;
  }

  /** Re-reads config.json; an invalid edit is reported and the previous valid config stays in force. */
  async reload(): Promise<LoadResult> {
    const r = await loadConfig(this.paths.config);
    if (r.ok) {
      this.cfg = r.config;
      this.emit('status-changed');
    } else this.emit('config-error', { file: r.file, errors: r.errors });
    return r;
  }

  profile(id: string): Profile {
    const p = this.cfg.profiles.find((x) => x.id === id);
    if (!p)
      throw new UnknownProfileError(
        id,
        this.cfg.profiles.map((x) => x.id),
      );
    return p;
  }

  /** Where disks appear: config.json's volumesRoot, else the platform's usual place that exists here. */
  volumesRoot(): string {
    if (this.cfg.volumesRoot) return expandHome(this.cfg.volumesRoot);
    const roots = defaultVolumesRoots();
    // Before the first disk is mounted the user's folder may not exist yet; its parent tells the distribution's habit.
    return roots.find((r) => existsSync(r)) ?? roots.find((r) => existsSync(path.dirname(r))) ?? roots[0]!;
  }

  volumePath(p: Profile): string | null {
    return p.volume ? path.join(this.volumesRoot(), p.volume) : null;
  }

  borg(p?: Profile): Promise<BorgBinary> {
    return locateBorg(p?.borgPath ?? this.cfg.borgPath ?? null, this.paths.borgVersions);
  }

  private ctx(p: Profile, passphraseSupplied = false) {
    return { repository: p.repository, platform: process.platform, passphraseSupplied, profile: p.id };
  }

  async secretFor(p: Profile): Promise<Secret> {
    if (p.encryption === 'none') return { kind: 'none' };
    if (p.passcommand) return { kind: 'passcommand', command: p.passcommand };
    const value = await this.secrets.get(p.repository);
    if (value === null) throw new EngineError(diagnosisFor('passphrase-missing', this.ctx(p)));
    return { kind: 'passphrase', value };
  }

  rshFor(p: Profile): string | undefined {
    return isRemote(p.repository) ? borgRsh({ sshKey: p.sshKey }) : undefined;
  }

  sshProbeFor(p: Profile): string[] | null {
    return isRemote(p.repository) ? sshProbeArgs(p.repository, { sshKey: p.sshKey }) : null;
  }

  async setPassphrase(id: string, passphrase: string): Promise<void> {
    const p = this.profile(id);
    if (!passphrase) throw new Error('The passphrase is empty.');
    await this.secrets.set(p.repository, passphrase);
  }

  isRunning(id: string): boolean {
    return this.active.has(id);
  }

  setWaitingForVolume(id: string, waiting: boolean): void {
    const changed = waiting ? !this.waiting.has(id) : this.waiting.has(id);
    if (waiting) this.waiting.add(id);
    else this.waiting.delete(id);
    if (changed) {
      void this.publishWaiting();
      this.emit('status-changed');
    }
  }

  progress(id: string): LiveProgress | null {
    return this.active.get(id)?.progress ?? null;
  }

  /**
   * Starts a backup run, or joins the one already running or queued for this profile
   * (repeated triggers coalesce). Runs on one repository go one after another, also across processes.
   */
  run(id: string, req: RunRequest = {}): Promise<RunRecord> {
    const existing = this.active.get(id);
    if (existing?.promise) return existing.promise;
    const profile = this.profile(id);
    const trigger = req.trigger ?? 'manual';
    const controller = new AbortController();
    const key = repoKey(profile.repository);
    const previous = this.repoQueues.get(key) ?? Promise.resolve();
    const entry: ActiveRun = { trigger, controller, progress: null };
    const promise = previous
      .catch(() => {})
      .then(() => this.execute(profile, trigger, controller, entry, req.busy ?? this.opts.busy ?? 'fail'))
      .finally(() => {
        this.active.delete(id);
        if (this.repoQueues.get(key) === promise) this.repoQueues.delete(key);
        this.emit('status-changed');
      });
    entry.promise = promise;
    this.repoQueues.set(key, promise);
    this.active.set(id, entry);
    this.emit('status-changed');
    return promise;
  }

  /** A trigger that decided not to run leaves a trace the user can see ("skipped: backed up 2 h ago"). */
  async recordSkipped(id: string, trigger: Trigger, reason: string): Promise<RunRecord> {
    const now = new Date().toISOString();
    const record: RunRecord = {
      profile: id,
      trigger,
      startedAt: now,
      finishedAt: now,
      result: 'skipped',
      archive: null,
      stats: null,
      message: reason,
      diagnoses: [],
      log: null,
    };
    await this.history.append(record);
    this.emit('run-finished', record);
    this.emit('status-changed');
    return record;
  }

  async lastSuccessStartedAt(id: string): Promise<Date | null> {
    const { lastSuccess } = await this.history.summary(id);
    return lastSuccess ? new Date(lastSuccess.startedAt) : null;
  }

  isWaitingForVolume(id: string): boolean {
    return this.waiting.has(id);
  }

  cancel(id: string): boolean {
    const run = this.active.get(id);
    if (!run) return false;
    run.controller.abort();
    return true;
  }

  cancelAll(): Promise<unknown> {
    for (const run of this.active.values()) run.controller.abort();
    return Promise.allSettled([...this.active.values()].map((r) => r.promise));
  }

  private async execute(
    profile: Profile,
    trigger: Trigger,
    controller: AbortController,
    entry: ActiveRun,
    busy: 'fail' | 'wait',
  ): Promise<RunRecord> {
    const startedAt = new Date().toISOString();
    const failed = (d: Diagnosis, result: RunRecord['result'] = 'error'): RunRecord => ({
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
    });

    const lockFile = this.repoLockFile(profile);
    const what = `backup of "${profile.id}" (${profile.repository})`;
    let lock = await tryLock(lockFile, what, profile.id);
    while (!lock.ok && busy === 'wait' && !controller.signal.aborted) {
      await sleep(1000, controller.signal);
      lock = await tryLock(lockFile, what, profile.id);
    }
    if (!lock.ok) {
      // Not recorded in history: the repository is fine, someone else is using it.
      return failed(busyDiagnosis(profile, lock.owner), controller.signal.aborted ? 'cancelled' : 'error');
    }

    let record: RunRecord;
    try {
      this.emit('run-started', { profile: profile.id, trigger });
      this.emit('status-changed');
      let secret: Secret;
      let borg: BorgBinary;
      try {
        borg = await this.borg(profile);
        secret = await this.secretFor(profile);
      } catch (err) {
        // With the disk away, that is what the user needs to hear, not the passphrase it would unlock.
        const volume = this.volumePath(profile);
        const away = await diskMissing(profile, volume);
        record = failed(
          away
            ? diagnosisFor('disk-not-mounted', this.ctx(profile), volume ?? path.dirname(profile.repository))
            : diagnosisOf(err, profile),
        );
        await this.history.append(record);
        this.emit('run-finished', record);
        return record;
      }
      record = await runBackup({
        profile,
        borg,
        secret,
        rsh: this.rshFor(profile),
        sshProbe: this.sshProbeFor(profile),
        trigger,
        logsDir: this.paths.logs,
        volumePath: this.volumePath(profile),
        signal: controller.signal,
        cancelGraceMs: this.opts.cancelGraceMs,
        onEvent: (event) => {
          if (event.type === 'progress') {
            entry.progress = {
              profile: profile.id,
              step: 'create',
              nfiles: event.nfiles,
              originalSize: event.originalSize,
              deduplicatedSize: event.deduplicatedSize,
              path: event.path,
            };
          } else if (event.type === 'step' && entry.progress) entry.progress.step = event.step;
          this.emit('run-event', { profile: profile.id, event });
        },
      });
      await this.history.append(record);
    } finally {
      await lock.release();
    }
    this.emit('run-finished', record);
    return record;
  }

  private repoLockFile(p: Profile): string {
    return this.paths.repoLock(p.repository);
  }

  private get waitingFile(): string {
    return this.paths.waiting;
  }

  /** Shared with other processes, so `dandelion status` shows what the daemon or the tray is waiting for. */
  private async publishWaiting(): Promise<void> {
    const data = JSON.stringify({ pid: process.pid, profiles: [...this.waiting] });
    await writeFileAtomic(this.waitingFile, data).catch(() => {});
  }

  /** State as any process sees it: our own runs and waits, or those of the process holding the lock. */
  async profileState(p: Profile): Promise<ProfileState> {
    if (this.active.has(p.id)) return 'running';
    if (this.waiting.has(p.id)) return 'waiting-for-volume';
    const runner = await liveOwner(this.repoLockFile(p));
    if (runner && runner.pid !== process.pid && runner.profile === p.id) return 'running';
    try {
      const w = JSON.parse(await fs.readFile(this.waitingFile, 'utf8')) as { pid: number; profiles: string[] };
      if (w.pid !== process.pid && alive(w.pid) && w.profiles.includes(p.id)) return 'waiting-for-volume';
    } catch {
      /* nobody is waiting */
    }
    return 'idle';
  }

  async status(now = new Date()): Promise<StatusReport> {
    const profiles: ProfileStatus[] = [];
    for (const p of this.cfg.profiles) {
      const { lastRun, lastSuccess, firstRunAt } = await this.history.summary(p.id);
      const state = await this.profileState(p);
      const next = p.schedule ? nextSlot(p.schedule, now) : null;
      profiles.push({
        id: p.id,
        name: profileLabel(p),
        state,
        lastRun: lastRun
          ? {
              trigger: lastRun.trigger,
              startedAt: lastRun.startedAt,
              finishedAt: lastRun.finishedAt,
              result: lastRun.result,
              archive: lastRun.archive,
              message: lastRun.message,
            }
          : null,
        lastSuccessAt: lastSuccess?.finishedAt ?? null,
        nextRunAt: next?.toISOString() ?? null,
        overdue: isOverdue({
          schedule: p.schedule ?? null,
          lastSuccessAt: lastSuccess ? new Date(lastSuccess.finishedAt) : null,
          since: firstRunAt ? new Date(firstRunAt) : null,
          now,
          overdueAfterHours: p.overdueAfterHours ?? undefined,
        }),
      });
    }
    return { profiles };
  }

  /** One borg command outside a backup run (init, list, info, break-lock), with the same environment. */
  async borgCommand(p: Profile, args: string[], opts: { captureStdout?: boolean; secret?: Secret } = {}): Promise<BorgRunResult> {
    const borg = await this.borg(p);
    const secret = opts.secret ?? (await this.secretFor(p));
    return runBorg({
      borg,
      args,
      secret,
      rsh: this.rshFor(p),
      sshProbe: this.sshProbeFor(p),
      ctx: this.ctx(p),
      captureStdout: opts.captureStdout,
    });
  }

  async init(id: string): Promise<BorgRunResult> {
    const p = this.profile(id);
    if (!p.encryption)
      throw new EngineError(diagnosisFor('config-invalid', this.ctx(p), `profiles "${p.id}": set "encryption" to create a new repository`));
    return this.borgCommand(p, initArgs(p.repository, p.encryption));
  }

  async archives(id: string): Promise<{ result: BorgRunResult; archives: ArchiveEntry[] }> {
    const p = this.profile(id);
    const borg = await this.borg(p);
    const result = await this.borgCommand(p, listArgs(p.repository, featuresFor(borg.version), p.archiveName), { captureStdout: true });
    let archives: ArchiveEntry[] = [];
    if (result.level !== 'error') {
      try {
        const json = JSON.parse(result.stdout) as { archives?: { name: string; start?: string; time?: string; id: string }[] };
        archives = (json.archives ?? []).map((a) => ({ name: a.name, start: a.start ?? a.time ?? '', id: a.id }));
      } catch {
        /* leave empty; the diagnosis says why */
      }
    }
    return { result, archives };
  }

  async info(id: string): Promise<BorgRunResult> {
    const p = this.profile(id);
    return this.borgCommand(p, infoArgs(p.repository), { captureStdout: true });
  }

  async breakLock(id: string): Promise<BorgRunResult> {
    const p = this.profile(id);
    return this.borgCommand(p, breakLockArgs(p.repository));
  }

  async logTail(id: string, lines: number): Promise<{ file: string | null; lines: string[] }> {
    this.profile(id);
    const file = await latestLog(this.paths.logs, id);
    if (!file) return { file: null, lines: [] };
    return { file, lines: await tailFile(file, lines) };
  }
}

export interface ArchiveEntry {
  name: string;
  start: string;
  id: string;
}

function busyDiagnosis(p: Profile, owner: LockOwner): Diagnosis {
  return {
    kind: 'lock-timeout',
    message: `Another Dandelion process (pid ${owner.pid}) is already using ${p.repository}: ${owner.what}, since ${owner.since}.`,
    fix: 'Wait for it to finish, or cancel it there; a second borg on the same repository is never started.',
  };
}

export function diagnosisOf(err: unknown, p?: Profile): Diagnosis {
  if (err instanceof EngineError) return err.diagnosis;
  const kind = (err as { kind?: string })?.kind;
  const ctx = { repository: p?.repository ?? '', platform: process.platform, passphraseSupplied: false, profile: p?.id };
  if (kind === 'borg-missing' || kind === 'borg-too-old') return diagnosisFor(kind as ErrorKind, ctx, (err as Error).message);
  return { kind: 'unknown', message: (err as Error)?.message ?? String(err), fix: '' };
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
