import { execa } from 'execa';
import type { Engine } from './engine.js';
import { diagnosisOf } from './engine/outcome.js';
import fs from 'node:fs/promises';
import os from 'node:os';
import { checkPlacement } from './profiles/placement.js';
import path from 'node:path';
import { isRemote, sshProbeArgs, sshTarget } from './borg/argv.js';
import { testSsh } from './borg/run.js';
import { formatPath, profileSchema, type Profile } from './profiles/schema.js';
import { count } from './format.js';
import type { ErrorKind } from './diagnosis.js';
import { isKeyfileMode } from './engine/status.js';
import { diagnosisFor } from './messages.js';
import { localWhen } from './format.js';
import { selftestDue } from './borg/selftest.js';
import type { BorgBinary } from './borg/locate.js';

export interface Finding {
  check: string;
  ok: boolean;
  message: string;
  fix?: string;
  /** The diagnosis kind behind a failed check, so a window can offer its action (e.g. trust a host key). */
  kind?: ErrorKind;
  /** For a local folder not saved yet: what is there, so a window need not read the sentence. */
  folder?: FolderState;
}

export type FolderState = 'empty' | 'repository' | 'other-files' | 'absent' | 'parent-missing' | 'unreadable' | 'misplaced';

const PASSPHRASE_KINDS: ErrorKind[] = ['passphrase-wrong', 'passphrase-missing'];
const CONNECTION_KINDS: ErrorKind[] = [
  'ssh-host-unknown',
  'ssh-host-changed',
  'ssh-permission-denied',
  'ssh-key-too-open',
  'connection-lost',
  'borg-missing',
];

/** Kinds whose words differ between a run and a test (a checkpoint to resume from, a backup not saved). */
const RUN_WORDED: ErrorKind[] = ['connection-lost', 'disk-full', 'disk-removed', 'cancelled', 'killed'];

function probeCtx(p: Profile) {
  return { repository: p.repository, platform: process.platform, profile: p.id, stage: 'probe' as const };
}

/** borg found and recent enough, config valid, and per profile: repository reachable, passphrase right. */
export async function doctor(engine: Engine, only?: string): Promise<Finding[]> {
  const findings: Finding[] = [];
  let borg: BorgBinary;
  try {
    borg = await engine.borg();
  } catch (err) {
    const d = diagnosisOf(err);
    findings.push({ check: 'borg', ok: false, message: d.message, fix: d.fix });
    return findings;
  }
  const found: Finding = { check: 'borg', ok: true, message: `borg ${borg.version.raw} at ${borg.path}` };
  findings.push(found);
  try {
    return await checkEverything(engine, findings, only);
  } finally {
    // borg's self-test (src/borg/selftest.ts), as the probes below left it: they may have run it.
    const now = new Date();
    found.message +=
      borg.selftestPassedAt !== undefined && !selftestDue(borg.selftestPassedAt, now.getTime())
        ? `; its self-test passed ${localWhen(new Date(borg.selftestPassedAt), now)}`
        : '; its self-test runs with the next borg command';
  }
}

async function checkEverything(engine: Engine, findings: Finding[], only: string | undefined): Promise<Finding[]> {
  const load = await engine.reload();
  if (!load.ok) {
    for (const e of load.errors)
      findings.push({ check: 'config', ok: false, message: `${e.path}: ${e.message}`, fix: `Edit ${load.file}.` });
    return findings;
  }
  findings.push({ check: 'config', ok: true, message: `${engine.paths.config}: ${count(load.config.profiles.length, 'profile')}` });
  // Locks this start did not believe (their process gone, or their pid now another process's): already cleared, said here.
  for (const r of engine.recovered)
    findings.push({
      check: `${r.profile}: lock`,
      ok: false,
      message: `a repository lock from a backup started ${localWhen(new Date(r.startedAt), new Date())} was stale (its process is gone or its pid now belongs to another process); the run was recorded as interrupted and the lock cleared`,
      fix: `Back up again: \`dandelion run ${r.profile}\`.`,
    });
  const one = only ? engine.profile(only) : null;
  if (only && !one) {
    findings.push({
      check: only,
      ok: false,
      message: `There is no profile "${only}" in ${engine.paths.config}.`,
      fix: `Known profiles: ${engine.config.profiles.map((p) => p.id).join(', ') || 'none'}.`,
    });
    return findings;
  }
  const profiles = one ? [one] : engine.config.profiles;
  for (const p of profiles) findings.push(...(await checkProfile(engine, p)));
  return findings;
}

