import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dandelion, sandbox, writeConfig, type Sandbox } from '../helpers/env.js';
import { loadConfig, saveConfig } from '../../src/profiles/store.js';

/** No stack trace, whatever went wrong: a line of node's `    at fn (file:line)` never reaches the user. */
function expectNoStack(r: { stdout: string; stderr: string }): void {
  expect(`${r.stdout}\n${r.stderr}`).not.toMatch(/^\s+at /m);
}

let sb: Sandbox;

beforeAll(async () => {
  sb = await sandbox('dandelion-small-');
});

afterAll(async () => {
  await sb?.cleanup();
});

function profile(id: string, overrides: Record<string, unknown> = {}) {
  // The repositories live in the folder backed up: left out, as a user would have to.
  return {
    id,
    repository: path.join(sb.dir, `repo-${id}`),
    encryption: 'repokey-blake2',
    sources: [sb.dir],
    excludes: [path.join(sb.dir, 'repo-*')],
    ...overrides,
  };
}

const RECORD = {
  profile: 'p',
  trigger: 'manual',
  startedAt: '2026-01-02T10:00:00.000Z',
  finishedAt: '2026-01-02T10:01:00.000Z',
  result: 'success',
  archive: 'host-daily-2026-01-02T10:00:00',
  stats: null,
  message: null,
  diagnoses: [],
  log: null,
};

describe('history lines that are JSON but not a run', () => {
  it.each([
    ['null', 'null'],
    ['a number', '42'],
    ['an empty object', '{}'],
    ['an array', '[]'],
    ['a string', '"hello"'],
    ['a record without startedAt', JSON.stringify({ ...RECORD, startedAt: undefined })],
    ['a record without result', JSON.stringify({ ...RECORD, result: undefined })],
    ['a record whose finishedAt is a number', JSON.stringify({ ...RECORD, finishedAt: 5 })],
  ])('skips %s and still shows the real runs around it', async (_what, junk) => {
    await writeConfig(sb.configDir, { profiles: [profile('p')] });
    await fs.mkdir(path.join(sb.configDir, 'history'), { recursive: true });
    const later = { ...RECORD, startedAt: '2026-01-03T10:00:00.000Z', finishedAt: '2026-01-03T10:01:00.000Z', result: 'warning' };
    await fs.writeFile(
      path.join(sb.configDir, 'history', 'p.jsonl'),
      `${JSON.stringify(RECORD)}\n${junk}\n${JSON.stringify(later)}\n${junk}\n`,
    );
    const json = await dandelion(sb, ['status', '--json']);
    expectNoStack(json);
    // 1: the last run warned (status' exit codes are for monitors); the junk lines changed nothing.
    expect(json.exitCode, json.stderr).toBe(1);
    const p = JSON.parse(json.stdout).profiles[0];
    expect(p.lastRun).toMatchObject({ result: 'warning', startedAt: later.startedAt });
    expect(p.lastSuccessAt).toBe(later.finishedAt);
    const human = await dandelion(sb, ['status']);
    expectNoStack(human);
    expect(human.exitCode, human.stderr).toBe(1);
    expect(human.stdout).toMatch(/last run: warning/);
  });
});

