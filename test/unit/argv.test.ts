import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  archiveGlob,
  borgRsh,
  breakLockArgs,
  checkArgs,
  compactArgs,
  createArgs,
  extractArgs,
  infoArgs,
  keyExportArgs,
  initArgs,
  isRemote,
  pruneArgs,
  sshTarget,
  listArgs,
  listItemsArgs,
  normalizeSource,
  probeArgs,
  pyRegexLiteral,
  archiveFolder,
  shellQuote,
  sshProbeArgs,
  sshWords,
} from '../../src/borg/argv.js';
import { featuresFor } from '../../src/borg/features.js';
import { parseVersion } from '../../src/borg/locate.js';

const f12 = featuresFor(parseVersion('borg 1.2.4')!);

describe('argv for borg', () => {
  it('builds the seed profile create command, sources after --', () => {
    expect(
      createArgs({
        repository: 'ssh://u123@u123.your-storagebox.de:23/./backup/mbp2015',
        archiveName: '{hostname}-daily-{now}',
        sources: ['/Users/me/Documents', '/Users/me/Pictures'],
        excludes: ['*/node_modules', '*/.Trash'],
        compression: 'auto,lzma,6',
        oneFileSystem: false,
        excludeCaches: true,
      }),
    ).toEqual([
      'create',
      '--log-json',
      '--progress',
      '--list',
      '--filter=AME',
      '--json',
      '--compression=auto,lzma,6',
      '--exclude-caches',
      '--exclude=*/node_modules',
      '--exclude=*/.Trash',
      '--',
      'ssh://u123@u123.your-storagebox.de:23/./backup/mbp2015::{hostname}-daily-{now}',
      '/Users/me/Documents',
      '/Users/me/Pictures',
    ]);
  });

  it('keeps a source that starts with "-" a path, and expands ~', () => {
    const args = createArgs({
      repository: '/r',
      archiveName: 'a',
      sources: ['-rf', '~/Docs'],
      excludes: ['-x'],
      compression: 'lz4',
      oneFileSystem: true,
      excludeCaches: false,
    });
    expect(args).toContain('--one-file-system');
    expect(args).toContain('--exclude=-x');
    const afterDashes = args.slice(args.indexOf('--') + 1);
    expect(afterDashes).toEqual(['/r::a', `${os.homedir()}/-rf`, `${os.homedir()}/Docs`]);
    expect(args.slice(0, args.indexOf('--')).some((a) => a === '-rf')).toBe(false);
  });

  it('scopes prune to the profile archives with keep 7/5/6', () => {
    expect(
      pruneArgs('/Volumes/backup-disk/backup/mbp2015', '{hostname}-daily-{now}', { keepDaily: 7, keepWeekly: 5, keepMonthly: 6 }, f12),
    ).toEqual([
      'prune',
      '--log-json',
      '--list',
      '--glob-archives',
      '{hostname}-daily-*',
      '--keep-daily=7',
      '--keep-weekly=5',
      '--keep-monthly=6',
      '--',
      '/Volumes/backup-disk/backup/mbp2015',
    ]);
  });

  it('derives the archive glob from the name format', () => {
    expect(archiveGlob('{hostname}-daily-{now}')).toBe('{hostname}-daily-*');
    expect(archiveGlob('{hostname}-{now:%Y-%m-%d}')).toBe('{hostname}-*');
    expect(archiveGlob('docs-{utcnow:%Y%m%dT%H%M}-{pid}')).toBe('docs-*-*');
    expect(archiveGlob('weird[1]-{now}')).toBe('weird[[]1[]]-*');
    expect(archiveGlob('{user}-{now}{now}')).toBe('{user}-*');
  });

  it('passes keep-within and skips zero rules', () => {
    expect(pruneArgs('/r', 'x-{now}', { keepWithin: '2d', keepDaily: 0, keepYearly: 1 }, f12)).toEqual([
      'prune',
      '--log-json',
      '--list',
      '--glob-archives',
      'x-*',
      '--keep-within=2d',
      '--keep-yearly=1',
      '--',
      '/r',
    ]);
  });

  it('builds info, check, extract and break-lock with positionals after --', () => {
    expect(infoArgs('/r')).toEqual(['info', '--log-json', '--json', '--', '/r']);
    expect(infoArgs('/r', 'a1')).toEqual(['info', '--log-json', '--json', '--', '/r::a1']);
    expect(checkArgs('/r')).toEqual(['check', '--log-json', '--progress', '--', '/r']);
    expect(checkArgs('/r', { repositoryOnly: true })).toEqual(['check', '--log-json', '--progress', '--repository-only', '--', '/r']);
    // borg stores paths without the leading slash; a path named like an option stays a path.
    expect(extractArgs('/r', 'a1', ['/Users/me/Documents', '-x'])).toEqual([
      'extract',
      '--log-json',
      '--list',
      '--',
      '/r::a1',
      'Users/me/Documents',
      '-x',
    ]);
    expect(breakLockArgs('ssh://h/r')).toEqual(['break-lock', '--log-json', '--', 'ssh://h/r']);
  });

  it('builds init and list', () => {
    expect(initArgs('/r', 'repokey-blake2')).toEqual([
      'init',
      '--log-json',
      '--encryption=repokey-blake2',
      '--make-parent-dirs',
      '--',
      '/r',
    ]);
    expect(listArgs('/r', f12, '{hostname}-daily-{now}')).toEqual([
      'list',
      '--log-json',
      '--json',
      '--glob-archives',
      '{hostname}-daily-*',
      '--',
      '/r',
    ]);
  });
});

