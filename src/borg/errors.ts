/**
 * Turns what borg (and ssh under it) said into a short list of human diagnoses.
 * The collector is fed every event of a run, so it keeps counters and a bounded sample only.
 */
import type { BorgEvent } from './log-json.js';
import type { ClassifyContext, Diagnosis, ErrorKind } from '../diagnosis.js';
import { describe, FILE_WARNING, type DiagnosisFacts } from '../messages.js';
import { sshTarget } from './location.js';

export type { ClassifyContext, Diagnosis, ErrorKind } from '../diagnosis.js';

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
    case 'Archive.DoesNotExist':
      return 'archive-missing';
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
    case 'Repository.InsufficientFreeSpaceError':
    case 'Repository.StorageQuotaExceeded':
      return 'disk-full';
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
  'borg-broken',
  'passphrase-wrong',
  'passphrase-missing',
  'repo-missing',
  'repo-invalid',
  'repo-exists',
  'disk-not-mounted',
  'disk-removed',
  'disk-full',
  'lock-timeout',
  'lock-failed',
  'connection-lost',
  'source-permission',
  'source-missing',
  'archive-missing',
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
// borg's repository, when a write fails with ENOSPC: it rolls back and logs this (borg 1.2 and 1.4).
const DISK_FULL = /^(Remote: )?No space left on device, cleaning up partial transaction/;
// borg's self-test (run before the command) failed: the whole report, one test's failure, or the count check.
const SELFTEST_FAILED = /^self test (failed|count \(|.* FAILED:)/;
// ENOSPC anywhere else in an error line or traceback (the cache dir, a remote's exception text).
const ENOSPC = /\[Errno 28\]|No space left on device/;

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
    if (!kind && ev.level === 'ERROR' && SELFTEST_FAILED.test(msg)) {
      this.note('borg-broken', msg, true);
      return;
    }
    if (!kind && DISK_FULL.test(msg)) {
      this.note('disk-full', msg, false, msg.startsWith('Remote: '));
      return;
    }
    if (kind === 'source-permission' || kind === 'source-missing' || (ev.level === 'WARNING' && !ev.msgid)) {
      if (this.fileWarning(msg, kind)) return;
    }
    if (kind) this.note(kind, msg, true, msg.startsWith('Remote: '));
    else if (msg.startsWith('Remote: ')) {
      // The server's own error text comes as `Remote: …` too: ssh's wording first, then a full disk there.
      if (!this.matchSsh(msg.slice('Remote: '.length), true) && ENOSPC.test(msg)) this.note('disk-full', msg, false, true);
    } else if (ev.level === 'WARNING') this.firstWarning ??= clip(msg);
    else if (SIGNAL_ERRORS.has(msg)) this.note('cancelled', msg, true);
    else if (this.local && DISK_GONE.test(msg)) this.note('disk-removed', msg, true);
    // A traceback follows the error it explains; the error line is the useful one, unless it ends in ENOSPC.
    else if (msg.startsWith('Traceback (most recent call last)')) {
      if (ENOSPC.test(msg)) this.note('disk-full', lastLine(msg, ENOSPC), false);
    } else if (ENOSPC.test(msg)) this.note('disk-full', msg, false, msg.startsWith('Remote: '));
    else this.firstError ??= clip(msg);
  }

  finish(exitCode: number | null, signal?: string | null): { level: 'success' | 'warning' | 'error'; diagnoses: Diagnosis[] } {
    if (signal || (exitCode !== null && exitCode >= 128)) this.note('cancelled', signal ?? `exit code ${exitCode}`, false);
    if (exitCode === 0 && !signal) return { level: 'success', diagnoses: [] };
    const warning = !signal && (exitCode === 1 || (exitCode !== null && exitCode >= 100 && exitCode < 128));
    const modern = exitCode === null ? undefined : MODERN_EXIT_MSGIDS[exitCode];
    const fallback = modern ? kindForMsgid(modern, this.ctx) : null;
    const out: Diagnosis[] = [];
    if (!warning) out.push(...this.errorDiagnoses(exitCode, fallback));
    // borg rolls a full repository back and fails; should it ever only warn, the full disk still leads.
    if (warning && this.errors.has('disk-full')) out.push(this.make('disk-full', { detail: this.errors.get('disk-full')?.detail }));
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
    // A full repository makes borg report every file it was writing as unreadable ("read: [Errno 28]"):
    // those files are fine, and the disk-full diagnosis already says why the backup failed.
    const full = this.errors.has('disk-full');
    const buckets = [...this.fileWarnings.entries()]
      .filter(([key]) => !(full && key === 'errno 28'))
      .map(([, b]) => b)
      .sort((a, b) => PRIORITY.indexOf(a.kind) - PRIORITY.indexOf(b.kind) || b.count - a.count);
    const out = buckets.map((b) => this.make(b.kind, { detail: b.detail, summary: b.summary, count: b.count, example: b.example }));
    if (out.length === 0 && (fallback === 'source-permission' || fallback === 'source-missing')) out.push(this.make(fallback, {}));
    return out;
  }

  private make(kind: ErrorKind, info: DiagnosisFacts): Diagnosis {
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

  /** Notes the ssh failure the line names, if any; true when it named one. */
  private matchSsh(line: string, remote: boolean): boolean {
    const hit = SSH_PATTERNS.find((p) => p.re.test(line));
    // borg can only be missing on the server here: a missing local borg fails to spawn at all.
    if (hit) this.note(hit.kind, remote ? `Remote: ${line}` : line, hit.specific, remote || !this.local);
    return hit !== undefined;
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

/** The last line of a multi-line message that matches, e.g. `OSError: [Errno 28] …` at a traceback's end. */
function lastLine(msg: string, re: RegExp): string {
  return msg.split('\n').findLast((l) => re.test(l)) ?? msg;
}

function clip(s: string): string {
  return s.length > MAX_LINE ? `${s.slice(0, MAX_LINE - 3)}...` : s;
}
