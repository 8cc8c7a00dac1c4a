import { sshTarget } from '../../src/borg/location.js';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DiagnosisCollector, type ClassifyContext, type ErrorKind } from '../../src/borg/errors.js';
import { diagnosisFor } from '../../src/messages.js';
import { LineSplitter, parseLogLine, type BorgEvent } from '../../src/borg/log-json.js';

const dir = new URL('../fixtures/borg/', import.meta.url);

interface Sidecar {
  rc: number;
  repository: string;
}

/** Replays a recorded stderr through the same pipeline the runner uses and classifies it. */
function classify(name: string, over: Partial<ClassifyContext> = {}) {
  const meta = JSON.parse(readFileSync(fileURLToPath(new URL(`${name}.json`, dir)), 'utf8')) as Sidecar;
  const ctx: ClassifyContext = { repository: meta.repository, platform: 'linux', passphraseSupplied: true, ...over };
  const collector = new DiagnosisCollector(ctx);
  const splitter = new LineSplitter();
  const feed = (lines: string[]) => lines.map(parseLogLine).forEach((ev) => ev && collector.observe(ev));
  const bytes = readFileSync(fileURLToPath(new URL(`${name}.stderr`, dir)));
  for (let i = 0; i < bytes.length; i += 64) feed(splitter.push(bytes.subarray(i, i + 64)));
  feed(splitter.end());
  return collector.finish(meta.rc);
}

const kinds = (r: { diagnoses: { kind: ErrorKind }[] }) => r.diagnoses.map((d) => d.kind);

const ctx: ClassifyContext = { repository: '/Volumes/Backup/repo', platform: 'linux', passphraseSupplied: true };

const warn = (message: string): BorgEvent => ({ type: 'log_message', level: 'WARNING', name: 'borg.archiver', message });

describe('fixtures recorded from borg 1.2.4 classify to the right kind', () => {
  it.each<[string, ErrorKind]>([
    ['passphrase-wrong', 'passphrase-wrong'],
    ['repo-missing', 'repo-missing'],
    ['repo-parent-missing', 'repo-missing'],
    ['repo-invalid-empty', 'repo-invalid'],
    ['repo-invalid-files', 'repo-invalid'],
    ['repo-exists', 'repo-exists'],
    ['lock-timeout', 'lock-timeout'],
    ['lock-failed', 'lock-failed'],
    ['ssh-host-unknown', 'ssh-host-unknown'],
    ['ssh-host-unknown-strict', 'ssh-host-unknown'],
    ['ssh-host-changed', 'ssh-host-changed'],
    ['ssh-permission-denied', 'ssh-permission-denied'],
    ['ssh-key-too-open', 'ssh-key-too-open'],
    ['ssh-connection-refused', 'connection-lost'],
    ['connection-closed-bare', 'connection-lost'],
    ['connection-lost', 'connection-lost'],
    ['cancelled-sigterm', 'cancelled'],
    ['cancelled-sigint', 'cancelled'],
    ['relocated-repo-question', 'unknown'],
  ])('%s -> %s (error)', (name, kind) => {
    const r = classify(name);
    expect(r.level).toBe('error');
    expect(r.diagnoses[0]?.kind).toBe(kind);
  });

  it.each<[string, ErrorKind]>([
    ['source-missing', 'source-missing'],
    ['source-permission', 'source-permission'],
  ])('%s -> %s (warning)', (name, kind) => {
    const r = classify(name);
    expect(r.level).toBe('warning');
    expect(kinds(r)).toEqual([kind]);
  });

  it('a successful create has no diagnoses', () => {
    expect(classify('create-success')).toEqual({ level: 'success', diagnoses: [] });
    expect(classify('create-long')).toEqual({ level: 'success', diagnoses: [] });
  });

  it('no passphrase at all is passphrase-missing, not wrong', () => {
    expect(classify('passphrase-missing', { passphraseSupplied: false }).diagnoses[0]?.kind).toBe('passphrase-missing');
    expect(classify('passphrase-missing', { passphraseSupplied: true }).diagnoses[0]?.kind).toBe('passphrase-wrong');
  });

  it('interpolates the repository and keeps the raw line', () => {
    const [d] = classify('repo-missing').diagnoses;
    expect(d?.message).toContain('/tmp/dand-rec/w/nope');
    expect(d?.detail).toBe('Repository /tmp/dand-rec/w/nope does not exist.');
    const [lock] = classify('lock-timeout').diagnoses;
    expect(lock?.fix).toContain('borg break-lock /tmp/dand-rec/w/repo');
  });

  it('reports the lock error, not the traceback after it', () => {
    const [d] = classify('lock-failed').diagnoses;
    expect(d?.detail).toMatch(/^Failed to create\/acquire the lock/);
  });

  it('falls back to the error line for unknown errors', () => {
    expect(classify('relocated-repo-question').diagnoses[0]?.message).toBe('borg reported: Repository access aborted');
  });
});

