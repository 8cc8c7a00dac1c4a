/**
 * `borg check` and the restore drill, for one profile at a time: the repository lock (one borg per
 * repository across processes), live progress (at most 4 a second), cancel, a log of its own and an
 * OpRecord in operations/<profile>.jsonl (never in the backup history).
 *
 * The drill proves the latest archive restorable: `borg extract --dry-run` of all of it (borg reads,
 * decrypts and authenticates every chunk without writing), then a real extract of a random sample
 * (sample.ts) into a private temporary folder, each file compared byte for byte with its source when
 * the source is unchanged since the archive (same size and mtime). The folder is removed whatever
 * happens.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ConfigPaths } from '../paths.js';
import type { Profile } from '../profiles/schema.js';
import type { BorgBinary } from '../borg/locate.js';
import { runBorg, type BorgRunResult, type Secret } from '../borg/run.js';
import type { BorgEvent } from '../borg/log-json.js';
import { featuresFor } from '../borg/features.js';
import { listArgs } from '../borg/argv.js';
import type { Diagnosis, ClassifyContext } from '../diagnosis.js';
import { diagnosisFor } from '../messages.js';
import type { History } from '../jobs/history.js';
import { RunLog } from '../jobs/run-log.js';
import type { LockOwner } from '../jobs/pid-lock.js';
import type { RunResult, Trigger } from '../records.js';
import { Throttle } from '../engine/throttle.js';
import { diagnosisOf, Refusal } from '../engine/outcome.js';
import { busyDiagnosis } from '../engine/run-queue.js';
import { parseArchiveList } from '../repo/archives.js';
import { lockForOperation } from './repo-lock.js';
import { OpHistory, type OpKind, type OpRecord } from './records.js';
import { DamageCollector, type Damage, type DamageKind } from './check-findings.js';
import { dryRunExtractArgs, itemListArgs, sampleExtractArgs, verifyCheckArgs } from './verify-argv.js';
import { chooseSample, sampleVerdict, type ArchiveFile, type DrillDetails, type FileFacts, type Random } from './sample.js';
import { count, formatBytes } from '../format.js';
import { verifyPlan } from './verify-due.js';

/** Live figures of a restore, check or drill (the shape the "restore" part shares in src/ops/progress.ts). */
import type { OpProgress } from './progress.js';
export type { OpProgress };

export interface VerifyDeps {
  paths: ConfigPaths;
  history: History;
  ops: OpHistory;
  borg(p: Profile): Promise<BorgBinary>;
  secretFor(p: Profile): Promise<Secret>;
  rsh(p: Profile): string | undefined;
  sshProbe(p: Profile): string[] | null;
  /** The destinations of the user's other profiles: where else the files may be restored from. */
  elsewhere(p: Profile): string[];
  progress(profile: string, progress: OpProgress): void;
  finished(record: OpRecord): void;
  note?(line: string): void;
  cancelGraceMs?: number;
  /** A new generator per drill (tests fix the seed). */
  random?: () => Random;
  /** Where the drill's temporary folder is made (default: the OS's temporary folder). */
  tmpRoot?: string;
}

export interface VerifyRequest {
  trigger?: Trigger;
  busy?: 'wait' | 'fail';
  verifyData?: boolean;
}

interface Active {
  controller: AbortController;
  progress: OpProgress;
  throttle: Throttle;
  /** Settles once the check or drill has ended, its borg gone and its record written. */
  ended: Promise<void>;
}

interface Ended {
  result: RunResult;
  archive?: string | null;
  message?: string | null;
  diagnoses?: Diagnosis[];
  details?: Record<string, unknown>;
}

const DAMAGE_KIND: Record<DamageKind, 'repo-damaged' | 'archives-damaged' | 'data-damaged'> = {
  segments: 'repo-damaged',
  archives: 'archives-damaged',
  data: 'data-damaged',
};

export class Verifier {
  private readonly active = new Map<string, Active>();

  constructor(private readonly deps: VerifyDeps) {}

  isActive(id: string): boolean {
    return this.active.has(id);
  }

  progress(id: string): OpProgress | null {
    const a = this.active.get(id);
    return a ? { ...a.progress } : null;
  }

  /** Stops every check and drill of this process (the app quits); resolves once they have ended. */
  cancelAll(): Promise<unknown> {
    for (const a of this.active.values()) a.controller.abort();
    return Promise.allSettled([...this.active.values()].map((a) => a.ended));
  }

