#!/usr/bin/env node
import module from 'node:module';
import { parseArgs } from 'node:util';
import { defaultConfigDir } from './paths.js';
import { Engine, type Outcome, type StatusReport } from './engine.js';
import type { Profile } from './profiles/schema.js';
import type { RunRecord } from './records.js';
import type { Diagnosis } from './diagnosis.js';
import { formatBytes, timeAgo } from './format.js';
import { readSecret } from './cli-input.js';

const USAGE = `Usage: dandelion [--config-dir DIR] <command>

Commands:
  run <profile>              back up now: create, prune, compact (exit 0 success, 1 warning, 2 error)
  status [--json]            per profile: state, last run, last success, next run, overdue
  daemon                     run schedules and disk triggers until SIGTERM/SIGINT
  init <profile>             create the profile's repository (borg init)
  passphrase set <profile>   read the passphrase from stdin, check it opens the repository, store it in the OS keyring
  passphrase delete <profile>
  archives <profile> [--json]
  logs <profile> [--lines N] tail of the latest run's log
  doctor [<profile>]         check borg, config, repository, passphrase and connection

The config dir defaults to ${defaultConfigDir()} (or $DANDELION_CONFIG_DIR).`;

export const EXIT = { ok: 0, warning: 1, error: 2 } as const;

class UsageError extends Error {}

/** Config errors and unknown profiles end the command with their message, not a stack trace. */
class Stop extends Error {
  constructor(readonly lines: string[]) {
    super(lines.join('\n'));
  }
}

function exitFor(r: RunRecord): number {
  if (r.result === 'success' || r.result === 'skipped') return EXIT.ok;
  if (r.result === 'warning') return EXIT.warning;
  return EXIT.error;
}

function printDiagnoses(diagnoses: Diagnosis[]): void {
  for (const d of diagnoses) {
    process.stderr.write(`${d.message}\n`);
    if (d.fix) process.stderr.write(`  → ${d.fix}\n`);
  }
}

async function openEngine(configDir: string, busy: 'fail' | 'wait' = 'fail'): Promise<Engine> {
  const { engine, load } = await Engine.open({ configDir, busy });
  if (!load.ok) throw new Stop([`${load.file} is not valid:`, ...load.errors.map((e) => `  ${e.path}: ${e.message}`)]);
  return engine;
}

function profileOf(engine: Engine, id: string): Profile {
  const p = engine.profile(id);
  if (p) return p;
  const known = engine.config.profiles.map((x) => x.id);
  throw new Stop([`No profile "${id}" in config.json${known.length ? ` (profiles: ${known.join(', ')})` : ''}`]);
}

/** The value of an Outcome, or its diagnosis printed and the command ended with exit 2. */
function valueOf<T>(o: Outcome<T>): T {
  if (o.ok) return o.value;
  printDiagnoses([o.diagnosis]);
  throw new Stop([]);
}

function need(arg: string | undefined, what: string): string {
  if (!arg) throw new UsageError(`Missing ${what}.`);
  return arg;
}

