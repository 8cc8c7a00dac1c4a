/**
 * The status window's decisions, without a browser: which word a card leads with, the glance, what
 * a screen reader hears, and how the log pane joins the run log's tail to the live lines.
 */
import { describe, expect, it } from 'vitest';
import { badgeText, cardState } from '../../renderer/status/card-state.js';
import { glance } from '../../renderer/status/glance.js';
import { announcement, seenOf } from '../../renderer/status/announcer.js';
import { appendBounded, fromRun, joinTail, toLines } from '../../renderer/status/log-lines.js';
import type { AppSnapshot, ProfileSnapshot, RunRecord } from '../../renderer/shared/types.js';

const NOW = '2024-06-04T12:00:00.000Z';

function record(over: Partial<RunRecord> = {}): RunRecord {
  return {
    profile: 'p',
    trigger: 'manual',
    startedAt: '2024-06-04T10:00:00.000Z',
    finishedAt: '2024-06-04T10:01:00.000Z',
    result: 'success',
    archive: 'a',
    stats: null,
    message: null,
    diagnoses: [],
    log: null,
    ...over,
  };
}

function profile(over: Partial<ProfileSnapshot> = {}): ProfileSnapshot {
  return {
    waitingFor: null,
    id: 'p',
    name: 'Backup disk',
    state: 'idle',
    lastRun: null,
    lastSuccessAt: null,
    nextRunAt: null,
    overdue: false,
    keyExportedAt: null,
    lastVerified: null,
    lastProven: null,
    verifyOverdue: false,
    verifyFailed: null,
    repository: '/r',
    triggers: { schedule: null, volume: null },
    run: null,
    runningElsewhere: null,
    retry: null,
    ...over,
  };
}

function snapshot(profiles: ProfileSnapshot[], over: Partial<AppSnapshot> = {}): AppSnapshot {
  return {
    takenAt: NOW,
    configDir: '/c',
    configFile: '/c/config.json',
    configErrors: [],
    configRevision: 'absent',
    borg: { state: 'found', path: '/usr/bin/borg', version: '1.2.8' },
    schedules: { owner: null, ownedHere: false },
    profiles,
    app: { platform: 'darwin', version: '1', fullDiskAccess: 'granted', login: { openAtLogin: true, status: 'enabled' } },
    ...over,
  };
}

const ok = () => profile({ lastRun: record(), lastSuccessAt: record().finishedAt });
const failed = () =>
  profile({
    lastRun: record({ result: 'error', diagnoses: [{ kind: 'passphrase-wrong', message: 'The passphrase is wrong.', fix: 'Set it.' }] }),
  });

describe('badgeText', () => {
  it('says a hollow archive saved almost nothing, never "Up to date" or a plain warning', () => {
    const hollow = profile({
      lastRun: record({ result: 'warning', diagnoses: [{ kind: 'hollow-backup', message: 'Nothing was backed up.', fix: 'Check.' }] }),
      lastSuccessAt: NOW,
    });
    expect(badgeText(hollow)).toBe('Saved almost nothing');
    expect(badgeText(profile({ lastRun: record({ result: 'warning' }), lastSuccessAt: NOW }))).toBe('Backed up with warnings');
    expect(badgeText(ok())).toBe('Up to date');
    // Overdue still leads when the last useful backup is old.
    expect(badgeText({ ...hollow, overdue: true })).toBe('Overdue');
  });
});

describe('cardState', () => {
  it('puts a run in progress and a wait for the disk before any result', () => {
    expect(cardState(failed())).toBe('error');
    expect(cardState({ ...failed(), state: 'running' })).toBe('running');
    expect(cardState({ ...failed(), state: 'waiting-for-volume' })).toBe('waiting');
  });

  it('says a failure before overdue, and overdue before a warning', () => {
    expect(cardState({ ...failed(), overdue: true })).toBe('error');
    expect(cardState(profile({ lastRun: record({ result: 'warning' }), lastSuccessAt: NOW, overdue: true }))).toBe('overdue');
    expect(cardState(profile({ lastRun: record({ result: 'warning' }), lastSuccessAt: NOW }))).toBe('warning');
  });

  it('calls a profile with only skipped runs never backed up', () => {
    expect(cardState(profile())).toBe('never');
    expect(cardState(profile({ lastRun: record({ result: 'skipped', archive: null }) }))).toBe('never');
    expect(cardState(ok())).toBe('success');
  });
});

