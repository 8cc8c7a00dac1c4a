import { describe, expect, it } from 'vitest';
import { readShellScript } from '../../src/import/shell.js';
import type { ImportResult } from '../../src/import/model.js';
import { parseConfig } from '../../src/profiles/schema.js';
import { fakeContext, fixture } from '../helpers/import-ctx.js';

/** The report as a person reads it: `kind line [profile] message`. */
function report(r: ImportResult): string[] {
  return r.report.map((i) => `${i.kind} ${i.at?.line ?? '-'} [${i.profile ?? ''}] ${i.message}`);
}

function read(file: string, ctx = fakeContext()): ImportResult {
  return readShellScript(fixture(file), file, ctx);
}

/** Every imported profile must pass the real schema, alone and all together. */
function expectValid(r: ImportResult): void {
  const parsed = parseConfig({ profiles: r.profiles });
  expect(parsed.ok ? [] : parsed.errors).toEqual([]);
}

function script(text: string, ctx = fakeContext()): ImportResult {
  return readShellScript(text, '/Users/me/bin/backup.sh', ctx);
}

const SEED_REPO = 'ssh://u123456@u123456.your-storagebox.de:23/./backup/mbp2015';

describe('the seed-style script', () => {
  const r = read('/import/seed.sh');

  it('becomes one profile with the repository, sources, excludes, archive name and prune rules of the script', () => {
    expect(r.profiles).toEqual([
      {
        id: 'u123456-your-storagebox-de',
        name: 'u123456.your-storagebox.de',
        repository: SEED_REPO,
        sources: ['~/Documents', '~/Pictures'],
        excludes: ['*/node_modules', '*/.Trash'],
        archiveName: '{hostname}-{now}',
        compression: 'lz4',
        oneFileSystem: false,
        excludeCaches: false,
        prune: { keepDaily: 7, keepWeekly: 4, keepMonthly: 6 },
      },
    ]);
    expectValid(r);
  });

  it('keeps the passphrase as a secret only, and says to remove it from the script, naming file and line', () => {
    expect(r.secrets).toEqual([
      { profile: 'u123456-your-storagebox-de', passphrase: 'correct horse battery staple', at: { file: '/import/seed.sh', line: 4 } },
    ]);
    expect(JSON.stringify(r.profiles)).not.toContain('correct horse');
    expect(JSON.stringify(r.report)).not.toContain('correct horse');
  });

  it('reports what was carried, the kept archive prefix, and what prune will act on', () => {
    expect(report(r)).toEqual([
      'todo 4 [] Remove the plain-text passphrase from /import/seed.sh line 4 (BORG_PASSPHRASE): once imported it is kept in the Keychain.',
      'carried 6 [u123456-your-storagebox-de] Archive name "{hostname}-{now}".',
      'carried 6 [u123456-your-storagebox-de] Excludes "*/node_modules".',
      'carried 6 [u123456-your-storagebox-de] Excludes "*/.Trash".',
      'carried 6 [u123456-your-storagebox-de] Backs up ~/Documents.',
      'carried 6 [u123456-your-storagebox-de] Backs up ~/Pictures.',
      'carried 4 [u123456-your-storagebox-de] The passphrase (BORG_PASSPHRASE, /import/seed.sh line 4) goes to the Keychain, never into config.json.',
      'note 6 [u123456-your-storagebox-de] Archives keep the script\'s name "{hostname}-{now}", so Dandelion\'s prune goes on acting on the archives the script made (those matching "{hostname}-*").',
      'carried 7 [u123456-your-storagebox-de] Prune keeps --keep-daily 7, --keep-weekly 4, --keep-monthly 6, as the script did.',
      'note 7 [u123456-your-storagebox-de] The script\'s prune acted on every archive in the repository; Dandelion prunes only the archives of this profile ("{hostname}-*"), and leaves other archives alone.',
    ]);
  });
});

