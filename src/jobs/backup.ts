import fs from 'node:fs/promises';
import path from 'node:path';
import type { Profile } from '../profiles/schema.js';
import { checkpointListArgs, compactArgs, createArgs, isRemote, normalizeSource, pruneArgs } from '../borg/argv.js';
import { checkpointOf } from './checkpoint.js';
import { runBorg, type BorgRunResult, type Secret } from '../borg/run.js';
import type { ClassifyContext, Diagnosis } from '../diagnosis.js';
import { diagnosisFor } from '../messages.js';
import type { BorgBinary } from '../borg/locate.js';
import { featuresFor } from '../borg/features.js';
import type { BorgEvent } from '../borg/log-json.js';
import { worst, type ArchiveStats, type RunRecord, type RunResult, type Trigger } from '../records.js';
import { RunLog } from './run-log.js';
import { borgConfigReadable, volumePresent } from '../volumes/probe.js';
import { afterCreateOutcome, hollowVerdict, mayThinOut, type Hollow } from './verdict.js';
import { count } from '../format.js';

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
  /** How many files the previous archive in this repository held, by our records; null when unknown. */
  previousFiles?: number | null;
}

/** borg's own lines when it got the SIGINT a cancel sends. */
const SIGINT_LINES = new Set(['Got Ctrl-C / SIGINT.', 'Keyboard interrupt']);

/** The kinds whose fix may say "the next backup resumes from the checkpoint" — when there is one. */
const RESUMABLE: ReadonlySet<Diagnosis['kind']> = new Set(['connection-lost', 'disk-removed', 'cancelled', 'killed']);

/** How long asking borg for a checkpoint may take after a create was cut short (a Quit waits for it). */
const CHECKPOINT_QUERY_MS = 15_000;

async function exists(p: string): Promise<boolean> {
  try {
    await fs.access(p);
    return true;
  } catch {
    return false;
  }
}

/** Where disks appear. A repository folder missing under one of these is a disk that is not connected. */
const VOLUME_ROOTS = ['/Volumes', '/media', '/run/media', '/mnt'];

/** The outermost folder on the way to a local repository that does not exist, or null when its parent exists. */
async function firstMissingFolder(repository: string): Promise<string | null> {
  let missing: string | null = null;
  // The root always exists, so this stops.
  for (let dir = path.dirname(repository); !(await exists(dir)); dir = path.dirname(dir)) missing = dir;
  return missing;
}

/**
 * A local repository on a disk that is not there: say so instead of letting borg create folders or fail obscurely.
 * Without a configured volume, only a repository where disks appear counts: elsewhere (a home folder, /srv) a
 * missing folder is a wrong path, which `repositoryFolderMissing` names.
 */
export async function diskMissing(profile: Profile, volumePath: string | null): Promise<boolean> {
  if (isRemote(profile.repository)) return false;
  if (volumePath) return !(await volumePresent(volumePath));
  if (!VOLUME_ROOTS.some((root) => profile.repository.startsWith(root + path.sep))) return false;
  return (await firstMissingFolder(profile.repository)) !== null;
}

/** For a local repository without a volume that is not on a missing disk: the folder of its path that does not exist. */
export async function repositoryFolderMissing(profile: Profile, volumePath: string | null): Promise<string | null> {
  if (isRemote(profile.repository) || volumePath || (await diskMissing(profile, volumePath))) return null;
  return firstMissingFolder(profile.repository);
}

async function repositoryGone(profile: Profile, volumePath: string | null): Promise<boolean> {
  if (isRemote(profile.repository)) return false;
  if (await diskMissing(profile, volumePath)) return true;
  return !(await borgConfigReadable(profile.repository).catch(() => false));
}

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\x00-\x1f\x7f\x85\u2028\u2029]/g;
// eslint-disable-next-line no-control-regex -- the same set, to test for: nearly every line has none
const HAS_CONTROL = /[\x00-\x1f\x7f\x85\u2028\u2029]/;
const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * A file may be called `a\nDandelion: run finished: success`: written as is, its name would forge a line of the
 * run log. Control characters (and the Unicode line breaks) are shown escaped instead, visibly: `\n`, `\x1b`.
 */