  /** Stops the check or drill of this profile in this process; false when none runs here. */
  cancel(id: string): boolean {
    const a = this.active.get(id);
    if (!a || a.controller.signal.aborted) return false;
    a.controller.abort();
    return true;
  }

  /** `borg check` of the repository and its archives (`--verify-data` when asked); never `--repair`. */
  check(p: Profile, req: VerifyRequest = {}): Promise<OpRecord> {
    return this.operate(p, 'check', req, (run) => this.runCheck(p, run, req.verifyData === true));
  }

  /**
   * After a successful backup of `p`: the check, then (when it passed) the drill, each only when due
   * (check.everyDays since its last success on this repository, else since backups began there).
   */
  async afterBackup(p: Profile, now = new Date()): Promise<OpRecord[]> {
    const [check, drill, summary] = await Promise.all([
      this.deps.ops.lastSuccess(p.id, 'check', p.repository),
      this.deps.ops.lastSuccess(p.id, 'drill', p.repository),
      this.deps.history.summary(p.id, p.repository),
    ]);
    const date = (r: OpRecord | null) => (r ? new Date(r.finishedAt) : null);
    const plan = verifyPlan({
      policy: p.check,
      lastCheckSuccessAt: date(check),
      lastDrillSuccessAt: date(drill),
      backupsSince: summary.firstRunAt ? new Date(summary.firstRunAt) : null,
      now,
    });
    const done: OpRecord[] = [];
    if (plan.check) {
      const r = await this.check(p, { trigger: 'schedule', busy: 'wait', verifyData: p.check.verifyData });
      done.push(r);
      if (r.result !== 'success' && r.result !== 'warning') return done;
    }
    if (plan.drill) done.push(await this.drill(p, { trigger: 'schedule', busy: 'wait' }));
    return done;
  }

  /** The restore drill of the latest archive. */
  drill(p: Profile, req: VerifyRequest = {}): Promise<OpRecord> {
    return this.operate(p, 'drill', req, (run) => this.runDrill(p, run));
  }

  private ctx(p: Profile): Omit<ClassifyContext, 'passphraseSupplied'> {
    return { repository: p.repository, platform: process.platform, profile: p.id, stage: 'probe' };
  }

  private async operate(p: Profile, kind: OpKind, req: VerifyRequest, body: (run: RunContext) => Promise<Ended>): Promise<OpRecord> {
    const startedAt = new Date();
    const record = (e: Ended, log: string | null = null): OpRecord => ({
      kind,
      profile: p.id,
      repository: p.repository,
      trigger: req.trigger ?? 'manual',
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      result: e.result,
      archive: e.archive ?? null,
      message: e.message ?? e.diagnoses?.[0]?.message ?? null,
      diagnoses: e.diagnoses ?? [],
      log,
      ...(e.details ? { details: e.details } : {}),
    });
    if (this.active.has(p.id)) {
      const d: Diagnosis = {
        kind: 'busy',
        message: `A check or restore drill of ${p.repository} is already running in this process.`,
        fix: 'Wait for it to finish, or cancel it.',
      };
      return record({ result: 'error', diagnoses: [d] });
    }
    const controller = new AbortController();
    let markEnded = () => {};
    const entry: Active = {
      controller,
      progress: { kind, archive: null, percent: null, nfiles: 0, bytes: 0, path: '' },
      throttle: new Throttle(250, () => this.deps.progress(p.id, { ...entry.progress })),
      ended: new Promise<void>((resolve) => (markEnded = resolve)),
    };
    this.active.set(p.id, entry);
    const signal = controller.signal;
    let log: RunLog | null = null;
    let out: OpRecord;
    let keep = true;
    try {
      const what = `${kind === 'check' ? 'check' : 'restore drill'} of "${p.id}" (${p.repository})`;
      const lock = await lockForOperation(this.deps.paths, this.deps.history, p, kind, what, {
        busy: req.busy ?? 'fail',
        signal,
        waiting: (owner: LockOwner) => {
          entry.progress.waitingFor = owner.what;
          entry.throttle.poke();
        },
        note: this.deps.note,
      });
      if (!lock.ok) {
        // Nothing touched the repository: not written to the operations history.
        keep = false;
        out = signal.aborted
          ? record({ result: 'cancelled', diagnoses: [diagnosisFor('cancelled', { ...this.ctx(p), passphraseSupplied: false })] })
          : record({ result: 'error', diagnoses: [busyDiagnosis(p, lock.owner)] });
      } else {
        delete entry.progress.waitingFor;
        entry.throttle.poke();
        try {
          log = await RunLog.open(path.join(this.deps.paths.operations, 'logs'), p.id, startedAt, { tailSize: 0 });
          log.line(`${kind} of ${p.repository} started (${req.trigger ?? 'manual'})`);
          const secret = await this.deps.secretFor(p);
          const borg = await this.deps.borg(p);
          const run: RunContext = { borg, secret, signal, log, entry };
          const ended = await body(run);
          out = record(ended, log.file);
          log.line(`${kind} finished: ${out.result}${out.message ? ` — ${out.message}` : ''}`);
        } finally {
          await lock.lock.release();
        }
      }
    } catch (err) {
      const d = diagnosisOf(err, { profile: p.id, repository: p.repository });
      out = record({ result: 'error', diagnoses: [d] }, log?.file ?? null);
      log?.line(`${kind} failed: ${d.message}`);
    } finally {
      entry.throttle.cancel();
      this.active.delete(p.id);
      await log?.close();
    }
    try {
      if (keep) await this.deps.ops.append(out).catch(() => {});
      this.deps.finished(out);
    } finally {
      markEnded();
    }
    return out;
  }

