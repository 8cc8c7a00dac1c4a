import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, dandelion, sandbox, writeConfig, type Sandbox } from '../helpers/env.js';
import { startKeyring, type Keyring } from '../helpers/keyring.js';

function expectNoStack(r: { stdout: string; stderr: string }): void {
  expect(`${r.stdout}\n${r.stderr}`).not.toMatch(/^\s+at /m);
}

let sb: Sandbox;

beforeAll(async () => {
  sb = await sandbox('dandelion-cli-');
});

afterAll(async () => {
  await sb?.cleanup();
});

function profile(id: string, overrides: Record<string, unknown> = {}) {
  // The repositories live in the folder backed up: left out, as a user would have to.
  return {
    id,
    repository: path.join(sb.dir, `repo-${id}`),
    encryption: 'none',
    sources: [sb.dir],
    excludes: [path.join(sb.dir, 'repo-*')],
    ...overrides,
  };
}

describe('--version and option errors', () => {
  it('prints the version from package.json, from any working directory', async () => {
    const { version } = JSON.parse(await fs.readFile(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const r = await dandelion(sb, ['--version'], { cwd: sb.dir });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toBe(`dandelion ${version}`);
    expect(r.stderr).toBe('');
  });

  it('says which option is unknown in one line, then the usage, and exits 2', async () => {
    const r = await dandelion(sb, ['status', '--frobnicate']);
    expectNoStack(r);
    expect(r.exitCode).toBe(2);
    const [first, blank, usage] = r.stderr.split('\n');
    expect(first).toBe("Unknown option '--frobnicate'.");
    expect(blank).toBe('');
    expect(usage).toMatch(/^Usage: dandelion/);
    // node's advice about positionals starting with '-' is not for our users.
    expect(r.stderr).not.toMatch(/positional argument/);
  });

  it('says an option is missing its value in one line, then the usage', async () => {
    const r = await dandelion(sb, ['logs', 'p', '--lines']);
    expectNoStack(r);
    expect(r.exitCode).toBe(2);
    expect(r.stderr.split('\n')[0]).toMatch(/--lines/);
    expect(r.stderr).toMatch(/Usage: dandelion/);
  });

  it('lists key export in --help', async () => {
    const r = await dandelion(sb, ['--help']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/key export <profile> \[--paper\] \[--to FILE\]/);
    expect(r.stdout).toMatch(/--version/);
  });
});

describe('key export', () => {
  it('says an unencrypted repository has no key, without running borg', async () => {
    await writeConfig(sb.configDir, { profiles: [profile('plain')] });
    const r = await dandelion(sb, ['key', 'export', 'plain']);
    expectNoStack(r);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(`${path.join(sb.dir, 'repo-plain')} is not encrypted: it has no key to export.`);
  });

  it('refuses an empty --to and a missing subcommand with the usage', async () => {
    await writeConfig(sb.configDir, { profiles: [profile('plain')] });
    const empty = await dandelion(sb, ['key', 'export', 'plain', '--to', '']);
    expect(empty.exitCode).toBe(2);
    expect(empty.stderr).toMatch(/^--to is empty/);
    const bare = await dandelion(sb, ['key']);
    expect(bare.exitCode).toBe(2);
    expect(bare.stderr).toMatch(/^Usage: dandelion key export <profile>/m);
  });
});

describe('a config.json with a syntax error', () => {
  it('status names the line and column, exits non-zero and leaves the file as it is', async () => {
    const dir = path.join(sb.dir, 'broken-config');
    await fs.mkdir(dir, { recursive: true });
    const file = path.join(dir, 'config.json');
    const text = `{\n  "profiles": [\n    {\n      "id": "one",\n      "repository": "/r",\n      "sources": ["/s"],\n    }\n  ]\n}\n`;
    await fs.writeFile(file, text);
    for (const args of [['status'], ['status', '--json']]) {
      const r = await dandelion(sb, ['--config-dir', dir, ...args]);
      expectNoStack(r);
      expect(r.exitCode).not.toBe(0);
      const first = `${file} line 6, column 24: a comma before } (JSON allows none after the last setting)`;
      if (args.includes('--json'))
        expect(JSON.parse(r.stdout)).toMatchObject({
          error: { kind: 'config-invalid', message: first, file, errors: [{ path: '(file)', line: 6, column: 24 }] },
        });
      else expect(r.stdout).toBe('');
      expect(r.stderr.split('\n')[0]).toBe(first);
      expect(r.stderr).not.toMatch(/position/);
    }
    expect(await fs.readFile(file, 'utf8')).toBe(text);
    expect((await fs.readdir(dir)).sort()).toEqual(['config.json']);
  });
});

describe('an empty config folder name', () => {
  it('refuses --config-dir ""', async () => {
    const r = await dandelion(sb, ['--config-dir', '', 'status'], { cwd: sb.dir });
    expectNoStack(r);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/--config-dir is empty/);
    expect(r.stdout).toBe('');
  });

  it('refuses DANDELION_CONFIG_DIR="" (and whitespace)', async () => {
    for (const value of ['', '  ']) {
      const r = await dandelion(sb, ['status'], { env: { DANDELION_CONFIG_DIR: value }, cwd: sb.dir });
      expectNoStack(r);
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toMatch(/DANDELION_CONFIG_DIR is set but empty/);
    }
  });

  it('lets a non-empty --config-dir win over an empty DANDELION_CONFIG_DIR', async () => {
    await writeConfig(sb.configDir, { profiles: [profile('one')] });
    const r = await dandelion(sb, ['--config-dir', sb.configDir, 'status', '--json'], { env: { DANDELION_CONFIG_DIR: '' } });
    // 1: the profile was never backed up (status' exit codes are for monitors).
    expect(r.exitCode, r.stderr).toBe(1);
    expect(JSON.parse(r.stdout).profiles[0].id).toBe('one');
  });
});

describe('archives and logs without a profile', () => {
  it('use the only profile there is', async () => {
    await writeConfig(sb.configDir, { profiles: [profile('one')] });
    const logs = await dandelion(sb, ['logs']);
    expectNoStack(logs);
    expect(logs.stderr).toBe('No runs logged yet for "one".');
    const archives = await dandelion(sb, ['archives']);
    expectNoStack(archives);
    // It went to borg for the only profile's repository (which does not exist yet).
    expect(archives.exitCode).toBe(2);
    expect(archives.stderr).toContain(path.join(sb.dir, 'repo-one'));
    expect(archives.stderr).not.toMatch(/Missing profile|Usage/);
  });

  it('name the profiles there are when there are several', async () => {
    await writeConfig(sb.configDir, { profiles: [profile('one'), profile('two')] });
    for (const command of ['logs', 'archives']) {
      const r = await dandelion(sb, [command]);
      expectNoStack(r);
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toMatch(/Which profile\? There are 2: one, two/);
      expect(r.stderr).toContain(`dandelion ${command} one`);
    }
  });

  it('say there is no profile yet when there is none', async () => {
    await writeConfig(sb.configDir, { profiles: [] });
    const r = await dandelion(sb, ['logs']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/No profiles yet/);
  });
});

describe('an unexpected error', () => {
  // A fault injected before the CLI starts: JSON.stringify throws, as a bug somewhere would.
  let inject: string;

  beforeAll(async () => {
    const file = path.join(sb.dir, 'fault.mjs');
    await fs.writeFile(file, "JSON.stringify = () => { throw new Error('injected fault'); };\n");
    inject = `--import=${file}`;
  });

  it('prints one line and asks for a report, without a stack trace', async () => {
    await writeConfig(sb.configDir, { profiles: [profile('one')] });
    const r = await dandelion(sb, ['status', '--json'], { env: { NODE_OPTIONS: inject } });
    expectNoStack(r);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^Unexpected error: injected fault\n/);
    expect(r.stderr).toMatch(/please report it/);
  });

  it('shows the stack with DANDELION_DEBUG=1', async () => {
    const r = await dandelion(sb, ['status', '--json'], { env: { NODE_OPTIONS: inject, DANDELION_DEBUG: '1' } });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^Unexpected error: injected fault\n/);
    expect(r.stderr).toMatch(/^\s+at /m);
  });
});

