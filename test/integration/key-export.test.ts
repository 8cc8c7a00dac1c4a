import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { borg, dandelion, makeTree, sandbox, writeConfig, type Sandbox } from '../helpers/env.js';
import { startKeyring, type Keyring } from '../helpers/keyring.js';
import { Engine } from '../../src/engine.js';
import { MemorySecretStore } from '../../src/secrets/keyring.js';

const PASS = 'key export test passphrase 41c9';

let sb: Sandbox;
let keyring: Keyring;
let repo: string;
let keysDir: string;

function expectNoStack(r: { stdout: string; stderr: string }): void {
  expect(`${r.stdout}\n${r.stderr}`).not.toMatch(/^\s+at /m);
}

beforeAll(async () => {
  sb = await sandbox('dandelion-key-');
  keyring = await startKeyring(sb.home);
  Object.assign(sb.env, keyring.env);
  repo = path.join(sb.dir, 'repo');
  keysDir = path.join(sb.env.BORG_BASE_DIR!, '.config', 'borg', 'keys');
  const src = path.join(sb.dir, 'src');
  await makeTree(src, 4);
  await writeConfig(sb.configDir, { profiles: [{ id: 'kf', repository: repo, encryption: 'keyfile-blake2', sources: [src] }] });
  const set = await dandelion(sb, ['passphrase', 'set', 'kf'], { input: `${PASS}\n` });
  expect(set.exitCode, set.stderr).toBe(0);
});

afterAll(async () => {
  await keyring?.stop();
  await sb?.cleanup();
});

describe('a keyfile-blake2 repository: the key must exist somewhere else', () => {
  it('init tells the user to keep the passphrase and the key elsewhere, naming the command', async () => {
    const r = await dandelion(sb, ['init', 'kf']);
    expectNoStack(r);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Store the passphrase somewhere other than this computer/);
    expect(r.stdout).toMatch(/The key is only on this computer \(keyfile-blake2\)/);
    expect(r.stdout).toContain('dandelion key export kf --to FILE');
    // The key is in the sandbox's borg keys folder, nowhere near the real home.
    expect(await fs.readdir(keysDir)).toHaveLength(1);
  });

  it('status and doctor warn while the key was never exported', async () => {
    const json = await dandelion(sb, ['status', '--json']);
    // 1: attention (never backed up, and the key only here); status' exit codes are for monitors.
    expect(json.exitCode, json.stderr).toBe(1);
    expect(JSON.parse(json.stdout).profiles[0]).toMatchObject({ id: 'kf', keyExportedAt: null });
    const human = await dandelion(sb, ['status']);
    expect(human.stdout).toMatch(/key exists only on this computer and was never exported: `dandelion key export kf --to FILE`/);
    const doctor = await dandelion(sb, ['doctor', 'kf']);
    expectNoStack(doctor);
    expect(doctor.exitCode).toBe(2);
    expect(doctor.stdout).toMatch(/^FAIL kf: key: The repository key \(keyfile-blake2\) exists only on this computer/m);
    expect(doctor.stdout).toMatch(/→ Run `dandelion key export kf --to FILE`/);
  });

  it('prints the key to stdout without --to, as borg key export does', async () => {
    const r = await dandelion(sb, ['key', 'export', 'kf']);
    expect(r.exitCode, r.stderr).toBe(0);
    const direct = await borg(sb, ['key', 'export', repo]);
    expect(direct.exitCode, direct.stderr).toBe(0);
    expect(r.stdout).toMatch(/^BORG_KEY [0-9a-f]{64}\n/);
    expect(r.stdout).toBe(direct.stdout);
  });

  it('prints the paper form with --paper', async () => {
    const r = await dandelion(sb, ['key', 'export', 'kf', '--paper']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/BORG PAPER KEY v1/);
    expect(r.stdout).toMatch(/^id: /m);
    expect(r.stdout).not.toMatch(/^BORG_KEY /m);
  });

  it('--to writes a 0600 file (relative to the working directory) that borg key import takes back', async () => {
    const r = await dandelion(sb, ['key', 'export', 'kf', '--to', 'kf.key'], { cwd: sb.dir });
    expectNoStack(r);
    expect(r.exitCode, r.stderr).toBe(0);
    const file = path.join(sb.dir, 'kf.key');
    expect(r.stdout).toContain(file);
    expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
    const text = await fs.readFile(file, 'utf8');
    expect(text).toMatch(/^BORG_KEY /);
    expect(text).not.toContain(PASS);

    // The recovery this is for: this computer's key is gone, the exported copy brings the backups back.
    await fs.rm(keysDir, { recursive: true });
    expect((await borg(sb, ['list', repo], PASS)).exitCode).not.toBe(0);
    const imported = await borg(sb, ['key', 'import', repo, file], PASS);
    expect(imported.exitCode, imported.stderr).toBe(0);
    const list = await borg(sb, ['list', repo], PASS);
    expect(list.exitCode, list.stderr).toBe(0);
  });

  it('refuses to write over an existing file and leaves it as it was', async () => {
    const file = path.join(sb.dir, 'precious.txt');
    await fs.writeFile(file, 'do not touch\n');
    const r = await dandelion(sb, ['key', 'export', 'kf', '--to', file]);
    expectNoStack(r);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/precious\.txt already exists; the key was not written over it/);
    expect(await fs.readFile(file, 'utf8')).toBe('do not touch\n');
  });

  it('no longer warns once the key was exported', async () => {
    const json = JSON.parse((await dandelion(sb, ['status', '--json'])).stdout);
    expect(Date.parse(json.profiles[0].keyExportedAt)).toBeGreaterThan(Date.now() - 120_000);
    expect((await dandelion(sb, ['status'])).stdout).not.toMatch(/never exported/);
    const doctor = await dandelion(sb, ['doctor', 'kf']);
    expect(doctor.exitCode, doctor.stdout).toBe(0);
    expect(doctor.stdout).toMatch(/^ok {3}kf: key: exported /m);
    // Only when it was exported is recorded, never the key.
    const state = await fs.readFile(path.join(sb.configDir, 'cache', 'key-exports.json'), 'utf8');
    expect(Object.keys(JSON.parse(state))).toEqual([repo]);
    expect(state).not.toMatch(/BORG_KEY|PAPER/);
    expect((await fs.stat(path.join(sb.configDir, 'cache', 'key-exports.json'))).mode & 0o777).toBe(0o600);
  });
});