describe('ssh', () => {
  it('never prompts, offers only the profile key, checks the user known_hosts', () => {
    const rsh = borgRsh({ sshKey: '/Users/me/.ssh/storage box', knownHostsFile: '/Users/me/.ssh/known_hosts' });
    expect(rsh).toBe(
      "ssh -i '/Users/me/.ssh/storage box' -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile=/Users/me/.ssh/known_hosts -o ServerAliveInterval=30 -o ServerAliveCountMax=3 -o ConnectTimeout=20",
    );
  });

  it('parses the host and port of a repository', () => {
    expect(sshTarget('ssh://u123@u123.your-storagebox.de:23/./backup/mbp2015')).toEqual({
      user: 'u123',
      host: 'u123.your-storagebox.de',
      port: 23,
    });
    expect(sshTarget('ssh://host/repo')).toEqual({ user: undefined, host: 'host', port: 22 });
    expect(sshTarget('ssh://me@[::1]:2222/repo')).toEqual({ user: 'me', host: '::1', port: 2222 });
    expect(sshTarget('me@nas:backups/repo')).toEqual({ user: 'me', host: 'nas', port: 22 });
    expect(sshTarget('/Volumes/backup-disk/repo')).toBeNull();
    expect(isRemote('/Volumes/backup-disk/repo')).toBe(false);
    expect(isRemote('ssh://h/r')).toBe(true);
  });
});

describe('borg version', () => {
  it('parses versions and picks flags in one place', () => {
    expect(parseVersion('borg 1.2.4')).toMatchObject({ major: 1, minor: 2, patch: 4 });
    expect(parseVersion('borg 1.4.0b1')).toMatchObject({ major: 1, minor: 4, patch: 0 });
    expect(featuresFor(parseVersion('borg 1.4.1')!).modernExitCodes).toBe(true);
    expect(f12.modernExitCodes).toBe(false);
    expect(f12.hasCompact).toBe(true);
  });
});

describe('argv details: sources, excludes and prune rules', () => {
  it('makes sources absolute: relative to home, ~ expanded, dots resolved', () => {
    expect(normalizeSource('/Users/me/./Docs/../Pictures')).toBe('/Users/me/Pictures');
    expect(normalizeSource('Documents')).toBe(path.join(os.homedir(), 'Documents'));
    expect(normalizeSource('~')).toBe(os.homedir());
  });

  it('adds neither --one-file-system nor --exclude-caches when the profile turns them off, and expands ~ in excludes', () => {
    const args = createArgs({
      repository: '/r',
      archiveName: 'a',
      sources: ['/s'],
      excludes: ['~/Downloads'],
      compression: 'zstd,3',
      oneFileSystem: false,
      excludeCaches: false,
    });
    expect(args).not.toContain('--one-file-system');
    expect(args).not.toContain('--exclude-caches');
    expect(args).toContain(`--exclude=${os.homedir()}/Downloads`);
    expect(args).toContain('--compression=zstd,3');
  });

  it('passes every keep rule under its own borg flag, in a fixed order', () => {
    const all = { keepLast: 1, keepMinutely: 2, keepHourly: 3, keepDaily: 4, keepWeekly: 5, keepMonthly: 6, keepYearly: 7 };
    expect(pruneArgs('/r', 'a-{now}', all, f12).slice(5, -2)).toEqual([
      '--keep-last=1',
      '--keep-minutely=2',
      '--keep-hourly=3',
      '--keep-daily=4',
      '--keep-weekly=5',
      '--keep-monthly=6',
      '--keep-yearly=7',
    ]);
  });

  it('escapes glob characters of the archive name and turns every per-run placeholder into *', () => {
    expect(archiveGlob('what?-all*-{now}')).toBe('what[?]-all[*]-*');
    expect(archiveGlob('{hostname}-{borgversion}-{borgmajor}.{borgminor}.{borgpatch}-{uuid4}')).toBe('{hostname}-*-*.*.*-*');
    expect(archiveGlob('plain-name')).toBe('plain-name');
  });

  it('lists every archive of the repository when no archive name scopes it', () => {
    expect(listArgs('/r', f12)).toEqual(['list', '--log-json', '--json', '--', '/r']);
  });

  it('restores everything when no paths are given, and strips any number of leading slashes', () => {
    expect(extractArgs('/r', 'a1')).toEqual(['extract', '--log-json', '--list', '--', '/r::a1']);
    expect(extractArgs('/r', 'a1', ['//srv/x/'])).toEqual(['extract', '--log-json', '--list', '--', '/r::a1', 'srv/x/']);
  });

  it('probes the key with the cheapest listing: the last archive only', () => {
    expect(probeArgs('/r')).toEqual(['list', '--log-json', '--json', '--last=1', '--', '/r']);
  });
});

