/**
 * Preferences › Test Connection (doctorDraft) against real ssh: each way a connection fails is named
 * for what it is, and none of the answers speaks of a run ("the next run resumes …").
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { doctorDraft, type Finding } from '../../src/doctor.js';
import { freePort, startSshd, type Sshd } from '../helpers/sshd.js';
import { dandelion, sandbox, writeConfig } from '../helpers/env.js';

let dir: string;
let plain: Sshd;
let noBorg: Sshd;
const savedKnownHosts = process.env.DANDELION_KNOWN_HOSTS;

function only(findings: Finding[]): Finding {
  expect(findings).toHaveLength(1);
  const f = findings[0]!;
  expect(`${f.message} ${f.fix ?? ''}`).not.toMatch(/checkpoint|next run|not saved/);
  return f;
}

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dandelion-test-connection-'));
  plain = await startSshd(path.join(dir, 'plain'));
  // A server where borg is not on the PATH of a login: ssh works, `borg --version` is "command not found".
  noBorg = await startSshd(path.join(dir, 'no-borg'), { extraConfig: ['SetEnv PATH=/nonexistent'] });
  const knownHosts = path.join(dir, 'known_hosts');
  await fs.writeFile(knownHosts, `${plain.knownHostsLine}\n${noBorg.knownHostsLine}\n`);
  process.env.DANDELION_KNOWN_HOSTS = knownHosts;
}, 60_000);

afterAll(async () => {
  if (savedKnownHosts === undefined) delete process.env.DANDELION_KNOWN_HOSTS;
  else process.env.DANDELION_KNOWN_HOSTS = savedKnownHosts;
  await plain?.stop();
  await noBorg?.stop();
  await fs.rm(dir, { recursive: true, force: true });
});

describe('Test Connection names the real cause', () => {
  it('a server with borg: ssh works and borg is there', async () => {
    const f = only(await doctorDraft({ repository: `ssh://root@127.0.0.1:${plain.port}/srv/repo`, sshKey: plain.clientKey }));
    expect(f).toMatchObject({ check: 'connection', ok: true });
    expect(f.message).toBe(`ssh to 127.0.0.1 port ${plain.port} works, and borg is there`);
  });

  it('a port nothing listens on: refused', async () => {
    const port = await freePort();
    const f = only(await doctorDraft({ repository: `ssh://root@127.0.0.1:${port}/srv/repo`, sshKey: plain.clientKey }));
    expect(f).toMatchObject({ check: 'connection', ok: false, kind: 'connection-lost' });
    expect(f.message).toBe(`127.0.0.1 refused the connection on port ${port}: nothing listens for SSH there.`);
  });

  it('a host name that does not resolve: not found', async () => {
    const f = only(await doctorDraft({ repository: 'ssh://u123@backup.example.invalid:23/./repo', sshKey: plain.clientKey }));
    expect(f).toMatchObject({ check: 'connection', ok: false, kind: 'connection-lost' });
    expect(f.message).toBe('The server name backup.example.invalid was not found (DNS could not resolve it).');
    expect(f.fix).toContain('for a typo');
  });

  it('a server without borg: named as such, not as a lost connection', async () => {
    const f = only(await doctorDraft({ repository: `ssh://root@127.0.0.1:${noBorg.port}/srv/repo`, sshKey: noBorg.clientKey }));
    expect(f).toMatchObject({ check: 'connection', ok: false, kind: 'borg-missing' });
    expect(f.message).toBe(`BorgBackup is not installed on the server 127.0.0.1 (port ${noBorg.port}).`);
    expect(f.fix).toContain('Install BorgBackup 1.2 or newer on the server');
  });

  it('the host key and the login keep their own kinds', async () => {
    const unknownHost = path.join(dir, 'empty_known_hosts');
    await fs.writeFile(unknownHost, '');
    process.env.DANDELION_KNOWN_HOSTS = unknownHost;
    try {
      const f = only(await doctorDraft({ repository: `ssh://root@127.0.0.1:${plain.port}/srv/repo`, sshKey: plain.clientKey }));
      expect(f.kind).toBe('ssh-host-unknown');
    } finally {
      process.env.DANDELION_KNOWN_HOSTS = path.join(dir, 'known_hosts');
    }
    const otherKey = path.join(dir, 'other_key');
    await fs.copyFile(noBorg.clientKey, otherKey);
    await fs.chmod(otherKey, 0o600);
    const f = only(await doctorDraft({ repository: `ssh://root@127.0.0.1:${plain.port}/srv/repo`, sshKey: otherKey }));
    expect(f.kind).toBe('ssh-permission-denied');
  });
});

describe('dandelion doctor for a saved profile words a failed connection for a test too', () => {
  it('a host name that does not resolve, and a server without borg: the cause, no checkpoint', async () => {
    const sb = await sandbox('dandelion-doctor-connection-');
    try {
      await fs.writeFile(path.join(sb.home, 'known_hosts'), `${noBorg.knownHostsLine}\n`);
      const env = { DANDELION_KNOWN_HOSTS: path.join(sb.home, 'known_hosts') };
      const common = { encryption: 'none', sources: [sb.dir], prune: null };
      await writeConfig(sb.configDir, {
        profiles: [
          { id: 'nowhere', repository: 'ssh://u123@backup.example.invalid:23/./repo', ...common },
          { id: 'noborg', repository: `ssh://root@127.0.0.1:${noBorg.port}/srv/repo`, sshKey: noBorg.clientKey, ...common },
        ],
      });
      const nowhere = await dandelion(sb, ['doctor', 'nowhere'], { env });
      expect(nowhere.exitCode).toBe(2);
      expect(nowhere.stdout).toContain('The server name backup.example.invalid was not found (DNS could not resolve it).');
      const noborg = await dandelion(sb, ['doctor', 'noborg'], { env });
      expect(noborg.exitCode).toBe(2);
      expect(noborg.stdout).toContain(`BorgBackup is not installed on the server 127.0.0.1 (port ${noBorg.port}).`);
      expect(nowhere.stdout + noborg.stdout).not.toMatch(/checkpoint|next run/);
    } finally {
      await sb.cleanup();
    }
  }, 60_000);
});
