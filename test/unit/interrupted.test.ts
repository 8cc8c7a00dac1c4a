/**
 * A run whose process was killed outright is recorded as `interrupted`: every reader of records copes
 * with it, none counts it as a success, and none calls it an error.
 */
import { describe, expect, it } from 'vitest';
import { interruptedRecord } from '../../src/engine/recovery.js';
import { isSuccessful, worst, type RunRecord } from '../../src/records.js';
import { summarize } from '../../src/jobs/history.js';
import { retryDelayMs } from '../../src/triggers/decide.js';
import { profileGlance } from '../../src/app/tray-view.js';
import { badgeText, cardState } from '../../renderer/status/card-state.js';
import { glance } from '../../renderer/status/glance.js';
import { announcement, seenOf } from '../../renderer/status/announcer.js';
import type { AppSnapshot, ProfileSnapshot } from '../../renderer/shared/types.js';

const owner = {
  pid: 4242,
  what: 'backup of "p"',
  since: '2026-12-02T21:52:24.621Z',
  profile: 'p',
  trigger: 'catch-up',
  repository: '/r',
};
const rec = interruptedRecord(owner, new Date('2026-12-02T21:53:00.000Z'))!;
const success: RunRecord = { ...rec, result: 'success', diagnoses: [], message: null, startedAt: '2026-12-02T20:00:00.000Z', archive: 'a' };

function profile(over: Partial<ProfileSnapshot> = {}): ProfileSnapshot {
  return {
    waitingFor: null,
    id: 'p',
    name: 'Backup disk',
    state: 'idle',
    lastRun: rec,
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

const snap = (ps: ProfileSnapshot[]) =>
  ({
    takenAt: rec.finishedAt,
    configDir: '/c',
    configFile: '/c/config.json',
    configErrors: [],
    configRevision: 'absent',
    borg: { state: 'found', path: '/usr/bin/borg', version: '1.2.8' },
    schedules: { owner: null, ownedHere: true },
    profiles: ps,
    app: { platform: 'darwin', version: '1', fullDiskAccess: 'granted', login: { openAtLogin: true, status: 'enabled' } },
  }) as AppSnapshot;

describe('an interrupted run', () => {
  it('is recorded with its own outcome, the time in local words and no "back up now" nor a checkpoint promise', () => {
    expect(rec.result).toBe('interrupted');
    expect(rec.trigger).toBe('catch-up');
    expect(rec.diagnoses[0]!.kind).toBe('interrupted');
    expect(rec.message).toMatch(
      /^The backup to \/r that started (\d{1,2} [A-Z][a-z]{2,3} 2026|[A-Z][a-z]{2} \d{1,2}, 2026) at \d{1,2}:\d\d( [AP]M)? never finished/,
    );
    expect(`${rec.message} ${rec.diagnoses[0]!.fix}`).not.toMatch(/\d{4}-\d\d-\d\dT|back up now|checkpoint/i);
  });

  it('is never a success, and ranks between cancelled and error', () => {
    expect(isSuccessful(rec)).toBe(false);
    expect(summarize([success, rec]).lastSuccess).toEqual(success);
    expect(summarize([success, rec]).lastRun).toEqual(rec);
    expect(worst('cancelled', 'interrupted')).toBe('interrupted');
    expect(worst('interrupted', 'error')).toBe('error');
  });

  it('is not retried as a failure', () => {
    expect(retryDelayMs(rec, 1)).toBeNull();
  });

  it('reads as interrupted in the menu, the status window and its announcer, never as failed or up to date', () => {
    const now = new Date('2026-12-02T22:00:00.000Z');
    expect(profileGlance(profile(), now).status).toBe('The last attempt was interrupted');
    expect(profileGlance(profile({ lastSuccessAt: success.finishedAt }), now).status).toBe('The last attempt was interrupted');
    expect(cardState(profile())).toBe('interrupted');
    expect(cardState(profile({ lastSuccessAt: success.finishedAt }))).toBe('interrupted');
    expect(badgeText(profile())).toBe('Interrupted');
    expect(glance(snap([profile({ lastSuccessAt: success.finishedAt })])).text).toBe('The last backup did not finish');
    const before = seenOf(profile({ lastRun: null }));
    expect(announcement(before, profile())).toBe('Backup disk: the backup did not finish.');
  });
});
