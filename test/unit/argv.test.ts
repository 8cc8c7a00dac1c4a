import os from 'node:os';
import { describe, expect, it } from 'vitest';
import {
  archiveGlob,
  borgRsh,
  breakLockArgs,
  checkArgs,
  createArgs,
  extractArgs,
  infoArgs,
  initArgs,
  isRemote,
  pruneArgs,
  sshTarget,
  listArgs,
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
