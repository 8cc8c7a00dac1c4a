#!/usr/bin/env node
import module from 'node:module';
import { existsSync, readFileSync, statSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { defaultConfigDir } from './paths.js';
// The engine (and zod, the schema, borg's runner…) is imported by the commands that use it, not at start:
// `--version`, help and a usage error answer without loading it.
import type { Engine, FolderEntry, Outcome, StatusReport } from './engine.js';
import type { FieldError, Profile } from './profiles/schema.js';
import type { RunRecord } from './records.js';
import type { Diagnosis } from './diagnosis.js';
import { count, formatBytes, localWhen, timeAgo } from './format.js';
import { readSecret } from './cli-input.js';
import { passphraseRefusal, passphraseWarnings } from './ipc/passphrase-rules.js';
import type { PauseChoice, PauseState } from './engine/pause.js';
import { statusExit } from './status-exit.js';
import { closestNames } from './suggest.js';

export const EXIT = { ok: 0, warning: 1, error: 2 } as const;
/** How long `run` waits for monitoring pings before it exits: a ping's whole budget (4 × 10 s + 2 + 4 + 8 s of backoff). */
const RUN_PING_WAIT_MS = 60_000;

// ---- output that nobody reads any more -------------------------------------------------------------

/**
 * `dandelion status | head -1`: the reader is gone after one line and the next write fails with
 * EPIPE. One handler for every command: output is dropped from then on and the command ends as it
 * would have (a backup or the daemon carries on; `logs --follow` stops), without a stack trace.
 */
const output = {
  closed: false,
  listeners: new Set<() => void>(),
  onClose(fn: () => void): () => void {
    if (this.closed) fn();
    else this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  },
};
process.stdout.on('error', () => {
  if (output.closed) return;
  output.closed = true;
  for (const fn of output.listeners) fn();
});
process.stderr.on('error', () => {});

function out(text: string): void {
  if (!output.closed) process.stdout.write(text);
}

function err(text: string): void {
  process.stderr.write(text);
}

// ---- errors that end a command ---------------------------------------------------------------------

/** A command line the command does not take: its message, then the command's usage; exit 2. */
class UsageError extends Error {
  constructor(
    message: string,
    readonly command?: Command,
  ) {
    super(message);
  }
}

/** What a `--json` caller gets instead of an answer: `{"error": {"kind": …, "message": …, …}}`. */
type JsonError = { kind: string; message: string } & Record<string, unknown>;

/**
 * Config errors, unknown profiles and failed engine calls end the command with their message (exit 2),
 * not a stack trace; `error` is the same for a caller that asked for JSON.
 */
class Stop extends Error {
  readonly error: JsonError;
  constructor(
    readonly lines: string[],
    error?: JsonError,
  ) {
    super(lines.join('\n'));
    this.error = error ?? { kind: 'error', message: lines.join('\n') };
  }
}

/** config.json that does not parse or validate: its errors, field by field. */
function configInvalid(lines: string[], file: string, errors: readonly FieldError[]): Stop {
  return new Stop(lines, { kind: 'config-invalid', message: lines[0]!.replace(/:$/, ''), file, errors });
}

// ---- the command table -----------------------------------------------------------------------------

interface OptionSpec {
  type: 'boolean' | 'string';
  short?: string;
  /** The value's name in help (`--lines N`); string options only. */
  value?: string;
  help: string;
}

interface Invocation {
  configDir: string;
  /** The arguments after the command name. */
  args: string[];
  values: Record<string, string | boolean | undefined>;
}

/**
 * One entry per command: what it takes, what help says about it, and what it does. Parsing, help
 * and the refusal of anything else are done once, from this, for all of them.
 */
interface Command {
  /** After `dandelion <name>` in the usage line. */
  synopsis: string;
  /** One line for the command list. */
  summary: string;
  /** More lines for `dandelion help <name>`. */
  description?: string[];
  options?: Record<string, OptionSpec>;
  /** How many arguments after the command name; max Infinity for a list. */
  args: { min: number; max: number };
  examples: string[];
  /** Lines like "0  …" for help. */
  exits: string[];
  /**
   * The config folder: `existing` (must exist: a mistyped path is an error, never an empty setup),
   * `create-default` (the default folder is made when missing: the daemon may start before the
   * first profile is written; a folder named on the command line must still exist), `none`.
   */
  config: 'existing' | 'create-default' | 'none';
  action(inv: Invocation): Promise<number>;
}

const EXITS_SIMPLE = ['0  done', '2  it could not be done (the reason and what to do are printed), or a wrong command line'];

const COMMANDS: Record<string, Command> = {
  run: {
    synopsis: '(<profile>... | --all)',
    summary: 'back up now: create, prune, compact, for each profile named (or all)',
    description: [
      'Runs borg create, then prune (only this profile’s archives) and compact, for each profile in turn,',
      'and reports each result. Ctrl-C (or a closed terminal) cancels: borg saves a checkpoint first, and',
      'profiles not started yet are not started.',
    ],
    options: { all: { type: 'boolean', help: 'every profile in config.json, in its order there' } },
    args: { min: 0, max: Infinity },
    examples: ['dandelion run offsite', 'dandelion run offsite backup-disk', 'dandelion run --all'],
    exits: [
      '0  every backup succeeded',
      '1  the worst was a warning (e.g. some files could not be read; the rest was saved)',
      '2  the worst was an error or a cancel, or a wrong command line (nothing was started)',
    ],
    config: 'existing',
    action: cmdRun,
  },
  status: {
    synopsis: '[--json]',
    summary: 'per profile: state, last run, last success, next run, overdue',
    options: { json: { type: 'boolean', help: 'the report as JSON (fields in the README), for scripts' } },
    args: { min: 0, max: 0 },
    examples: ['dandelion status', 'dandelion status --json', 'dandelion status >/dev/null || echo "backups need attention"'],
    exits: [
      '0  every profile is backed up and on time',
      '1  attention: a profile is overdue, was never backed up, its last backup had warnings or did not finish, or its key is only here; or no profile',
      '2  failing: a profile’s last backup ended in an error; or status could not be read (config not valid, no config folder;',
      '   with --json, {"error": {"kind": "config-invalid", …}} instead of a report)',
    ],
    config: 'existing',
    action: cmdStatus,
  },
  daemon: {
    synopsis: '',
    summary: 'run the schedules and disk triggers until SIGTERM or SIGINT',
    description: [
      'One process runs the schedules of a config folder (this or the app); another one started beside it',
      'waits and takes over when the first stops. Makes the default config folder when it is missing, so it',
      'can start before the first profile is written; a folder named by --config-dir must exist.',
    ],
    args: { min: 0, max: 0 },
    examples: ['dandelion daemon', 'DANDELION_CONFIG_DIR=/etc/dandelion dandelion daemon'],
    exits: ['0  stopped by a signal', '2  could not start (config not valid, no config folder) or a wrong command line'],
    config: 'create-default',
    action: async ({ configDir }) => {
      // Loaded only here: the triggers pull in chokidar and node-schedule, which `run` does not need.
      const { runDaemon } = await import('./daemon.js');
      return runDaemon({ configDir });
    },
  },
  init: {
    synopsis: '<profile>',
    summary: 'create the profile’s repository (borg init) with its encryption',
    args: { min: 1, max: 1 },
    examples: ['dandelion passphrase set offsite && dandelion init offsite'],
    exits: EXITS_SIMPLE,
    config: 'existing',
    action: cmdInit,
  },
  passphrase: {
    synopsis: '(set | delete) <profile>',
    summary: 'set: read the passphrase from stdin, check it, store it in the OS keyring; delete: remove it',
    description: [
      'set checks that the passphrase opens the repository first: a wrong one is refused and the stored one',
      'kept; for a repository not created yet (or whose disk is away) it is stored unchecked. A profile with',
      'a "passcommand" takes its passphrase from that command, never from the keyring: set refuses it and',
      'names the passcommand, which is what to fix (or remove it from the profile to use the keyring).',
    ],
    args: { min: 2, max: 2 },
    examples: [
      'dandelion passphrase set offsite',
      'pass show borg/offsite | dandelion passphrase set offsite',
      'dandelion passphrase delete offsite',
    ],
    exits: EXITS_SIMPLE,
    config: 'existing',
    action: cmdPassphrase,
  },
  archives: {
    synopsis: '[<profile>] [--json]',
    summary: 'the profile’s archives, oldest first, checkpoints marked',
    description: ['Takes the only profile when there is one.'],
    options: { json: { type: 'boolean', help: 'the list as JSON, for scripts' } },
    args: { min: 0, max: 1 },
    examples: ['dandelion archives offsite', 'dandelion archives offsite --json'],
    exits: EXITS_SIMPLE,
    config: 'existing',
    action: cmdArchives,
  },
  browse: {
    synopsis: '<profile> [--archive NAME|latest] [FOLDER] [--json]',
    summary: 'the files and folders in one folder of an archive (default: the latest archive, its top)',
    description: [
      'FOLDER is a path inside the archive as `dandelion find` prints it (Users/me/Documents; a leading / is',
      'fine). The first look at an archive reads it once with borg, which takes as long as a `borg list`',
      'of the whole archive; what it learns is kept (in the config folder’s cache), so every later folder,',
      'find and versions of that archive answers at once. Folders come first, then names as Finder sorts them.',
    ],
    options: {
      archive: { type: 'string', value: 'NAME', help: 'the archive, as `dandelion archives` names it, or latest (the default)' },
      json: { type: 'boolean', help: 'the folder as JSON (archive, folder, entries with path, type, size, mtime), for scripts' },
    },
    args: { min: 1, max: 2 },
    examples: [
      'dandelion browse offsite',
      'dandelion browse offsite Users/me/Documents',
      'dandelion browse offsite --archive mbp-daily-2026-12-01T10:00:00 /Users/me',
    ],
    exits: ['0  listed', '2  no such archive or folder, borg could not read it (the reason is printed), or a wrong command line'],
    config: 'existing',
    action: cmdBrowse,
  },
  find: {
    synopsis: '<profile> [--archive NAME|latest] PATTERN [--json]',
    summary: 'files and folders of an archive whose name matches PATTERN (capitals ignored)',
    description: [
      'PATTERN is a piece of the name (report finds "Q3 Report.pdf"), or a shell-style pattern for the',
      'whole name when it holds * or ? ("*.jpg", "IMG_20??.*"; quote it so the shell leaves it alone).',
      `Prints each match’s path inside the archive, shallowest first, at most 1,000.`,
    ],
    options: {
      archive: { type: 'string', value: 'NAME', help: 'the archive, as `dandelion archives` names it, or latest (the default)' },
      json: { type: 'boolean', help: 'the matches as JSON (entries, and more: true when there were over 1,000)' },
    },
    args: { min: 2, max: 2 },
    examples: ['dandelion find offsite report', "dandelion find offsite '*.numbers'", 'dandelion find offsite --archive latest IMG_2024'],
    exits: ['0  something matched', '1  nothing matched', '2  it could not be searched (the reason is printed), or a wrong command line'],
    config: 'existing',
    action: cmdFind,
  },
  versions: {
    synopsis: '<profile> PATH [--json]',
    summary: 'every archive that holds PATH, newest first, with its size and modification time, and where it changed',
    description: [
      'PATH is a path inside the archives, as `dandelion find` prints it. The first time, each archive not',
      'read before is read once (as long as a `borg list` of it); after that the answer comes at once.',
    ],
    options: { json: { type: 'boolean', help: 'the versions as JSON (archive, time, type, size, mtime, changed)' } },
    args: { min: 2, max: 2 },
    examples: ['dandelion versions offsite Users/me/Documents/thesis.tex', 'dandelion versions offsite /Users/me/.zshrc --json'],
    exits: [
      '0  at least one archive holds it',
      '1  no archive holds it',
      '2  it could not be looked up (the reason is printed), or a wrong command line',
    ],
    config: 'existing',
    action: cmdVersions,
  },
  check: {
    synopsis: '<profile> [--verify-data] [--json]',
    summary: 'borg check of the profile’s repository and archives: is anything damaged?',
    description: [
      'Runs after a backup by itself every check.everyDays days (default 30). Reads the repository’s storage',
      'files and every archive’s metadata; --verify-data also reads, decrypts and authenticates every piece of',
      'data (as slow as reading the whole repository). Never repairs anything: damage is reported with what to do.',
      'Ctrl-C cancels.',
    ],
    options: {
      'verify-data': { type: 'boolean', help: 'also read and authenticate all data (default: the profile’s check.verifyData)' },
      json: { type: 'boolean', help: 'the record as JSON, for scripts' },
    },
    args: { min: 1, max: 1 },
    examples: ['dandelion check offsite', 'dandelion check offsite --verify-data'],
    exits: [
      '0  no damage found',
      '1  a warning',
      '2  damage found (what and what to do are printed), cancelled, could not run, or a wrong command line',
    ],
    config: 'existing',
    action: (inv) => cmdVerify(inv, 'check'),
  },
  drill: {
    synopsis: '<profile> [--json]',
    summary: 'restore drill: prove the latest backup can be restored',
    description: [
      'Reads, decrypts and authenticates every piece of the latest archive (borg extract --dry-run), then restores',
      'up to 100 random files (at most 200 MB) into a private temporary folder and compares each byte for byte',
      'with its original, where the original has not changed since the backup. The folder is removed afterwards.',
      'Runs after a check by itself every check.everyDays days. Ctrl-C cancels.',
    ],
    options: { json: { type: 'boolean', help: 'the record as JSON, for scripts' } },
    args: { min: 1, max: 1 },
    examples: ['dandelion drill offsite', 'dandelion drill offsite --json'],
    exits: [
      '0  proven restorable',
      '1  a warning',
      '2  damage or a restored file that differs (printed with what to do), cancelled, could not run, or a wrong command line',
    ],
    config: 'existing',
    action: (inv) => cmdVerify(inv, 'drill'),
  },
  history: {
    synopsis: '[<profile>] [--lines N] [--json]',
    summary: 'what was done lately, newest first: backups, restores, checks and restore drills, each marked',
    description: [
      'Takes the only profile when there is one. Each line: when it ended (local time), its kind (backup,',
      'restore, check, drill), what it did, and for a failure what went wrong. Only the records of the',
      'profile’s current repository; triggers that decided not to run are left out.',
    ],
    options: {
      lines: { type: 'string', short: 'n', value: 'N', help: 'how many entries (default 20)' },
      json: { type: 'boolean', help: 'the entries as JSON (kind, result, at, text, diagnosis…), for scripts' },
    },
    args: { min: 0, max: 1 },
    examples: ['dandelion history offsite', 'dandelion history offsite --lines 100', 'dandelion history offsite --json'],
    exits: EXITS_SIMPLE,
    config: 'existing',
    action: cmdHistory,
  },
  logs: {
    synopsis: '[<profile>] [--lines N] [--follow]',
    summary: 'the end of the latest run’s log; --follow keeps printing the current or next run’s log',
    description: ['Takes the only profile when there is one.'],
    options: {
      lines: { type: 'string', short: 'n', value: 'N', help: 'how many lines from the end (default 40)' },
      follow: {
        type: 'boolean',
        short: 'f',
        help: 'then follow the run going on (or wait for the next one) until it ends, or Ctrl-C',
      },
    },
    args: { min: 0, max: 1 },
    examples: ['dandelion logs offsite', 'dandelion logs offsite --lines 200', 'dandelion logs offsite --follow'],
    exits: [
      '0  done (with --follow: the run ended, or Ctrl-C)',
      '2  no log yet (without --follow), or it could not be read, or a wrong command line',
    ],
    config: 'existing',
    action: cmdLogs,
  },
  restore: {
    synopsis: '<profile> [--archive NAME|latest] [--to DIR | --in-place] [--json] [PATH...]',
    summary: 'get files back from an archive: into a new folder, or put back where they were',
    description: [
      'PATHs are paths as the archive holds them (as they were on this computer, e.g. /home/me/Documents/report.pdf);',
      'files or folders; none restores the whole archive. Without --in-place the files go into a new folder',
      '"Restored from <archive>" inside DIR (default: your Downloads folder, else your home), with the folder',
      'structure the archive has; an existing folder is never used. --in-place puts them back where they were',
      '(under DIR when given, else under /) and never overwrites: a file there that differs is kept and the',
      'restored copy goes beside it as "name (restored <date of the backup>).ext"; identical files are left alone.',
      'Names that would land outside the target (.., paths under a link the archive holds) are never written.',
      'Ctrl-C cancels: what was begun is removed, nothing is left half-written.',
    ],
    options: {
      archive: { type: 'string', value: 'NAME', help: 'the archive to restore from (default: latest, the newest complete one)' },
      to: { type: 'string', value: 'DIR', help: 'the folder to restore into' },
      'in-place': { type: 'boolean', help: 'put the files back where they were (Keep Both when a file differs)' },
      wait: { type: 'boolean', help: 'when a backup of the same repository is running, wait for it instead of stopping' },
      json: { type: 'boolean', help: 'the result as JSON on stdout, for scripts' },
    },
    args: { min: 1, max: Infinity },
    examples: [
      'dandelion restore offsite /home/me/Documents/report.pdf',
      'dandelion restore offsite --archive mbp-daily-2026-12-02T10:00:00 --to /tmp /home/me/Pictures',
      'dandelion restore offsite --in-place /home/me/Documents',
    ],
    exits: [
      '0  everything asked for was restored',
      '1  restored, with a warning (some files could not be read or put back, or names outside the target were left out)',
      '2  nothing was restored: an error (the reason and what to do are printed), a cancel, or a wrong command line',
    ],
    config: 'existing',
    action: cmdRestore,
  },
  key: {
    synopsis: 'export <profile> [--paper] [--to FILE]',
    summary: 'a copy of the repository key, to stdout or to a new 0600 file: keep it off this computer',
    options: {
      paper: { type: 'boolean', help: 'the form to print on paper and type back in' },
      to: { type: 'string', value: 'FILE', help: 'write to this new file (never over an existing one) instead of stdout' },
    },
    args: { min: 2, max: 2 },
    examples: ['dandelion key export offsite --to /Volumes/usb/offsite.key', 'dandelion key export offsite --paper'],
    exits: EXITS_SIMPLE,
    config: 'existing',
    action: cmdKey,
  },
  doctor: {
    synopsis: '[<profile>]',
    summary: 'check borg, config, repository, passphrase and connection',
    args: { min: 0, max: 1 },
    examples: ['dandelion doctor', 'dandelion doctor offsite'],
    exits: ['0  every check passed', '2  a check failed (each says what to do), or a wrong command line'],
    config: 'existing',
    action: cmdDoctor,
  },
  import: {
    synopsis: 'FILE... [--apply] [--json]',
    summary: 'bring an existing borg setup (script, launchd plist, crontab, borgmatic, Vorta): shows, then --apply saves',
    description: [
      'Reads each file as text (never runs it) and prints the profiles it would create and a report: what was',
      'carried over, what was left out (file:line and why), and what you still have to do. Nothing is written.',
      'With --apply the profiles are added to config.json (every rule of a save applies), a passphrase found in',
      'a file goes to the keyring (never config.json), and each repository is checked with borg.',
      'Imported profiles keep the old archive names, so pruning goes on thinning out the old archives too.',
    ],
    options: {
      apply: { type: 'boolean', help: 'save the profiles, store the passphrases, check the repositories' },
      json: { type: 'boolean', help: 'the same as JSON (no passphrase, monitoring addresses by host only)' },
    },
    args: { min: 1, max: Infinity },
    examples: ['dandelion import ~/bin/borg-backup.sh', 'dandelion import ~/Library/LaunchAgents/com.me.borg.plist --apply'],
    exits: [
      '0  everything was carried over (and, with --apply, saved and checked)',
      '1  imported, with something left out or still to do (listed)',
      '2  nothing importable, a file missing, or the save refused (nothing was written)',
    ],
    config: 'none',
    action: cmdImport,
  },
  pause: {
    synopsis: '[--for DURATION | --until-tomorrow]',
    summary: 'pause scheduled and disk-triggered backups (without an option: until resume)',
    description: [
      'Whichever process runs the schedules (the app or the daemon) honours the pause; `run` still backs up.',
      'What came due during the pause runs once when it ends, by its time or by `dandelion resume`.',
    ],
    options: {
      for: { type: 'string', value: 'DURATION', help: 'how long, e.g. 30m, 1h or 2d' },
      'until-tomorrow': { type: 'boolean', help: 'until the next local midnight' },
    },
    args: { min: 0, max: 0 },
    examples: ['dandelion pause --for 1h', 'dandelion pause --until-tomorrow', 'dandelion pause'],
    exits: EXITS_SIMPLE,
    config: 'existing',
    action: ({ configDir, values }) => cmdPause(configDir, values.for as string | undefined, values['until-tomorrow'] === true),
  },
  resume: {
    synopsis: '',
    summary: 'end a pause now: what came due meanwhile runs once',
    args: { min: 0, max: 0 },
    examples: ['dandelion resume'],
    exits: EXITS_SIMPLE,
    config: 'existing',
    action: ({ configDir }) => cmdResume(configDir),
  },
  help: {
    synopsis: '[<command>]',
    summary: 'this list, or one command’s options, examples and exit codes',
    args: { min: 0, max: 1 },
    examples: ['dandelion help run'],
    exits: ['0  done', '2  no such command'],
    config: 'none',
    action: async ({ args }) => {
      const [name] = args;
      if (name === undefined) {
        out(usage() + '\n');
        return EXIT.ok;
      }
      out(commandHelp(name, commandNamed(name)) + '\n');
      return EXIT.ok;
    },
  },
};

/** Options every command takes. */
const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  'config-dir': { type: 'string', value: 'DIR', help: 'the config folder (default below, or $DANDELION_CONFIG_DIR)' },
  help: { type: 'boolean', short: 'h', help: 'help for the command' },
};

