import { describe, expect, it } from 'vitest';
import {
  EMPTY_MEMORY,
  memoryFromJson,
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
import { diagnosisFor } from '../../src/messages.js';
import { diagnosisOf } from '../../src/engine/outcome.js';
import { appFix } from '../../src/app/app-words.js';

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

const finished = (r: RunRecord, when = new Date(Date.parse(r.finishedAt)), runningNow = false): NotifyEvent => ({
  type: 'run-finished',
  record: r,
  profileName: 'Off-site',
  destination: 'backup-disk',
  runningNow,
  now: when,
  timeZone: 'UTC',
  locale: 'en-GB',
});

/** The run of a `* * * * *` schedule `minute` minutes after `now`: it starts on the minute and ends 20 s later. */
function slot(minute: number, result: RunResult, extra: Partial<RunRecord> = {}): RunRecord {
  const start = new Date(now.getTime() + minute * 60_000);
  return record(result, { startedAt: start.toISOString(), finishedAt: new Date(start.getTime() + 20_000).toISOString(), ...extra });
}
const failing = (minute: number, kind: ErrorKind, trigger: Trigger = 'schedule') =>
  slot(minute, 'error', { trigger, diagnoses: [diagnosis(kind)] });

function profile(extra: Partial<ProfileSnapshot> = {}): ProfileSnapshot {
  return {
    waitingFor: null,
    id: 'offsite',
    name: 'Off-site',
    state: 'idle',
    lastRun: null,
    lastSuccessAt: at(-72).toISOString(),
    nextRunAt: null,
    overdue: false,
    keyExportedAt: null,
    lastVerified: null,
    lastProven: null,
    verifyOverdue: false,
    verifyFailed: null,
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
    expect(bare.memory).toEqual({
      profiles: {
        offsite: { runs: [at(-1).toISOString()], trouble: { kind: 'unknown', since: at(-1).toISOString(), toldAt: now.toISOString() } },
      },
    });
  });

  it('tells a failing schedule once: ten slots of the same trouble give one notification', () => {
    const { said } = play(Array.from({ length: 10 }, (_, i) => finished(failing(i, 'passphrase-wrong'))));
    expect(said).toEqual([['failure'], [], [], [], [], [], [], [], [], []]);
  });

  it('speaks again when the cause changes, then stays silent while the new cause stays', () => {
    const { said, memory } = play([
      finished(failing(0, 'connection-lost')),
      finished(failing(1, 'connection-lost', 'retry')),
      finished(failing(2, 'lock-timeout', 'retry')),
      finished(failing(3, 'lock-timeout')),
      finished(failing(4, 'connection-lost')),
    ]);
    expect(said).toEqual([['failure'], [], ['failure'], [], ['failure']]);
    // The trouble began with the first failure, whatever its cause became.
    expect(memory.profiles.offsite!.trouble).toMatchObject({ kind: 'connection-lost', since: failing(0, 'unknown').startedAt });
  });

  it('after a day of the same trouble says once that it is still failing, since when in local time', () => {
    const day = 24 * 60;
    const { said, memory } = play([
      finished(failing(0, 'repo-missing')),
      finished(failing(day - 2, 'repo-missing')),
      finished(failing(day + 1, 'repo-missing')),
      finished(failing(day + 2, 'repo-missing')),
    ]);
    expect(said).toEqual([['failure'], [], ['failure'], []]);
    const again = notificationsFor(
      { profiles: { offsite: { trouble: { kind: 'repo-missing', since: now.toISOString(), toldAt: now.toISOString() } } } },
      finished(failing(day + 1, 'repo-missing')),
      defaults,
    );
    expect(again.notify[0]!.body).toBe(
      'Backups to backup-disk have been failing since yesterday at 15:00. Message of repo-missing. Fix of repo-missing.',
    );
    expect(memory.profiles.offsite!.trouble!.toldAt).toBe(
      new Date(Date.parse(failing(day + 1, 'x' as ErrorKind).finishedAt)).toISOString(),
    );
    // In the user's zone, not UTC.
    const auckland = notificationsFor(
      { profiles: { offsite: { trouble: { kind: 'repo-missing', since: now.toISOString(), toldAt: now.toISOString() } } } },
      { ...(finished(failing(day + 1, 'repo-missing')) as Extract<NotifyEvent, { type: 'run-finished' }>), timeZone: 'Pacific/Auckland' },
      defaults,
    );
    expect(auckland.notify[0]!.body).toContain('since yesterday at 04:00.');
  });

  it('says once that a fixed trouble works again, even with success notices off', () => {
    const { said, memory } = play(
      [
        finished(failing(0, 'passphrase-wrong')),
        finished(failing(1, 'passphrase-wrong')),
        finished(slot(2, 'success')),
        finished(slot(3, 'success')),
      ],
      none,
    );
    expect(said).toEqual([['failure'], [], ['fixed'], []]);
    expect(memory.profiles.offsite).toEqual({ runs: [0, 1, 2, 3].map((m) => slot(m, 'success').startedAt) });
    const out = notificationsFor(
      { profiles: { offsite: { trouble: { kind: 'repo-missing', since: now.toISOString(), toldAt: now.toISOString() } } } },
      finished(slot(5, 'success')),
      none,
    );
    expect(out.notify).toEqual([{ profile: 'offsite', kind: 'fixed', title: 'Off-site', body: 'Backups to backup-disk work again.' }]);
  });

  it('tells a fix and what was backed up in one notification when success notices are on', () => {
    const stats = { originalSize: 2_100_000_000, compressedSize: 1e9, deduplicatedSize: 12_000_000, nfiles: 1234, durationSeconds: 60 };
    const { said, memory } = play([finished(failing(0, 'disk-full')), finished(slot(1, 'success', { stats }))], all);
    expect(said).toEqual([['failure'], ['fixed']]);
    const body = play([finished(failing(0, 'disk-full')), finished(slot(1, 'success', { stats }))], all);
    expect(body.memory).toEqual(memory);
    const r = notificationsFor(
      { profiles: { offsite: { trouble: { kind: 'disk-full', since: now.toISOString(), toldAt: now.toISOString() } } } },
      finished(slot(1, 'success', { stats })),
      all,
    );
    expect(r.notify.map((n) => n.body)).toEqual(['Backups to backup-disk work again. Backed up 1,234 files, 2.1 GB (12 MB new).']);
  });

  it('starts a new trouble after a fix: the same kind speaks again', () => {
    const { said } = play([
      finished(failing(0, 'connection-lost')),
      finished(slot(1, 'warning')),
      finished(failing(2, 'connection-lost')),
      finished(failing(3, 'connection-lost')),
    ]);
    expect(said).toEqual([['failure'], ['fixed'], ['failure'], []]);
  });

  it('answers every run the user asked for, even with the same trouble', () => {
    const { said } = play([
      finished(failing(0, 'passphrase-wrong')),
      finished(failing(1, 'passphrase-wrong', 'manual')),
      finished(failing(2, 'passphrase-wrong')),
    ]);
    expect(said).toEqual([['failure'], ['failure'], []]);
  });

  it('tells a run that waited behind another process and ended after a later-started run', () => {
    // Queued at minute 2 behind the daemon's run; a CLI run that started at minute 3 was told first.
    const { said } = play([finished(failing(0, 'disk-full')), finished(failing(3, 'repo-missing')), finished(slot(2, 'success'))]);
    expect(said).toEqual([['failure'], ['failure'], ['fixed']]);
  });

  it('forgets all but the last few runs, and never tells one older than all of them', () => {
    const { memory, said } = play(Array.from({ length: 12 }, (_, i) => finished(slot(i, 'skipped'))));
    expect(said.flat()).toEqual([]);
    expect(memory.profiles.offsite!.runs).toHaveLength(8);
    expect(notificationsFor(memory, finished(failing(1, 'disk-full')), defaults).notify).toEqual([]);
    expect(notificationsFor(memory, finished(failing(12, 'disk-full')), defaults).notify).toHaveLength(1);
  });

  it('tells a run once, however often and in whatever order it is seen', () => {
    const r = failing(3, 'passphrase-wrong');
    const { said } = play([finished(r), finished(r), finished(failing(1, 'repo-missing')), finished({ ...r })]);
    expect(said).toEqual([['failure'], [], [], []]);
  });

  it('does not end a trouble with a cancelled or skipped run', () => {
    for (const between of ['cancelled', 'skipped'] as const) {
      const { said } = play([finished(failing(0, 'connection-lost')), finished(slot(1, between)), finished(failing(2, 'connection-lost'))]);
      expect(said).toEqual([['failure'], [], []]);
    }
  });

  it('keeps the troubles of each profile apart', () => {
    const other = { ...failing(1, 'connection-lost'), profile: 'disk' };
    const { said } = play([finished(failing(0, 'connection-lost')), finished(other)]);
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

  it('always tells a backup that saved almost nothing, never as "backed up" nor as a fix, and once while it lasts', () => {
    const r = record('warning', { diagnoses: [diagnosis('hollow-backup', 'Nothing was backed up.')] });
    for (const prefs of [defaults, { ...all, warnings: false }]) {
      expect(notificationsFor(EMPTY_MEMORY, finished(r), prefs).notify).toEqual([
        { profile: 'offsite', kind: 'warning', title: 'Off-site', body: 'Nothing was backed up. Fix of hollow-backup.' },
      ]);
    }
    const hollow = (m: number) => slot(m, 'warning', { diagnoses: [diagnosis('hollow-backup')] });
    const { said } = play([finished(failing(0, 'disk-full')), finished(hollow(1)), finished(hollow(2)), finished(slot(3, 'success'))]);
    expect(said).toEqual([['failure'], ['warning'], [], ['fixed']]);
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
      expect(out).toEqual({ notify: [], memory: { profiles: { offsite: { runs: [at(-1).toISOString()] } } } });
    }
  });

  it('tells a run stopped from outside as the failure it is', () => {
    expect(play([finished(failure('killed'))], none).said).toEqual([['failure']]);
  });

  it('tells an interrupted run once, in local time, and says nothing while a new run is already under way', () => {
    const r = record('interrupted', {
      startedAt: '2026-11-27T13:52:24.621Z',
      diagnoses: [diagnosis('interrupted', 'The backup to /r started at 2026-11-27T13:52:24.621Z never finished.')],
    });
    const running = notificationsFor(EMPTY_MEMORY, finished(r, now, true), defaults);
    expect(running.notify).toEqual([]);
    // Seen again once that run is over: still the same run, still not news.
    expect(notificationsFor(running.memory, finished(r, at(1), false), defaults).notify).toEqual([]);
    const idle = notificationsFor(EMPTY_MEMORY, finished(r, now, false), none);
    expect(idle.notify).toHaveLength(1);
    expect(idle.notify[0]!.kind).toBe('interrupted');
    expect(idle.notify[0]!.body).toContain('started today at 13:52 did not finish');
    // On the clock the menu uses: a 12-hour locale reads it as such.
    const us = notificationsFor(
      EMPTY_MEMORY,
      { ...(finished(r, now, false) as Extract<NotifyEvent, { type: 'run-finished' }>), locale: 'en-US' },
      none,
    );
    expect(us.notify[0]!.body).toContain('started today at 1:52 PM did not finish');
    expect(idle.notify[0]!.body).not.toMatch(/\d{4}-\d\d-\d\dT/);
    // Neither a trouble nor a fix.
    expect(idle.memory.profiles.offsite!.trouble).toBeUndefined();
    const during = play([finished(failing(-30, 'disk-full')), finished(r, now, false)]);
    expect(during.memory.profiles.offsite!.trouble!.kind).toBe('disk-full');
  });

  it('leaves the memory it was given untouched, and keeps only the run it considered for a cleared profile', () => {
    const trouble = { kind: 'connection-lost' as const, since: at(-2).toISOString(), toldAt: at(-2).toISOString() };
    const before: NotifyMemory = { profiles: { offsite: { trouble }, disk: { waiting: true } } };
    const copy = structuredClone(before);
    const out = notificationsFor(before, finished(record('success')), defaults);
    expect(before).toEqual(copy);
    expect(out.memory).toEqual({ profiles: { offsite: { runs: [at(-1).toISOString()] }, disk: { waiting: true } } });
  });

  it('keeps the rest of what it knew about the profile when a failure is told', () => {
    const before: NotifyMemory = { profiles: { offsite: { overdueAt: at(-3).toISOString() } } };
    const out = notificationsFor(before, finished(failure('disk-full')), defaults);
    expect(out.memory.profiles.offsite).toMatchObject({ overdueAt: at(-3).toISOString(), trouble: { kind: 'disk-full' } });
    const cleared = notificationsFor(out.memory, finished(slot(1, 'success')), defaults);
    expect(cleared.memory).toEqual({
      profiles: { offsite: { overdueAt: at(-3).toISOString(), runs: [at(-1).toISOString(), slot(1, 'success').startedAt] } },
    });
  });
});

