import { describe, expect, it } from 'vitest';
import { profileGlance, trayView, STATUS_MAX, type TrayEnv, type TrayMenuItem, type TrayView } from '../../src/app/tray-view.js';
import {
  compactCount,
  count,
  dayAndTime,
  destinationName,
  settingsLabel,
  shorten,
  thousands,
  timeUntil,
  truncate,
} from '../../src/app/wording.js';
import type { EngineSnapshot, ProfileSnapshot } from '../../src/engine/status.js';
import type { LiveProgress } from '../../src/engine/run-queue.js';
import type { RunRecord, RunResult } from '../../src/records.js';
import type { Diagnosis, ErrorKind } from '../../src/diagnosis.js';

const now = new Date('2026-11-27T15:00:00Z');
const ago = (hours: number) => new Date(now.getTime() - hours * 3_600_000).toISOString();
const later = (minutes: number) => new Date(now.getTime() + minutes * 60_000).toISOString();

const diagnosis = (kind: ErrorKind, message: string): Diagnosis => ({ kind, message, fix: `Fix for ${kind}.` });

function record(result: RunResult, extra: Partial<RunRecord> = {}): RunRecord {
  return {
    profile: 'offsite',
    trigger: 'schedule',
    startedAt: ago(2.1),
    finishedAt: ago(2),
    result,
    archive: result === 'success' || result === 'warning' ? 'mbp-daily-2026-11-27' : null,
    stats: null,
    message: null,
    diagnoses: [],
    log: null,
    ...extra,
  };
}

function progress(extra: Partial<LiveProgress> = {}): LiveProgress {
  return {
    trigger: 'manual',
    startedAt: ago(0.1),
    step: 'create',
    nfiles: 1234,
    originalSize: 2_100_000_000,
    deduplicatedSize: 12_000_000,
    path: 'Users/me/Documents/a.txt',
    percent: null,
    ...extra,
  };
}

function profile(extra: Partial<ProfileSnapshot> = {}): ProfileSnapshot {
  const lastRun = extra.lastRun === undefined ? record('success') : extra.lastRun;
  return {
    id: 'offsite',
    name: 'Off-site',
    state: 'idle',
    lastSuccessAt: lastRun && (lastRun.result === 'success' || lastRun.result === 'warning') ? lastRun.finishedAt : null,
    nextRunAt: later(60),
    overdue: false,
    keyExportedAt: null,
    lastVerified: null,
    lastProven: null,
    verifyOverdue: false,
    verifyFailed: null,
    waitingFor: null,
    repository: 'ssh://u123@backup.example.com:23/./backup/mbp',
    triggers: { schedule: '0 * * * *', volume: null },
    run: null,
    runningElsewhere: null,
    retry: null,
    ...extra,
    lastRun,
  };
}

const disk = (extra: Partial<ProfileSnapshot> = {}) =>
  profile({
    id: 'disk',
    name: 'Backup disk',
    repository: '/Volumes/backup-disk/backup/mbp',
    triggers: { schedule: null, volume: 'backup-disk' },
    ...extra,
  });

function snapshot(profiles: ProfileSnapshot[], extra: Partial<EngineSnapshot> = {}): EngineSnapshot {
  return {
    takenAt: now.toISOString(),
    configDir: '/home/me/.config/Dandelion',
    configFile: '/home/me/.config/Dandelion/config.json',
    configErrors: [],
    configRevision: 'absent',
    borg: { state: 'found', path: '/opt/homebrew/bin/borg', version: '1.4.0' },
    schedules: { owner: { pid: 1, what: 'app', since: ago(5) }, ownedHere: true },
    profiles,
    ...extra,
  };
}

const mac: TrayEnv = {
  now,
  platform: 'darwin',
  fullDiskAccess: 'granted',
  login: { openAtLogin: true, status: 'enabled' },
  locale: 'en-GB',
  timeZone: 'UTC',
  systemVersion: '14.5',
};
const env = { now, locale: 'en-GB', timeZone: 'UTC' };
const linux: TrayEnv = { ...mac, platform: 'linux', fullDiskAccess: 'unknown' };

const view = (profiles: ProfileSnapshot[], env: Partial<TrayEnv> = {}, extra: Partial<EngineSnapshot> = {}) =>
  trayView(snapshot(profiles, extra), { ...mac, ...env });
const labels = (v: TrayView | TrayMenuItem[]) => ('menu' in v ? v.menu : v).map((i) => (i.type === 'separator' ? '---' : i.label));
const item = (v: TrayView, label: string) => v.menu.find((i) => i.label === label);
/** The lines of a single profile's block: everything before the first separator. */
const block = (p: ProfileSnapshot, e: Partial<TrayEnv> = {}) => {
  const all = labels(view([p], e));
  return all.slice(0, all.indexOf('---'));
};

