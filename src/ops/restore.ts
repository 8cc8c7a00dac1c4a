/**
 * One restore: scan what the selection holds (refusing members that would land outside the target),
 * `borg extract` into a hidden staging folder inside the target (same file system), then into place:
 * the whole staging folder renamed to `Restored from <archive>`, or, in place, each entry moved where
 * it was (identical files left alone, different ones kept both). In place, a selection that goes back
 * onto several file systems (mount points under the target) is extracted part by part, each into a
 * staging folder on its own file system (restore-devices.ts), all before anything is put back. A
 * cancel or a failure removes every staging folder: no half-written file ever carries its real name,
 * and nothing is written outside.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Profile } from '../profiles/schema.js';
import type { BorgBinary } from '../borg/locate.js';
import { runBorg, type BorgRunResult, type Secret } from '../borg/run.js';
import { restoreExtractArgs, restoreScanArgs } from '../borg/argv.js';
import type { BorgEvent } from '../borg/log-json.js';
import type { ClassifyContext, Diagnosis } from '../diagnosis.js';
import { diagnosisFor } from '../messages.js';
import { worst, type RunResult } from '../records.js';
import { RunLog } from '../jobs/run-log.js';
import { diskMissing, escapeControl } from '../jobs/backup.js';
import { count, formatBytes } from '../format.js';
import { percentOf, type OpProgress } from './progress.js';
import {
  ALWAYS_EXCLUDED,
  commonParent,
  memberRefusal,
  mustRefuseAll,
  neverMatched,
  planMembers,
  restoreStamp,
  type RefusedMember,
} from './restore-plan.js';
import { parseScan } from './restore-scan.js';
import { bytesOf, moveToNewFolder, putBackInPlace, readable } from './restore-move.js';
import { ownStagingName, sweepStaging } from './restore-staging.js';
import { deviceGroups, holdingFolders, mountPoints, type DeviceGroup } from './restore-devices.js';

export type RestoreMode = 'new-folder' | 'in-place';

export interface RestoreJob {
  profile: Profile;
  borg: BorgBinary;
  secret: Secret;
  rsh?: string;
  sshProbe?: string[] | null;
  archive: string;
  /** Archive paths, as stored (no leading `/`); [] = the whole archive. */
  paths: string[];
  /** An absolute folder: the new folder goes in it, or (in place) the archive's paths are under it. */
  target: string;
  mode: RestoreMode;
  /** logs/<profile>/restore/ gets this restore's log. */
  logsDir: string;
  volumePath: string | null;
  signal?: AbortSignal;
  cancelGraceMs?: number;
  progress(change: Partial<OpProgress>): void;
  onBorgStart?(pid: number): void;
  /** When the archive was made, for the Keep Both names; asked only when a copy is kept both. */
  archiveTime(): Promise<Date | null>;
}

export interface RestoreDone {
  result: RunResult;
  diagnoses: Diagnosis[];
  /** The new folder made (the whole restore, or in place what could not be put back), or null. */
  folder: string | null;
  files: number;
  bytes: number;
  keptBoth: { path: string; restoredAs: string }[];
  identical: number;
  refused: RefusedMember[];
  log: string;
}

/** borg's own lines when it got the SIGINT a cancel sends. */
const SIGINT_LINES = new Set(['Got Ctrl-C / SIGINT.', 'Keyboard interrupt']);
const ENOSPC = /\[Errno 28\]|No space left on device/;
const UNWRITABLE = /\[Errno (13|30|1)\]/;
const UNWRITABLE_CODES = new Set(['EACCES', 'EROFS', 'EPERM', 'ENOENT', 'ENOTDIR']);

function describe(ev: BorgEvent): string | null {
  switch (ev.type) {
    case 'log_message':
      return ev.name === 'borg.output.list' ? `x ${ev.message}` : `${ev.level} ${ev.message}`;
    case 'text':
      return ev.line;
    default:
      return null;
  }
}

/** The deepest folder that exists on the way to `p` (not through a link), at most up to `/`. */
async function existingFolder(p: string): Promise<string> {
  for (let dir = p; ; dir = path.dirname(dir)) {
    const st = await fsp.lstat(Buffer.from(bytesOf(dir), 'latin1')).catch(() => null);
    if (st?.isDirectory()) return dir;
    if (dir === path.dirname(dir)) return dir;
  }
}

/** The device of `p` when it is a real folder (not a link), else null. */
async function deviceOf(p: string): Promise<number | null> {
  const st = await fsp.lstat(Buffer.from(bytesOf(p), 'latin1')).catch(() => null);
  return st?.isDirectory() ? st.dev : null;
}