describe('glance', () => {
  it('leads with a run, then failures, then what the app itself needs', () => {
    expect(glance(snapshot([{ ...ok(), state: 'running' }, failed()]))).toEqual({ text: 'Backing up Backup disk…', tone: 'running' });
    expect(glance(snapshot([ok(), { ...failed(), id: 'q' }]))).toEqual({ text: 'The last backup of Backup disk failed', tone: 'error' });
    expect(glance(snapshot([ok()], { configErrors: [{ path: 'profiles[0].schedule', message: 'bad' }] })).tone).toBe('error');
    expect(glance(snapshot([ok()]))).toEqual({ text: 'Your backup is up to date', tone: 'ok' });
    expect(glance(snapshot([ok(), { ...ok(), id: 'q' }])).text).toBe('All backups are up to date');
  });

  it('counts what it names: one profile by name, several by number, every sentence whole', () => {
    const never = (id: string, name: string) => profile({ id, name, lastRun: null, lastSuccessAt: null });
    const cancelled = (id: string, name: string) =>
      profile({ id, name, lastRun: record({ result: 'cancelled' }), lastSuccessAt: record().finishedAt });
    expect(glance(snapshot([cancelled('p', 'Storage box')]))).toEqual({ text: 'The last backup was cancelled', tone: 'attention' });
    expect(glance(snapshot([ok(), never('q', 'Storage box')])).text).toBe('Storage box has not been backed up yet');
    expect(glance(snapshot([ok(), cancelled('q', 'Storage box')])).text).toBe('The last backup of Storage box was cancelled');
    expect(glance(snapshot([ok(), never('q', 'A'), cancelled('r', 'B')])).text).toBe('2 backups have not finished yet');
    expect(glance(snapshot([never('p', 'A')])).text).toBe('Not backed up yet');
    expect(glance(snapshot([never('p', 'A'), never('q', 'B')])).text).toBe('Nothing backed up yet');
    expect(glance(snapshot([ok(), { ...failed(), id: 'q', name: 'Storage box' }, { ...failed(), id: 'r' }])).text).toBe(
      '2 of 3 backups failed',
    );
    expect(glance(snapshot([failed()])).text).toBe('The last backup failed');
    expect(
      glance(
        snapshot([
          { ...ok(), state: 'running' },
          { ...ok(), id: 'q', state: 'running' },
        ]),
      ).text,
    ).toBe('Running 2 backups…');
    expect(glance(snapshot([ok(), { ...ok(), id: 'q', name: 'Storage box', overdue: true }])).text).toBe('Storage box needs attention');
    expect(
      glance(
        snapshot([
          { ...ok(), overdue: true },
          { ...ok(), id: 'q', overdue: true },
        ]),
      ).text,
    ).toBe('2 backups need attention');
    const waiting = { ...ok(), state: 'waiting-for-volume' as const, triggers: { schedule: null, volume: 'Backup' } };
    expect(glance(snapshot([waiting])).text).toBe('Waiting for Backup');
    expect(glance(snapshot([waiting, { ...waiting, id: 'q' }])).text).toBe('2 backups are waiting for their disks');
    for (const text of ['Some', 'some']) expect(glance(snapshot([ok(), never('q', 'A'), cancelled('r', 'B')])).text).not.toContain(text);
  });

  it('does not nag about Full Disk Access off macOS', () => {
    const linux = snapshot([ok()]);
    linux.app = { ...linux.app, platform: 'linux', fullDiskAccess: 'missing' };
    expect(glance(linux).tone).toBe('ok');
    const mac = snapshot([ok()]);
    mac.app = { ...mac.app, fullDiskAccess: 'missing' };
    expect(glance(mac)).toEqual({ text: 'Dandelion needs Full Disk Access', tone: 'attention' });
  });

  it('calls a broken config.json or a missing borg an error', () => {
    const broken = snapshot([ok()]);
    broken.configErrors = [{ path: 'profiles[0].schedule', message: 'bad' }];
    expect(glance(broken)).toEqual({ text: 'Dandelion needs your attention', tone: 'error' });
    const noBorg = snapshot([ok()]);
    noBorg.borg = { state: 'missing', diagnosis: { kind: 'borg-missing', message: 'm', fix: 'f' } };
    expect(glance(noBorg).tone).toBe('error');
  });
});

describe('announcement', () => {
  it('says nothing at first sight, then each change once', () => {
    const idle = ok();
    expect(announcement(undefined, idle)).toBeNull();
    expect(announcement(seenOf(idle), idle)).toBeNull();
    const running = { ...idle, state: 'running' as const };
    expect(announcement(seenOf(idle), running)).toBe('Backup disk: backing up.');
    const done = { ...idle, lastRun: record({ finishedAt: '2024-06-04T11:59:00.000Z' }), lastSuccessAt: '2024-06-04T11:59:00.000Z' };
    expect(announcement(seenOf(running), done)).toBe('Backup disk: backed up.');
    const broke = failed();
    broke.lastRun = { ...broke.lastRun!, finishedAt: '2024-06-04T11:59:30.000Z' };
    expect(announcement(seenOf(running), broke)).toBe('Backup disk: the backup failed. The passphrase is wrong.');
  });
});

describe('the log pane lines', () => {
  it('joins the tail and the live lines without repeating the lines both have', () => {
    expect(joinTail(['a', 'b', 'c'], ['b', 'c', 'd'])).toEqual(['a', 'b', 'c', 'd']);
    expect(joinTail(['a', 'b'], ['c'])).toEqual(['a', 'b', 'c']);
    expect(joinTail(['a', 'b', 'c'], ['c'])).toEqual(['a', 'b', 'c']);
    expect(joinTail([], ['x'])).toEqual(['x']);
  });

  it('keeps at most the given number of lines, the newest', () => {
    const a = toLines(['1', '2', '3']);
    const b = toLines(['4', '5']);
    expect(appendBounded(a, b, 4).map((l) => l.text)).toEqual(['2', '3', '4', '5']);
    expect(appendBounded(a, toLines(['6', '7', '8', '9', '10']), 4).map((l) => l.text)).toEqual(['7', '8', '9', '10']);
    const ids = appendBounded(a, b).map((l) => l.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('tells the lines of an earlier run by their time stamp', () => {
    expect(fromRun('2024-06-04T10:00:00.123Z borg create', '2024-06-04T10:00:00.000Z')).toBe(true);
    expect(fromRun('2024-06-04T09:59:59.999Z run finished', '2024-06-04T10:00:00.000Z')).toBe(false);
    expect(fromRun('a line without a stamp', '2024-06-04T10:00:00.000Z')).toBe(true);
    expect(fromRun('2024-06-04T09:00:00.000Z x', null)).toBe(true);
  });
});
