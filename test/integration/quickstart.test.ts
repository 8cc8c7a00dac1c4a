/**
 * `npm run quickstart` (scripts/quickstart.mjs, with the built CLI and real borg): it makes a trial
 * (an unencrypted repository on the same disk as what it backs up) and says so, what it made and
 * how to make a real backup; what it says is checked against what borg and the filesystem report.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { borg, listArchives, makeTree, ROOT, sandbox, type Sandbox } from '../helpers/env.js';

let sb: Sandbox;
beforeEach(async () => {
  sb = await sandbox('dandelion-quickstart-');
});
afterEach(() => sb.cleanup());

const quickstart = () =>
  execa(process.execPath, [path.join(ROOT, 'scripts', 'quickstart.mjs')], {
    reject: false,
    extendEnv: false,
    env: sb.env,
    stdin: 'ignore',
    timeout: 120_000,
  });

describe('npm run quickstart', () => {
  it('backs up ~/Documents once and says it made an unencrypted trial on the same disk, and how to make a real backup', async () => {
    const documents = path.join(sb.home, 'Documents');
    await makeTree(documents, 12);
    const repository = path.join(sb.home, '.local', 'share', 'dandelion-quickstart', 'repo');

    const r = await quickstart();
    expect(r.exitCode, r.stderr).toBe(0);
    const out = r.stdout;

    // What borg reports: one archive, no encryption; and the repository is on the disk of the sources.
    expect(await listArchives(sb, repository)).toHaveLength(1);
    const info = await borg(sb, ['info', '--json', repository]);
    expect(JSON.parse(info.stdout).encryption.mode).toBe('none');
    expect((await fs.stat(repository)).dev).toBe((await fs.stat(documents)).dev);

    // What it made, named.
    expect(out).toContain(`Backs up    ${documents}`);
    expect(out).toContain(`To          ${repository}`);
    expect(out).toContain(path.join(sb.configDir, 'config.json'));
    expect(out).toMatch(/every day at 12:00/);
    // Why it is only a trial: both reasons, in words.
    expect(out).toMatch(/a trial backup, not one to rely on/);
    expect(out).toContain(`The repository is on the same disk as ${documents}`);
    expect(out).toMatch(/not encrypted/);
    // How to make a real one: the Preferences window, or a profile with encryption on another disk or a server.
    expect(out).toMatch(/another disk or a server, with encryption/);
    expect(out).toMatch(/Preferences…, then Add a backup/);
    expect(out).toMatch(/"encryption": "repokey-blake2"/);
    expect(out).toMatch(/ssh:\/\/user@host\/\.\/backup/);
    expect(out).toMatch(/dandelion passphrase set docs\n\s+dandelion init docs\n\s+dandelion run docs/);

    // Run again: the config is left as it is, and the trial is still called one.
    const config = await fs.readFile(path.join(sb.configDir, 'config.json'), 'utf8');
    const again = await quickstart();
    expect(again.stdout).toContain('Using the existing');
    expect(again.stdout).toMatch(/a trial backup, not one to rely on/);
    expect(await fs.readFile(path.join(sb.configDir, 'config.json'), 'utf8')).toBe(config);
  });

  it('says nothing of a trial for a config it did not make', async () => {
    await fs.writeFile(
      path.join(sb.configDir, 'config.json'),
      JSON.stringify({
        profiles: [{ id: 'docs', repository: path.join(sb.dir, 'repo'), encryption: 'repokey-blake2', sources: [sb.home] }],
      }),
    );
    const r = await quickstart();
    expect(r.stdout).toContain('Using the existing');
    expect(r.stdout).not.toMatch(/trial/);
  });
});