describe('wording', () => {
  it('writes numbers the same way whatever the locale, with the right plural', () => {
    expect(thousands(1234567)).toBe('1,234,567');
    expect(count(0, 'file')).toBe('0 files');
    expect(count(1, 'file')).toBe('1 file');
    expect(count(2, 'file')).toBe('2 files');
    expect(count(1234, 'file')).toBe('1,234 files');
    expect(count(2, 'copy', 'copies')).toBe('2 copies');
  });

  it('shortens a file count for the menu-bar title, rounding down', () => {
    expect(compactCount(0)).toBe('0');
    expect(compactCount(999)).toBe('999');
    expect(compactCount(9_999)).toBe('9,999');
    expect(compactCount(10_000)).toBe('10k');
    expect(compactCount(12_999)).toBe('12k');
    expect(compactCount(999_999)).toBe('999k');
    expect(compactCount(1_000_000)).toBe('1M');
    expect(compactCount(1_299_999)).toBe('1.2M');
    expect(compactCount(9_999_999)).toBe('9.9M');
    expect(compactCount(10_000_000)).toBe('10M');
    expect(compactCount(12_345_678)).toBe('12M');
  });

  it('leaves a short text alone and cuts a long one after a word, with an ellipsis', () => {
    expect(truncate('short', 10)).toBe('short');
    expect(truncate('exactly10!', 10)).toBe('exactly10!');
    expect(truncate('The connection to the server was lost.', 20)).toBe('The connection to…');
    expect(truncate('The connection to the server was lost.', 20)).toHaveLength(18);
    // No space late enough: cut where it must be, never longer than the room.
    expect(truncate('ssh://u123@u123.your-storagebox.de:23/./backup', 20)).toBe('ssh://u123@u123.you…');
    expect(truncate('abc defghijklmnopqrstuvwxyz', 10)).toBe('abc defgh…');
    // The punctuation a cut leaves dangling goes.
    expect(truncate('one two, three four', 10)).toBe('one two…');
    expect(truncate('one two — three four', 11)).toBe('one two…');
    expect(truncate('aaaaaaa.. bbbbbbb', 10)).toBe('aaaaaaa…');
    // A word ending exactly at 60 % of the room is still a place to cut.
    expect(truncate('abcdef ghijkl', 10)).toBe('abcdef…');
    expect(truncate('abcde fghijkl', 10)).toBe('abcde fgh…');
  });

  it('never cuts inside a path or an address: the cut moves before it', () => {
    expect(shorten('No repository at /Volumes/backup-disk/backups/mbp, check the disk.', 40)).toBe('No repository at…');
    expect(shorten('The connection to the server was lost.', 20)).toBe('The connection to…');
    expect(shorten('short /a/b', 20)).toBe('short /a/b');
  });

  it('names a destination: a server by its host, a disk by its volume name, another folder from home', () => {
    expect(destinationName('ssh://u123@u123.your-storagebox.de:23/./backup/mbp')).toBe('u123.your-storagebox.de');
    expect(destinationName('ssh://backup.example.com/srv/borg')).toBe('backup.example.com');
    expect(destinationName('ssh://me@[2001:db8::1]:22/backup')).toBe('2001:db8::1');
    expect(destinationName('me@nas.local:backup/mbp')).toBe('nas.local');
    expect(destinationName('/Volumes/backup-disk/backup/mbp')).toBe('backup-disk');
    expect(destinationName('/media/me/T7/backup')).toBe('T7');
    expect(destinationName('/mnt/x/borg', { volume: 'My Disk' })).toBe('My Disk');
    expect(destinationName('/home/me/Backups/mbp', { home: '/home/me' })).toBe('~/Backups/mbp');
    expect(destinationName('/srv/storage/backups/borg/this-macbook-pro-2015/repository')).toBe('…/this-macbook-pro-2015/repository');
    expect(destinationName('file:///srv/borg')).toBe('/srv/borg');
  });

  it('names the settings item as the macOS version does', () => {
    expect(settingsLabel('darwin', '13.0')).toBe('Settings…');
    expect(settingsLabel('darwin', '15.1')).toBe('Settings…');
    expect(settingsLabel('darwin', '12.7.4')).toBe('Preferences…');
    expect(settingsLabel('darwin', '10.15.7')).toBe('Preferences…');
    expect(settingsLabel('darwin', undefined)).toBe('Settings…');
    expect(settingsLabel('linux', '6.1.0')).toBe('Preferences…');
  });

  it('says a moment as Time Machine does, in the future too', () => {
    const clock = { locale: 'en-GB', timeZone: 'UTC' };
    const at = (hours: number) => dayAndTime(new Date(now.getTime() + hours * 3_600_000), now, clock);
    expect(at(0)).toBe('Today, 15:00');
    expect(at(-24)).toBe('Yesterday, 15:00');
    expect(at(24)).toBe('Tomorrow, 15:00');
    expect(at(3 * 24)).toBe('Monday, 15:00');
    expect(at(9 * 24)).toBe('6 December, 15:00');
    expect(dayAndTime(new Date('2026-11-27T15:00:00Z'), now, { locale: 'en-US', timeZone: 'UTC' })).toMatch(/^Today, 3:00\sPM$/);
  });

  it('counts characters, not UTF-16 units, when cutting', () => {
    expect(truncate('😀😀😀😀😀😀', 6)).toBe('😀😀😀😀😀😀');
    expect(truncate('😀😀😀😀😀😀😀', 6)).toBe('😀😀😀😀😀…');
  });

  it('says when something comes, from soon to days', () => {
    const at = (seconds: number) => new Date(now.getTime() + seconds * 1000);
    expect(timeUntil(at(-60), now)).toBe('soon');
    expect(timeUntil(at(44), now)).toBe('soon');
    expect(timeUntil(at(45), now)).toBe('in 1 minute');
    expect(timeUntil(at(5 * 60), now)).toBe('in 5 minutes');
    expect(timeUntil(at(44 * 60), now)).toBe('in 44 minutes');
    expect(timeUntil(at(45 * 60), now)).toBe('in 1 hour');
    expect(timeUntil(at(2 * 3600), now)).toBe('in 2 hours');
    expect(timeUntil(at(21 * 3600), now)).toBe('in 21 hours');
    expect(timeUntil(at(22 * 3600), now)).toBe('in 1 day');
    expect(timeUntil(at(72 * 3600), now)).toBe('in 3 days');
  });
});

