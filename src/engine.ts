/**
 * The one object the tray, the windows, the CLI and the tests drive. Plain Node: no electron in here.
 * It composes the seams in src/engine/ (runs, passphrases, status, shared state) and turns every
 * call a face makes into a result or a Diagnosis — nothing escapes as a thrown Error.
 */
import { EventEmitter } from 'node:events';
import path from 'node:path';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import { configPaths, defaultVolumesRoots, expandHome, type ConfigPaths } from './paths.js';
import {
  ABSENT_REVISION,
  loadSettledConfig,
  saveConfig,
  stripBom,
  syntaxError,
  type LoadResult,
  type SaveConflict,
} from './profiles/store.js';
import { locate, parseJson } from './profiles/json-text.js';
import { parseConfig, type Config, type Profile, type FieldError } from './profiles/schema.js';
import { checkPlacement } from './profiles/placement.js';
import { locateBorg, type BorgBinary } from './borg/locate.js';
import { borgRsh, breakLockArgs, infoArgs, initArgs, isRemote, keyExportArgs, sshProbeArgs } from './borg/argv.js';
import { runBorg, type BorgRunResult, type Secret } from './borg/run.js';
import { diagnosisFor } from './messages.js';
import { OsKeyring, type SecretStore } from './secrets/keyring.js';
import { History } from './jobs/history.js';
import type { RunRecord, Trigger } from './records.js';
import type { Diagnosis } from './diagnosis.js';
import { latestLog, tailFile } from './jobs/run-log.js';
import { failed, guard, ok, Refusal, type Outcome } from './engine/outcome.js';
import { RunQueue, type LiveProgress, type RunRequest, type StopHow } from './engine/run-queue.js';
import { activePause, clearPause, pauseEnd, readPause, writePause, type PauseChoice, type PauseState } from './engine/pause.js';
import { recoverStaleLocks } from './engine/recovery.js';
import { Passphrases, type PassphraseState, type SavedPassphrase } from './engine/passphrases.js';
import {
  publishTriggerState,
  readTriggerState,
  requestStop,
  triggerOwner,
  type RetryPlan,
  type TriggerState,
} from './engine/shared-state.js';
import { SnapshotInputs } from './engine/snapshot-inputs.js';
import { KeyExports } from './engine/key-exports.js';
import { liveOwner, type LockOwner } from './jobs/pid-lock.js';
import {
  isKeyfileMode,
  profileStatus,
  type BorgState,
  type EngineSnapshot,
  type ProfileSnapshot,
  type ProfileState,
  type StatusReport,
} from './engine/status.js';
import { setScheduleCacheFile } from './schedule/facts.js';
import {
  RepoOps,
  type ArchiveSummary,
  type FolderEntry,
  type EncryptionInfo,
  type FileVersion,
  type FindResult,
  type FolderOptions,
  type ListedArchive,
} from './engine/repo-ops.js';
import { RepositoryFacts } from './repo/facts.js';
import type { RepoCommandOptions } from './repo/types.js';
import { OpHistory, type OpRecord } from './ops/records.js';
import { diskMissing } from './jobs/backup.js';
import { ACTIVITY_LINES, recentActivity, type ActivityLine } from './activity.js';
import { Verifier } from './ops/verify.js';
import { pickVerifyRecords, verifyView } from './ops/verify-due.js';
import { isSuccessful } from './records.js';
import { Operations, type RestoreRequest, type RestoreResult } from './ops/operations.js';
import type { OpProgress } from './ops/progress.js';
import { Monitor, type MonitorStatus, type SendOptions, type TestPingResult } from './monitor/monitor.js';

export type { Outcome } from './engine/outcome.js';
export type { LiveProgress, RunRequest } from './engine/run-queue.js';
export type { EngineSnapshot, ProfileSnapshot, ProfileState, ProfileStatus, StatusReport, BorgState } from './engine/status.js';
export type { PassphraseState, SavedPassphrase } from './engine/passphrases.js';
export type { RetryPlan } from './engine/shared-state.js';
export type { PauseChoice, PauseState } from './engine/pause.js';
export type { StopHow } from './engine/run-queue.js';
export type {
  ArchiveSummary,
  FolderEntry,
  EncryptionInfo,
  FileVersion,
  FindResult,
  FolderOptions,
  ListedArchive,
} from './engine/repo-ops.js';
export type { RestoreRequest, RestoreResult } from './ops/operations.js';
export type { OpProgress } from './ops/progress.js';
export type { OpRecord, OpKind } from './ops/records.js';
export type { ActivityLine, ActivityKind, ActivityTone } from './activity.js';
export type { MonitorStatus, TestPingResult } from './monitor/monitor.js';

/** A face redraws from the snapshot event at most this often. */
export const SNAPSHOT_INTERVAL_MS = 250;

export interface EngineEvents {
  'run-started': [{ profile: string; trigger: Trigger }];
  /** Live progress of a run in this process, at most 4 times a second per run. */
  progress: [{ profile: string; progress: LiveProgress }];
  /** Run log lines, in batches. */
  log: [{ profile: string; lines: string[] }];
  'run-finished': [RunRecord];
  /** A new valid config is in force (saved here, or reloaded after an edit). */
  'config-changed': [Config];
  'config-error': [{ file: string; errors: FieldError[] }];
  /** The whole picture, coalesced: built only while someone listens. */
  snapshot: [EngineSnapshot];
  /** Something worth a line in the daemon's log (e.g. an interrupted run found and recorded). */
  notice: [string];
  /** Automatic backups were paused or resumed (here, or another process changed locks/pause.json). */
  'pause-changed': [];
  /** Entries of a folder found so far while an archive is read for the first time (listFolder's `onPartial`). */
  'folder-partial': [{ profile: string; archive: string; folder: string; entries: FolderEntry[] }];
  /** Live progress of a restore, check or drill in this process, at most 4 times a second. */
  'op-progress': [{ profile: string; progress: OpProgress }];
  /** A restore, check or drill ended (its record is in operations/<profile>.jsonl). */
  'op-finished': [OpRecord];
}

export interface EngineOptions {
  configDir: string;
  secrets?: SecretStore;
  /** What to do when another process holds the repository: 'fail' at once (CLI) or 'wait' (triggers, the app). */
  busy?: 'fail' | 'wait';
  cancelGraceMs?: number;
  /**
   * Index each new archive for browsing right after its backup succeeded (and after the check and drill
   * it started), in the background: long-lived processes (the app, the daemon) and not on battery
   * (a function asked after each backup), never a CLI run.
   */
  indexAfterBackup?: boolean | (() => boolean);
  /** Monitoring pings' time limit, retries and backoff (tests make them short). */
  monitor?: Partial<SendOptions>;
}