describe("the borg documentation's style (options on continued lines, BORG_RSH, a borg path)", () => {
  const r = read('/import/borg-docs-style.sh');

  it('reads options across line continuations, the ssh key from BORG_RSH and the borg path that exists', () => {
    expect(r.profiles).toEqual([
      {
        id: 'u123456-your-storagebox-de',
        name: 'u123456.your-storagebox.de',
        repository: SEED_REPO,
        sshKey: '~/.ssh/storagebox_key',
        sources: ['~/Documents', '~/Pictures', '~/Desktop'],
        excludes: ['/Users/*/.cache/*', '*/node_modules', '~/Library/Caches'],
        archiveName: '{hostname}-{now}',
        compression: 'lz4',
        oneFileSystem: false,
        excludeCaches: true,
        prune: { keepDaily: 7, keepWeekly: 4, keepMonthly: 6 },
        borgPath: '/usr/local/bin/borg',
      },
    ]);
    expectValid(r);
  });

  it('gives each option the line it is written on', () => {
    const lines = report(r);
    expect(lines).toContain('carried 27 [u123456-your-storagebox-de] Leaves out folders marked as caches (--exclude-caches).');
    expect(lines).toContain('carried 30 [u123456-your-storagebox-de] Excludes "~/Library/Caches".');
    expect(lines).toContain('carried 35 [u123456-your-storagebox-de] Backs up ~/Desktop.');
    expect(lines).toContain("carried 7 [u123456-your-storagebox-de] The ssh key ~/.ssh/storagebox_key is the profile's ssh key.");
    // A --glob-archives that is exactly the profile's own filter needs no word.
    expect(lines.filter((l) => l.includes('limited by'))).toEqual([]);
  });

  it('says so, and uses the borg Dandelion finds, when the borg path is not on this machine', () => {
    const elsewhere = read('/import/borg-docs-style.sh', fakeContext([]));
    expect(elsewhere.profiles[0]!.borgPath).toBeUndefined();
    expect(report(elsewhere)).toContain(
      'note 20 [u123456-your-storagebox-de] The script runs borg from /usr/local/bin/borg, which is not on this machine; Dandelion uses the borg it finds.',
    );
    expect(report(elsewhere)).toContain(
      'todo 7 [u123456-your-storagebox-de] The ssh key ~/.ssh/storagebox_key is not on this machine: copy it here before the first backup.',
    );
  });
});

describe('a script with two repositories', () => {
  const r = read('/import/two-repos.sh');

  it('makes two profiles: arrays, ${VAR:-default}, --exclude-from, BORG_PASSCOMMAND and the ssh port in the URL', () => {
    const fromFile = ['*/.cache', '*/node_modules', '~/Library/Caches'];
    const common = {
      passcommand: 'security find-generic-password -a me -s borg-mbp -w',
      compression: 'zstd,3',
      oneFileSystem: true,
      excludeCaches: false,
    };
    expect(r.profiles).toEqual([
      {
        id: 'backup-disk',
        name: 'backup-disk',
        repository: '/Volumes/backup-disk/borg/mbp',
        ...common,
        excludes: fromFile,
        sources: ['~/Documents', '~/Projects', '~/Music'],
        archiveName: 'mbp-{now:%Y-%m-%d_%H:%M}',
        prune: { keepDaily: 14, keepWeekly: 8, keepMonthly: 12 },
      },
      {
        id: 'zh1234-rsync-net',
        name: 'zh1234.rsync.net',
        repository: 'ssh://zh1234@zh1234.rsync.net:2222/./borg/mbp',
        sshKey: '~/.ssh/rsync_net',
        ...common,
        // The script kept ~/Music out of this one: the source goes, the exclude stays.
        excludes: [...fromFile, '~/Music'],
        sources: ['~/Documents', '~/Projects'],
        archiveName: '{hostname}-zh1234-rsync-net_{now}',
        prune: null,
        check: { everyDays: 30, verifyData: true },
      },
    ]);
    expectValid(r);
  });

  it('lists every command around borg and every pitfall, line by line, with why', () => {
    const lines = report(r).filter((l) => !l.startsWith('carried'));
    expect(lines).toEqual([
      'dropped 15 [] "osascript -e "display notification \\"$1\\" with title \\"Backup\\""" is not carried over: Dandelion sends its own notifications.',
      'dropped 18 [] "mount" is not carried over: Dandelion waits for the backup disk by itself.',
      'dropped 18 [] "grep -q "on $DISK "" is not carried over: Dandelion runs no commands of its own before or after a backup.',
      'dropped 19 [] "sleep 5" is not carried over: Dandelion waits until the repository is readable by itself.',
      'note 20 [backup-disk] Archives keep the script\'s name "mbp-{now:%Y-%m-%d_%H:%M}", so Dandelion\'s prune goes on acting on the archives the script made (those matching "mbp-*").',
      'dropped 27 [zh1234-rsync-net] The archive name "offsite-$(hostname -s)-{now}" cannot be imported: it needs $(hostname -s) to run, and imported scripts are never run.',
      'dropped 8 [zh1234-rsync-net] ssh option -o ServerAliveInterval=60 is not carried over: put it in ~/.ssh/config for this host.',
      'todo 8 [zh1234-rsync-net] The ssh key ~/.ssh/rsync_net is not on this machine: copy it here before the first backup.',
      "note 26 [zh1234-rsync-net] The script's archive name is not known; the profile names its archives \"{hostname}-zh1234-rsync-net_{now}\", so Dandelion's prune leaves the script's old archives alone.",
      'note 26 [zh1234-rsync-net] The script does not prune this repository, so neither does the profile (prune is off).',
      'note 29 [zh1234-rsync-net] The script runs borg check --verify-data; how often is not known from the script, so Dandelion checks every 30 days after a backup (change it in the profile).',
      'dropped 26 [zh1234-rsync-net] ~/Music is left out of the sources: the script\'s exclude "~/Music" kept all of it out of the backup.',
      'dropped 28 [] This borg prune is not carried over: it is limited to --glob-archives laptop-* ("laptop-*"), which matches none of the archives the script\'s borg create makes.',
    ]);
  });

  it('reads the exclude file through the context, dropping comments and blank lines', () => {
    const ctx = fakeContext();
    read('/import/two-repos.sh', ctx);
    expect(ctx.reads).toContain('/Users/me/.borg-excludes');
    expect(report(r)).toContain('carried 20 [backup-disk] Excludes the 3 patterns listed in /Users/me/.borg-excludes.');
  });
});