describe('ssh command words', () => {
  it('leaves shell-safe words bare and single-quotes the rest the way shlex reads them', () => {
    expect(shellQuote('a@b%c+d=e:f,g.h/i-j_k')).toBe('a@b%c+d=e:f,g.h/i-j_k');
    expect(shellQuote('my key')).toBe("'my key'");
    expect(shellQuote('x;rm')).toBe("'x;rm'");
    expect(shellQuote('$HOME')).toBe("'$HOME'");
    expect(shellQuote("it's")).toBe(`'it'"'"'s'`);
    expect(shellQuote("a'b'c")).toBe(`'a'"'"'b'"'"'c'`);
  });

  it('offers no key and uses ~/.ssh/known_hosts when the profile names neither', () => {
    const words = sshWords({});
    expect(words).not.toContain('-i');
    expect(words).not.toContain('IdentitiesOnly=yes');
    expect(words).toContain(`UserKnownHostsFile=${path.join(os.homedir(), '.ssh', 'known_hosts')}`);
    expect(words[0]).toBe('ssh');
  });

  it('expands ~ in the key path', () => {
    expect(sshWords({ sshKey: '~/.ssh/box' }).slice(1, 3)).toEqual(['-i', `${os.homedir()}/.ssh/box`]);
  });

  it('probes ssh alone with the same options, the port and the user@host of the repository', () => {
    const opts = { sshKey: '/k', knownHostsFile: '/kh' };
    const args = sshProbeArgs('ssh://u123@box.example:23/./repo', opts);
    expect(args).toEqual([...sshWords(opts).slice(1), '-o', 'ConnectTimeout=15', '-p', '23', '--', 'u123@box.example', 'true']);
    expect(sshProbeArgs('ssh://box.example/repo', opts)?.slice(-5)).toEqual(['-p', '22', '--', 'box.example', 'true']);
    expect(sshProbeArgs('ssh://box.example/repo', { ...opts, command: 'borg --version' })?.at(-1)).toBe('borg --version');
  });

  it('has nothing to probe for a local repository', () => {
    expect(sshProbeArgs('/Volumes/backup-disk/repo', {})).toBeNull();
  });
});

describe('browsing an archive folder', () => {
  it('escapes a name so that, as a regex, it matches exactly that name', () => {
    for (const name of ['a.b', 'x+y (1)', 'price$[2].txt', 'q?*', 'tab\there', 'brace{1,2}', 'caret^|pipe', 'Ünïcødé/dir_1']) {
      const re = new RegExp(`^${pyRegexLiteral(name)}$`);
      expect(re.test(name)).toBe(true);
    }
    expect(new RegExp(`^${pyRegexLiteral('a.b')}$`).test('axb')).toBe(false);
    expect(pyRegexLiteral('Ünïcødé/dir_1')).toBe('Ünïcødé/dir_1');
    expect(pyRegexLiteral('a-b c')).toBe('a\\-b\\ c');
  });

  it('stores folders without their outer slashes, decomposed (NFD) only on macOS', () => {
    const composed = 'caf\u00e9';
    expect(archiveFolder('//home/me/', 'linux')).toBe('home/me');
    expect(archiveFolder(`/${composed}/`, 'linux')).toBe(composed);
    expect(archiveFolder(`/${composed}/`, 'darwin')).toBe(composed.normalize('NFD'));
    expect(archiveFolder('/', 'linux')).toBe('');
  });

  it('lists every item of an archive as JSON lines, the archive after --', () => {
    expect(listItemsArgs('/r', '-a1')).toEqual(['list', '--log-json', '--json-lines', '--', '/r::-a1']);
  });
});

describe('argv details: compact, relative restore paths, trailing slashes', () => {
  it('compacts the repository with the positional after --', () => {
    expect(compactArgs('/r')).toEqual(['compact', '--log-json', '--', '/r']);
  });

  it('leaves a restore path without a leading slash as it is', () => {
    expect(extractArgs('/r', 'a1', ['srv/x/y'])).toEqual(['extract', '--log-json', '--list', '--', '/r::a1', 'srv/x/y']);
  });

  it('strips every trailing slash of an archive folder', () => {
    expect(archiveFolder('home/me//', 'linux')).toBe('home/me');
  });
});

describe('key export argv', () => {
  it('exports the key to stdout, as stored or in paper form, with the repository after --', () => {
    expect(keyExportArgs('/r')).toEqual(['key', 'export', '--log-json', '--', '/r']);
    expect(keyExportArgs('/r', { paper: true })).toEqual(['key', 'export', '--log-json', '--paper', '--', '/r']);
    expect(keyExportArgs('/r', { paper: false })).not.toContain('--paper');
  });
});