describe('engine.exportKey, for the app', () => {
  it('returns the text without a file, the file without text, and a diagnosis for an unknown profile', async () => {
    const secrets = new MemorySecretStore();
    await secrets.set(repo, PASS);
    const configDir = path.join(sb.dir, 'engine-config');
    await fs.mkdir(configDir);
    await writeConfig(configDir, {
      profiles: [{ id: 'kf', repository: repo, encryption: 'keyfile-blake2', sources: [sb.dir], excludes: [repo] }],
    });
    const saved = { ...process.env };
    Object.assign(process.env, { BORG_BASE_DIR: sb.env.BORG_BASE_DIR, HOME: sb.home });
    try {
      const { engine } = await Engine.open({ configDir, secrets });
      expect((await engine.snapshot()).profiles[0]!.keyExportedAt).toBeNull();
      const text = await engine.exportKey('kf', { paper: false });
      expect(text).toMatchObject({ ok: true, value: { file: null } });
      if (text.ok) expect(text.value.text).toMatch(/^BORG_KEY /);
      const to = path.join(sb.dir, 'engine.key');
      const file = await engine.exportKey('kf', { paper: true, to });
      expect(file).toEqual({ ok: true, value: { file: to, text: null } });
      expect(await fs.readFile(to, 'utf8')).toMatch(/BORG PAPER KEY v1/);
      expect((await engine.snapshot()).profiles[0]!.keyExportedAt).not.toBeNull();
      const unknown = await engine.exportKey('nope', {});
      expect(unknown.ok).toBe(false);
      if (!unknown.ok) expect(unknown.diagnosis.kind).toBe('unknown-profile');
    } finally {
      process.env = saved;
    }
  });
});