describe('pitfalls', () => {
  const r = read('/import/pitfalls.sh');

  it('turns $(security … -w) into a passcommand, and keeps what borg can express', () => {
    expect(r.profiles).toEqual([
      {
        id: 'archive-disk',
        name: 'Archive Disk',
        repository: '/Volumes/Archive Disk/borg',
        passcommand: 'security find-generic-password -s borg-archive -w',
        sources: ['~/Documents'],
        excludes: [],
        archiveName: '{user}-{now:%Y-%m-%d}',
        compression: 'lz4',
        oneFileSystem: false,
        excludeCaches: false,
        prune: { keepDaily: 3 },
      },
    ]);
    expect(r.secrets).toEqual([]);
    expectValid(r);
  });

  it('lists what cannot be carried over, each on its own line, with why', () => {
    expect(report(r).filter((l) => l.startsWith('dropped') || l.startsWith('note'))).toEqual([
      'dropped 13 [] "borg create "$repo::x-{now}" ~/Documents" runs inside a loop (line 12: "for repo in /Volumes/A/borg /Volumes/B/borg"): the repositories or archives it goes over are only known at run time; make a profile for each by hand.',
      'dropped 16 [] "borg list --short" is not carried over: Dandelion lists archives itself and keeps its own minimum interval between backups.',
      'dropped 16 [] "grep -v .checkpoint" is not carried over: Dandelion runs no commands of its own before or after a backup.',
      'dropped 16 [] "tail -1" is not carried over: Dandelion runs no commands of its own before or after a backup.',
      'dropped 17 [] "cat" is not carried over: Dandelion runs no commands of its own before or after a backup.',
      'dropped 9 [archive-disk] --frobnicate: borg create has no such option; left out.',
      'dropped 5 [archive-disk] BORG_FILES_CACHE_TTL is not carried over: Dandelion runs borg with its own settings for it.',
      'dropped 8 [archive-disk] --patterns-from /Users/me/.borg-patterns: Dandelion has no include/exclude pattern rules (R, P, +, -, !); add the folders as sources and the patterns to exclude as excludes by hand.',
      'dropped 9 [archive-disk] --exclude-if-present .nobackup: Dandelion cannot leave out folders that hold a marker file; add those folders to the excludes by hand.',
      'dropped 9 [archive-disk] --files-cache=ctime,size: Dandelion has no setting for --files-cache; left out.',
      'dropped 10 [archive-disk] --noatime: Dandelion has no setting for --noatime; left out.',
      'dropped 10 [archive-disk] The folder "Downloads" is relative to wherever the script was started; write it as a full path in the profile.',
      'dropped 10 [archive-disk] The folder "/Users/me/`date +%Y-%m-%d`" cannot be imported: it needs `date +%Y-%m-%d` to run, and imported scripts are never run.',
      'note 8 [archive-disk] The script runs borg from /opt/homebrew/bin/borg, which is not on this machine; Dandelion uses the borg it finds.',
      'note 8 [archive-disk] Archives keep the script\'s name "{user}-{now:%Y-%m-%d}", so Dandelion\'s prune goes on acting on the archives the script made (those matching "{user}-*").',
      'dropped 20 [archive-disk] --keep-secondly 10: Dandelion has no setting for --keep-secondly of borg prune; left out.',
    ]);
  });

  it("never runs anything: the here-document's borg create makes no profile", () => {
    expect(r.profiles.map((p) => p.archiveName)).not.toContain('never-{now}');
  });
});