describe('the block of one profile, as Time Machine says it', () => {
  it('leads with the latest backup to the destination, in local time, then the next backup', () => {
    expect(block(profile())).toEqual(['Latest backup to backup.example.com: Today, 13:00', 'Next backup: Today, 16:00']);
  });

  it("writes times in the user's locale and zone", () => {
    expect(block(profile(), { locale: 'en-US' })[0]).toBe('Latest backup to backup.example.com: Today, 1:00 PM');
    expect(block(profile(), { timeZone: 'Europe/Berlin' })[0]).toBe('Latest backup to backup.example.com: Today, 14:00');
    // 01:00 UTC today was still yesterday evening in California.
    const early = profile({ lastRun: record('success', { finishedAt: ago(14) }) });
    expect(block(early)[0]).toBe('Latest backup to backup.example.com: Today, 01:00');
    expect(block(early, { timeZone: 'America/Los_Angeles' })[0]).toBe('Latest backup to backup.example.com: Yesterday, 17:00');
  });

  it('says Yesterday, a weekday within the week and a date beyond it', () => {
    const at = (hours: number) => block(profile({ lastRun: record('success', { finishedAt: ago(hours) }) }))[0];
    expect(at(24)).toBe('Latest backup to backup.example.com: Yesterday, 15:00');
    expect(at(3 * 24)).toBe('Latest backup to backup.example.com: Tuesday, 15:00');
    expect(at(6 * 24)).toBe('Latest backup to backup.example.com: Saturday, 15:00');
    expect(at(10 * 24)).toBe('Latest backup to backup.example.com: 17 November, 15:00');
    expect(at(400 * 24)).toBe('Latest backup to backup.example.com: 23 October 2025, 15:00');
    expect(block(profile({ lastRun: record('success', { finishedAt: ago(10 * 24) }) }), { locale: 'de-DE' })[0]).toBe(
      'Latest backup to backup.example.com: 17. November, 15:00',
    );
    expect(block(profile({ nextRunAt: later(20 * 60) }))[1]).toBe('Next backup: Tomorrow, 11:00');
  });

  it('names the disk by its volume name, and a local folder from the home folder', () => {
    expect(block(disk())[0]).toBe('Latest backup to backup-disk: Today, 13:00');
    expect(block(profile({ repository: '/Volumes/T7 Shield/backup/mbp' }))[0]).toBe('Latest backup to T7 Shield: Today, 13:00');
    expect(block(profile({ repository: '/home/me/Backups/mbp' }), { home: '/home/me' })[0]).toBe(
      'Latest backup to ~/Backups/mbp: Today, 13:00',
    );
    expect(block(profile({ repository: 'u123@u123.your-storagebox.de:backup/mbp' }))[0]).toBe(
      'Latest backup to u123.your-storagebox.de: Today, 13:00',
    );
  });

  it('says No backups yet for a profile never backed up, and suggests no earlier backup', () => {
    expect(block(profile({ lastRun: null }))).toEqual(['No backups yet on backup.example.com', 'Next backup: Today, 16:00']);
    expect(block(profile({ lastRun: record('skipped'), lastSuccessAt: null }))[0]).toBe('No backups yet on backup.example.com');
    const cancelledFirst = block(profile({ lastRun: record('cancelled'), lastSuccessAt: null }));
    expect(cancelledFirst[0]).toBe('No backups yet on backup.example.com');
    expect(cancelledFirst.join(' ')).not.toMatch(/latest|last backup/i);
  });

  it('keeps the latest backup first after a cancelled attempt: the attempt is secondary', () => {
    const tenMinutesAgo = ago(1 / 6);
    const p = profile({ lastRun: record('cancelled', { finishedAt: ago(0.01) }), lastSuccessAt: tenMinutesAgo });
    expect(block(p)).toEqual([
      'Latest backup to backup.example.com: Today, 14:50',
      'The last attempt was cancelled',
      'Next backup: Today, 16:00',
    ]);
    expect(labels(view([p])).join('\n')).not.toContain('Last backup was cancelled');
  });

  it('opens the status window at that profile from each of its lines', () => {
    const v = view([profile({ overdue: true })]);
    expect(v.menu.slice(0, 3).map((i) => i.action)).toEqual(Array(3).fill({ type: 'open-status', profile: 'offsite' }));
  });

  it('shows the live figures of a run in this process, and no next backup while it runs', () => {
    expect(block(profile({ state: 'running', run: progress() }))).toEqual([
      'Latest backup to backup.example.com: Today, 13:00',
      'Backing up: 1,234 files, 2.1 GB',
    ]);
    expect(block(profile({ state: 'running', run: progress({ nfiles: 1, originalSize: 512 }) }))[1]).toBe('Backing up: 1 file, 512 B');
  });

  it('shows no figures before borg has counted a file', () => {
    expect(block(profile({ state: 'running', run: progress({ step: 'starting', nfiles: 0, originalSize: 0 }) }))[1]).toBe('Backing up now');
  });

  it('keeps the figures of the archive while pruning and compacting', () => {
    expect(block(profile({ state: 'running', run: progress({ step: 'prune', percent: 40 }) }))[1]).toBe('Backing up: 1,234 files, 2.1 GB');
  });

  it('says a run queued behind another is waiting for the repository', () => {
    expect(block(profile({ state: 'running', run: progress({ step: 'waiting', nfiles: 0 }) }))[1]).toBe(
      'Waiting for the repository, in use by another backup',
    );
  });

  it('shows a run of another process as backing up, naming nothing of that process', () => {
    const v = view([profile({ state: 'running', runningElsewhere: { pid: 4242, what: 'dandelion daemon', since: ago(0.1) } })]);
    expect(labels(v)[1]).toBe('Backing up now');
    expect(JSON.stringify(v.menu)).not.toMatch(/4242|daemon/);
  });

  it('names the disk it waits for', () => {
    expect(block(disk({ state: 'waiting-for-volume', waitingFor: 'disk' }))).toEqual([
      'Latest backup to backup-disk: Today, 13:00',
      'Waiting for backup-disk',
    ]);
    expect(block(profile({ state: 'waiting-for-volume', waitingFor: 'disk' }))[1]).toBe('Waiting for the backup disk');
  });

  it('says waiting for the disk rather than an older failure', () => {
    const failedBefore = record('error', { diagnoses: [diagnosis('disk-removed', 'The disk went away.')] });
    expect(block(disk({ state: 'waiting-for-volume', waitingFor: 'disk', lastRun: failedBefore }))[1]).toBe('Waiting for backup-disk');
  });

  it('says overdue after the latest backup, and what it waits for: power or its disk', () => {
    const old = record('success', { finishedAt: ago(72) });
    expect(block(profile({ overdue: true, lastRun: old }))).toEqual([
      'Latest backup to backup.example.com: Tuesday, 15:00',
      'Overdue',
      'Next backup: Today, 16:00',
    ]);
    expect(block(profile({ overdue: true, lastRun: old, waitingFor: 'power' }))).toEqual([
      'Latest backup to backup.example.com: Tuesday, 15:00',
      'Overdue, waiting for power',
    ]);
    expect(block(disk({ overdue: true, lastRun: old, state: 'waiting-for-volume', waitingFor: 'disk' }))[1]).toBe(
      'Overdue, waiting for backup-disk',
    );
    expect(block(profile({ overdue: true, lastRun: null }))[0]).toBe('No backups yet on backup.example.com');
  });

  it('says waiting for power for a due backup held back on battery, without calling it trouble', () => {
    const p = profile({ waitingFor: 'power' });
    expect(block(p)).toEqual(['Latest backup to backup.example.com: Today, 13:00', 'Waiting for power']);
    expect(view([p]).icon).toBe('ok');
  });

  it('says why the last attempt failed, with the diagnosis sentence, under the latest backup', () => {
    const r = record('error', { message: 'other words', diagnoses: [diagnosis('passphrase-wrong', 'The passphrase is wrong.')] });
    expect(block(profile({ lastRun: r, lastSuccessAt: ago(26) }))).toEqual([
      'Latest backup to backup.example.com: Yesterday, 13:00',
      'Backup failed: The passphrase is wrong.',
      'Next backup: Today, 16:00',
    ]);
  });

  it('falls back to the record message, then to plain words, when a failure has no diagnosis', () => {
    expect(block(profile({ lastRun: record('error', { message: 'borg failed with exit code 2.' }) }))[1]).toBe(
      'Backup failed: borg failed with exit code 2.',
    );
    expect(block(profile({ lastRun: record('error') }))[1]).toBe('Backup failed: The backup did not finish.');
  });

  it('says failed rather than overdue: the failure is the reason', () => {
    const r = record('error', { diagnoses: [diagnosis('repo-missing', 'There is no repository.')] });
    expect(block(profile({ overdue: true, lastRun: r }))[1]).toBe('Backup failed: There is no repository.');
  });

  it('keeps a long failure sentence short, cut after a word, never inside a path', () => {
    const sentence = 'The server backup.example.com (port 23) is not in your known SSH hosts, so ssh refused to connect.';
    const l = block(profile({ lastRun: record('error', { diagnoses: [diagnosis('ssh-host-unknown', sentence)] }) }))[1]!;
    expect(l).toBe('Backup failed: The server backup.example.com (port 23) is not…');
    expect(l.length).toBeLessThanOrEqual(STATUS_MAX);
    const path = 'There is no borg repository at /Volumes/backup-disk/backups/this-macbook-pro-2015/borg-repository.';
    expect(block(profile({ lastRun: record('error', { diagnoses: [diagnosis('repo-missing', path)] }) }))[1]).toBe(
      'Backup failed: There is no borg repository at…',
    );
  });

  it('says when a failed run is tried again, as the next attempt', () => {
    const r = record('error', { diagnoses: [diagnosis('connection-lost', 'The connection was lost.')] });
    const retry = { at: later(5), reason: 'The connection was lost.', failures: 1 };
    expect(block(profile({ lastRun: r, retry, lastSuccessAt: ago(2) }))).toEqual([
      'Latest backup to backup.example.com: Today, 13:00',
      'Backup failed: The connection was lost.',
      'Next attempt: Today, 15:05',
    ]);
  });

  it('still says failed when only skipped runs came after the failure and a retry is planned', () => {
    const retry = { at: later(30), reason: 'The connection was lost.', failures: 2 };
    const p = profile({ lastRun: record('skipped', { message: 'on battery' }), lastSuccessAt: ago(30), retry });
    expect(block(p).slice(1)).toEqual(['Backup failed: The connection was lost.', 'Next attempt: Today, 15:30']);
    expect(view([p]).icon).toBe('error');
  });

  it('looks past a skipped run to the last success', () => {
    const p = profile({ lastRun: record('skipped', { message: 'backed up 2 h ago' }), lastSuccessAt: ago(5) });
    expect(block(p)).toEqual(['Latest backup to backup.example.com: Today, 10:00', 'Next backup: Today, 16:00']);
    expect(view([p]).icon).toBe('ok');
  });

  it('says a hollow archive saved almost nothing, not that all is well', () => {
    const hollow = record('warning', { diagnoses: [diagnosis('hollow-backup', 'Nothing was backed up.')] });
    const p = profile({ lastRun: hollow, lastSuccessAt: ago(2) });
    expect(block(p)[1]).toBe('The latest backup saved almost nothing');
    expect(view([p]).icon).not.toBe('ok');
  });

  it('says the latest backup had warnings', () => {
    expect(block(profile({ lastRun: record('warning') }))[1]).toBe('The latest backup had warnings');
  });

  it('says honestly that the last attempt was interrupted or stopped', () => {
    const interrupted = record('error', { diagnoses: [diagnosis('interrupted', 'It never finished.')] });
    expect(block(profile({ lastRun: interrupted, lastSuccessAt: ago(30) }))[1]).toBe('The last attempt was interrupted');
    const killed = record('error', { diagnoses: [diagnosis('killed', 'borg was stopped.')] });
    expect(block(profile({ lastRun: killed }))[1]).toBe('The last attempt was stopped before it finished');
  });

  it('says overdue rather than cancelled: how old the last backup is matters more', () => {
    expect(block(profile({ lastRun: record('cancelled'), lastSuccessAt: ago(50), overdue: true }))[1]).toBe('Overdue');
  });

  it('says when a disk profile backs up next: a time, or when its disk is connected', () => {
    expect(block(disk({ nextRunAt: null }))[1]).toBe('Next backup: when backup-disk is connected');
    expect(block(profile({ nextRunAt: null, triggers: { schedule: null, volume: null } }))).toEqual([
      'Latest backup to backup.example.com: Today, 13:00',
    ]);
  });

  it('names the profile on its first line when there are several, with one capital after the dash', () => {
    const v = view([profile(), disk({ lastRun: null, nextRunAt: null })]);
    expect(labels(v).slice(0, 5)).toEqual([
      'Off-site — Latest backup to backup.example.com: Today, 13:00',
      'Next backup: Today, 16:00',
      '---',
      'Backup disk — No backups yet on backup-disk',
      'Next backup: when backup-disk is connected',
    ]);
    for (const l of labels(v)) if (l?.includes(' — ')) expect(l.split(' — ')[1]![0]).toMatch(/[A-Z]/);
  });

  it('gives each block a level the status window can reuse', () => {
    expect(profileGlance(profile(), env)).toMatchObject({ status: null, level: 'ok', running: false });
    expect(profileGlance(profile({ run: progress() }), env)).toMatchObject({
      status: 'Backing up: 1,234 files, 2.1 GB',
      level: 'ok',
      running: true,
    });
    const elsewhere = profile({ runningElsewhere: { pid: 9, what: 'cli', since: ago(0.1) } });
    expect(profileGlance(elsewhere, env)).toMatchObject({ status: 'Backing up now', level: 'ok', running: true });
    expect(profileGlance(profile({ lastRun: record('cancelled') }), env)).toMatchObject({ level: 'attention', running: false });
  });
});