function commandNamed(name: string): Command {
  const c = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!c) throw new UsageError(`Unknown command "${name}".${didYouMean(name, Object.keys(COMMANDS))}`);
  return c;
}

// ---- help ------------------------------------------------------------------------------------------

/** The version in the package.json beside dist/ (this file is dist/cli.js). */
function packageFile(name: string): string {
  return path.join(path.dirname(fileURLToPath(import.meta.url)), '..', name);
}

function version(): string {
  return (JSON.parse(readFileSync(packageFile('package.json'), 'utf8')) as { version: string }).version;
}

function environmentHelp(): string[] {
  return [
    'Environment:',
    `  DANDELION_CONFIG_DIR           the config folder when --config-dir is not given (default ${defaultConfigDir({})})`,
    '  DANDELION_DEBUG=1              an unexpected error shows where it happened (a stack trace)',
    '  DANDELION_KNOWN_HOSTS          the known_hosts file ssh checks servers against (default ~/.ssh/known_hosts)',
    '  DANDELION_PASSCOMMAND_TIMEOUT  seconds a profile’s passcommand may take (default 60)',
    '  DANDELION_INDEX_CACHE_MB       disk space the archive indexes of browse, find and versions may take (default 500)',
    '',
    `config.json (in the config folder) is described in the README, section "config.json"${existsSync(packageFile('README.md')) ? ` (${packageFile('README.md')})` : ''}.`,
  ];
}

