/**
 * Someone hears about it when backups stop: the pings of one engine. A run's `/start` goes out when
 * it starts, its finish signal once its record is written; neither is awaited by the run, so a
 * monitoring service that hangs or is down never delays or fails a backup. A ping that fails is a
 * line in the run log and in the daemon's log (host only) and a note in status. The processes that
 * exit (`dandelion run`, the daemon) wait for `settled()`, bounded.
 */
import fs from 'node:fs/promises';
import type { Profile } from '../profiles/schema.js';
import { profileLabel } from '../profiles/schema.js';
import type { RunRecord } from '../records.js';
import { tailFile } from '../jobs/run-log.js';
import { monitorHost, ntfyRequest, pingRequest, type PingKind, type PingRequest } from './requests.js';
import { BODY_MAX_BYTES, overdueWords, runBody, runSentence, runTitle, signalFor } from './report.js';
import { SEND_DEFAULTS, sendPing, type SendOptions, type SendResult } from './send.js';
import { readMonitorState, writeMonitorState, type MonitorState, type MonitorStatus } from './state.js';

export type { MonitorStatus } from './state.js';
export type { SendOptions } from './send.js';

/** How many lines of the run log are read for a failure's body (then cut to 10 KB). */
const LOG_LINES = 400;

export interface MonitorDeps {
  /** state/monitor.json */
  file: string;
  send?: Partial<SendOptions>;
  /** A line for the daemon's log (never a URL). */
  note(line: string): void;
  /** Status changed (a ping's result is in state/monitor.json). */
  changed(): void;
}

/** What "Send Test Ping" answers: per URL the host and how it answered (never the URL). */
export interface TestPingResult {
  what: 'ping' | 'ntfy';
  host: string;
  ok: boolean;
  how: string;
}

export class Monitor {
  private readonly pending = new Set<Promise<unknown>>();
  /** The `/start` ping of the run going on, per profile: its finish signal goes after it. */
  private readonly starts = new Map<string, Promise<SendResult | null>>();
  private readonly leaving = new AbortController();
  private writes: Promise<unknown> = Promise.resolve();
  /** What this process last read or wrote (the snapshot shows it without reading the file). */
  private cache: MonitorState | null = null;

  constructor(private readonly deps: MonitorDeps) {}