describe('borg calls as people write them', () => {
  it('finds borg behind nice, caffeinate, exec, sudo-less env and a path ending in /borg', () => {
    for (const call of [
      'nice -n 19 borg',
      'caffeinate -i borg',
      'exec borg',
      'env BORG_X=1 borg',
      '/opt/local/bin/borg',
      'ionice -c3 nice borg',
      'timeout 2h borg',
    ]) {
      const r = script(`${call} create /Volumes/disk/repo::docs-{now} ~/Documents`);
      expect(
        r.profiles.map((p) => p.repository),
        call,
      ).toEqual(['/Volumes/disk/repo']);
    }
  });

  it('reads every repository form: REPO::name, ::name with BORG_REPO, ssh://, user@host:path', () => {
    const repos = [
      ['borg create /Volumes/disk/repo::a-{now} /x', '/Volumes/disk/repo'],
      ['export BORG_REPO=/srv/repo\nborg create ::a-{now} /x', '/srv/repo'],
      ['BORG_REPO=/srv/inline borg create ::a-{now} /x', '/srv/inline'],
      ['borg create ssh://me@host.example:2200/~/repo::a-{now} /x', 'ssh://me@host.example:2200/~/repo'],
      ['borg create me@host.example:repo::a-{now} /x', 'me@host.example:repo'],
    ];
    for (const [text, repository] of repos)
      expect(
        script(text!).profiles.map((p) => p.repository),
        text,
      ).toEqual([repository]);
  });

  it('says when borg create has no repository to go to', () => {
    const r = script('borg create ::a-{now} ~/x');
    expect(r.profiles).toEqual([]);
    expect(report(r)).toEqual([
      'dropped 1 [] borg create names no repository, and the script sets no BORG_REPO.',
      'carried 1 [] Archive name "a-{now}".',
      'carried 1 [] Backs up ~/x.',
      'dropped 1 [] This borg create cannot become a profile: its repository is not known.',
    ]);
  });

  it('uses variables as they were when borg ran, not as set later', () => {
    const r = script('R=/srv/one\nborg create $R::a-{now} /x\nR=/srv/two\n');
    expect(r.profiles.map((p) => p.repository)).toEqual(['/srv/one']);
  });

  it('puts the port of -p (BORG_RSH or --rsh) into an ssh URL, scp-style or not', () => {
    const cases = [
      [`export BORG_RSH='ssh -i ~/.ssh/k -p 23'\nborg create u@h:backup::a-{now} /x`, 'ssh://u@h:23/./backup', '~/.ssh/k'],
      [`borg create --rsh "ssh -p23 -i /Users/me/.ssh/k" u@h:/abs::a-{now} /x`, 'ssh://u@h:23/abs', '~/.ssh/k'],
      [`BORG_RSH="ssh -oPort=2222 -oIdentityFile=~/.ssh/k" borg create ssh://u@h/./r::a-{now} /x`, 'ssh://u@h:2222/./r', '~/.ssh/k'],
      [`export BORG_RSH="ssh -p 23"\nborg create u@h:~/r::a-{now} /x`, 'ssh://u@h:23/~/r', undefined],
    ];
    for (const [text, repository, sshKey] of cases) {
      const [p] = script(text!).profiles;
      expect([p?.repository, p?.sshKey], text).toEqual([repository, sshKey]);
    }
  });

  it('keeps the port a URL already names, and says so when BORG_RSH names another', () => {
    const r = script(`export BORG_RSH='ssh -p 23'\nborg create ssh://u@h:2200/r::a-{now} /x`);
    expect(r.profiles[0]!.repository).toBe('ssh://u@h:2200/r');
    expect(report(r)).toContain('note 1 [h] The ssh port 23 is left out: the repository URL names port 2200, which borg uses.');
  });

  it('takes options after the positionals, short options joined, and -C', () => {
    const [p] = script('borg create -sxC zstd,5 /r::n-{now} ~/a -e "*.tmp" --exclude-caches').profiles;
    expect(p).toMatchObject({ compression: 'zstd,5', oneFileSystem: true, excludeCaches: true, excludes: ['*.tmp'], sources: ['~/a'] });
  });

  it('keeps borg placeholders in the archive name as they are', () => {
    for (const name of ['{hostname}-{now}', '{now:%Y-%m-%d}', '{user}@{fqdn}-{utcnow}', '{hostname}-{now:%Y-%m-%dT%H:%M:%S}']) {
      expect(script(`borg create "/r::${name}" /x`).profiles[0]!.archiveName).toBe(name);
    }
  });

  it('makes a name with no {now} usable, and says what prune will then leave alone', () => {
    const r = script('borg create /r::nightly /x');
    expect(r.profiles[0]!.archiveName).toBe('nightly-{now}');
    expect(report(r)).toContain(
      'note 1 [r] The archive name "nightly" has no {now}, so a second backup would fail; the profile uses "nightly-{now}". Prune leaves the old archive "nightly" alone.',
    );
    expectValid(r);
  });

  it('says when prune --prefix keeps to other archives than the ones create makes, and when it covers more', () => {
    const other = script('borg create /r::docs-{now} /x\nborg prune --prefix photos- -d 7 /r');
    expect(other.profiles[0]!.prune).toBeNull();
    expect(report(other)).toContain(
      'dropped 2 [] This borg prune is not carried over: it is limited to --prefix photos- ("photos-*"), which matches none of the archives the script\'s borg create makes.',
    );
    const wider = script('borg create /r::docs-{now} /x\nborg prune --glob-archives "d*" --keep-weekly=4 /r');
    expect(wider.profiles[0]!.prune).toEqual({ keepWeekly: 4 });
    expect(report(wider)).toContain(
      'note 2 [r] The script\'s prune was limited by --glob-archives d* ("d*"); Dandelion prunes the archives named like "docs-*", which is what its create writes.',
    );
  });

  it('carries --keep-within and every --keep-* rule Dandelion has', () => {
    const r = script(
      'borg create /r::a-{now} /x\nborg prune --keep-within 2d --keep-last 3 -H 24 -d 7 -w 4 -m 6 -y 2 --keep-minutely 10 /r',
    );
    expect(r.profiles[0]!.prune).toEqual({
      keepWithin: '2d',
      keepLast: 3,
      keepHourly: 24,
      keepDaily: 7,
      keepWeekly: 4,
      keepMonthly: 6,
      keepYearly: 2,
      keepMinutely: 10,
    });
    expectValid(r);
  });

  it('turns borg check into a check every 30 days, with a note', () => {
    const r = script('borg create /r::a-{now} /x\nborg check /r');
    expect(r.profiles[0]!.check).toEqual({ everyDays: 30 });
    expect(report(r)).toContain(
      'note 2 [r] The script runs borg check; how often is not known from the script, so Dandelion checks every 30 days after a backup (change it in the profile).',
    );
  });

  it('resolves relative folders against a cd the script made', () => {
    expect(script('cd ~/Work\nborg create /r::a-{now} docs ../Music').profiles[0]!.sources).toEqual(['~/Work/docs', '~/Music']);
  });

  it('says what to do when an exclude file cannot be read', () => {
    const r = script('borg create --exclude-from /etc/borg-excludes /r::a-{now} /x');
    expect(report(r)).toContain(
      "todo 1 [r] The exclude file /etc/borg-excludes could not be read: add its patterns to the profile's excludes by hand.",
    );
  });

  it('reads a sourced file (never running it) as part of the script', () => {
    const ctx = fakeContext();
    const r = readShellScript('. ~/.borg-excludes-env\nsource /Users/me/bin/borg-backup.sh\n', '/Users/me/x.sh', ctx);
    expect(ctx.reads).toContain('/Users/me/bin/borg-backup.sh');
    expect(r.profiles.map((p) => p.repository)).toEqual([SEED_REPO]);
    expect(r.files).toEqual(['/Users/me/x.sh', '/Users/me/bin/borg-backup.sh']);
    expect(report(r)[0]).toBe('dropped 1 [] ". ~/.borg-excludes-env" is not followed: the file it reads could not be read here.');
  });

  it('never shows a passphrase given in front of a command', () => {
    const r = script("BORG_PASSPHRASE='s3cret!' borg list /r | head\nBORG_PASSPHRASE=s3cret! rsync -a /r /s");
    expect(JSON.stringify(r.report)).not.toContain('s3cret');
    expect(report(r)).toEqual([
      'dropped 1 [] "borg list /r" is not carried over: Dandelion lists archives itself and keeps its own minimum interval between backups.',
      'dropped 1 [] "head" is not carried over: Dandelion runs no commands of its own before or after a backup.',
      'dropped 2 [] "rsync -a /r /s" is not carried over: Dandelion runs no commands of its own before or after a backup.',
    ]);
  });

  it('a passphrase set by a command it cannot turn into a passcommand is reported, never guessed', () => {
    const r = script('export BORG_PASSPHRASE="$(cat ~/.pw | tr -d x)"\nborg create /r::a-{now} /x');
    expect(r.secrets).toEqual([]);
    expect(r.profiles[0]!.passcommand).toBeUndefined();
    expect(report(r)).toContain(
      'dropped 1 [r] BORG_PASSPHRASE is set by running $(cat ~/.pw | tr -d x), which is never run here: enter the passphrase in Dandelion, or set a passcommand.',
    );
  });
});

