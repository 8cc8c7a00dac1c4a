import fs from 'node:fs/promises';
import path from 'node:path';
import type { Profile } from '../profiles/schema.js';
import { compactArgs, createArgs, isRemote, pruneArgs } from '../borg/argv.js';
import { runBorg, type BorgRunResult, type Secret } from '../borg/run.js';
import type { Diagnosis } from '../diagnosis.js';
import { diagnosisFor } from '../messages.js';
import type { BorgBinary } from '../borg/locate.js';
import { featuresFor } from '../borg/features.js';
import type { BorgEvent } from '../borg/log-json.js';
import { worst, type ArchiveStats, type RunRecord, type RunResult, type Trigger } from '../records.js';
import { RunLog } from './run-log.js';
import { borgConfigReadable, volumePresent } from '../volumes/probe.js';

export type Step = 'create' | 'prune' | 'compact';

export type RunEvent =
  | { type: 'step'; step: Step }
  | { type: 'progress'; nfiles: number; originalSize: number; deduplicatedSize: number; path: string }
  | { type: 'percent'; message: string; current?: number; total?: number }
  /** New run-log lines, stamped, in order, in batches: every 250 ms (or 1024 lines) while borg writes, and at each step's end. */
  | { type: 'log'; lines: string[] };

export interface BackupInput {
  profile: Profile;
  borg: BorgBinary;
  secret: Secret;
  rsh?: string;
  sshProbe?: string[] | null;
  trigger: Trigger;
  logsDir: string;
  /** The folder the profile's volume appears in (only used for local repositories). */
  volumePath: string | null;
  signal?: AbortSignal;
  onEvent?: (ev: RunEvent) => void;
  cancelGraceMs?: number;
  /** borg's pid for each step, as it starts. */
  onBorgStart?: (pid: number) => void;
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.access(p);
    return true;
  } catch {
    return false;
  }
}

/** A local repository on a disk that is not there: say so instead of letting borg create folders or fail obscurely. */
export async function diskMissing(profile: Profile, volumePath: string | null): Promise<boolean> {
  if (isRemote(profile.repository)) return false;
  if (volumePath) return !(await volumePresent(volumePath));
  return !(await exists(path.dirname(profile.repository)));
}

async function repositoryGone(profile: Profile, volumePath: string | null): Promise<boolean> {
  if (isRemote(profile.repository)) return false;
  if (await diskMissing(profile, volumePath)) return true;
  return !(await borgConfigReadable(profile.repository).catch(() => false));
}

function describe(ev: BorgEvent): string | null {
  switch (ev.type) {
    case 'log_message':
      return `${ev.level} ${ev.message}`;
    case 'file_status':
      return `${ev.status} ${ev.path}`;
    case 'text':
      return ev.line;
    case 'question':
      return `QUESTION ${ev.message}`;
    default:
      return null; // progress is shown live, not logged line by line
  }
}

function parseStats(stdout: string): { archive: string | null; stats: ArchiveStats | null } {
  try {
    const json = JSON.parse(stdout) as {
      archive?: { name?: string; duration?: number; stats?: Record<string, number> };
    };
    const a = json.archive;
    if (!a) return { archive: null, stats: null };
    const s = a.stats ?? {};
    return {
      archive: a.name ?? null,
      stats: {
        originalSize: s.original_size ?? 0,
        compressedSize: s.compressed_size ?? 0,
        deduplicatedSize: s.deduplicated_size ?? 0,
        nfiles: s.nfiles ?? 0,
        durationSeconds: a.duration ?? 0,
      },
    };
  } catch {
    return { archive: null, stats: null };
  }
}

function resultOf(r: BorgRunResult): RunResult {
  if (r.cancelled) return 'cancelled';
  return r.level;
}

