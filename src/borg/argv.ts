import os from 'node:os';
import path from 'node:path';
import type { BorgFeatures } from './features.js';
import type { PruneRules } from '../profiles/schema.js';
import { expandHome, knownHostsFile } from '../paths.js';
import { sshTarget } from './location.js';

export { isRemote, sshTarget, type SshTarget } from './location.js';

/**
 * argv for each borg command. Everything here is an array handed straight to the process —
 * there is no shell, so nothing needs quoting, and positional arguments follow `--` so a
 * source called `-rf` stays a path.
 */

const LOG = ['--log-json'];

export function archiveRef(repository: string, archive: string): string {
  return `${repository}::${archive}`;
}

/** Sources are made absolute (relative to home, like a person would mean them). */
export function normalizeSource(source: string): string {
  const expanded = expandHome(source);
  return path.isAbsolute(expanded) ? path.normalize(expanded) : path.join(os.homedir(), expanded);
}

export function initArgs(repository: string, encryption: string): string[] {
  return ['init', ...LOG, `--encryption=${encryption}`, '--make-parent-dirs', '--', repository];
}

export interface CreateArgsInput {
  repository: string;
  archiveName: string;
  sources: string[];
  excludes: string[];
  compression: string;
  oneFileSystem: boolean;
  excludeCaches: boolean;
}

export function createArgs(p: CreateArgsInput): string[] {
  const args = ['create', ...LOG, '--progress', '--list', '--filter=AME', '--json', `--compression=${p.compression}`];
  if (p.oneFileSystem) args.push('--one-file-system');
  if (p.excludeCaches) args.push('--exclude-caches');
  // `--exclude=PATTERN` in one word: a pattern starting with "-" cannot be mistaken for a flag.
  for (const pattern of p.excludes) args.push(`--exclude=${expandHome(pattern)}`);
  args.push('--', archiveRef(p.repository, p.archiveName), ...p.sources.map(normalizeSource));
  return args;
}

const TIME_PLACEHOLDER = /\{(now|utcnow|pid|borgversion|borgmajor|borgminor|borgpatch|uuid4)(:[^}]*)?\}/g;

/**
 * Prune and list must only see this profile's archives. As borgmatic does, the glob is derived
 * from the archive name: the parts that change per run become `*`, the rest stays literal
 * (`{hostname}` is expanded by borg itself). `{hostname}-daily-{now}` → `{hostname}-daily-*`.
 */
export function archiveGlob(archiveName: string): string {
  const glob = archiveName.replace(/[[\]?*]/g, (c) => `[${c}]`).replace(TIME_PLACEHOLDER, '*');
  return glob.replace(/\*+/g, '*');
}

const KEEP_FLAGS: Record<Exclude<keyof PruneRules, 'keepWithin'>, string> = {
  keepLast: '--keep-last',
  keepMinutely: '--keep-minutely',
  keepHourly: '--keep-hourly',
  keepDaily: '--keep-daily',
  keepWeekly: '--keep-weekly',
  keepMonthly: '--keep-monthly',
  keepYearly: '--keep-yearly',
};

export function pruneArgs(repository: string, archiveName: string, rules: PruneRules, f: BorgFeatures): string[] {
  const args = ['prune', ...LOG, '--list', f.archiveFilterFlag, archiveGlob(archiveName)];
  if (rules.keepWithin) args.push(`--keep-within=${rules.keepWithin}`);
  for (const [key, flag] of Object.entries(KEEP_FLAGS) as [keyof typeof KEEP_FLAGS, string][]) {
    const n = rules[key];
    if (n !== undefined && n > 0) args.push(`${flag}=${n}`);
  }
  args.push('--', repository);
  return args;
}

export function compactArgs(repository: string): string[] {
  return ['compact', ...LOG, '--', repository];
}