describe('ssh failures', () => {
  it('unknown host: names host and port, fix is the one ssh-keyscan command', () => {
    const r = classify('ssh-host-unknown');
    expect(kinds(r)).toEqual(['ssh-host-unknown']); // connection-lost is only the consequence
    expect(r.diagnoses[0]?.message).toContain('127.0.0.1 (port 2222)');
    expect(r.diagnoses[0]?.fix).toContain('`ssh-keyscan -p 2222 127.0.0.1 >> ~/.ssh/known_hosts`');
    expect(r.diagnoses[0]?.fix).toMatch(/fingerprint/);
  });

  it('changed host key: warns of an attack, fix removes the exact known_hosts entry', () => {
    const r = classify('ssh-host-changed');
    expect(kinds(r)).toEqual(['ssh-host-changed']);
    const [d] = r.diagnoses;
    expect(d?.message).toMatch(/intercept/);
    expect(d?.message).toMatch(/never accepted silently/);
    expect(d?.fix).toContain("`ssh-keygen -R '[127.0.0.1]:2222'`");
    expect(d?.detail).toBe('Remote: Host key for [127.0.0.1]:2222 has changed and you have requested strict checking.');
  });

  it('port 22 uses the bare host in known_hosts commands', () => {
    const c = { ...ctx, repository: 'backup@nas.local:/srv/borg' };
    expect(diagnosisFor('ssh-host-changed', c).fix).toContain("ssh-keygen -R 'nas.local'");
    expect(diagnosisFor('ssh-host-unknown', c).fix).toContain('ssh-keyscan -p 22 nas.local');
    expect(diagnosisFor('ssh-permission-denied', c).fix).toContain('ssh-copy-id -p 22 backup@nas.local');
  });

  it('key too open: names the key file and hides the login refusal it causes', () => {
    const r = classify('ssh-key-too-open');
    expect(kinds(r)).toEqual(['ssh-key-too-open']);
    expect(r.diagnoses[0]?.fix).toBe('Restrict it to your user: `chmod 600 /tmp/dand-rec/ssh/openkey`');
  });

  it('a refused connection says nothing listens on that port', () => {
    expect(classify('ssh-connection-refused').diagnoses[0]?.message).toBe(
      '127.0.0.1 refused the connection on port 2223: nothing listens for SSH there.',
    );
    expect(classify('connection-lost').diagnoses[0]?.message).toBe('The connection to 127.0.0.1 (port 2222) was lost.');
  });

  it('classifies plain-text ssh lines and borg missing on the server', () => {
    const c = new DiagnosisCollector({ ...ctx, repository: 'ssh://u@example.org:2200/./repo' });
    c.observe({ type: 'text', line: 'No ED25519 host key is known for [example.org]:2200 and you have requested strict checking.' });
    c.observe({ type: 'text', line: 'Host key verification failed.' });
    expect(c.finish(2).diagnoses[0]).toMatchObject({ kind: 'ssh-host-unknown' });

    const b = new DiagnosisCollector({ ...ctx, repository: 'u@example.org:repo' });
    b.observe(warn('Remote: bash: line 1: borg: command not found'));
    b.observe({
      type: 'log_message',
      level: 'ERROR',
      name: 'borg.archiver',
      message: 'Connection closed by remote host. Is borg working on the server?',
      msgid: 'ConnectionClosedWithHint',
    });
    const [d, ...rest] = b.finish(2).diagnoses;
    expect(d?.kind).toBe('borg-missing');
    expect(d?.message).toContain('on the server example.org');
    expect(rest).toEqual([]);
  });
});

describe('warnings are aggregated', () => {
  it('counts unreadable files and names one', () => {
    const r = classify('source-permission');
    expect(r.diagnoses[0]?.message).toBe('2 files could not be read (permission denied), e.g. /tmp/dand-rec/w/src/secret.txt.');
    expect(r.diagnoses[0]?.message).not.toMatch(/Full Disk Access/);
  });

  it('on macOS the permission message points at Full Disk Access', () => {
    const r = classify('source-permission-macos', { platform: 'darwin' });
    expect(r.level).toBe('warning');
    const [d] = r.diagnoses;
    expect(d?.message).toMatch(/^3 files could not be read \(permission denied\), e\.g\. \/Users\/alice\/Library\/Mail\./);
    expect(d?.message).toContain('Full Disk Access');
    expect(d?.fix).toContain('System Settings › Privacy & Security › Full Disk Access');
    expect(d?.fix).toContain('Dandelion');
  });

  it('names a single missing source path', () => {
    const [d] = classify('source-missing').diagnoses;
    expect(d?.message).toBe('1 source path does not exist: /tmp/dand-rec/w/does-not-exist.');
  });

  it('groups other file errors by cause, most actionable first', () => {
    const c = new DiagnosisCollector(ctx);
    c.observe(warn("/data/a: read: [Errno 5] Input/output error: 'a'"));
    c.observe(warn("/data/b: read: [Errno 5] Input/output error: 'b'"));
    c.observe(warn('/data/log.txt: file changed while we backed it up'));
    c.observe(warn("/data/x: open: [Errno 13] Permission denied: 'x'"));
    const r = c.finish(1);
    expect(r.level).toBe('warning');
    expect(r.diagnoses.map((d) => d.message)).toEqual([
      '1 file could not be read (permission denied): /data/x.',
      '2 files could not be read (Input/output error), e.g. /data/a.',
      '1 file changed while being backed up: /data/log.txt.',
    ]);
  });

  it('stays bounded over a huge run', () => {
    const c = new DiagnosisCollector(ctx);
    for (let i = 0; i < 200_000; i++) c.observe(warn(`/data/${i}: open: [Errno 13] Permission denied: '${i}'`));
    expect(c.notableLines.length).toBe(50);
    expect(c.droppedLines).toBe(200_000 - 50);
    const r = c.finish(1);
    expect(r.diagnoses).toHaveLength(1);
    expect(r.diagnoses[0]?.message).toBe('200,000 files could not be read (permission denied), e.g. /data/0.');
  });

  it('exit 0 with warning lines is a success without diagnoses', () => {
    const c = new DiagnosisCollector(ctx);
    c.observe(warn("/data/x: open: [Errno 13] Permission denied: 'x'"));
    expect(c.finish(0)).toEqual({ level: 'success', diagnoses: [] });
  });
});

