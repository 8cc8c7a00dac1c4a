import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readBorgmatic } from '../../src/import/borgmatic.js';
import type { ImportContext } from '../../src/import/context.js';
import type { ImportedProfile, ImportResult, ReportItem } from '../../src/import/model.js';
import { parseConfig } from '../../src/profiles/schema.js';

const DIR = path.resolve(import.meta.dirname, '../fixtures/import/borgmatic');
const fixture = (name: string) => readFileSync(path.join(DIR, name), 'utf8');

/** A Mac user's machine: the files it has and the ones a config refers to. */
function fakeContext(files: Record<string, string> = {}, existing: string[] = []): ImportContext {
  return {
    home: '/Users/ann',
    uid: 501,
    keychain: 'the Keychain',
    hostname: 'Anns-MacBook-Pro.local',
    user: 'ann',
    exists: (f) => f in files || existing.includes(f),
    readFile: (f) => files[f] ?? null,
  };
}

const annContext = () =>
  fakeContext({ '/Users/ann/.config/borgmatic/excludes.txt': fixture('excludes.txt') }, [
    '/Users/ann/.ssh/storagebox',
    '/opt/homebrew/bin/borg',
  ]);

function read(name: string, ctx = annContext()): ImportResult {
  return readBorgmatic(fixture(name), name, ctx);
}

/** The profile as the real schema reads it; monitor is checked on its own (another part adds it to the schema). */
function validate(profiles: ImportedProfile[]) {
  const stripped = profiles.map(({ monitor: _monitor, ...p }) => p);
  const r = parseConfig({ profiles: stripped });
  if (!r.ok) throw new Error(`schema refused the imported profiles: ${JSON.stringify(r.errors)}`);
  return r.config.profiles;
}

const find = (report: ReportItem[], kind: ReportItem['kind'], words: string | RegExp) =>
  report.filter((i) => i.kind === kind && (typeof words === 'string' ? i.message.includes(words) : words.test(i.message)));

function expectItem(report: ReportItem[], kind: ReportItem['kind'], words: string | RegExp, line: number | null, profile?: string | null) {
  const hits = find(report, kind, words);
  expect(hits, `${kind} "${String(words)}" in\n${report.map((i) => `${i.kind} L${i.at?.line} ${i.message}`).join('\n')}`).toHaveLength(1);
  expect(hits[0]!.at?.line ?? null).toBe(line);
  if (profile !== undefined) expect(hits[0]!.profile).toBe(profile);
}

