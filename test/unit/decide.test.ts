import { describe, expect, it } from 'vitest';
import { decideMount, decideTimed, retryDelayMs, type Situation } from '../../src/triggers/decide.js';
import type { RunRecord } from '../../src/records.js';
import type { ErrorKind } from '../../src/diagnosis.js';
import { parseConfig, type Profile } from '../../src/profiles/schema.js';

function profile(extra: Record<string, unknown> = {}): Profile {
  const r = parseConfig({
    profiles: [{ id: 'p', repository: '/Volumes/backup-disk/repo', encryption: 'none', sources: ['/s'], ...extra }],
  });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.config.profiles[0]!;
}

const now = new Date('2026-11-27T15:00:00Z');
const base: Situation = { now, lastSuccessStartedAt: null, running: false, volumePresent: true, onBattery: false, owed: false, tz: 'UTC' };
const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000);

describe('timed triggers (startup, slot, resume)', () => {
  it('runs a profile never backed up', () => {
    expect(decideTimed(profile({ schedule: '0 12 * * *' }), base)).toEqual({ action: 'run' });
  });

  it('runs once a slot passed since the last success, and not before', () => {
    const p = profile({ schedule: '0 12 * * *' });
    expect(decideTimed(p, { ...base, lastSuccessStartedAt: hoursAgo(27) })).toEqual({ action: 'run' });
    expect(decideTimed(p, { ...base, lastSuccessStartedAt: hoursAgo(2) })).toMatchObject({ action: 'none', reason: 'not due' });
  });

  it('absorbs a trigger while the profile is running', () => {
    expect(decideTimed(profile({ schedule: '0 12 * * *' }), { ...base, running: true })).toMatchObject({
      action: 'none',
      reason: 'already running',
    });
  });

  it('waits for the disk instead of failing when a volume profile is due without its disk', () => {
    expect(decideTimed(profile({ schedule: '0 12 * * *', volume: 'backup-disk' }), { ...base, volumePresent: false })).toEqual({
      action: 'wait-for-volume',
    });
  });

  it('holds a skipOnBattery profile while on battery, without recording it', () => {
    expect(decideTimed(profile({ schedule: '0 12 * * *', skipOnBattery: true }), { ...base, onBattery: true })).toMatchObject({
      action: 'skip',
      record: false,
      heldForPower: true,
    });
    expect(decideTimed(profile({ schedule: '0 12 * * *' }), { ...base, onBattery: true })).toEqual({ action: 'run' });
  });

  it('says a backup waits for power only when a due one is held back on battery', () => {
    const held = (d: ReturnType<typeof decideTimed>) => d.action === 'skip' && d.heldForPower === true;
    const p = profile({ schedule: '0 12 * * *', skipOnBattery: true });
    expect(held(decideTimed(p, { ...base, onBattery: true }))).toBe(true);
    // Not due (backed up after the last slot): nothing waits.
    expect(held(decideTimed(p, { ...base, onBattery: true, lastSuccessStartedAt: new Date(now.getTime() - 60_000) }))).toBe(false);
    expect(held(decideTimed(p, base))).toBe(false);
  });

  it('never runs a profile without a schedule on time alone', () => {
    expect(decideTimed(profile({ volume: 'backup-disk' }), base)).toMatchObject({ action: 'none' });
  });
});

describe('the backup disk appears', () => {
  const p = profile({ volume: 'backup-disk', minIntervalHours: 24 });

  it('runs when the last success is older than minIntervalHours', () => {
    expect(decideMount(p, { ...base, lastSuccessStartedAt: hoursAgo(25) })).toEqual({ action: 'run' });
    expect(decideMount(p, base)).toEqual({ action: 'run' });
  });

  it('records a skip, with the reason, when the last success is under minIntervalHours old', () => {
    const d = decideMount(p, { ...base, lastSuccessStartedAt: hoursAgo(3) });
    expect(d).toMatchObject({ action: 'skip', record: true });
    if (d.action === 'skip') expect(d.reason).toContain('2026-11-28T12:00:00.000Z');
  });

  it('runs an owed backup regardless of minIntervalHours', () => {
    expect(decideMount(p, { ...base, lastSuccessStartedAt: hoursAgo(3), owed: true })).toEqual({ action: 'run' });
  });

  it('runs when a schedule slot passed since the last success, even within minIntervalHours', () => {
    const scheduled = profile({ volume: 'backup-disk', minIntervalHours: 24, schedule: '0 12 * * *' });
    expect(decideMount(scheduled, { ...base, lastSuccessStartedAt: hoursAgo(4) })).toEqual({ action: 'run' });
  });

  it('absorbs the mount while already running', () => {
    expect(decideMount(p, { ...base, running: true })).toMatchObject({ action: 'none' });
  });
});