describe('scripts that lead to other files', () => {
  it('reads a script this one runs by path when it calls borg, and says so', () => {
    const ctx = fakeContext();
    const r = readShellScript('#!/bin/sh\ncaffeinate -s /Users/me/bin/borg-backup.sh\n/usr/bin/true\n', '/Users/me/nightly.sh', ctx);
    expect(r.profiles.map((p) => p.repository)).toEqual([SEED_REPO]);
    expect(report(r)[0]).toBe('carried 2 [] The script runs /Users/me/bin/borg-backup.sh, which is read with it.');
    expect(report(r)).toContain(
      'dropped 3 [] "/usr/bin/true" is not carried over: Dandelion runs no commands of its own before or after a backup.',
    );
  });

  it('does not list what a sourced settings file runs, but keeps what it sets', () => {
    const ctx = fakeContext();
    const base = ctx.readFile;
    ctx.readFile = (p) => (p === '/Users/me/.zshrc' ? 'export BORG_REPO=/Volumes/d/repo\nalias ll="ls -l"\ncompinit\n' : base(p));
    const r = readShellScript('source ~/.zshrc\nborg create ::a-{now} ~/x\n', '/Users/me/b.sh', ctx);
    expect(r.profiles.map((p) => p.repository)).toEqual(['/Volumes/d/repo']);
    expect(r.report.filter((i) => i.kind === 'dropped')).toEqual([]);
  });

  it('reads a script saved with Windows line ends', () => {
    const r = script('export BORG_REPO=/Volumes/d/repo\r\nborg create \\\r\n  ::a-{now} ~/x\r\nborg compact\r\n');
    expect(r.profiles.map((p) => [p.repository, p.sources])).toEqual([['/Volumes/d/repo', ['~/x']]]);
    expect(report(r)).toContain('carried 4 [d] borg compact: Dandelion compacts the repository after every prune too.');
  });
});

