import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';

export interface Sshd {
  port: number;
  clientKey: string;
  hostPublicKey: string;
  knownHostsLine: string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

async function keygen(file: string): Promise<void> {
  await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'dandelion-test', '-f', file], { stdin: 'ignore' });
}

async function waitForPort(port: number, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`sshd did not listen on ${port}`);
}

/** A real sshd on 127.0.0.1 with a throw-away host key that accepts one throw-away client key. */
/** `extraConfig`: more sshd_config lines, e.g. `SetEnv PATH=/nowhere` for a server without borg on its PATH. */
export async function startSshd(dir: string, opts: { extraConfig?: string[] } = {}): Promise<Sshd> {
  await fs.mkdir(dir, { recursive: true });
  await fs.mkdir('/run/sshd', { recursive: true, mode: 0o755 }).catch(() => {});
  const hostKey = path.join(dir, 'host_key');
  const clientKey = path.join(dir, 'client_key');
  await keygen(hostKey);
  await keygen(clientKey);
  await fs.copyFile(`${clientKey}.pub`, path.join(dir, 'authorized_keys'));
  const port = await freePort();
  const config = [
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${hostKey}`,
    `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PermitRootLogin prohibit-password',
    'StrictModes no',
    'UsePAM no',
    `PidFile ${path.join(dir, 'sshd.pid')}`,
    'LogLevel ERROR',
    ...(opts.extraConfig ?? []),
  ].join('\n');
  await fs.writeFile(path.join(dir, 'sshd_config'), config + '\n');
  const child: ResultPromise = execa('/usr/sbin/sshd', ['-D', '-e', '-f', path.join(dir, 'sshd_config')], {
    reject: false,
    stdin: 'ignore',
  });
  await waitForPort(port, Date.now() + 10_000);
  const hostPublicKey = (await fs.readFile(`${hostKey}.pub`, 'utf8')).trim().split(' ').slice(0, 2).join(' ');
  return {
    port,
    clientKey,
    hostPublicKey,
    knownHostsLine: `[127.0.0.1]:${port} ${hostPublicKey}`,
    stop: async () => {
      child.kill('SIGTERM');
      await child;
    },
  };
}
