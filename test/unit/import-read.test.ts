import { describe, expect, it } from 'vitest';
import { detectKind, mergeImports, readImport, sortReport } from '../../src/import/read.js';
import { emptyImport, type ImportResult, type ReportItem } from '../../src/import/model.js';
import { parseConfig } from '../../src/profiles/schema.js';
import { readBorgmatic } from '../../src/import/borgmatic.js';
import { readVorta } from '../../src/import/vorta.js';
import { fakeContext, fixture } from '../helpers/import-ctx.js';

const PLIST = '/Users/me/Library/LaunchAgents/com.me.borg-backup.plist';
const SCRIPT = '/Users/me/bin/borg-backup.sh';

function expectValid(r: ImportResult): void {
  const parsed = parseConfig({ profiles: r.profiles });
  expect(parsed.ok ? [] : parsed.errors).toEqual([]);
}

describe('detectKind', () => {
  it('tells each kind of file by its content, not its name', () => {
    expect(detectKind(fixture(PLIST))).toBe('launchd');
    expect(detectKind(fixture('/import/borg-direct.plist'))).toBe('launchd');
    expect(detectKind(fixture('/import/crontab.txt'))).toBe('cron');
    expect(detectKind(fixture('/import/seed.sh'))).toBe('shell');
    expect(detectKind('export BORG_REPO=/r\nborg create ::a-{now} /x\n')).toBe('shell');
    expect(detectKind('0 3 * * * /Users/me/bin/borg-backup.sh\n')).toBe('cron');
    expect(detectKind('location:\n    source_directories:\n        - /home\n    repositories:\n        - /mnt/r\n')).toBe('borgmatic');
    expect(detectKind('source_directories:\n    - /home\nrepositories:\n    - path: /mnt/r\nkeep_daily: 7\n')).toBe('borgmatic');
    expect(detectKind('{"profiles": [{"name": "Default"}]}')).toBe('vorta');
  });
});

describe('readImport', () => {
  it('gives a plist and the script it runs one profile with the schedule, reading the script once', () => {
    const ctx = fakeContext();
    // The script first: the plist must still be the one that reads it (with its schedule).
    const r = readImport([SCRIPT, PLIST], ctx);
    expect(ctx.reads.filter((f) => f === SCRIPT)).toHaveLength(2); // the file list read, and the plist's own read
    // The job also ran when a disk appeared, but the repository is a server: the schedule alone carries on.
    expect(r.profiles.map((p) => [p.id, p.schedule, p.volume])).toEqual([['u123456-your-storagebox-de', '30 9,18 * * *', undefined]]);
    expect(r.secrets).toHaveLength(1);
    expect(r.oldJobs.map((j) => j.name)).toEqual(['com.me.borg-backup']);
    expect(r.files).toEqual([PLIST, SCRIPT]);
    expectValid(r);
  });

  it('makes profile ids unique across files, and keeps secrets and report with their profile', () => {
    const r = readImport(['/import/borg-direct.plist', '/import/two-repos.sh'], fakeContext());
    expect(r.profiles.map((p) => [p.id, p.repository])).toEqual([
      ['backup-disk', '/Volumes/backup-disk/borg'],
      ['backup-disk-2', '/Volumes/backup-disk/borg/mbp'],
      ['zh1234-rsync-net', 'ssh://zh1234@zh1234.rsync.net:2222/./borg/mbp'],
    ]);
    expect(r.secrets.map((s) => s.profile)).toEqual(['backup-disk']);
    expect(r.report.filter((i) => i.profile === 'backup-disk-2').map((i) => i.at?.file)).toEqual(
      expect.arrayContaining(['/import/two-repos.sh']),
    );
    expect(r.report.some((i) => i.profile === 'backup-disk' && i.at?.file === '/import/two-repos.sh')).toBe(false);
    expectValid(r);
  });

  it('imports the same backup once when two files run it, keeping the schedule it has', () => {
    const r = readImport([PLIST, '/import/crontab.txt'], fakeContext());
    expect(r.profiles.map((p) => [p.id, p.repository, p.schedule])).toEqual([
      ['u123456-your-storagebox-de', 'ssh://u123456@u123456.your-storagebox.de:23/./backup/mbp2015', '30 9,18 * * *'],
      ['backup-disk', '/Volumes/backup-disk/hourly', '0 * * * *'],
    ]);
    expect(r.oldJobs.map((j) => j.kind)).toEqual(['launchd', 'cron', 'cron']);
    expect(r.report).toContainEqual({
      kind: 'note',
      profile: 'u123456-your-storagebox-de',
      message:
        '/import/crontab.txt makes the same backup (same repository and archive name) as another file of this import; it is imported once.',
      at: { file: '/import/crontab.txt', line: null },
    });
    expectValid(r);
  });

  it('says what the schema would refuse of profiles from different files together', () => {
    const ctx = fakeContext();
    const base = ctx.readFile;
    ctx.readFile = (p) =>
      p === '/a.sh'
        ? 'borg create /Volumes/d/r::{hostname}-{now} ~/A\n'
        : p === '/b.sh'
          ? 'borg create /Volumes/d/r::{hostname}-docs-{now} ~/B\n'
          : base(p);
    const r = readImport(['/a.sh', '/b.sh'], ctx);
    expect(r.profiles.map((p) => p.id)).toEqual(['d', 'd-2']);
    expect(r.report.filter((i) => i.kind === 'todo')).toEqual([
      {
        kind: 'todo',
        profile: 'd-2',
        message:
          'Fix before saving: archiveName overlaps the archives of profile "d" on the same repository ("{hostname}-*" and "{hostname}-docs-*" both match "{hostname}-docs-"); give each profile its own archive name.',
        at: null,
      },
    ]);
  });

  it('sorts the report by file, line, and what matters most first', () => {
    const r = readImport(['/import/seed.sh'], fakeContext());
    const lines = r.report.map((i) => `${i.at?.line} ${i.kind}`);
    expect(lines).toEqual([
      '4 todo',
      '4 carried',
      '6 note',
      '6 carried',
      '6 carried',
      '6 carried',
      '6 carried',
      '6 carried',
      '7 note',
      '7 carried',
    ]);
  });

  it('says which files could not be read, and hands borgmatic and Vorta files to their readers', () => {
    const yaml = 'source_directories:\n  - /home\nrepositories:\n  - path: /r\n';
    const json = '{"profiles": [{"name": "Default", "repo_url": "/srv/vorta-repo"}]}';
    const files: Record<string, string> = { '/etc/borgmatic/config.yaml': yaml, '/Users/me/vorta.json': json };
    const ctx = fakeContext();
    ctx.readFile = (p) => files[p] ?? null;
    const r = readImport(['/nowhere/backup.sh', '/etc/borgmatic/config.yaml'], ctx);
    const borgmatic = readBorgmatic(yaml, '/etc/borgmatic/config.yaml', ctx);
    expect(r.report[0]).toEqual({
      kind: 'dropped',
      profile: null,
      message: '/nowhere/backup.sh could not be read.',
      at: { file: '/nowhere/backup.sh', line: null },
    });
    expect(r.profiles).toEqual(borgmatic.profiles);
    expect(r.report).toHaveLength(1 + borgmatic.report.length);
    const v = readImport(['/Users/me/vorta.json'], ctx);
    const vorta = readVorta(json, '/Users/me/vorta.json', ctx);
    expect(v.profiles).toEqual(vorta.profiles);
    expect(v.report).toHaveLength(vorta.report.length);
  });

  it('never puts a passphrase into a profile or the report', () => {
    const r = readImport([PLIST, '/import/borg-direct.plist', '/import/crontab.txt', '/import/seed.sh'], fakeContext());
    const shown = JSON.stringify([r.profiles, r.report, r.oldJobs]);
    for (const secret of r.secrets) expect(shown).not.toContain(secret.passphrase);
    expect(r.secrets.map((s) => s.passphrase).sort()).toEqual(['correct horse battery staple', 'cron-secret', 'hunter2 & more']);
  });
});