describe('tests around borg', () => {
  it('are not hooks, even a [[ … && … ]] the reader splits', () => {
    const r = script(
      'if [[ -d /Volumes/d && -w /Volumes/d ]]; then\n  borg create /Volumes/d/r::a-{now} ~/x\nfi\n[ -f /tmp/x ] || exit 1\n',
    );
    expect(r.report.filter((i) => i.kind === 'dropped')).toEqual([]);
    expect(r.profiles.map((p) => p.repository)).toEqual(['/Volumes/d/r']);
  });
});

describe('secrets in commands around borg', () => {
  it('shows a ping URL or a password in a URL with its host only', () => {
    const r = script(
      'borg create /r::a-{now} /x && curl -fsS -m 10 https://hc-ping.com/6f1c-secret-uuid\nwget -q "https://me:pw123@push.example/api?token=abc"',
    );
    expect(report(r).filter((l) => l.startsWith('dropped'))).toEqual([
      'dropped 1 [] "curl -fsS -m 10 https://hc-ping.com/…" is not carried over: a ping is set in the profile\'s monitoring settings instead.',
      'dropped 2 [] "wget -q "https://push.example/…"" is not carried over: a ping is set in the profile\'s monitoring settings instead.',
    ]);
    expect(JSON.stringify(r.report)).not.toMatch(/secret-uuid|pw123|token=abc/);
  });
});