describe('exit code fallback', () => {
  const only = (code: number | null, signal?: string, over: Partial<ClassifyContext> = {}) =>
    new DiagnosisCollector({ ...ctx, ...over }).finish(code, signal);

  it('borg 1.2 codes', () => {
    expect(only(0)).toEqual({ level: 'success', diagnoses: [] });
    expect(only(2)).toMatchObject({ level: 'error', diagnoses: [{ kind: 'unknown', message: 'borg failed with exit code 2.' }] });
    expect(only(143)).toMatchObject({ level: 'error', diagnoses: [{ kind: 'cancelled' }] });
    expect(only(null, 'SIGKILL')).toMatchObject({ level: 'error', diagnoses: [{ kind: 'cancelled' }] });
    expect(only(null)).toMatchObject({ level: 'error', diagnoses: [{ kind: 'unknown' }] });
    expect(only(1)).toEqual({ level: 'warning', diagnoses: [] });
  });

  it.each<[number, ErrorKind]>([
    [52, 'passphrase-wrong'],
    [13, 'repo-missing'],
    [15, 'repo-invalid'],
    [10, 'repo-exists'],
    [73, 'lock-timeout'],
    [72, 'lock-failed'],
    [80, 'connection-lost'],
    [81, 'connection-lost'],
    [84, 'borg-too-old'],
    [3, 'cancelled'],
  ])('borg 1.4 modern exit code %i -> %s', (code, kind) => {
    expect(only(code)).toMatchObject({ level: 'error', diagnoses: [{ kind }] });
  });

  it('modern passphrase codes respect whether a passphrase was supplied', () => {
    expect(only(50, undefined, { passphraseSupplied: false }).diagnoses[0]?.kind).toBe('passphrase-missing');
    expect(only(53, undefined, { passphraseSupplied: true }).diagnoses[0]?.kind).toBe('passphrase-wrong');
  });

  it('modern warning codes are warnings', () => {
    expect(only(105)).toMatchObject({ level: 'warning', diagnoses: [{ kind: 'source-permission' }] });
    expect(only(107)).toMatchObject({ level: 'warning', diagnoses: [{ kind: 'source-missing' }] });
    expect(only(100)).toEqual({ level: 'warning', diagnoses: [] });
  });

  it('a logged msgid wins over the exit code', () => {
    const c = new DiagnosisCollector(ctx);
    c.observe({
      type: 'log_message',
      level: 'ERROR',
      name: 'borg.archiver',
      message: 'Failed to create/acquire the lock x (timeout).',
      msgid: 'LockTimeout',
    });
    expect(kinds(c.finish(52))).toEqual(['lock-timeout']);
  });

  it('EIO on a local repository means the disk went away', () => {
    const c = new DiagnosisCollector(ctx);
    c.observe({
      type: 'log_message',
      level: 'ERROR',
      name: 'borg.archiver',
      message: "[Errno 5] Input/output error: '/Volumes/Backup/repo/data/1/123'",
    });
    expect(kinds(c.finish(2))).toEqual(['disk-removed']);
  });
});

describe('diagnosisFor', () => {
  const all: ErrorKind[] = [
    'passphrase-wrong',
    'passphrase-missing',
    'repo-missing',
    'repo-invalid',
    'repo-exists',
    'lock-timeout',
    'lock-failed',
    'ssh-host-unknown',
    'ssh-host-changed',
    'ssh-permission-denied',
    'ssh-key-too-open',
    'connection-lost',
    'source-permission',
    'source-missing',
    'borg-missing',
    'borg-too-old',
    'borg-broken',
    'disk-not-mounted',
    'disk-removed',
    'cancelled',
    'unknown',
  ];

  it.each(all)('%s has a message and a fix on every platform', (kind) => {
    for (const platform of ['darwin', 'linux'] as const) {
      const d = diagnosisFor(kind, { ...ctx, repository: 'ssh://me@host.example:23/repo', platform });
      expect(d.kind).toBe(kind);
      expect(d.message.length).toBeGreaterThan(10);
      expect(d.fix.length).toBeGreaterThan(10);
      expect(d.message).not.toMatch(/undefined|NaN/);
      expect(d.fix).not.toMatch(/undefined|NaN/);
    }
  });

  it('builds context-specific diagnoses for callers', () => {
    expect(diagnosisFor('disk-not-mounted', ctx).message).toBe('The disk holding /Volumes/Backup/repo is not connected.');
    expect(diagnosisFor('borg-missing', { ...ctx, platform: 'darwin' }).fix).toContain('brew install borgbackup');
    const d = diagnosisFor(
      'source-permission',
      { ...ctx, platform: 'darwin' },
      "/Users/a/Mail: open: [Errno 1] Operation not permitted: 'Mail'",
    );
    expect(d.message).toContain('/Users/a/Mail');
    expect(d.message).toContain('Full Disk Access');
    expect(d.detail).toContain('[Errno 1]');
  });
});

