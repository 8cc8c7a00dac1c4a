/**
 * Turns what borg (and ssh under it) said into a short list of human diagnoses.
 * The collector is fed every event of a run, so it keeps counters and a bounded sample only.
 */
import type { BorgEvent } from './log-json.js';
import { sshTarget, type SshTarget } from './location.js';

export type ErrorKind =
  | 'passphrase-wrong'
  | 'passphrase-missing'
  | 'repo-missing'
  | 'repo-invalid'
  | 'repo-exists'
  | 'lock-timeout'
  | 'lock-failed'
  | 'ssh-host-unknown'
  | 'ssh-host-changed'
  | 'ssh-permission-denied'
  | 'ssh-key-too-open'
  | 'connection-lost'
  | 'source-permission'
  | 'source-missing'
  | 'borg-missing'
  | 'borg-too-old'
  | 'disk-not-mounted'
  | 'disk-removed'
  | 'cancelled'
  | 'unknown';

export interface Diagnosis {
  kind: ErrorKind;
  message: string;
  fix: string;
  /** The raw borg/ssh line this was derived from. */
  detail?: string;
}

export interface ClassifyContext {
  repository: string;
  platform: NodeJS.Platform;
  passphraseSupplied: boolean;
  /** The profile, so a fix can name the exact command (`dandelion passphrase set offsite`). */
  profile?: string;
}

interface Info {
  detail?: string;
  /** For aggregated warnings without a kind of their own: what happened to the files. */
  summary?: string;
  count?: number;
  example?: string;
  /** Set when the line came from the server side of an ssh connection. */
  remote?: boolean;
  exitCode?: number | null;
}

const CODE = (s: string) => `\`${s}\``;

function firstLine(s: string): string {
  const line = s.split('\n', 1)[0] ?? '';
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}

function files(n: number): string {
  return n === 1 ? '1 file' : `${n.toLocaleString('en-US')} files`;
}

/** A path inside a borg file warning: `/a/b: open: [Errno 13] Permission denied: 'b'`. */
const FILE_WARNING = /^(.*?): (?:[a-z_]+: )?\[Errno (\d+)\] ([^:]+)/;

function targetOf(ctx: ClassifyContext, detail?: string): SshTarget {
  const fromRepo = sshTarget(ctx.repository);
  if (fromRepo) return fromRepo;
  // Fall back to what ssh printed, e.g. "Host key for [example.com]:2222 has changed".
  const m = detail ? /(?:for|to host) \[?([^\]\s:]+)\]?(?::(\d+)| port (\d+))?/.exec(detail) : null;
  return { host: m?.[1] ?? 'the server', port: Number(m?.[2] ?? m?.[3] ?? 22) };
}

function where(t: SshTarget): string {
  return t.port === 22 ? t.host : `${t.host} (port ${t.port})`;
}

