import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dandelion, listArchives, SKIP_BORG_SELFTEST, makeTree, sandbox, writeConfig, type Sandbox } from '../helpers/env.js';
import { startKeyring, type Keyring } from '../helpers/keyring.js';
import { startSshd, type Sshd } from '../helpers/sshd.js';
import { execa } from 'execa';

const PASS = 'ssh-repo-passphrase-91c2';

let sb: Sandbox;
let sshd: Sshd;
let keyring: Keyring;
let url: string;
let knownHosts: string;

beforeAll(async () => {
  sb = await sandbox();
  sshd = await startSshd(path.join(sb.dir, 'sshd'));
  keyring = await startKeyring(sb.home);
  Object.assign(sb.env, keyring.env);
  const src = path.join(sb.dir, 'src');
  await makeTree(src);
  url = `ssh://root@127.0.0.1:${sshd.port}${path.join(sb.dir, 'remote', 'repo')}`;
  knownHosts = path.join(sb.home, '.ssh', 'known_hosts');
  await fs.writeFile(knownHosts, sshd.knownHostsLine + '\n');
  await writeConfig(sb.configDir, {
    profiles: [
      {
        id: 'offsite',
        name: 'Storage box',
        repository: url,
        sshKey: sshd.clientKey,
        encryption: 'repokey-blake2',
        sources: [src],
        schedule: '0 12 * * *',
      },
    ],
  });
  expect((await dandelion(sb, ['passphrase', 'set', 'offsite'], { input: PASS })).exitCode).toBe(0);
});

afterAll(async () => {
  await sshd?.stop();
  await keyring?.stop();
  await sb?.cleanup();
});

describe('an ssh:// repository through a real sshd on loopback', () => {
  it('initialises and backs up over ssh with the profile key', async () => {
    const init = await dandelion(sb, ['init', 'offsite']);
    expect(init.exitCode, init.stderr).toBe(0);
    const run = await dandelion(sb, ['run', 'offsite']);
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    const r = await execa('borg', ['list', '--short', path.join(sb.dir, 'remote', 'repo')], {
      env: { BORG_PASSPHRASE: PASS, BORG_BASE_DIR: path.join(sb.dir, 'b2'), ...SKIP_BORG_SELFTEST },
      reject: false,
    });
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(await listArchives(sb, path.join(sb.dir, 'remote', 'repo'), PASS)).toHaveLength(1);
  });

  it('doctor reports the connection and the repository as fine', async () => {
    const r = await dandelion(sb, ['doctor', 'offsite']);
    expect(r.stdout).toMatch(/ok\s+offsite: connection/);
    expect(r.exitCode, r.stdout).toBe(0);
  });

  it('classifies a changed host key as a possible attack and does not accept it', async () => {
    await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(sb.dir, 'impostor')]);
    const other = await fs.readFile(path.join(sb.dir, 'impostor.pub'), 'utf8');
    await fs.writeFile(knownHosts, `[127.0.0.1]:${sshd.port} ${other.split(' ').slice(0, 2).join(' ')}\n`);
    const before = await fs.readFile(knownHosts, 'utf8');
    const r = await dandelion(sb, ['run', 'offsite']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/changed/i);
    expect(r.stderr).toMatch(/intercepting|attack/i);
    expect(await fs.readFile(knownHosts, 'utf8')).toBe(before);
    const status = JSON.parse((await dandelion(sb, ['status', '--json'])).stdout);
    expect(status.profiles[0].lastRun.result).toBe('error');
  });

  it('reports an unknown host key with its fingerprint and the command that trusts it', async () => {
    await fs.writeFile(knownHosts, '');
    const run = await dandelion(sb, ['run', 'offsite']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(`ssh-keyscan -p ${sshd.port} 127.0.0.1`);
    const doc = await dandelion(sb, ['doctor', 'offsite']);
    expect(doc.exitCode).toBe(2);
    const fp = (await execa('ssh-keygen', ['-lf', `${path.join(sb.dir, 'sshd', 'host_key')}.pub`])).stdout.split(' ')[1]!;
    expect(doc.stdout).toContain(fp);
    await fs.writeFile(knownHosts, sshd.knownHostsLine + '\n');
  });

  it('says the key was refused when the server does not accept it', async () => {
    const stranger = path.join(sb.dir, 'stranger');
    await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', stranger]);
    const cfg = JSON.parse(await fs.readFile(path.join(sb.configDir, 'config.json'), 'utf8'));
    cfg.profiles[0].sshKey = stranger;
    await writeConfig(sb.configDir, cfg);
    const r = await dandelion(sb, ['run', 'offsite']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/rejected the SSH login|refused|denied/i);
  });
});