describe('sshTarget', () => {
  it.each([
    ['ssh://borg@host.example:2222/./repo', { user: 'borg', host: 'host.example', port: 2222 }],
    ['ssh://host.example/srv/repo', { host: 'host.example', port: 22 }],
    ['ssh://u@[::1]:2200/repo', { user: 'u', host: '::1', port: 2200 }],
    ['u@nas:backups/repo', { user: 'u', host: 'nas', port: 22 }],
    ['/Volumes/Backup/repo', null],
    ['file:///srv/repo', null],
    ['~/repo', null],
  ])('%s', (repo, expected) => {
    expect(sshTarget(repo)).toEqual(expected);
  });
});

type Level = 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR';
const logged = (level: Level, message: string, msgid?: string): BorgEvent => ({
  type: 'log_message',
  level,
  name: 'borg.archiver',
  message,
  ...(msgid ? { msgid } : {}),
});
const text = (line: string): BorgEvent => ({ type: 'text', line });

function collect(events: BorgEvent[], exitCode: number | null, over: Partial<ClassifyContext> = {}, signal?: string) {
  const c = new DiagnosisCollector({ ...ctx, ...over });
  for (const ev of events) c.observe(ev);
  return c.finish(exitCode, signal);
}

const sshCtx: Partial<ClassifyContext> = { repository: 'ssh://u@backup.example:23/./repo' };

describe('every borg msgid has its kind', () => {
  it.each<[string, ErrorKind]>([
    ['PassphraseWrong', 'passphrase-wrong'],
    ['Repository.DoesNotExist', 'repo-missing'],
    ['Repository.ParentPathDoesNotExist', 'repo-missing'],
    ['Repository.InvalidRepository', 'repo-invalid'],
    ['Repository.InvalidRepositoryConfig', 'repo-invalid'],
    ['Repository.AlreadyExists', 'repo-exists'],
    ['Repository.PathAlreadyExists', 'repo-exists'],
    ['LockTimeout', 'lock-timeout'],
    ['LockFailed', 'lock-failed'],
    ['LockError', 'lock-failed'],
    ['LockErrorT', 'lock-failed'],
    ['ConnectionClosed', 'connection-lost'],
    ['ConnectionClosedWithHint', 'connection-lost'],
    ['ConnectionBrokenWithHint', 'connection-lost'],
    ['RemoteRepository.RPCServerOutdated', 'borg-too-old'],
    ['MandatoryFeatureUnsupported', 'borg-too-old'],
    ['UnsupportedManifestError', 'borg-too-old'],
    ['UnsupportedPayloadError', 'borg-too-old'],
    ['UnsupportedKeyFormatError', 'borg-too-old'],
    ['CancelledByUser', 'cancelled'],
    ['Signal.SIGTERM', 'cancelled'],
    ['Signal.SIGHUP', 'cancelled'],
  ])('%s -> %s', (msgid, kind) => {
    // passphraseSupplied: false, so a wrong-passphrase msgid cannot pass for a missing one by accident.
    expect(kinds(collect([logged('ERROR', 'borg said so', msgid)], 2, { passphraseSupplied: false }))).toEqual([kind]);
  });

  it('reads a passphrase that was never asked for as missing, and a refused one as wrong', () => {
    for (const msgid of ['NoPassphraseFailure', 'PasswordRetriesExceeded']) {
      expect(kinds(collect([logged('ERROR', 'x', msgid)], 2, { passphraseSupplied: false }))).toEqual(['passphrase-missing']);
      expect(kinds(collect([logged('ERROR', 'x', msgid)], 2, { passphraseSupplied: true }))).toEqual(['passphrase-wrong']);
    }
  });

  it('does not guess from a msgid it does not know, even one that mentions a signal', () => {
    const r = collect([logged('ERROR', 'Something new went wrong', 'Brand.NewError'), logged('ERROR', 'x', 'NotASignal.SIGTERM')], 2);
    expect(r.diagnoses).toMatchObject([{ kind: 'unknown', message: 'borg reported: Something new went wrong' }]);
  });

  it('says the server’s borg is too old when the error came from the server', () => {
    const remote = collect([logged('ERROR', 'Remote: borg server is too old', 'RemoteRepository.RPCServerOutdated')], 2);
    expect(remote.diagnoses[0]?.message).toBe('The borg on the server is too old for this client.');
    const local = collect([logged('ERROR', 'Unsupported manifest', 'UnsupportedManifestError')], 2);
    expect(local.diagnoses[0]?.message).toBe('The installed borg is too old for Dandelion or this repository.');
  });
});