export function listArgs(repository: string, f: BorgFeatures, archiveName?: string, opts: { checkpoints?: boolean } = {}): string[] {
  const args = ['list', ...LOG, '--json'];
  // borg hides the checkpoints an interrupted backup leaves; `dandelion archives` shows them, marked.
  if (opts.checkpoints) args.push('--consider-checkpoints');
  if (archiveName) args.push(f.archiveFilterFlag, archiveGlob(archiveName));
  args.push('--', repository);
  return args;
}

/** The checkpoints of this profile's archives: what a create cut short left (`<name>.checkpoint`, `.checkpoint.1`, …). */
export function checkpointListArgs(repository: string, f: BorgFeatures, archiveName: string): string[] {
  return [
    'list',
    ...LOG,
    '--json',
    '--consider-checkpoints',
    f.archiveFilterFlag,
    `${archiveGlob(archiveName)}.checkpoint*`,
    '--',
    repository,
  ];
}

export function infoArgs(repository: string, archive?: string): string[] {
  return ['info', ...LOG, '--json', '--', archive ? archiveRef(repository, archive) : repository];
}

export function checkArgs(repository: string, opts: { repositoryOnly?: boolean } = {}): string[] {
  return ['check', ...LOG, '--progress', ...(opts.repositoryOnly ? ['--repository-only'] : []), '--', repository];
}

/** Runs with cwd = the restore target: borg extracts relative to the working directory. */
export function extractArgs(repository: string, archive: string, paths: string[] = []): string[] {
  return ['extract', ...LOG, '--list', '--', archiveRef(repository, archive), ...paths.map((p) => p.replace(/^\/+/, ''))];
}

export function breakLockArgs(repository: string): string[] {
  return ['break-lock', ...LOG, '--', repository];
}

/** shlex-compatible quoting: borg splits BORG_RSH with Python's shlex. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'"'"'`)}'`;
}

/**
 * ssh must never prompt (there is nobody to answer), must offer only the profile's key, and must
 * verify the host against the user's own known_hosts: what the user already trusts works, an
 * unknown or changed key fails and is diagnosed.
 */
export function sshWords(opts: { sshKey?: string | null; knownHostsFile?: string }): string[] {
  const words = ['ssh'];
  if (opts.sshKey) words.push('-i', expandHome(opts.sshKey), '-o', 'IdentitiesOnly=yes');
  words.push(
    '-o',
    'BatchMode=yes',
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    `UserKnownHostsFile=${opts.knownHostsFile ?? knownHostsFile()}`,
    '-o',
    'ServerAliveInterval=30',
    '-o',
    'ServerAliveCountMax=3',
    '-o',
    'ConnectTimeout=20',
  );
  return words;
}

export function borgRsh(opts: { sshKey?: string | null; knownHostsFile?: string }): string {
  return sshWords(opts).map(shellQuote).join(' ');
}

/** Seconds a probe waits for the server to answer (ssh's own limit, well inside the probe's 30 s). */
export const PROBE_CONNECT_TIMEOUT_S = 15;

/**
 * When borg only says "connection closed", ssh's own reason was often lost on the way. Asking ssh
 * alone, with the same options, recovers it (host key unknown or changed, key refused, key too open).
 * `command` runs on the server instead of `true` (Test Connection asks for `borg --version`).
 */
export function sshProbeArgs(
  repository: string,
  opts: { sshKey?: string | null; knownHostsFile?: string; command?: string },
): string[] | null {
  const t = sshTarget(repository);
  if (!t) return null;
  const words = sshWords(opts).slice(1);
  // A probe answers within the test's time limit: a server that does not answer is named as timed out.
  words.push('-o', `ConnectTimeout=${PROBE_CONNECT_TIMEOUT_S}`);
  words.push('-p', String(t.port), '--', t.user ? `${t.user}@${t.host}` : t.host, opts.command ?? 'true');
  return words;
}

/**
 * The cheapest command that needs the key: it decrypts the manifest and prints `encryption.mode`.
 * Not `borg info`: that opens the chunks cache, which on a machine without one means a full resync.
 */
