import { describe, expect, it } from 'vitest';
import {
  EMPTY_MEMORY,
  notificationsFor,
  prefsFromSettings,
  type NotificationPrefs,
  type NotifyEvent,
  type NotifyMemory,
} from '../../src/app/notifications.js';
import { appSettings, parseConfig } from '../../src/profiles/schema.js';
import type { EngineSnapshot, ProfileSnapshot } from '../../src/engine/status.js';
import type { RunRecord, RunResult, Trigger } from '../../src/records.js';
import type { Diagnosis, ErrorKind } from '../../src/diagnosis.js';

const now = new Date('2026-11-27T15:00:00Z');
const at = (hours: number) => new Date(now.getTime() + hours * 3_600_000);
const defaults: NotificationPrefs = { success: false, warnings: true, overdue: true };
const all: NotificationPrefs = { success: true, warnings: true, overdue: true };
const none: NotificationPrefs = { success: false, warnings: false, overdue: false };

const diagnosis = (kind: ErrorKind, message = `Message of ${kind}.`): Diagnosis => ({ kind, message, fix: `Fix of ${kind}.` });

function record(result: RunResult, extra: Partial<RunRecord> = {}): RunRecord {
  return {
    profile: 'offsite',
    trigger: 'schedule',
    startedAt: at(-1).toISOString(),
    finishedAt: now.toISOString(),
    result,
    archive: null,
    stats: null,
    message: null,
    diagnoses: [],
    log: null,
    ...extra,
  };
}

const failure = (kind: ErrorKind, trigger: Trigger = 'schedule') => record('error', { trigger, diagnoses: [diagnosis(kind)] });

const finished = (r: RunRecord, retryPlanned = false, when = now): NotifyEvent => ({
  type: 'run-finished',
  record: r,
  profileName: 'Off-site',
  retryPlanned,
  now: when,
});

function profile(extra: Partial<ProfileSnapshot> = {}): ProfileSnapshot {
  return {
    id: 'offsite',
    name: 'Off-site',
    state: 'idle',
    lastRun: null,
    lastSuccessAt: at(-72).toISOString(),
    nextRunAt: null,
    overdue: false,
    keyExportedAt: null,
    repository: '/Volumes/backup-disk/repo',
    triggers: { schedule: '0 12 * * *', volume: null },
    run: null,
    runningElsewhere: null,
    retry: null,
    ...extra,
  };
}

function seen(profiles: ProfileSnapshot[], when = now): NotifyEvent {
  const snapshot: EngineSnapshot = {
    takenAt: when.toISOString(),
    configDir: '/c',
    configFile: '/c/config.json',
    configErrors: [],
    configRevision: 'absent',
    borg: { state: 'unknown' },
    schedules: { owner: null, ownedHere: true },
    profiles,
  };
  return { type: 'snapshot', snapshot, now: when };
}

/** Feeds events in order; returns what each said (kinds) and the last memory. */
function play(events: NotifyEvent[], prefs = defaults, memory: NotifyMemory = EMPTY_MEMORY) {
  const said: string[][] = [];
  for (const e of events) {
    const out = notificationsFor(memory, e, prefs);
    said.push(out.notify.map((n) => n.kind));
    memory = out.memory;
  }
  return { said, memory };
}

