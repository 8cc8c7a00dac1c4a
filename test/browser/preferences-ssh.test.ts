/**
 * The preferences window's Test Connection against a real sshd on 127.0.0.1: an unknown host key is
 * shown with its fingerprint and trusted (exactly that key) only after the user confirmed; a changed
 * key is shown as a possible attack and never offered for trust. known_hosts is a temp file
 * (DANDELION_KNOWN_HOSTS), so the real ~/.ssh is never touched.
 */
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTree, sandbox, writeConfig, type Sandbox } from '../helpers/env.js';
import { startSshd, type Sshd } from '../helpers/sshd.js';
import { axeCheck, openWindow, screenshot, type OpenedWindow } from './harness.js';
import { answers, PREFS_SIZE } from './preferences-helpers.js';

const USER = os.userInfo().username;
let sb: Sandbox;
let sshd: Sshd | undefined;
let unavailable: string | null = null;
let w: OpenedWindow | null = null;
const saved = { known: process.env.DANDELION_KNOWN_HOSTS, borg: process.env.BORG_BASE_DIR };

beforeAll(async () => {
  sb = await sandbox('dandelion-prefs-ssh-');
  process.env.BORG_BASE_DIR = sb.env.BORG_BASE_DIR;
  process.env.DANDELION_KNOWN_HOSTS = path.join(sb.dir, 'ssh', 'known_hosts');
  if (!existsSync('/usr/sbin/sshd')) unavailable = 'no sshd at /usr/sbin/sshd (install openssh-server)';
  else
    try {
      sshd = await startSshd(path.join(sb.dir, 'sshd'));
    } catch (err) {
      unavailable = `sshd would not start on 127.0.0.1: ${String(err)}`;
    }
});

afterAll(async () => {
  await w?.close();
  await sshd?.stop();
  await sb.cleanup();
  for (const [key, value] of [
    ['DANDELION_KNOWN_HOSTS', saved.known],
    ['BORG_BASE_DIR', saved.borg],
  ] as const) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

describe('preferences window: an SSH repository', () => {
  it('unknown host key → fingerprint → Trust (confirmed) → connection OK; a changed key → the attack warning, no Trust', async (ctx) => {
    if (unavailable) ctx.skip(unavailable);
    const known = process.env.DANDELION_KNOWN_HOSTS!;
    const port = sshd!.port;
    const hostFp = (await execa('ssh-keygen', ['-l', '-E', 'sha256', '-f', path.join(sb.dir, 'sshd', 'host_key.pub')])).stdout.split(
      ' ',
    )[1]!;
    const src = path.join(sb.dir, 'src');
    await makeTree(src, 3);
    await writeConfig(sb.configDir, {
      profiles: [{ id: 'offsite', name: 'Off-site', repository: path.join(sb.dir, 'local-repo'), sources: [src], encryption: 'none' }],
    });
    w = await openWindow('preferences', {
      configDir: sb.configDir,
      viewport: PREFS_SIZE,
      host: { platform: 'darwin', pickFile: answers(sshd!.clientKey) },
    });
    const { page } = w;
    await page.getByRole('heading', { name: 'Off-site', level: 1 }).waitFor();

    await page.getByRole('radio', { name: 'An SSH server' }).check();
    await page.getByRole('textbox', { name: 'User', exact: true }).fill(USER);
    await page.getByRole('textbox', { name: 'Server', exact: true }).fill('127.0.0.1');
    await page.getByRole('textbox', { name: 'Port', exact: true }).fill(String(port));
    await page.getByRole('textbox', { name: 'Folder on the server' }).fill(path.join(sb.dir, 'remote-repo'));
    await page.getByRole('button', { name: 'Choose…' }).click();
    expect(await page.getByRole('textbox', { name: 'SSH key' }).inputValue()).toBe(sshd!.clientKey);

    // Unknown: the fingerprint the server presents, and a Trust button.
    await page.getByRole('button', { name: 'Test Connection' }).click();
    await page.getByText(`Your Mac has not connected to 127.0.0.1 (port ${port}) before.`).waitFor({ timeout: 30_000 });
    expect(await page.locator('.host-key .fingerprint code').textContent()).toBe(hostFp);
    await page.locator('.host-key').scrollIntoViewIfNeeded();
    await screenshot(page, 'preferences-ssh-unknown-host');
    await axeCheck(page);

    // Trust asks first; Cancel adds nothing.
    await page.getByRole('button', { name: 'Trust This Key…' }).click();
    const sheet = page.getByRole('dialog', { name: 'Trust 127.0.0.1?' });
    await sheet.waitFor();
    expect(await sheet.locator('.fingerprint code').textContent()).toBe(hostFp);
    await screenshot(page, 'preferences-ssh-trust-confirm');
    await sheet.getByRole('button', { name: 'Cancel' }).click();
    expect(existsSync(known)).toBe(false);
    expect(w.invocations.some((i) => i.name === 'trustHostKey')).toBe(false);

    await page.getByRole('button', { name: 'Trust This Key…' }).click();
    await page.getByRole('dialog', { name: 'Trust 127.0.0.1?' }).getByRole('button', { name: 'Trust', exact: true }).click();
    await page.getByText(`ssh to 127.0.0.1 port ${port} works`).waitFor({ timeout: 30_000 });
    expect(w.invocations.filter((i) => i.name === 'trustHostKey').map((i) => i.args)).toEqual([
      { host: '127.0.0.1', port, fingerprint: hostFp },
    ]);
    expect(await fs.readFile(known, 'utf8')).toBe(`${sshd!.knownHostsLine}\n`);

    // The same server with another key on file: a possible attack, never offered for trust.
    const other = path.join(sb.dir, 'other_key');
    await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other], { stdin: 'ignore' });
    const otherPub = (await fs.readFile(`${other}.pub`, 'utf8')).trim().split(' ').slice(0, 2).join(' ');
    await fs.writeFile(known, `[127.0.0.1]:${port} ${otherPub}\n`);
    await page.getByRole('button', { name: 'Test Connection' }).click();
    await page.getByText('Warning: the server’s identity has changed').waitFor({ timeout: 30_000 });
    expect(await page.getByRole('button', { name: 'Trust This Key…' }).count()).toBe(0);
    expect(await page.getByText(/ssh to 127.0.0.1 port \d+ works/).count()).toBe(0);
    await screenshot(page, 'preferences-ssh-changed-host');
    await axeCheck(page);
    expect(await fs.readFile(known, 'utf8')).toBe(`[127.0.0.1]:${port} ${otherPub}\n`);

    // The location is saved as borg's URL.
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Saved.').waitFor();
    expect(w.engine.config.profiles[0]).toMatchObject({
      repository: `ssh://${USER}@127.0.0.1:${port}${path.join(sb.dir, 'remote-repo')}`,
      sshKey: sshd!.clientKey,
    });
    expect(w.pageErrors).toEqual([]);
  });
});
