/**
 * Pause Backups and Skip This Backup as pure decisions: until when a pause lasts, whether it still
 * holds, what a trigger does while paused or after a skip, what status says, and the menu items.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { activePause, pauseEnd, parseDuration, type PauseState } from '../../src/engine/pause.js';
import { decideMount, decideTimed, type Situation } from '../../src/triggers/decide.js';
import { nextRunWithPause, profileStatus, type EngineSnapshot, type ProfileSnapshot } from '../../src/engine/status.js';
import { pauseItems, pausedSentence, pausedUntilWords, runControls } from '../../src/app/pause-menu.js';
import { profileGlance, trayView, type TrayEnv } from '../../src/app/tray-view.js';
import type { LiveProgress } from '../../src/engine/run-queue.js';
import type { HistorySummary } from '../../src/jobs/history.js';
import type { RunRecord } from '../../src/records.js';
import { parseConfig, type Profile } from '../../src/profiles/schema.js';

const TZ = process.env.TZ;
/**
 * Whether setting process.env.TZ changes the zone here: it does in vitest's usual forked workers, not in a
 * worker thread (as Stryker's runner may use). The tests that need a named zone run only where it does.
 */
const zonesWork = (() => {
  process.env.TZ = 'America/New_York';
  const works = new Date('2026-01-01T12:00:00Z').getTimezoneOffset() === 300;
  if (TZ === undefined) delete process.env.TZ;
  else process.env.TZ = TZ;
  return works;
})();
const inZones = it.runIf(zonesWork);
afterEach(() => {
  if (TZ === undefined) delete process.env.TZ;
  else process.env.TZ = TZ;
});

function profile(extra: Record<string, unknown> = {}): Profile {
  const r = parseConfig({
    profiles: [{ id: 'p', repository: '/Volumes/backup-disk/repo', encryption: 'none', sources: ['/s'], ...extra }],
  });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.config.profiles[0]!;
}

const now = new Date('2026-11-27T15:00:00Z');
const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000);
const base: Situation = { now, lastSuccessStartedAt: null, running: false, volumePresent: true, onBattery: false, owed: false, tz: 'UTC' };

describe('how long a pause lasts', () => {
  it('For 1 Hour ends an hour later; Until I Resume never ends by itself; any length can be asked for', () => {
    expect(pauseEnd({ for: 'hour' }, now)!.toISOString()).toBe('2026-11-27T16:00:00.000Z');
    expect(pauseEnd({ for: 'ever' }, now)).toBeNull();
    expect(pauseEnd({ for: 'ms', ms: 90_000 }, now)!.toISOString()).toBe('2026-11-27T15:01:30.000Z');
  });

  inZones('Until Tomorrow ends at the next local midnight, in the local zone (also the night clocks change)', () => {
    process.env.TZ = 'Europe/Berlin';
    // 15:00 UTC is 16:00 in Berlin: tomorrow begins at 23:00 UTC.
    expect(pauseEnd({ for: 'tomorrow' }, now)!.toISOString()).toBe('2026-11-27T23:00:00.000Z');
    // The evening before summer time: midnight is still at +01:00.
    expect(pauseEnd({ for: 'tomorrow' }, new Date('2026-03-28T20:00:00Z'))!.toISOString()).toBe('2026-03-28T23:00:00.000Z');
    // The day of the change: the next midnight is at +02:00.
    expect(pauseEnd({ for: 'tomorrow' }, new Date('2026-03-29T12:00:00Z'))!.toISOString()).toBe('2026-03-29T22:00:00.000Z');
    process.env.TZ = 'America/New_York';
    expect(pauseEnd({ for: 'tomorrow' }, now)!.toISOString()).toBe('2026-11-28T05:00:00.000Z');
  });

  it('holds until its end, not at or after it; a pause without an end always holds', () => {
    const p: PauseState = { since: hoursAgo(1).toISOString(), until: '2026-11-27T15:00:01.000Z' };
    expect(activePause(p, now)).toEqual(p);
    expect(activePause(p, new Date('2026-11-27T15:00:01.000Z'))).toBeNull();
    expect(activePause({ since: p.since, until: null }, new Date('2030-01-01T00:00:00Z'))).not.toBeNull();
    expect(activePause(null, now)).toBeNull();
  });

  it('reads lengths as 30m, 1h, 2d, 90s; anything else is refused', () => {
    expect(parseDuration('30m')).toBe(1_800_000);
    expect(parseDuration('1h')).toBe(3_600_000);
    expect(parseDuration('1.5h')).toBe(5_400_000);
    expect(parseDuration('2d')).toBe(172_800_000);
    expect(parseDuration('90s')).toBe(90_000);
    for (const bad of ['', 'soon', '1', '0h', '-1h', '1w', 'h']) expect(parseDuration(bad)).toBeNull();
  });
});