async function cmdRun(configDir: string, id: string): Promise<number> {
  const engine = await openEngine(configDir);
  profileOf(engine, id);
  const tty = process.stdout.isTTY === true;
  let lastPlain = 0;
  let shown = false;
  let step = '';
  // At most 4 progress events a second: the terminal is redrawn no more often than that.
  engine.on('progress', ({ progress: event }) => {
    if (event.step !== step && (event.step === 'create' || event.step === 'prune' || event.step === 'compact')) {
      if (shown && tty) process.stdout.write('\n');
      shown = false;
      step = event.step;
      process.stdout.write(`${event.step}…\n`);
    }
    if (event.step === 'create' && event.nfiles > 0) {
      const line = `${event.nfiles} files, ${formatBytes(event.originalSize)} read, ${formatBytes(event.deduplicatedSize)} new`;
      if (tty) {
        const width = process.stdout.columns ?? 80;
        // borg reports paths as stored in the archive, without the leading slash.
        const text = `${line}  ${event.path && !event.path.startsWith('/') ? '/' : ''}${event.path}`;
        process.stdout.write(`\r\x1b[K${text.length > width - 1 ? text.slice(0, width - 2) + '…' : text}`);
        shown = true;
      } else if (Date.now() - lastPlain > 5000) {
        lastPlain = Date.now();
        process.stdout.write(`${line}\n`);
      }
    }
  });
  // Stay alive until borg has written its checkpoint and exited; borg runs in its own process group.
  const abort = () => {
    if (engine.cancel(id)) process.stderr.write('\nCancelling: borg is saving a checkpoint…\n');
  };
  process.on('SIGINT', abort);
  process.on('SIGTERM', abort);
  const record = await engine.run(id, { trigger: 'manual' });
  if (shown && tty) process.stdout.write('\n');
  const summary = [`${record.result}`];
  if (record.archive) summary.push(`archive ${record.archive}`);
  if (record.stats)
    summary.push(
      `${record.stats.nfiles} files, ${formatBytes(record.stats.originalSize)}, ${formatBytes(record.stats.deduplicatedSize)} new`,
    );
  process.stdout.write(`${summary.join(' — ')}\n`);
  if (record.result !== 'success')
    printDiagnoses(
      record.diagnoses.length ? record.diagnoses : record.message ? [{ kind: 'unknown', message: record.message, fix: '' }] : [],
    );
  if (record.log) process.stdout.write(`log: ${record.log}\n`);
  return exitFor(record);
}

function printStatus(report: StatusReport, now = new Date()): void {
  if (!report.profiles.length) {
    process.stdout.write('No profiles yet: add one to config.json.\n');
    return;
  }
  for (const p of report.profiles) {
    const last = p.lastRun ? `${p.lastRun.result} ${timeAgo(new Date(p.lastRun.finishedAt), now)}` : 'never run';
    const success = p.lastSuccessAt ? `last success ${timeAgo(new Date(p.lastSuccessAt), now)}` : 'no successful backup yet';
    const next = p.nextRunAt ? `next ${new Date(p.nextRunAt).toLocaleString()}` : '';
    const flags = [p.state !== 'idle' ? p.state : '', p.overdue ? 'OVERDUE' : ''].filter(Boolean).join(', ');
    process.stdout.write(`${p.id} (${p.name})${flags ? ` [${flags}]` : ''}\n  last run: ${last}; ${success}${next ? `; ${next}` : ''}\n`);
    if (p.lastRun?.message && p.lastRun.result !== 'success') process.stdout.write(`  ${p.lastRun.message}\n`);
  }
  const automatic = report.profiles.length > 0;
  if (report.scheduler) process.stdout.write(`Schedules and disk triggers: ${report.scheduler.what}, since ${report.scheduler.since}.\n`);
  else if (automatic)
    process.stdout.write('Nothing is running the schedules or disk triggers: start the Dandelion app or `dandelion daemon`.\n');
}