function optionLines(options: Record<string, OptionSpec>): string[] {
  return Object.entries(options).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.value ? ` ${o.value}` : ''}`;
    return `  ${flag.padEnd(22)} ${o.help}`;
  });
}

function usageLine(name: string, c: Command): string {
  return `dandelion ${name}${c.synopsis ? ` ${c.synopsis}` : ''}`;
}

export function usage(): string {
  const lines = ['Usage: dandelion [--config-dir DIR] <command> [arguments]', '', 'Commands:'];
  for (const [name, c] of Object.entries(COMMANDS)) {
    const head = `${name}${c.synopsis ? ` ${c.synopsis}` : ''}`;
    lines.push(head.length < 26 ? `  ${head.padEnd(26)} ${c.summary}` : `  ${head}\n  ${''.padEnd(26)} ${c.summary}`);
  }
  lines.push(
    `  ${'--version'.padEnd(26)} print Dandelion's version`,
    '',
    'Options for every command:',
    ...optionLines(GLOBAL_OPTIONS),
    '',
    'Exit codes: 0 done; 1 attention (run: a warning; status: overdue, never backed up or warnings);',
    '2 an error, a failing profile, or a wrong command line. `dandelion help <command>` tells each.',
    '',
    ...environmentHelp(),
  );
  return lines.join('\n');
}

