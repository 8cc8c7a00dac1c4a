import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalRepository, lexicalRepository, parseLocation, sshTarget } from '../../src/borg/location.js';
import { configPaths, repoKey } from '../../src/paths.js';

const home = os.homedir();

describe('lexicalRepository: one spelling per repository, without touching the disk', () => {
  it.each([
    ['/tmp/x/repo', '/tmp/x/repo'],
    ['/tmp/x/./repo/', '/tmp/x/repo'],
    ['/tmp//x/repo//', '/tmp/x/repo'],
    ['/tmp/x/sub/../repo', '/tmp/x/repo'],
    ['file:///tmp/x/repo/', '/tmp/x/repo'],
    ['~', home],
    ['~/backups/./repo/', path.join(home, 'backups/repo')],
    ['  /tmp/x/repo  ', '/tmp/x/repo'],
  ])('local %j → %j', (typed, expected) => {
    expect(lexicalRepository(typed)).toBe(expected);
  });

  it('makes a relative local path absolute against the working directory, as borg does', () => {
    expect(lexicalRepository('repo/')).toBe(path.join(process.cwd(), 'repo'));
  });

  it.each([
    // The default port written out; the user kept when given; the host in lower case.
    ['ssh://u@h/srv/repo', 'ssh://u@h:22/srv/repo'],
    ['ssh://u@h:22/srv/repo/', 'ssh://u@h:22/srv/repo'],
    ['ssh://u@H.Example.ORG:2222/srv//repo', 'ssh://u@h.example.org:2222/srv/repo'],
    ['ssh://h/srv/repo', 'ssh://h:22/srv/repo'],
    ['ssh://u@[::1]:2200/./r', 'ssh://u@[::1]:2200/./r'],
    // Relative to borg serve's working directory.
    ['ssh://u@h:22/./r', 'ssh://u@h:22/./r'],
    ['ssh://u@h/./r/./s/', 'ssh://u@h:22/./r/s'],
    ['u@h:r', 'ssh://u@h:22/./r'],
    ['u@h:./r', 'ssh://u@h:22/./r'],
    ['u@h:r/', 'ssh://u@h:22/./r'],
    // Relative to a home folder.
    ['u@h:~/r', 'ssh://u@h:22/~/r'],
    ['ssh://u@h/~/r/', 'ssh://u@h:22/~/r'],
    ['u@h:~bob/r', 'ssh://u@h:22/~bob/r'],
    ['ssh://u@h:22/~bob/r', 'ssh://u@h:22/~bob/r'],
    // Absolute.
    ['u@h:/srv/repo', 'ssh://u@h:22/srv/repo'],
    ['nas:/srv/repo/', 'ssh://nas:22/srv/repo'],
    ['u@h:/./r', 'ssh://u@h:22/./r'],
    ['ssh://u@h', 'ssh://u@h:22/'],
  ])('ssh %j → %j', (typed, expected) => {
    expect(lexicalRepository(typed)).toBe(expected);
  });

  it('keeps what borg treats as different places apart', () => {
    const distinct = ['u@h:r', 'u@h:~/r', 'u@h:/r', 'v@h:r', 'h:r', 'u@h2:r', 'ssh://u@h:23/./r', 'ssh://u@h/.r'];
    expect(new Set(distinct.map(lexicalRepository)).size).toBe(distinct.length);
  });
});

describe('parseLocation and sshTarget agree on what is remote', () => {
  it.each(['/Volumes/Backup/repo', 'file:///srv/repo', '~/repo', 'c:/repo', 'relative/repo', '/tmp/a:b'])('%j is local', (repo) => {
    expect(parseLocation(repo).kind).toBe('local');
    expect(sshTarget(repo)).toBeNull();
  });

  it('reads user, host, port and path of both forms', () => {
    expect(parseLocation('ssh://borg@host.example:2222/./repo')).toEqual({
      kind: 'ssh',
      user: 'borg',
      host: 'host.example',
      port: 2222,
      path: '/./repo',
      scp: false,
    });
    expect(parseLocation('nas:backups/repo')).toEqual({ kind: 'ssh', host: 'nas', port: 22, path: 'backups/repo', scp: true });
  });
});

describe('canonicalRepository and the repository lock', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'dandelion-loc-')));
    await fs.mkdir(path.join(dir, 'real', 'repo'), { recursive: true });
    await fs.symlink(path.join(dir, 'real'), path.join(dir, 'link'));
  });
  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('follows symlinked folders to the real path', () => {
    const real = path.join(dir, 'real', 'repo');
    expect(canonicalRepository(path.join(dir, 'link', 'repo'))).toBe(real);
    expect(canonicalRepository(`${dir}/link/./repo/`)).toBe(real);
    expect(canonicalRepository(`file://${dir}/link/repo`)).toBe(real);
  });

  it('resolves the deepest folder that exists and appends the part not created yet', () => {
    expect(canonicalRepository(path.join(dir, 'link', 'new', 'repo/'))).toBe(path.join(dir, 'real', 'new', 'repo'));
    expect(canonicalRepository('/nonexistent-dandelion/a/./b/')).toBe('/nonexistent-dandelion/a/b');
  });

  it('leaves ssh locations at their lexical form', () => {
    expect(canonicalRepository('u@h:r')).toBe('ssh://u@h:22/./r');
  });

  it('gives every spelling of one repository the same lock file, and another repository another', () => {
    const paths = configPaths('/cfg');
    const local = [path.join(dir, 'real', 'repo'), `${dir}/real/./repo/`, path.join(dir, 'link', 'repo'), `${dir}//link/repo`];
    expect(new Set(local.map(paths.repoLock)).size).toBe(1);
    const remote = ['ssh://u@h:22/./r', 'u@h:r', 'ssh://u@h/./r', 'ssh://u@h/./r/'];
    expect(new Set(remote.map(repoKey)).size).toBe(1);
    expect(paths.repoLock(local[0]!)).not.toBe(paths.repoLock(path.join(dir, 'real', 'other')));
    expect(repoKey('u@h:r')).not.toBe(repoKey('u@h:~/r'));
    expect(paths.repoLock(local[0]!)).toMatch(/^\/cfg\/locks\/repo-[0-9a-f]{16}\.lock$/);
  });
});