describe('retrying an automatic run that failed', () => {
  const failed = (kind: ErrorKind, trigger: RunRecord['trigger'] = 'schedule'): RunRecord => ({
    profile: 'p',
    trigger,
    startedAt: '',
    finishedAt: '',
    result: 'error',
    archive: null,
    stats: null,
    message: null,
    log: null,
    diagnoses: [{ kind, message: '', fix: '' }],
  });

  it('retries a lost connection soon, backing off to two hours', () => {
    expect([1, 2, 3, 4, 5, 9].map((n) => retryDelayMs(failed('connection-lost'), n)! / 60_000)).toEqual([5, 15, 30, 60, 120, 120]);
  });

  it('does not retry what only the user can fix, nor manual runs', () => {
    expect(retryDelayMs(failed('passphrase-wrong'), 1)).toBeNull();
    expect(retryDelayMs(failed('ssh-host-changed'), 1)).toBeNull();
    expect(retryDelayMs(failed('connection-lost', 'manual'), 1)).toBeNull();
    expect(retryDelayMs({ ...failed('connection-lost'), result: 'warning' }, 1)).toBeNull();
  });
});

describe('timed triggers: battery and disk conditions in detail', () => {
  it('says why a skipOnBattery profile is held on battery', () => {
    const d = decideTimed(profile({ schedule: '0 12 * * *', skipOnBattery: true }), { ...base, onBattery: true });
    expect(d.action === 'skip' && d.reason).toMatch(/battery/);
  });

  it('runs a skipOnBattery profile on mains power', () => {
    expect(decideTimed(profile({ schedule: '0 12 * * *', skipOnBattery: true }), base)).toEqual({ action: 'run' });
  });

  it('runs a due profile without a volume even when no disk is reported present', () => {
    expect(decideTimed(profile({ schedule: '0 12 * * *' }), { ...base, volumePresent: false })).toEqual({ action: 'run' });
  });
});

describe('the backup disk appears: battery and running', () => {
  const onDisk = (extra: Record<string, unknown> = {}) => profile({ volume: 'backup-disk', ...extra });

  it('records a skip when a skipOnBattery profile’s disk appears on battery power', () => {
    const d = decideMount(onDisk({ skipOnBattery: true }), { ...base, onBattery: true });
    expect(d).toMatchObject({ action: 'skip', record: true });
    expect(d.action === 'skip' && d.reason).toMatch(/battery/);
  });

  it('runs a disk-triggered backup on battery when the profile does not ask to skip on battery', () => {
    expect(decideMount(onDisk(), { ...base, onBattery: true })).toEqual({ action: 'run' });
  });

  it('runs a skipOnBattery profile’s disk-triggered backup on mains power', () => {
    expect(decideMount(onDisk({ skipOnBattery: true }), base)).toEqual({ action: 'run' });
  });

  it('runs an owed backup even on battery: the slot already passed while the disk was away', () => {
    expect(decideMount(onDisk({ skipOnBattery: true }), { ...base, onBattery: true, owed: true })).toEqual({ action: 'run' });
  });

  it('says the mount was absorbed because a run is already going', () => {
    expect(decideMount(onDisk(), { ...base, running: true })).toEqual({ action: 'none', reason: 'already running' });
  });
});

describe('retrying: which failures are transient', () => {
  const failedWith = (diagnoses: RunRecord['diagnoses']): RunRecord => ({
    profile: 'p',
    trigger: 'volume',
    startedAt: '',
    finishedAt: '',
    result: 'error',
    archive: null,
    stats: null,
    message: null,
    log: null,
    diagnoses,
  });
  const kind = (k: ErrorKind) => failedWith([{ kind: k, message: '', fix: '' }]);

  it('retries a repository lock held elsewhere (lock-timeout), like a lost connection', () => {
    expect(retryDelayMs(kind('lock-timeout'), 1)).toBe(5 * 60_000);
    expect(retryDelayMs(kind('lock-timeout'), 3)).toBe(30 * 60_000);
  });

  it('retries a failure it could not explain (unknown)', () => {
    expect(retryDelayMs(kind('unknown'), 2)).toBe(15 * 60_000);
  });

  it('treats an error without any diagnosis as unknown, and retries it', () => {
    expect(retryDelayMs(failedWith([]), 1)).toBe(5 * 60_000);
  });

  it('goes by the first diagnosis, the one that explains the failure', () => {
    expect(
      retryDelayMs(
        failedWith([
          { kind: 'passphrase-wrong', message: '', fix: '' },
          { kind: 'connection-lost', message: '', fix: '' },
        ]),
        1,
      ),
    ).toBeNull();
  });

  it('starts the back-off at five minutes when no failure was counted yet', () => {
    expect(retryDelayMs(kind('connection-lost'), 0)).toBe(5 * 60_000);
  });
});