describe('after a run', () => {
  it('tells a failure with the profile as title and the diagnosis sentence and fix as body', () => {
    const out = notificationsFor(EMPTY_MEMORY, finished(failure('passphrase-wrong')), none);
    expect(out.notify).toEqual([
      { profile: 'offsite', kind: 'failure', title: 'Off-site', body: 'Message of passphrase-wrong. Fix of passphrase-wrong.' },
    ]);
  });

  it('tells a failure without a diagnosis in its message, or in plain words', () => {
    const withMessage = notificationsFor(EMPTY_MEMORY, finished(record('error', { message: 'borg failed.' })), defaults);
    expect(withMessage.notify[0]!.body).toBe('borg failed.');
    const bare = notificationsFor(EMPTY_MEMORY, finished(record('error')), defaults);
    expect(bare.notify[0]!.body).toBe('The backup did not finish.');
    expect(bare.memory).toEqual({ profiles: { offsite: { failure: 'unknown' } } });
  });

  it('tells every failure nobody retries, even the same one again', () => {
    expect(play([finished(failure('passphrase-wrong')), finished(failure('passphrase-wrong', 'manual'))]).said).toEqual([
      ['failure'],
      ['failure'],
    ]);
  });

  it('tells a failure that is retried once, not at every try', () => {
    const { said } = play([
      finished(failure('connection-lost'), true),
      finished(failure('connection-lost', 'retry'), true),
      finished(failure('connection-lost', 'retry'), true),
      finished(failure('connection-lost', 'retry'), false),
    ]);
    expect(said).toEqual([['failure'], [], [], []]);
  });

  it('counts a run after which a retry is planned as a try, whatever started it', () => {
    const { said } = play([finished(failure('connection-lost'), true), finished(failure('connection-lost', 'resume'), true)]);
    expect(said).toEqual([['failure'], []]);
  });

  it('tells a retried failure of another kind', () => {
    const { said, memory } = play([
      finished(failure('connection-lost'), true),
      finished(failure('lock-timeout', 'retry'), true),
      finished(failure('lock-timeout', 'retry'), true),
    ]);
    expect(said).toEqual([['failure'], ['failure'], []]);
    expect(memory.profiles.offsite).toEqual({ failure: 'lock-timeout' });
  });

  it('starts over after a success or a run with warnings in between', () => {
    for (const between of [record('success'), record('warning')]) {
      const { said } = play(
        [finished(failure('connection-lost'), true), finished(between), finished(failure('connection-lost', 'retry'), true)],
        none,
      );
      expect(said).toEqual([['failure'], [], ['failure']]);
    }
  });

  it('does not start over after a cancelled or skipped run', () => {
    for (const between of [record('cancelled'), record('skipped')]) {
      const { said } = play([
        finished(failure('connection-lost'), true),
        finished(between),
        finished(failure('connection-lost', 'retry'), true),
      ]);
      expect(said).toEqual([['failure'], [], []]);
    }
  });

  it('keeps the failures of each profile apart', () => {
    const other = { ...failure('connection-lost', 'retry'), profile: 'disk' };
    const { said } = play([finished(failure('connection-lost'), true), finished(other, true)]);
    expect(said).toEqual([['failure'], ['failure']]);
  });

  it('tells warnings unless switched off, with the first warning and its fix', () => {
    const r = record('warning', { diagnoses: [diagnosis('source-permission', '3 files could not be read.'), diagnosis('unknown')] });
    expect(notificationsFor(EMPTY_MEMORY, finished(r), defaults).notify).toEqual([
      {
        profile: 'offsite',
        kind: 'warning',
        title: 'Off-site',
        body: 'Backed up, with warnings: 3 files could not be read. Fix of source-permission.',
      },
    ]);
    expect(notificationsFor(EMPTY_MEMORY, finished(r), { ...all, warnings: false }).notify).toEqual([]);
    const bare = notificationsFor(EMPTY_MEMORY, finished(record('warning')), defaults).notify[0]!;
    expect(bare.body).toBe('Backed up, with warnings: see the log.');
    const withMessage = notificationsFor(EMPTY_MEMORY, finished(record('warning', { message: '2 files changed.' })), defaults);
    expect(withMessage.notify[0]!.body).toBe('Backed up, with warnings: 2 files changed.');
  });

  it('always tells a backup that saved almost nothing, and never as "backed up"', () => {
    const r = record('warning', { diagnoses: [diagnosis('hollow-backup', 'Nothing was backed up.')] });
    for (const prefs of [defaults, { ...all, warnings: false }]) {
      expect(notificationsFor(EMPTY_MEMORY, finished(r), prefs).notify).toEqual([
        { profile: 'offsite', kind: 'warning', title: 'Off-site', body: 'Nothing was backed up. Fix of hollow-backup.' },
      ]);
    }
  });

  it('tells a success only when switched on, with what was backed up', () => {
    const stats = { originalSize: 2_100_000_000, compressedSize: 1e9, deduplicatedSize: 12_000_000, nfiles: 1234, durationSeconds: 60 };
    const r = record('success', { stats });
    expect(notificationsFor(EMPTY_MEMORY, finished(r), defaults).notify).toEqual([]);
    expect(notificationsFor(EMPTY_MEMORY, finished(r), all).notify).toEqual([
      { profile: 'offsite', kind: 'success', title: 'Off-site', body: 'Backed up 1,234 files, 2.1 GB (12 MB new).' },
    ]);
    const one = record('success', { stats: { ...stats, nfiles: 1, originalSize: 10, deduplicatedSize: 0 } });
    expect(notificationsFor(EMPTY_MEMORY, finished(one), all).notify[0]!.body).toBe('Backed up 1 file, 10 B (0 B new).');
    expect(notificationsFor(EMPTY_MEMORY, finished(record('success')), all).notify[0]!.body).toBe('Backed up.');
  });

  it('never tells a skipped or cancelled run, whatever the switches', () => {
    for (const result of ['skipped', 'cancelled'] as const) {
      const out = notificationsFor(EMPTY_MEMORY, finished(record(result, { diagnoses: [diagnosis('cancelled')] })), all);
      expect(out).toEqual({ notify: [], memory: EMPTY_MEMORY });
    }
  });

  it('tells a run stopped from outside or interrupted as the failure it is', () => {
    expect(play([finished(failure('killed'))], none).said).toEqual([['failure']]);
    expect(play([finished(failure('interrupted'))], none).said).toEqual([['failure']]);
  });

  it('leaves the memory it was given untouched, and forgets a cleared profile entirely', () => {
    const before: NotifyMemory = { profiles: { offsite: { failure: 'connection-lost' }, disk: { waiting: true } } };
    const copy = structuredClone(before);
    const out = notificationsFor(before, finished(record('success')), defaults);
    expect(before).toEqual(copy);
    expect(out.memory).toEqual({ profiles: { disk: { waiting: true } } });
  });

  it('keeps the rest of what it knew about the profile when a failure is told', () => {
    const before: NotifyMemory = { profiles: { offsite: { overdueAt: at(-3).toISOString() } } };
    const out = notificationsFor(before, finished(failure('disk-full')), defaults);
    expect(out.memory).toEqual({ profiles: { offsite: { overdueAt: at(-3).toISOString(), failure: 'disk-full' } } });
    const cleared = notificationsFor(out.memory, finished(record('success')), defaults);
    expect(cleared.memory).toEqual(before);
  });
});