function describe(kind: ErrorKind, ctx: ClassifyContext, info: Info): Omit<Diagnosis, 'kind' | 'detail'> {
  const repo = ctx.repository;
  const mac = ctx.platform === 'darwin';
  const n = info.count ?? 1;
  const eg = info.example ? (n === 1 ? `: ${info.example}` : `, e.g. ${info.example}`) : '';
  switch (kind) {
    case 'passphrase-wrong':
      return {
        message: `The passphrase for ${repo} is wrong.`,
        fix: `Save the passphrase chosen when this repository was created, in Preferences or with \`dandelion passphrase set ${ctx.profile ?? '<profile>'}\`.`,
      };
    case 'passphrase-missing':
      return {
        message: `${repo} is encrypted and no passphrase was given.`,
        fix: `Save the repository's passphrase in Preferences, or with \`dandelion passphrase set ${ctx.profile ?? '<profile>'}\` (it is kept in the keyring).`,
      };
    case 'repo-missing':
      return {
        message: `There is no backup repository at ${repo}.`,
        fix: 'Check the repository location, or create a new repository there.',
      };
    case 'repo-invalid':
      return {
        message: `${repo} exists but is not a Borg repository.`,
        fix: "Choose the folder that holds the repository (it contains a 'config' file and a 'data' folder), or an empty location for a new one.",
      };
    case 'repo-exists':
      return {
        message: `A repository already exists at ${repo}.`,
        fix: 'Connect to the existing repository instead, or choose an empty location for a new one.',
      };
    case 'lock-timeout':
      return {
        message: `${repo} is locked by another borg process.`,
        fix: `Wait for the other backup to finish. If none is running (e.g. after a crash), run ${CODE(`borg break-lock ${repo}`)}.`,
      };
    case 'lock-failed':
      return {
        message: `Could not create the lock file in ${repo}.`,
        fix: 'Make sure the repository folder is writable by this user and its disk is neither full nor read-only.',
      };
    case 'ssh-host-unknown': {
      const t = targetOf(ctx, info.detail);
      return {
        message: `The server ${where(t)} is not in your known SSH hosts, so ssh refused to connect.`,
        fix: `Check the server's fingerprint with its administrator, then trust it with: ${CODE(`ssh-keyscan -p ${t.port} ${t.host} >> ~/.ssh/known_hosts`)}`,
      };
    }
    case 'ssh-host-changed': {
      const t = targetOf(ctx, info.detail);
      const entry = t.port === 22 ? t.host : `[${t.host}]:${t.port}`;
      return {
        message: `The SSH host key of ${where(t)} has changed. This can mean someone is intercepting the connection, so it is never accepted silently.`,
        fix: `Ask the server's administrator whether the key was changed on purpose. Only then remove the old key with ${CODE(`ssh-keygen -R '${entry}'`)} and connect again to trust the new one.`,
      };
    }
    case 'ssh-permission-denied': {
      const t = targetOf(ctx, info.detail);
      const login = t.user ? `${t.user}@${t.host}` : t.host;
      return {
        message: `The server ${where(t)} rejected the SSH login${t.user ? ` for ${t.user}` : ''}.`,
        fix: `Install your public key on the server, e.g. with ${CODE(`ssh-copy-id -p ${t.port} ${login}`)}, or check which key Dandelion uses.`,
      };
    }
    case 'ssh-key-too-open': {
      const key = info.detail ? /for '([^']+)' are too open|Load key "([^"]+)"/.exec(info.detail) : null;
      const path = key?.[1] ?? key?.[2] ?? '~/.ssh/id_ed25519';
      return {
        message: 'Your SSH private key can be read by other users, so ssh refuses to use it.',
        fix: `Restrict it to your user: ${CODE(`chmod 600 ${path}`)}`,
      };
    }
    case 'connection-lost': {
      const t = targetOf(ctx, info.detail);
      const neverConnected = /refused|resolve|No route|unreachable|timed out/i.test(info.detail ?? '');
      return {
        message: neverConnected ? `Could not connect to ${where(t)}.` : `The connection to ${where(t)} was lost.`,
        fix: 'Check the network and that the server is up and has borg installed; the next run resumes from the last checkpoint.',
      };
    }
    case 'source-permission':
      return mac
        ? {
            message: `${files(n)} could not be read (permission denied)${eg}. macOS blocks them until Dandelion has Full Disk Access.`,
            fix: 'Open System Settings › Privacy & Security › Full Disk Access, add Dandelion and turn it on, then back up again (or exclude these paths).',
          }
        : {
            message: `${files(n)} could not be read (permission denied)${eg}.`,
            fix: 'Make these files readable by the user Dandelion runs as, or exclude them from the backup.',
          };
    case 'source-missing':
      return {
        message: `${n === 1 ? '1 source path does' : `${n.toLocaleString('en-US')} source paths do`} not exist${eg}.`,
        fix: 'Remove missing paths from the backup sources, or connect the disk they live on.',
      };
    case 'borg-missing':
      return info.remote
        ? {
            message: `BorgBackup is not installed on the server ${where(targetOf(ctx, info.detail))}.`,
            fix: 'Install BorgBackup 1.2 or newer on the server, or set the path to borg there in the backup settings.',
          }
        : {
            message: info.detail?.includes('looked in')
              ? `BorgBackup (borg) was not found ${info.detail.replace(/^borg was not found /, '')}.`
              : 'BorgBackup (borg) is not installed on this computer.',
            fix: mac
              ? `Install it with ${CODE('brew install borgbackup')}, or set the path to borg in settings.`
              : `Install it with your package manager (e.g. ${CODE('sudo apt install borgbackup')}), or set the path to borg in settings.`,
          };
    case 'borg-too-old':
      return {
        message: info.remote
          ? 'The borg on the server is too old for this client.'
          : 'The installed borg is too old for Dandelion or this repository.',
        fix: 'Install BorgBackup 1.2 or newer.',
      };
    case 'disk-not-mounted':
      return {
        message: `The disk holding ${repo} is not connected.`,
        fix: 'Connect the disk (or mount the network share); Dandelion backs up automatically when it appears.',
      };
    case 'disk-removed':
      return {
        message: `The disk holding ${repo} went away during the backup.`,
        fix: 'Reconnect the disk and run the backup again; borg resumes from the last checkpoint.',
      };
    case 'cancelled':
      return {
        message: 'The run was cancelled before it finished.',
        fix: 'Start it again when ready; borg resumes from the last checkpoint.',
      };
    case 'unknown':
      if (info.summary) {
        // Aggregated file-level warnings that have no kind of their own (I/O errors, files changing).
        return { message: `${files(n)} ${info.summary}${eg}.`, fix: 'See the log for the full list; everything else was backed up.' };
      }
      return {
        message: info.detail
          ? `borg reported: ${firstLine(info.detail)}`
          : `borg failed${info.exitCode != null ? ` with exit code ${info.exitCode}` : ''}.`,
        fix: 'Open the log for the full borg output.',
      };
  }
}

