#!/usr/bin/env node
import module from 'node:module';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { defaultConfigDir } from './paths.js';
import { Engine, type Outcome, type StatusReport } from './engine.js';
import { isKeyfileMode } from './engine/status.js';
import type { Profile } from './profiles/schema.js';
import { describeError } from './profiles/store.js';
import type { RunRecord } from './records.js';
import type { Diagnosis } from './diagnosis.js';
import { formatBytes, localWhen, timeAgo } from './format.js';
import { readSecret } from './cli-input.js';
import { passphraseRefusal, passphraseWarnings } from './ipc/passphrase-rules.js';

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
  key export <profile> [--paper] [--to FILE]
                             a copy of the repository key (to stdout, or to a new 0600 file): keep it off this computer
  doctor [<profile>]         check borg, config, repository, passphrase and connection
  --version                  print Dandelion's version

archives and logs take the only profile when there is one.
The config dir defaults to ${defaultConfigDir()} (or $DANDELION_CONFIG_DIR).`;

/** The version in the package.json beside dist/ (this file is dist/cli.js). */
function version(): string {
  const file = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'package.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

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
  if (!load.ok) {
    // A syntax error is one line that names where it is; field errors are listed under the file.
    const [only] = load.errors;
    if (load.errors.length === 1 && only?.line !== undefined)
      throw new Stop([describeError(load.file, only), `  ${load.file} was left as it is; fix it and try again.`]);
    throw new Stop([`${load.file} is not valid:`, ...load.errors.map((e) => `  ${e.path}: ${e.message}`)]);
  }
  return engine;
}

function profileOf(engine: Engine, id: string): Profile {
  const p = engine.profile(id);
  if (p) return p;
  const known = engine.config.profiles.map((x) => x.id);
  throw new Stop([`No profile "${id}" in config.json${known.length ? ` (profiles: ${known.join(', ')})` : ''}`]);
}

/** `archives` and `logs` need no profile name when there is only one profile. */
function profileOrOnly(engine: Engine, id: string | undefined, command: string): Profile {
  if (id) return profileOf(engine, id);
  const all = engine.config.profiles;
  if (all.length === 1) return all[0]!;
  if (!all.length) throw new Stop(['No profiles yet: add one to config.json.']);
  throw new Stop([
    `Which profile? There are ${all.length}: ${all.map((p) => p.id).join(', ')}. For example: dandelion ${command} ${all[0]!.id}`,
  ]);
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
  // A closed terminal or a dropped ssh session (SIGHUP) is a cancel like Ctrl-C: borg checkpoints, the run is recorded.
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, abort);
  // Output nobody reads (`| head -1`, a closed terminal) must never stop a backup: write errors are dropped.
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {});
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

function printStatus(report: StatusReport, keyOnlyHere: Set<string>, now = new Date()): void {
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
    if (keyOnlyHere.has(p.id))
      process.stdout.write(
        `  The repository key exists only on this computer and was never exported: \`dandelion key export ${p.id} --to FILE\`, and keep the file elsewhere.\n`,
      );
  }
  const automatic = report.profiles.length > 0;
  if (report.scheduler)
    process.stdout.write(
      `Schedules and disk triggers: ${report.scheduler.what}, since ${localWhen(new Date(report.scheduler.since), now)}.\n`,
    );
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
  const refusal = passphraseRefusal(secret);
  if (refusal !== null) {
    process.stderr.write(`${refusal}\n`);
    return EXIT.error;
  }
  for (const warning of passphraseWarnings(secret, true)) process.stderr.write(`Note: ${warning}\n`);
  const saved = valueOf(await engine.setPassphrase(profile.id, secret));
  process.stdout.write(
    saved.verified
      ? `Stored the passphrase for ${profile.repository} in the keyring; it opens the repository.\n`
      : `Stored the passphrase for ${profile.repository} in the keyring without checking it: ${saved.note}\n`,
  );
  return EXIT.ok;
}

/** What to keep somewhere other than this computer, said right after the repository is created. */
function recoveryAdvice(p: Profile): string {
  const lines = [
    'Store the passphrase somewhere other than this computer (a password manager, paper in a drawer): without it the backups cannot be read.',
  ];
  if (isKeyfileMode(p.encryption))
    lines.push(
      `The key is only on this computer (${p.encryption}): store a copy elsewhere too, with \`dandelion key export ${p.id} --to FILE\` (or \`--paper\` to print it).`,
    );
  else
    lines.push(
      `The key is inside the repository; a copy elsewhere (\`dandelion key export ${p.id} --to FILE\`) helps if the repository is damaged.`,
    );
  return lines.map((l) => `${l}\n`).join('');
}