export function escapeControl(text: string): string {
  // A test is a fraction of a replace with a callback, which is most of this per-line cost on a 20,000-file listing.
  if (!HAS_CONTROL.test(text)) return text;
  return text.replace(CONTROL, (c) => {
    const code = c.charCodeAt(0);
    return NAMED[c] ?? (code > 0xff ? `\\u${code.toString(16)}` : `\\x${code.toString(16).padStart(2, '0')}`);
  });
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

interface SourcePlan {
  /** What borg is given: sources that are links replaced by what they point to; broken links left out. */
  paths: string[];
  /** The sources that exist (as themselves or through a link). */
  present: number;
  missing: string[];
  broken: { source: string; target: string }[];
  links: { source: string; real: string }[];
}

/**
 * borg 1.2 stores a source that is a symlink as the link alone (success, nothing inside): a source that is itself
 * a link is replaced by the path it resolves to. Missing sources stay in, so borg's own warning names them.
 */
async function planSources(sources: readonly string[]): Promise<SourcePlan> {
  const plan: SourcePlan = { paths: [], present: 0, missing: [], broken: [], links: [] };
  for (const source of sources) {
    const abs = normalizeSource(source);
    const st = await fs.lstat(abs).catch((err: NodeJS.ErrnoException) => err);
    if (st instanceof Error) {
      if (st.code === 'ENOENT' || st.code === 'ENOTDIR') plan.missing.push(source);
      else plan.present++; // e.g. a folder on the way that cannot be read: borg says so per path
      plan.paths.push(abs);
      continue;
    }
    if (!st.isSymbolicLink()) {
      plan.present++;
      plan.paths.push(abs);
      continue;
    }
    const real = await fs.realpath(abs).catch(() => null);
    if (real === null) {
      const target = await fs.readlink(abs).catch(() => '?');
      plan.broken.push({ source, target: path.resolve(path.dirname(abs), target) });
      continue;
    }
    plan.present++;
    plan.links.push({ source, real });
    plan.paths.push(real);
  }
  return plan;
}

function hollowDiagnosis(hollow: Hollow, ctx: ClassifyContext, archive: string | null, sources: string[]): Diagnosis {
  const facts =
    hollow.kind === 'empty'
      ? { archive: archive ?? undefined }
      : { archive: archive ?? undefined, count: hollow.files, previousFiles: hollow.previousFiles, percent: hollow.percent };
  return diagnosisFor('hollow-backup', ctx, sources.join(', '), facts);
}

/** What made prune or compact fail, worded for after create: the disk gone, borg stopped from outside, or borg's reason. */
async function afterCreateCause(
  r: BorgRunResult,
  profile: Profile,
  volumePath: string | null,
  ctx: ClassifyContext,
): Promise<Diagnosis | undefined> {
  if (volumePath !== null && (await repositoryGone(profile, volumePath))) return diagnosisFor('disk-removed', ctx, volumePath);
  const first = r.diagnoses[0];
  if (first?.kind === 'cancelled') return diagnosisFor('killed', ctx, first.detail);
  return first;
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
  const writeLine = (text: string) => void log.line(escapeControl(text));
  const ctx = { repository: profile.repository, platform: process.platform, profile: profile.id };
  const about = { ...ctx, passphraseSupplied: false };
  // Once the archive is saved, no word may say it was not.
  const afterCtx = { ...ctx, stage: 'after-create' as const };
  const afterAbout = { ...afterCtx, passphraseSupplied: false };

  let result = 'success' as RunResult;
  let checkpoint: string | null = null;
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
    let lastPath = '';
    const r = await runBorg({
      borg,
      args,
      secret: input.secret,
      rsh: input.rsh,
      sshProbe: input.sshProbe,
      ctx: name === 'create' ? ctx : afterCtx,
      captureStdout: capture,
      signal: input.signal,
      cancelGraceMs: input.cancelGraceMs,
      onSpawn: input.onBorgStart,
      // borg writes into a file that is read behind it: it never waits for us, and this log catches up with it.
      stderrFile: log.borgStderr,
      backpressure: () => log.backpressure(),
      onEvent: (ev) => {
        if (ev.type === 'archive_progress' && !ev.finished) {
          if (ev.path) lastPath = ev.path;
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
        else if (ev.type === 'file_status') lastPath = ev.path;
        else if (ev.type === 'log_message' && input.signal?.aborted && SIGINT_LINES.has(ev.message)) {
          // The SIGINT was ours, sent because the user cancelled: not an error the log should show.
          writeLine(`INFO Cancelled by you; borg ${name} stopped${lastPath ? ` at ${lastPath}` : ''}`);
          return;
        }
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

  const plan = await planSources(profile.sources);
  for (const l of plan.links) writeLine(`Dandelion: ${l.source} is a link to ${l.real}; backing up what it points to`);
  for (const b of plan.broken) writeLine(`Dandelion: ${b.source} is a link to ${b.target}, which does not exist; it is left out`);
  const brokenLinks = plan.broken.map((b) => diagnosisFor('source-broken-link', about, b.target, { example: b.source }));
  const missingFolder = await repositoryFolderMissing(profile, input.volumePath);

  if (await diskMissing(profile, input.volumePath)) {
    result = 'error';
    diagnoses.push(diagnosisFor('disk-not-mounted', about, input.volumePath ?? path.dirname(profile.repository)));
  } else if (missingFolder !== null) {
    result = 'error';
    diagnoses.push(diagnosisFor('repo-folder-missing', about, undefined, { example: missingFolder }));
  } else if (plan.present === 0) {
    // Nothing to back up: borg would make an empty archive and only warn, and the profile would look backed up.
    result = 'error';
    diagnoses.push(...brokenLinks);
    if (plan.missing.length > 0) diagnoses.push(diagnosisFor('no-sources', about, profile.sources.join(', ')));
  } else {
    const create = () => step('create', createArgs({ ...profile, sources: plan.paths }), true);
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
    const madeArchive = created !== null && (created.level === 'success' || created.level === 'warning') && !created.cancelled;
    if (madeArchive && archive === null) {
      // borg create --json always prints the archive it made. Without one nothing was saved, whatever the exit code.
      result = 'error';
      diagnoses.unshift(
        diagnosisFor('no-archive', about, (created?.stdout ?? '').trim().slice(0, 200) || undefined, { example: borg.path }),
      );
    } else if (madeArchive) {
      const hollow = hollowVerdict(stats?.nfiles ?? 0, input.previousFiles ?? null);
      if (hollow) {
        result = worst(result, 'warning');
        // After create's own warnings: files borg could not read (Full Disk Access) explain a small archive best.
        diagnoses.push(hollowDiagnosis(hollow, about, archive, plan.paths));
        writeLine('Dandelion: prune and compact skipped: this archive would count as a backup and push a real one out');
      }
      // A step after create cannot unsave the archive: it makes the run a warning that says what it could not do.
      const after = async (name: 'prune' | 'compact', args: string[]): Promise<boolean> => {
        const r = await step(name, args);
        if (!r) return false;
        const outcome = afterCreateOutcome(r.level, r.cancelled);
        if (outcome === 'ok') return true;
        if (outcome === 'warned' || outcome === 'cancelled') {
          record(r);
          return outcome === 'warned';
        }
        result = worst(result, 'warning');
        const cause = await afterCreateCause(r, profile, input.volumePath, afterAbout);
        diagnoses.push(
          diagnosisFor(name === 'prune' ? 'prune-failed' : 'compact-failed', afterAbout, cause?.detail, {
            archive: archive ?? undefined,
            cause,
          }),
        );
        return false;
      };
      if (mayThinOut(result, madeArchive, hollow)) {
        const pruned = profile.prune
          ? await after('prune', pruneArgs(profile.repository, profile.archiveName, profile.prune, features))
          : true;
        if (pruned && features.hasCompact) await after('compact', compactArgs(profile.repository));
      }
    }
    // The disk went away under borg: that is the story, not whatever I/O error borg saw.
    if (result === 'error' && input.volumePath !== null && (await repositoryGone(profile, input.volumePath))) {
      diagnoses.unshift(diagnosisFor('disk-removed', about, input.volumePath));
    }
    // The other sources were backed up, but a source that is a broken link was not: never a success.
    if (brokenLinks.length > 0) {
      result = worst(result, 'error');
      diagnoses.unshift(...brokenLinks);
    }
    // A create cut short (cancelled, killed, the connection or the disk lost) resumes from a checkpoint only
    // if borg wrote one: ask borg, and let the words say so only then.
    if (created !== null && !madeArchive && (created.cancelled || diagnoses.some((d) => RESUMABLE.has(d.kind)))) {
      const listed = await runBorg({
        borg,
        args: checkpointListArgs(profile.repository, features, profile.archiveName),
        secret: input.secret,
        rsh: input.rsh,
        ctx: { ...ctx, stage: 'probe' },
        captureStdout: true,
        signal: AbortSignal.timeout(CHECKPOINT_QUERY_MS),
      }).catch(() => null);
      checkpoint = listed && listed.level !== 'error' ? checkpointOf(listed.stdout, startedAt) : null;
      writeLine(
        checkpoint
          ? `Dandelion: borg left the checkpoint ${checkpoint}; the next backup resumes from it`
          : `Dandelion: no checkpoint of this backup was found${listed?.level === 'error' ? ' (the repository could not be asked)' : ''}; the next backup starts it over`,
      );
      if (checkpoint) {
        const withCheckpoint = { ...about, checkpoint: true };
        for (const [i, d] of diagnoses.entries()) if (RESUMABLE.has(d.kind)) diagnoses[i] = diagnosisFor(d.kind, withCheckpoint, d.detail);
      }
    }
  }
  if (input.signal?.aborted && result !== 'error') result = 'cancelled';

  const primary =
    result === 'cancelled'
      ? diagnosisFor('cancelled', { ...ctx, passphraseSupplied: false, checkpoint: checkpoint !== null }, undefined, {
          archive: archive ?? undefined,
        })
      : diagnoses[0];
  const message = primary ? primary.message : result === 'success' ? `Backed up ${count(stats?.nfiles ?? 0, 'file')}` : null;
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
    ...(checkpoint ? { checkpoint } : {}),
  };
}