describe('triggers while paused, and after Skip This Backup', () => {
  it('starts nothing while paused: not a due slot, not a catch-up, not a disk that appears, not an owed run', () => {
    const p = profile({ schedule: '0 12 * * *', volume: 'backup-disk' });
    expect(decideTimed(p, { ...base, paused: true })).toEqual({ action: 'none', reason: 'paused' });
    expect(decideMount(p, { ...base, paused: true })).toEqual({ action: 'none', reason: 'paused' });
    expect(decideMount(p, { ...base, paused: true, owed: true })).toEqual({ action: 'none', reason: 'paused' });
    // The same moment without the pause runs: the pause is what holds it.
    expect(decideTimed(p, base)).toEqual({ action: 'run' });
    expect(decideMount(p, { ...base, owed: true })).toEqual({ action: 'run' });
  });

  it('after a skip, the schedule waits for its next slot (no rerun on resume, catch-up or a config edit)', () => {
    const p = profile({ schedule: '0 * * * *' });
    // Last success three hours ago; the 15:00 slot's run was skipped at 15:00.
    const s = { ...base, lastSuccessStartedAt: hoursAgo(3), lastSkippedByUserAt: now };
    expect(decideTimed(p, { ...s, now: new Date('2026-11-27T15:40:00Z') })).toMatchObject({ action: 'none', reason: 'not due' });
    expect(decideTimed(p, { ...s, now: new Date('2026-11-27T16:00:05Z') })).toEqual({ action: 'run' });
    // Without the skip the same moment would run again.
    expect(decideTimed(p, { ...base, lastSuccessStartedAt: hoursAgo(3), now: new Date('2026-11-27T15:40:00Z') })).toEqual({
      action: 'run',
    });
    // A success after the skip counts from the success.
    expect(
      decideTimed(p, { ...s, lastSuccessStartedAt: new Date('2026-11-27T16:10:00Z'), now: new Date('2026-11-27T16:30:00Z') }),
    ).toMatchObject({ action: 'none' });
  });
});

function summary(lastSuccessAt: Date | null): HistorySummary {
  const rec: RunRecord | null = lastSuccessAt
    ? {
        profile: 'p',
        trigger: 'schedule',
        startedAt: new Date(lastSuccessAt.getTime() - 60_000).toISOString(),
        finishedAt: lastSuccessAt.toISOString(),
        result: 'success',
        archive: 'a',
        stats: null,
        message: null,
        diagnoses: [],
        log: null,
      }
    : null;
  return { lastRun: rec, lastSuccess: rec, firstRunAt: rec?.startedAt ?? hoursAgo(100).toISOString() };
}

describe('status while paused', () => {
  const hourly = profile({ schedule: '0 * * * *' });

  it('a pause never makes a profile overdue; one already overdue when it began stays overdue', () => {
    const old = summary(hoursAgo(5));
    expect(profileStatus(hourly, old, 'idle', now).overdue).toBe(true);
    const pausedEarly: PauseState = { since: hoursAgo(4.5).toISOString(), until: null };
    expect(profileStatus(hourly, old, 'idle', now, null, pausedEarly).overdue).toBe(false);
    const pausedLate: PauseState = { since: hoursAgo(1).toISOString(), until: null };
    expect(profileStatus(hourly, old, 'idle', now, null, pausedLate).overdue).toBe(true);
  });

  it('the next run is the end of the pause when a slot falls in it, none until resumed, else the slot', () => {
    const slot = new Date('2026-11-27T16:00:00Z');
    expect(nextRunWithPause(slot, { since: now.toISOString(), until: '2026-11-27T18:30:00Z' })!.toISOString()).toBe(
      '2026-11-27T18:30:00.000Z',
    );
    expect(nextRunWithPause(slot, { since: now.toISOString(), until: null })).toBeNull();
    expect(nextRunWithPause(slot, { since: now.toISOString(), until: '2026-11-27T15:30:00Z' })).toEqual(slot);
    expect(nextRunWithPause(slot, null)).toEqual(slot);
    expect(
      profileStatus(hourly, summary(hoursAgo(0.5)), 'idle', now, null, { since: now.toISOString(), until: null }).nextRunAt,
    ).toBeNull();
  });
});

function progress(extra: Partial<LiveProgress> = {}): LiveProgress {
  return {
    trigger: 'schedule',
    startedAt: hoursAgo(0.1).toISOString(),
    step: 'create',
    nfiles: 1234,
    originalSize: 2_100_000_000,
    deduplicatedSize: 12_000_000,
    path: 'Users/me/a.txt',
    percent: null,
    ...extra,
  };
}

function snap(extra: Partial<ProfileSnapshot> = {}): ProfileSnapshot {
  return {
    waitingFor: null,
    id: 'big',
    name: 'Big',
    state: 'idle',
    lastRun: summary(hoursAgo(2)).lastRun,
    lastSuccessAt: hoursAgo(2).toISOString(),
    nextRunAt: null,
    overdue: false,
    keyExportedAt: null,
    lastVerified: null,
    lastProven: null,
    verifyOverdue: false,
    verifyFailed: null,
    repository: '/r',
    triggers: { schedule: '0 * * * *', volume: null },
    run: null,
    runningElsewhere: null,
    retry: null,
    ...extra,
  };
}

