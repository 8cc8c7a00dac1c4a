import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ImportContext } from '../../src/import/context.js';
import type { ImportedProfile, ReportItem } from '../../src/import/model.js';
import { readVorta, vortaSchedule, vortaSlug } from '../../src/import/vorta.js';
import { parseConfig } from '../../src/profiles/schema.js';
import { cronError } from '../../src/schedule/cron.js';

const DIR = path.resolve(import.meta.dirname, '../fixtures/import/vorta');
const fixture = (name: string) => readFileSync(path.join(DIR, name), 'utf8');

const ctx = (existing: string[] = []): ImportContext => ({
  home: '/Users/ann',
  uid: 501,
  keychain: 'the Keychain',
  hostname: 'Anns-MacBook-Pro.local',
  user: 'ann',
  exists: (f) => existing.includes(f),
  readFile: () => null,
});

function validate(profiles: ImportedProfile[]) {
  const stripped = profiles.map(({ monitor: _monitor, ...p }) => p);
  const r = parseConfig({ profiles: stripped });
  if (!r.ok) throw new Error(`schema refused the imported profiles: ${JSON.stringify(r.errors)}`);
  return r.config.profiles;
}

function expectItem(report: ReportItem[], kind: ReportItem['kind'], words: string | RegExp, line: number | null) {
  const hits = report.filter((i) => i.kind === kind && (typeof words === 'string' ? i.message.includes(words) : words.test(i.message)));
  expect(hits, `${kind} "${String(words)}" in\n${report.map((i) => `${i.kind} L${i.at?.line} ${i.message}`).join('\n')}`).toHaveLength(1);
  expect(hits[0]!.at?.line ?? null).toBe(line);
}

describe('readVorta: an export with its passphrase (BorgBase, fixed daily time)', () => {
  const r = readVorta(fixture('borgbase-with-password.json'), 'vorta-default.json', ctx(['/Users/ann/.ssh/id_ed25519']));

  it('makes the profile: key from ~/.ssh, Vorta placeholders filled in, prune, daily schedule and checks', () => {
    expect(r.format).toBe('vorta');
    expect(r.profiles).toEqual([
      {
        id: 'default',
        name: 'Default',
        repository: 'x7k2p9qa@x7k2p9qa.repo.borgbase.com:repo',
        encryption: 'repokey-blake2',
        sshKey: '~/.ssh/id_ed25519',
        sources: ['/Users/ann/Documents', '/Users/ann/Pictures', '/Users/ann/Library/Application Support/Anki2'],
        excludes: ['*/.cache', '~/Library/Caches', '*/node_modules', '/Users/ann/Downloads/*.dmg'],
        archiveName: '{hostname}-default-{now:%Y-%m-%dT%H:%M:%S}',
        compression: 'zstd,8',
        oneFileSystem: false,
        excludeCaches: true,
        prune: { keepHourly: 2, keepDaily: 7, keepWeekly: 4, keepMonthly: 6, keepYearly: 2, keepWithin: '10H' },
        schedule: '30 14 * * *',
        check: { everyDays: 21, verifyData: false },
      },
    ]);
    expect(validate(r.profiles)[0]!.schedule).toBe('30 14 * * *');
  });

  it('puts the password in secrets only, and asks to delete the export file', () => {
    expect(r.secrets).toEqual([{ profile: 'default', passphrase: 'Tr0ub4dor&3-horse', at: { file: 'vorta-default.json', line: 42 } }]);
    expect(JSON.stringify([r.profiles, r.report, r.oldJobs])).not.toContain('Tr0ub4dor');
    expectItem(r.report, 'todo', /holds the repository passphrase in plain text \(line 42\).*Delete the export file/, 42);
  });

  it('reports what Dandelion cannot do, each at its line', () => {
    expectItem(r.report, 'dropped', 'Pre-backup command "/Users/ann/bin/stop-vms.sh" was left out', 39);
    expectItem(r.report, 'dropped', 'Exclude if present ".nobackup" was left out', 19);
    expectItem(r.report, 'carried', 'Exclude if present CACHEDIR.TAG → "exclude caches"', 19);
    expectItem(r.report, 'dropped', 'metered networks', 41);
    expectItem(r.report, 'dropped', `Wi-Fi network "Ann's iPhone"`, 70);
    expectItem(r.report, 'dropped', 'Extra borg arguments "--remote-ratelimit 2000" were left out', 14);
    expectItem(r.report, 'carried', /Archive name .* prune goes on acting on the archives Vorta made \("\{hostname\}-default-\*"\)/, 37);
    expectItem(r.report, 'note', 'Older Vorta versions wrote the full name "Anns-MacBook-Pro.local"', 37);
  });

  it('names Vorta as the old job that would back up twice', () => {
    expect(r.oldJobs).toEqual([
      {
        kind: 'vorta',
        name: 'Vorta profile "Default"',
        at: { file: 'vorta-default.json', line: 20 },
        howToStop: expect.stringContaining('choose "Manual"') as string,
      },
    ]);
    expectItem(
      r.report,
      'todo',
      /Vorta would go on backing up "Default" daily at 14:30.*set this profile's schedule to Manual, or quit Vorta/,
      20,
    );
  });
});