export function diagnosisFor(kind: ErrorKind, ctx: ClassifyContext, detail?: string): Diagnosis {
  const info: Info = { detail, remote: detail?.startsWith('Remote: ') };
  const file = detail ? FILE_WARNING.exec(detail) : null;
  if (file) info.example = file[1];
  return { kind, ...describe(kind, ctx, info), ...(detail ? { detail } : {}) };
}

/**
 * borg >= 1.4 with BORG_EXIT_CODES=modern exits with the code of the error class
 * (docs/internals/frontends.rst, "Message IDs"). borg 1.2 only uses 0, 1, 2 and 128+signal.
 */
const MODERN_EXIT_MSGIDS: Readonly<Record<number, string>> = {
  3: 'CancelledByUser',
  10: 'Repository.AlreadyExists',
  13: 'Repository.DoesNotExist',
  15: 'Repository.InvalidRepository',
  16: 'Repository.InvalidRepositoryConfig',
  18: 'Repository.ParentPathDoesNotExist',
  25: 'MandatoryFeatureUnsupported',
  27: 'UnsupportedManifestError',
  48: 'UnsupportedPayloadError',
  49: 'UnsupportedKeyFormatError',
  50: 'NoPassphraseFailure',
  52: 'PassphraseWrong',
  53: 'PasswordRetriesExceeded',
  70: 'LockError',
  71: 'LockErrorT',
  72: 'LockFailed',
  73: 'LockTimeout',
  80: 'ConnectionClosed',
  81: 'ConnectionClosedWithHint',
  84: 'RemoteRepository.RPCServerOutdated',
  87: 'ConnectionBrokenWithHint',
  105: 'BackupPermissionError',
  107: 'BackupFileNotFoundError',
};