describe('from the snapshot', () => {
  it('tells overdue with the age of the last backup', () => {
    const out = notificationsFor(EMPTY_MEMORY, seen([profile({ overdue: true })]), defaults);
    expect(out.notify).toEqual([
      { profile: 'offsite', kind: 'overdue', title: 'Off-site', body: 'Overdue: the last backup was 3 days ago.' },
    ]);
    expect(out.memory).toEqual({ profiles: { offsite: { overdueAt: now.toISOString() } } });
    const never = notificationsFor(EMPTY_MEMORY, seen([profile({ overdue: true, lastSuccessAt: null })]), defaults);
    expect(never.notify[0]!.body).toBe('Overdue: it was never backed up.');
  });

  it('tells overdue at most once a day per profile', () => {
    const p = profile({ overdue: true });
    const { said } = play([seen([p]), seen([p], at(1)), seen([p], at(23.99)), seen([p], at(24)), seen([p], at(30)), seen([p], at(48))]);
    expect(said).toEqual([['overdue'], [], [], ['overdue'], [], ['overdue']]);
  });

  it('tells overdue when the remembered date does not read as one', () => {
    const memory: NotifyMemory = { profiles: { offsite: { overdueAt: 'yesterday' } } };
    expect(play([seen([profile({ overdue: true })])], defaults, memory).said).toEqual([['overdue']]);
  });

  it('does not tell overdue again within the day even when it cleared in between', () => {
    const { said } = play([seen([profile({ overdue: true })]), seen([profile()], at(2)), seen([profile({ overdue: true })], at(5))]);
    expect(said).toEqual([['overdue'], [], []]);
  });

  it('tells overdue only when switched on, and not while a backup runs', () => {
    expect(play([seen([profile({ overdue: true })])], { ...all, overdue: false }).said).toEqual([[]]);
    const run = {
      trigger: 'schedule' as const,
      startedAt: now.toISOString(),
      step: 'create' as const,
      nfiles: 0,
      originalSize: 0,
      deduplicatedSize: 0,
      path: '',
      percent: null,
    };
    expect(play([seen([profile({ overdue: true, state: 'running', run })])]).said).toEqual([[]]);
    expect(play([seen([profile({ overdue: true, runningElsewhere: { pid: 1, what: 'cli', since: now.toISOString() } })])]).said).toEqual([
      [],
    ]);
  });

  it('keeps overdue apart per profile', () => {
    const a = profile({ overdue: true });
    const b = profile({ id: 'disk', name: 'Backup disk', overdue: true });
    const out = notificationsFor(EMPTY_MEMORY, seen([a, b]), defaults);
    expect(out.notify.map((n) => [n.profile, n.title])).toEqual([
      ['offsite', 'Off-site'],
      ['disk', 'Backup disk'],
    ]);
    expect(play([seen([a]), seen([a, b], at(1))]).said).toEqual([['overdue'], ['overdue']]);
  });

  it('tells a wait for the disk once per wait, naming the disk', () => {
    const waiting = profile({ state: 'waiting-for-volume', triggers: { schedule: null, volume: 'backup-disk' } });
    const out = notificationsFor(EMPTY_MEMORY, seen([waiting]), defaults);
    expect(out.notify).toEqual([
      { profile: 'offsite', kind: 'waiting', title: 'Off-site', body: 'A backup is due: connect backup-disk and it starts by itself.' },
    ]);
    expect(out.memory).toEqual({ profiles: { offsite: { waiting: true } } });
    const { said, memory } = play([
      seen([waiting]),
      seen([waiting], at(30)),
      seen([waiting], at(60)),
      seen([profile()], at(61)),
      seen([waiting], at(62)),
    ]);
    expect(said).toEqual([['waiting'], [], [], [], ['waiting']]);
    expect(memory).toEqual({ profiles: { offsite: { waiting: true } } });
  });

  it('says the backup disk when the profile names none', () => {
    const out = notificationsFor(EMPTY_MEMORY, seen([profile({ state: 'waiting-for-volume' })]), defaults);
    expect(out.notify[0]!.body).toBe('A backup is due: connect the backup disk and it starts by itself.');
  });

  it('tells a wait only with warnings switched on', () => {
    const waiting = profile({ state: 'waiting-for-volume' });
    const { said, memory } = play([seen([waiting])], { ...all, warnings: false });
    expect(said).toEqual([[]]);
    expect(memory).toEqual({ profiles: {} });
  });

  it('asks for the disk in the overdue notice instead of telling the wait twice', () => {
    const waiting = profile({ overdue: true, state: 'waiting-for-volume', triggers: { schedule: '0 12 * * *', volume: 'backup-disk' } });
    const out = notificationsFor(EMPTY_MEMORY, seen([waiting]), defaults);
    expect(out.notify).toEqual([
      {
        profile: 'offsite',
        kind: 'overdue',
        title: 'Off-site',
        body: 'Overdue: the last backup was 3 days ago. Connect backup-disk to back up.',
      },
    ]);
    expect(out.memory).toEqual({ profiles: { offsite: { overdueAt: now.toISOString(), waiting: true } } });
    expect(play([seen([waiting]), seen([waiting], at(1))]).said).toEqual([['overdue'], []]);
  });

  it('still tells an overdue wait when only overdue notices are on', () => {
    const waiting = profile({ overdue: true, state: 'waiting-for-volume', triggers: { schedule: '0 12 * * *', volume: 'backup-disk' } });
    expect(play([seen([waiting])], { success: false, warnings: false, overdue: true }).said).toEqual([['overdue']]);
  });

  it('keeps what a run taught about a profile, and forgets profiles that are gone', () => {
    const before: NotifyMemory = {
      profiles: { offsite: { failure: 'connection-lost' }, gone: { failure: 'disk-full', overdueAt: at(-2).toISOString() } },
    };
    const out = notificationsFor(before, seen([profile()]), defaults);
    expect(out).toEqual({ notify: [], memory: { profiles: { offsite: { failure: 'connection-lost' } } } });
    expect(notificationsFor(before, seen([]), defaults).memory).toEqual(EMPTY_MEMORY);
  });

  it('keeps a memory that survives JSON', () => {
    const waiting = profile({ overdue: true, state: 'waiting-for-volume' });
    const { memory } = play([finished(failure('connection-lost'), true), seen([waiting])]);
    expect(JSON.parse(JSON.stringify(memory))).toEqual(memory);
    const again = play(
      [seen([waiting], at(1)), finished(failure('connection-lost', 'retry'), true)],
      defaults,
      JSON.parse(JSON.stringify(memory)),
    );
    expect(again.said).toEqual([[], []]);
  });
});

describe('prefsFromSettings', () => {
  it('reads the switches of the app settings, old words included', () => {
    const read = (app: unknown) => {
      const r = parseConfig({ app });
      if (!r.ok) throw new Error(JSON.stringify(r.errors));
      return prefsFromSettings(appSettings(r.config));
    };
    expect(read({})).toEqual(defaults);
    expect(read({ notifications: 'all' })).toEqual(all);
    expect(read({ notifications: 'none' })).toEqual(none);
    expect(read({ notifications: { success: true, overdue: false }, openAtLogin: true })).toEqual({
      success: true,
      warnings: true,
      overdue: false,
    });
  });
});