function commandHelp(name: string, c: Command): string {
  const lines = [`Usage: ${usageLine(name, c)}`, '', `${c.summary[0]!.toUpperCase()}${c.summary.slice(1)}.`];
  if (c.description) lines.push(...c.description);
  lines.push('', 'Options:', ...optionLines({ ...c.options, ...GLOBAL_OPTIONS }));
  lines.push('', 'Examples:', ...c.examples.map((e) => `  ${e}`));
  lines.push('', 'Exit codes:', ...c.exits.map((e) => `  ${e}`));
  lines.push('', ...environmentHelp());
  return lines.join('\n');
}

// ---- shared pieces ---------------------------------------------------------------------------------

function exitFor(r: RunRecord): number {
  if (r.result === 'success' || r.result === 'skipped') return EXIT.ok;
  if (r.result === 'warning') return EXIT.warning;
  return EXIT.error;
}

function printDiagnoses(diagnoses: Diagnosis[]): void {
  for (const d of diagnoses) {
    err(`${d.message}\n`);
    if (d.fix) err(`  → ${d.fix}\n`);
  }
}

async function openEngine(configDir: string, busy: 'fail' | 'wait' = 'fail'): Promise<Engine> {
  const { Engine } = await import('./engine.js');
  const { engine, load } = await Engine.open({ configDir, busy });
  if (!load.ok) {
    // A syntax error is one line that names where it is; field errors are listed under the file.
    const [only] = load.errors;
    const { describeError } = await import('./profiles/store.js');
    if (load.errors.length === 1 && only?.line !== undefined)
      throw configInvalid(
        [describeError(load.file, only), `  ${load.file} was left as it is; fix it and try again.`],
        load.file,
        load.errors,
      );
    throw configInvalid([`${load.file} is not valid:`, ...load.errors.map((e) => `  ${e.path}: ${e.message}`)], load.file, load.errors);
  }
  return engine;
}

function profileOf(engine: Engine, id: string): Profile {
  const p = engine.profile(id);
  if (p) return p;
  const known = engine.config.profiles.map((x) => x.id);
  const message = `No profile "${id}" in config.json${known.length ? ` (profiles: ${known.join(', ')})` : ''}.${didYouMean(id, known)}`;
  throw new Stop([message], { kind: 'unknown-profile', message, profile: id, profiles: known, suggestions: closestNames(id, known) });
}

/** ` Did you mean "status"?` when a known name is close to the one given (suggest.ts), else nothing. */
function didYouMean(given: string, known: readonly string[], name = (n: string) => `"${n}"`): string {
  const near = closestNames(given, known);
  return near.length ? ` Did you mean ${near.map(name).join(' or ')}?` : '';
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
  const { kind, message, fix } = o.diagnosis;
  throw new Stop([], { kind, message, fix });
}

let timeFormat: Intl.DateTimeFormat | null = null;

/** A time as the person reading it says it: local, with the zone, on their locale's clock. */
function localTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  // Made once: a listing of 200,000 files says as many times.
  timeFormat ??= new Intl.DateTimeFormat(undefined, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
    timeZoneName: 'short',
  });
  return timeFormat.format(d);
}

/** Each text padded to the widest of them: a column, however long the locale words a time. */
function column(texts: readonly string[]): string[] {
  const width = Math.max(0, ...texts.map((t) => t.length));
  return texts.map((t) => t.padEnd(width));
}

// ---- the commands ----------------------------------------------------------------------------------

async function cmdRun({ configDir, args, values }: Invocation): Promise<number> {
  const cmd = COMMANDS.run!;
  if (values.all && args.length) throw new UsageError('Name profiles or give --all, not both.', cmd);
  if (!values.all && !args.length) throw new UsageError('Missing profile: name one or more, or give --all.', cmd);
  const engine = await openEngine(configDir);
  // Every name is checked before anything starts: a typo in the second never leaves the first half done.
  const ids = values.all ? engine.config.profiles.map((p) => p.id) : [...new Set(args)];
  if (values.all && !ids.length) throw new Stop(['No profiles yet: add one to config.json.']);
  for (const id of ids) profileOf(engine, id);

  const tty = process.stdout.isTTY === true;
  let lastPlain = 0;
  let shown = false;
  let step = '';
  // At most 4 progress events a second: the terminal is redrawn no more often than that.
  engine.on('progress', ({ progress: event }) => {
    if (event.step !== step && (event.step === 'create' || event.step === 'prune' || event.step === 'compact')) {
      if (shown && tty) out('\n');
      shown = false;
      step = event.step;
      out(`${event.step}…\n`);
    }
    if (event.step === 'create' && event.nfiles > 0) {
      const line = `${count(event.nfiles, 'file')}, ${formatBytes(event.originalSize)} read, ${formatBytes(event.deduplicatedSize)} new`;
      if (tty) {
        const width = process.stdout.columns ?? 80;
        // borg reports paths as stored in the archive, without the leading slash.
        const text = `${line}  ${event.path && !event.path.startsWith('/') ? '/' : ''}${event.path}`;
        out(`\r\x1b[K${text.length > width - 1 ? text.slice(0, width - 2) + '…' : text}`);
        shown = true;
      } else if (Date.now() - lastPlain > 5000) {
        lastPlain = Date.now();
        out(`${line}\n`);
      }
    }
  });
  // Stay alive until borg has written its checkpoint and exited; borg runs in its own process group.
  let current: string | null = null;
  let stopped = false;
  const abort = () => {
    stopped = true;
    if (current && engine.cancel(current)) err('\nCancelling: borg is saving a checkpoint…\n');
  };
  // A closed terminal or a dropped ssh session (SIGHUP) is a cancel like Ctrl-C: borg checkpoints, the run is recorded.
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, abort);

  const several = ids.length > 1;
  const results: { id: string; result: string }[] = [];
  let code: number = EXIT.ok;
  for (const id of ids) {
    if (stopped) {
      results.push({ id, result: 'not started (cancelled)' });
      code = Math.max(code, EXIT.error);
      continue;
    }
    if (several) out(`${results.length ? '\n' : ''}== ${id} ==\n`);
    current = id;
    step = '';
    shown = false;
    const record = await engine.run(id, { trigger: 'manual' });
    current = null;
    // A check and drill that came due with this backup: Ctrl-C cancels them too.
    const verifying = engine.verificationAfterRun(id);
    const stopVerify = () => engine.cancelOperation(id);
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, stopVerify);
    const verified = await verifying;
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.off(sig, stopVerify);
    if (shown && tty) out('\n');
    const summary = [`${record.result}`];
    if (record.archive) summary.push(`archive ${record.archive}`);
    if (record.stats)
      summary.push(
        `${count(record.stats.nfiles, 'file')}, ${formatBytes(record.stats.originalSize)}, ${formatBytes(record.stats.deduplicatedSize)} new`,
      );
    out(`${summary.join(' — ')}\n`);
    if (record.result !== 'success')
      printDiagnoses(
        record.diagnoses.length ? record.diagnoses : record.message ? [{ kind: 'unknown', message: record.message, fix: '' }] : [],
      );
    if (record.log) out(`log: ${record.log}\n`);
    results.push({ id, result: record.result });
    code = Math.max(code, exitFor(record));
    for (const op of verified) {
      out(
        `${op.kind === 'check' ? 'check' : 'restore drill'} (due every ${engine.profile(id)?.check.everyDays ?? 30} days): ${op.result}${op.message && op.result === 'success' ? ` — ${op.message}` : ''}\n`,
      );
      if (op.result !== 'success') printDiagnoses(op.diagnoses);
      // Backups that may not be restorable are not a success, whatever the backup itself did.
      if (op.result === 'error') code = Math.max(code, EXIT.error);
    }
  }
  if (several) out(`\n${results.map((r) => `${r.id}: ${r.result}`).join('\n')}\n`);
  // Monitoring pings go out after each record, off the run's path; let them finish (bounded) before leaving.
  if (!(await engine.monitorSettled(RUN_PING_WAIT_MS))) err('monitoring: a ping was still going when Dandelion stopped waiting for it\n');
  return code;
}

