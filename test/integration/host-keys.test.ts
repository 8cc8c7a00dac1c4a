/**
 * Seeing and trusting a server's host key against a real sshd on 127.0.0.1: what the preferences
 * window shows, what it adds to known_hosts, and that ssh (and borg through the engine) then accept
 * the server with strict host key checking, from the same file.
 */
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { scanHostKeys, trustHostKey } from '../../src/ssh/host-keys.js';
import { sshProbeArgs } from '../../src/borg/argv.js';
import { Engine } from '../../src/engine.js';
import { MemorySecretStore } from '../../src/secrets/keyring.js';
import { freePort, startSshd, type Sshd } from '../helpers/sshd.js';

const SSHD = '/usr/sbin/sshd';
const USER = os.userInfo().username;

let dir: string;
let sshd: Sshd | undefined;
let unavailable: string | null = null;
let hostFp: string;
let kh: string;
let n = 0;
const savedEnv = { known: process.env.DANDELION_KNOWN_HOSTS, borgBase: process.env.BORG_BASE_DIR };

function keygen(file: string, type: string, extra: string[] = []) {
  return execa('ssh-keygen', ['-q', '-t', type, ...extra, '-N', '', '-C', 'dandelion-test', '-f', file], { stdin: 'ignore' });
}

async function fingerprint(pubFile: string): Promise<string> {
  return (await execa('ssh-keygen', ['-l', '-E', 'sha256', '-f', pubFile])).stdout.split(' ')[1]!;
}

/** `ssh … true` with strict checking against `file`, as borg's ssh runs it. */
function connect(port: number, file: string) {
  return execa(
    'ssh',
    [
      '-i',
      sshd!.clientKey,
      '-o',
      'IdentitiesOnly=yes',
      '-o',
      'BatchMode=yes',
      '-o',
      'StrictHostKeyChecking=yes',
      '-o',
      `UserKnownHostsFile=${file}`,
      '-o',
      'ConnectTimeout=10',
      '-p',
      String(port),
      '--',
      `${USER}@127.0.0.1`,
      'true',
    ],
    { reject: false, stdin: 'ignore', timeout: 30_000 },
  );
}

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dandelion-host-keys-'));
  if (!existsSync(SSHD)) {
    unavailable = `no sshd at ${SSHD} (install openssh-server to run the host key tests)`;
    return;
  }
  try {
    sshd = await startSshd(path.join(dir, 'sshd'));
  } catch (err) {
    unavailable = `sshd would not start on 127.0.0.1: ${String(err)}`;
    return;
  }
  hostFp = await fingerprint(path.join(dir, 'sshd', 'host_key.pub'));
  process.env.BORG_BASE_DIR = path.join(dir, 'borg-base');
});