describe('the icon', () => {
  const failedRun = record('error', { diagnoses: [diagnosis('repo-missing', 'There is no repository.')] });
  const running = { state: 'running' as const, run: progress() };

  it('is ok when every profile is backed up', () => {
    expect(view([profile(), disk()]).icon).toBe('ok');
  });

  it('is running while a backup runs here or elsewhere', () => {
    expect(view([profile(running), disk()]).icon).toBe('running');
    expect(view([profile({ runningElsewhere: { pid: 9, what: 'cli', since: ago(0.1) } })]).icon).toBe('running');
  });

  it.each([
    ['a warning', profile({ lastRun: record('warning') })],
    ['overdue', profile({ overdue: true })],
    ['waiting for the disk', disk({ state: 'waiting-for-volume' })],
    ['never backed up', profile({ lastRun: null })],
    ['a cancelled run', profile({ lastRun: record('cancelled') })],
    ['an interrupted run', profile({ lastRun: record('error', { diagnoses: [diagnosis('interrupted', 'x')] }) })],
    ['a run stopped from outside', profile({ lastRun: record('error', { diagnoses: [diagnosis('killed', 'x')] }) })],
  ])('asks for attention for %s', (_what, p) => {
    expect(view([p, disk()]).icon).toBe('attention');
  });

  it('asks for attention when Full Disk Access is missing on macOS, and never elsewhere', () => {
    expect(view([profile()], { fullDiskAccess: 'missing' }).icon).toBe('attention');
    expect(view([profile()], { fullDiskAccess: 'unknown' }).icon).toBe('ok');
    expect(view([profile()], { platform: 'linux', fullDiskAccess: 'missing' }).icon).toBe('ok');
  });

  it('is an error for a failed last run', () => {
    expect(view([profile({ lastRun: failedRun }), disk()]).icon).toBe('error');
  });

  it('is an error for an invalid config.json or a missing borg', () => {
    const errors = [{ path: 'profiles[0].schedule', message: 'not a cron expression' }];
    expect(view([profile()], {}, { configErrors: errors }).icon).toBe('error');
    const borg = {
      state: 'missing' as const,
      diagnosis: diagnosis('borg-missing', 'BorgBackup (borg) is not installed on this computer.'),
    };
    expect(view([profile()], {}, { borg }).icon).toBe('error');
  });

  it('puts an error above running, attention and ok', () => {
    expect(view([profile({ lastRun: failedRun }), disk(running)]).icon).toBe('error');
    expect(view([profile({ lastRun: failedRun }), disk({ lastRun: null })], { fullDiskAccess: 'missing' }).icon).toBe('error');
  });

  it('shows running, not error, while the profile that failed runs again', () => {
    expect(view([profile({ lastRun: failedRun, ...running })]).icon).toBe('running');
    expect(view([profile({ lastRun: failedRun, runningElsewhere: { pid: 9, what: 'cli', since: ago(0.1) } })]).icon).toBe('running');
  });

  it('stays an error while a run goes on when config.json is invalid or borg missing', () => {
    const errors = [{ path: 'app', message: 'unknown field(s) theme' }];
    expect(view([profile(running)], {}, { configErrors: errors }).icon).toBe('error');
  });

  it('puts running above attention', () => {
    expect(view([profile(running), disk({ overdue: true })], { fullDiskAccess: 'missing' }).icon).toBe('running');
  });
});

