import schedule from 'node-schedule';
import type { Engine } from '../engine.js';
import type { Profile } from '../profiles/schema.js';
import type { Trigger } from '../records.js';
import { tryLock, type LockOwner } from '../jobs/pid-lock.js';
import { isRemote } from '../borg/argv.js';
import { normalizeCron } from '../schedule/cron.js';
import { decideMount, decideTimed, retryDelayMs, type Decision } from './decide.js';
import type { RunRecord } from '../records.js';
import { VolumeWatcher, waitUntilReadable, volumePresent } from './volume-watcher.js';
import { activePause, clearPause, readPause } from '../engine/pause.js';

/** A pause's end is looked at least this often, so a clock jump or a sleep past it is noticed within a minute. */
export const PAUSE_CHECK_MAX_MS = 60_000;

export interface TriggerOptions {
  log: (line: string) => void;
  /** How long a freshly mounted disk may take to show a readable repository. */
  readyTimeoutMs?: number;
  /** Linux: also follow the mount table (mounts onto existing folders make no directory event). */
  mountTable?: boolean;
  now?: () => Date;
}

export type OwnershipResult = { ok: true; release: () => Promise<void> } | { ok: false; owner: LockOwner; file: string };

/** Only one process (the tray app or `dandelion daemon`) owns the triggers of a config dir. */
export async function acquireTriggers(engine: Engine, what: string): Promise<OwnershipResult> {
  const file = engine.paths.triggersLock;
  const r = await tryLock(file, what);
  return r.ok ? r : { ok: false, owner: r.owner, file };
}

/**
 * Schedules, catch-up, the backup-disk trigger and power input, all feeding one decision function
 * per profile. The engine coalesces repeated triggers and queues runs per repository.
 */
export class TriggerController {
  private readonly jobs = new Map<string, schedule.Job>();
  private watcher: VolumeWatcher | null = null;
  private watchedRoot: string | null = null;
  private watchedNames = '';
  private readonly probes = new Map<string, AbortController>();
  private readonly retries = new Map<string, NodeJS.Timeout>();
  private onBattery = false;
  private stopped = false;
  private readonly onFinished = (r: RunRecord) => void this.scheduleRetry(r);
  private pauseTimer: NodeJS.Timeout | undefined;
  /** The pause this controller last saw in force (its `since`), or null. */
  private pausedSince: string | null = null;
  private pauseCheck: Promise<void> = Promise.resolve();
  private readonly onPauseChanged = () => void this.checkPause();

  constructor(
    private readonly engine: Engine,
    private readonly opts: TriggerOptions,
  ) {}

  private async scheduleRetry(record: RunRecord): Promise<void> {
    clearTimeout(this.retries.get(record.profile));
    this.retries.delete(record.profile);
    if (this.stopped) return;
    // A backup that worked ends any wait for power: nothing is due any more.
    if (record.result === 'success' || record.result === 'warning') this.engine.setHeldForPower(record.profile, false);
    if (record.result !== 'error') {
      if (record.result !== 'skipped') this.engine.setRetry(record.profile, null);
      return;
    }
    const inARow = await this.engine.failuresInARow(record.profile);
    const delay = retryDelayMs(record, inARow);
    if (delay === null) {
      this.engine.setRetry(record.profile, null);
      return;
    }
    this.log(record.profile, `will retry in ${Math.round(delay / 60_000)} min (failure ${inARow} in a row)`);
    const timer = setTimeout(() => {
      this.retries.delete(record.profile);
      this.engine.setRetry(record.profile, null);
      void this.evaluate(record.profile, 'retry');
    }, delay);
    timer.unref();
    this.retries.set(record.profile, timer);
    this.engine.setRetry(record.profile, {
      at: new Date(Date.now() + delay).toISOString(),
      reason: record.message ?? record.diagnoses[0]?.message ?? 'the last automatic backup failed',
      failures: inARow,
    });
  }

  private now(): Date {
    return this.opts.now?.() ?? new Date();
  }

  private log(profile: string | null, text: string): void {
    this.opts.log(profile ? `[${profile}] ${text}` : text);
  }

  async start(): Promise<void> {
    this.stopped = false;
    this.engine.on('run-finished', this.onFinished);
    this.engine.on('pause-changed', this.onPauseChanged);
    await this.checkPause();
    // Find borg now, not on the first trigger: a disk-triggered run then starts within milliseconds.
    await this.engine.borg().catch((err: Error) => this.log(null, `borg: ${err.message}`));
    await this.refresh();
    await this.evaluateAll('catch-up');
  }

