/**
 * The wiring every long-lived face needs, in one place: open the engine, own the schedules and disk
 * triggers or follow the process that does (and take them over when it goes away), reload
 * config.json when it is edited, and notice runs of other processes through history/ and locks/.
 * `dandelion daemon` and the menu-bar app are thin callers of this.
 */
import { watch, type FSWatcher } from 'chokidar';
import { closeWatcher } from './triggers/close-watcher.js';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Engine, type EngineOptions } from './engine.js';
import { acquireTriggers, TriggerController } from './triggers/controller.js';
import { watchClockJumps } from './triggers/clock-jump.js';
import type { LockOwner } from './jobs/pid-lock.js';
import type { LoadResult } from './profiles/store.js';

export interface SupervisorOptions extends EngineOptions {
  /** How this process names itself to others ("dandelion daemon (…)", "Dandelion.app"). */
  what: string;
  log: (line: string) => void;
  /** How often a follower checks whether the owner of the schedules is still there. */
  takeoverPollMs?: number;
  /** Linux daemon: nobody reports sleep, a jump of the wall clock does. */
  clockJumps?: boolean;
  /** Passed to the trigger controller. */
  mountTable?: boolean;
  readyTimeoutMs?: number;
  onBattery?: boolean;
  /** How often the owner of the schedules looks for overdue profiles to tell their monitor (60 s). */
  overduePollMs?: number;
}

export type Role = 'owner' | 'follower';

const WATCH_DEBOUNCE_MS = 100;

export class Supervisor {
  private triggers: TriggerController | null = null;
  private release: (() => Promise<void>) | null = null;
  private watchers: FSWatcher[] = [];
  private reloadTimer: NodeJS.Timeout | undefined;
  private takeoverTimer: NodeJS.Timeout | undefined;
  /** While this process owns the schedules: overdue profiles ping their monitor (once per spell). */
  private overdueTimer: NodeJS.Timeout | undefined;
  private stopClock: (() => void) | null = null;
  private onBattery: boolean;
  private stopped = false;
  private claiming: Promise<boolean> | null = null;
  private lastOwner: LockOwner | null = null;

  private constructor(
    readonly engine: Engine,
    readonly load: LoadResult,
    private readonly opts: SupervisorOptions,
  ) {
    this.onBattery = opts.onBattery ?? false;
  }

  /**
   * Opens the engine without starting anything, so a caller can subscribe first. An invalid
   * config.json is reported in `load` (and in every snapshot); it is never replaced.
   */
  static async open(opts: SupervisorOptions): Promise<Supervisor> {
    // A long-lived process indexes each new archive for browsing after its backup (a CLI run does not).
    // Not on battery: the index is a whole pass over the archive, and the first look at it makes it anyway.
    let supervisor: Supervisor | null = null;
    const { engine, load } = await Engine.open({
      busy: 'wait',
      indexAfterBackup: () => !(supervisor?.onBattery ?? opts.onBattery ?? false),
      ...opts,
    });
    supervisor = new Supervisor(engine, load, opts);
    return supervisor;
  }

  get role(): Role {
    return this.triggers ? 'owner' : 'follower';
  }

  /** Who owns the schedules when this process does not. */
  get owner(): LockOwner | null {
    return this.triggers ? null : this.lastOwner;
  }

  private log(line: string): void {
    this.opts.log(line);
  }

  /** Watches the files and owns or follows the schedules. */
  async start(): Promise<void> {
    const { engine } = this;
    await engine.recoverInterruptedRuns();
    engine.on('config-changed', (config) => {
      this.log(`config reloaded: ${config.profiles.length} profile(s)`);
      void this.triggers?.refresh().then(() => this.triggers?.evaluateAll('catch-up'));
    });
    await this.watchFiles();
    if (!(await this.claim())) {
      const o = this.lastOwner;
      this.log(
        `backups are scheduled by pid ${o?.pid ?? '?'} (${o?.what ?? 'another process'}); following it, and taking over if it stops`,
      );
    }
    this.scheduleTakeoverCheck();
    if (this.opts.clockJumps) {
      // On Linux nobody tells a daemon about sleep; a jump in wall-clock time does.
      this.stopClock = watchClockJumps((gap) => {
        if (gap > 0) void this.resume();
      });
    }
  }

  /** Becomes the owner of the schedules if nobody else is. Resolves true when this process owns them. */
  private claim(): Promise<boolean> {
    if (this.triggers) return Promise.resolve(true);
    this.claiming ??= (async () => {
      try {
        if (this.stopped) return false;
        const r = await acquireTriggers(this.engine, this.opts.what);
        if (!r.ok) {
          this.lastOwner = r.owner;
          return false;
        }
        const previous = this.lastOwner;
        this.release = r.release;
        this.engine.ownsTriggers = true;
        const t = new TriggerController(this.engine, {
          log: this.opts.log,
          mountTable: this.opts.mountTable,
          readyTimeoutMs: this.opts.readyTimeoutMs,
        });
        this.triggers = t;
        t.setOnBattery(this.onBattery);
        if (previous) this.log(`took over the schedules: pid ${previous.pid} (${previous.what}) is gone`);
        this.lastOwner = null;
        try {
          await t.start();
        } catch (err) {
          // A start that failed hands the schedules back: another process may own them.
          await t.stop();
          this.triggers = null;
          this.engine.ownsTriggers = false;
          await r.release();
          this.release = null;
          throw err;
        }
        this.engine.changed();
        this.watchOverdue();
        return true;
      } finally {
        this.claiming = null;
      }
    })();
    return this.claiming;
  }