describe('problems of the whole app', () => {
  it('says config.json has errors and offers to fix the settings, at the errors', () => {
    const v = view([profile()], {}, { configErrors: [{ path: 'profiles[0].schedule', message: 'not a cron expression' }] });
    expect(v.menu.slice(0, 3)).toEqual([
      { label: 'config.json has errors', enabled: false },
      { label: 'Fix Settings…', action: { type: 'open-preferences', section: 'errors' } },
      { label: '', type: 'separator' },
    ]);
    expect(labels(v)[3]).toBe('Latest backup to backup.example.com: Today, 13:00');
    expect(v.tooltip).toBe('Dandelion\nconfig.json has errors: profiles[0].schedule: not a cron expression.');
  });

  it('says borg is missing in a few words, the whole sentence in the tooltip, and opens the general settings', () => {
    const message = 'BorgBackup (borg) was not found in PATH, /opt/homebrew/bin or /usr/local/bin, or /opt/local/bin.';
    const v = view([profile()], {}, { borg: { state: 'missing', diagnosis: diagnosis('borg-missing', message) } });
    expect(v.menu[0]).toEqual({ label: 'BorgBackup was not found', action: { type: 'open-preferences', section: 'general' } });
    expect(v.tooltip).toBe(`Dandelion\n${message}`);
    const old = view([profile()], {}, { borg: { state: 'missing', diagnosis: diagnosis('borg-too-old', 'borg 1.1 is too old.') } });
    expect(old.menu[0]!.label).toBe('BorgBackup is too old');
  });

  it('offers to grant Full Disk Access on macOS when it is missing, after the profile blocks', () => {
    const v = view([profile(), disk()], { fullDiskAccess: 'missing' });
    expect(labels(v).slice(3, 7)).toEqual([
      'Backup disk — Latest backup to backup-disk: Today, 13:00',
      'Next backup: Today, 16:00',
      'Grant Full Disk Access…',
      '---',
    ]);
    expect(item(v, 'Grant Full Disk Access…')!.action).toEqual({ type: 'open-fda-settings' });
    expect(v.tooltip).toBe('Dandelion\nFull Disk Access is not granted.');
  });

  it('never nags about Full Disk Access when it is granted or unknown, or off macOS', () => {
    for (const env of [
      { fullDiskAccess: 'granted' as const },
      { fullDiskAccess: 'unknown' as const },
      { platform: 'linux' as const, fullDiskAccess: 'missing' as const },
    ]) {
      expect(item(view([profile()], env), 'Grant Full Disk Access…')).toBeUndefined();
    }
  });
});