/** `dandelion check` / `dandelion drill`: one operation with progress, Ctrl-C cancels, the record's words (or JSON). */
async function cmdVerify({ configDir, args, values }: Invocation, kind: 'check' | 'drill'): Promise<number> {
  const engine = await openEngine(configDir);
  const p = profileOf(engine, args[0]!);
  const tty = process.stderr.isTTY === true;
  let lastPlain = 0;
  let lastTenth = -1;
  let shown = false;
  engine.on('op-progress', ({ progress }) => {
    if (values.json) return;
    const pct = progress.percent === null ? '' : `${Math.floor(progress.percent)}%  `;
    const text = progress.waitingFor ? `Waiting for the repository: ${progress.waitingFor}` : `${pct}${progress.path}`.trim();
    const tenth = progress.percent === null ? -1 : Math.floor(progress.percent / 10);
    if (tty) {
      const width = process.stderr.columns ?? 80;
      err(`\r\x1b[K${text.length > width - 1 ? text.slice(0, width - 2) + '…' : text}`);
      shown = true;
    } else if (text && (Date.now() - lastPlain > 5000 || tenth !== lastTenth)) {
      // Not a terminal (a log, a pipe): a line per tenth of the way, or every 5 s at most otherwise.
      lastPlain = Date.now();
      lastTenth = tenth;
      err(`${text}\n`);
    }
  });
  const abort = () => {
    if (engine.cancelOperation(p.id)) err(`\nCancelling the ${kind === 'check' ? 'check' : 'restore drill'}…\n`);
  };
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, abort);
  if (!values.json) out(kind === 'check' ? `Checking ${p.repository}…\n` : `Proving the latest backup in ${p.repository} restorable…\n`);
  const outcome = kind === 'check' ? await engine.check(p.id, values['verify-data'] ? { verifyData: true } : {}) : await engine.drill(p.id);
  if (shown) err('\n');
  const record = valueOf(outcome);
  if (values.json) out(JSON.stringify(record, null, 2) + '\n');
  else {
    out(`${record.result}${record.result === 'success' && record.message ? ` — ${record.message}` : ''}\n`);
    if (record.result !== 'success') printDiagnoses(record.diagnoses);
    const mismatched = (record.details as { mismatched?: string[] } | undefined)?.mismatched ?? [];
    for (const m of mismatched.slice(0, 20)) err(`  differs: ${m}\n`);
    if (record.log) out(`log: ${record.log}\n`);
  }
  return record.result === 'success' ? EXIT.ok : record.result === 'warning' ? EXIT.warning : EXIT.error;
}

/** "Backups paused until 3 Dec 2026, 15:05." in local time: the same sentence for status and pause. */
function pausedSentence(p: PauseState): string {
  return p.until
    ? `Backups paused until ${new Date(p.until).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })}.`
    : 'Backups paused until you resume them (dandelion resume).';
}

async function cmdPause(configDir: string, forText: string | undefined, untilTomorrow: boolean): Promise<number> {
  if (forText !== undefined && untilTomorrow) throw new UsageError('Choose one: --for or --until-tomorrow.', COMMANDS.pause);
  let choice: PauseChoice = { for: 'ever' };
  if (untilTomorrow) choice = { for: 'tomorrow' };
  else if (forText !== undefined) {
    const { parseDuration } = await import('./engine/pause.js');
    const ms = parseDuration(forText);
    if (ms === null) throw new UsageError(`--for needs a length such as 30m, 1h or 2d, not "${forText}".`, COMMANDS.pause);
    choice = { for: 'ms', ms };
  }
  const engine = await openEngine(configDir);
  const state = await engine.pause(choice);
  out(`${pausedSentence(state)} Scheduled and disk-triggered backups wait; dandelion run still backs up.\n`);
  return EXIT.ok;
}

async function cmdResume(configDir: string): Promise<number> {
  const engine = await openEngine(configDir);
  const was = await engine.pauseState();
  await engine.resume();
  out(was ? 'Backups resumed: what came due during the pause runs now, once.\n' : 'Backups were not paused; nothing changed.\n');
  return EXIT.ok;
}

function printStatus(report: StatusReport, keyOnlyHere: Set<string>, now = new Date()): void {
  if (!report.profiles.length) {
    out('No profiles yet: add one to config.json.\n');
    return;
  }
  if (report.paused) out(`${pausedSentence(report.paused)}\n`);
  for (const p of report.profiles) {
    const last = p.lastRun ? `${p.lastRun.result} ${timeAgo(new Date(p.lastRun.finishedAt), now)}` : 'never run';
    const success = p.lastSuccessAt ? `last success ${timeAgo(new Date(p.lastSuccessAt), now)}` : 'no successful backup yet';
    const next = p.nextRunAt ? `next ${localTime(p.nextRunAt)}` : '';
    const flags = [p.state !== 'idle' ? p.state : '', p.overdue ? 'OVERDUE' : '', p.waitingFor === 'power' ? 'waiting for power' : '']
      .filter(Boolean)
      .join(', ');
    out(`${p.id} (${p.name})${flags ? ` [${flags}]` : ''}\n  last run: ${last}; ${success}${next ? `; ${next}` : ''}\n`);
    if (p.lastRun?.message && p.lastRun.result !== 'success') out(`  ${p.lastRun.message}\n`);
    if (p.lastSuccessAt || p.lastVerified || p.lastProven || p.verifyFailed) out(`  ${verifyLine(p, now)}\n`);
    if (p.verifyFailed?.diagnosis) out(`  ${p.verifyFailed.diagnosis.message}\n  → ${p.verifyFailed.diagnosis.fix}\n`);
    if (p.monitor)
      out(
        p.monitor.ok
          ? `  monitoring: last ping to ${p.monitor.host} ${timeAgo(new Date(p.monitor.lastPing), now)}\n`
          : `  monitoring: the last ping to ${p.monitor.host} did not get through (${localWhen(new Date(p.monitor.lastPing), now)}); backups are not affected, see \`dandelion logs ${p.id}\`\n`,
      );
    if (keyOnlyHere.has(p.id))
      out(
        `  The repository key exists only on this computer and was never exported: \`dandelion key export ${p.id} --to FILE\`, and keep the file elsewhere.\n`,
      );
  }
  const automatic = report.profiles.length > 0;
  if (report.scheduler)
    out(`Schedules and disk triggers: ${report.scheduler.what}, since ${localWhen(new Date(report.scheduler.since), now)}.\n`);
  else if (automatic) out('Nothing is running the schedules or disk triggers: start the Dandelion app or `dandelion daemon`.\n');
}

/** "verified 3 days ago; restore proven 3 days ago", or what is wrong with them. */
function verifyLine(p: StatusReport['profiles'][number], now: Date): string {
  const verified = p.lastVerified ? `verified ${timeAgo(new Date(p.lastVerified), now)}` : 'never verified';
  const proven = p.lastProven ? `restore proven ${timeAgo(new Date(p.lastProven), now)}` : 'restore never proven';
  const flag = p.verifyFailed
    ? ` [BACKUPS MAY NOT BE RESTORABLE: the last ${p.verifyFailed.kind === 'check' ? 'check' : 'restore drill'} failed]`
    : p.verifyOverdue
      ? ' [VERIFICATION OVERDUE]'
      : '';
  return `${verified}; ${proven}${flag}`;
}

async function cmdStatus({ configDir, values }: Invocation): Promise<number> {
  const engine = await openEngine(configDir);
  const report = await engine.status();
  const keyOnlyHere = new Set<string>();
  for (const p of report.profiles) if (await engine.keyOnlyHere(p.id)) keyOnlyHere.add(p.id);
  if (values.json) out(JSON.stringify(report, null, 2) + '\n');
  else printStatus(report, keyOnlyHere);
  return statusExit(report.profiles.map((p) => ({ ...p, keyOnlyHere: keyOnlyHere.has(p.id) })));
}

