import { describe, expect, it } from 'vitest';
import { archiveGlob } from '../../src/borg/argv.js';
import { globsOverlap, parseConfig } from '../../src/profiles/schema.js';
import {
  buildConfig,
  copyName,
  draftFromJson,
  duplicateDraft,
  generalFromJson,
  newDraft,
  renameDraft,
  slugify,
  uniqueId,
} from '../../renderer/preferences/draft.js';
import { scheduleFromCron } from '../../renderer/preferences/schedule.js';

const seed = {
  version: 1,
  volumesRoot: '/Volumes',
  app: { notifications: 'failures', openAtLogin: true },
  profiles: [
    {
      id: 'offsite',
      name: 'Storage box',
      repository: 'ssh://u123@u123.your-storagebox.de:23/./backup/mbp2015',
      sshKey: '~/.ssh/storagebox_key',
      encryption: 'repokey-blake2',
      sources: ['~/Documents', '~/Pictures'],
      excludes: ['*/node_modules', '*/.Trash'],
      archiveName: '{hostname}-daily-{now}',
      compression: 'auto,lzma,6',
      prune: { keepDaily: 7, keepWeekly: 5, keepMonthly: 6 },
      schedule: '00 12 * * *',
      volume: null,
      minIntervalHours: 24,
      passcommand: null,
      oneFileSystem: true,
    },
    { id: 'disk', repository: '/Volumes/backup-disk/mbp', sources: ['~'] },
  ],
};

const general = () => generalFromJson(seed);
const drafts = () => seed.profiles.map((p) => draftFromJson(p));

describe('preferences: drafts and config.json', () => {
  it('writes back exactly what it read when nothing was changed', () => {
    const { config, errors } = buildConfig(seed, drafts(), general());
    expect(errors).toEqual([]);
    expect(config).toEqual(seed);
    expect(JSON.stringify(config)).toBe(JSON.stringify(seed));
  });

  it('keeps fields the window does not edit (passcommand, oneFileSystem, unknown app settings)', () => {
    const [a] = drafts();
    a!.sources = ['~/Documents'];
    const { config } = buildConfig(seed, [a!], general());
    expect(config.profiles).toEqual([{ ...seed.profiles[0], sources: ['~/Documents'] }]);
    expect(config.app).toEqual(seed.app);
  });

  it('reads the fields the controls show', () => {
    const [a, b] = drafts();
    expect(a).toMatchObject({
      repoKind: 'ssh',
      ssh: { user: 'u123', host: 'u123.your-storagebox.de', port: '23', path: 'backup/mbp2015' },
      keep: { preset: 'standard' },
      schedule: { kind: 'daily', time: '12:00' },
      minIntervalHours: '24',
    });
    expect(b).toMatchObject({ repoKind: 'local', localPath: '/Volumes/backup-disk/mbp', excludeCaches: true, keep: { preset: 'custom' } });
  });

  it('a changed SSH field rebuilds the URL; a changed schedule writes a new cron line', () => {
    const [a] = drafts();
    a!.ssh.port = '2222';
    a!.schedule = scheduleFromCron('30 8 * * *');
    const p = buildConfig(seed, [a!], general()).config.profiles as Record<string, unknown>[];
    expect(p[0]!.repository).toBe('ssh://u123@u123.your-storagebox.de:2222/./backup/mbp2015');
    expect(p[0]!.schedule).toBe('30 8 * * *');
  });

  it('an SSH port of 70000 and a custom keep that is not a number are the window’s own errors', () => {
    const [a] = drafts();
    a!.ssh.port = '70000';
    a!.keep = { preset: 'custom', custom: { ...a!.keep.custom, keepDaily: 'seven' } };
    a!.minIntervalHours = '-1';
    expect(buildConfig(seed, [a!], general()).errors.map((e) => e.path)).toEqual([
      'profiles[0].repository.port',
      'profiles[0].prune.keepDaily',
      'profiles[0].minIntervalHours',
    ]);
  });

  it('manual only removes the schedule; a cleared optional field is written as null when the file had it', () => {
    const [a] = drafts();
    a!.schedule = scheduleFromCron(null);
    a!.sshKey = '';
    const p = (buildConfig(seed, [a!], general()).config.profiles as Record<string, unknown>[])[0]!;
    expect(p.schedule).toBeNull();
    expect(p.sshKey).toBeNull();
  });

  it('notification switches are written as an object once changed', () => {
    const g = general();
    expect(g.notifications).toEqual({ success: false, warnings: true, overdue: true });
    g.notifications.success = true;
    const { config } = buildConfig(seed, drafts(), g);
    expect(config.app).toEqual({ notifications: { success: true, warnings: true, overdue: true }, openAtLogin: true });
    expect(parseConfig(config).ok).toBe(true);
  });

  it('a new profile is valid once it has a repository and a folder', () => {
    const d = newDraft(new Set(['offsite']), 'Backup disk');
    expect(d.id).toBe('backup-disk');
    d.localPath = '/Volumes/backup-disk/Dandelion';
    d.sources = ['/Users/me'];
    const { config, errors } = buildConfig({}, [d], generalFromJson({}));
    expect(errors).toEqual([]);
    const parsed = parseConfig(config);
    expect(parsed.ok).toBe(true);
    if (parsed.ok)
      expect(parsed.config.profiles[0]).toMatchObject({
        id: 'backup-disk',
        encryption: 'repokey-blake2',
        schedule: '0 * * * *',
        prune: { keepHourly: 24, keepDaily: 30, keepWeekly: 520 },
        archiveName: '{hostname}-backup-disk_{now}',
      });
  });

  it('an empty draft is refused by the engine with a field error per missing part', () => {
    const d = newDraft(new Set(), 'X');
    const parsed = parseConfig(buildConfig({}, [d], generalFromJson({})).config);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.errors.map((e) => e.path).sort()).toEqual(['profiles[0].repository', 'profiles[0].sources']);
  });
});