describe('readVorta: a local disk, an interval schedule, no password', () => {
  const r = readVorta(fixture('usb-disk-interval.json'), 'usb.json', ctx());

  it("makes the profile with Vorta's utc_now as borg's utcnow, no prune, no checks", () => {
    expect(r.profiles).toEqual([
      {
        id: 'usb-disk-photos',
        name: 'USB Disk (Photos)',
        repository: '/Volumes/Photo Backup/vorta-repo',
        encryption: 'repokey',
        sources: ['/Users/ann/Pictures'],
        excludes: ['*.tmp'],
        archiveName: 'photos-{utcnow:%Y-%m-%d_%H%M}',
        compression: 'lz4',
        oneFileSystem: false,
        excludeCaches: false,
        prune: null,
        schedule: '0 */4 * * *',
        check: { everyDays: 0, verifyData: false },
      },
    ]);
    expect(validate(r.profiles)).toHaveLength(1);
    expect(r.secrets).toEqual([]);
  });

  it('says where the schedule differs, that the passphrase must be entered, and drops an exclude that empties the source', () => {
    expectItem(r.report, 'note', 'Vorta backed up every 5 hours; Dandelion backs up every 4 hours', 20);
    expectItem(r.report, 'todo', 'The export holds no passphrase', 5);
    expectItem(r.report, 'dropped', 'Exclude "/Users/ann/Pictures" was left out: it leaves out all of /Users/ann/Pictures', 18);
    expectItem(r.report, 'note', 'Vorta did not catch up missed backups', 25);
    expectItem(r.report, 'carried', 'Vorta did not prune this profile; Dandelion will not either', 28);
  });
});