/** What to keep somewhere other than this computer, said right after the repository is created. */
function recoveryAdvice(p: Profile, isKeyfileMode: (mode: string | null | undefined) => boolean): string {
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

async function cmdInit({ configDir, args }: Invocation): Promise<number> {
  const engine = await openEngine(configDir);
  const p = profileOf(engine, args[0]!);
  valueOf(await engine.init(p.id));
  out(`Created the repository ${p.repository} (encryption: ${p.encryption}).\n`);
  const { isKeyfileMode } = await import('./engine/status.js');
  if (p.encryption && p.encryption !== 'none') out(recoveryAdvice(p, isKeyfileMode));
  return EXIT.ok;
}

async function cmdPassphrase({ configDir, args }: Invocation): Promise<number> {
  const [sub, id] = args as [string, string];
  if (sub !== 'set' && sub !== 'delete') throw new UsageError(`Unknown passphrase command "${sub}": set or delete.`, COMMANDS.passphrase);
  const engine = await openEngine(configDir);
  const profile = profileOf(engine, id);
  if (sub === 'delete') {
    const { deleted } = valueOf(await engine.deletePassphrase(profile.id));
    out(
      deleted
        ? `Deleted the passphrase for ${profile.repository} from the keyring.\n`
        : `No passphrase was stored for ${profile.repository}.\n`,
    );
    return EXIT.ok;
  }
  if (profile.encryption === 'none') {
    err(`Profile "${profile.id}" is not encrypted: it needs no passphrase.\n`);
    return EXIT.error;
  }
  // Before the passphrase is read: a passcommand profile never uses the keyring, so storing one there helps nobody.
  if (profile.passcommand) {
    const { passcommandRefusal } = await import('./engine/passphrases.js');
    err(`${passcommandRefusal(profile)}\n`);
    return EXIT.error;
  }
  const secret = await readSecret('Passphrase: ');
  if (!secret) {
    err('No passphrase given on stdin; nothing stored.\n');
    return EXIT.error;
  }
  const refusal = passphraseRefusal(secret);
  if (refusal !== null) {
    err(`${refusal}\n`);
    return EXIT.error;
  }
  for (const warning of passphraseWarnings(secret, true)) err(`Note: ${warning}\n`);
  const saved = valueOf(await engine.setPassphrase(profile.id, secret));
  out(
    saved.verified
      ? `Stored the passphrase for ${profile.repository} in the keyring; it opens the repository.\n`
      : `Stored the passphrase for ${profile.repository} in the keyring without checking it: ${saved.unchecked ?? saved.note}\n`,
  );
  return EXIT.ok;
}

async function cmdArchives({ configDir, args, values }: Invocation): Promise<number> {
  const engine = await openEngine(configDir);
  const p = profileOrOnly(engine, args[0], 'archives');
  const { isCheckpoint } = await import('./repo/archives.js');
  const archives = valueOf(await engine.archives(p.id, { checkpoints: true })).map((a) => ({ ...a, checkpoint: isCheckpoint(a.name) }));
  if (values.json) {
    out(JSON.stringify({ archives }, null, 2) + '\n');
    return EXIT.ok;
  }
  if (!archives.length) {
    out(`No archives yet in ${p.repository} for profile "${p.id}".\n`);
    return EXIT.ok;
  }
  for (const a of archives) {
    const size =
      a.originalSize !== null ? `\t${a.nfiles === null ? '? files' : count(a.nfiles, 'file')}, ${formatBytes(a.originalSize)}` : '';
    const note = a.checkpoint ? '\t(checkpoint: an interrupted backup, kept until the next complete one)' : '';
    out(`${a.name}\t${localTime(a.start)}${size}${note}\n`);
  }
  return EXIT.ok;
}

async function cmdHistory({ configDir, args, values }: Invocation): Promise<number> {
  const raw = values.lines as string | undefined;
  const limit = raw === undefined ? 20 : Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000)
    throw new UsageError(`--lines takes a whole number from 1 to 10000, not "${raw}"`, COMMANDS.history);
  const engine = await openEngine(configDir);
  const p = profileOrOnly(engine, args[0], 'history');
  const lines = valueOf(await engine.activity(p.id, limit));
  if (values.json) {
    out(JSON.stringify({ profile: p.id, repository: p.repository, entries: lines }, null, 2) + '\n');
    return EXIT.ok;
  }
  if (!lines.length) {
    out(`Nothing done yet for profile "${p.id}" in ${p.repository}.\n`);
    return EXIT.ok;
  }
  const now = new Date();
  const { escapeControl } = await import('./jobs/backup.js');
  // The time column is as wide as its widest entry: "Yesterday at 21:52", or "On Nov 1, 2025 at 9:52 PM".
  const whens = column(lines.map((l) => localWhen(new Date(l.at), now).replace(/^./, (c) => c.toUpperCase())));
  lines.forEach((l, i) => {
    out(`${whens[i]!}  ${l.kind.padEnd(7)}  ${escapeControl(l.text)}\n`);
    if (l.diagnosis) out(`${' '.repeat(whens[i]!.length + 11)}${escapeControl(l.diagnosis.message)}\n`);
  });
  return EXIT.ok;
}

/** Entries as lines: size, modification time (one column), then the name (or path), control characters shown escaped. */
function entryLines(entries: readonly FolderEntry[], nameOf: (e: FolderEntry) => string, escape: (s: string) => string): string {
  const whens = column(entries.map((e) => (e.mtime ? localTime(e.mtime) : '—')));
  return entries
    .map((e, i) => {
      const size = e.type === 'dir' ? '—' : formatBytes(e.size);
      const mark = e.type === 'dir' ? '/' : e.type === 'link' ? ' (link)' : '';
      return `${size.padStart(8)}  ${whens[i]!}  ${escape(nameOf(e))}${mark}\n`;
    })
    .join('');
}

async function cmdBrowse({ configDir, args, values }: Invocation): Promise<number> {
  const [id, folder = ''] = args as [string, string | undefined];
  const engine = await openEngine(configDir);
  const p = profileOf(engine, id);
  const archive = valueOf(await engine.archive(p.id, (values.archive as string | undefined) ?? 'latest'));
  const entries = valueOf(await engine.listFolder(p.id, archive.name, folder));
  const bare = folder.replace(/^\/+|\/+$/g, '');
  if (values.json) {
    out(JSON.stringify({ profile: p.id, archive: { name: archive.name, start: archive.start }, folder: bare, entries }, null, 2) + '\n');
    return EXIT.ok;
  }
  const { escapeControl } = await import('./jobs/backup.js');
  const folders = entries.filter((e) => e.type === 'dir').length;
  const inside = [folders ? count(folders, 'folder') : '', entries.length - folders ? count(entries.length - folders, 'item') : '']
    .filter(Boolean)
    .join(', ');
  out(`${escapeControl(bare ? `/${bare}` : 'The top')} in ${archive.name} (${localTime(archive.start)}): ${inside || 'empty'}\n`);
  out(entryLines(entries, (e) => e.name, escapeControl));
  return EXIT.ok;
}

async function cmdFind({ configDir, args, values }: Invocation): Promise<number> {
  const [id, pattern] = args as [string, string];
  if (!pattern) throw new UsageError('The pattern is empty: give a piece of a name, or a pattern like "*.jpg".', COMMANDS.find);
  if (pattern.includes('/'))
    throw new UsageError('A name never holds "/": find matches names, not paths (dandelion browse shows a folder).', COMMANDS.find);
  const engine = await openEngine(configDir);
  const p = profileOf(engine, id);
  const archive = valueOf(await engine.archive(p.id, (values.archive as string | undefined) ?? 'latest'));
  const found = valueOf(await engine.find(p.id, archive.name, pattern));
  if (values.json) {
    out(JSON.stringify({ profile: p.id, archive: { name: archive.name, start: archive.start }, pattern, ...found }, null, 2) + '\n');
    return found.entries.length ? EXIT.ok : EXIT.warning;
  }
  if (!found.entries.length) {
    err(`Nothing in ${archive.name} (${localTime(archive.start)}) is named like "${pattern}".\n`);
    return EXIT.warning;
  }
  const { escapeControl } = await import('./jobs/backup.js');
  out(entryLines(found.entries, (e) => e.path, escapeControl));
  if (found.more)
    err(`Only the first ${found.entries.length.toLocaleString('en-US')} matches are shown: there are more. Narrow the pattern.\n`);
  return EXIT.ok;
}