async function cmdPassphrase(configDir: string, sub: string | undefined, id: string | undefined): Promise<number> {
  if (sub !== 'set' && sub !== 'delete') throw new UsageError('Usage: dandelion passphrase set|delete <profile>');
  const engine = await openEngine(configDir);
  const profile = profileOf(engine, need(id, 'profile'));
  if (sub === 'delete') {
    const { deleted } = valueOf(await engine.deletePassphrase(profile.id));
    process.stdout.write(
      deleted
        ? `Deleted the passphrase for ${profile.repository} from the keyring.\n`
        : `No passphrase was stored for ${profile.repository}.\n`,
    );
    return EXIT.ok;
  }
  if (profile.encryption === 'none') {
    process.stderr.write(`Profile "${profile.id}" is not encrypted: it needs no passphrase.\n`);
    return EXIT.error;
  }
  const secret = await readSecret('Passphrase: ');
  if (!secret) {
    process.stderr.write('No passphrase given on stdin; nothing stored.\n');
    return EXIT.error;
  }
  const saved = valueOf(await engine.setPassphrase(profile.id, secret));
  process.stdout.write(
    saved.verified
      ? `Stored the passphrase for ${profile.repository} in the keyring; it opens the repository.\n`
      : `Stored the passphrase for ${profile.repository} in the keyring without checking it: ${saved.note}\n`,
  );
  return EXIT.ok;
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'config-dir': { type: 'string' },
      json: { type: 'boolean', default: false },
      lines: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    process.stdout.write(USAGE + '\n');
    return command || values.help ? EXIT.ok : EXIT.error;
  }
  const configDir = values['config-dir'] ?? defaultConfigDir();
  switch (command) {
    case 'run':
      return cmdRun(configDir, need(rest[0], 'profile'));
    case 'status': {
      const engine = await openEngine(configDir);
      const report = await engine.status();
      if (values.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
      else printStatus(report);
      return EXIT.ok;
    }
    case 'daemon': {
      // Loaded only here: the triggers pull in chokidar and node-schedule, which `run` does not need.
      const { runDaemon } = await import('./daemon.js');
      return runDaemon({ configDir });
    }
    case 'init': {
      const engine = await openEngine(configDir);
      const p = profileOf(engine, need(rest[0], 'profile'));
      valueOf(await engine.init(p.id));
      process.stdout.write(`Created the repository ${p.repository} (encryption: ${p.encryption}).\n`);
      if (p.encryption?.startsWith('repokey') || p.encryption?.startsWith('keyfile'))
        process.stdout.write(`Keep a copy of the key somewhere safe: borg key export ${p.repository} <file>\n`);
      return EXIT.ok;
    }
    case 'passphrase':
      return cmdPassphrase(configDir, rest[0], rest[1]);
    case 'archives': {
      const engine = await openEngine(configDir);
      const archives = valueOf(await engine.archives(profileOf(engine, need(rest[0], 'profile')).id));
      if (values.json) process.stdout.write(JSON.stringify({ archives }, null, 2) + '\n');
      else
        for (const a of archives) {
          const size = a.originalSize !== null ? `\t${a.nfiles ?? '?'} files, ${formatBytes(a.originalSize)}` : '';
          process.stdout.write(`${a.name}\t${a.start}${size}\n`);
        }
      return EXIT.ok;
    }
    case 'logs': {
      const engine = await openEngine(configDir);
      const n = values.lines === undefined ? 40 : Number(values.lines);
      if (!Number.isInteger(n) || n <= 0) throw new UsageError('--lines needs a positive whole number.');
      const { file, lines } = valueOf(await engine.logTail(profileOf(engine, need(rest[0], 'profile')).id, n));
      if (!file) {
        process.stderr.write(`No runs logged yet for "${rest[0]}".\n`);
        return EXIT.error;
      }
      process.stdout.write(lines.join('\n') + (lines.length ? '\n' : ''));
      return EXIT.ok;
    }
    case 'doctor': {
      const { doctor } = await import('./doctor.js');
      const { engine } = await Engine.open({ configDir });
      const findings = await doctor(engine, rest[0]);
      for (const f of findings) {
        process.stdout.write(`${f.ok ? 'ok  ' : 'FAIL'} ${f.check}: ${f.message}\n`);
        if (!f.ok && f.fix) process.stdout.write(`     → ${f.fix}\n`);
      }
      return findings.every((f) => f.ok) ? EXIT.ok : EXIT.error;
    }
    default:
      throw new UsageError(`Unknown command "${command}".`);
  }
}

// Node 22+ (and Electron) can keep compiled code between runs: a shorter start for every `dandelion run`.
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError) process.stderr.write(`${err.message}\n\n${USAGE}\n`);
    else if (err instanceof Stop) process.stderr.write(err.lines.map((l) => `${l}\n`).join(''));
    else if ((err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) process.stderr.write(`${(err as Error).message}\n\n${USAGE}\n`);
    else process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`);
    process.exitCode = EXIT.error;
  },
);