describe('every borg 1.4 exit code has its kind', () => {
  const only = (code: number, over: Partial<ClassifyContext> = {}) => kinds(collect([], code, over));

  it.each<[number, ErrorKind]>([
    [16, 'repo-invalid'],
    [18, 'repo-missing'],
    [25, 'borg-too-old'],
    [27, 'borg-too-old'],
    [48, 'borg-too-old'],
    [49, 'borg-too-old'],
    [70, 'lock-failed'],
    [71, 'lock-failed'],
    [87, 'connection-lost'],
  ])('exit code %i -> %s', (code, kind) => {
    expect(only(code)).toEqual([kind]);
  });

  it('reads exit code 128 and above as killed by a signal, with the code as detail', () => {
    expect(collect([], 128)).toMatchObject({ level: 'error', diagnoses: [{ kind: 'cancelled' }] });
    expect(collect([], 143).diagnoses[0]?.detail).toBe('exit code 143');
    expect(collect([], 127)).toMatchObject({ level: 'warning' });
    expect(collect([], 99)).toMatchObject({ level: 'error', diagnoses: [{ kind: 'unknown' }] });
  });

  it('names the signal that ended borg', () => {
    expect(collect([], null, {}, 'SIGTERM').diagnoses[0]).toMatchObject({ kind: 'cancelled', detail: 'SIGTERM' });
    expect(collect([], 0, {}, 'SIGINT')).toMatchObject({ level: 'error', diagnoses: [{ kind: 'cancelled' }] });
  });
});

describe("borg's self-test", () => {
  const error = (message: string): BorgEvent => ({ type: 'log_message', level: 'ERROR', name: 'borg.archiver', message });

  // borg.selftest's own lines: one per failed test, then the verdict; the count check alone when discovery broke.
  it.each([
    [
      'a failed test and the verdict',
      [
        'self test test_chunkpoints (borg.testsuite.chunker.ChunkerTestCase) FAILED:\nTraceback …',
        'self test failed\nCould be a bug either in Borg, the package / distribution you use, your OS or your hardware.',
      ],
    ],
    // A failed test's own line, should the verdict after it be lost (a borg killed in between).
    ['a failed test alone', ['self test test_chunkpoints (borg.testsuite.chunker.ChunkerTestCase) FAILED:\nTraceback …']],
    [
      'the count check',
      [
        'self test count (31 != 33) mismatch, either test discovery is broken or a test was added without updating borg.selftest',
        'self test failed\nCould be a bug …',
      ],
    ],
  ])('%s: borg-broken, and nothing else', (_, lines) => {
    const c = new DiagnosisCollector(ctx);
    for (const line of lines) c.observe(error(line));
    const r = c.finish(2);
    expect(r.level).toBe('error');
    expect(kinds(r)).toEqual(['borg-broken']);
    expect(r.diagnoses[0]!.message).toMatch(/self-test/);
    expect(r.diagnoses[0]!.fix).toMatch(/Reinstall/);
  });

  it('a file named like it in a warning is not borg failing its self-test', () => {
    const c = new DiagnosisCollector(ctx);
    c.observe(warn('self test failed.txt: [Errno 13] Permission denied'));
    c.observe(error('an error that mentions a self test failed somewhere'));
    expect(kinds(c.finish(2))).not.toContain('borg-broken');
  });
});

describe('which lines the collector listens to', () => {
  it('ignores DEBUG and INFO lines, whatever msgid they carry', () => {
    const c = new DiagnosisCollector(ctx);
    c.observe(logged('INFO', 'Failed to create/acquire the lock', 'LockTimeout'));
    c.observe(logged('DEBUG', 'passphrase wrong?', 'PassphraseWrong'));
    expect(c.notableLines).toEqual([]);
    expect(kinds(c.finish(2))).toEqual(['unknown']);
  });

  it('keeps ssh’s own plain-text lines as they are, without a Remote: prefix', () => {
    const r = collect([text('u@backup.example: Permission denied (publickey).')], 2, sshCtx);
    expect(r.diagnoses[0]).toMatchObject({ kind: 'ssh-permission-denied', detail: 'u@backup.example: Permission denied (publickey).' });
  });

  it('reports a plain warning no rule knows as unknown, with the first such line', () => {
    const r = collect([logged('WARNING', 'something odd happened'), logged('WARNING', 'something else odd')], 1);
    expect(r).toMatchObject({ level: 'warning', diagnoses: [{ kind: 'unknown', detail: 'something odd happened' }] });
    expect(r.diagnoses).toHaveLength(1);
  });

  it('leaves a plain warning out when file warnings already explain the exit code', () => {
    const r = collect([logged('WARNING', "/a: open: [Errno 13] Permission denied: 'a'"), logged('WARNING', 'something odd happened')], 1);
    expect(kinds(r)).toEqual(['source-permission']);
  });

  it('reports both ways borg says it was interrupted as cancelled', () => {
    expect(kinds(collect([logged('ERROR', 'Keyboard interrupt')], 2))).toEqual(['cancelled']);
    expect(kinds(collect([logged('ERROR', 'Got Ctrl-C / SIGINT.')], 2))).toEqual(['cancelled']);
  });

  it('keeps the first line that explains a cancel as its detail', () => {
    const r = collect([logged('ERROR', 'Got Ctrl-C / SIGINT.'), logged('ERROR', 'Cancelled by user.', 'CancelledByUser')], 2);
    expect(r.diagnoses[0]).toMatchObject({ kind: 'cancelled', detail: 'Got Ctrl-C / SIGINT.' });
    const byMsgid = collect([logged('ERROR', 'Cancelled by user.', 'CancelledByUser'), logged('ERROR', 'Keyboard interrupt')], 2);
    expect(byMsgid.diagnoses[0]).toMatchObject({ kind: 'cancelled', detail: 'Cancelled by user.' });
  });

  it('never reads an I/O error as the disk going away when the repository is on a server', () => {
    const r = collect([logged('ERROR', "[Errno 5] Input/output error: '/srv/repo/data/1'")], 2, sshCtx);
    expect(kinds(r)).toEqual(['unknown']);
  });

  it('reads an unreadable file on a local repository’s disk as the disk going away, not as a file warning', () => {
    const r = collect([logged('ERROR', "/Volumes/Backup/repo/data/1: open: [Errno 5] Input/output error: '1'")], 2);
    expect(kinds(r)).toEqual(['disk-removed']);
  });

  it('does not take a traceback for the error line', () => {
    const r = collect([logged('ERROR', 'Traceback (most recent call last):\n  File "borg/archiver.py"\nOSError: x')], 2);
    expect(r.diagnoses[0]?.message).toBe('borg failed with exit code 2.');
  });

  it('clips a very long line to 2000 characters, and leaves one of exactly 2000 alone', () => {
    const long = collect([logged('ERROR', 'x'.repeat(3000))], 2).diagnoses[0]?.detail;
    expect(long).toHaveLength(2000);
    expect(long?.endsWith('x...')).toBe(true);
    const exact = 'y'.repeat(2000);
    expect(collect([logged('ERROR', exact)], 2).diagnoses[0]?.detail).toBe(exact);
  });
});