async function cmdVersions({ configDir, args, values }: Invocation): Promise<number> {
  const [id, archivePath] = args as [string, string];
  const bare = archivePath.replace(/^\/+|\/+$/g, '');
  if (!bare) throw new UsageError('Name a file or folder inside the archives, e.g. Users/me/notes.txt.', COMMANDS.versions);
  const engine = await openEngine(configDir);
  const p = profileOf(engine, id);
  const tty = process.stderr.isTTY === true && !values.json;
  const versions = valueOf(
    await engine.versions(p.id, bare, {
      onProgress: (done, total) => {
        if (tty && done < total) err(`\rReading archives: ${done} of ${total}…`);
        else if (tty) err('\r\x1b[K');
      },
    }),
  );
  if (values.json) {
    out(JSON.stringify({ profile: p.id, path: bare, versions }, null, 2) + '\n');
    return versions.length ? EXIT.ok : EXIT.warning;
  }
  const { escapeControl } = await import('./jobs/backup.js');
  if (!versions.length) {
    err(`No archive of "${p.id}" holds ${escapeControl(bare)}.\n`);
    return EXIT.warning;
  }
  const changes = versions.filter((v) => v.changed !== false).length;
  out(`${escapeControl(bare)}: in ${count(versions.length, 'archive')}, ${count(changes, 'different version')}\n`);
  const times = column(versions.map((v) => localTime(v.time)));
  const modified = column(versions.map((v) => (v.mtime ? localTime(v.mtime) : '—')));
  versions.forEach((v, i) => {
    const size = v.type === 'dir' ? '—' : formatBytes(v.size);
    const note = v.changed === null ? 'oldest' : v.changed ? 'changed' : 'same';
    out(`${times[i]!}  ${size.padStart(8)}  modified ${modified[i]!}  ${note.padEnd(7)}  ${v.archive}\n`);
  });
  return EXIT.ok;
}

async function cmdRestore({ configDir, args, values }: Invocation): Promise<number> {
  const cmd = COMMANDS.restore!;
  const [id, ...paths] = args as [string, ...string[]];
  const to = values.to as string | undefined;
  const inPlace = values['in-place'] === true;
  if (to !== undefined && inPlace) throw new UsageError('Choose one: --to DIR (a new folder there) or --in-place.', cmd);
  if (to !== undefined && !to.trim()) throw new UsageError('--to is empty: name the folder to restore into.', cmd);
  const archive = (values.archive as string | undefined) ?? 'latest';
  if (!archive.trim()) throw new UsageError('--archive is empty: name an archive, or leave it out for the latest.', cmd);
  const engine = await openEngine(configDir);
  const p = profileOf(engine, id);
  const json = values.json === true;
  const { escapeControl } = await import('./jobs/backup.js');

  const tty = process.stderr.isTTY === true && !json;
  let shown = false;
  let lastPlain = 0;
  let waitingSaid = '';
  engine.on('op-progress', ({ profile, progress }) => {
    if (profile !== p.id) return;
    if (progress.waitingFor) {
      if (progress.waitingFor !== waitingSaid) err(`Waiting for ${progress.waitingFor} to finish… (Ctrl-C to stop)\n`);
      waitingSaid = progress.waitingFor;
      return;
    }
    // Nothing to say before borg has started on the first item.
    if (json || (progress.nfiles === 0 && progress.percent === null)) return;
    const pct = progress.percent === null ? '' : `${progress.percent.toFixed(1)}%  `;
    const line = `${pct}${count(progress.nfiles, 'item')}, ${formatBytes(progress.bytes)}`;
    if (tty) {
      const width = process.stderr.columns ?? 80;
      // A name may hold a newline or an escape sequence: shown escaped, it cannot redraw the terminal.
      const text = `${line}  ${progress.path && !progress.path.startsWith('/') ? '/' : ''}${escapeControl(progress.path)}`;
      err(`\r\x1b[K${text.length > width - 1 ? text.slice(0, width - 2) + '…' : text}`);
      shown = true;
    } else if (Date.now() - lastPlain > 5000) {
      lastPlain = Date.now();
      err(`${line}\n`);
    }
  });
  let cancelling = false;
  const abort = () => {
    if (cancelling) return;
    cancelling = true;
    if (engine.cancelOperation(p.id)) err(`${shown ? '\n' : ''}Cancelling: removing what was begun…\n`);
  };
  // A closed terminal or a dropped ssh session (SIGHUP) cancels like Ctrl-C: nothing is left half-written.
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, abort);

  const r = await engine.restore(p.id, {
    archive,
    paths,
    ...(to !== undefined ? { target: path.resolve(to) } : {}),
    mode: inPlace ? 'in-place' : 'new-folder',
    busy: values.wait === true ? 'wait' : 'fail',
  });
  if (shown) err('\n');
  if (!r.ok) {
    if (json) out(JSON.stringify({ result: cancelling ? 'cancelled' : 'error', diagnosis: r.diagnosis }, null, 2) + '\n');
    printDiagnoses([r.diagnosis]);
    // On the command line, the command that finds the archives holding a path that was not in this one.
    const missing = r.diagnosis.kind === 'restore-path-missing' ? (r.diagnosis.detail ?? '').split('\n').filter(Boolean) : [];
    if (!json && missing.length === 1) {
      const { shellQuote } = await import('./borg/argv.js');
      const where = `/${missing[0]!.replace(/^\/+/, '')}`;
      err(`  \`dandelion versions ${shellQuote(p.id)} ${shellQuote(where)}\` lists the archives that hold it.\n`);
    }
    return EXIT.error;
  }
  const v = r.value;
  if (json) {
    out(
      JSON.stringify(
        {
          result: v.record.result,
          archive: v.record.archive,
          folder: v.folder,
          files: v.files,
          bytes: v.bytes,
          keptBoth: v.keptBoth,
          identical: v.identical,
          diagnoses: v.record.diagnoses,
          log: v.record.log,
        },
        null,
        2,
      ) + '\n',
    );
  } else {
    const what = `${count(v.files, 'file')} (${formatBytes(v.bytes)}) from ${v.record.archive}`;
    if (!inPlace) out(`Restored ${what} into ${v.folder}\n`);
    else {
      out(`Put back ${what}${to !== undefined ? ` under ${path.resolve(to)}` : ''}.\n`);
      if (v.identical) out(`${count(v.identical, 'file')} already there and identical: left alone.\n`);
      for (const k of v.keptBoth) out(`Kept both: /${k.path} differs from the backup; the restored copy is /${k.restoredAs}\n`);
      if (v.folder) out(`What could not be put back is in ${v.folder}\n`);
    }
    if (v.record.result !== 'success') printDiagnoses(v.record.diagnoses);
    if (v.record.log) out(`log: ${v.record.log}\n`);
  }
  return v.record.result === 'success' ? EXIT.ok : EXIT.warning;
}

async function cmdLogs({ configDir, args, values }: Invocation): Promise<number> {
  const n = values.lines === undefined ? 40 : Number(values.lines);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError('--lines needs a positive whole number.', COMMANDS.logs);
  const engine = await openEngine(configDir);
  const p = profileOrOnly(engine, args[0], 'logs');
  const { file, lines } = valueOf(await engine.logTail(p.id, n));
  const { followLog } = await import('./cli-follow.js');
  if (values.follow) return followLog(engine, p.id, { file, lines }, { out, err, onClose: (fn) => output.onClose(fn) });
  if (!file) {
    err(`No runs logged yet for "${p.id}".\n`);
    return EXIT.error;
  }
  out(lines.join('\n') + (lines.length ? '\n' : ''));
  return EXIT.ok;
}

async function cmdKey({ configDir, args, values }: Invocation): Promise<number> {
  const [sub, id] = args as [string, string];
  const to = values.to as string | undefined;
  if (sub !== 'export') throw new UsageError(`Unknown key command "${sub}": export.`, COMMANDS.key);
  if (to !== undefined && !to.trim()) throw new UsageError('--to is empty: name the file to write the key to.', COMMANDS.key);
  const engine = await openEngine(configDir);
  const p = profileOf(engine, id);
  const exported = valueOf(await engine.exportKey(p.id, { paper: values.paper === true, to: to === undefined ? null : path.resolve(to) }));
  if (exported.file)
    out(
      `Wrote the key of ${p.repository} to ${exported.file} (readable by you only). Keep it somewhere other than this computer; with the passphrase it opens the backups.\n`,
    );
  else out(exported.text ?? '');
  return EXIT.ok;
}

async function cmdDoctor({ configDir, args }: Invocation): Promise<number> {
  const { doctor } = await import('./doctor.js');
  const { Engine } = await import('./engine.js');
  const { engine } = await Engine.open({ configDir });
  const findings = await doctor(engine, args[0]);
  for (const f of findings) {
    out(`${f.ok ? 'ok  ' : 'FAIL'} ${f.check}: ${f.message}\n`);
    if (!f.ok && f.fix) out(`     → ${f.fix}\n`);
  }
  return findings.every((f) => f.ok) ? EXIT.ok : EXIT.error;
}

