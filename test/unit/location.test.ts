import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalRepository, lexicalRepository, parseLocation, sshTarget } from '../../src/borg/location.js';
import { configPaths, repoKey } from '../../src/paths.js';
import { Passphrases } from '../../src/engine/passphrases.js';
import { keyringAccount, MemorySecretStore } from '../../src/secrets/keyring.js';
import { parseConfig, type Profile } from '../../src/profiles/schema.js';

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

describe('the keyring account follows the canonical location', () => {
  const PASS = 'a long passphrase';
  let dir: string;
  beforeAll(async () => {
    dir = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'dandelion-acct-')));
    await fs.mkdir(path.join(dir, 'real'));
    await fs.symlink(path.join(dir, 'real'), path.join(dir, 'link'));
  });
  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  function profile(repository: string): Profile {
    const r = parseConfig({ profiles: [{ id: 'docs', repository, encryption: 'repokey-blake2', sources: ['/s'] }] });
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    return r.config.profiles[0]!;
  }

  /** A store that records what was done to it, and can be told to fail writes. */
  class Recording extends MemorySecretStore {
    calls: string[] = [];
    failWrites = false;
    override async get(account: string) {
      this.calls.push(`get ${account}`);
      return super.get(account);
    }
    override async set(account: string, secret: string) {
      this.calls.push(`set ${account}`);
      if (this.failWrites) throw new Error('locked');
      return super.set(account, secret);
    }
    override async delete(account: string) {
      this.calls.push(`delete ${account}`);
      if (this.failWrites) throw new Error('locked');
      return super.delete(account);
    }
  }

  it('names the account by the canonical location', () => {
    expect(keyringAccount(`${dir}/link/./repo/`)).toBe(path.join(dir, 'real', 'repo'));
    expect(keyringAccount('u@h:r')).toBe('ssh://u@h:22/./r');
  });

  it('finds a passphrase saved under one spelling from every other spelling', async () => {
    const store = new MemorySecretStore();
    const saved = await new Passphrases(store).save(profile(`${dir}/link/repo`), PASS, async () => ({
      outcome: 'unverified',
      reason: 'repository-missing',
      diagnosis: { kind: 'repo-missing', message: 'not created yet.', fix: '' },
    }));
    expect(saved.ok).toBe(true);
    for (const spelling of [`${dir}/real/repo`, `${dir}/real/./repo/`, `${dir}//link/repo`]) {
      expect(await new Passphrases(store).secretFor(profile(spelling))).toEqual({ kind: 'passphrase', value: PASS });
    }
    expect(await store.get(path.join(dir, 'real', 'repo'))).toBe(PASS);
    expect(await store.get(`${dir}/link/repo`)).toBeNull();
  });

  it('moves a passphrase stored under the location as typed to the canonical account: set first, then delete', async () => {
    const typed = `${dir}/link/./old/`;
    const store = new Recording();
    await store.set(typed, PASS);
    store.calls = [];
    const passphrases = new Passphrases(store);
    expect(await passphrases.state(profile(typed))).toEqual({ ok: true, value: { source: 'keyring', stored: true } });
    const account = path.join(dir, 'real', 'old');
    expect(store.calls).toEqual([`get ${account}`, `get ${typed}`, `set ${account}`, `delete ${typed}`]);
    expect(await store.get(account)).toBe(PASS);
    expect(await store.get(typed)).toBeNull();
    expect(await passphrases.secretFor(profile(typed))).toEqual({ kind: 'passphrase', value: PASS });
  });

  it('still gives the run its passphrase when the move fails, and moves it next time', async () => {
    const store = new Recording();
    await store.set('u@h:r', PASS);
    store.failWrites = true;
    const p = profile('u@h:r');
    expect(await new Passphrases(store).secretFor(p)).toEqual({ kind: 'passphrase', value: PASS });
    expect(await store.get('u@h:r')).toBe(PASS);
    store.failWrites = false;
    expect(await new Passphrases(store).secretFor(p)).toEqual({ kind: 'passphrase', value: PASS });
    expect(await store.get('ssh://u@h:22/./r')).toBe(PASS);
    expect(await store.get('u@h:r')).toBeNull();
  });

  it('saving replaces a passphrase left under the typed location, and deleting removes both', async () => {
    const store = new MemorySecretStore();
    await store.set('u@h:r', 'the old one');
    const p = profile('u@h:r');
    const saved = await new Passphrases(store).save(p, PASS, async () => ({ outcome: 'verified' }));
    expect(saved.ok).toBe(true);
    expect(await store.get('u@h:r')).toBeNull();
    expect(await store.get('ssh://u@h:22/./r')).toBe(PASS);
    await store.set('u@h:r', 'the old one');
    expect(await new Passphrases(store).delete(p)).toEqual({ ok: true, value: { deleted: true } });
    expect(await store.get('u@h:r')).toBeNull();
    expect(await store.get('ssh://u@h:22/./r')).toBeNull();
    expect(await new Passphrases(store).state(p)).toEqual({ ok: true, value: { source: 'keyring', stored: false } });
  });
});