async function cmdKey(
  configDir: string,
  sub: string | undefined,
  id: string | undefined,
  paper: boolean,
  to: string | undefined,
): Promise<number> {
  if (sub !== 'export') throw new UsageError('Usage: dandelion key export <profile> [--paper] [--to FILE]');
  if (to !== undefined && !to.trim()) throw new UsageError('--to is empty: name the file to write the key to.');
  const engine = await openEngine(configDir);
  const p = profileOf(engine, need(id, 'profile'));
  const out = valueOf(await engine.exportKey(p.id, { paper, to: to === undefined ? null : path.resolve(to) }));
  if (out.file)
    process.stdout.write(
      `Wrote the key of ${p.repository} to ${out.file} (readable by you only). Keep it somewhere other than this computer; with the passphrase it opens the backups.\n`,
    );
  else process.stdout.write(out.text ?? '');
  return EXIT.ok;
}

/** node's parseArgs explains how to pass a positional starting with '-': one sentence is enough here. */
function firstSentence(message: string): string {
  const end = message.indexOf('. ');
  return end === -1 ? message : message.slice(0, end + 1);
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'config-dir': { type: 'string' },
      json: { type: 'boolean', default: false },
      lines: { type: 'string' },
      paper: { type: 'boolean', default: false },
      to: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
      version: { type: 'boolean', default: false },
    },
  });
  const [command, ...rest] = positionals;
  if (values.version) {
    process.stdout.write(`dandelion ${version()}\n`);
    return EXIT.ok;
  }
  if (values.help || !command) {
    process.stdout.write(USAGE + '\n');
    return command || values.help ? EXIT.ok : EXIT.error;
  }
  // An empty folder name would quietly mean the current folder: a config nobody meant to use.
  if (values['config-dir'] !== undefined && !values['config-dir'].trim())
    throw new UsageError('--config-dir is empty: name the config folder, or leave the option out.');
  if (values['config-dir'] === undefined && process.env.DANDELION_CONFIG_DIR !== undefined && !process.env.DANDELION_CONFIG_DIR.trim())
    throw new UsageError('DANDELION_CONFIG_DIR is set but empty: name the config folder, or unset it.');
  const configDir = values['config-dir'] ?? defaultConfigDir();
  switch (command) {
    case 'run':
      return cmdRun(configDir, need(rest[0], 'profile'));
    case 'status': {
      const engine = await openEngine(configDir);
      const report = await engine.status();
      if (values.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
      else {
        const keyOnlyHere = new Set<string>();
        for (const p of report.profiles) if (await engine.keyOnlyHere(p.id)) keyOnlyHere.add(p.id);
        printStatus(report, keyOnlyHere);
      }
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
      if (p.encryption && p.encryption !== 'none') process.stdout.write(recoveryAdvice(p));
      return EXIT.ok;
    }
    case 'passphrase':
      return cmdPassphrase(configDir, rest[0], rest[1]);
    case 'archives': {
      const engine = await openEngine(configDir);
      const archives = valueOf(await engine.archives(profileOrOnly(engine, rest[0], 'archives').id));
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
      const p = profileOrOnly(engine, rest[0], 'logs');
      const { file, lines } = valueOf(await engine.logTail(p.id, n));
      if (!file) {
        process.stderr.write(`No runs logged yet for "${p.id}".\n`);
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
    case 'key':
      return cmdKey(configDir, rest[0], rest[1], values.paper, values.to);
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
    else if ((err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS'))
      process.stderr.write(`${firstSentence((err as Error).message)}\n\n${USAGE}\n`);
    else {
      // Nothing should get here: every engine call ends in an Outcome. A stack trace helps only us.
      const message = err instanceof Error ? err.message : String(err);
      process.stderr.write(`Unexpected error: ${message}\n`);
      if (process.env.DANDELION_DEBUG === '1' && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
      else
        process.stderr.write(
          'This is a bug in Dandelion: please report it, with the output of `dandelion doctor` (DANDELION_DEBUG=1 shows where it happened).\n',
        );
    }
    process.exitCode = EXIT.error;
  },
);