/** One profile's checks (placement, passphrase, repository, encryption, key), as `dandelion doctor` runs them; import reuses it. */
export async function checkProfile(engine: Engine, p: Profile): Promise<Finding[]> {
  const out: Finding[] = [];
  const tag = (check: string) => `${p.id}: ${check}`;
  // A repository that is a file, or inside what is backed up: said first, as a run would say it.
  const misplaced = await checkPlacement(p, os.homedir(), engine.volumesRoot());
  if (misplaced.length) {
    const d = diagnosisFor(
      'repo-placement',
      { repository: p.repository, platform: process.platform, passphraseSupplied: false, profile: p.id },
      undefined,
      {
        summary: misplaced[0]!.message,
      },
    );
    return [{ check: tag('repository'), ok: false, message: d.message, fix: d.fix, kind: d.kind }];
  }
  let secretOk = true;
  try {
    const secret = await engine.secretFor(p);
    out.push({
      check: tag('passphrase'),
      ok: true,
      message: p.passcommand
        ? 'from passcommand (it answered)'
        : secret.kind === 'none'
          ? 'not encrypted, no passphrase needed'
          : 'stored in the keyring',
    });
  } catch (err) {
    const d = diagnosisOf(err, p);
    out.push({ check: tag('passphrase'), ok: false, message: d.message, fix: d.fix });
    secretOk = false;
  }
  if (!secretOk) return out;

  const info = await engine.info(p.id);
  if (!info.ok) {
    out.push({ check: tag('repository'), ok: false, message: info.diagnosis.message, fix: info.diagnosis.fix });
    return out;
  }
  const r = info.value;
  let d = r.diagnoses[0];
  if (r.level !== 'error') {
    if (isRemote(p.repository))
      out.push({ check: tag('connection'), ok: true, message: `ssh to ${sshTarget(p.repository)?.host ?? p.repository} works` });
    out.push({
      check: tag('repository'),
      ok: true,
      message: `${p.repository} is readable${p.encryption === 'none' ? '' : ' and the passphrase opens it'}`,
    });
    const enc = await engine.encryption(p.id);
    out.push(
      enc.ok
        ? {
            check: tag('encryption'),
            ok: true,
            message: enc.value.detected ? `${enc.value.mode} (found out from the repository)` : `${enc.value.mode} (from config.json)`,
          }
        : { check: tag('encryption'), ok: false, message: enc.diagnosis.message, fix: enc.diagnosis.fix },
    );
    if (enc.ok && isKeyfileMode(enc.value.mode)) {
      const exportedAt = await engine.keyExportedAt(p.repository);
      out.push(
        exportedAt
          ? { check: tag('key'), ok: true, message: `exported ${localWhen(new Date(exportedAt), new Date())}` }
          : {
              check: tag('key'),
              ok: false,
              message: `The repository key (${enc.value.mode}) exists only on this computer and was never exported: lose this computer and the backups cannot be opened.`,
              fix: `Run \`dandelion key export ${p.id} --to FILE\` (or \`--paper\` to print it) and keep the copy somewhere else.`,
            },
      );
    }
    return out;
  }
  if (!d) {
    out.push({ check: tag('repository'), ok: false, message: `borg info failed (exit ${r.exitCode})` });
    return out;
  }
  const check = CONNECTION_KINDS.includes(d.kind) ? 'connection' : PASSPHRASE_KINDS.includes(d.kind) ? 'passphrase' : 'repository';
  // Worded for a test, not a run: no "the next run resumes from the last checkpoint".
  if (RUN_WORDED.includes(d.kind)) d = diagnosisFor(d.kind, { ...probeCtx(p), passphraseSupplied: p.encryption !== 'none' }, d.detail);
  let message = d.message;
  if (d.kind === 'ssh-host-unknown') {
    const fp = await hostFingerprint(p.repository);
    if (fp) message += ` The server presents: ${fp}`;
  }
  out.push({ check: tag(check), ok: false, message, fix: d.fix, kind: d.kind });
  return out;
}

