import { describe, expect, it } from 'vitest';
import { lexicalRepository } from '../../src/borg/location.js';
import { maskCommand, portOf, repositoryId, slugId, uniqueId, urlHost, vetExcludes, withSshPort } from '../../src/import/profile-bits.js';

describe('withSshPort: an ssh port from an ssh command, written into the repository', () => {
  it.each([
    ['u@host.example:backups/mbp', 'ssh://u@host.example:23/./backups/mbp'],
    ['u@host.example:~/repo', 'ssh://u@host.example:23/~/repo'],
    ['u@host.example:/srv/repo', 'ssh://u@host.example:23/srv/repo'],
    ['host.example:repo', 'ssh://host.example:23/./repo'],
    ['ssh://u@host.example/./repo', 'ssh://u@host.example:23/./repo'],
    ['ssh://u@host.example:2022/./repo', 'ssh://u@host.example:2022/./repo'],
    ['/Volumes/Disk/repo', '/Volumes/Disk/repo'],
  ])('%s → %s', (repo, expected) => {
    expect(withSshPort(repo, 23)).toBe(expected);
  });

  it('keeps the meaning of the path: the same place as borg reads it, on the new port', () => {
    for (const repo of ['u@h.example:backups/x', 'u@h.example:~/x', 'u@h.example:/abs/x', 'ssh://u@h.example/~/x']) {
      expect(lexicalRepository(withSshPort(repo, 23))).toBe(lexicalRepository(repo).replace(':22/', ':23/'));
    }
  });

  it('portOf reads the port an ssh:// URL names', () => {
    expect(portOf('ssh://u@h:23/./r')).toBe(23);
    expect(portOf('ssh://u@h/./r')).toBeNull();
    expect(portOf('u@h:r')).toBeNull();
  });
});

describe('profile ids', () => {
  it.each([
    ['u123.your-storagebox.de:backups', 'your-storagebox'],
    ['ssh://x@x7k2.repo.borgbase.com/./repo', 'borgbase'],
    ['ssh://borg@nas.local/volume1/borg', 'nas'],
    ['ssh://borg@nas/volume1/borg', 'nas'],
    ['zh1234@zh1234.rsync.net:borg', 'rsync'],
    ['ssh://root@192.168.1.20/srv/borg', '192-168-1-20'],
    ['/Volumes/Backup Disk/borg/mbp', 'backup-disk'],
    ['/media/ann/PASSPORT/borg', 'passport'],
    ['~/borg-repo', 'borg-repo'],
  ])('%s → %s', (repo, id) => {
    expect(repositoryId(repo)).toBe(id);
  });

  it('slugs to lower-case letters, digits and dashes, unique within one import', () => {
    expect(slugId('Off-site (Hetzner)')).toBe('off-site-hetzner');
    expect(slugId('Ümlaut Éditions')).toBe('umlaut-editions');
    const taken = new Set<string>();
    expect([uniqueId('nas', taken), uniqueId('nas', taken), uniqueId('', taken)]).toEqual(['nas', 'nas-2', 'imported']);
  });
});

describe('urlHost', () => {
  it('shows the host only: the rest of a ping URL is a secret', () => {
    expect(urlHost('https://hc-ping.com/3b8f0e8e-2d1c')).toBe('hc-ping.com');
    expect(urlHost('https://kuma.example.org:3001/api/push/abc?status=up')).toBe('kuma.example.org:3001');
    expect(urlHost('not a url')).toBe('an unreadable address');
  });
});

describe('vetExcludes', () => {
  it('keeps patterns borg accepts, refuses one borg would refuse and one that empties a source', () => {
    const r = vetExcludes(
      [
        { pattern: '*.pyc', line: 1 },
        { pattern: 'xx:bad', line: 2 },
        { pattern: '~/Documents', line: 3 },
        { pattern: '*.pyc', line: 4 },
      ],
      ['~/Documents', '/etc'],
      '/Users/ann',
    );
    expect(r.kept).toEqual([{ pattern: '*.pyc', line: 1 }]);
    expect(r.refused.map((x) => [x.pattern, x.line])).toEqual([
      ['xx:bad', 2],
      ['~/Documents', 3],
    ]);
    expect(r.refused[1]!.why).toContain('leaves out all of ~/Documents');
  });
});

describe('maskCommand', () => {
  it('shows a hook command without the secrets it may carry', () => {
    expect(maskCommand('curl -fsS -m 10 --retry 5 https://hc-ping.com/3b8f0e8e-2d1c/start')).toBe(
      'curl -fsS -m 10 --retry 5 https://hc-ping.com/…',
    );
    expect(maskCommand('BORG_PASSPHRASE=hunter2 borg list')).toBe('BORG_PASSPHRASE=… borg list');
    expect(maskCommand("MYSQL_PASSWORD='s e c' mysqldump --all")).toBe('MYSQL_PASSWORD=… mysqldump --all');
    expect(maskCommand('echo "`date` - backup done"')).toBe('echo "`date` - backup done"');
  });
});