describe('a run that could not read its sources', () => {
  const unreadable = () =>
    profile({
      lastRun: record('warning', { diagnoses: [diagnosis('source-permission', '3 files could not be read (permission denied).')] }),
    });

  it('points to Full Disk Access on macOS while the probe cannot say it is granted', () => {
    for (const fullDiskAccess of ['unknown', 'missing'] as const) {
      expect(item(view([unreadable()], { fullDiskAccess }), 'Grant Full Disk Access…')!.action).toEqual({ type: 'open-fda-settings' });
    }
  });

  it('says nothing of it for a profile never backed up', () => {
    expect(item(view([profile({ lastRun: null })], { fullDiskAccess: 'unknown' }), 'Grant Full Disk Access…')).toBeUndefined();
  });

  it('does not once Full Disk Access is granted, nor off macOS', () => {
    expect(item(view([unreadable()], { fullDiskAccess: 'granted' }), 'Grant Full Disk Access…')).toBeUndefined();
    expect(item(view([unreadable()], { platform: 'linux', fullDiskAccess: 'unknown' }), 'Grant Full Disk Access…')).toBeUndefined();
  });
});

describe('a first launch, with no profile', () => {
  // Built inside each test, never while the file is collected: Stryker counts only failing tests.
  const first = () =>
    view([], { fullDiskAccess: 'missing' }, { borg: { state: 'missing', diagnosis: diagnosis('borg-missing', 'No borg.') } });

  it('offers to set up a backup, and nothing to back up or cancel', () => {
    const v = first();
    expect(labels(v)).toEqual([
      'No backup set up yet',
      'Set Up a Backup…',
      '---',
      'Open Dandelion',
      'Settings…',
      'Open at Login',
      '---',
      'Quit Dandelion',
    ]);
    expect(v.menu[0]!.enabled).toBe(false);
    expect(v.menu[1]!.action).toEqual({ type: 'open-preferences', section: 'new-profile' });
  });

  it('asks for attention and nags about nothing else', () => {
    const v = first();
    expect(v.icon).toBe('attention');
    expect(v.tooltip).toBe('Dandelion\nNo backup set up yet.');
    expect(v.title).toBe('');
  });

  it('with an invalid config.json: offers to fix the settings, never to set up a backup', () => {
    const broken = view([], {}, { configErrors: [{ path: 'profiles[0].id', message: 'use lower-case letters' }] });
    expect(labels(broken)).toEqual([
      'config.json has errors',
      'Fix Settings…',
      '---',
      'Open Dandelion',
      'Settings…',
      'Open at Login',
      '---',
      'Quit Dandelion',
    ]);
    expect(item(broken, 'Fix Settings…')!.action).toEqual({ type: 'open-preferences', section: 'errors' });
    expect(broken.icon).toBe('error');
    expect(broken.tooltip).not.toContain('No backup set up yet');
    const older = view([], { systemVersion: '12.6' }, { configErrors: [{ path: 'profiles[0].id', message: 'use lower-case letters' }] });
    expect(labels(older)[1]).toBe('Fix Preferences…');
  });
});