  /** After a config change: new slots, new disk names. Profiles that vanished lose their triggers. */
  async refresh(): Promise<void> {
    for (const job of this.jobs.values()) job.cancel();
    this.jobs.clear();
    for (const p of this.engine.config.profiles) {
      // The normalised form: node-schedule fires exactly the slots schedule/due.ts computes.
      const rule = p.schedule ? normalizeCron(p.schedule) : null;
      if (!rule) continue;
      const job = schedule.scheduleJob(rule, () => void this.evaluate(p.id, 'schedule'));
      if (job) this.jobs.set(p.id, job);
    }
    const known = new Set(this.engine.config.profiles.map((p) => p.id));
    for (const id of [...this.probes.keys()]) if (!known.has(id)) this.probes.get(id)?.abort();

    const root = this.engine.volumesRoot();
    const names = [...new Set(this.engine.config.profiles.flatMap((p) => (p.volume ? [p.volume] : [])))].sort();
    if (root !== this.watchedRoot || names.join('\0') !== this.watchedNames) {
      await this.watcher?.close();
      this.watcher = null;
      this.watchedRoot = root;
      this.watchedNames = names.join('\0');
      if (names.length) {
        const w = new VolumeWatcher(root, names, {
          mountTable: this.opts.mountTable,
          onError: (e) => this.log(null, `volume watcher: ${(e as Error).message}`),
        });
        w.on('appeared', (name) => void this.volumeAppeared(name));
        w.on('vanished', (name) => this.volumeVanished(name));
        this.watcher = w;
        await w.start();
        this.log(null, `watching ${root} for ${names.join(', ')}`);
      }
    }
    for (const p of this.engine.config.profiles) {
      const next = this.jobs.get(p.id)?.nextInvocation();
      if (next) this.log(p.id, `next scheduled run ${next.toISOString()}`);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.engine.off('run-finished', this.onFinished);
    this.engine.off('pause-changed', this.onPauseChanged);
    clearTimeout(this.pauseTimer);
    for (const [id, t] of this.retries) {
      clearTimeout(t);
      this.engine.setRetry(id, null);
    }
    for (const p of this.engine.config.profiles) this.engine.setHeldForPower(p.id, false);
    this.retries.clear();
    for (const job of this.jobs.values()) job.cancel();
    this.jobs.clear();
    for (const c of this.probes.values()) c.abort();
    await this.watcher?.close();
    this.watcher = null;
    this.watchedRoot = null;
    this.watchedNames = '';
    // What stopping cleared (retries, power holds) reaches the shared file before the caller goes on.
    await this.engine.published();
  }

  /** Woken from sleep (powerMonitor 'resume', or a wall-clock jump): missed slots run once now. */
  async resume(): Promise<void> {
    this.log(null, 'resumed from sleep: checking for missed backups');
    await this.checkPause();
    return this.evaluateAll('resume');
  }

  /**
   * Follows the pause (locks/pause.json, whoever wrote it): while one holds, a timer looks again at
   * its end (at least once a minute, so a sleep or a clock jump past it is noticed); when it ends,
   * by itself or by a resume, what came due meanwhile runs once, as a catch-up. An ended pause's file
   * is removed so every process stops showing it.
   */
  checkPause(): Promise<void> {
    this.pauseCheck = this.pauseCheck.then(
      () => this.followPause(),
      () => this.followPause(),
    );
    return this.pauseCheck;
  }

  private async followPause(): Promise<void> {
    clearTimeout(this.pauseTimer);
    if (this.stopped) return;
    const now = this.now();
    const raw = await readPause(this.engine.paths);
    const active = activePause(raw, now);
    const was = this.pausedSince;
    this.pausedSince = active?.since ?? null;
    if (raw && !active) await clearPause(this.engine.paths, raw.since).catch(() => {});
    if (active) {
      if (was !== active.since) this.log(null, `automatic backups paused ${active.until ? `until ${active.until}` : 'until resumed'}`);
      // A disk that appears now starts nothing: no profile says it waits for one (the end of the pause looks again).
      for (const p of this.engine.config.profiles) this.engine.setWaitingForVolume(p.id, false);
      if (active.until) {
        const wait = Math.min(Math.max(0, Date.parse(active.until) - now.getTime()), PAUSE_CHECK_MAX_MS);
        this.pauseTimer = setTimeout(() => void this.checkPause(), wait + 10);
        this.pauseTimer.unref?.();
      }
    } else if (was !== null) {
      this.log(null, 'pause ended: catching up on what came due, once');
      await this.evaluateAll('catch-up');
    }
  }

  suspend(): void {
    this.log(null, 'going to sleep');
  }

  setOnBattery(onBattery: boolean): void {
    const pluggedIn = this.onBattery && !onBattery;
    this.onBattery = onBattery;
    if (pluggedIn) void this.evaluateAll('catch-up');
  }

  async evaluateAll(trigger: Trigger): Promise<void> {
    const decided = await Promise.all(this.engine.config.profiles.map((p) => this.decide(p.id)));
    // Acted on in config.json's order: profiles that share a repository then run in the order it lists them.
    for (const d of decided) if (d && !this.stopped) await this.act(d.profile, trigger, d.decision);
  }

  private profile(id: string): Profile | null {
    return this.engine.config.profiles.find((p) => p.id === id) ?? null;
  }

  private async present(p: Profile): Promise<boolean> {
    const volume = this.engine.volumePath(p);
    if (!volume) return true;
    return this.watcher?.isPresent(p.volume!) ?? (await volumePresent(volume));
  }

  /** A slot, catch-up at start, or resume. */
  async evaluate(id: string, trigger: Trigger): Promise<void> {
    const d = await this.decide(id);
    if (d && !this.stopped) await this.act(d.profile, trigger, d.decision);
  }

  private async decide(id: string): Promise<{ profile: Profile; decision: Decision } | null> {
    const p = this.profile(id);
    if (!p || this.stopped) return null;
    const now = this.now();
    const decision = decideTimed(p, {
      now,
      lastSuccessStartedAt: await this.engine.lastSuccessStartedAt(id),
      running: this.engine.isRunning(id),
      volumePresent: await this.present(p),
      onBattery: this.onBattery,
      owed: this.engine.isWaitingForVolume(id),
      paused: (await this.engine.pauseState(now)) !== null,
      lastSkippedByUserAt: await this.engine.lastSkippedByUserAt(id),
    });
    // Said wherever overdue is shown ("waiting for power"), until a slot finds it plugged in.
    this.engine.setHeldForPower(id, decision.action === 'skip' && decision.heldForPower === true);
    return { profile: p, decision };
  }

  private async volumeAppeared(name: string): Promise<void> {
    // Each profile on the disk waits for its own repository: one that never shows up holds up no other.
    await Promise.all(this.engine.config.profiles.filter((x) => x.volume === name).map((p) => this.diskReady(p, name)));
  }

  private async diskReady(p: Profile, name: string): Promise<void> {
    this.probes.get(p.id)?.abort();
    const probe = new AbortController();
    this.probes.set(p.id, probe);
    const target = isRemote(p.repository) ? this.engine.volumePath(p)! : p.repository;
    this.log(p.id, `disk "${name}" appeared; waiting until ${target} is readable`);
    const t0 = Date.now();
    const readable =
      isRemote(p.repository) || (await waitUntilReadable(target, { timeoutMs: this.opts.readyTimeoutMs ?? 60_000, signal: probe.signal }));
    if (probe.signal.aborted) return;
    this.probes.delete(p.id);
    if (!readable)
      this.log(p.id, `repository still not readable after ${Math.round((Date.now() - t0) / 1000)} s; trying anyway so borg can say why`);
    else this.log(p.id, `repository readable after ${Date.now() - t0} ms`);
    const now = this.now();
    const decision = decideMount(p, {
      now,
      lastSuccessStartedAt: await this.engine.lastSuccessStartedAt(p.id),
      running: this.engine.isRunning(p.id),
      volumePresent: true,
      onBattery: this.onBattery,
      owed: this.engine.isWaitingForVolume(p.id),
      paused: (await this.engine.pauseState(now)) !== null,
      lastSkippedByUserAt: await this.engine.lastSkippedByUserAt(p.id),
    });
    await this.act(p, 'volume', decision);
  }

  private volumeVanished(name: string): void {
    for (const p of this.engine.config.profiles.filter((x) => x.volume === name)) {
      this.probes.get(p.id)?.abort();
      this.probes.delete(p.id);
      this.log(p.id, `disk "${name}" went away${this.engine.isRunning(p.id) ? ' during a backup' : ''}`);
    }
  }

  private async act(p: Profile, trigger: Trigger, d: Decision): Promise<void> {
    switch (d.action) {
      case 'none':
        if (d.reason === 'already running') this.log(p.id, `${trigger}: already running, trigger absorbed`);
        if (d.reason === 'paused') this.log(p.id, `${trigger}: automatic backups are paused, not starting`);
        return;
      case 'skip':
        if (d.record) await this.engine.recordSkipped(p.id, trigger, `Skipped: ${d.reason}`);
        this.log(p.id, `${trigger}: skipped: ${d.reason}`);
        return;
      case 'wait-for-volume':
        if (!this.engine.isWaitingForVolume(p.id)) this.log(p.id, `${trigger}: due, waiting for disk "${p.volume}"`);
        this.engine.setWaitingForVolume(p.id, true);
        return;
      case 'run': {
        this.engine.setWaitingForVolume(p.id, false);
        this.log(p.id, `${trigger}: starting backup`);
        // Not awaited: a trigger starts a run, it does not wait for it (the engine reports the end).
        void this.engine.run(p.id, { trigger, busy: 'wait' });
      }
    }
  }
}
