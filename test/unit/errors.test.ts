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

  it('refused connection says it could not connect', () => {
    expect(classify('ssh-connection-refused').diagnoses[0]?.message).toBe('Could not connect to 127.0.0.1 (port 2223).');
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