async function freeSpace(dir: string): Promise<string | undefined> {
  const st = await fsp.statfs(dir).catch(() => null);
  return st ? `${formatBytes(Number(st.bavail) * Number(st.bsize))} free` : undefined;
}

export async function runRestore(job: RestoreJob): Promise<RestoreDone> {
  const { profile, borg } = job;
  const startedAt = new Date();
  const log = await RunLog.open(path.join(job.logsDir, profile.id), 'restore', startedAt);
  const write = (text: string) => void log.line(escapeControl(text));
  const ctx: ClassifyContext = {
    repository: profile.repository,
    platform: process.platform,
    passphraseSupplied: false,
    profile: profile.id,
  };
  const facts = { operation: 'restore' as const, archive: job.archive, target: job.target };
  const done: RestoreDone = {
    result: 'success',
    diagnoses: [],
    folder: null,
    files: 0,
    bytes: 0,
    keptBoth: [],
    identical: 0,
    refused: [],
    log: log.file,
  };
  const fail = (d: Diagnosis, result: RunResult = 'error'): RestoreDone => {
    done.result = result;
    done.diagnoses.unshift(d);
    write(`Dandelion: restore finished: ${result}: ${d.message}`);
    return done;
  };
  const what = job.paths.length ? job.paths.map((p) => `/${p}`).join(', ') : 'everything';
  write(
    `Dandelion: restoring ${what} from ${job.archive} of profile "${profile.id}" (${profile.repository}) ${job.mode === 'in-place' ? 'in place under' : 'into a new folder in'} ${job.target} (borg ${borg.version.raw})`,
  );
  try {
    if (await diskMissing(profile, job.volumePath))
      return fail(diagnosisFor('disk-not-mounted', ctx, job.volumePath ?? path.dirname(profile.repository), facts));

    const borgRun = (args: string[], extra: Partial<Parameters<typeof runBorg>[0]> = {}): Promise<BorgRunResult> =>
      runBorg({ borg, args, secret: job.secret, rsh: job.rsh, sshProbe: job.sshProbe, ctx: { ...ctx, stage: 'probe' }, ...extra });

    // The folder restored into must be one.
    const target = path.resolve(job.target);
    const targetSt = await fsp.stat(target).catch((err: NodeJS.ErrnoException) => err);
    if (targetSt instanceof Error || !targetSt.isDirectory())
      return fail(
        diagnosisFor('restore-target-unwritable', ctx, targetSt instanceof Error ? targetSt.message : `${target} is not a folder`, facts),
      );

    // Hidden staging folders inside the target, each on the file system its files go back to, so that
    // everything reaches its place by a rename (in place across mount points: one per part, see restore-devices.ts).
    const stages: { dir: string; parent: string }[] = [];
    const makeStaging = async (parent: string): Promise<Diagnosis | null> => {
      // What a restore killed outright left here goes first (never a live restore's folder: its name says whose it is).
      for (const gone of await sweepStaging(parent))
        write(`Dandelion: removed ${gone}, the staging folder of a restore that was stopped outright`);
      const dir = path.join(parent, ownStagingName());
      try {
        await fsp.mkdir(dir, { mode: 0o777 });
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        if (e.code === 'ENOSPC') return diagnosisFor('restore-target-full', ctx, e.message, { ...facts, summary: await freeSpace(parent) });
        if (UNWRITABLE_CODES.has(e.code ?? ''))
          return diagnosisFor('restore-target-unwritable', ctx, e.message, { ...facts, target: parent });
        throw err;
      }
      stages.push({ dir, parent });
      return null;
    };
    const dropStaging = async () => {
      for (const { dir } of stages.splice(0)) await fsp.rm(dir, { recursive: true, force: true, maxRetries: 3 }).catch(() => {});
    };
    // In place, staging goes where the files go back to, as deep as they all share: for a whole archive,
    // the folder every file of it is under (not `/`, which only root may write).
    const stagingParent = async (under: string): Promise<string> =>
      job.mode === 'in-place' ? await existingFolder(path.join(target, under)) : target;

    // Over the whole restore (several extracts when it spans file systems): items so far, and bytes of
    // the extracts done, of this one (borg's total once it says) and of those still to come (the scan's).
    let nfiles = 0;
    const bytesSpan = { done: 0, current: 0, total: 0, later: 0 };
    // borg's extract, writing into staging only: what it reported, gathered as it runs.
    const extractInto = (
      dir: string,
      paths: string[],
      excludes: string[],
      signal: AbortSignal | undefined,
      passphraseWhen?: Promise<boolean>,
      stopped?: AbortSignal,
    ) => {
      const seen = { full: null as string | null, unwritable: null as string | null, warned: 0, firstWarning: null as string | null };
      const unmatched: string[] = [];
      const run = borgRun(restoreExtractArgs(profile.repository, job.archive, paths, excludes), {
        cwd: dir,
        signal,
        passphraseWhen,
        cancelGraceMs: job.cancelGraceMs,
        onSpawn: job.onBorgStart,
        backpressure: () => log.backpressure(),
        onEvent: (ev) => {
          // An extract stopped before it had the passphrase says only that it had none: not worth a line.
          if (stopped?.aborted) return;
          if (ev.type === 'progress_percent') {
            if (!ev.finished && ev.total) {
              bytesSpan.current = ev.current ?? 0;
              bytesSpan.total = ev.total;
              const { done: before, current, total, later } = bytesSpan;
              job.progress({
                percent: percentOf(before + current, before + total + later),
                bytes: before + current,
                ...(ev.info?.[0] ? { path: ev.info[0] } : {}),
              });
            }
            return;
          }
          if (ev.type === 'log_message') {
            if (ev.name === 'borg.output.list') {
              job.progress({ nfiles: ++nfiles, path: ev.message });
            } else if (ev.level === 'WARNING' || ev.level === 'ERROR' || ev.level === 'CRITICAL') {
              const never = /^Include pattern '(?:pp:)?(.*)' never matched\.$/s.exec(ev.message);
              if (never) unmatched.push(never[1]!);
              if (ev.level === 'WARNING') {
                seen.warned++;
                seen.firstWarning ??= ev.message;
              }
              if (ENOSPC.test(ev.message)) seen.full ??= ev.message;
              else if (UNWRITABLE.test(ev.message)) seen.unwritable ??= ev.message;
              if (signal?.aborted && SIGINT_LINES.has(ev.message)) {
                write(`INFO Cancelled; borg extract stopped`);
                return;
              }
            }
          }
          const line = describe(ev);
          if (line) write(line);
        },
      });
      return { run, seen, unmatched };
    };

    let gate: (go: boolean) => void = () => {};
    const stopEarly = new AbortController();
    let head: ReturnType<typeof extractInto> | null = null;
    /** The extract started early, stopped before it got the passphrase (and so before it wrote anything). */
    const dropHead = async () => {
      if (!head) return;
      const h = head;
      head = null;
      gate(false);
      stopEarly.abort();
      await h.run;
    };

    try {
      // 1. What the selection holds, before anything is written. With a passphrase, borg extract starts
      // meanwhile (python, the repository) and waits for it: it gets it only once the scan says every member
      // is safe with the patterns it was started with; otherwise it is stopped unread and started again.
      const early = job.secret.kind === 'passphrase' && (job.mode === 'new-folder' || job.paths.length > 0) && !job.signal?.aborted;
      if (early) {
        const refused = await makeStaging(await stagingParent(commonParent(job.paths)));
        if (refused) return fail(refused);
        head = extractInto(
          stages[0]!.dir,
          job.paths,
          ALWAYS_EXCLUDED,
          job.signal ? AbortSignal.any([job.signal, stopEarly.signal]) : stopEarly.signal,
          new Promise<boolean>((resolve) => (gate = resolve)),
          stopEarly.signal,
        );
      }

      let archiveGone = false;
      const scan = await borgRun(restoreScanArgs(profile.repository, job.archive, job.paths), {
        captureStdout: true,
        signal: job.signal,
        onEvent: (ev) => {
          if (ev.type === 'log_message' && ev.msgid === 'Archive.DoesNotExist') archiveGone = true;
        },
      });
      const refuse = async (d: Diagnosis, result: RunResult = 'error') => {
        await dropHead();
        await dropStaging();
        return fail(d, result);
      };
      if (job.signal?.aborted) return await refuse(diagnosisFor('cancelled', ctx, undefined, facts), 'cancelled');
      if (archiveGone) return await refuse(diagnosisFor('archive-missing', ctx, undefined, facts));
      if (scan.level === 'error') {
        if (await diskMissing(profile, job.volumePath))
          return await refuse(diagnosisFor('disk-not-mounted', ctx, job.volumePath ?? path.dirname(profile.repository), facts));
        return await refuse(scan.diagnoses[0] ?? diagnosisFor('unknown', ctx, undefined, facts));
      }
      const items = parseScan(scan.stdout);
      const missing = neverMatched(job.paths, items);
      if (missing.length) return await refuse(diagnosisFor('restore-path-missing', ctx, missing.join('\n'), { ...facts, paths: missing }));
      const plan = planMembers(items);
      done.refused = plan.refused;
      for (const r of plan.refused) write(`Dandelion: left out ${r.path} (${r.reason})`);
      if (mustRefuseAll(plan))
        return await refuse(
          diagnosisFor('restore-refused', ctx, undefined, { ...facts, count: plan.refused.length, paths: plan.refused.map((r) => r.path) }),
        );
      write(`Dandelion: ${count(plan.files, 'file')}, ${formatBytes(plan.bytes)}, ${count(plan.folders, 'folder')} to restore`);

      // 2. Where it goes: one part, or (in place, when the folders it goes back into lie on several file
      // systems) one part per mount point, each staged on its own file system.
      let groups: DeviceGroup[];
      if (job.mode === 'in-place') {
        const refusedPaths = new Set(plan.refused.map((r) => r.path));
        const written = items.filter((it) => !refusedPaths.has(it.path) && memberRefusal(it.path) === null);
        // The target itself may be reached through a link (`/tmp` on a Mac): only below it are links not folders.
        const mounts = await mountPoints(holdingFolders(written), async (p) =>
          p === '' ? (await fsp.stat(target)).dev : deviceOf(path.join(target, p)),
        );
        groups = deviceGroups(job.paths, written, mounts);
        if (groups.length > 1)
          write(
            `Dandelion: the folders this goes back into are on ${groups.length} file systems (${groups
              .map((g) => (g.root ? path.join(target, g.root) : 'the target'))
              .join(', ')}); restoring each part on its own`,
          );
      } else groups = [];
      if (groups.length === 0)
        groups = [
          { root: '', paths: job.paths, excludes: [], stagingUnder: commonParent(job.paths), files: plan.files, bytes: plan.bytes },
        ];
      bytesSpan.later = groups.reduce((n, g) => n + g.bytes, 0);

      // 3. borg writes into staging only, part by part: the extract that waited, when its patterns leave out all
      // that must be and it writes where the (only) part goes, else one started now with them.
      const staged: { dir: string; parent: string }[] = [];
      for (const [i, group] of groups.entries()) {
        const parent = await stagingParent(group.stagingUnder);
        let body: ReturnType<typeof extractInto>;
        bytesSpan.later -= group.bytes;
        bytesSpan.current = 0;
        bytesSpan.total = group.bytes;
        const reuse =
          i === 0 &&
          head !== null &&
          groups.length === 1 &&
          plan.excludes.length === ALWAYS_EXCLUDED.length &&
          group.excludes.length === 0 &&
          stages[0]?.parent === parent;
        if (reuse) {
          body = head!;
          head = null;
          gate(true);
          staged.push(stages[0]!);
        } else {
          if (head) {
            write(
              plan.excludes.length === ALWAYS_EXCLUDED.length
                ? 'Dandelion: borg extract waited for the scan; started again for each file system'
                : 'Dandelion: borg extract waited for the scan; started again with patterns for the members left out',
            );
            await dropHead();
            // It never had the passphrase, so it wrote nothing: its folder is reused when it is in the right place.
            const early = stages.pop()!;
            if (early.parent === parent) stages.push(early);
            else await fsp.rm(early.dir, { recursive: true, force: true }).catch(() => {});
          }
          if (stages.length === staged.length) {
            const refused = await makeStaging(parent);
            if (refused) {
              await dropStaging();
              return fail(refused);
            }
          }
          staged.push(stages.at(-1)!);
          body = extractInto(stages.at(-1)!.dir, group.paths, [...plan.excludes, ...group.excludes], job.signal);
        }
        const extract = await body.run;
        const { seen, unmatched } = body;
        const { full, unwritable, warned, firstWarning } = seen;
        bytesSpan.done += bytesSpan.total;
        write(
          `Dandelion: borg extract finished: ${extract.cancelled ? 'cancelled' : extract.level} (exit ${extract.exitCode ?? extract.signal})`,
        );
        if (job.signal?.aborted || extract.cancelled) {
          await dropStaging();
          return fail(diagnosisFor('cancelled', ctx, undefined, facts), 'cancelled');
        }
        if (full !== null) {
          await dropStaging();
          return fail(diagnosisFor('restore-target-full', ctx, full, { ...facts, summary: await freeSpace(parent) }));
        }
        if (extract.level === 'error') {
          await dropStaging();
          if (await diskMissing(profile, job.volumePath))
            return fail(diagnosisFor('disk-not-mounted', ctx, job.volumePath ?? path.dirname(profile.repository), facts));
          if (unwritable !== null) return fail(diagnosisFor('restore-target-unwritable', ctx, unwritable, facts));
          return fail(extract.diagnoses[0] ?? diagnosisFor('unknown', ctx, undefined, facts));
        }
        if (unmatched.length) {
          // The scan found these, so this is rare (a path that is itself refused): still an error, never a quiet warning.
          await dropStaging();
          return fail(diagnosisFor('restore-path-missing', ctx, unmatched.join('\n'), { ...facts, paths: unmatched }));
        }
        if (extract.level === 'warning') {
          done.result = 'warning';
          // Worded for a restore: the collector's words are a backup's ("could not be read… exclude them").
          done.diagnoses.push(
            diagnosisFor('unknown', ctx, firstWarning ?? extract.diagnoses[0]?.detail, {
              ...facts,
              count: Math.max(1, warned),
              summary: 'could not be restored as they were (see the log)',
            }),
          );
        }
      }

      // 4. Into place.
      if (job.mode === 'new-folder') {
        const stagedDir = staged[0]!.dir;
        done.folder = readable(await moveToNewFolder(bytesOf(stagedDir), bytesOf(target), job.archive));
        stages.length = 0;
        done.files = plan.files;
        done.bytes = plan.bytes;
        write(`Dandelion: restored into ${done.folder}`);
      } else {
        let stamp: string | null = null;
        const when = async () => {
          stamp ??= restoreStamp((await job.archiveTime().catch(() => null)) ?? startedAt);
          return stamp;
        };
        for (const stage of staged) {
          const put = await putBackInPlace(bytesOf(stage.dir), bytesOf(target), when);
          done.files += put.files;
          done.bytes += put.bytes;
          done.keptBoth.push(...put.keptBoth);
          done.identical += put.identical;
          for (const k of put.keptBoth) write(`Dandelion: kept both: /${k.path} is there and differs; restored as /${k.restoredAs}`);
          if (!put.failed.length) {
            await fsp.rm(stage.dir, { recursive: true, force: true, maxRetries: 3 }).catch(() => {});
            stages.splice(stages.indexOf(stage), 1);
            continue;
          }
          // What could not go back stays restored, in plain sight, never lost.
          for (const f of put.failed) write(`Dandelion: could not put back /${f.path}: ${f.error}`);
          const folder = readable(await moveToNewFolder(bytesOf(stage.dir), bytesOf(stage.parent), job.archive));
          stages.splice(stages.indexOf(stage), 1);
          done.folder ??= folder;
          done.result = worst(done.result, 'warning');
          const n = put.failed.length;
          const xdev = put.failed.every((f) => f.code === 'EXDEV');
          const example = path.join(target, put.failed[0]!.path);
          const one = n === 1;
          done.diagnoses.push(
            diagnosisFor('unknown', ctx, put.failed[0]!.error, {
              operation: 'restore',
              count: n,
              // Across a mount point the restore could not see (EXDEV): said as what happened, not as errno.
              ...(xdev
                ? {
                    summary: `(${one ? '' : 'e.g. '}${example}) ${one ? 'belongs' : 'belong'} on another disk than the one ${one ? 'it was' : 'they were'} restored to (a disk mounted inside the folder), so ${one ? 'it' : 'they'} could not be put back and ${one ? 'is' : 'are'} in ${folder}`,
                  }
                : { example, summary: `could not be put back and ${one ? 'is' : 'are'} in ${folder}` }),
            }),
          );
        }
        if (done.identical) write(`Dandelion: ${done.identical} identical ${done.identical === 1 ? 'file was' : 'files were'} left alone`);
      }
      if (plan.refused.length) {
        done.result = worst(done.result, 'warning');
        done.diagnoses.push(
          diagnosisFor('restore-refused', ctx, undefined, { ...facts, count: plan.refused.length, paths: plan.refused.map((r) => r.path) }),
        );
      }
      write(`Dandelion: restore finished: ${done.result} (${count(done.files, 'file')}, ${formatBytes(done.bytes)})`);
      return done;
    } finally {
      await dropHead();
      await dropStaging();
    }
  } finally {
    await log.close();
  }
}