describe('mergeImports and sortReport', () => {
  const item = (file: string, line: number | null, kind: ReportItem['kind'], profile: string | null = null): ReportItem => ({
    kind,
    profile,
    message: `${file}:${line ?? '-'} ${kind}`,
    at: { file, line },
  });

  it('renames a taken id with a number and makes it lower-case with dashes', () => {
    const a = emptyImport('shell', 'a.sh');
    a.profiles.push({ id: 'disk', repository: '/r1', sources: ['/x'], archiveName: 'a-{now}' });
    const b = emptyImport('shell', 'b.sh');
    b.profiles.push({ id: 'Disk', repository: '/r2', sources: ['/x'], archiveName: 'b-{now}' });
    b.secrets.push({ profile: 'Disk', passphrase: 'p', at: { file: 'b.sh', line: 1 } });
    b.report.push(item('b.sh', 1, 'carried', 'Disk'));
    const m = mergeImports([a, b], ['a.sh', 'b.sh']);
    expect(m.profiles.map((p) => p.id)).toEqual(['disk', 'disk-2']);
    expect(m.secrets[0]!.profile).toBe('disk-2');
    expect(m.report[0]!.profile).toBe('disk-2');
  });

  it('orders by the files as given, then line, then todo, dropped, note, carried', () => {
    const sorted = sortReport(
      [
        item('b', 1, 'carried'),
        item('a', 2, 'note'),
        item('a', 2, 'todo'),
        item('c', 1, 'todo'),
        item('a', null, 'dropped'),
        item('a', 1, 'carried'),
      ],
      ['a', 'b'],
    );
    expect(sorted.map((i) => i.message)).toEqual(['a:- dropped', 'a:1 carried', 'a:2 todo', 'a:2 note', 'b:1 carried', 'c:1 todo']);
  });
});

describe('the words for where a passphrase goes', () => {
  it('are the machine’s: the Keychain on a Mac, the keyring elsewhere, in every reader', () => {
    for (const keychain of ['the Keychain', 'the keyring']) {
      const ctx = { ...fakeContext(), keychain };
      const r = readImport(['/import/seed.sh', '/import/borgmatic/sectioned-1.7.yaml', '/import/vorta/borgbase-with-password.json'], ctx);
      const about = r.report.filter((x) => /passphrase/i.test(x.message) && /Keychain|keyring/.test(x.message));
      expect(new Set(r.secrets.map((s) => s.at.file)).size).toBe(3);
      expect(about.length).toBeGreaterThanOrEqual(3);
      for (const x of about) expect(x.message, x.message).toContain(keychain);
    }
  });
});