describe('the menu', () => {
  it('for one profile: its block, Back Up Now for it, the app items and Quit', () => {
    const v = view([profile()]);
    expect(labels(v)).toEqual([
      'Latest backup to backup.example.com: Today, 13:00',
      'Next backup: Today, 16:00',
      '---',
      'Back Up Now',
      'Pause Backups',
      '---',
      'Open Dandelion',
      'Browse Backups…',
      'Settings…',
      'Open at Login',
      '---',
      'Quit Dandelion',
    ]);
    expect(item(v, 'Back Up Now')).toEqual({ label: 'Back Up Now', action: { type: 'run', profile: 'offsite' }, enabled: true });
    // It opens a window and asks nothing: no ellipsis.
    expect(item(v, 'Open Dandelion')).toEqual({ label: 'Open Dandelion', action: { type: 'open-status' } });
    // It opens a window to pick from, so it has an ellipsis; with no profile there is nothing to browse.
    expect(item(v, 'Browse Backups…')).toEqual({ label: 'Browse Backups…', action: { type: 'open-browse' } });
    expect(labels(view([]))).not.toContain('Browse Backups…');
    expect(item(v, 'Quit Dandelion')).toEqual({ label: 'Quit Dandelion', action: { type: 'quit' }, accelerator: 'CommandOrControl+Q' });
  });

  it('opens the settings with ⌘, named as the macOS version names them, and toggles Open at Login as a checkbox', () => {
    const v = view([profile()]);
    expect(item(v, 'Settings…')).toEqual({
      label: 'Settings…',
      action: { type: 'open-preferences' },
      accelerator: 'CommandOrControl+,',
    });
    // macOS 13 (Ventura) renamed Preferences to Settings; before it, and off macOS, Preferences.
    expect(labels(view([profile()], { systemVersion: '13.0' }))).toContain('Settings…');
    expect(labels(view([profile()], { systemVersion: '12.7.4' }))).toContain('Preferences…');
    expect(labels(view([profile()], { systemVersion: '12.7.4' }))).not.toContain('Settings…');
    expect(labels(view([profile()], { platform: 'linux', systemVersion: '6.1.0' }))).toContain('Preferences…');
    expect(item(v, 'Open at Login')).toEqual({ label: 'Open at Login', type: 'checkbox', checked: true, action: { type: 'toggle-login' } });
    expect(item(view([profile()], { login: { openAtLogin: false, status: 'not-registered' } }), 'Open at Login')!.checked).toBe(false);
  });

  it('for several profiles: a Back Up Now submenu with each profile and All Profiles', () => {
    const v = view([profile(), disk()]);
    expect(labels(v).slice(0, 7)).toEqual([
      'Off-site — Latest backup to backup.example.com: Today, 13:00',
      'Next backup: Today, 16:00',
      '---',
      'Backup disk — Latest backup to backup-disk: Today, 13:00',
      'Next backup: Today, 16:00',
      '---',
      'Back Up Now',
    ]);
    const backUp = item(v, 'Back Up Now')!;
    expect(backUp.action).toBeUndefined();
    expect(backUp.enabled).toBe(true);
    expect(backUp.submenu).toEqual([
      { label: 'Off-site', action: { type: 'run', profile: 'offsite' }, enabled: true },
      { label: 'Backup disk', action: { type: 'run', profile: 'disk' }, enabled: true },
      { label: '', type: 'separator' },
      { label: 'All Profiles', action: { type: 'run-all' }, enabled: true },
    ]);
  });

  it('disables Back Up Now for a profile running here or elsewhere', () => {
    const one = view([profile({ state: 'running', run: progress() })]);
    expect(item(one, 'Back Up Now')!.enabled).toBe(false);
    const elsewhere = view([profile({ state: 'running', runningElsewhere: { pid: 9, what: 'cli', since: ago(0.1) } })]);
    expect(item(elsewhere, 'Back Up Now')!.enabled).toBe(false);

    const several = view([profile({ run: progress() }), disk()]);
    expect(item(several, 'Back Up Now')!.submenu!.map((i) => i.enabled)).toEqual([false, true, undefined, true]);
    expect(item(several, 'Back Up Now')!.enabled).toBe(true);
  });

  it('disables Back Up Now and All Profiles when every profile is already running', () => {
    const v = view([profile({ run: progress() }), disk({ runningElsewhere: { pid: 9, what: 'cli', since: ago(0.1) } })]);
    const backUp = item(v, 'Back Up Now')!;
    expect(backUp.enabled).toBe(false);
    expect(backUp.submenu!.map((i) => i.enabled)).toEqual([false, false, undefined, false]);
  });

  it('offers Cancel Backup for a run in this process, after Back Up Now', () => {
    const v = view([profile({ state: 'running', run: progress() }), disk()]);
    const at = labels(v).indexOf('Back Up Now');
    expect(labels(v).slice(at - 1, at + 5)).toEqual(['---', 'Back Up Now', 'Cancel Backup', 'Skip This Backup', 'Pause Backups', '---']);
    expect(item(v, 'Cancel Backup')).toEqual({ label: 'Cancel Backup', action: { type: 'cancel', profile: 'offsite' } });
  });

  it('names the profile of each Cancel Backup when several run here', () => {
    const v = view([profile({ run: progress() }), disk({ run: progress({ step: 'waiting' }) })]);
    expect(labels(v).filter((l) => l.startsWith('Cancel'))).toEqual(['Cancel Backup of Off-site', 'Cancel Backup of Backup disk']);
    expect(item(v, 'Cancel Backup of Backup disk')!.action).toEqual({ type: 'cancel', profile: 'disk' });
  });

  it('offers Cancel and Skip for a run of another process too: the engine asks that process to stop', () => {
    const v = view([profile({ runningElsewhere: { pid: 9, what: 'cli', since: ago(0.1) } })]);
    expect(item(v, 'Cancel Backup')!.action).toEqual({ type: 'cancel', profile: 'offsite' });
    expect(item(v, 'Skip This Backup')!.action).toEqual({ type: 'skip', profile: 'offsite' });
  });

  it('points to System Settings on macOS when Open at Login needs approval', () => {
    const login = { openAtLogin: true, status: 'requires-approval' as const };
    const v = view([profile()], { login });
    expect(labels(v).slice(-4)).toEqual(['Open at Login', 'Open at Login needs approval in System Settings…', '---', 'Quit Dandelion']);
    expect(item(v, 'Open at Login needs approval in System Settings…')!.action).toEqual({ type: 'open-login-settings' });
    expect(labels(view([profile()], { platform: 'linux', login }))).not.toContain('Open at Login needs approval in System Settings…');
    for (const status of ['enabled', 'not-registered', 'not-found', 'unknown'] as const) {
      expect(labels(view([profile()], { login: { openAtLogin: false, status } })).some((l) => l.includes('approval'))).toBe(false);
    }
  });
});