describe('readVorta: pitfalls', () => {
  it('reports JSON that does not parse at its line', () => {
    const r = readVorta('{\n  "name": "x",\n  "repo": {"url": "/r",}\n', 'bad.json', ctx());
    expect(r.profiles).toEqual([]);
    expect(r.report.map((i) => [i.kind, i.at?.line])).toEqual([['dropped', 3]]);
  });

  it('imports nothing from a profile without a repository, and says so', () => {
    const r = readVorta(JSON.stringify({ name: 'Empty', repo: null, SourceFileModel: [{ dir: '/Users/ann' }] }, null, 4), 'e.json', ctx());
    expect(r.profiles).toEqual([]);
    expect(r.oldJobs).toEqual([]);
    expect(r.report[0]!.message).toContain('has no repository');
  });

  it('makes one profile per repository of a newer multi-repository export, each with its own password', () => {
    const r = readVorta(
      JSON.stringify(
        {
          id: 2,
          name: 'Laptop',
          BackupProfileMixin: [
            { repo: { url: '/Volumes/Disk A/repo', encryption: 'repokey', password: 'pw-a' } },
            { repo: { url: 'ssh://u@nas.local:2222/./repo', encryption: 'repokey', password: 'pw-b' } },
          ],
          SourceFileModel: [{ dir: '/Users/ann/Documents' }],
          schedule_mode: 'interval',
          schedule_interval_unit: 'days',
          schedule_interval_count: 1,
          new_archive_name: '{hostname}-{profile_id}-{now}',
        },
        null,
        2,
      ),
      'multi.json',
      ctx(),
    );
    expect(r.profiles.map((p) => [p.id, p.repository, p.archiveName, p.schedule])).toEqual([
      ['laptop-disk-a', '/Volumes/Disk A/repo', '{hostname}-2-{now}', '0 0 * * *'],
      ['laptop-nas', 'ssh://u@nas.local:2222/./repo', '{hostname}-2-{now}', '0 0 * * *'],
    ]);
    expect(r.secrets.map((s) => [s.profile, s.passphrase, s.at.line])).toEqual([
      ['laptop-disk-a', 'pw-a', 9],
      ['laptop-nas', 'pw-b', 16],
    ]);
    expect(validate(r.profiles)).toHaveLength(2);
  });
});

describe("vortaSchedule: Vorta's schedule as cron", () => {
  it.each([
    [{ schedule_mode: 'off' }, null, null],
    [{ schedule_mode: 'fixed', schedule_fixed_hour: 3, schedule_fixed_minute: 42 }, '42 3 * * *', null],
    [{ schedule_mode: 'interval', schedule_interval_unit: 'minutes', schedule_interval_count: 15 }, '*/15 * * * *', null],
    [{ schedule_mode: 'interval', schedule_interval_unit: 'minutes', schedule_interval_count: 45 }, '*/30 * * * *', 'every 30 minutes'],
    [{ schedule_mode: 'interval', schedule_interval_unit: 'minutes', schedule_interval_count: 120 }, '0 */2 * * *', null],
    [{ schedule_mode: 'interval', schedule_interval_unit: 'hours', schedule_interval_count: 1 }, '0 * * * *', null],
    [{ schedule_mode: 'interval', schedule_interval_unit: 'hours', schedule_interval_count: 3 }, '0 */3 * * *', null],
    [{ schedule_mode: 'interval', schedule_interval_unit: 'hours', schedule_interval_count: 7 }, '0 */6 * * *', 'every 6 hours'],
    [
      { schedule_mode: 'interval', schedule_interval_unit: 'hours', schedule_interval_count: 48 },
      '0 0 */2 * *',
      'every 2 days counted from the 1st',
    ],
    [{ schedule_mode: 'interval', schedule_interval_unit: 'days', schedule_interval_count: 1 }, '0 0 * * *', null],
    [{ schedule_mode: 'interval', schedule_interval_unit: 'days', schedule_interval_count: 7 }, '0 0 * * 1', null],
    [{ schedule_mode: 'interval', schedule_interval_unit: 'weeks', schedule_interval_count: 2 }, '0 0 * * 1', 'more often'],
  ])('%j → %s', (fields, cron, differs) => {
    const s = vortaSchedule(fields);
    expect(s.schedule).toBe(cron);
    if (cron !== null) expect(cronError(cron)).toBeNull();
    if (differs === null) expect(s.differs).toBeNull();
    else expect(s.differs).toContain(differs);
  });
});

describe('vortaSlug', () => {
  it('is Django slugify, as Vorta fills {profile_slug}', () => {
    expect(vortaSlug('USB Disk (Photos)')).toBe('usb-disk-photos');
    expect(vortaSlug('  Ünïcode -- Name ')).toBe('unicode-name');
    expect(vortaSlug('a_b')).toBe('a_b');
  });
});