/** What the server's host key looks like, so the user can compare before trusting it. */
export async function hostFingerprint(repository: string): Promise<string | null> {
  const t = sshTarget(repository);
  if (!t) return null;
  const scan = await execa('ssh-keyscan', ['-p', String(t.port), '-t', 'ed25519,ecdsa,rsa', '--', t.host], {
    reject: false,
    timeout: 10_000,
    stdin: 'ignore',
  });
  if (!scan.stdout) return null;
  const fp = await execa('ssh-keygen', ['-lf', '-'], { input: scan.stdout, reject: false });
  return fp.stdout.split('\n')[0] ?? null;
}

/**
 * "Test connection" for a repository the preferences window has not saved yet: the fields checked,
 * ssh reached with the options borg's ssh gets (host key, login), and for a local folder whether a
 * repository is there, an empty folder waits for one, or something else is in the way.
 */
export async function doctorDraft(draft: Record<string, unknown>): Promise<Finding[]> {
  const parsed = profileSchema.pick({ repository: true, sshKey: true }).safeParse(draft);
  if (!parsed.success)
    return parsed.error.issues.map((i) => ({ check: formatPath(i.path), ok: false, message: `${formatPath(i.path)} ${i.message}` }));
  const { repository, sshKey } = parsed.data;
  if (isRemote(repository)) {
    const t = sshTarget(repository);
    // borg --version, not true: a login that works on a server without borg is not a working repository location.
    const args = sshProbeArgs(repository, { sshKey, command: 'borg --version' });
    if (!t || !args) return [{ check: 'repository', ok: false, message: `${repository} is not an ssh location Dandelion understands.` }];
    const d = await testSsh(args, { repository, platform: process.platform, passphraseSupplied: false, stage: 'probe' });
    if (!d)
      return [
        { check: 'connection', ok: true, message: `ssh to ${t.host}${t.port === 22 ? '' : ` port ${t.port}`} works, and borg is there` },
      ];
    let message = d.message;
    if (d.kind === 'ssh-host-unknown') {
      const fp = await hostFingerprint(repository);
      if (fp) message += ` The server presents: ${fp}`;
    }
    return [{ check: 'connection', ok: false, message, fix: d.fix, kind: d.kind }];
  }
  // A file where the folder should be, the system disk's top, a folder backed up: the sentence a save would give.
  const strings = (v: unknown) => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : []);
  const misplaced = await checkPlacement(
    { repository, sources: strings(draft.sources), excludes: strings(draft.excludes) },
    os.homedir(),
    null,
  );
  if (misplaced.length)
    return misplaced.map((f) => ({
      check: f.field,
      ok: false,
      folder: 'misplaced' as const,
      message: `${f.message[0]!.toUpperCase()}${f.message.slice(1)}.`,
    }));
  return [await localFolderFinding(repository)];
}

async function localFolderFinding(repository: string): Promise<Finding> {
  const entries = await fs.readdir(repository).catch((err: NodeJS.ErrnoException) => err);
  if (!(entries instanceof Error)) {
    if (entries.length === 0)
      return {
        check: 'repository',
        ok: true,
        folder: 'empty',
        message: `${repository} is an empty folder: a new repository can be created there.`,
      };
    const config = await fs.readFile(path.join(repository, 'config'), 'utf8').catch(() => '');
    if (/^\[repository\]/m.test(config))
      return { check: 'repository', ok: true, folder: 'repository', message: `${repository} is a borg repository.` };
    return {
      check: 'repository',
      ok: false,
      folder: 'other-files',
      message: `${repository} holds other files and is not a borg repository.`,
      fix: 'Choose an empty folder, or a new folder name, for a new repository.',
    };
  }
  if (entries.code === 'ENOENT') {
    const parent = path.dirname(repository);
    const parentOk = await fs.stat(parent).then(
      (s) => s.isDirectory(),
      () => false,
    );
    return parentOk
      ? {
          check: 'repository',
          ok: true,
          folder: 'absent',
          message: `${repository} does not exist yet: it will be created with the repository.`,
        }
      : {
          check: 'repository',
          ok: false,
          folder: 'parent-missing',
          message: `${parent} does not exist.`,
          fix: 'Connect the disk, or choose another folder.',
        };
  }
  return { check: 'repository', ok: false, folder: 'unreadable', message: `${repository} cannot be read: ${entries.message}` };
}
