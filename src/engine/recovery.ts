/**
 * What a Dandelion process that was killed outright (SIGKILL, a power cut) leaves behind, found and
 * dealt with by the next one: a borg still running in its own process group (ended with a
 * checkpoint before anyone else touches the repository), and a run that never got its history
 * record (recorded as interrupted, so status does not go on showing the previous result).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { ConfigPaths } from '../paths.js';
import type { History } from '../jobs/history.js';
import type { RunRecord, Trigger } from '../records.js';
import { diagnosisFor } from '../messages.js';
import { tryLock, type LockOwner } from '../jobs/pid-lock.js';
import { pidAlive, sameProcess } from '../jobs/process-identity.js';

const TRIGGERS: readonly Trigger[] = ['manual', 'schedule', 'catch-up', 'volume', 'resume', 'retry'];

export interface RecoveryOptions {
  /** How long an orphaned borg gets to write its checkpoint after SIGINT before SIGTERM. */
  graceMs?: number;
  log?: (line: string) => void;
}

/** Ends a borg whose Dandelion is gone: SIGINT to its process group (borg checkpoints), then SIGTERM. */
export async function endOrphanBorg(borg: { pid: number; start?: string }, opts: RecoveryOptions = {}): Promise<boolean> {
  if (!sameProcess(borg.pid, borg.start)) return false;
  opts.log?.(`borg (pid ${borg.pid}) of an earlier Dandelion process is still running; stopping it with a checkpoint`);
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-borg.pid, sig);
    } catch {
      try {
        process.kill(borg.pid, sig);
      } catch {
        /* gone */
      }
    }
  };
  signal('SIGINT');
  const deadline = Date.now() + (opts.graceMs ?? 30_000);
  while (pidAlive(borg.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (pidAlive(borg.pid)) {
    signal('SIGTERM');
    const hard = Date.now() + 10_000;
    while (pidAlive(borg.pid) && Date.now() < hard) await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

/** The record of a run whose process died before it could write one. */
export function interruptedRecord(owner: LockOwner, now = new Date()): RunRecord | null {
  // A restore, check or drill cut short is not a backup that never finished.
  if (!owner.profile || !owner.since || owner.op) return null;
  const d = diagnosisFor(
    'interrupted',
    { repository: owner.repository ?? '', platform: process.platform, passphraseSupplied: false, profile: owner.profile },
    undefined,
    { since: owner.since },
  );
  return {
    profile: owner.profile,
    trigger: TRIGGERS.includes(owner.trigger as Trigger) ? (owner.trigger as Trigger) : 'manual',
    startedAt: owner.since,
    finishedAt: now.toISOString(),
    // Its own outcome: not the backup failing (status never says "error"), and never a success.
    result: 'interrupted',
    archive: null,
    stats: null,
    message: d.message,
    diagnoses: [d],
    log: owner.log ?? null,
    ...(owner.repository ? { repository: owner.repository } : {}),
  };
}

/** Deals with a stale repository lock's leftovers: the orphaned borg first, then the missing record. */
export async function recoverStaleRun(owner: LockOwner | null, history: History, opts: RecoveryOptions = {}): Promise<RunRecord | null> {
  if (!owner) return null;
  if (owner.borg) await endOrphanBorg(owner.borg, opts);
  const record = interruptedRecord(owner);
  if (record) {
    await history.append(record);
    opts.log?.(
      `[${record.profile}] the backup started ${record.startedAt} never finished (pid ${owner.pid} is gone); recorded as interrupted`,
    );
  }
  return record;
}

/** At start: every repository lock left by a process that is gone is recovered now, not at the next run. */
export async function recoverStaleLocks(paths: ConfigPaths, history: History, opts: RecoveryOptions = {}): Promise<RunRecord[]> {
  let names: string[];
  try {
    names = await fs.readdir(paths.locks);
  } catch {
    return [];
  }
  const out: RunRecord[] = [];
  for (const name of names.filter((n) => /^repo-[0-9a-f]+\.lock$/.test(n))) {
    const file = path.join(paths.locks, name);
    // Taking the lock is how a stale one is claimed by exactly one process; a live owner keeps it.
    const r = await tryLock(file, 'recovering an interrupted run', {}, async (owner) => {
      const rec = await recoverStaleRun(owner, history, opts);
      if (rec) out.push(rec);
    });
    if (r.ok) await r.release();
  }
  return out;
}