describe('two borg create calls into one repository', () => {
  it('gives the second its own archive name when the names are alike, so they never prune each other', () => {
    const r = script(
      'export BORG_REPO=/Volumes/d/r\nborg create ::{hostname}-{now} ~/A\nborg create ::{hostname}-{now} ~/B\nborg prune -d 7\n',
    );
    expect(r.profiles.map((p) => [p.id, p.archiveName, p.sources, p.prune])).toEqual([
      ['d', '{hostname}-{now}', ['~/A'], { keepDaily: 7 }],
      // The script's prune acted on every archive: each profile prunes its own by the same rules.
      ['d-2', 'd-2-{hostname}_{now}', ['~/B'], { keepDaily: 7 }],
    ]);
    expect(report(r)).toContain(
      'note 3 [d-2] Another borg create of the script writes archives named like "{hostname}-{now}" into the same repository; this profile names its archives "d-2-{hostname}_{now}" so the two never prune each other\'s.',
    );
    expectValid(r);
  });
});

describe('a blog-post style script (scp-style repository in a variable, options in a variable, log redirects)', () => {
  const r = read('/import/blog-style.sh', fakeContext([]));

  it('carries the repository, the options held in a variable, the passcommand and the --prefix prune', () => {
    expect(r.profiles).toEqual([
      {
        id: 'nas-local',
        name: 'nas.local',
        repository: 'me@nas.local:/volume1/borg/macbook',
        passcommand: 'security find-generic-password -a borg -s macbook -w',
        sources: ['~'],
        excludes: ['~/Library/Caches', '~/.Trash', '*.DS_Store'],
        archiveName: '{hostname}-{now:%Y-%m-%d}',
        compression: 'auto,zstd',
        oneFileSystem: true,
        excludeCaches: false,
        prune: { keepDaily: 7, keepWeekly: 4, keepMonthly: 6 },
      },
    ]);
    expect(r.secrets).toEqual([]);
    expectValid(r);
  });

  it('lists the commands around borg with why, and nothing for the --prefix that matches the archive name', () => {
    expect(report(r).filter((l) => !l.startsWith('carried'))).toEqual([
      'dropped 7 [] "pgrep -x borg" is not carried over: Dandelion never runs two borg processes on one repository.',
      'dropped 19 [] "osascript -e \'display notification "Backup done" with title "Borg"\'" is not carried over: Dandelion sends its own notifications.',
      'note 10 [nas-local] The script runs borg from /usr/local/bin/borg, which is not on this machine; Dandelion uses the borg it finds.',
      'note 10 [nas-local] Archives keep the script\'s name "{hostname}-{now:%Y-%m-%d}", so Dandelion\'s prune goes on acting on the archives the script made (those matching "{hostname}-*").',
    ]);
  });
});