/** What indexing a new archive after its backup cost (`indexedAfterRun`). */
export interface IndexedAfterRun {
  archive: string;
  /** False when the archive was already indexed (someone browsed it first). */
  made: boolean;
  wallMs: number;
  /** CPU of this process while it ran (parsing borg's lines, sorting, writing; other work of the process included). */
  cpuMs: number;
  diagnosis: Diagnosis | null;
}

/**
 * `needsConfirmation`: config.json on disk is invalid and saving over it was not confirmed.
 * `conflict`: the file is no longer the revision the caller expected; nothing was written.
 */
export type SaveResult =
  | { ok: true; config: Config; revision: string }
  | { ok: false; errors: FieldError[]; needsConfirmation?: boolean; conflict?: SaveConflict };

/** `exportKey`: the file written, or (without `to`) the key's text for the face to show or save. */
export interface ExportedKey {
  file: string | null;
  text: string | null;
}

export class Engine extends EventEmitter<EngineEvents> {
  readonly paths: ConfigPaths;
  readonly history: History;
  private cfg: Config = { profiles: [] };
  private configErrors: FieldError[] = [];
  private configQueue: Promise<unknown> = Promise.resolve();
  /** The revision of config.json as last loaded or saved here (valid or not). */
  private revision = ABSENT_REVISION;
  private readonly queue: RunQueue;
  private readonly passphrases: Passphrases;
  private readonly repo: RepoOps;
  private readonly opHistory: OpHistory;
  private readonly verifier: Verifier;
  /** The check and drill a successful backup started, per profile, until they end. */
  private readonly verifying = new Map<string, Promise<OpRecord[]>>();
  /** Indexing of a new archive after its backup, per profile (indexAfterBackup), and how to stop it. */
  private readonly indexing = new Map<string, Promise<IndexedAfterRun | null>>();
  private readonly indexAborts = new Set<AbortController>();
  /** Restores (checks, drills) of this process: src/ops/. */
  private readonly ops: Operations;
  private readonly waiting = new Set<string>();
  private readonly retries = new Map<string, RetryPlan>();
  /** Due profiles the trigger controller holds back while on battery (skipOnBattery). */
  private readonly heldForPower = new Set<string>();
  private publishing: Promise<void> = Promise.resolve();
  private borgProbe: { key: string; result: Promise<BorgState> } | null = null;
  /** What status reads from disk; kept in memory while a supervisor watches the files (`watchFiles`). */
  private readonly inputs: SnapshotInputs;
  private readonly keyExportLog: KeyExports;
  /** Monitoring pings (src/monitor/): never awaited by a run. */
  readonly monitor: Monitor;
  private snapshotTimer: NodeJS.Timeout | null = null;
  private lastSnapshotAt = 0;
  private snapshotDirty = false;
  /** Runs of killed processes found (and recorded as interrupted) when this engine opened: doctor reports them. */
  recovered: RunRecord[] = [];
  /** Set by the supervisor while this process owns the schedules. */
  ownsTriggers = false;

  private constructor(private readonly opts: EngineOptions) {
    super();
    this.paths = configPaths(opts.configDir);
    // Schedule facts (slot windows, periods, cron checks) persist here: a fresh `status` reads them
    // instead of replaying cron slots. Set before the config is validated, which checks cron too.
    setScheduleCacheFile(path.join(this.paths.cache, 'schedule-facts.json'));
    this.history = new History(this.paths.history);
    this.keyExportLog = new KeyExports(path.join(this.paths.cache, 'key-exports.json'));
    this.inputs = new SnapshotInputs({
      summary: (profile, repository) => this.history.summary(profile, repository),
      triggerState: () => readTriggerState(this.paths),
      triggerOwner: () => triggerOwner(this.paths),
      repositoryLock: (repository) => liveOwner(this.paths.repoLock(repository)),
      keyExports: () => this.keyExportLog.all(),
      pause: () => readPause(this.paths),
      verify: async (profile, repository) => pickVerifyRecords(await this.opHistory.recent(profile, { repository, limit: 100 })),
      activity: (profile, repository) => this.readActivity(profile, repository, ACTIVITY_LINES),
    });
    this.passphrases = new Passphrases(opts.secrets ?? new OsKeyring());
    this.monitor = new Monitor({
      file: this.paths.monitorState,
      send: opts.monitor,
      note: (line) => this.emit('notice', line),
      changed: () => this.changed(),
    });
    this.queue = new RunQueue({
      paths: this.paths,
      history: this.history,
      busy: opts.busy ?? 'fail',
      cancelGraceMs: opts.cancelGraceMs,
      borg: (p) => this.borg(p),
      secretFor: (p) => this.passphrases.secretFor(p),
      placement: (p) => this.refuseMisplaced(p),
      volumePath: (p) => this.volumePath(p),
      rsh: (p) => this.rshFor(p),
      sshProbe: (p) => this.sshProbeFor(p),
      started: (profile, trigger) => {
        this.emit('run-started', { profile, trigger });
        const p = this.profile(profile);
        if (p) this.monitor.runStarted(p);
      },
      progress: (profile, progress) => {
        this.emit('progress', { profile, progress });
        this.changed();
      },
      log: (profile, lines) => this.emit('log', { profile, lines }),
      finished: (record) => {
        this.inputs.historyChanged(record.profile);
        this.emit('run-finished', record);
        this.verifyAfterBackup(record);
        this.indexAfterBackup(record);
        // After the record is written, off the run's path: the run's promise does not wait for it.
        const p = this.profile(record.profile);
        if (p) void this.monitor.runFinished(p, record);
      },
      changed: () => this.changed(),
      note: (line) => this.emit('notice', line),
    });
    this.opHistory = new OpHistory(this.paths.operations);
    this.verifier = new Verifier({
      paths: this.paths,
      history: this.history,
      ops: this.opHistory,
      borg: (p) => this.borg(p),
      secretFor: (p) => this.passphrases.secretFor(p),
      rsh: (p) => this.rshFor(p),
      sshProbe: (p) => this.sshProbeFor(p),
      elsewhere: (p) => this.cfg.profiles.filter((o) => o.repository !== p.repository).map((o) => o.name ?? o.id),
      progress: (profile, progress) => {
        this.emit('op-progress', { profile, progress });
        this.changed();
      },
      finished: (record) => {
        this.inputs.operationsChanged(record.profile);
        this.emit('op-finished', record);
        this.changed();
      },
      note: (line) => this.emit('notice', line),
      cancelGraceMs: opts.cancelGraceMs,
    });
    this.repo = new RepoOps({
      paths: this.paths,
      history: this.history,
      command: (p, args, o) => this.borgCommand(p, args, o),
      borg: (p) => this.borg(p),
      secretFor: (p) => this.passphrases.secretFor(p),
    });
    this.ops = new Operations({
      paths: this.paths,
      history: this.history,
      busy: opts.busy ?? 'fail',
      cancelGraceMs: opts.cancelGraceMs,
      borg: (p) => this.borg(p),
      secretFor: (p) => this.passphrases.secretFor(p),
      rsh: (p) => this.rshFor(p),
      sshProbe: (p) => this.sshProbeFor(p),
      volumePath: (p) => this.volumePath(p),
      archives: (p) => this.repo.archives(p),
      command: (p, args, o) => this.borgCommand(p, args, o),
      progress: (profile, progress) => this.emit('op-progress', { profile, progress }),
      finished: (record) => {
        this.inputs.operationsChanged(record.profile);
        this.emit('op-finished', record);
        this.changed();
      },
      changed: () => this.changed(),
      note: (line) => this.emit('notice', line),
    });
  }