function kindForMsgid(msgid: string, ctx: ClassifyContext): ErrorKind | null {
  switch (msgid) {
    case 'PassphraseWrong':
      return 'passphrase-wrong';
    case 'NoPassphraseFailure':
    case 'PasswordRetriesExceeded':
      return ctx.passphraseSupplied ? 'passphrase-wrong' : 'passphrase-missing';
    case 'Repository.DoesNotExist':
    case 'Repository.ParentPathDoesNotExist':
      return 'repo-missing';
    case 'Repository.InvalidRepository':
    case 'Repository.InvalidRepositoryConfig':
      return 'repo-invalid';
    case 'Repository.AlreadyExists':
    case 'Repository.PathAlreadyExists':
      return 'repo-exists';
    case 'LockTimeout':
      return 'lock-timeout';
    case 'LockFailed':
    case 'LockError':
    case 'LockErrorT':
      return 'lock-failed';
    case 'ConnectionClosed':
    case 'ConnectionClosedWithHint':
    case 'ConnectionBrokenWithHint':
      return 'connection-lost';
    case 'RemoteRepository.RPCServerOutdated':
    case 'MandatoryFeatureUnsupported':
    case 'UnsupportedManifestError':
    case 'UnsupportedPayloadError':
    case 'UnsupportedKeyFormatError':
      return 'borg-too-old';
    case 'CancelledByUser':
      return 'cancelled';
    case 'BackupPermissionError':
      return 'source-permission';
    case 'BackupFileNotFoundError':
      return 'source-missing';
    default:
      // borg 1.2 logs "Received SIGTERM" with msgid Signal.SIGTERM (also SIGHUP).
      return msgid.startsWith('Signal.') ? 'cancelled' : null;
  }
}