describe('a UTF-8 byte order mark at the start of config.json', () => {
  it('is accepted by the CLI', async () => {
    await fs.writeFile(path.join(sb.configDir, 'config.json'), '\uFEFF' + JSON.stringify({ profiles: [profile('bom')] }));
    const r = await dandelion(sb, ['status', '--json']);
    expectNoStack(r);
    // 1: read fine, and never backed up (status' exit codes are for monitors).
    expect(r.exitCode, r.stderr).toBe(1);
    expect(JSON.parse(r.stdout).profiles[0].id).toBe('bom');
  });

  it('is not written back when the config is saved', async () => {
    const file = path.join(sb.configDir, 'config.json');
    await fs.writeFile(file, '\uFEFF' + JSON.stringify({ profiles: [profile('bom')] }));
    const loaded = await loadConfig(file);
    expect(loaded.ok).toBe(true);
    const saved = await saveConfig(file, { profiles: [profile('bom')] });
    expect(saved.ok).toBe(true);
    const bytes = await fs.readFile(file);
    expect(bytes[0]).toBe('{'.charCodeAt(0));
  });

  it('only at the start: a BOM anywhere else is still invalid JSON, reported and left alone', async () => {
    const file = path.join(sb.configDir, 'config.json');
    const text = '{"profiles": \uFEFF[]}';
    await fs.writeFile(file, text);
    const r = await dandelion(sb, ['status']);
    expectNoStack(r);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('config.json line 1, column 14: a byte order mark (U+FEFF) where a value should be');
    expect(r.stderr).toContain('was left as it is');
    expect(await fs.readFile(file, 'utf8')).toBe(text);
  });
});

describe('no keyring reachable (no Secret Service on the session bus)', () => {
  const away = { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent' };
  const KEYRING = /system keyring could not be reached/;
  const FIX = /Start a Secret Service in this session .*"passcommand"/;

  beforeAll(async () => {
    await writeConfig(sb.configDir, { profiles: [profile('p')] });
    await fs.rm(path.join(sb.configDir, 'history'), { recursive: true, force: true });
  });

  it.each([
    ['run', ['run', 'p']],
    ['init', ['init', 'p']],
    ['archives', ['archives', 'p']],
    ['archives --json', ['archives', 'p', '--json']],
    ['passphrase delete', ['passphrase', 'delete', 'p']],
    ['key export', ['key', 'export', 'p']],
  ])('%s prints the keyring diagnosis and its fix, and exits 2', async (_name, args) => {
    for (const env of [away, { DBUS_SESSION_BUS_ADDRESS: '' }]) {
      const r = await dandelion(sb, args, { env });
      expectNoStack(r);
      expect(r.exitCode, r.stdout + r.stderr).toBe(2);
      expect(r.stderr).toMatch(KEYRING);
      expect(r.stderr).toMatch(FIX);
      // Not the misleading answers of a silent fallback to the kernel keyring.
      expect(r.stdout + r.stderr).not.toMatch(/no passphrase was given|No passphrase was stored|Deleted/);
    }
  });

  it('passphrase set reads the passphrase, then prints the keyring diagnosis and exits 2', async () => {
    const r = await dandelion(sb, ['passphrase', 'set', 'p'], { env: away, input: 'a long passphrase\n' });
    expectNoStack(r);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(KEYRING);
    expect(r.stderr).toMatch(FIX);
    expect(r.stdout + r.stderr).not.toContain('a long passphrase');
  });

  it('doctor fails the passphrase check with the same sentence and fix', async () => {
    const r = await dandelion(sb, ['doctor'], { env: away });
    expectNoStack(r);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toMatch(/FAIL p: passphrase: The system keyring could not be reached/);
    expect(r.stdout).toMatch(FIX);
  });

  it('status and logs do not need the keyring', async () => {
    const status = await dandelion(sb, ['status'], { env: away });
    expectNoStack(status);
    // 2: the runs above failed for want of the keyring; status itself read everything without it.
    expect(status.exitCode, status.stderr).toBe(2);
    expect(status.stdout).toMatch(/^p \(p\)/m);
    const logs = await dandelion(sb, ['logs', 'p'], { env: away });
    expectNoStack(logs);
    expect(logs.stderr).toMatch(/No runs logged yet for "p"/);
  });

  it('a passcommand profile never touches the keyring', async () => {
    await writeConfig(sb.configDir, { profiles: [profile('pc', { passcommand: 'printf %s not-used' })] });
    const r = await dandelion(sb, ['archives', 'pc'], { env: away });
    expectNoStack(r);
    expect(r.stderr).not.toMatch(KEYRING);
    expect(r.stderr).toMatch(/no backup repository/i);
    await writeConfig(sb.configDir, { profiles: [profile('p')] });
  });
});