  private get sendOpts(): SendOptions {
    return { ...SEND_DEFAULTS, ...this.deps.send, signal: this.leaving.signal };
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p)).catch(() => {});
    return p;
  }

  /** A run of this profile began (its repository lock is held): `/start`. */
  runStarted(p: Profile): void {
    if (!p.monitor?.pingUrl && !p.monitor?.ntfyUrl) return;
    const url = p.monitor.pingUrl;
    const req = url ? pingRequest(url, 'start', '', `${profileLabel(p)}: backup started`) : null;
    // Marked even without a ping URL: the finish (ntfy's message on failure) follows only runs that started.
    const start = this.track(req ? this.send(p.id, req) : Promise.resolve(null));
    this.starts.set(p.id, start);
  }

  /**
   * A run's record is written: its finish signal (success, or fail with the end of the log), and
   * ntfy's message on failure. Not awaited by the run; resolves when every attempt is over.
   */
  runFinished(p: Profile, r: RunRecord): Promise<void> {
    const start = this.starts.get(p.id);
    // A run that never started here (refused as busy, before the lock) sends nothing.
    if (!start) return Promise.resolve();
    this.starts.delete(p.id);
    return this.track(this.finish(p, r, start));
  }

  private async finish(p: Profile, r: RunRecord, start: Promise<SendResult | null>): Promise<void> {
    const lines: string[] = [];
    const started = await start;
    if (started && !started.ok) lines.push(failLine('start', started));
    const signal = signalFor(r);
    const name = profileLabel(p);
    if (signal && p.monitor?.pingUrl) {
      const logLines = r.log && signal === 'fail' ? await tailFile(r.log, LOG_LINES).catch(() => []) : [];
      const warningTail = r.log && r.result === 'warning' ? await tailFile(r.log, 40).catch(() => []) : [];
      const body = runBody(name, r, signal === 'fail' ? logLines : warningTail, BODY_MAX_BYTES);
      const req = pingRequest(p.monitor.pingUrl, signal, body, `${runTitle(name, r)}. ${runSentence(r)}`);
      if (req) {
        const res = await this.send(p.id, req);
        lines.push(res.ok ? `monitoring: ${signal} signal sent to ${res.host} (${res.how})` : failLine(signal, res));
      }
    }
    if (signal === 'fail' && p.monitor?.ntfyUrl) {
      const res = await this.send(p.id, ntfyRequest(p.monitor.ntfyUrl, runTitle(name, r), runSentence(r)));
      lines.push(res.ok ? `monitoring: ntfy message sent to ${res.host} (${res.how})` : failLine('ntfy', res));
    }
    if (!lines.length) return;
    // After the record: the run's log file is complete, these lines follow its "run finished".
    if (r.log) await fs.appendFile(r.log, lines.map((l) => `${new Date().toISOString()} ${l}\n`).join('')).catch(() => {});
    for (const l of lines) if (l.includes('failed')) this.deps.note(`[${p.id}] ${l}`);
  }

  /**
   * Called by the owner of the schedules with each profile's overdue flag: the first time a profile
   * is overdue after a given last success, a failure signal (and ntfy's message) goes out, once;
   * remembered in state/monitor.json across restarts. A profile no longer overdue ends the spell.
   */
  async overdue(p: Profile, overdue: boolean, lastSuccessAt: string | null): Promise<boolean> {
    const spell = lastSuccessAt ?? 'never';
    const state = await readMonitorState(this.deps.file);
    const mine = state.profiles[p.id];
    if (!overdue || (!p.monitor?.pingUrl && !p.monitor?.ntfyUrl)) {
      if (mine?.overduePinged !== undefined) await this.update((s) => delete s.profiles[p.id]?.overduePinged);
      return false;
    }
    if (mine?.overduePinged === spell) return false;
    await this.update((s) => {
      (s.profiles[p.id] ??= {}).overduePinged = spell;
    });
    const { title, sentence } = overdueWords(profileLabel(p), lastSuccessAt);
    const job = async () => {
      const lines: string[] = [];
      if (p.monitor?.pingUrl) {
        const req = pingRequest(p.monitor.pingUrl, 'fail', `${title}.\n${sentence}\n`, sentence);
        if (req) {
          const res = await this.send(p.id, req);
          if (!res.ok) lines.push(failLine('overdue fail', res));
        }
      }
      if (p.monitor?.ntfyUrl) {
        const res = await this.send(p.id, ntfyRequest(p.monitor.ntfyUrl, title, sentence));
        if (!res.ok) lines.push(failLine('ntfy', res));
      }
      for (const l of lines) this.deps.note(`[${p.id}] ${l}`);
    };
    await this.track(job());
    return true;
  }

  /**
   * "Send Test Ping": a Healthchecks URL gets `/log` (stored with the check, its state unchanged:
   * a test must not say a backup worked), an Uptime Kuma push URL an "up" with a test message (Kuma
   * has nothing neutral), an ntfy topic a message at default priority. One attempt each.
   */
  async test(name: string, urls: { pingUrl?: string | null; ntfyUrl?: string | null }): Promise<TestPingResult[]> {
    const opts = { ...this.sendOpts, retries: 0 };
    const out: TestPingResult[] = [];
    const sentence = `Test from Dandelion for ${name}: failures of this backup will be told here.`;
    if (urls.pingUrl) {
      const req = pingRequest(urls.pingUrl, 'log', `${sentence}\n`, sentence) ?? pingRequest(urls.pingUrl, 'success', '', sentence);
      const r = await sendPing(req!, opts);
      out.push({ what: 'ping', host: r.host, ok: r.ok, how: r.how });
    }
    if (urls.ntfyUrl) {
      const r = await sendPing(ntfyRequest(urls.ntfyUrl, `${name}: test`, sentence, 'default'), opts);
      out.push({ what: 'ntfy', host: r.host, ok: r.ok, how: r.how });
    }
    return out;
  }

  private async send(profile: string, req: PingRequest): Promise<SendResult> {
    const res = await sendPing(req, this.sendOpts);
    await this.update((s) => {
      (s.profiles[profile] ??= {}).last = { lastPing: new Date().toISOString(), ok: res.ok, host: res.host };
    }).catch(() => {});
    this.deps.changed();
    return res;
  }

  /** Read, change, write: one at a time here; the file read fresh so another process's entries stay. */
  private update(change: (s: MonitorState) => void): Promise<void> {
    const next = this.writes.then(async () => {
      const s = await readMonitorState(this.deps.file);
      change(s);
      this.cache = s;
      await writeMonitorState(this.deps.file, s);
    });
    this.writes = next.catch(() => {});
    return next;
  }

  /** The last ping of each profile, read fresh (`status`), or from memory (`cached`: the snapshot). */
  async statusOf(id: string, opts: { cached?: boolean } = {}): Promise<MonitorStatus | null> {
    if (!opts.cached || !this.cache) this.cache = await readMonitorState(this.deps.file);
    return this.cache.profiles[id]?.last ?? null;
  }

  /** state/monitor.json changed (maybe another process's ping): the next cached read reads it again. */
  forget(): void {
    this.cache = null;
  }

  /** Waits for the pings under way, at most `maxMs`; then stops retrying. True when all had ended. */
  async settled(maxMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), maxMs);
      timer.unref?.();
    });
    const all = (async () => {
      while (this.pending.size) await Promise.allSettled([...this.pending]);
      await this.writes;
      return true as const;
    })();
    const done = await Promise.race([all, limit]);
    clearTimeout(timer);
    if (!done) this.leaving.abort();
    return done;
  }

  get busy(): boolean {
    return this.pending.size > 0;
  }
}

function failLine(kind: PingKind | 'ntfy' | 'overdue fail', r: SendResult): string {
  const what = kind === 'ntfy' ? 'the ntfy message' : `the ${kind} ping`;
  return `monitoring: ${what} to ${r.host} failed after ${r.attempts === 1 ? '1 attempt' : `${r.attempts} attempts`}: it ${r.how} (the backup itself is not affected)`;
}

export { monitorHost };