/** ssh's own wording (OpenSSH), as it arrives from borg: `Remote: <line>` or as plain text. */
const SSH_PATTERNS: readonly { re: RegExp; kind: ErrorKind; specific: boolean }[] = [
  { re: /REMOTE HOST IDENTIFICATION HAS CHANGED/, kind: 'ssh-host-changed', specific: false },
  { re: /Host key for .* has changed/, kind: 'ssh-host-changed', specific: true },
  { re: /UNPROTECTED PRIVATE KEY FILE/, kind: 'ssh-key-too-open', specific: false },
  { re: /Permissions \d+ for '.*' are too open/, kind: 'ssh-key-too-open', specific: true },
  { re: /No \S+ host key is known for/, kind: 'ssh-host-unknown', specific: true },
  { re: /Host key verification failed/, kind: 'ssh-host-unknown', specific: false },
  { re: /Permission denied \(|Permission denied, please try again/, kind: 'ssh-permission-denied', specific: true },
  { re: /borg: (command )?not found|command not found: borg|borg: No such file or directory/, kind: 'borg-missing', specific: true },
  {
    re: /Connection (closed|reset|refused|timed out)|Broken pipe|Could not resolve hostname|No route to host|Network is unreachable|Operation timed out/,
    kind: 'connection-lost',
    specific: true,
  },
];

/** Primary diagnosis first. `connection-lost` ranks low: it is usually the consequence of an ssh failure. */
const PRIORITY: readonly ErrorKind[] = [
  'cancelled',
  'ssh-key-too-open',
  'ssh-host-changed',
  'ssh-host-unknown',
  'ssh-permission-denied',
  'borg-missing',
  'borg-too-old',
  'passphrase-wrong',
  'passphrase-missing',
  'repo-missing',
  'repo-invalid',
  'repo-exists',
  'disk-not-mounted',
  'disk-removed',
  'lock-timeout',
  'lock-failed',
  'connection-lost',
  'source-permission',
  'source-missing',
  'unknown',
];

/** Kinds that are only the knock-on effect of another kind, e.g. ssh failing makes borg report "Connection closed". */
const CONSEQUENCES: Partial<Record<ErrorKind, readonly ErrorKind[]>> = {
  cancelled: ['connection-lost'],
  'ssh-key-too-open': ['ssh-permission-denied', 'connection-lost'],
  // ssh prints "Host key verification failed." after the changed-key banner too.
  'ssh-host-changed': ['ssh-host-unknown', 'connection-lost'],
  'ssh-host-unknown': ['connection-lost'],
  'ssh-permission-denied': ['connection-lost'],
  'borg-missing': ['connection-lost'],
};

const MAX_NOTABLE = 50;
const MAX_LINE = 2000;
const MAX_OTHER_BUCKETS = 10;
const SIGNAL_ERRORS = new Set(['Got Ctrl-C / SIGINT.', 'Keyboard interrupt']);
// Errors on the repository path that mean the disk itself vanished (EIO, ENXIO, ENODEV).
const DISK_GONE = /\[Errno (5|6|19)\]/;

interface Bucket {
  count: number;
  detail: string;
  summary?: string;
  example?: string;
  specific?: boolean;
  remote?: boolean;
}

export class DiagnosisCollector {
  private readonly errors = new Map<ErrorKind, Bucket>();
  private readonly fileWarnings = new Map<string, Bucket & { kind: ErrorKind }>();
  private readonly notable: string[] = [];
  private dropped = 0;
  private firstError?: string;
  private firstWarning?: string;
  private readonly local: boolean;

  constructor(private readonly ctx: ClassifyContext) {
    this.local = sshTarget(ctx.repository) === null;
  }

  /** Up to 50 warning/error lines seen, for a log view; `droppedLines` counts the rest. */
  get notableLines(): readonly string[] {
    return this.notable;
  }

  get droppedLines(): number {
    return this.dropped;
  }

  observe(ev: BorgEvent): void {
    if (ev.type === 'text') {
      this.keep(ev.line);
      this.matchSsh(ev.line, false);
      return;
    }
    if (ev.type !== 'log_message' || ev.level === 'DEBUG' || ev.level === 'INFO') return;
    const msg = ev.message;
    this.keep(msg);
    const kind = ev.msgid ? kindForMsgid(ev.msgid, this.ctx) : null;
    if (kind === 'source-permission' || kind === 'source-missing' || (ev.level === 'WARNING' && !ev.msgid)) {
      if (this.fileWarning(msg, kind)) return;
    }
    if (kind) this.note(kind, msg, true, msg.startsWith('Remote: '));
    else if (msg.startsWith('Remote: ')) this.matchSsh(msg.slice('Remote: '.length), true);
    else if (ev.level === 'WARNING') this.firstWarning ??= clip(msg);
    else if (SIGNAL_ERRORS.has(msg)) this.note('cancelled', msg, true);
    else if (this.local && DISK_GONE.test(msg)) this.note('disk-removed', msg, true);
    // A traceback follows the error it explains; the error line is the useful one.
    else if (!msg.startsWith('Traceback (most recent call last)')) this.firstError ??= clip(msg);
  }

  finish(exitCode: number | null, signal?: string | null): { level: 'success' | 'warning' | 'error'; diagnoses: Diagnosis[] } {
    if (signal || (exitCode !== null && exitCode >= 128)) this.note('cancelled', signal ?? `exit code ${exitCode}`, false);
    if (exitCode === 0 && !signal) return { level: 'success', diagnoses: [] };
    const warning = !signal && (exitCode === 1 || (exitCode !== null && exitCode >= 100 && exitCode < 128));
    const modern = exitCode === null ? undefined : MODERN_EXIT_MSGIDS[exitCode];
    const fallback = modern ? kindForMsgid(modern, this.ctx) : null;
    const out: Diagnosis[] = [];
    if (!warning) out.push(...this.errorDiagnoses(exitCode, fallback));
    out.push(...this.warningDiagnoses(warning ? fallback : null));
    if (warning && out.length === 0 && this.firstWarning) out.push(this.make('unknown', { detail: this.firstWarning }));
    return { level: warning ? 'warning' : 'error', diagnoses: out };
  }

  private errorDiagnoses(exitCode: number | null, fallback: ErrorKind | null): Diagnosis[] {
    const kinds = PRIORITY.filter((k) => this.errors.has(k));
    const hidden = new Set(kinds.flatMap((k) => CONSEQUENCES[k] ?? []));
    const out = kinds
      .filter((k) => !hidden.has(k))
      .map((k) => {
        const b = this.errors.get(k) as Bucket;
        return this.make(k, { detail: b.detail, remote: b.remote });
      });
    if (out.length === 0 && fallback && !this.errors.has(fallback)) out.push(this.make(fallback, {}));
    if (out.length === 0) out.push(this.make('unknown', { detail: this.firstError, exitCode }));
    return out;
  }

  private warningDiagnoses(fallback: ErrorKind | null): Diagnosis[] {
    const buckets = [...this.fileWarnings.values()].sort(
      (a, b) => PRIORITY.indexOf(a.kind) - PRIORITY.indexOf(b.kind) || b.count - a.count,
    );
    const out = buckets.map((b) => this.make(b.kind, { detail: b.detail, summary: b.summary, count: b.count, example: b.example }));
    if (out.length === 0 && (fallback === 'source-permission' || fallback === 'source-missing')) out.push(this.make(fallback, {}));
    return out;
  }

  private make(kind: ErrorKind, info: Info): Diagnosis {
    return { kind, ...describe(kind, this.ctx, info), ...(info.detail ? { detail: info.detail } : {}) };
  }

  private keep(line: string): void {
    if (this.notable.length < MAX_NOTABLE) this.notable.push(clip(line));
    else this.dropped++;
  }

  private note(kind: ErrorKind, line: string, specific: boolean, remote = false): void {
    const b = this.errors.get(kind);
    if (!b) this.errors.set(kind, { count: 1, detail: clip(line), specific, remote });
    else {
      b.count++;
      // ssh prints a banner before the line that names the host or key file; prefer the latter.
      if (specific && !b.specific) Object.assign(b, { detail: clip(line), specific });
    }
  }

  private matchSsh(line: string, remote: boolean): void {
    const hit = SSH_PATTERNS.find((p) => p.re.test(line));
    // borg can only be missing on the server here: a missing local borg fails to spawn at all.
    if (hit) this.note(hit.kind, remote ? `Remote: ${line}` : line, hit.specific, remote || !this.local);
  }

  /** Aggregates per-file warnings into one bucket per cause, keeping the first path as the example. */
  private fileWarning(msg: string, kind: ErrorKind | null): boolean {
    const m = FILE_WARNING.exec(msg);
    const changed = /^(.*): file changed while we backed it up$/.exec(msg);
    if (!m && !changed && !kind) return false;
    const errno = m?.[2];
    const resolved: ErrorKind =
      kind ?? (errno === '1' || errno === '13' ? 'source-permission' : errno === '2' ? 'source-missing' : 'unknown');
    const key = resolved === 'unknown' ? (changed ? 'changed' : `errno ${errno ?? '?'}`) : resolved;
    const b = this.fileWarnings.get(key);
    if (b) {
      b.count++;
      return true;
    }
    if (this.fileWarnings.size >= MAX_OTHER_BUCKETS + 2) return false;
    const summary =
      resolved !== 'unknown' ? undefined : changed ? 'changed while being backed up' : `could not be read (${m?.[3] ?? 'error'})`;
    this.fileWarnings.set(key, { kind: resolved, count: 1, detail: clip(msg), summary, example: m?.[1] ?? changed?.[1] });
    return true;
  }
}

function clip(s: string): string {
  return s.length > MAX_LINE ? `${s.slice(0, MAX_LINE - 3)}...` : s;
}