async function cmdImport({ configDir, args, values }: Invocation): Promise<number> {
  const files = args.map((f) => path.resolve(f));
  for (const f of files) {
    let isFile = false;
    try {
      isFile = statSync(f).isFile();
    } catch {
      throw new Stop([`There is no file at ${f}: name the script, plist, crontab, borgmatic or Vorta file to import.`]);
    }
    if (!isFile) throw new Stop([`${f} is not a file: name the script, plist, crontab, borgmatic or Vorta file to import.`]);
  }
  const apply = values.apply === true;
  const { readImport } = await import('./import/read.js');
  const { machineContext } = await import('./import/context.js');
  const { applyImport, importExit } = await import('./import/apply.js');
  const { importText, redact } = await import('./import/present.js');
  const result = readImport(files, machineContext());
  const secrets = result.secrets.map((s) => s.passphrase);
  // A first import may come before any setup: the folder is made only when something is saved.
  if (!existsSync(configDir)) {
    if (!apply) return printImport(await importWithoutConfig(result), values.json === true, secrets, importText, redact, importExit);
    // As every command: a folder named on the command line (or in the environment) must exist.
    if (values['config-dir'] !== undefined || process.env.DANDELION_CONFIG_DIR)
      throw new Stop([`There is no config folder at ${configDir}. Check the path; nothing was created there.`]);
    await fs.mkdir(configDir, { recursive: true, mode: 0o700 });
  }
  const engine = await openEngine(configDir);
  const outcome = await applyImport(engine, result, { dryRun: !apply });
  return printImport(outcome, values.json === true, secrets, importText, redact, importExit);
}

/** The dry run when there is no config folder yet: planned against an empty config, nothing opened or made. */
async function importWithoutConfig(result: import('./import/model.js').ImportResult) {
  const { planImport, previewOutcome } = await import('./import/apply.js');
  return previewOutcome(planImport({ profiles: [] }, result), result);
}

function printImport(
  outcome: import('./import/apply.js').ImportOutcome,
  json: boolean,
  secrets: string[],
  text: (o: import('./import/apply.js').ImportOutcome) => string[],
  redact: (t: string, s: readonly string[]) => string,
  exit: (o: import('./import/apply.js').ImportOutcome) => number,
): number {
  out(redact(json ? `${JSON.stringify(outcome, null, 2)}\n` : text(outcome).join('\n') + '\n', secrets));
  return exit(outcome);
}

// ---- from argv to a command ------------------------------------------------------------------------

/** node's parseArgs explains how to pass a positional starting with '-': one sentence is enough here. */
function firstSentence(message: string): string {
  const end = message.indexOf('. ');
  return end === -1 ? message : message.slice(0, end + 1);
}

function parseOptions(argv: string[], options: Record<string, OptionSpec>, command?: Command) {
  const spec = Object.fromEntries(
    Object.entries(options).map(([name, o]) => [name, { type: o.type, ...(o.short ? { short: o.short } : {}) }]),
  );
  try {
    return parseArgs({ args: argv, allowPositionals: true, strict: true, options: spec });
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code?.startsWith('ERR_PARSE_ARGS')) {
      const message = firstSentence((e as Error).message);
      // "Unknown option '--al'.": the option this command has that is closest to it.
      const given = code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? /'--([^'=]+)/.exec(message)?.[1] : undefined;
      const hint = given ? didYouMean(given, Object.keys(options), (n) => `'--${n}'`) : '';
      throw new UsageError(message + hint, command);
    }
    throw e;
  }
}

/**
 * The config folder, which must exist: a mistyped `--config-dir` is named as an error, never read as
 * an empty setup, and no folder is made by reading. Only the daemon makes the default one.
 */
async function configFolder(named: string | undefined, mode: Command['config']): Promise<string> {
  // An empty folder name would quietly mean the current folder: a config nobody meant to use.
  if (named !== undefined && !named.trim()) throw new UsageError('--config-dir is empty: name the config folder, or leave the option out.');
  const fromEnv = process.env.DANDELION_CONFIG_DIR;
  if (named === undefined && fromEnv !== undefined && !fromEnv.trim())
    throw new UsageError('DANDELION_CONFIG_DIR is set but empty: name the config folder, or unset it.');
  const dir = path.resolve(named ?? defaultConfigDir());
  if (mode === 'none') return dir;
  let isDir: boolean | null = null;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    isDir = null;
  }
  if (isDir) return dir;
  if (isDir === false) throw new Stop([`${dir} is not a folder: the config folder must be one (it holds config.json).`]);
  const given = named !== undefined ? '--config-dir' : fromEnv ? 'DANDELION_CONFIG_DIR' : null;
  if (mode === 'create-default' && !given) {
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    return dir;
  }
  throw new Stop([
    given
      ? `There is no config folder at ${dir} (named by ${given}). Check the path; nothing was created there.`
      : `There is no config folder at ${dir} yet. Set up a backup in the Dandelion app, or write config.json there (see \`dandelion help\`).`,
  ]);
}

async function main(argv: string[]): Promise<number> {
  // The command is the first word that is not an option (or the value of --config-dir).
  const { tokens } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: false,
    tokens: true,
    options: { 'config-dir': { type: 'string' } },
  });
  const first = tokens.find((t) => t.kind === 'positional');
  const name = first?.kind === 'positional' ? first.value : undefined;
  const before = first ? argv.slice(0, first.index) : argv;
  if (before.includes('--version')) {
    parseOptions(argv, { ...GLOBAL_OPTIONS, version: { type: 'boolean', help: '' } });
    out(`dandelion ${version()}\n`);
    return EXIT.ok;
  }
  if (!name) {
    const { values } = parseOptions(argv, GLOBAL_OPTIONS);
    if (values.help) {
      out(usage() + '\n');
      return EXIT.ok;
    }
    err(usage() + '\n');
    return EXIT.error;
  }
  // `--confg-dir x status` takes x for the command: the mistyped option before it is the mistake to name.
  if (!Object.hasOwn(COMMANDS, name)) parseOptions(before, GLOBAL_OPTIONS);
  const command = commandNamed(name);
  const { values, positionals } = parseOptions(argv, { ...command.options, ...GLOBAL_OPTIONS }, command);
  if (values.help) {
    out(commandHelp(name, command) + '\n');
    return EXIT.ok;
  }
  const args = positionals.slice(1);
  if (args.length > command.args.max) {
    const extra = args.slice(command.args.max).map((a) => `"${a}"`);
    const takes = command.args.max === 0 ? 'no arguments' : `at most ${count(command.args.max, 'argument')}`;
    throw new UsageError(
      `Unexpected ${extra.length === 1 ? 'argument' : 'arguments'} ${extra.join(', ')}: ${name} takes ${takes}.`,
      command,
    );
  }
  if (args.length < command.args.min)
    throw new UsageError(`Missing arguments: ${name} needs ${command.synopsis.replace(/\[.*?\]/g, '').trim()}.`, command);
  try {
    const configDir = await configFolder(values['config-dir'] as string | undefined, command.config);
    return await command.action({ configDir, args, values });
  } catch (e) {
    // A script that asked for JSON gets JSON that says why there is no answer (and no "profiles" to
    // read as "nothing wrong"); the person reading stderr gets the sentences, and the exit code is 2.
    if (e instanceof Stop && values.json) out(JSON.stringify({ error: e.error }, null, 2) + '\n');
    throw e;
  }
}

// Node 22+ (and Electron) can keep compiled code between runs: a shorter start for every `dandelion run`.
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof UsageError) {
      const name = e.command ? Object.entries(COMMANDS).find(([, c]) => c === e.command)?.[0] : undefined;
      err(
        name && e.command
          ? `${e.message}\n\nUsage: ${usageLine(name, e.command)}\n(dandelion help ${name} tells more)\n`
          : `${e.message}\n\n${usage()}\n`,
      );
    } else if (e instanceof Stop) err(e.lines.map((l) => `${l}\n`).join(''));
    else {
      // Nothing should get here: every engine call ends in an Outcome. A stack trace helps only us.
      const message = e instanceof Error ? e.message : String(e);
      err(`Unexpected error: ${message}\n`);
      if (process.env.DANDELION_DEBUG === '1' && e instanceof Error && e.stack) err(`${e.stack}\n`);
      else
        err(
          'This is a bug in Dandelion: please report it, with the output of `dandelion doctor` (DANDELION_DEBUG=1 shows where it happened).\n',
        );
    }
    process.exitCode = EXIT.error;
  },
);