function engineSnapshot(profiles: ProfileSnapshot[], paused: PauseState | null = null): EngineSnapshot {
  return {
    takenAt: now.toISOString(),
    configDir: '/c',
    configFile: '/c/config.json',
    configErrors: [],
    configRevision: 'absent',
    borg: { state: 'found', path: '/usr/bin/borg', version: '1.4.0' },
    schedules: { owner: null, ownedHere: true },
    paused,
    profiles,
  };
}

const mac: TrayEnv = { now, platform: 'darwin', fullDiskAccess: 'granted', login: { openAtLogin: true, status: 'enabled' } };

describe('the menu: Pause Backups, Resume Backups, Cancel and Skip', () => {
  it('offers For 1 Hour, Until Tomorrow and Until I Resume when not paused', () => {
    expect(pauseItems(null, now)).toEqual([
      {
        label: 'Pause Backups',
        submenu: [
          { label: 'For 1 Hour', action: { type: 'pause', choice: { for: 'hour' } } },
          { label: 'Until Tomorrow', action: { type: 'pause', choice: { for: 'tomorrow' } } },
          { label: 'Until I Resume', action: { type: 'pause', choice: { for: 'ever' } } },
        ],
      },
    ]);
  });

  inZones('while paused: a line that says until when in local time, and Resume Backups; an ended pause offers Pause again', () => {
    process.env.TZ = 'Europe/Berlin';
    const at = (iso: string): PauseState => ({ since: now.toISOString(), until: iso });
    // 17:05 in Berlin the same day.
    expect(pauseItems(at('2026-11-27T16:05:00Z'), now)).toEqual([
      { label: expect.stringMatching(/^Backups paused until (17:05|5:05\sPM)$/), enabled: false },
      { label: 'Resume Backups', action: { type: 'resume' } },
    ]);
    expect(pausedUntilWords(at('2026-11-27T23:00:00Z'), now, 'en-GB')).toBe('until midnight');
    expect(pausedUntilWords(at('2026-11-28T08:30:00Z'), now, 'en-GB')).toBe('until tomorrow, 9:30');
    expect(pausedUntilWords(at('2026-11-30T08:30:00Z'), now, 'en-GB')).toBe('until Mon 30 Nov, 9:30');
    expect(pausedSentence({ since: now.toISOString(), until: null }, now)).toBe('Backups paused until you resume them');
    expect(pauseItems(at('2026-11-27T14:59:00Z'), now)[0]!.label).toBe('Pause Backups');
  });

  inZones('says the end of a pause in the OS locale the menu is given, in the menu and the tooltip', () => {
    process.env.TZ = 'Europe/Berlin';
    const paused = { since: now.toISOString(), until: '2026-11-27T16:05:00Z' };
    const us = trayView(engineSnapshot([snap()], paused), { ...mac, locale: 'en-US' });
    const gb = trayView(engineSnapshot([snap()], paused), { ...mac, locale: 'en-GB' });
    expect(us.menu.map((i) => i.label)).toContainEqual(expect.stringMatching(/^Backups paused until 5:05\sPM$/));
    expect(us.tooltip).toMatch(/Backups paused until 5:05\sPM/);
    expect(gb.menu.map((i) => i.label)).toContain('Backups paused until 17:05');
    expect(gb.tooltip).toContain('Backups paused until 17:05');
  });

  it('puts the pause in the tooltip and the menu without calling anything overdue', () => {
    const v = trayView(engineSnapshot([snap()], { since: now.toISOString(), until: null }), mac);
    expect(v.tooltip).toContain('Backups paused until you resume them');
    expect(v.menu.map((i) => i.label)).toContain('Resume Backups');
  });

  it('offers Cancel Backup and Skip This Backup for a run here or in another process, naming profiles when several run', () => {
    const elsewhere = snap({
      state: 'running',
      runningElsewhere: { pid: 9, what: 'dandelion daemon', since: now.toISOString(), progress: progress() },
    });
    expect(runControls([elsewhere])).toEqual([
      { label: 'Cancel Backup', action: { type: 'cancel', profile: 'big' } },
      { label: 'Skip This Backup', action: { type: 'skip', profile: 'big' } },
    ]);
    const two = runControls([elsewhere, snap({ id: 'disk', name: 'Disk', state: 'running', run: progress() })]);
    expect(two.map((i) => i.label)).toEqual(['Cancel Backup of Big', 'Skip Backup of Big', 'Cancel Backup of Disk', 'Skip Backup of Disk']);
    expect(runControls([snap()])).toEqual([]);
  });

  it("shows another process's figures in the line and the title", () => {
    const elsewhere = snap({ state: 'running', runningElsewhere: { pid: 9, what: 'cli', since: now.toISOString(), progress: progress() } });
    expect(profileGlance(elsewhere, now).status).toBe('Backing up: 1,234 files, 2.1 GB');
    expect(trayView(engineSnapshot([elsewhere]), mac).title).toBe('1,234');
    // Before its first figures: no number is made up.
    const early = snap({ state: 'running', runningElsewhere: { pid: 9, what: 'cli', since: now.toISOString(), progress: null } });
    expect(profileGlance(early, now).status).toBe('Backing up now');
    expect(trayView(engineSnapshot([early]), mac).title).toBe('');
  });
});