/** create → prune → compact. Prune and compact run only after create succeeded or warned; the result is the worst step. */
export async function runBackup(input: BackupInput): Promise<RunRecord> {
  const { profile, borg } = input;
  const features = featuresFor(borg.version);
  const startedAt = new Date();
  const emit = (ev: RunEvent) => input.onEvent?.(ev);
  // Not one event per line: a run can list a million files, and the UI only needs them a few times a second.
  const log = await RunLog.open(input.logsDir, profile.id, startedAt, {
    onLines: input.onEvent ? (lines) => emit({ type: 'log', lines }) : undefined,
  });
  const writeLine = (text: string) => void log.line(text);
  const ctx = { repository: profile.repository, platform: process.platform, profile: profile.id };

  let result = 'success' as RunResult;
  let archive: string | null = null;
  let stats: ArchiveStats | null = null;
  const diagnoses: Diagnosis[] = [];

  writeLine(`Dandelion: backing up profile "${profile.id}" to ${profile.repository} (trigger: ${input.trigger}, borg ${borg.version.raw})`);

  const step = async (name: Step, args: string[], capture = false): Promise<(BorgRunResult & { archiveExists?: boolean }) | null> => {
    if (input.signal?.aborted) return null;
    log.flush(); // the lines before a step reach listeners before the step does
    emit({ type: 'step', step: name });
    writeLine(`Dandelion: borg ${name}`);
    let archiveExists = false;
    const r = await runBorg({
      borg,
      args,
      secret: input.secret,
      rsh: input.rsh,
      sshProbe: input.sshProbe,
      ctx,
      captureStdout: capture,
      signal: input.signal,
      cancelGraceMs: input.cancelGraceMs,
      onSpawn: input.onBorgStart,
      backpressure: () => log.backpressure(),
      onEvent: (ev) => {
        if (ev.type === 'archive_progress' && !ev.finished) {
          emit({
            type: 'progress',
            nfiles: ev.nfiles,
            originalSize: ev.originalSize,
            deduplicatedSize: ev.deduplicatedSize,
            path: ev.path,
          });
        } else if (ev.type === 'progress_percent' && !ev.finished && ev.message) {
          emit({ type: 'percent', message: ev.message, current: ev.current, total: ev.total });
        } else if (ev.type === 'log_message' && ev.msgid === 'Archive.AlreadyExists') archiveExists = true;
        const line = describe(ev);
        if (line) writeLine(line);
      },
    });
    writeLine(`Dandelion: borg ${name} finished: ${resultOf(r)} (exit ${r.exitCode ?? r.signal})`);
    log.flush();
    return archiveExists ? { ...r, archiveExists: true } : r;
  };

  const record = (r: BorgRunResult | null) => {
    if (!r) return;
    result = worst(result, resultOf(r));
    diagnoses.push(...r.diagnoses);
  };

  if (await diskMissing(profile, input.volumePath)) {
    result = 'error';
    diagnoses.push(
      diagnosisFor('disk-not-mounted', { ...ctx, passphraseSupplied: false }, input.volumePath ?? path.dirname(profile.repository)),
    );
  } else {
    const create = () => step('create', createArgs(profile), true);
    let created = await create();
    // {now} has one-second resolution: two runs in the same second (a quick run, then a disk
    // trigger) would collide on the name. The next second gives a new name.
    if (created?.archiveExists && /\{(now|utcnow)/.test(profile.archiveName)) {
      writeLine('Dandelion: an archive of that name was made this very second; trying again in a moment');
      await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 20));
      created = await create();
    }
    record(created);
    if (created) ({ archive, stats } = parseStats(created.stdout));
    if (created && (created.level === 'success' || created.level === 'warning') && !created.cancelled) {
      if (profile.prune) record(await step('prune', pruneArgs(profile.repository, profile.archiveName, profile.prune, features)));
      if (features.hasCompact && result !== 'error' && result !== 'cancelled')
        record(await step('compact', compactArgs(profile.repository)));
    }
    // The disk went away under borg: that is the story, not whatever I/O error borg saw.
    if (result === 'error' && input.volumePath !== null && (await repositoryGone(profile, input.volumePath))) {
      diagnoses.unshift(diagnosisFor('disk-removed', { ...ctx, passphraseSupplied: false }, input.volumePath));
    }
  }
  if (input.signal?.aborted && result !== 'error') result = 'cancelled';

  const primary = result === 'cancelled' ? diagnosisFor('cancelled', { ...ctx, passphraseSupplied: false }) : diagnoses[0];
  const message = primary ? primary.message : result === 'success' ? `Backed up ${stats?.nfiles ?? 0} files` : null;
  for (const d of diagnoses) writeLine(`Dandelion: ${d.message} ${d.fix}`);
  writeLine(`Dandelion: run finished: ${result}${archive ? `, archive ${archive}` : ''}`);
  await log.close();

  return {
    profile: profile.id,
    trigger: input.trigger,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    result,
    archive,
    stats,
    message,
    diagnoses,
    log: log.file,
  };
}