describe('ssh patterns and what they hide', () => {
  it('recognises the changed-host-key and key-too-open banners on their own', () => {
    expect(kinds(collect([text('@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @')], 2, sshCtx))).toEqual(['ssh-host-changed']);
    expect(kinds(collect([text('@         WARNING: UNPROTECTED PRIVATE KEY FILE!          @')], 2, sshCtx))).toEqual(['ssh-key-too-open']);
  });

  it('prefers the line naming the unknown host over the generic verification failure', () => {
    const named = 'No ED25519 host key is known for [backup.example]:23 and you have requested strict checking.';
    const r = collect([text('Host key verification failed.'), text(named)], 2, sshCtx);
    expect(r.diagnoses).toHaveLength(1);
    expect(r.diagnoses[0]).toMatchObject({ kind: 'ssh-host-unknown', detail: named });
    expect(collect([text(named)], 2, sshCtx).diagnoses[0]).toMatchObject({ kind: 'ssh-host-unknown', detail: named });
  });

  it('hides what a changed host key, a too-open key, a refused login and a cancel cause', () => {
    const closed = logged('ERROR', 'Connection closed by remote host', 'ConnectionClosed');
    expect(
      kinds(collect([text('WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!'), text('Host key verification failed.'), closed], 2, sshCtx)),
    ).toEqual(['ssh-host-changed']);
    expect(
      kinds(
        collect(
          [text("Permissions 0644 for '/k' are too open."), text('u@backup.example: Permission denied (publickey).'), closed],
          2,
          sshCtx,
        ),
      ),
    ).toEqual(['ssh-key-too-open']);
    expect(kinds(collect([text('Permission denied, please try again.'), closed], 2, sshCtx))).toEqual(['ssh-permission-denied']);
    expect(kinds(collect([text("Permissions 0644 for '/k' are too open."), closed], 2, sshCtx))).toEqual(['ssh-key-too-open']);
    expect(
      kinds(collect([text('Host key for [backup.example]:23 has changed and you have requested strict checking.'), closed], 2, sshCtx)),
    ).toEqual(['ssh-host-changed']);
    expect(kinds(collect([logged('ERROR', 'Keyboard interrupt'), closed], 2, sshCtx))).toEqual(['cancelled']);
  });

  it('recognises the shells’ ways of saying borg is not installed, on the server', () => {
    for (const line of [
      'sh: 1: borg: not found',
      'bash: borg: command not found',
      'zsh: command not found: borg',
      'env: borg: No such file or directory',
    ]) {
      const r = collect([text(line)], 2, sshCtx);
      expect(r.diagnoses[0]?.kind).toBe('borg-missing');
      expect(r.diagnoses[0]?.message).toContain('on the server');
    }
  });

  it('says borg is missing on this computer when the line came from a local run', () => {
    expect(collect([text('borg: command not found')], 2).diagnoses[0]?.message).toBe(
      'BorgBackup (borg) is not installed on this computer.',
    );
  });
});