  /** One borg command of this operation: its lines to the log and the damage collector, its progress to `onProgress`. */
  private borgRun(
    p: Profile,
    run: RunContext,
    args: string[],
    opts: { damage?: DamageCollector; captureStdout?: boolean; cwd?: string; onEvent?: (ev: BorgEvent) => void } = {},
  ): Promise<BorgRunResult> {
    run.log.line(`borg ${args.join(' ')}`);
    return runBorg({
      borg: run.borg,
      args,
      secret: run.secret,
      rsh: this.deps.rsh(p),
      sshProbe: this.deps.sshProbe(p),
      ctx: this.ctx(p),
      signal: run.signal,
      cwd: opts.cwd,
      captureStdout: opts.captureStdout,
      cancelGraceMs: this.deps.cancelGraceMs,
      backpressure: () => run.log.backpressure(),
      onEvent: (ev) => {
        opts.damage?.observe(ev);
        if (ev.type === 'log_message' && ev.level !== 'DEBUG') run.log.line(`${ev.level} ${ev.message}`);
        else if (ev.type === 'text') run.log.line(ev.line);
        opts.onEvent?.(ev);
      },
    });
  }

  private async runCheck(p: Profile, run: RunContext, verifyData: boolean): Promise<Ended> {
    const damage = new DamageCollector();
    const r = await this.borgRun(p, run, verifyCheckArgs(p.repository, { verifyData }), {
      damage,
      onEvent: (ev) => {
        if (ev.type !== 'progress_percent' || ev.finished) return;
        const total = ev.total ?? 0;
        run.entry.progress.percent = total > 0 ? Math.min(100, ((ev.current ?? 0) / total) * 100) : null;
        run.entry.progress.path = (ev.message ?? '').replace(/\s*[\d.]+%\s*$/, '');
        run.entry.throttle.poke();
      },
    });
    if (r.cancelled) return { result: 'cancelled', diagnoses: r.diagnoses };
    const found = damage.damages();
    // borg 1.2 ends a check that found damage with exit code 1: never a warning.
    if (found.length || r.exitCode === 1)
      return { result: 'error', diagnoses: this.damageDiagnoses(p, found, r, null), details: { verifyData, damage: found } };
    if (r.level !== 'success') return { result: 'error', diagnoses: r.diagnoses };
    return {
      result: 'success',
      message: `${p.repository} and its archives checked${verifyData ? ', every piece of data read and authenticated' : ''}: no damage found.`,
      details: { verifyData },
    };
  }

  private damageDiagnoses(p: Profile, found: Damage[], r: BorgRunResult, archive: string | null): Diagnosis[] {
    const ctx = { ...this.ctx(p), passphraseSupplied: true };
    const others = this.deps.elsewhere(p);
    if (!found.length) {
      // borg said "errors found" in words not known here: still damage, with its first error line.
      const detail = r.diagnoses[0]?.detail ?? r.diagnoses[0]?.message;
      return [diagnosisFor('repo-damaged', ctx, detail, { others, archive: archive ?? undefined, count: 1 })];
    }
    return found.map((d) => diagnosisFor(DAMAGE_KIND[d.kind], ctx, d.first, { others, count: d.count, archive: archive ?? undefined }));
  }

