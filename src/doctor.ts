import { execa } from 'execa';
import type { Engine } from './engine.js';
import { diagnosisOf } from './engine/outcome.js';
import { isRemote, sshTarget } from './borg/argv.js';
import type { Profile } from './profiles/schema.js';
import type { ErrorKind } from './diagnosis.js';
import { isKeyfileMode } from './engine/status.js';

export interface Finding {
  check: string;
  ok: boolean;
  message: string;
  fix?: string;
}

const PASSPHRASE_KINDS: ErrorKind[] = ['passphrase-wrong', 'passphrase-missing'];
const CONNECTION_KINDS: ErrorKind[] = [
  'ssh-host-unknown',
  'ssh-host-changed',
  'ssh-permission-denied',
  'ssh-key-too-open',
  'connection-lost',
];

/** borg found and recent enough, config valid, and per profile: repository reachable, passphrase right. */
export async function doctor(engine: Engine, only?: string): Promise<Finding[]> {
  const findings: Finding[] = [];
  try {
    const borg = await engine.borg();
    findings.push({ check: 'borg', ok: true, message: `borg ${borg.version.raw} at ${borg.path}` });
  } catch (err) {
    const d = diagnosisOf(err);
    findings.push({ check: 'borg', ok: false, message: d.message, fix: d.fix });
    return findings;
  }
  const load = await engine.reload();
  if (!load.ok) {
    for (const e of load.errors)
      findings.push({ check: 'config', ok: false, message: `${e.path}: ${e.message}`, fix: `Edit ${load.file}.` });
    return findings;
  }
  findings.push({ check: 'config', ok: true, message: `${engine.paths.config}: ${load.config.profiles.length} profile(s)` });
  // Locks this start did not believe (their process gone, or their pid now another process's): already cleared, said here.
  for (const r of engine.recovered)
    findings.push({
      check: `${r.profile}: lock`,
      ok: false,
      message: `a repository lock from a backup started ${r.startedAt} was stale (its process is gone or its pid now belongs to another process); the run was recorded as interrupted and the lock cleared`,
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

async function checkProfile(engine: Engine, p: Profile): Promise<Finding[]> {
  const out: Finding[] = [];
  const tag = (check: string) => `${p.id}: ${check}`;
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
  const d = r.diagnoses[0];
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
          ? { check: tag('key'), ok: true, message: `exported ${exportedAt}` }
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
  let message = d.message;
  if (d.kind === 'ssh-host-unknown') {
    const fp = await hostFingerprint(p.repository);
    if (fp) message += ` The server presents: ${fp}`;
  }
  out.push({ check: tag(check), ok: false, message, fix: d.fix });
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