describe('file warnings in detail', () => {
  it('counts file warnings that carry borg 1.4 msgids, whatever their wording', () => {
    const r = collect(
      [
        logged('WARNING', "/a: open: [Errno 13] Permission denied: 'a'", 'BackupPermissionError'),
        logged('WARNING', "/b: open: [Errno 13] Permission denied: 'b'", 'BackupPermissionError'),
        logged('WARNING', '/gone: stat failed', 'BackupFileNotFoundError'),
        logged('WARNING', 'an odd wording', 'BackupPermissionError'),
      ],
      1,
    );
    expect(r.level).toBe('warning');
    expect(r.diagnoses.map((d) => [d.kind, d.message])).toEqual([
      ['source-permission', '3 files could not be read (permission denied), e.g. /a.'],
      ['source-missing', '1 source path does not exist.'],
    ]);
  });

  it('lists file warnings after the error of a failed run, without turning them into errors', () => {
    const r = collect(
      [
        logged('WARNING', "/a: open: [Errno 13] Permission denied: 'a'", 'BackupPermissionError'),
        logged('WARNING', "/b: open: [Errno 13] Permission denied: 'b'", 'BackupPermissionError'),
      ],
      2,
    );
    expect(kinds(r)).toEqual(['unknown', 'source-permission']);
  });

  it('puts EPERM and EACCES in one permission bucket, and each other errno in its own', () => {
    const r = collect(
      [
        logged('WARNING', "/a: open: [Errno 1] Operation not permitted: 'a'"),
        logged('WARNING', "/b: open: [Errno 13] Permission denied: 'b'"),
        logged('WARNING', "/c: read: [Errno 5] Input/output error: 'c'"),
        logged('WARNING', "/d: write: [Errno 28] No space left on device: 'd'"),
      ],
      1,
    );
    expect(r.diagnoses.map((d) => d.message)).toEqual([
      '2 files could not be read (permission denied), e.g. /a.',
      '1 file could not be read (Input/output error): /c.',
      '1 file could not be read (No space left on device): /d.',
    ]);
  });

  it('orders buckets of the same kind by how many files they hold', () => {
    const r = collect(
      [
        logged('WARNING', "/d: write: [Errno 28] No space left on device: 'd'"),
        logged('WARNING', '/log: file changed while we backed it up'),
        logged('WARNING', "/c1: read: [Errno 5] Input/output error: 'c1'"),
        logged('WARNING', '/log2: file changed while we backed it up'),
        logged('WARNING', "/c2: read: [Errno 5] Input/output error: 'c2'"),
        logged('WARNING', "/c3: read: [Errno 5] Input/output error: 'c3'"),
      ],
      1,
    );
    expect(r.diagnoses.map((d) => d.message)).toEqual([
      '3 files could not be read (Input/output error), e.g. /c1.',
      '2 files changed while being backed up, e.g. /log.',
      '1 file could not be read (No space left on device): /d.',
    ]);
  });

  it('puts missing sources after unreadable files, however many there are', () => {
    const r = collect(
      [
        logged('WARNING', "/m1: stat: [Errno 2] No such file or directory: 'm1'"),
        logged('WARNING', "/m2: stat: [Errno 2] No such file or directory: 'm2'"),
        logged('WARNING', "/p: open: [Errno 13] Permission denied: 'p'"),
      ],
      1,
    );
    expect(kinds(r)).toEqual(['source-permission', 'source-missing']);
  });

  it('only takes "file changed" as the whole line', () => {
    const r = collect([logged('WARNING', '/log: file changed while we backed it up (twice)')], 1);
    expect(r.diagnoses).toMatchObject([{ kind: 'unknown', message: 'borg reported: /log: file changed while we backed it up (twice)' }]);
  });

  it('keeps at most twelve kinds of file warning, so odd errnos cannot grow memory', () => {
    const events = Array.from({ length: 20 }, (_, i) => logged('WARNING', `/f${i}: read: [Errno ${100 + i}] Odd error ${i}: 'f${i}'`));
    expect(collect(events, 1).diagnoses).toHaveLength(12);
  });

  it('does not add the exit code’s own file-warning diagnosis when file warnings were already counted', () => {
    expect(kinds(collect([logged('WARNING', "/p: open: [Errno 13] Permission denied: 'p'")], 105))).toEqual(['source-permission']);
  });
});

describe('a full backup disk', () => {
  it('reads borg 1.2’s rollback on ENOSPC as disk-full, without a false line about unreadable files', () => {
    const r = classify('disk-full');
    expect(r.level).toBe('error');
    expect(kinds(r)).toEqual(['disk-full']);
    const [d] = r.diagnoses;
    expect(d?.message).toMatch(/^The backup disk is full: borg could not write to \/tmp\/dand-rec\/w\/disk\/repo/);
    expect(d?.message).not.toMatch(/borg reported|Local Exception/);
    expect(d?.fix).toMatch(/borg compact/);
    expect(d?.fix).toMatch(/bigger disk/);
    expect(r.diagnoses.map((x) => x.message).join('\n')).not.toMatch(/could not be read|everything else was backed up/);
  });

  it('gives the space borg needed when borg checked before writing', () => {
    const r = classify('disk-full-insufficient');
    expect(kinds(r)).toEqual(['disk-full']);
    expect(r.diagnoses[0]?.message).toContain('(it needed 100.17 MB, 17.87 MB was free)');
    expect(r.diagnoses[0]?.detail).toMatch(/^Insufficient free space/);
  });

  it('takes ENOSPC at the end of a traceback, or in an error line, as a full disk', () => {
    const tb = logged('ERROR', 'Traceback (most recent call last):\n  File "x"\nOSError: [Errno 28] No space left on device');
    expect(collect([logged('ERROR', 'Local Exception', 'Exception'), tb], 2).diagnoses).toMatchObject([
      { kind: 'disk-full', detail: 'OSError: [Errno 28] No space left on device' },
    ]);
    expect(kinds(collect([logged('ERROR', "[Errno 28] No space left on device: '/srv/cache/chunks'")], 2))).toEqual(['disk-full']);
    // A traceback about something else stays out of the diagnosis, as before.
    expect(kinds(collect([logged('ERROR', 'Traceback (most recent call last):\nOSError: [Errno 5] x')], 2, sshCtx))).toEqual(['unknown']);
  });

  it('says a storage quota was reached, and that the disk of a server is full', () => {
    const quota = collect(
      [
        logged(
          'ERROR',
          'The storage quota (10 MB) has been exceeded (12 MB). Try deleting some archives.',
          'Repository.StorageQuotaExceeded',
        ),
      ],
      2,
    );
    expect(quota.diagnoses[0]).toMatchObject({ kind: 'disk-full' });
    expect(quota.diagnoses[0]?.message).toContain('storage quota of 10 MB');
    const remote = collect(
      [logged('WARNING', 'Remote: No space left on device, cleaning up partial transaction to free space.')],
      2,
      sshCtx,
    );
    expect(remote.diagnoses[0]?.message).toMatch(/^The backup disk is full on the server/);
  });

  it('keeps the ENOSPC file lines when nothing says the repository filled up', () => {
    const r = collect([logged('WARNING', "/d: read: [Errno 28] No space left on device: 'd'")], 1);
    expect(r.diagnoses.map((d) => d.message)).toEqual(['1 file could not be read (No space left on device): /d.']);
  });

  it('puts a full disk first even if borg only warned', () => {
    const r = collect([logged('WARNING', 'No space left on device, cleaning up partial transaction to free space.')], 1);
    expect(r).toMatchObject({ level: 'warning', diagnoses: [{ kind: 'disk-full' }] });
  });
});