  private async runDrill(p: Profile, run: RunContext): Promise<Ended> {
    const progress = run.entry.progress;
    // 1. The latest archive of this profile.
    const borg = run.borg;
    const listed = await this.borgRun(p, run, listArgs(p.repository, featuresFor(borg.version), p.archiveName), { captureStdout: true });
    if (listed.cancelled) return { result: 'cancelled', diagnoses: listed.diagnoses };
    if (listed.level === 'error') return { result: 'error', diagnoses: listed.diagnoses };
    const archives = parseArchiveList(listed.stdout) ?? [];
    const latest = archives.at(-1)?.name;
    if (!latest)
      throw new Refusal({
        kind: 'unknown',
        message: `There is no backup of this profile in ${p.repository} yet: nothing to prove restorable.`,
        fix: 'Back up first; the drill proves the latest backup.',
      });
    progress.archive = latest;

    // 2. Every chunk read, decrypted and authenticated, nothing written.
    const damage = new DamageCollector();
    let totalBytes = 0;
    const dry = await this.borgRun(p, run, dryRunExtractArgs(p.repository, latest), {
      damage,
      onEvent: (ev) => {
        if (ev.type !== 'progress_percent' || ev.finished || ev.msgid !== 'extract') return;
        const total = ev.total ?? 0;
        if (total > 0) totalBytes = total;
        progress.bytes = ev.current ?? 0;
        progress.percent = total > 0 ? Math.min(90, ((ev.current ?? 0) / total) * 90) : null;
        const at = (ev.message ?? '').indexOf('Extracting: ');
        if (at >= 0) progress.path = ev.message!.slice(at + 'Extracting: '.length);
        run.entry.throttle.poke();
      },
    });
    if (dry.cancelled) return { result: 'cancelled', archive: latest, diagnoses: dry.diagnoses };
    if (damage.damages().length || dry.level !== 'success')
      return {
        result: 'error',
        archive: latest,
        diagnoses: damage.damages().length ? this.damageDiagnoses(p, damage.damages(), dry, latest) : dry.diagnoses,
        details: { phase: 'read' },
      };

    // 3. The archive's files, and a sample of them restored for real and compared with their sources.
    const items = await this.borgRun(p, run, itemListArgs(p.repository, latest), { captureStdout: true, damage });
    if (items.cancelled) return { result: 'cancelled', archive: latest, diagnoses: items.diagnoses };
    if (items.level === 'error') return { result: 'error', archive: latest, diagnoses: items.diagnoses };
    const { files, unhealthy } = parseItems(items.stdout);
    if (unhealthy.length) {
      const d: Damage = {
        kind: 'archives',
        count: unhealthy.length,
        first: `${unhealthy[0]}: missing file chunk (borg reads zeros in its place)`,
      };
      return {
        result: 'error',
        archive: latest,
        diagnoses: this.damageDiagnoses(p, [d], items, latest),
        details: { unhealthy: unhealthy.slice(0, 100) },
      };
    }
    const random = this.deps.random?.() ?? Math.random;
    const sample = chooseSample(files, { random });
    const details: DrillDetails = {
      files: files.length,
      bytes: totalBytes,
      sampled: sample.length,
      matched: 0,
      skippedChanged: 0,
      mismatched: [],
    };
    progress.nfiles = 0;
    progress.path = '';
    const tmp = await fs.mkdtemp(path.join(this.deps.tmpRoot ?? os.tmpdir(), 'dandelion-drill-'));
    try {
      await fs.chmod(tmp, 0o700);
      if (sample.length) {
        const ex = await this.borgRun(
          p,
          run,
          sampleExtractArgs(
            p.repository,
            latest,
            sample.map((f) => f.path),
          ),
          { cwd: tmp, damage },
        );
        if (ex.cancelled) return { result: 'cancelled', archive: latest, diagnoses: ex.diagnoses };
        if (damage.damages().length)
          return { result: 'error', archive: latest, diagnoses: this.damageDiagnoses(p, damage.damages(), ex, latest) };
        if (ex.level === 'error') return { result: 'error', archive: latest, diagnoses: ex.diagnoses };
      }
      for (const f of sample) {
        if (run.signal.aborted) return { result: 'cancelled', archive: latest, diagnoses: [] };
        progress.path = f.path;
        progress.nfiles++;
        progress.percent = 90 + (progress.nfiles / sample.length) * 10;
        run.entry.throttle.poke();
        const restored = path.join(tmp, f.path);
        const verdict = sampleVerdict(await facts(`/${f.path}`), await facts(restored));
        if (verdict === 'changed') details.skippedChanged++;
        else if (verdict === 'missing') details.mismatched.push(`/${f.path}`);
        else {
          const same = await sameBytes(`/${f.path}`, restored);
          if (same === null) details.skippedChanged++;
          else if (same) details.matched++;
          else details.mismatched.push(`/${f.path}`);
        }
      }
    } finally {
      await fs.rm(tmp, { recursive: true, force: true }).catch(async () => {
        // A folder borg restored without write permission: made writable, then removed.
        await fs.chmod(tmp, 0o700).catch(() => {});
        await fs.rm(tmp, { recursive: true, force: true });
      });
    }
    for (const m of details.mismatched) run.log.line(`ERROR restored copy differs from its unchanged source: ${m}`);
    const proven = `${count(details.files, 'file')}, ${formatBytes(details.bytes)} read back from ${latest}`;
    const compared = `${details.matched} of ${count(details.sampled, 'sampled file')} identical to the original${
      details.skippedChanged ? ` (${details.skippedChanged} changed since the backup, not compared)` : ''
    }`;
    if (details.mismatched.length)
      return {
        result: 'error',
        archive: latest,
        details: { ...details },
        diagnoses: [
          diagnosisFor('restore-mismatch', { ...this.ctx(p), passphraseSupplied: true }, undefined, {
            count: details.mismatched.length,
            example: details.mismatched[0],
            archive: latest,
            others: this.deps.elsewhere(p),
          }),
        ],
      };
    return { result: 'success', archive: latest, details: { ...details }, message: `Restore proven: ${proven}; ${compared}.` };
  }
}