  /**
   * The owner of the schedules judges overdue for the monitors (status's own `overdue`, the one the
   * notifications use): at once, then every minute. One process only, so a spell pings once.
   */
  private watchOverdue(): void {
    const tick = () => {
      if (this.stopped || !this.triggers) return;
      void this.engine
        .checkOverdue()
        .then((ids) => {
          for (const id of ids) this.log(`[${id}] overdue: monitoring told (failure ping)`);
        })
        .catch(() => {})
        .finally(() => {
          if (this.stopped || !this.triggers) return;
          this.overdueTimer = setTimeout(tick, this.opts.overduePollMs ?? 60_000);
          this.overdueTimer.unref?.();
        });
    };
    tick();
  }

  /** A follower looks for an absent owner now and then, and at once when locks/ changes. */
  private scheduleTakeoverCheck(): void {
    if (this.stopped || this.triggers) return;
    clearTimeout(this.takeoverTimer);
    this.takeoverTimer = setTimeout(() => {
      void this.claim().then((owned) => {
        if (!owned) this.scheduleTakeoverCheck();
      });
    }, this.opts.takeoverPollMs ?? 2000);
    this.takeoverTimer.unref?.();
  }

  private async watchFiles(): Promise<void> {
    const { paths } = this.engine;
    await Promise.all(
      [paths.history, paths.operations, paths.locks, paths.cache, path.dirname(paths.monitorState)].map((dir) =>
        fs.mkdir(dir, { recursive: true, mode: 0o700 }),
      ),
    );
    // chokidar follows editors that save by rename; armed before the first run so no edit slips through.
    const config = watch(paths.config, { ignoreInitial: true, awaitWriteFinish: { stabilityThreshold: 150, pollInterval: 50 } });
    config.on('all', () => {
      clearTimeout(this.reloadTimer);
      this.reloadTimer = setTimeout(() => void this.reloadFromDisk(), WATCH_DEBOUNCE_MS);
    });
    // Runs and waits of other processes: a new history line, a repository lock taken or released, a key exported.
    const keyExports = path.join(paths.cache, 'key-exports.json');
    const state = watch([paths.history, paths.operations, paths.locks, paths.cache, path.dirname(paths.monitorState)], {
      ignoreInitial: true,
      depth: 0,
    });
    state.on('all', (_event, file) => {
      const dir = path.dirname(file);
      if (dir === paths.history) {
        if (file.endsWith('.jsonl')) this.engine.filesChanged('history', path.basename(file, '.jsonl'));
      } else if (dir === paths.operations) {
        // A check or restore drill ended (here or in another process): "Verified …" changes.
        if (file.endsWith('.jsonl')) this.engine.filesChanged('operations', path.basename(file, '.jsonl'));
      } else if (dir === paths.locks) {
        this.engine.filesChanged(file === paths.pause ? 'pause' : 'locks');
        if (!this.triggers && file === paths.triggersLock) void this.claim().then((owned) => owned || this.scheduleTakeoverCheck());
      } else if (file === keyExports) this.engine.filesChanged('keys');
      // A ping's result, here or in another process (a `dandelion run`): status shows the last one.
      else if (file === paths.monitorState) this.engine.filesChanged('monitor');
    });
    this.watchers = [config, state];
    await Promise.all(this.watchers.map((w) => new Promise<void>((resolve) => w.once('ready', () => resolve()))));
    // From here on every change reaches the engine, so it may keep what it read in memory.
    this.engine.watchingFiles = true;
  }

  private async reloadFromDisk(): Promise<void> {
    if (this.stopped) return;
    const r = await this.engine.reload();
    if (!r.ok) {
      this.log(`config change not applied, ${r.file} is not valid (the previous config stays in force):`);
      for (const e of r.errors) this.log(`  ${e.path}: ${e.message}`);
    }
  }

  // ---- power input (powerMonitor in the app, clock jumps in the daemon) ----------------------------

  /** Woken from sleep: missed slots run once now. */
  resume(): Promise<void> {
    return this.triggers?.resume() ?? Promise.resolve();
  }

  suspend(): void {
    this.triggers?.suspend();
  }

  setOnBattery(onBattery: boolean): void {
    this.onBattery = onBattery;
    this.triggers?.setOnBattery(onBattery);
  }

  /** The trigger controller while this process owns the schedules (tests, diagnostics). */
  get controller(): TriggerController | null {
    return this.triggers;
  }

  /** Stops watching and triggering, cancels this process's runs (borg checkpoints) and hands the schedules back. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.reloadTimer);
    clearTimeout(this.takeoverTimer);
    clearTimeout(this.overdueTimer);
    this.stopClock?.();
    await this.claiming;
    this.engine.watchingFiles = false;
    await Promise.all(this.watchers.map((w) => closeWatcher(w)));
    await this.triggers?.stop();
    await this.engine.cancelAll();
    this.engine.ownsTriggers = false;
    this.triggers = null;
    await this.release?.();
    this.release = null;
  }
}