export function probeArgs(repository: string): string[] {
  return ['list', ...LOG, '--json', '--last=1', '--', repository];
}

/**
 * Python `re` syntax for a literal: every ASCII character other than a letter, digit, `_` or `/` is
 * escaped (always a literal in Python), and `\Z` rather than `$` ends a pattern, because `$` also
 * matches before a trailing newline and file names may end in one.
 */
export function pyRegexLiteral(text: string): string {
  return text.replace(/[^\w/\u0080-\uffff]/g, (c) => `\\${c}`);
}

/** An archive folder as borg stores and matches it: no leading or trailing `/`, NFD on macOS (borg normalises there). */
export function archiveFolder(folder: string, platform: NodeJS.Platform = process.platform): string {
  const bare = folder.replace(/^\/+|\/+$/g, '');
  return platform === 'darwin' ? bare.normalize('NFD') : bare;
}

/** Every item of an archive, one JSON line each: the one pass an archive index is made from. */
export function listItemsArgs(repository: string, archive: string): string[] {
  return ['list', ...LOG, '--json-lines', '--', archiveRef(repository, archive)];
}

/**
 * A read-only `borg list` that takes no lock in the repository (`--bypass-lock`): for work done in
 * the background (indexing a new archive), which must never make a backup, a check or a prune wait or
 * fail with a lock timeout. Archives never change, so what it reads of one is right, or it fails
 * (a segment compacted away meanwhile) and nothing is kept. Any other command is returned as it is.
 */
export function withoutLock(args: string[]): string[] {
  if (args[0] !== 'list' || args.includes('--bypass-lock')) return args;
  return [args[0], '--bypass-lock', ...args.slice(1)];
}

/**
 * `borg key export` to stdout: the key as it is stored (still locked by the passphrase), or its
 * paper form (`--paper`) to copy by hand. Without a path borg prints it, so Dandelion writes the file
 * itself (0600, never over an existing one) instead of letting borg overwrite whatever is there.
 */
export function keyExportArgs(repository: string, opts: { paper?: boolean } = {}): string[] {
  return ['key', 'export', ...LOG, ...(opts.paper ? ['--paper'] : []), '--', repository];
}

/** An archive path as an include path of extract or list: `pp:` says it is a path, whatever it starts with (`re:`, `sh:`). */
function includePath(p: string): string {
  return `pp:${p.replace(/^\/+/, '')}`;
}

/**
 * What a restore is about to write, one record per member, every field NUL-terminated (names may hold
 * newlines): type, path, link target or hardlink source, size. restore-scan.ts reads it.
 */
export function restoreScanArgs(repository: string, archive: string, paths: string[]): string[] {
  return [
    'list',
    ...LOG,
    '--format={type}{NUL}{path}{NUL}{source}{NUL}{size}{NUL}',
    '--',
    archiveRef(repository, archive),
    ...paths.map(includePath),
  ];
}

/**
 * borg extract for a restore, run with cwd = the hidden staging folder: progress (percent and the
 * current path, as borg reports them), each member listed for the log, holes kept (`--sparse`), and
 * the members that must not be written left out (`--pattern=-…`, before the paths, so they win).
 */
export function restoreExtractArgs(repository: string, archive: string, paths: string[], excludes: string[]): string[] {
  return [
    'extract',
    ...LOG,
    '--progress',
    '--list',
    '--sparse',
    ...excludes.map((e) => `--pattern=-${e}`),
    '--',
    archiveRef(repository, archive),
    ...paths.map(includePath),
  ];
}

/** One archive by its exact name (`borg list --json` of the repository, filtered): when it was started. */
export function archiveStartArgs(repository: string, archive: string, f: BorgFeatures): string[] {
  const exact = archive.replace(/[[\]?*]/g, (c) => `[${c}]`);
  return ['list', ...LOG, '--json', f.archiveFilterFlag, exact, '--', repository];
}