interface RunContext {
  borg: BorgBinary;
  secret: Secret;
  signal: AbortSignal;
  log: RunLog;
  entry: Active;
}

/** Regular files (path, size) of `borg list --json-lines`, and the paths borg marks unhealthy (a chunk lost, zeros read instead). */
export function parseItems(stdout: string): { files: ArchiveFile[]; unhealthy: string[] } {
  const files: ArchiveFile[] = [];
  const unhealthy: string[] = [];
  for (const line of stdout.split('\n')) {
    if (!line) continue;
    let o: { type?: unknown; path?: unknown; size?: unknown; healthy?: unknown };
    try {
      o = JSON.parse(line) as typeof o;
    } catch {
      continue;
    }
    if (typeof o.path !== 'string') continue;
    if (o.healthy === false) unhealthy.push(`/${o.path}`);
    if (o.type === '-' && typeof o.size === 'number') files.push({ path: o.path, size: o.size });
  }
  return { files, unhealthy };
}

async function facts(file: string): Promise<FileFacts | null> {
  try {
    const s = await fs.lstat(file, { bigint: true });
    return s.isFile() ? { size: s.size, mtimeNs: s.mtimeNs } : null;
  } catch {
    return null;
  }
}

/** Byte for byte; null when one of them cannot be read (the source's permissions: not compared). */
async function sameBytes(a: string, b: string): Promise<boolean | null> {
  await fs.chmod(b, 0o600).catch(() => {});
  let ha: fs.FileHandle | null = null;
  let hb: fs.FileHandle | null = null;
  try {
    ha = await fs.open(a, 'r');
    hb = await fs.open(b, 'r');
  } catch {
    await ha?.close();
    return null;
  }
  try {
    const size = 1024 * 1024;
    const ba = Buffer.alloc(size);
    const bb = Buffer.alloc(size);
    for (;;) {
      const [na, nb] = await Promise.all([readFull(ha, ba), readFull(hb, bb)]);
      if (na !== nb || !ba.subarray(0, na).equals(bb.subarray(0, nb))) return false;
      if (na < size) return true;
    }
  } finally {
    await ha.close();
    await hb.close();
  }
}

/** Fills the buffer unless the file ends first; the number of bytes read. */
async function readFull(h: fs.FileHandle, buf: Buffer): Promise<number> {
  let n = 0;
  while (n < buf.length) {
    const { bytesRead } = await h.read(buf, n, buf.length - n, null);
    if (bytesRead === 0) break;
    n += bytesRead;
  }
  return n;
}