afterAll(async () => {
  await sshd?.stop();
  await fs.rm(dir, { recursive: true, force: true });
  for (const [key, value] of [
    ['DANDELION_KNOWN_HOSTS', savedEnv.known],
    ['BORG_BASE_DIR', savedEnv.borgBase],
  ] as const) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

beforeEach((ctx) => {
  if (unavailable) ctx.skip(unavailable);
  // Each test its own known_hosts, in a folder that does not exist yet; the default file points there.
  kh = path.join(dir, `home-${++n}`, '.ssh', 'known_hosts');
  process.env.DANDELION_KNOWN_HOSTS = kh;
});

describe('an unknown server', () => {
  it('is shown with its fingerprint, trusted with that fingerprint, and ssh then connects with strict checking', async () => {
    const port = sshd!.port;
    const scan = await scanHostKeys('127.0.0.1', port);
    expect(scan).toEqual({
      ok: true,
      value: { host: '127.0.0.1', port, state: 'unknown', keys: [{ type: 'ED25519', fingerprint: hostFp }], knownHostsFile: kh },
    });
    expect((await connect(port, kh)).exitCode).not.toBe(0);

    const trust = await trustHostKey('127.0.0.1', port, hostFp);
    expect(trust).toEqual({ ok: true, value: { added: sshd!.knownHostsLine, knownHostsFile: kh } });
    expect(await fs.readFile(kh, 'utf8')).toBe(`${sshd!.knownHostsLine}\n`);
    expect((await fs.stat(kh)).mode & 0o777).toBe(0o600);
    expect((await fs.stat(path.dirname(kh))).mode & 0o777).toBe(0o700);

    expect(await scanHostKeys('127.0.0.1', port)).toMatchObject({ ok: true, value: { state: 'known' } });
    const ssh = await connect(port, kh);
    expect(ssh.exitCode, ssh.stderr).toBe(0);
    // The engine's own ssh options (no file named: the default) verify against the same file.
    const probe = await execa('ssh', sshProbeArgs(`ssh://${USER}@127.0.0.1:${port}/repo`, { sshKey: sshd!.clientKey })!, {
      reject: false,
      stdin: 'ignore',
      timeout: 30_000,
    });
    expect(probe.exitCode, probe.stderr).toBe(0);
  });

  it('trusting an already known server again changes nothing', async () => {
    await fs.mkdir(path.dirname(kh), { recursive: true });
    await fs.writeFile(kh, `${sshd!.knownHostsLine}\n`);
    const trust = await trustHostKey('127.0.0.1', sshd!.port, hostFp, { knownHostsFile: kh });
    expect(trust).toEqual({ ok: true, value: { added: '', knownHostsFile: kh } });
    expect(await fs.readFile(kh, 'utf8')).toBe(`${sshd!.knownHostsLine}\n`);
  });

  it('keeps what known_hosts already holds, even without a final newline, and adds its line on a line of its own', async () => {
    await fs.mkdir(path.dirname(kh), { recursive: true });
    const other = (await fs.readFile(path.join(dir, 'sshd', 'client_key.pub'), 'utf8')).trim().split(' ').slice(0, 2).join(' ');
    const before = `# mine\nbox.example ${other}`;
    await fs.writeFile(kh, before, { mode: 0o644 });
    const trust = await trustHostKey('127.0.0.1', sshd!.port, hostFp);
    expect(trust.ok).toBe(true);
    expect(await fs.readFile(kh, 'utf8')).toBe(`${before}\n${sshd!.knownHostsLine}\n`);
    expect((await fs.stat(kh)).mode & 0o777).toBe(0o644);
    expect((await connect(sshd!.port, kh)).exitCode).toBe(0);
  });

  it('refuses a fingerprint the server does not present and writes nothing', async () => {
    const wrong = 'SHA256:' + 'A'.repeat(43);
    const refused = await trustHostKey('127.0.0.1', sshd!.port, wrong);
    expect(refused).toMatchObject({ ok: false, diagnosis: { kind: 'ssh-host-unknown' } });
    expect(refused.ok ? '' : refused.diagnosis.message).toContain(wrong);
    expect(existsSync(kh)).toBe(false);
    expect(existsSync(path.dirname(kh))).toBe(false);

    await fs.mkdir(path.dirname(kh), { recursive: true });
    await fs.writeFile(kh, 'box.example ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGd1bW15a2V5Zm9ydGVzdHNvbmx5MDEyMzQ1Njc4OWFi\n');
    const before = await fs.readFile(kh);
    expect((await trustHostKey('127.0.0.1', sshd!.port, wrong)).ok).toBe(false);
    expect((await fs.readFile(kh)).equals(before)).toBe(true);
  });

  it('lets borg, run by the engine, reach the server only once its key is trusted, through the same file', async () => {
    const configDir = path.join(dir, `config-${n}`);
    await fs.mkdir(configDir, { recursive: true });
    const repo = `ssh://${USER}@127.0.0.1:${sshd!.port}${path.join(dir, `remote-${n}`, 'repo')}`;
    const profile = {
      id: 'offsite',
      name: 'Offsite',
      repository: repo,
      sshKey: sshd!.clientKey,
      encryption: 'none',
      sources: [dir],
      prune: null,
    };
    await fs.writeFile(path.join(configDir, 'config.json'), JSON.stringify({ profiles: [profile] }));
    const { engine, load } = await Engine.open({ configDir, secrets: new MemorySecretStore() });
    expect(load.ok).toBe(true);
    try {
      expect(await engine.init('offsite')).toMatchObject({ ok: false, diagnosis: { kind: 'ssh-host-unknown' } });
      expect((await trustHostKey('127.0.0.1', sshd!.port, hostFp)).ok).toBe(true);
      const init = await engine.init('offsite');
      expect(init.ok, JSON.stringify(init)).toBe(true);
    } finally {
      await engine.cancelAll();
    }
  });
});

describe('a server whose key changed', () => {
  async function pinImpostor(): Promise<Buffer> {
    const impostor = path.join(dir, `impostor-${n}`);
    await keygen(impostor, 'ed25519');
    const key = (await fs.readFile(`${impostor}.pub`, 'utf8')).split(' ').slice(0, 2).join(' ');
    await fs.mkdir(path.dirname(kh), { recursive: true });
    await fs.writeFile(kh, `[127.0.0.1]:${sshd!.port} ${key}\n`);
    return fs.readFile(kh);
  }

  it('is reported as changed, and trusting the key it now presents is refused with the file untouched', async () => {
    const before = await pinImpostor();
    const scan = await scanHostKeys('127.0.0.1', sshd!.port);
    expect(scan).toMatchObject({ ok: true, value: { state: 'changed', keys: [{ type: 'ED25519', fingerprint: hostFp }] } });
    const refused = await trustHostKey('127.0.0.1', sshd!.port, hostFp);
    expect(refused).toMatchObject({ ok: false, diagnosis: { kind: 'ssh-host-changed' } });
    expect(refused.ok ? '' : refused.diagnosis.message).toMatch(/intercepting/);
    expect((await fs.readFile(kh)).equals(before)).toBe(true);
  });

  it('is found in a hashed known_hosts too, and a hashed entry of the right key counts as known', async () => {
    await pinImpostor();
    await execa('ssh-keygen', ['-H', '-f', kh], { stdin: 'ignore' });
    expect(await fs.readFile(kh, 'utf8')).toMatch(/^\|1\|/);
    const before = await fs.readFile(kh);
    expect(await scanHostKeys('127.0.0.1', sshd!.port)).toMatchObject({ ok: true, value: { state: 'changed' } });
    expect((await trustHostKey('127.0.0.1', sshd!.port, hostFp)).ok).toBe(false);
    expect((await fs.readFile(kh)).equals(before)).toBe(true);

    await fs.writeFile(kh, `${sshd!.knownHostsLine}\n`);
    await execa('ssh-keygen', ['-H', '-f', kh], { stdin: 'ignore' });
    expect(await scanHostKeys('127.0.0.1', sshd!.port)).toMatchObject({ ok: true, value: { state: 'known' } });
  });
});

describe('a server with several host keys', () => {
  let child: ResultPromise | undefined;
  let port: number;
  const pubs: Record<string, string> = {};

  afterEach(async () => {
    child?.kill('SIGTERM');
    await child;
    child = undefined;
  });

  /** A second sshd with an ed25519, an ECDSA and an RSA host key, accepting the same client key. */
  async function startMultiKeySshd(): Promise<void> {
    const d = path.join(dir, `multi-${n}`);
    await fs.mkdir(d, { recursive: true });
    const hostKeys: string[] = [];
    for (const [type, extra] of [
      ['ed25519', []],
      ['ecdsa', ['-b', '256']],
      ['rsa', ['-b', '2048']],
    ] as const) {
      const file = path.join(d, `host_${type}`);
      await keygen(file, type, [...extra]);
      pubs[type] = (await fs.readFile(`${file}.pub`, 'utf8')).split(' ').slice(0, 2).join(' ');
      hostKeys.push(`HostKey ${file}`);
    }
    port = await freePort();
    const config = [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      ...hostKeys,
      `AuthorizedKeysFile ${path.join(dir, 'sshd', 'authorized_keys')}`,
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
      'StrictModes no',
      'UsePAM no',
      `PidFile ${path.join(d, 'sshd.pid')}`,
      'LogLevel ERROR',
    ];
    await fs.writeFile(path.join(d, 'sshd_config'), config.join('\n') + '\n');
    child = execa(SSHD, ['-D', '-e', '-f', path.join(d, 'sshd_config')], { reject: false, stdin: 'ignore' });
    const deadline = Date.now() + 10_000;
    while (!(await scanHostKeys('127.0.0.1', port, { timeoutMs: 2000 })).ok) {
      if (Date.now() > deadline) throw new Error(`the second sshd did not listen on ${port}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it('shows every key and adds only the one whose fingerprint was confirmed', async () => {
    await startMultiKeySshd();
    const scan = await scanHostKeys('127.0.0.1', port);
    expect(scan.ok).toBe(true);
    const keys = scan.ok ? scan.value.keys : [];
    expect(keys.map((k) => k.type).sort()).toEqual(['ECDSA', 'ED25519', 'RSA']);
    const ecdsa = keys.find((k) => k.type === 'ECDSA')!;

    const trust = await trustHostKey('127.0.0.1', port, ecdsa.fingerprint);
    const line = `[127.0.0.1]:${port} ${pubs.ecdsa}`;
    expect(trust).toEqual({ ok: true, value: { added: line, knownHostsFile: kh } });
    expect(await fs.readFile(kh, 'utf8')).toBe(`${line}\n`);
    expect(await scanHostKeys('127.0.0.1', port)).toMatchObject({ ok: true, value: { state: 'known' } });
    const ssh = await connect(port, kh);
    expect(ssh.exitCode, ssh.stderr).toBe(0);
  });
});

describe('a server out of reach', () => {
  it('is a lost connection, for a look and for a trust, and nothing is written', async () => {
    const port = await freePort();
    const scan = await scanHostKeys('127.0.0.1', port, { timeoutMs: 5000 });
    expect(scan).toMatchObject({ ok: false, diagnosis: { kind: 'connection-lost' } });
    expect(scan.ok ? '' : scan.diagnosis.message).toContain(`127.0.0.1 (port ${port})`);
    expect(await trustHostKey('127.0.0.1', port, hostFp, { timeoutMs: 5000 })).toMatchObject({
      ok: false,
      diagnosis: { kind: 'connection-lost' },
    });
    expect(existsSync(kh)).toBe(false);
  });
});