describe('the kinds a run decides before or after borg', () => {
  const local: ClassifyContext = { ...ctx, repository: '/home/a/Bakups/repo', profile: 'docs' };

  it('names a repository folder that does not exist, not a disk', () => {
    const d = diagnosisFor('repo-folder-missing', local, undefined, { example: '/home/a/Bakups' });
    expect(d.message).toBe('The folder /home/a/Bakups does not exist, so there is no backup repository at /home/a/Bakups/repo.');
    expect(d.fix).toContain('`dandelion init docs`');
  });

  it('names a source that is a broken link and where it points', () => {
    const d = diagnosisFor('source-broken-link', local, '/Volumes/x/Documents', { example: '~/Documents' });
    expect(d.message).toBe('~/Documents is a link to /Volumes/x/Documents that does not exist, so it was not backed up.');
  });

  it('says none of the sources exist, listing them', () => {
    expect(diagnosisFor('no-sources', local, '~/a, ~/b').message).toBe('Nothing was backed up: none of the sources exist (~/a, ~/b).');
  });

  it('says a create without an archive saved nothing, naming the program', () => {
    const d = diagnosisFor('no-archive', local, 'borg 1.2.4', { example: '/opt/fake/borg' });
    expect(d.message).toBe('/opt/fake/borg finished without making an archive, so nothing was backed up.');
    expect(d.fix).toContain('dandelion doctor');
  });

  it('names a file that is not borg as such, not as missing', () => {
    const d = diagnosisFor('borg-missing', local, '/opt/fake/borg is not BorgBackup (it is not executable)');
    expect(d.message).toBe('/opt/fake/borg is not BorgBackup (it is not executable).');
  });

  it.each<ErrorKind>(['disk-full', 'repo-folder-missing', 'source-broken-link', 'no-sources', 'no-archive'])(
    '%s has a message and a fix without facts',
    (kind) => {
      for (const platform of ['darwin', 'linux'] as const) {
        const d = diagnosisFor(kind, { ...ctx, platform });
        expect(d.message.length).toBeGreaterThan(10);
        expect(d.fix.length).toBeGreaterThan(10);
        expect(d.message + d.fix).not.toMatch(/undefined|NaN|null/);
      }
    },
  );
});

describe('a full backup disk: details', () => {
  const rollback = 'No space left on device, cleaning up partial transaction to free space.';

  it('keeps borg’s line as the detail when a full disk leads a run that only warned', () => {
    expect(collect([logged('WARNING', rollback)], 1).diagnoses[0]).toMatchObject({ kind: 'disk-full', detail: rollback });
  });

  it('drops the false "could not be read (No space left on device)" lines on a failed run too', () => {
    const r = collect([logged('WARNING', "/d: read: [Errno 28] No space left on device: 'd'"), logged('ERROR', rollback)], 2);
    expect(kinds(r)).toEqual(['disk-full']);
  });

  it('still lists other file warnings beside a full disk', () => {
    const r = collect([logged('WARNING', "/p: open: [Errno 13] Permission denied: 'p'"), logged('ERROR', rollback)], 2);
    expect(kinds(r)).toEqual(['disk-full', 'source-permission']);
  });

  it('reads an ENOSPC error line of a local run as a full disk, not on the server', () => {
    const local = collect([logged('ERROR', "OSError: [Errno 28] No space left on device: '/r/data/1'")], 2);
    expect(local.diagnoses[0]?.message).toMatch(/^The backup disk is full: /);
  });
});

describe('a full disk on the server', () => {
  it('reads the server’s own ENOSPC error, without borg’s rollback line, as disk-full', () => {
    const r = collect([logged('ERROR', 'Remote: OSError: [Errno 28] No space left on device')], 2, sshCtx);
    expect(kinds(r)).toEqual(['disk-full']);
  });

  it('still names an ssh failure first when the server line is ssh’s', () => {
    const r = collect([logged('ERROR', 'Remote: Permission denied (publickey).')], 2, sshCtx);
    expect(kinds(r)).toEqual(['ssh-permission-denied']);
  });
});