  /** Opens the engine. An invalid config.json is reported in `load` (and in the snapshot); it is never replaced. */
  static async open(opts: EngineOptions): Promise<{ engine: Engine; load: LoadResult }> {
    const engine = new Engine(opts);
    const load = await engine.reload();
    engine.recovered = await engine.recoverInterruptedRuns();
    return { engine, load };
  }

  /**
   * Finds runs of processes that were killed outright (their repository lock is stale): ends a borg
   * they left running and records each run as interrupted. Called at every start.
   */
  async recoverInterruptedRuns(): Promise<RunRecord[]> {
    const found = await recoverStaleLocks(this.paths, this.history, { log: (l) => this.emit('notice', l) });
    if (found.length) {
      this.inputs.historyChanged();
      this.inputs.locksChanged();
      this.changed();
    }
    return found;
  }

  get config(): Config {
    return this.cfg;
  }

  // ---- config ----------------------------------------------------------------------------------

  /** Re-reads config.json; an invalid edit is reported and the previous valid config stays in force. */
  async reload(): Promise<LoadResult> {
    return this.configTurn(() => this.reloadNow());
  }

  /**
   * Reads, saves and reloads of config.json take turns, so a reload that read the file before a save
   * (or before a later reload) never puts back what it read after them.
   */
  private configTurn<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.configQueue.then(fn, fn);
    this.configQueue = p.catch(() => undefined);
    return p;
  }

  private async reloadNow(): Promise<LoadResult> {
    const r = await loadSettledConfig(this.paths.config);
    const moved = r.revision !== this.revision;
    this.revision = r.revision;
    if (r.ok) this.apply(r.config, moved);
    else {
      this.configErrors = r.errors;
      this.emit('config-error', { file: r.file, errors: r.errors });
      this.changed();
    }
    return r;
  }

  /**
   * Validates, writes config.json atomically and takes it into use at once (the supervisor
   * reschedules the triggers on 'config-changed'). Invalid input writes nothing and returns the
   * field errors. While the file on disk is itself invalid (edited by hand), it is replaced only
   * when the caller says so (`replaceInvalid`), and a `.bak` copy of it is kept.
   *
   * Compare-and-swap: the file is replaced only while it is still the revision the input was drawn
   * from (`expectedRevision`, see configRevision; by default the one this engine loaded or saved
   * last, i.e. an input made from `config`); otherwise nothing is written and the answer carries
   * `conflict`, what is on disk now. `expectedRevision: null` writes regardless.
   */
  async saveConfig(
    input: unknown,
    opts: { replaceInvalid?: boolean; expectedRevision?: string | null; text?: string } = {},
  ): Promise<SaveResult> {
    return this.configTurn(() => this.saveConfigNow(input, opts));
  }

  private async saveConfigNow(
    input: unknown,
    opts: { replaceInvalid?: boolean; expectedRevision?: string | null; text?: string },
  ): Promise<SaveResult> {
    // The errors this engine holds may be from a file read mid-write: they count only if still true.
    if (this.configErrors.length > 0) await this.reloadNow();
    const invalidOnDisk = this.configErrors.length > 0;
    if (invalidOnDisk && !opts.replaceInvalid) {
      return { ok: false, errors: this.configErrors, needsConfirmation: true };
    }
    const misplaced = await this.misplacedProfiles(input);
    if (misplaced.length) return { ok: false, errors: misplaced };
    try {
      const expectedRevision = opts.expectedRevision === undefined ? this.revision : (opts.expectedRevision ?? undefined);
      const r = await saveConfig(this.paths.config, input, undefined, { backup: invalidOnDisk, expectedRevision, text: opts.text });
      if (r.ok) {
        const moved = r.revision !== this.revision;
        this.revision = r.revision;
        this.apply(r.config, moved);
      } else if (r.conflict && r.conflict.revision !== this.revision) {
        // The file moved on before the watcher said so: windows learn it from the snapshot now.
        void this.reload();
      }
      return r;
    } catch (err) {
      return { ok: false, errors: [{ path: '(file)', message: `could not be written: ${(err as Error).message}` }] };
    }
  }

  /**
   * Saves config.json from its text, as the user fixed it: a syntax error comes back with its line
   * and column and writes nothing; otherwise it is validated and written like `saveConfig`. The
   * text is the file itself, so it replaces an invalid file without asking (a `.bak` is kept), but
   * only the revision it was drawn from (compare-and-swap, as every save).
   */
  async saveConfigText(text: string, opts: { expectedRevision?: string | null } = {}): Promise<SaveResult> {
    const clean = stripBom(text);
    let json: unknown;
    try {
      json = JSON.parse(clean);
    } catch {
      return { ok: false, errors: [syntaxError(clean)] };
    }
    const r = await this.saveConfig(json, { replaceInvalid: true, expectedRevision: opts.expectedRevision });
    if (r.ok || r.conflict) return r;
    // Each field error also at the line of its setting (or of the profile a missing one belongs in).
    const read = parseJson(clean);
    const positions = read.ok ? read.positions : new Map<string, number>();
    return { ...r, errors: r.errors.map((e) => ({ ...e, ...(e.line === undefined ? locate(positions, clean, e.path) : null) })) };
  }

  /**
   * The placement rules with the filesystem consulted (a repository that is a file, or reaches a
   * source through a link): field errors for a config that is otherwise valid; the schema already
   * reported what it can see without the filesystem.
   */
  private async misplacedProfiles(input: unknown): Promise<FieldError[]> {
    const parsed = parseConfig(input);
    if (!parsed.ok) return [];
    const volumesRoot = parsed.config.volumesRoot ? expandHome(parsed.config.volumesRoot) : this.volumesRoot();
    const errors: FieldError[] = [];
    for (const [i, p] of parsed.config.profiles.entries())
      for (const f of await checkPlacement(p, os.homedir(), volumesRoot))
        errors.push({ path: `profiles[${i}].${f.field}`, message: f.message });
    return errors;
  }

  /** Before a run: a repository that cannot hold this profile's backups ends the run before borg starts. */
  private async refuseMisplaced(p: Profile): Promise<void> {
    const [first] = await checkPlacement(p, os.homedir(), this.volumesRoot());
    if (first) throw new Refusal(diagnosisFor('repo-placement', this.ctx(p), undefined, { summary: first.message }));
  }

  private apply(config: Config, revisionMoved = false): void {
    const same = JSON.stringify(config) === JSON.stringify(this.cfg);
    const hadErrors = this.configErrors.length > 0;
    this.cfg = config;
    this.configErrors = [];
    if (!same) {
      this.borgProbe = null;
      const known = new Set(config.profiles.map((p) => p.id));
      for (const id of [...this.retries.keys()]) if (!known.has(id)) this.retries.delete(id);
      for (const id of [...this.waiting]) if (!known.has(id)) this.waiting.delete(id);
      for (const id of [...this.heldForPower]) if (!known.has(id)) this.heldForPower.delete(id);
      this.emit('config-changed', config);
    }
    if (!same || hadErrors || revisionMoved) this.changed();
  }

  /** The revision of config.json this engine last loaded or saved (in the snapshot as `configRevision`). */
  configRevision(): string {
    return this.revision;
  }

  /** Non-empty while config.json on disk is invalid (the last valid config stays in force). */
  configFileErrors(): FieldError[] {
    return this.configErrors;
  }

  /** The profile with this id, or null. */
  profile(id: string): Profile | null {
    return this.cfg.profiles.find((x) => x.id === id) ?? null;
  }

  private profileOutcome(id: string): Outcome<Profile> {
    const p = this.profile(id);
    if (p) return ok(p);
    const known = this.cfg.profiles.map((x) => x.id);
    return failed(
      diagnosisFor(
        'unknown-profile',
        { repository: '', platform: process.platform, passphraseSupplied: false, profile: id },
        known.length ? known.join(', ') : undefined,
      ),
    );
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

  // ---- borg ------------------------------------------------------------------------------------

  /** Throws (borg-missing, borg-too-old) for internal callers; faces read `snapshot().borg`. */
  borg(p?: Profile): Promise<BorgBinary> {
    return locateBorg(p?.borgPath ?? this.cfg.borgPath ?? null, this.paths.borgVersions);
  }

  /** borg's path and version, or the diagnosis that it is missing; looked up once per configured path. */
  borgState(): Promise<BorgState> {
    const key = this.cfg.borgPath ?? '';
    if (this.borgProbe?.key !== key) {
      const result = this.borg().then(
        (b): BorgState => ({ state: 'found', path: b.path, version: b.version.raw }),
        (err: unknown): BorgState => ({
          state: 'missing',
          diagnosis: diagnosisFor(
            (err as { kind?: string }).kind === 'borg-too-old' ? 'borg-too-old' : 'borg-missing',
            { repository: '', platform: process.platform, passphraseSupplied: false },
            (err as Error).message,
          ),
        }),
      );
      this.borgProbe = { key, result };
    }
    return this.borgProbe.result;
  }

  private ctx(p: Profile) {
    return { repository: p.repository, platform: process.platform, passphraseSupplied: false, profile: p.id };
  }

  rshFor(p: Profile): string | undefined {
    return isRemote(p.repository) ? borgRsh({ sshKey: p.sshKey }) : undefined;
  }

  sshProbeFor(p: Profile): string[] | null {
    // borg --version: borg's own ssh runs borg there, so a server without it is named as such.
    return isRemote(p.repository) ? sshProbeArgs(p.repository, { sshKey: p.sshKey, command: 'borg --version' }) : null;
  }

  /** The secret a borg command of this profile gets; throws a Refusal with its diagnosis (internal callers). */
  secretFor(p: Profile): Promise<Secret> {
    return this.passphrases.secretFor(p);
  }

  /** One borg command outside a backup run, with the same environment a run gets. */
  async borgCommand(p: Profile, args: string[], opts: RepoCommandOptions = {}): Promise<BorgRunResult> {
    const borg = await this.borg(p);
    const secret = opts.secret ?? (await this.passphrases.secretFor(p));
    const nice = opts.nice;
    return runBorg({
      ...(nice
        ? {
            onSpawn: (pid: number) => {
              try {
                os.setPriority(pid, nice);
              } catch {
                /* gone already, or not allowed: it runs at the usual priority */
              }
            },
          }
        : {}),
      borg,
      args,
      secret,
      rsh: this.rshFor(p),
      sshProbe: this.sshProbeFor(p),
      ctx: this.ctx(p),
      captureStdout: opts.captureStdout,
      onStdout: opts.onStdout,
      signal: opts.signal,
      ...(opts.cancelSignal ? { cancelSignal: opts.cancelSignal } : {}),
    });
  }

  // ---- runs ------------------------------------------------------------------------------------

  /**
   * Starts a backup run, or joins the one already running or queued for this profile (repeated
   * triggers coalesce). Runs on one repository go one after another, also across processes. Never
   * rejects: an unknown profile, a busy repository or a missing passphrase end in a record too.
   */
  run(id: string, req: RunRequest = {}): Promise<RunRecord> {
    const p = this.profileOutcome(id);
    if (!p.ok) {
      const now = new Date().toISOString();
      const record: RunRecord = {
        profile: id,
        trigger: req.trigger ?? 'manual',
        startedAt: now,
        finishedAt: now,
        result: 'error',
        archive: null,
        stats: null,
        message: p.diagnosis.message,
        diagnoses: [p.diagnosis],
        log: null,
      };
      return Promise.resolve(record);
    }
    return this.queue.run(p.value, req);
  }

  isRunning(id: string): boolean {
    return this.queue.isRunning(id);
  }

  progress(id: string): LiveProgress | null {
    return this.queue.progress(id);
  }

  /** Cancels (or skips) a run of this process; false when none runs here. */
  cancel(id: string, how: StopHow = 'cancel'): boolean {
    return this.queue.cancel(id, how);
  }

  /**
   * Cancel or Skip This Backup from any face: a run here is stopped at once; a run another process
   * holds the repository lock for (the daemon, a CLI run) is asked to stop through a request file
   * that process turns into its own cancel (a checkpoint, the run recorded by it). Resolves to where
   * the run was, or null when none was found.
   */
  async stop(id: string, how: StopHow = 'cancel'): Promise<'here' | 'elsewhere' | null> {
    if (this.queue.cancel(id, how)) return 'here';
    const p = this.profile(id);
    if (!p) return null;
    const owner = await liveOwner(this.paths.repoLock(p.repository));
    if (!owner || owner.pid === process.pid || owner.profile !== id || owner.op) return null;
    await requestStop(this.paths, p.repository, {
      profile: id,
      pid: owner.pid,
      since: owner.since,
      how,
      by: process.pid,
      at: new Date().toISOString(),
    });
    return 'elsewhere';
  }

  // ---- pause -----------------------------------------------------------------------------------

  /** The pause in force at `now` (read fresh from locks/pause.json), or null. */
  async pauseState(now = new Date()): Promise<PauseState | null> {
    return activePause(await readPause(this.paths), now);
  }

  /** Pauses automatic backups for every process of this config dir; a new pause replaces an earlier one. */
  async pause(choice: PauseChoice, now = new Date()): Promise<PauseState> {
    const until = pauseEnd(choice, now);
    const state: PauseState = { since: now.toISOString(), until: until ? until.toISOString() : null };
    await writePause(this.paths, state);
    this.pauseChanged();
    return state;
  }

  /** Ends the pause now: whoever owns the schedules catches up once on what came due meanwhile. */
  async resume(): Promise<void> {
    await clearPause(this.paths);
    this.pauseChanged();
  }

  private pauseChanged(): void {
    this.inputs.locksChanged();
    this.emit('pause-changed');
    this.changed();
  }

  /**
   * When the user last chose Skip This Backup, if no backup succeeded since: a schedule treats it
   * like a run at that moment (the next slot runs, nothing before it).
   */
  async lastSkippedByUserAt(id: string): Promise<Date | null> {
    const p = this.profile(id);
    if (!p) return null;
    const recent = await this.history.recent(id, 20, p.repository).catch(() => [] as RunRecord[]);
    for (const r of recent) {
      if (r.skippedByUser) return new Date(r.startedAt);
      if (r.result === 'success' || r.result === 'warning') return null;
    }
    return null;
  }

  /**
   * Cancels every run, operation, check, drill and background indexing of this process; resolves once
   * they have ended, so no borg of ours outlives a Quit or a stopped daemon.
   */
  cancelAll(): Promise<unknown> {
    for (const c of this.indexAborts) c.abort();
    return Promise.all([
      this.verifier.cancelAll(),
      this.ops.cancelAll(),
      this.queue.cancelAll(),
      Promise.allSettled([...this.indexing.values()]),
    ]);
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
      ...(this.profile(id) ? { repository: this.profile(id)!.repository } : {}),
    };
    await this.history.append(record);
    this.inputs.historyChanged(id);
    this.emit('run-finished', record);
    this.changed();
    return record;
  }

  /** Start of the last successful run to the profile's current repository. */
  async lastSuccessStartedAt(id: string): Promise<Date | null> {
    const p = this.profile(id);
    const { lastSuccess } = p ? await this.inputs.summary(id, p.repository) : await this.history.summary(id);
    return lastSuccess ? new Date(lastSuccess.startedAt) : null;
  }

  /** Failed runs in a row, newest first, in the current repository's epoch (read from the end of the history). */
  failuresInARow(id: string): Promise<number> {
    return this.history.errorsInARow(id, this.profile(id)?.repository);
  }

  /** The last `limit` runs of the profile's current repository, newest first (a window's history list). */
  runs(id: string, limit = 50): Promise<Outcome<RunRecord[]>> {
    return this.withProfile(id, async (p) => ok(await this.history.recent(id, Math.max(0, limit), p.repository)));
  }

  /**
   * What was done to the profile's current repository, newest first: backups, restores, checks and
   * restore drills as lines in the user's words (src/activity.ts), at most `limit`.
   */
  activity(id: string, limit = 50): Promise<Outcome<ActivityLine[]>> {
    return this.withProfile(id, async (p) => ok(await this.readActivity(p.id, p.repository, Math.max(0, limit))));
  }

  private async readActivity(id: string, repository: string, limit: number): Promise<ActivityLine[]> {
    // Skipped triggers leave records that are not lines: read a few more than asked.
    const [runs, ops] = await Promise.all([
      this.history.recent(id, limit * 3, repository).catch(() => [] as RunRecord[]),
      this.opHistory.recent(id, { repository, limit }).catch(() => [] as OpRecord[]),
    ]);
    return recentActivity(runs, ops, limit);
  }

  // ---- what the trigger owner publishes ---------------------------------------------------------

  setWaitingForVolume(id: string, waiting: boolean): void {
    if (waiting === this.waiting.has(id)) return;
    if (waiting) this.waiting.add(id);
    else this.waiting.delete(id);
    this.publish();
  }

  /** The trigger controller holds a due backup back until the computer is plugged in (or lets it go). */
  setHeldForPower(id: string, held: boolean): void {
    if (held === this.heldForPower.has(id)) return;
    if (held) this.heldForPower.add(id);
    else this.heldForPower.delete(id);
    this.publish();
  }

  private isHeldForPower(id: string, others: TriggerState | null): boolean {
    return this.heldForPower.has(id) || (others?.power.includes(id) ?? false);
  }

  isWaitingForVolume(id: string): boolean {
    return this.waiting.has(id);
  }

  /** The retry planned for a failed automatic run of this profile, if any. */
  retryPlan(id: string): RetryPlan | null {
    return this.retries.get(id) ?? null;
  }

  /** The trigger controller's plan to retry a failed automatic run (null: none). */
  setRetry(id: string, plan: RetryPlan | null): void {
    if (plan) this.retries.set(id, plan);
    else if (!this.retries.delete(id)) return;
    this.publish();
  }

  private publish(): void {
    // One write at a time, each of the state as it is when the write starts: two changes in a row (a power
    // hold and a disk wait decided side by side) could otherwise land in the other order, the older last.
    this.publishing = this.publishing.then(() =>
      publishTriggerState(this.paths, {
        waiting: [...this.waiting],
        power: [...this.heldForPower],
        retries: Object.fromEntries(this.retries),
      }),
    );
    this.changed();
  }

  /** Resolves once every published change of waits, holds and retries is on disk. */
  async published(): Promise<void> {
    let seen: Promise<void>;
    do {
      seen = this.publishing;
      await seen.catch(() => {});
    } while (seen !== this.publishing);
  }

  // ---- status and snapshot ---------------------------------------------------------------------

  /** Another live process backing this profile up (its repository lock), if any. */
  private async runnerElsewhere(p: Profile): Promise<LockOwner | null> {
    const owner = await this.inputs.repositoryLock(p.repository);
    return owner && owner.pid !== process.pid && owner.profile === p.id && !owner.op ? owner : null;
  }

  private async stateOf(p: Profile, others: TriggerState | null): Promise<ProfileState> {
    if (this.queue.isRunning(p.id)) return 'running';
    if (this.waiting.has(p.id)) return 'waiting-for-volume';
    if (await this.runnerElsewhere(p)) return 'running';
    if (others?.waiting.includes(p.id)) return 'waiting-for-volume';
    return 'idle';
  }

  /** The `dandelion status --json` report: as any process sees it. */
  async status(now = new Date()): Promise<StatusReport> {
    const others = await this.inputs.triggerState();
    const exports = await this.inputs.keyExports();
    const paused = activePause(await this.inputs.pause(), now);
    const profiles = [];
    for (const p of this.cfg.profiles) {
      const summary = await this.inputs.summary(p.id, p.repository);
      const state = await this.stateOf(p, others);
      const exported = exports[p.repository]?.exportedAt ?? null;
      const verify = verifyView(await this.inputs.verify(p.id, p.repository), p.check, summary.firstRunAt, now);
      profiles.push({
        ...profileStatus(p, summary, state, now, exported, paused, this.isHeldForPower(p.id, others), verify),
        monitor: await this.monitorStatus(p),
      });
    }
    const owner = await this.inputs.triggerOwner();
    return { profiles, paused, scheduler: owner ? { pid: owner.pid, what: owner.what, since: owner.since } : null };
  }

  /**
   * Everything a window draws, in one plain object. In a long-lived process whose files are watched
   * (`watchingFiles`), nothing is read from disk unless something changed since the last call.
   */
  async snapshot(now = new Date()): Promise<EngineSnapshot> {
    const others = await this.inputs.triggerState();
    const owner = await this.inputs.triggerOwner();
    const exports = await this.inputs.keyExports();
    const paused = activePause(await this.inputs.pause(), now);
    const profiles: ProfileSnapshot[] = [];
    for (const p of this.cfg.profiles) {
      const summary = await this.inputs.summary(p.id, p.repository);
      const runner = this.queue.isRunning(p.id) ? null : await this.runnerElsewhere(p);
      profiles.push({
        ...profileStatus(
          p,
          summary,
          await this.stateOf(p, others),
          now,
          exports[p.repository]?.exportedAt ?? null,
          paused,
          this.isHeldForPower(p.id, others),
          verifyView(await this.inputs.verify(p.id, p.repository), p.check, summary.firstRunAt, now),
        ),
        repository: p.repository,
        triggers: { schedule: p.schedule ?? null, volume: p.volume ?? null },
        lastRun: summary.lastRun,
        run: this.queue.progress(p.id),
        runningElsewhere: runner
          ? { pid: runner.pid, what: runner.what, since: runner.since, progress: sharedProgress(runner.progress) }
          : null,
        retry: this.retries.get(p.id) ?? others?.retries[p.id] ?? null,
        operation: this.verifier.progress(p.id),
        activity: await this.inputs.activity(p.id, p.repository),
        repositoryAway: await diskMissing(p, this.volumePath(p)).catch(() => false),
        monitor: await this.monitorStatus(p, true),
      });
    }
    return {
      takenAt: now.toISOString(),
      configDir: this.paths.dir,
      configFile: this.paths.config,
      configErrors: this.configErrors,
      configRevision: this.revision,
      borg: await this.borgState(),
      schedules: {
        owner: owner ? { pid: owner.pid, what: owner.what, since: owner.since } : null,
        ownedHere: this.ownsTriggers && owner?.pid === process.pid,
      },
      paused,
      profiles,
    };
  }

  /** The last ping of a profile that has monitoring (host only, never the URL); null without monitoring. */
  private async monitorStatus(p: Profile, cached = false): Promise<MonitorStatus | null> {
    if (!p.monitor?.pingUrl && !p.monitor?.ntfyUrl) return null;
    return this.monitor.statusOf(p.id, { cached }).catch(() => null);
  }

  /**
   * The owner of the schedules asks this now and then: each overdue profile with monitoring pings a
   * failure once per overdue spell (remembered in state/monitor.json). Resolves to the profiles pinged.
   */
  async checkOverdue(now = new Date()): Promise<string[]> {
    const report = await this.status(now);
    const pinged: string[] = [];
    for (const st of report.profiles) {
      const p = this.profile(st.id);
      if (p && (await this.monitor.overdue(p, st.overdue && st.state !== 'running', st.lastSuccessAt))) pinged.push(p.id);
    }
    return pinged;
  }

  /**
   * "Send Test Ping" for a profile's monitoring (the URLs as typed, or the saved ones): each URL's host
   * and how it answered. Never the URL.
   */
  testMonitor(id: string | null, urls: { pingUrl?: string | null; ntfyUrl?: string | null }): Promise<Outcome<TestPingResult[]>> {
    return guard({}, async () => {
      const p = id ? this.profile(id) : null;
      return ok(await this.monitor.test(p ? (p.name ?? p.id) : 'a new profile', urls));
    });
  }

  /** Waits (at most `maxMs`) for the monitoring pings under way; `dandelion run` and the daemon call it before they exit. */
  monitorSettled(maxMs: number): Promise<boolean> {
    return this.monitor.settled(maxMs);
  }

  /**
   * The supervisor watches history/, locks/ and cache/ and says so here: from then on status and
   * the snapshot keep what they read in memory until `filesChanged` reports a change.
   */
  set watchingFiles(on: boolean) {
    this.inputs.live = on;
    if (!on) {
      this.inputs.historyChanged();
      this.inputs.locksChanged();
      this.inputs.keysChanged();
      this.inputs.operationsChanged();
    }
  }

  /** A watched file changed: `history/<profile>.jsonl`, `operations/<profile>.jsonl`, something under locks/ (the pause among them), or cache/key-exports.json. */
  filesChanged(what: 'history' | 'operations' | 'locks' | 'pause' | 'keys' | 'monitor', profile?: string): void {
    if (what === 'history') this.inputs.historyChanged(profile);
    else if (what === 'monitor') this.monitor.forget();
    else if (what === 'operations') this.inputs.operationsChanged(profile);
    else if (what === 'locks') this.inputs.locksChanged();
    else if (what === 'pause') {
      this.pauseChanged();
      return;
    } else this.inputs.keysChanged();
    this.changed();
  }

  /**
   * Something a face shows may have changed (here, or in another process: the supervisor calls this
   * when history/ or locks/ change). Listeners get one snapshot per interval at most, never per file.
   */
  changed(): void {
    if (this.listenerCount('snapshot') === 0) return;
    this.snapshotDirty = true;
    if (this.snapshotTimer) return;
    const wait = Math.max(0, this.lastSnapshotAt + SNAPSHOT_INTERVAL_MS - Date.now());
    this.snapshotTimer = setTimeout(() => {
      this.lastSnapshotAt = Date.now();
      this.snapshotDirty = false;
      void this.snapshot()
        .then(
          (s) => this.emit('snapshot', s),
          () => {},
        )
        .finally(() => {
          this.snapshotTimer = null;
          // A change that came while this one was being built gets its own snapshot.
          if (this.snapshotDirty) this.changed();
        });
    }, wait);
    this.snapshotTimer.unref?.();
  }

  // ---- passphrase ------------------------------------------------------------------------------

  passphraseState(id: string): Promise<Outcome<PassphraseState>> {
    return guard({ profile: id }, async () => {
      const p = this.profileOutcome(id);
      return p.ok ? this.passphrases.state(p.value) : p;
    });
  }

  /**
   * Saves the passphrase in the keyring after checking that it opens the repository; stores it
   * unverified (and says so) when the repository does not exist yet or cannot be reached.
   */
  setPassphrase(id: string, passphrase: string): Promise<Outcome<SavedPassphrase>> {
    return guard({ profile: id }, async () => {
      const p = this.profileOutcome(id);
      if (!p.ok) return p;
      return this.passphrases.save(p.value, passphrase, (candidate) => this.repo.checkPassphrase(p.value, candidate));
    });
  }

  deletePassphrase(id: string): Promise<Outcome<{ deleted: boolean }>> {
    return guard({ profile: id }, async () => {
      const p = this.profileOutcome(id);
      return p.ok ? this.passphrases.delete(p.value) : p;
    });
  }

  // ---- one-off repository commands -------------------------------------------------------------

  /** `borg init` with the profile's encryption mode (and its stored passphrase). */
  init(id: string): Promise<Outcome<{ repository: string; encryption: string }>> {
    return this.withProfile(id, async (p) => {
      if (!p.encryption)
        return failed(diagnosisFor('config-invalid', this.ctx(p), `profile "${p.id}" needs "encryption" to create a new repository`));
      const r = await this.borgCommand(p, initArgs(p.repository, p.encryption));
      if (r.level === 'error') return failed(r.diagnoses[0] ?? diagnosisFor('unknown', this.ctx(p)));
      return ok({ repository: p.repository, encryption: p.encryption });
    });
  }

  /**
   * The profile's archives, newest last, with size and file count where a run of ours recorded them;
   * with `checkpoints`, also the checkpoints interrupted backups left (borg hides them otherwise).
   */
  archives(id: string, opts: { checkpoints?: boolean } = {}): Promise<Outcome<ArchiveSummary[]>> {
    return this.withProfile(id, (p) => this.repo.archives(p, opts));
  }

  /** The archive a name (or 'latest': the newest, not a checkpoint) stands for, from the profile's archives. */
  archive(id: string, name: string): Promise<Outcome<ListedArchive>> {
    return this.withProfile(id, (p) => this.repo.archive(p, name));
  }

  /**
   * The direct children of one folder inside an archive (a name or 'latest'; folder '' = its top),
   * folders first, from the archive's index (src/browse/). The first look at an archive reads it once
   * and hands over the folder's entries while borg lists (`onPartial`, and the `folder-partial` event).
   */
  listFolder(id: string, archive: string, folder: string, opts: FolderOptions = {}): Promise<Outcome<FolderEntry[]>> {
    return this.withProfile(id, (p) =>
      this.repo.listFolder(p, archive, folder, {
        onPartial: (entries) => {
          opts.onPartial?.(entries);
          this.emit('folder-partial', { profile: id, archive, folder, entries });
        },
      }),
    );
  }

  /** Entries of an archive whose name matches `pattern` (`*`/`?` shell-style, else a piece of the name), case-insensitive, capped. */
  find(id: string, archive: string, pattern: string): Promise<Outcome<FindResult>> {
    return this.withProfile(id, (p) => this.repo.find(p, archive, pattern));
  }

  /** Every archive of the profile that holds `archivePath`, newest first, each marked changed or not from the next older one. */
  versions(
    id: string,
    archivePath: string,
    opts: { onProgress?: (done: number, total: number) => void } = {},
  ): Promise<Outcome<FileVersion[]>> {
    return this.withProfile(id, (p) => this.repo.versions(p, archivePath, opts));
  }

  // ---- verification: borg check and the restore drill (src/ops/verify.ts) ------------------------

  /** `borg check` of the repository and its archives (`--verify-data` when asked, else as the profile says); never `--repair`. */
  check(id: string, opts: { verifyData?: boolean; busy?: 'wait' | 'fail' } = {}): Promise<Outcome<OpRecord>> {
    return this.withProfile(id, async (p) =>
      ok(await this.verifier.check(p, { verifyData: opts.verifyData ?? p.check.verifyData, busy: opts.busy ?? this.opts.busy ?? 'fail' })),
    );
  }

  /** The restore drill of the latest archive: a dry-run extract of all of it, then a sample restored and compared. */
  drill(id: string, opts: { busy?: 'wait' | 'fail' } = {}): Promise<Outcome<OpRecord>> {
    return this.withProfile(id, async (p) => ok(await this.verifier.drill(p, { busy: opts.busy ?? this.opts.busy ?? 'fail' })));
  }

  /** The check and drill the last backup of this profile started because they were due, once ended; [] when none. */
  verificationAfterRun(id: string): Promise<OpRecord[]> {
    return this.verifying.get(id) ?? Promise.resolve([]);
  }

  /** After a successful backup: the check, then (if it passed) the drill, each when due (check.everyDays). */
  private verifyAfterBackup(record: RunRecord): void {
    const p = this.profile(record.profile);
    if (!p || !isSuccessful(record) || (record.repository !== undefined && record.repository !== p.repository)) return;
    const job = this.verifier.afterBackup(p).catch((err: unknown) => {
      this.emit('notice', `[${p.id}] verification after the backup could not start: ${(err as Error).message}`);
      return [];
    });
    this.verifying.set(p.id, job);
    void job.then(() => {
      if (this.verifying.get(p.id) === job) this.verifying.delete(p.id);
    });
  }

  /**
   * After a successful backup (and the check and drill it started, which take the repository): the
   * new archive's index for browsing, made in the background (src/browse/browser.ts `prepare`) so no
   * later folder, search or "versions" waits for a pass over it. The backup's answer never waits for
   * it; borg runs at the lowest priority and takes no repository lock, so nothing waits for it either.
   */
  private indexAfterBackup(record: RunRecord): void {
    const wanted = this.opts.indexAfterBackup;
    if (!(typeof wanted === 'function' ? wanted() : wanted)) return;
    const p = this.profile(record.profile);
    const archive = record.archive;
    if (!p || !archive || !isSuccessful(record) || (record.repository !== undefined && record.repository !== p.repository)) return;
    const controller = new AbortController();
    this.indexAborts.add(controller);
    const verified = this.verifying.get(p.id) ?? Promise.resolve([]);
    const job = verified
      .catch(() => [])
      .then(async (): Promise<IndexedAfterRun | null> => {
        if (controller.signal.aborted) return null;
        const t0 = performance.now();
        const cpu0 = process.cpuUsage();
        const r = await this.indexArchive(p.id, archive, { signal: controller.signal });
        const cpu = process.cpuUsage(cpu0);
        const done: IndexedAfterRun = {
          archive,
          made: r.ok && r.value.made,
          wallMs: Math.round(performance.now() - t0),
          cpuMs: Math.round((cpu.user + cpu.system) / 1000),
          diagnosis: r.ok ? null : r.diagnosis,
        };
        if (!r.ok && !controller.signal.aborted)
          this.emit(
            'notice',
            `[${p.id}] ${archive} was not indexed for browsing now (it will be when first opened): ${r.diagnosis.message}`,
          );
        return done;
      })
      .catch((err: unknown) => {
        this.emit('notice', `[${p.id}] indexing ${archive} for browsing failed: ${(err as Error).message}`);
        return null;
      })
      .finally(() => this.indexAborts.delete(controller));
    this.indexing.set(p.id, job);
    void job.then(() => {
      if (this.indexing.get(p.id) === job) this.indexing.delete(p.id);
    });
  }

  /**
   * Makes the browsing index of an archive now unless it exists: borg at the lowest priority and
   * without the repository's lock (a backup, check or prune never waits for it). `made`: a pass ran.
   */
  indexArchive(id: string, archive: string, opts: { signal?: AbortSignal } = {}): Promise<Outcome<{ made: boolean }>> {
    return this.withProfile(id, (p) => this.repo.indexArchive(p, archive, opts.signal));
  }

  /** The indexing the last backup of this profile started, once ended; null when none. */
  indexedAfterRun(id: string): Promise<IndexedAfterRun | null> {
    return this.indexing.get(id) ?? Promise.resolve(null);
  }

  /**
   * Restores files of an archive ('latest': the newest complete one): into a new folder `Restored from
   * <archive>` in `target`, or in place (Keep Both for files that differ). Recorded in operations/.
   */
  restore(id: string, req: RestoreRequest): Promise<Outcome<RestoreResult>> {
    return this.withProfile(id, (p) => this.ops.restore(p, req));
  }

  /** Cancels the restore, check or drill of this profile running in this process; false when none. */
  cancelOperation(id: string): boolean {
    return this.ops.cancel(id) || this.verifier.cancel(id);
  }

  /** The live figures of the profile's restore, check or drill in this process, or null. */
  operationProgress(id: string): OpProgress | null {
    return this.ops.progress(id) ?? this.verifier.progress(id);
  }

  /** The repository's encryption: named in the profile, or found out from the repository (and remembered). */
  encryption(id: string): Promise<Outcome<EncryptionInfo>> {
    return this.withProfile(id, (p) => this.repo.encryption(p));
  }

  /** `borg info` of the repository (doctor). */
  info(id: string): Promise<Outcome<BorgRunResult>> {
    return this.withProfile(id, async (p) => ok(await this.borgCommand(p, infoArgs(p.repository), { captureStdout: true })));
  }

  breakLock(id: string): Promise<Outcome<BorgRunResult>> {
    return this.withProfile(id, async (p) => ok(await this.borgCommand(p, breakLockArgs(p.repository))));
  }

  // ---- the key, kept somewhere other than this computer ----------------------------------------

  /** When the repository's key was last exported (by this config dir), or null. */
  async keyExportedAt(repository: string): Promise<string | null> {
    return (await this.keyExportLog.all())[repository]?.exportedAt ?? null;
  }

  /**
   * A keyfile-mode repository whose key was never exported: lose this computer and the backups are
   * lost with it. The mode is the profile's, or the one found out earlier; borg is not asked here.
   */
  async keyOnlyHere(id: string): Promise<boolean> {
    const p = this.profile(id);
    if (!p) return false;
    const mode = p.encryption ?? (await new RepositoryFacts(this.paths.repositories).get(p.repository))?.encryption ?? null;
    return isKeyfileMode(mode) && (await this.keyExportedAt(p.repository)) === null;
  }

  /**
   * `borg key export`: the key (still locked by the passphrase), or its paper form, written to `to`
   * (mode 0600, never over an existing file) or returned as text. Each export is remembered, so
   * status and doctor stop warning about a keyfile key that exists only on this computer.
   */
  exportKey(id: string, opts: { paper?: boolean; to?: string | null } = {}): Promise<Outcome<ExportedKey>> {
    return this.withProfile(id, async (p): Promise<Outcome<ExportedKey>> => {
      const file = opts.to ? path.resolve(opts.to) : null;
      const exists = (f: string) =>
        failed({
          kind: 'unknown',
          message: `${f} already exists; the key was not written over it.`,
          fix: 'Choose a new file name, or move the existing file away first.',
        });
      if (p.encryption === 'none')
        return failed({
          kind: 'unknown',
          message: `${p.repository} is not encrypted: it has no key to export.`,
          fix: 'Nothing to keep elsewhere but the backups themselves.',
        });
      if (file && existsSync(file)) return exists(file);
      const r = await this.borgCommand(p, keyExportArgs(p.repository, { paper: opts.paper }), { captureStdout: true });
      if (r.level === 'error') return failed(r.diagnoses[0] ?? diagnosisFor('unknown', this.ctx(p)));
      if (!r.stdout.trim()) return failed({ kind: 'unknown', message: `borg printed no key for ${p.repository}.`, fix: '' });
      if (file) {
        try {
          await fs.writeFile(file, r.stdout, { flag: 'wx', mode: 0o600 });
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'EEXIST') return exists(file);
          return failed({
            kind: 'unknown',
            message: `The key could not be written to ${file}: ${(err as Error).message}`,
            fix: 'Choose a folder you can write to (a USB stick, a password manager attachment folder).',
          });
        }
      }
      await this.keyExportLog.record(p.repository);
      this.inputs.keysChanged();
      this.changed();
      return ok(file ? { file, text: null } : { file: null, text: r.stdout });
    });
  }

  /** The last lines of the profile's latest run log, read from the end. */
  logTail(id: string, lines: number): Promise<Outcome<{ file: string | null; lines: string[] }>> {
    return this.withProfile(id, async (): Promise<Outcome<{ file: string | null; lines: string[] }>> => {
      const file = await latestLog(this.paths.logs, id);
      if (!file) return ok({ file: null, lines: [] });
      return ok({ file, lines: await tailFile(file, lines) });
    });
  }

  private withProfile<T>(id: string, fn: (p: Profile) => Promise<Outcome<T>>): Promise<Outcome<T>> {
    const p = this.profileOutcome(id);
    if (!p.ok) return Promise.resolve(p);
    return guard({ profile: id, repository: p.value.repository }, () => fn(p.value));
  }
}

const STEPS: ReadonlySet<string> = new Set(['waiting', 'starting', 'create', 'prune', 'compact']);

/** The figures another process wrote into its repository lock, if they have the shape of live progress. */
function sharedProgress(x: unknown): LiveProgress | null {
  if (!x || typeof x !== 'object') return null;
  const o = x as Record<string, unknown>;
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  if (typeof o.step !== 'string' || !STEPS.has(o.step)) return null;
  return {
    trigger: (typeof o.trigger === 'string' ? o.trigger : 'manual') as LiveProgress['trigger'],
    startedAt: typeof o.startedAt === 'string' ? o.startedAt : '',
    step: o.step as LiveProgress['step'],
    nfiles: num(o.nfiles),
    originalSize: num(o.originalSize),
    deduplicatedSize: num(o.deduplicatedSize),
    path: typeof o.path === 'string' ? o.path : '',
    percent: typeof o.percent === 'number' && Number.isFinite(o.percent) ? o.percent : null,
  };
}