describe('the words', () => {
  // Every kind there is: the compiler refuses this object when a kind is added and not listed.
  const KINDS: Record<ErrorKind, true> = {
    'keyring-unavailable': true,
    'config-invalid': true,
    'unknown-profile': true,
    'invalid-request': true,
    busy: true,
    interrupted: true,
    killed: true,
    'passcommand-failed': true,
    'passphrase-wrong': true,
    'passphrase-missing': true,
    'repo-missing': true,
    'repo-invalid': true,
    'repo-exists': true,
    'lock-timeout': true,
    'lock-failed': true,
    'ssh-host-unknown': true,
    'ssh-host-changed': true,
    'ssh-permission-denied': true,
    'ssh-key-too-open': true,
    'connection-lost': true,
    'source-permission': true,
    'source-missing': true,
    'borg-missing': true,
    'borg-too-old': true,
    'borg-broken': true,
    'disk-not-mounted': true,
    'disk-removed': true,
    'disk-full': true,
    'repo-folder-missing': true,
    'source-broken-link': true,
    'no-sources': true,
    'repo-placement': true,
    'no-archive': true,
    'hollow-backup': true,
    'prune-failed': true,
    'compact-failed': true,
    cancelled: true,
    'archive-missing': true,
    'path-missing': true,
    'repo-damaged': true,
    'archives-damaged': true,
    'data-damaged': true,
    'restore-mismatch': true,
    'restore-path-missing': true,
    'restore-target-unwritable': true,
    'restore-target-full': true,
    'restore-refused': true,
    unknown: true,
  };
  const COMMAND = /`|\bdandelion [a-z]/;

  it('names menu items, never a command, in any notification a diagnosis can give', () => {
    const bodies: string[] = [];
    for (const platform of ['darwin', 'linux'] as const) {
      for (const kind of Object.keys(KINDS) as ErrorKind[]) {
        for (const detail of [undefined, 'Remote: ssh: connect to host h port 22: Connection refused', 'Load key "/k": bad permissions']) {
          const d = diagnosisFor(kind, { repository: 'ssh://u@h:23/./r', platform, passphraseSupplied: true, profile: 'offsite' }, detail);
          const r = record(kind === 'hollow-backup' || kind === 'prune-failed' ? 'warning' : 'error', { diagnoses: [d] });
          for (const n of notificationsFor(EMPTY_MEMORY, finished(r), all).notify) bodies.push(n.body);
        }
      }
      const unknown = record('error', { diagnoses: [diagnosisOf(new Error('boom'))] });
      bodies.push(...notificationsFor(EMPTY_MEMORY, finished(unknown), all).notify.map((n) => n.body));
    }
    expect(bodies.length).toBeGreaterThan(70);
    expect(bodies.filter((b) => COMMAND.test(b))).toEqual([]);
    // The passphrase fix names the menu item instead of `dandelion passphrase set offsite`.
    const wrong = diagnosisFor('passphrase-wrong', { repository: '/r', platform: 'darwin', passphraseSupplied: true, profile: 'offsite' });
    expect(COMMAND.test(wrong.fix)).toBe(true);
    expect(notificationsFor(EMPTY_MEMORY, finished(record('error', { diagnoses: [wrong] })), all).notify[0]!.body).toContain(
      'Choose Settings… in the Dandelion menu and save the passphrase',
    );
  });

  it('sends a profile with a passcommand to its passcommand, not to a passphrase it would never use', () => {
    const fix = appFix({
      kind: 'passphrase-wrong',
      fix: 'The passcommand `pass show borg` gave a wrong passphrase: fix it in config.json.',
    });
    expect(fix).toMatch(/^Fix this profile's passcommand/);
    expect(fix).not.toMatch(/`|save the passphrase/);
  });

  it('keeps a fix that names no command as the engine wrote it', () => {
    expect(appFix({ kind: 'disk-not-mounted', fix: 'Connect the disk.' })).toBe('Connect the disk.');
    expect(appFix({ kind: 'passphrase-wrong', fix: 'Save it with `dandelion passphrase set x`.' }, { settings: 'Preferences…' })).toBe(
      'Choose Preferences… in the Dandelion menu and save the passphrase chosen when this repository was created.',
    );
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

  it('does not tell overdue while a trouble already told explains it, and tells it once the trouble is over', () => {
    const failingNow = play([finished(failing(-60 * 24, 'passphrase-wrong'), at(-24)), seen([profile({ overdue: true })])]);
    expect(failingNow.said).toEqual([['failure'], []]);
    const fixed = play([finished(slot(1, 'success')), seen([profile({ overdue: true })], at(1))], defaults, failingNow.memory);
    expect(fixed.said).toEqual([['fixed'], ['overdue']]);
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
        body: 'Overdue, waiting for backup-disk: the last backup was 3 days ago. Connect backup-disk to back up.',
      },
    ]);
    expect(out.memory).toEqual({ profiles: { offsite: { overdueAt: now.toISOString(), waiting: true } } });
    expect(play([seen([waiting]), seen([waiting], at(1))]).said).toEqual([['overdue'], []]);
  });

  it('says an overdue backup held back on battery is waiting for power, in the same words as the menu', () => {
    const held = profile({ overdue: true, waitingFor: 'power' });
    const out = notificationsFor(EMPTY_MEMORY, seen([held]), defaults);
    expect(out.notify.map((n) => n.body)).toEqual([
      'Overdue, waiting for power: the last backup was 3 days ago. It starts when the computer is plugged in.',
    ]);
  });

  it('still tells an overdue wait when only overdue notices are on', () => {
    const waiting = profile({ overdue: true, state: 'waiting-for-volume', triggers: { schedule: '0 12 * * *', volume: 'backup-disk' } });
    expect(play([seen([waiting])], { success: false, warnings: false, overdue: true }).said).toEqual([['overdue']]);
  });

  it('keeps what a run taught about a profile, and forgets profiles that are gone', () => {
    const lost = { kind: 'connection-lost' as const, since: at(-3).toISOString(), toldAt: at(-3).toISOString() };
    const before: NotifyMemory = {
      profiles: { offsite: { trouble: lost }, gone: { trouble: { ...lost, kind: 'disk-full' }, overdueAt: at(-2).toISOString() } },
    };
    const out = notificationsFor(before, seen([profile()]), defaults);
    expect(out).toEqual({ notify: [], memory: { profiles: { offsite: { trouble: lost } } } });
    expect(notificationsFor(before, seen([]), defaults).memory).toEqual(EMPTY_MEMORY);
  });

  it('keeps a memory that survives JSON', () => {
    const waiting = profile({ overdue: true, state: 'waiting-for-volume' });
    const { memory } = play([finished(failing(0, 'connection-lost')), seen([waiting])]);
    expect(JSON.parse(JSON.stringify(memory))).toEqual(memory);
    expect(memoryFromJson(JSON.parse(JSON.stringify(memory)))).toEqual(memory);
    // A relaunch reads it back: the same trouble and the same run are not told again.
    const again = play(
      [seen([waiting], at(1)), finished(failing(0, 'connection-lost')), finished(failing(2, 'connection-lost'))],
      defaults,
      memoryFromJson(JSON.parse(JSON.stringify(memory))),
    );
    expect(again.said).toEqual([[], [], []]);
  });

  it('reads back a damaged memory as what it can, never failing', () => {
    expect(memoryFromJson(null)).toEqual(EMPTY_MEMORY);
    expect(memoryFromJson({ profiles: [] })).toEqual(EMPTY_MEMORY);
    expect(
      memoryFromJson({ profiles: { a: { trouble: { kind: 'disk-full', since: 'x', toldAt: 'y' }, runs: [5], waiting: true }, b: 'no' } }),
    ).toEqual({ profiles: { a: { waiting: true } } });
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