describe('preferences: duplicate and naming', () => {
  it('ids from names', () => {
    expect(slugify('Backup disk')).toBe('backup-disk');
    expect(slugify('  Über Öffsite!! ')).toBe('uber-offsite');
    expect(slugify('★')).toBe('backup');
    expect(uniqueId('disk', new Set(['disk', 'disk-2']))).toBe('disk-3');
    expect(copyName('Disk', new Set(['Disk', 'Disk copy']))).toBe('Disk copy 2');
    expect(copyName('Disk copy', new Set(['Disk', 'Disk copy']))).toBe('Disk copy 2');
  });

  it('the copy gets its own id, name and archive names, and the engine accepts both on one repository', () => {
    const all = drafts();
    const copy = duplicateDraft(all[0]!, all);
    expect(copy).toMatchObject({
      id: 'storage-box-copy',
      name: 'Storage box copy',
      saved: false,
      archiveName: '{hostname}-storage-box-copy_{now}',
    });
    expect(copy.repositoryRead).toBe(all[0]!.repositoryRead);
    expect(globsOverlap(archiveGlob(copy.archiveName), archiveGlob(all[0]!.archiveName))).toBe(false);
    const { config } = buildConfig(seed, [...all, copy], general());
    expect(parseConfig(config)).toMatchObject({ ok: true });
    // And a copy of the copy too.
    const again = duplicateDraft(copy, [...all, copy]);
    expect(again.id).toBe('storage-box-copy-2');
    expect(globsOverlap(archiveGlob(copy.archiveName), archiveGlob(again.archiveName))).toBe(false);
    expect(parseConfig(buildConfig(seed, [...all, copy, again], general()).config)).toMatchObject({ ok: true });
  });

  it('without its own archive name the copy would be refused (the check the copy avoids)', () => {
    const all = drafts();
    const copy = { ...duplicateDraft(all[0]!, all), archiveName: all[0]!.archiveName };
    const parsed = parseConfig(buildConfig(seed, [...all, copy], general()).config);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.errors[0]!.path).toBe('profiles[2].archiveName');
  });

  it('a new profile’s id and archive names follow its name until it is saved', () => {
    const all = drafts();
    const d = newDraft(new Set(all.map((x) => x.id)));
    const renamed = renameDraft(d, 'Offsite', all);
    expect(renamed).toMatchObject({ id: 'offsite-2', archiveName: '{hostname}-offsite-2_{now}' });
    expect(renameDraft(all[0]!, 'Other', all)).toMatchObject({ id: 'offsite', name: 'Other' });
    // A saved id that is no id at all (a hand-edited file) can be repaired by renaming.
    expect(renameDraft({ ...all[0]!, id: 'Bad Id' }, 'Good one', all)).toMatchObject({ id: 'good-one' });
  });
});
