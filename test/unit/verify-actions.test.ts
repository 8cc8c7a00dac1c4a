import { describe, expect, it } from 'vitest';
import { operationWords, verifyButtons } from '../../renderer/status/verify-actions.js';
import { activityShown } from '../../renderer/status/activity-shown.js';

type Facts = Parameters<typeof verifyButtons>[0];
const idle: Facts = {
  state: 'idle',
  lastSuccessAt: '2026-12-02T10:00:00Z',
  repositoryAway: false,
  triggers: { schedule: null, volume: 'backup-disk' },
  operation: null,
};
const op = (over: Partial<NonNullable<Facts['operation']>> = {}) => ({
  kind: 'check' as const,
  archive: null,
  percent: null,
  nfiles: 0,
  bytes: 0,
  path: '',
  ...over,
});

describe('Check Now and Prove Restorable', () => {
  it('can both be pressed when the profile is idle, its disk here and a backup made', () => {
    expect(verifyButtons(idle)).toEqual({
      check: { label: 'Check Now', enabled: true },
      drill: { label: 'Prove Restorable', enabled: true },
      reason: null,
    });
  });

  it('are disabled with the reason while a backup of the profile runs', () => {
    const b = verifyButtons({ ...idle, state: 'running' });
    expect([b.check.enabled, b.drill.enabled]).toEqual([false, false]);
    expect(b.reason).toBe('Checking waits until the backup of this profile has finished.');
  });

  it('are disabled with the reason, naming the disk, while the disk is away or awaited', () => {
    const away = verifyButtons({ ...idle, repositoryAway: true });
    expect([away.check.enabled, away.drill.enabled]).toEqual([false, false]);
    expect(away.reason).toBe('Connect “backup-disk” to check these backups or prove them restorable.');
    const waiting = verifyButtons({ ...idle, state: 'waiting-for-volume', triggers: { schedule: null, volume: null } });
    expect(waiting.check.enabled).toBe(false);
    expect(waiting.reason).toBe('Connect the backup disk to check these backups or prove them restorable.');
  });

  it('say the running backup first when the disk is also reported away', () => {
    expect(verifyButtons({ ...idle, state: 'running', repositoryAway: true }).reason).toMatch(/^Checking waits/);
  });

  it('leave only the check when there is no backup to prove yet', () => {
    const b = verifyButtons({ ...idle, lastSuccessAt: null });
    expect([b.check.enabled, b.drill.enabled]).toEqual([true, false]);
    expect(b.reason).toBe('There is no backup to prove restorable yet.');
  });

  it('are both held while a check or drill goes on or is being started, with no reason (the progress says it)', () => {
    expect(verifyButtons({ ...idle, operation: op() })).toMatchObject({
      check: { enabled: false },
      drill: { enabled: false },
      reason: null,
    });
    expect(verifyButtons(idle, { starting: true })).toMatchObject({ check: { enabled: false }, drill: { enabled: false }, reason: null });
  });

  it('words a check or drill going on, and whom it waits for', () => {
    expect(operationWords(op())).toBe('Checking the backups…');
    expect(operationWords(op({ waitingFor: 'backup of "p" (schedule)' }))).toBe('Waiting for the repository: backup of "p" (schedule)…');
    expect(operationWords(op({ kind: 'drill', percent: 42 }))).toBe('Proving the latest backup restorable…');
    expect(operationWords(op({ kind: 'drill', percent: 90 }))).toBe('Comparing restored files…');
    expect(operationWords(op({ kind: 'drill', percent: null }))).toBe('Proving the latest backup restorable…');
    expect(operationWords(op({ kind: 'restore' }))).toBe('Restoring…');
  });
});

describe('how much recent activity a card shows', () => {
  it('shows the newest three and counts the rest, or all of them when asked', () => {
    expect(activityShown([1, 2, 3, 4, 5], false)).toEqual({ shown: [1, 2, 3], more: 2 });
    expect(activityShown([1, 2, 3, 4, 5], true)).toEqual({ shown: [1, 2, 3, 4, 5], more: 0 });
    expect(activityShown([1, 2, 3], false)).toEqual({ shown: [1, 2, 3], more: 0 });
    expect(activityShown([], false)).toEqual({ shown: [], more: 0 });
  });
});