describe('readBorgmatic: the sectioned layout of borgmatic 1.7', () => {
  const r = read('sectioned-1.7.yaml');

  it('makes one profile with the repository, the ssh port moved into its URL, and every setting it can carry', () => {
    expect(r.format).toBe('borgmatic');
    expect(r.profiles).toEqual([
      {
        id: 'your-storagebox',
        name: 'u123456.your-storagebox.de',
        repository: 'ssh://u123456@u123456.your-storagebox.de:23/./backups/mbp',
        sshKey: '~/.ssh/storagebox',
        sources: ['/Users/ann/Documents', '/Users/ann/Pictures', '/Users/ann/Library/Mobile Documents'],
        excludes: ['*.pyc', '~/*/.cache', '*/node_modules', '/Users/ann/Downloads', '*.tmp', '*/.Trash'],
        archiveName: '{hostname}-docs-{now:%Y-%m-%d_%H:%M}',
        compression: 'auto,zstd,6',
        oneFileSystem: true,
        excludeCaches: true,
        prune: { keepDaily: 7, keepWeekly: 4, keepMonthly: 6 },
        schedule: '0 3 * * *',
        check: { everyDays: 1, verifyData: false },
        monitor: { pingUrl: 'https://hc-ping.com/3b8f0e8e-2d1c-4c55-9a5e-8b7d1e2f3a4b', ntfyUrl: null },
      },
    ]);
    const [p] = validate(r.profiles);
    expect(p!.repository).toBe('ssh://u123456@u123456.your-storagebox.de:23/./backups/mbp');
  });

  it('puts the plaintext passphrase in secrets, never in the profile or the report, and says to remove it naming file and line', () => {
    expect(r.secrets).toEqual([
      { profile: 'your-storagebox', passphrase: 'correct horse battery staple', at: { file: 'sectioned-1.7.yaml', line: 27 } },
    ]);
    expect(JSON.stringify(r.profiles)).not.toContain('correct horse');
    expect(JSON.stringify(r.report)).not.toContain('correct horse');
    expectItem(
      r.report,
      'todo',
      /plain text in sectioned-1\.7\.yaml at line 27.*Remove it from sectioned-1\.7\.yaml/,
      27,
      'your-storagebox',
    );
  });

  it('reads the exclude_from file through the context and drops an exclude that would empty a source, with why', () => {
    expectItem(r.report, 'carried', '3 exclude patterns read from ~/.config/borgmatic/excludes.txt', 21);
    expectItem(
      r.report,
      'dropped',
      /Exclude "\/Users\/ann\/Library" was left out: it leaves out all of \/Users\/ann\/Library\/Mobile Documents/,
      19,
    );
    expectItem(r.report, 'dropped', /exclude_if_present "\.nobackup" was left out/, 24);
  });

  it('lists each hook command on its own line, with why', () => {
    const hooks = find(r.report, 'dropped', /^Hook /);
    expect(hooks.map((h) => [h.at?.line, h.message.split(':')[0]])).toEqual([
      [47, 'Hook before_backup'],
      [48, 'Hook before_backup'],
      [50, 'Hook after_backup'],
      [52, 'Hook on_error'],
    ]);
    for (const h of hooks) expect(h.message).toContain('Dandelion does not run commands around a backup');
  });

  it('keeps the archive name so prune acts on the old archives, and says so', () => {
    expectItem(
      r.report,
      'carried',
      /Archive name "\{hostname\}-docs-\{now:%Y-%m-%d_%H:%M\}" kept: prune goes on acting on the archives borgmatic made \("\{hostname\}-docs-\*"\)/,
      30,
    );
    // The old prefix matches the same archives: nothing more to say about it.
    expect(find(r.report, 'note', 'pruned the archives starting with')).toEqual([]);
  });

  it('shows the healthchecks host only, and the ssh options it leaves out', () => {
    expectItem(r.report, 'carried', 'Healthchecks pings go to hc-ping.com', 53);
    expect(JSON.stringify(r.report)).not.toContain('3b8f0e8e');
    expectItem(r.report, 'dropped', 'ssh option "-o ServerAliveInterval=60" was left out', 29);
    expectItem(r.report, 'carried', 'ssh port 23 from ssh_command is now part of the repository address', 29);
    expectItem(r.report, 'dropped', 'lock_wait was left out', 31);
    expectItem(r.report, 'dropped', 'check_last was left out', 43);
  });

  it('reports every setting of the file, each once, at its line (nothing passes unmentioned)', () => {
    expect(r.report.map((i) => [i.kind, i.at?.line ?? null])).toEqual([
      ['carried', 21], // exclude_from file read
      ['carried', 4], // sources
      ['dropped', 19], // exclude that empties a source
      ['carried', 15], // excludes
      ['dropped', 24], // exclude_if_present
      ['carried', 28], // compression
      ['carried', 13], // one_file_system
      ['carried', 22], // exclude_caches
      ['carried', 30], // archive name
      ['carried', 34], // retention
      ['note', 40], // checks on every run
      ['carried', 29], // ssh key
      ['dropped', 29], // ssh option
      ['carried', 53], // healthchecks
      ['dropped', 47], // hooks, one per command
      ['dropped', 48],
      ['dropped', 50],
      ['dropped', 52],
      ['dropped', 31], // lock_wait
      ['dropped', 43], // check_last
      ['carried', 29], // ssh port into the URL
      ['carried', 11], // repository → profile
      ['todo', 27], // remove the passphrase from the file
      ['note', null], // schedule
      ['todo', null], // old job
    ]);
  });

  it("names borgmatic's own timer or cron job as an old job, with how to stop it", () => {
    expect(r.oldJobs).toEqual([
      {
        kind: 'borgmatic',
        name: 'borgmatic (sectioned-1.7.yaml)',
        at: { file: 'sectioned-1.7.yaml', line: null },
        howToStop: expect.stringContaining('systemctl --user disable --now borgmatic.timer') as string,
      },
    ]);
    expect(r.oldJobs[0]!.howToStop).toContain('crontab -e');
    expect(r.oldJobs[0]!.howToStop).toContain('launchctl bootout gui/501');
    expectItem(r.report, 'todo', /borgmatic's own timer or cron job would back up a second time/, null);
  });
});

describe('readBorgmatic: the flat layout of borgmatic 1.8+ with two labelled repositories', () => {
  const r = read('flat-1.8.yaml');
  const common = {
    sources: ['~/Documents', '~/Projects', '~/.config'],
    excludes: ['~/Projects/*/target', '*.DS_Store'],
    archiveName: 'mbp-{now}',
    compression: 'zstd,3',
    oneFileSystem: false,
    excludeCaches: false,
    prune: { keepWithin: '48H', keepDaily: 14, keepWeekly: 8, keepMonthly: 12, keepYearly: 2 },
    schedule: '0 3 * * *',
    check: { everyDays: 14, verifyData: true },
    passcommand: 'security find-generic-password -a ann -s borg-mbp -w',
    borgPath: '/opt/homebrew/bin/borg',
    monitor: {
      pingUrl: 'https://healthchecks.example.org/ping/5f2c8a10-aaaa-bbbb-cccc-1234567890ab',
      ntfyUrl: 'https://ntfy.example.org/ann-mbp-backups-x7q2',
    },
  };

  it('makes one profile per repository, ids from the labels; the ssh key only where ssh is used', () => {
    expect(r.profiles).toEqual([
      { id: 'usb', name: 'usb', repository: '/Volumes/Backup Disk/borg/mbp', ...common },
      {
        id: 'borgbase',
        name: 'borgbase',
        repository: 'ssh://k8pDxu32@k8pDxu32.repo.borgbase.com/./repo',
        sshKey: '~/.ssh/borgbase_ed25519',
        ...common,
      },
    ]);
    expect(validate(r.profiles).map((p) => p.id)).toEqual(['usb', 'borgbase']);
    expect(r.secrets).toEqual([]);
    expectItem(r.report, 'note', 'Profile "usb" is one of 2 made from this file', 8, 'usb');
    expectItem(r.report, 'note', 'Profile "borgbase" is one of 2 made from this file', 10, 'borgbase');
  });

  it('turns check frequencies into everyDays (the most frequent one) and the data check into verifyData', () => {
    expectItem(r.report, 'carried', 'Checks every 14 days, reading all data', 32, null);
  });

  it('carries healthchecks and ntfy into monitor, reporting hosts only', () => {
    expectItem(r.report, 'carried', 'Healthchecks pings go to healthchecks.example.org', 50);
    expectItem(r.report, 'carried', 'ntfy messages on failure go to ntfy.example.org', 57);
    const text = JSON.stringify(r.report);
    expect(text).not.toContain('5f2c8a10');
    expect(text).not.toContain('ann-mbp-backups-x7q2');
  });

  it('warns that two profiles pinging one check can hide a failure', () => {
    expectItem(r.report, 'todo', "now 2 profiles ping the same check, so one profile's success can hide another's failure", 50, null);
  });

  it('lists each command of the commands: hooks on its own line', () => {
    expectItem(r.report, 'dropped', 'Command before action: "caffeinate -i -w $$ &"', 44);
    expectItem(r.report, 'dropped', `Command before action: "osascript -e 'display notification "Backing up"'"`, 45);
    expectItem(r.report, 'dropped', 'Command after error: "/Users/ann/bin/notify-failure.sh"', 48);
  });

  it('keeps the passcommand and the borg path that exists here; notes a key that is missing here', () => {
    expectItem(r.report, 'carried', 'Passcommand kept', 22);
    expectItem(r.report, 'carried', 'borg at /opt/homebrew/bin/borg', 24);
    expectItem(r.report, 'note', 'The SSH key ~/.ssh/borgbase_ed25519 is not on this machine', 23);
    expectItem(r.report, 'dropped', 'ssh option "-o StrictHostKeyChecking=accept-new" was left out: Dandelion checks host keys itself', 23);
  });

  it('uses no borg path that this machine does not have', () => {
    const r2 = read('flat-1.8.yaml', fakeContext({}, []));
    expect(r2.profiles.map((p) => p.borgPath)).toEqual([undefined, undefined]);
    expectItem(r2.report, 'note', 'borg at "/opt/homebrew/bin/borg" is not on this machine; the borg Dandelion finds is used', 24);
  });
});

describe('readBorgmatic: a server config with environment variables, globs and database hooks', () => {
  const r = read('server-env.yaml');

  it('leaves out what an environment variable names without a default, uses a default where one is given', () => {
    expect(r.profiles.map((p) => p.repository)).toEqual([
      'ssh://borg@nas.lan:2222/volume1/borg/fileserver',
      'ssh://backup.example.com:2222/./fileserver',
    ]);
    expectItem(r.report, 'dropped', 'named by an environment variable without a default', 9);
    expectItem(r.report, 'note', '${BACKUP_HOST} comes from the environment', 10);
    expectItem(r.report, 'todo', 'The passphrase comes from an environment variable an import cannot read', 13);
    expect(r.secrets).toEqual([]);
    expect(JSON.stringify(r.profiles)).not.toContain('${');
  });

  it('drops glob and relative sources with why, and keeps the rest', () => {
    expect(r.profiles[0]!.sources).toEqual(['/etc', '/srv/data']);
    expectItem(r.report, 'dropped', 'Source "/var/lib/docker/volumes/*/_data" is a glob', 5);
    expectItem(r.report, 'dropped', 'Source "backups/local" is a relative path', 6);
  });

  it('says the database dumps are no longer made, one per database, as things to do', () => {
    expectItem(r.report, 'todo', 'database "nextcloud"', 30);
    expectItem(r.report, 'todo', 'database "gitea"', 31);
  });

  it('carries CACHEDIR.TAG as exclude caches, disabled checks as everyDays 0, and drops what it cannot do', () => {
    expect(r.profiles.map((p) => [p.excludeCaches, p.check])).toEqual([
      [true, { everyDays: 0, verifyData: false }],
      [true, { everyDays: 0, verifyData: false }],
    ]);
    expectItem(r.report, 'dropped', 'remote_path was left out', 16);
    expectItem(r.report, 'dropped', 'keep_secondly was left out', 20);
    expectItem(r.report, 'note', 'borg at "borg1" is not on this machine', 15);
    expectItem(r.report, 'todo', 'ntfy "access_token" was left out', 40);
    expect(JSON.stringify(r.report)).not.toContain('tk_abcdef');
  });

  it("keeps borgmatic's default archive name when the file names none, so prune finds the old archives", () => {
    expect(r.profiles.map((p) => p.archiveName)).toEqual([
      '{hostname}-{now:%Y-%m-%dT%H:%M:%S.%f}',
      '{hostname}-{now:%Y-%m-%dT%H:%M:%S.%f}',
    ]);
    expectItem(r.report, 'note', "borgmatic's default", null);
    expect(validate(r.profiles)).toHaveLength(2);
  });
});

describe('readBorgmatic: the same setup in both layouts', () => {
  const sectioned = `location:
    source_directories: [/home/ann]
    repositories: ['/mnt/backup/repo']
    exclude_patterns: ['/home/ann/.cache']
storage:
    compression: zstd
    archive_name_format: 'laptop-{now}'
    encryption_passcommand: pass show borg
retention:
    keep_daily: 7
    keep_monthly: 3
consistency:
    checks:
        - name: repository
          frequency: 1 month
hooks:
    ntfy:
        topic: backups
`;
  const flat = `source_directories: [/home/ann]
repositories:
    - path: /mnt/backup/repo
exclude_patterns: ['/home/ann/.cache']
compression: zstd
archive_name_format: 'laptop-{now}'
encryption_passcommand: pass show borg
keep_daily: 7
keep_monthly: 3
checks:
    - name: repository
      frequency: 1 month
ntfy:
    topic: backups
`;

  it('gives the same profile for the 1.7 sections and the 1.8 flat options', () => {
    const a = readBorgmatic(sectioned, 'a.yaml', fakeContext());
    const b = readBorgmatic(flat, 'b.yaml', fakeContext());
    expect(a.profiles).toEqual(b.profiles);
    expect(a.profiles[0]).toMatchObject({
      id: 'backup',
      repository: '/mnt/backup/repo',
      compression: 'zstd',
      archiveName: 'laptop-{now}',
      passcommand: 'pass show borg',
      prune: { keepDaily: 7, keepMonthly: 3 },
      check: { everyDays: 30, verifyData: false },
      monitor: { pingUrl: null, ntfyUrl: 'https://ntfy.sh/backups' },
    });
    expect(validate(a.profiles)).toHaveLength(1);
  });
});

describe('readBorgmatic: pitfalls', () => {
  it('reports a YAML error at its line and imports nothing', () => {
    const r = read('broken.yaml');
    expect(r.profiles).toEqual([]);
    expect(r.report.map((i) => [i.kind, i.at?.line])).toEqual([
      ['dropped', 4],
      ['dropped', 5],
    ]);
  });

  it('fills in constants, and an old prefix that differs from the archive name is explained', () => {
    const r = readBorgmatic(
      `constants:
    app: photos
source_directories:
    - /srv/{app}
repositories:
    - /mnt/backup/{app}
archive_name_format: '{hostname}-{app}-{now}'
prefix: '{hostname}-'
keep_daily: 7
`,
      'c.yaml',
      fakeContext(),
    );
    expect(r.profiles[0]).toMatchObject({
      id: 'backup',
      sources: ['/srv/photos'],
      repository: '/mnt/backup/photos',
      archiveName: '{hostname}-photos-{now}',
    });
    expectItem(
      r.report,
      'note',
      /borgmatic pruned the archives starting with "\{hostname\}-"; Dandelion prunes those matching "\{hostname\}-photos-\*"/,
      8,
    );
  });

  it('gives unique ids to repositories on the same server, and keeps a port the repository already names', () => {
    const r = readBorgmatic(
      `source_directories: [/home]
repositories:
    - ssh://u1@host.example.net:2022/./a
    - ssh://u1@host.example.net/./b
ssh_command: ssh -p 23
keep_daily: 3
`,
      'd.yaml',
      fakeContext(),
    );
    expect(r.profiles.map((p) => [p.id, p.repository])).toEqual([
      ['example', 'ssh://u1@host.example.net:2022/./a'],
      ['example-2', 'ssh://u1@host.example.net:23/./b'],
    ]);
    expectItem(r.report, 'note', "The repository names port 2022 and ssh_command port 23; the repository's port is kept", 5);
    expect(validate(r.profiles)).toHaveLength(2);
  });

  it('reads the passphrase from a borgmatic credential file as a passcommand, never copying it', () => {
    const r = readBorgmatic(
      `source_directories: [/home]
repositories: [/mnt/r]
encryption_passphrase: "{credential file /etc/borgmatic/pass.txt}"
`,
      'e.yaml',
      fakeContext(),
    );
    expect(r.secrets).toEqual([]);
    expect(r.profiles[0]!.passcommand).toBe('cat /etc/borgmatic/pass.txt');
  });

  it('names an !include it does not follow', () => {
    const r = readBorgmatic(
      `<<: !include /etc/borgmatic/common.yaml\nsource_directories: [/home]\nrepositories: [/mnt/r]\n`,
      'f.yaml',
      fakeContext(),
    );
    expectItem(r.report, 'todo', 'borgmatic includes /etc/borgmatic/common.yaml here', 1);
  });

  it('an exclude_from file that cannot be read is a thing to do, not a silent loss', () => {
    const r = read('sectioned-1.7.yaml', fakeContext());
    expectItem(r.report, 'todo', 'The exclude file ~/.config/borgmatic/excludes.txt could not be read here', 21);
    expect(r.profiles[0]!.excludes).not.toContain('*.tmp');
  });

  it('checks only the repositories check_repositories names (by path or label), and skip_actions turns prune off', () => {
    const r = readBorgmatic(
      `source_directories:
    - /home
repositories:
    - path: /mnt/small/repo
      label: small
    - path: /mnt/huge/repo
      label: huge
check_repositories:
    - small
checks:
    - name: archives
      frequency: 1 week
keep_daily: 7
skip_actions:
    - prune
`,
      'h.yaml',
      fakeContext(),
    );
    expect(r.profiles.map((p) => [p.id, p.check, p.prune])).toEqual([
      ['small', { everyDays: 7, verifyData: false }, null],
      ['huge', { everyDays: 0, verifyData: false }, null],
    ]);
    expectItem(r.report, 'note', 'borgmatic did not check this repository (check_repositories)', 8, 'huge');
    expectItem(r.report, 'note', 'borgmatic skipped prune (skip_actions)', 14);
    expect(validate(r.profiles)).toHaveLength(2);
  });

  it('reads patterns: R roots become sources, - and ! excludes in the sh: style borg gives them, + includes dropped with why', () => {
    const r = readBorgmatic(
      `repositories:
    - /mnt/backup/repo
patterns:
    - R /home/ann
    - '- /home/ann/.cache'
    - '+ /home/ann/.cache/keep'
    - '! re:^home/ann/tmp'
    - P fm
    - '- *.iso'
keep_daily: 7
`,
      'p.yaml',
      fakeContext(),
    );
    expect(r.profiles[0]).toMatchObject({ sources: ['/home/ann'], excludes: ['sh:/home/ann/.cache', 're:^home/ann/tmp', 'fm:*.iso'] });
    expectItem(r.report, 'carried', 'Pattern root "/home/ann" → source folder', 4);
    expectItem(r.report, 'dropped', 'Include pattern "/home/ann/.cache/keep" was left out', 6);
    expect(validate(r.profiles)).toHaveLength(1);
  });

  it("takes a healthchecks check's UUID alone as healthchecks.io, as borgmatic does", () => {
    const r = readBorgmatic(
      'source_directories:\n    - /home\nrepositories:\n    - /mnt/r\nhealthchecks:\n    ping_url: 0b9d6a3c-54c5-4c9e-9b1e-0d7f2a5e8c11\n',
      'u.yaml',
      fakeContext(),
    );
    expect(r.profiles[0]!.monitor).toEqual({ pingUrl: 'https://hc-ping.com/0b9d6a3c-54c5-4c9e-9b1e-0d7f2a5e8c11', ntfyUrl: null });
    expectItem(r.report, 'carried', 'Healthchecks pings go to hc-ping.com', 5);
  });

  it('imports nothing from a file without a repository, and says so', () => {
    const r = readBorgmatic('source_directories: [/home]\nkeep_daily: 7\n', 'g.yaml', fakeContext());
    expect(r.profiles).toEqual([]);
    expect(r.oldJobs).toEqual([]);
    expectItem(r.report, 'dropped', 'names no repository', null);
  });
});