describe('the title beside the icon', () => {
  const running = (run: Partial<LiveProgress>) => profile({ state: 'running', run: progress(run) });

  it('shows the percentage on macOS when the step knows its total', () => {
    expect(view([running({ step: 'prune', percent: 42.7 })]).title).toBe('42%');
    expect(view([running({ step: 'compact', percent: 0 })]).title).toBe('0%');
  });

  it('shows the file count otherwise, compact when large', () => {
    expect(view([running({ nfiles: 1234 })]).title).toBe('1,234');
    expect(view([running({ nfiles: 12_345 })]).title).toBe('12k');
  });

  it('is empty before there is a figure, for a queued run, and for a run of another process', () => {
    expect(view([running({ step: 'starting', nfiles: 0 })]).title).toBe('');
    expect(view([running({ step: 'waiting', nfiles: 0 })]).title).toBe('');
    expect(view([profile({ runningElsewhere: { pid: 9, what: 'cli', since: ago(0.1) } })]).title).toBe('');
  });

  it('follows the run that has figures when another is only queued', () => {
    expect(view([running({ step: 'waiting', nfiles: 0 }), disk({ run: progress({ nfiles: 77 }) })]).title).toBe('77');
  });

  it('is empty when idle, and always off macOS', () => {
    expect(view([profile()]).title).toBe('');
    expect(trayView(snapshot([running({ percent: 42 })]), linux).title).toBe('');
  });
});

describe('the tooltip', () => {
  it('names the running profile and its step, in a sentence of its own', () => {
    const at = (step: LiveProgress['step']) => view([profile({ state: 'running', run: progress({ step }) })]).tooltip;
    expect(at('create')).toBe('Dandelion\nOff-site — Backing up: creating the archive.');
    expect(at('prune')).toBe('Dandelion\nOff-site — Backing up: pruning.');
    expect(at('compact')).toBe('Dandelion\nOff-site — Backing up: compacting.');
    expect(at('waiting')).toBe('Dandelion\nOff-site — Backing up: waiting for the repository.');
    expect(at('starting')).toBe('Dandelion\nOff-site — Backing up: starting.');
  });

  it('says a run of another process is one, naming nothing of it', () => {
    expect(view([profile({ runningElsewhere: { pid: 9, what: 'dandelion run offsite', since: ago(0.1) } })]).tooltip).toBe(
      'Dandelion\nOff-site — Backing up in another Dandelion process.',
    );
  });

  it('gives the whole failure sentence and what still runs, each on its own line, never joined with "; "', () => {
    const sentence = 'The server backup.example.com (port 23) is not in your known SSH hosts, so ssh refused to connect.';
    const v = view([
      profile({ lastRun: record('error', { diagnoses: [diagnosis('ssh-host-unknown', sentence)] }) }),
      disk({ run: progress() }),
    ]);
    expect(v.tooltip).toBe(`Dandelion\nOff-site — Backup failed: ${sentence}\nBackup disk — Backing up: creating the archive.`);
    expect(v.tooltip).not.toContain('; ');
  });

  it('lists the profiles that ask for attention, and only those', () => {
    expect(view([profile(), disk({ overdue: true, lastRun: null })]).tooltip).toBe('Dandelion\nBackup disk — Overdue.');
    expect(view([profile(), disk({ overdue: true, waitingFor: 'power' })]).tooltip).toBe(
      'Dandelion\nBackup disk — Overdue, waiting for power.',
    );
  });

  it('lists what asks for attention, Full Disk Access included', () => {
    const v = view([profile(), disk({ state: 'waiting-for-volume', waitingFor: 'disk' })], { fullDiskAccess: 'missing' });
    expect(v.tooltip).toBe('Dandelion\nBackup disk — Waiting for backup-disk.\nFull Disk Access is not granted.');
  });

  it('says when each profile was backed up when all is well', () => {
    expect(view([profile(), disk({ lastRun: record('success', { finishedAt: ago(26) }) })]).tooltip).toBe(
      'Dandelion\nOff-site — Latest backup to backup.example.com: Today, 13:00.\nBackup disk — Latest backup to backup-disk: Yesterday, 13:00.',
    );
  });
});
