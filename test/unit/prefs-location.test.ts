import { describe, expect, it } from 'vitest';
import { lexicalRepository, parseLocation } from '../../src/borg/location.js';
import {
  baseName,
  buildSshUrl,
  hostAndPort,
  parseRepository,
  shortLocation,
  sshErrors,
  sshPort,
  tildify,
} from '../../renderer/preferences/location.js';

describe('preferences: repository location fields', () => {
  it('takes ssh:// URLs apart into the fields a person fills in', () => {
    expect(parseRepository('ssh://u123@u123.your-storagebox.de:23/./backup/mbp2015')).toEqual({
      kind: 'ssh',
      user: 'u123',
      host: 'u123.your-storagebox.de',
      port: '23',
      path: 'backup/mbp2015',
    });
    expect(parseRepository('ssh://me@host/~/b')).toMatchObject({ port: '', path: '~/b' });
    expect(parseRepository('ssh://host:22/srv/b')).toMatchObject({ user: '', port: '', path: '/srv/b' });
    expect(parseRepository('ssh://me@[::1]:2222/./r')).toMatchObject({ host: '::1', port: '2222' });
  });

  it('reads scp-style locations as borg does, and local paths as local', () => {
    expect(parseRepository('me@host:backup/mac')).toEqual({ kind: 'ssh', user: 'me', host: 'host', port: '', path: 'backup/mac' });
    expect(parseRepository('/Volumes/backup-disk/mac')).toEqual({ kind: 'local', path: '/Volumes/backup-disk/mac' });
    expect(parseRepository('~/backups')).toEqual({ kind: 'local', path: '~/backups' });
  });

  it.each([
    [{ user: 'u123', host: 'u123.example.de', port: '23', path: 'backup/mbp2015' }, 'ssh://u123@u123.example.de:23/./backup/mbp2015'],
    [{ user: 'me', host: 'nas.local', port: '', path: '~/borg' }, 'ssh://me@nas.local/~/borg'],
    [{ user: '', host: '127.0.0.1', port: '22', path: '/srv/borg/' }, 'ssh://127.0.0.1/srv/borg/'],
    [{ user: 'me', host: '::1', port: '2222', path: 'r' }, 'ssh://me@[::1]:2222/./r'],
  ])('builds %j as %s, which borg reads back the same', (parts, url) => {
    expect(buildSshUrl(parts)).toBe(url);
    const loc = parseLocation(url);
    expect(loc).toMatchObject({ kind: 'ssh', host: parts.host, port: sshPort(parts.port) });
    expect(parseRepository(url)).toMatchObject({ ...parts, port: parts.port === '22' ? '' : parts.port });
  });

  it('a relative server path means the login folder, like borg', () => {
    expect(lexicalRepository(buildSshUrl({ user: 'u', host: 'h', port: '', path: 'b' }))).toBe('ssh://u@h:22/./b');
  });

  it('names the field that is wrong', () => {
    expect(sshErrors({ user: 'u', host: 'h', port: '70000', path: 'b' })).toEqual([
      { field: 'port', message: expect.stringMatching(/1 to 65535/) },
    ]);
    expect(sshErrors({ user: 'a b', host: '', port: 'x', path: '' }).map((e) => e.field)).toEqual(['user', 'host', 'port', 'path']);
    expect(sshErrors({ user: '', host: 'bad host', port: '', path: 'b' }).map((e) => e.field)).toEqual(['host']);
    expect(sshErrors({ user: 'u', host: 'example.com', port: '22', path: 'b' })).toEqual([]);
  });

  it('port: empty is 22, anything but 1–65535 is refused', () => {
    expect(sshPort('')).toBe(22);
    expect(sshPort('2222')).toBe(2222);
    expect(sshPort('0')).toBeNull();
    expect(sshPort('65536')).toBeNull();
    expect(sshPort('22a')).toBeNull();
    expect(hostAndPort({ user: '', host: '[::1]', port: '23', path: '' })).toEqual({ host: '::1', port: 23 });
    expect(hostAndPort({ user: '', host: 'h', port: '0', path: '' })).toBeNull();
  });

  it('short names for paths', () => {
    expect(shortLocation('/Volumes/backup-disk/Dandelion/', '/Users/me')).toBe('backup-disk/Dandelion');
    expect(shortLocation('/Users/me/backups', '/Users/me')).toBe('~/backups');
    expect(shortLocation('ssh://u@host.example:23/./b', '/Users/me')).toBe('host.example');
    expect(baseName('/Volumes/backup-disk/mac/')).toBe('mac');
    expect(tildify('/home/me/Documents', '/home/me')).toBe('~/Documents');
    expect(tildify('/home/meme', '/home/me')).toBe('/home/meme');
  });
});