describe('init before a passphrase is set', () => {
  let keyring: Keyring;

  beforeAll(async () => {
    keyring = await startKeyring(sb.home);
  });

  afterAll(async () => {
    await keyring?.stop();
  });

  it('says how to set one: dandelion passphrase set <profile>', async () => {
    await writeConfig(sb.configDir, { profiles: [profile('enc', { encryption: 'repokey-blake2' })] });
    const r = await dandelion(sb, ['init', 'enc'], { env: keyring.env });
    expectNoStack(r);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('dandelion passphrase set enc');
    await expect(fs.stat(path.join(sb.dir, 'repo-enc'))).rejects.toThrow();
  });
});

describe('status says what an overdue backup waits for', () => {
  it('"waiting for power" and "disk" in the text and as waitingFor in --json, as the process running the schedules published it', async () => {
    const { Supervisor } = await import('../../src/supervisor.js');
    const { History } = await import('../../src/jobs/history.js');
    const { MemorySecretStore } = await import('../../src/secrets/keyring.js');
    const dir = path.join(sb.dir, 'waiting');
    await fs.mkdir(path.join(dir, 'volumes'), { recursive: true });
    const battery = profile('battery', { name: 'On battery', schedule: '0 * * * *', skipOnBattery: true });
    const away = profile('away', { name: 'Disk away', schedule: '0 * * * *', volume: 'backup-disk' });
    const idle = profile('idle', { name: 'Plain' });
    await writeConfig(dir, { volumesRoot: path.join(dir, 'volumes'), profiles: [battery, away, idle] });
    // Backed up three hours ago: an hourly schedule is due and overdue.
    const history = new History(path.join(dir, 'history'));
    const then = new Date(Date.now() - 3 * 3600_000);
    for (const p of [battery, away])
      await history.append({
        profile: p.id,
        trigger: 'schedule',
        startedAt: then.toISOString(),
        finishedAt: new Date(then.getTime() + 60_000).toISOString(),
        result: 'success',
        archive: 'old',
        stats: null,
        message: null,
        diagnoses: [],
        log: null,
        repository: p.repository,
      });
    const owner = await Supervisor.open({
      configDir: dir,
      what: 'test owner',
      log: () => {},
      onBattery: true,
      secrets: new MemorySecretStore(),
    });
    await owner.start();
    try {
      expect(owner.role).toBe('owner');
      type Report = { profiles: { id: string; overdue: boolean; waitingFor: string | null }[] };
      const status = async () => JSON.parse((await dandelion(sb, ['--config-dir', dir, 'status', '--json'])).stdout) as Report;
      // The owner publishes its waits as it decides them (a file write of its own): the CLI reads them once written.
      let report = await status();
      for (let i = 0; i < 50 && report.profiles.some((p) => p.id !== 'idle' && p.waitingFor === null); i++) {
        await new Promise((r) => setTimeout(r, 100));
        report = await status();
      }
      expect(report.profiles.map((p) => [p.id, p.overdue, p.waitingFor])).toEqual([
        ['battery', true, 'power'],
        ['away', true, 'disk'],
        ['idle', false, null],
      ]);
      const text = await dandelion(sb, ['--config-dir', dir, 'status']);
      expect(text.stdout).toContain('battery (On battery) [OVERDUE, waiting for power]');
      expect(text.stdout).toContain('away (Disk away) [waiting-for-volume, OVERDUE]');

      // Plugged in: the backup runs, and nothing waits for power any more.
      owner.setOnBattery(false);
      const deadline = Date.now() + 60_000;
      let after = report;
      while (Date.now() < deadline) {
        after = await status();
        if (after.profiles[0]!.waitingFor === null) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(after.profiles[0]!.waitingFor).toBe(null);
    } finally {
      await owner.stop();
    }
  });
});
