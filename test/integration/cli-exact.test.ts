/**
 * The command line as exact as borgmatic's (issue 15): what it refuses, what it names, what it
 * creates (nothing, by reading), how it ends on a closed pipe, and what its exit codes mean.
 * Through the built CLI, with real borg wherever a repository is involved.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ROOT,
  borg,
  dandelion,
  dandelionClosedStdout,
  listArchives,
  makeTree,
  sandbox,
  writeConfig,
  type Sandbox,
} from '../helpers/env.js';
import { startKeyring, type Keyring } from '../helpers/keyring.js';
import { freshRepository } from '../helpers/repo-template.js';
import { Engine } from '../../src/engine.js';

/** Runs fn with the keyring's session bus in this process's environment (the engine's keyring reads it). */
async function withKeyringEnv<T>(env: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const before = process.env.DBUS_SESSION_BUS_ADDRESS;
  process.env.DBUS_SESSION_BUS_ADDRESS = env.DBUS_SESSION_BUS_ADDRESS;
  try {
    return await fn();
  } finally {
    if (before === undefined) delete process.env.DBUS_SESSION_BUS_ADDRESS;
    else process.env.DBUS_SESSION_BUS_ADDRESS = before;
  }
}

const PASS = 'correct horse battery staple';

let sb: Sandbox;
let src: string;

beforeAll(async () => {
  sb = await sandbox('dandelion-cli-exact-');
  src = path.join(sb.dir, 'src');
  await makeTree(src, 6);
});

afterAll(async () => {
  await sb?.cleanup();
});

function repoOf(id: string): string {
  return path.join(sb.dir, 'repos', id);
}

function profile(id: string, overrides: Record<string, unknown> = {}) {
  return { id, repository: repoOf(id), encryption: 'none', sources: [src], ...overrides };
}

/** An empty repository for profile `id`, as `borg init` makes it (a copy of one made once per run). */
async function initRepo(id: string, passphrase?: string): Promise<void> {
  await freshRepository(repoOf(id), passphrase ? 'repokey-blake2' : 'none', passphrase);
}

function expectNoStack(r: { stderr: string; stdout?: string }): void {
  expect(`${r.stdout ?? ''}\n${r.stderr}`).not.toMatch(/^\s+at /m);
  expect(r.stderr).not.toMatch(/EPIPE|Unhandled 'error' event/);
}

async function entries(dir: string): Promise<string[]> {
  return (await fs.readdir(dir, { recursive: true })).map(String).sort();
}

describe('arguments a command does not take', () => {
  beforeAll(async () => {
    await writeConfig(sb.configDir, { profiles: [profile('one')] });
  });

  it('status refuses an extra argument with exit 2, a sentence naming it, and prints no report', async () => {
    const r = await dandelion(sb, ['status', 'extra']);
    expectNoStack(r);
    expect(r.exitCode).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe('Unexpected argument "extra": status takes no arguments.');
    expect(r.stderr).toMatch(/^Usage: dandelion status \[--json\]$/m);
    expect(r.stdout).toBe('');
  });

  it.each([
    [['init', 'one', 'two'], '"two"'],
    [['doctor', 'one', 'two'], '"two"'],
    [['archives', 'one', 'two'], '"two"'],
    [['logs', 'one', 'two', 'three'], '"two", "three"'],
    [['passphrase', 'set', 'one', 'two'], '"two"'],
    [['key', 'export', 'one', 'two'], '"two"'],
    [['daemon', 'now'], '"now"'],
    [['help', 'run', 'now'], '"now"'],
  ])('%j is refused with exit 2 and runs nothing', async (args, named) => {
    const r = await dandelion(sb, args, { input: `${PASS}\n`, timeout: 20_000 });
    expectNoStack(r);
    expect(r.exitCode).toBe(2);
    expect(r.stderr.split('\n')[0]).toContain(`Unexpected argument${named.includes(',') ? 's' : ''} ${named}`);
    expect(r.stdout).toBe('');
    // init of "one" did not run: no repository was created.
    await expect(fs.stat(repoOf('one'))).rejects.toThrow();
  });

  it('an unknown option after any command is refused the same way', async () => {
    for (const args of [
      ['run', 'one', '--json'],
      ['doctor', '--all'],
      ['archives', '--follow'],
    ]) {
      const r = await dandelion(sb, args);
      expectNoStack(r);
      expect(r.exitCode, args.join(' ')).toBe(2);
      expect(r.stderr.split('\n')[0]).toMatch(/^Unknown option '--(json|all|follow)'\.$/);
    }
  });
});

describe('a mistyped name', () => {
  it('is answered with the closest command, option or profile, and nothing runs', async () => {
    await writeConfig(sb.configDir, { profiles: [profile('documents'), profile('photos')] });
    const cases: [string[], string][] = [
      [['stauts'], 'Unknown command "stauts". Did you mean "status"?'],
      [['help', 'restor'], 'Unknown command "restor". Did you mean "restore"?'],
      [['run', '--al'], "Unknown option '--al'. Did you mean '--all'?"],
      [['status', '--jsno'], "Unknown option '--jsno'. Did you mean '--json'?"],
      // The mistyped option before the command is named, not the folder taken for a command.
      [['--confg-dir', sb.configDir, 'status'], "Unknown option '--confg-dir'. Did you mean '--config-dir'?"],
      [['run', 'photo'], 'No profile "photo" in config.json (profiles: documents, photos). Did you mean "photos"?'],
      [['run', 'docs'], 'No profile "docs" in config.json (profiles: documents, photos).'],
      [['nope'], 'Unknown command "nope".'],
    ];
    for (const [args, first] of cases) {
      const r = await dandelion(sb, args);
      expectNoStack(r);
      expect(r.exitCode, args.join(' ')).toBe(2);
      expect(r.stderr.split('\n')[0], args.join(' ')).toBe(first);
    }
    await expect(fs.stat(repoOf('photos'))).rejects.toThrow();
  });

  it('in config.json is named with the field it likely is, and the file is left as it is', async () => {
    const config = { profiles: [profile('documents', { exclude: ['*.tmp'], keepDaily: 3, colour: 'red' })] };
    await writeConfig(sb.configDir, config);
    const before = await fs.readFile(path.join(sb.configDir, 'config.json'), 'utf8');
    const r = await dandelion(sb, ['status']);
    expectNoStack(r);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(
      'profiles[0]: unknown field(s) exclude (did you mean excludes?), keepDaily (did you mean prune.keepDaily?), colour',
    );
    expect(await fs.readFile(path.join(sb.configDir, 'config.json'), 'utf8')).toBe(before);
    // A script gets the same as JSON, with no "profiles" it could take for "nothing wrong".
    const json = await dandelion(sb, ['status', '--json']);
    expect(json.exitCode).toBe(2);
    expect(JSON.parse(json.stdout)).toEqual({
      error: {
        kind: 'config-invalid',
        message: `${path.join(sb.configDir, 'config.json')} is not valid`,
        file: path.join(sb.configDir, 'config.json'),
        errors: [
          {
            path: 'profiles[0]',
            message: 'unknown field(s) exclude (did you mean excludes?), keepDaily (did you mean prune.keepDaily?), colour',
            unknown: ['exclude', 'keepDaily', 'colour'],
            suggestions: ['excludes', 'prune.keepDaily', null],
          },
        ],
      },
    });
    expect(json.stderr).toContain('is not valid:');
    // A syntax error, located, for any command asked for JSON.
    await fs.writeFile(path.join(sb.configDir, 'config.json'), '{"profiles": [,]}\n');
    const syntax = await dandelion(sb, ['archives', '--json']);
    expect(syntax.exitCode).toBe(2);
    const parsed = JSON.parse(syntax.stdout) as { error: { kind: string; errors: { line?: number; column?: number }[] } };
    expect(parsed.error.kind).toBe('config-invalid');
    expect(parsed.error.errors[0]).toMatchObject({ line: 1, column: 15 });
    expect(await fs.readFile(path.join(sb.configDir, 'config.json'), 'utf8')).toBe('{"profiles": [,]}\n');
    // Without --json, stdout stays empty.
    expect((await dandelion(sb, ['archives'])).stdout).toBe('');
  });

  it('is answered in JSON for a caller that asked for JSON, whatever stopped the command', async () => {
    await writeConfig(sb.configDir, { profiles: [profile('documents'), profile('photos')] });
    const unknown = await dandelion(sb, ['archives', 'photo', '--json']);
    expect(unknown.exitCode).toBe(2);
    expect(JSON.parse(unknown.stdout)).toEqual({
      error: {
        kind: 'unknown-profile',
        message: 'No profile "photo" in config.json (profiles: documents, photos). Did you mean "photos"?',
        profile: 'photo',
        profiles: ['documents', 'photos'],
        suggestions: ['photos'],
      },
    });
    // An engine call that failed: the diagnosis, as the text says it. (No repository was made for photos.)
    const failed = await dandelion(sb, ['archives', 'photos', '--json']);
    expect(failed.exitCode).toBe(2);
    const { error } = JSON.parse(failed.stdout) as { error: { kind: string; message: string; fix: string } };
    expect(error.kind).toBe('repo-missing');
    expect(failed.stderr).toContain(error.message);
    expect(failed.stderr).toContain(error.fix);
    // A config folder that is not there.
    const typo = path.join(sb.dir, 'no-such-config');
    const folder = await dandelion(sb, ['--config-dir', typo, 'status', '--json']);
    expect(folder.exitCode).toBe(2);
    expect(JSON.parse(folder.stdout)).toEqual({
      error: {
        kind: 'error',
        message: `There is no config folder at ${typo} (named by --config-dir). Check the path; nothing was created there.`,
      },
    });
    // Without --json, stdout stays empty.
    expect((await dandelion(sb, ['archives', 'photo'])).stdout).toBe('');
  });
});

describe('run with several profiles, and --all', () => {
  beforeAll(async () => {
    await initRepo('a');
    await initRepo('b');
  });

  it('backs up every profile named, each reported, exit 0 when all succeed', async () => {
    await writeConfig(sb.configDir, { profiles: [profile('a'), profile('b'), profile('c')] });
    const r = await dandelion(sb, ['run', 'a', 'b']);
    expectNoStack(r);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(await listArchives(sb, repoOf('a'))).toHaveLength(1);
    expect(await listArchives(sb, repoOf('b'))).toHaveLength(1);
    expect(r.stdout).toMatch(/^== a ==$/m);
    expect(r.stdout).toMatch(/^== b ==$/m);
    expect(r.stdout).toMatch(/\n\na: success\nb: success$/);
  });

  it('--all runs them all and exits with the worst result, after running the rest', async () => {
    // c has no repository: an error; a and b still get their backups.
    const r = await dandelion(sb, ['run', '--all']);
    expectNoStack(r);
    expect(r.exitCode).toBe(2);
    expect(await listArchives(sb, repoOf('a'))).toHaveLength(2);
    expect(await listArchives(sb, repoOf('b'))).toHaveLength(2);
    expect(r.stdout).toMatch(/\n\na: success\nb: success\nc: error$/);
    expect(r.stderr).toMatch(/There is no backup repository at .*repos\/c/);
  });

  it('checks every name first: an unknown one runs nothing', async () => {
    const r = await dandelion(sb, ['run', 'a', 'nope']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/No profile "nope" in config.json/);
    expect(await listArchives(sb, repoOf('a'))).toHaveLength(2);
  });

  it('refuses profiles together with --all, and neither', async () => {
    for (const args of [['run', '--all', 'a'], ['run']]) {
      const r = await dandelion(sb, args);
      expect(r.exitCode, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^Usage: dandelion run \(<profile>\.\.\. \| --all\)$/m);
    }
    expect(await listArchives(sb, repoOf('a'))).toHaveLength(2);
  });
});

describe('a config folder that does not exist', () => {
  const commands = [
    ['status'],
    ['status', '--json'],
    ['run', 'p'],
    ['init', 'p'],
    ['archives'],
    ['logs'],
    ['doctor'],
    ['passphrase', 'set', 'p'],
    ['key', 'export', 'p'],
    ['daemon'],
  ];

  it.each(commands.map((c) => [c.join(' '), c] as const))(
    '%s with a mistyped --config-dir is an error naming the path, and creates nothing',
    async (_name, args) => {
      const typo = path.join(sb.dir, 'confg');
      const r = await dandelion(sb, ['--config-dir', typo, ...args], { input: `${PASS}\n`, timeout: 20_000 });
      expectNoStack(r);
      expect(r.exitCode).toBe(2);
      const message = `There is no config folder at ${typo} (named by --config-dir). Check the path; nothing was created there.`;
      expect(r.stderr).toBe(message);
      // A caller that asked for JSON gets the same reason as JSON; nobody else gets anything on stdout.
      if (args.includes('--json')) expect(JSON.parse(r.stdout)).toEqual({ error: { kind: 'error', message } });
      else expect(r.stdout).toBe('');
      await expect(fs.stat(typo)).rejects.toThrow();
    },
  );

  it('names DANDELION_CONFIG_DIR when that is where the path came from', async () => {
    const typo = path.join(sb.dir, 'from-env');
    const r = await dandelion(sb, ['doctor'], { env: { DANDELION_CONFIG_DIR: typo } });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(`${typo} (named by DANDELION_CONFIG_DIR)`);
    await expect(fs.stat(typo)).rejects.toThrow();
  });

  it('the default folder, when missing, is an error for status and made by the daemon', async () => {
    const home = path.join(sb.dir, 'fresh-home');
    await fs.mkdir(home);
    const folder = path.join(home, '.config', 'Dandelion');
    // Neither --config-dir nor DANDELION_CONFIG_DIR: the default folder under this HOME.
    const rest = Object.fromEntries(Object.entries(sb.env).filter(([k]) => k !== 'DANDELION_CONFIG_DIR'));
    const bare = { ...sb, env: { ...rest, HOME: home } };
    const status = await dandelion(bare, ['status']);
    expect(status.exitCode).toBe(2);
    expect(status.stderr).toContain(`There is no config folder at ${folder} yet.`);
    await expect(fs.stat(folder)).rejects.toThrow();
    const daemon = execa(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), 'daemon'], {
      reject: false,
      extendEnv: false,
      env: bare.env,
      stdin: 'ignore',
      forceKillAfterDelay: 20_000,
    });
    const deadline = Date.now() + 20_000;
    while (!(await fs.stat(path.join(folder, 'locks')).catch(() => null)) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    daemon.kill('SIGTERM');
    const done = await daemon;
    expect(done.exitCode, done.stderr).toBe(0);
    expect((await fs.stat(folder)).isDirectory()).toBe(true);
  });

  it('reading an existing folder makes no folders in it (status, logs, help)', async () => {
    const dir = path.join(sb.dir, 'read-only-config');
    await fs.mkdir(dir);
    await writeConfig(dir, { profiles: [profile('a')] });
    for (const args of [['status'], ['status', '--json'], ['logs', 'a'], ['help', 'status']]) {
      await dandelion(sb, ['--config-dir', dir, ...args]);
      expect(await entries(dir), args.join(' ')).toEqual(['config.json']);
    }
  });
});

describe('a closed stdout (`dandelion … | head -1`)', () => {
  beforeAll(async () => {
    await writeConfig(sb.configDir, { profiles: [profile('a'), profile('b')] });
  });

  it.each([
    [['status'], 0],
    [['status', '--json'], 0],
    [['--help'], 0],
    [['help', 'run'], 0],
    [['run', '--help'], 0],
    [['--version'], 0],
    [['archives', 'a'], 0],
    [['archives', 'a', '--json'], 0],
    [['logs', 'a'], 0],
    [['logs', 'a', '--lines', '1000'], 0],
    [['doctor'], 0],
    [['key', 'export', 'a'], 2],
    [['run', 'a'], 0],
    [['run', '--all'], 0],
  ])('%j ends quietly with its own exit code', async (args, code) => {
    const r = await dandelionClosedStdout(sb, args);
    expectNoStack(r);
    expect(r.signal).toBeNull();
    expect(r.exitCode, r.stderr).toBe(code);
  });

  it('the daemon carries on and stops cleanly on SIGTERM', async () => {
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), 'daemon'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: sb.env,
    });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    await new Promise((r) => setTimeout(r, 2000));
    expect(child.exitCode).toBeNull();
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).not.toMatch(/EPIPE|^\s+at /m);
    expect(code).toBe(0);
  });
});

describe('status exit codes', () => {
  it('0 when every profile is backed up and on time, 1 when one was never backed up, 2 when one failed', async () => {
    await writeConfig(sb.configDir, { profiles: [profile('a')] });
    // a has archives from the runs above; its last run succeeded.
    let r = await dandelion(sb, ['status']);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    await writeConfig(sb.configDir, { profiles: [profile('a'), profile('never')] });
    r = await dandelion(sb, ['status', '--json']);
    expect(r.exitCode).toBe(1);
    await writeConfig(sb.configDir, { profiles: [profile('a'), profile('c')] });
    // c's last run (in --all above) was an error: its repository does not exist.
    r = await dandelion(sb, ['status']);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toMatch(/^c \(c\)/m);
  });

  it('1 when a profile is overdue', async () => {
    const old = {
      profile: 'old',
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
    await writeConfig(sb.configDir, { profiles: [profile('old', { overdueAfterHours: 24 })] });
    await fs.mkdir(path.join(sb.configDir, 'history'), { recursive: true });
    await fs.writeFile(path.join(sb.configDir, 'history', 'old.jsonl'), `${JSON.stringify(old)}\n`);
    const r = await dandelion(sb, ['status']);
    expect(r.stdout).toMatch(/OVERDUE/);
    expect(r.exitCode).toBe(1);
  });
});

describe('help', () => {
  it('`help run` and `run --help` print the command’s options, examples, exit codes and environment', async () => {
    const a = await dandelion(sb, ['help', 'run']);
    const b = await dandelion(sb, ['run', '--help']);
    expect(a.exitCode).toBe(0);
    expect(b.exitCode).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout).toMatch(/^Usage: dandelion run \(<profile>\.\.\. \| --all\)$/m);
    for (const option of ['--all', '--config-dir DIR', '-h, --help']) expect(a.stdout).toContain(option);
    expect(a.stdout).toMatch(/^Examples:\n {2}dandelion run /m);
    expect(a.stdout).toMatch(/^Exit codes:\n {2}0 {2}every backup succeeded\n {2}1 {2}.*warning.*\n {2}2 {2}/m);
    for (const name of ['DANDELION_CONFIG_DIR', 'DANDELION_DEBUG', 'DANDELION_KNOWN_HOSTS', 'DANDELION_PASSCOMMAND_TIMEOUT'])
      expect(a.stdout).toContain(name);
    expect(a.stdout).toContain(`described in the README, section "config.json" (${path.join(ROOT, 'README.md')}).`);
  });

  it('every command listed in `dandelion help` has its own help with exit codes', async () => {
    const all = await dandelion(sb, ['help']);
    expect(all.exitCode).toBe(0);
    const names = [...all.stdout.matchAll(/^ {2}([a-z]+)\b/gm)].map((m) => m[1]!);
    expect(names).toEqual(expect.arrayContaining(['run', 'status', 'daemon', 'init', 'passphrase', 'archives', 'logs', 'key', 'doctor']));
    for (const name of names) {
      const r = await dandelion(sb, ['help', name]);
      expect(r.exitCode, name).toBe(0);
      expect(r.stdout, name).toMatch(new RegExp(`^Usage: dandelion ${name}\\b`, 'm'));
      expect(r.stdout, name).toMatch(/^Exit codes:\n {2}0 /m);
      expect(r.stdout, name).toMatch(/^Options:\n/m);
    }
    const status = await dandelion(sb, ['help', 'status']);
    expect(status.stdout).toMatch(/1 {2}attention: a profile is overdue/);
    expect(status.stdout).toMatch(/2 {2}failing/);
  });

  it('help for a command that does not exist is an error', async () => {
    const r = await dandelion(sb, ['help', 'nope']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe('Unknown command "nope".');
  });
});

describe('archives', () => {
  it('says there are no archives yet instead of printing nothing', async () => {
    await initRepo('empty');
    await writeConfig(sb.configDir, { profiles: [profile('empty')] });
    const r = await dandelion(sb, ['archives', 'empty']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toBe(`No archives yet in ${repoOf('empty')} for profile "empty".`);
  });

  it('shows a checkpoint archive, marked as one, beside the complete ones', async () => {
    await initRepo('cp');
    await writeConfig(sb.configDir, { profiles: [profile('cp')] });
    expect((await dandelion(sb, ['run', 'cp'])).exitCode).toBe(0);
    // What an interrupted borg create leaves: borg itself treats this name as a checkpoint (hidden by default).
    const made = await borg(sb, ['create', `${repoOf('cp')}::{hostname}-daily-2026-12-01T00:00:00.checkpoint`, src]);
    expect(made.exitCode, made.stderr).toBe(0);
    const r = await dandelion(sb, ['archives', 'cp']);
    expect(r.exitCode, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    const checkpoint = lines.find((l) => l.includes('.checkpoint'));
    expect(checkpoint).toMatch(/\t\(checkpoint: an interrupted backup, kept until the next complete one\)$/);
    expect(lines.find((l) => !l.includes('.checkpoint'))).not.toMatch(/checkpoint/);
    // The complete archive's count of files in the words a person uses, time in local words (no ISO "T").
    expect(lines.find((l) => !l.includes('.checkpoint'))).toMatch(/\t\d+ files, /);
    for (const line of lines) expect(line.split('\t')[1]).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:/);
    const json = JSON.parse((await dandelion(sb, ['archives', 'cp', '--json'])).stdout) as {
      archives: { name: string; checkpoint: boolean }[];
    };
    expect(json.archives.map((a) => a.checkpoint).sort()).toEqual([false, true]);
  });
});

describe('one file is "1 file"', () => {
  it('in the summary of a run that saved one file', async () => {
    const one = path.join(sb.dir, 'one-file');
    await fs.mkdir(one);
    await fs.writeFile(path.join(one, 'only.txt'), 'just this\n');
    await initRepo('single');
    await writeConfig(sb.configDir, { profiles: [profile('single', { sources: [one] })] });
    const r = await dandelion(sb, ['run', 'single']);
    expect(r.exitCode, r.stderr).toBe(0);
    // borg counts the one file (folders are not files).
    expect(r.stdout).toMatch(/ — 1 file, /);
    expect(r.stdout).not.toMatch(/\b1 files\b/);
    const archives = await dandelion(sb, ['archives', 'single']);
    expect(archives.stdout).toMatch(/\t1 file, /);
    // The run's own record says it the same way (the app shows it), and doctor counts profiles so.
    const history = (await fs.readFile(path.join(sb.configDir, 'history', 'single.jsonl'), 'utf8')).trim().split('\n');
    expect(JSON.parse(history.at(-1)!)).toMatchObject({ result: 'success', message: 'Backed up 1 file' });
    const doctor = await dandelion(sb, ['doctor', 'single']);
    expect(doctor.stdout).toMatch(/^ok {3}config: .*config\.json: 1 profile$/m);
  });
});

describe('a passcommand profile', () => {
  let keyring: Keyring;

  beforeAll(async () => {
    keyring = await startKeyring(sb.home);
    await initRepo('pc', PASS);
  });

  afterAll(async () => {
    await keyring?.stop();
  });

  it('with a wrong passphrase names the passcommand as the thing to fix, not `passphrase set`', async () => {
    await writeConfig(sb.configDir, { profiles: [profile('pc', { encryption: 'repokey-blake2', passcommand: 'echo not-it' })] });
    const r = await dandelion(sb, ['run', 'pc'], { env: keyring.env });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/passphrase for .* is wrong: it comes from the passcommand of profile "pc" \("echo not-it"\)/);
    expect(r.stderr).toMatch(/Fix that passcommand in config.json/);
    expect(r.stderr).not.toMatch(/passphrase set/);
    expect(await listArchives(sb, repoOf('pc'), PASS)).toHaveLength(0);
  });

  it('`passphrase set` refuses it, naming the passcommand, and stores nothing', async () => {
    const r = await dandelion(sb, ['passphrase', 'set', 'pc'], { input: `${PASS}\n`, env: keyring.env });
    expectNoStack(r);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('Profile "pc" takes its passphrase from its passcommand ("echo not-it" in config.json)');
    expect(r.stderr).toContain('nothing was stored');
    // Without the passcommand the keyring would be asked: there is nothing in it.
    await writeConfig(sb.configDir, { profiles: [profile('pc', { encryption: 'repokey-blake2' })] });
    const gone = await dandelion(sb, ['passphrase', 'delete', 'pc'], { env: keyring.env });
    expect(gone.exitCode, gone.stderr).toBe(0);
    expect(gone.stdout).toMatch(/^No passphrase was stored for /);
  });

  it('the engine refuses it too (the preferences window saves through it), keeping the keyring empty', async () => {
    await writeConfig(sb.configDir, { profiles: [profile('pc', { encryption: 'repokey-blake2', passcommand: 'echo not-it' })] });
    const saved = await withKeyringEnv(keyring.env, async () => {
      const { engine } = await Engine.open({ configDir: sb.configDir });
      return engine.setPassphrase('pc', PASS);
    });
    expect(saved.ok).toBe(false);
    expect(!saved.ok && saved.diagnosis.message).toContain('passcommand ("echo not-it" in config.json)');
    await writeConfig(sb.configDir, { profiles: [profile('pc', { encryption: 'repokey-blake2' })] });
    const gone = await dandelion(sb, ['passphrase', 'delete', 'pc'], { env: keyring.env });
    expect(gone.stdout).toMatch(/^No passphrase was stored for /);
  });

  it('a passphrase stored unchecked is said once, without a doubled "Stored"', async () => {
    await writeConfig(sb.configDir, { profiles: [profile('later', { encryption: 'repokey-blake2' })] });
    const r = await dandelion(sb, ['passphrase', 'set', 'later'], { input: `${PASS}\n`, env: keyring.env });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Stored the passphrase for .*repos\/later in the keyring without checking it: There is no backup repository/);
    expect(r.stdout.match(/Stored/gi)).toHaveLength(1);
  });
});

describe('the archive name of new profiles', () => {
  it('a profile without archiveName keeps the old default name (someone’s prune filter)', async () => {
    await initRepo('legacy');
    await writeConfig(sb.configDir, { profiles: [profile('legacy', { prune: { keepLast: 1 } })] });
    // An archive of the old name made earlier: prune (keepLast 1) must see it as this profile's.
    const made = await borg(sb, ['create', `${repoOf('legacy')}::{hostname}-daily-2026-01-01T00:00:00`, src]);
    expect(made.exitCode, made.stderr).toBe(0);
    const r = await dandelion(sb, ['run', 'legacy']);
    expect(r.exitCode, r.stderr).toBe(0);
    const names = await listArchives(sb, repoOf('legacy'));
    expect(names).toHaveLength(1);
    expect(names[0]).toMatch(/-daily-\d{4}-/);
    expect(names[0]).not.toContain('2026-01-01T00:00:00');
  });

  it('quickstart writes a name true for any schedule into config.json, and its archives follow it', async () => {
    const home = path.join(sb.dir, 'qs-home');
    await fs.mkdir(home);
    const configDir = path.join(sb.dir, 'qs-config');
    const r = await execa(process.execPath, [path.join(ROOT, 'scripts', 'quickstart.mjs')], {
      reject: false,
      extendEnv: false,
      env: { ...sb.env, HOME: home, DANDELION_CONFIG_DIR: configDir },
      stdin: 'ignore',
      timeout: 120_000,
    });
    expect(r.exitCode, r.stdout + r.stderr).toBeLessThanOrEqual(1);
    const config = JSON.parse(await fs.readFile(path.join(configDir, 'config.json'), 'utf8')) as {
      profiles: { archiveName?: string; repository: string }[];
    };
    const written = config.profiles[0]!;
    expect(written.archiveName).toBe('{hostname}-quickstart_{now}');
    const names = await listArchives(sb, written.repository);
    expect(names).toHaveLength(1);
    expect(names[0]).toMatch(/-quickstart_\d{4}-/);
    expect(names[0]).not.toMatch(/daily/);
  });
});

describe('logs --follow', () => {
  let slowBorg: string;

  beforeAll(async () => {
    await initRepo('f');
    // borg create held back a few seconds, so a run is surely going on while it is followed.
    slowBorg = path.join(sb.dir, 'slow-borg.sh');
    const real = (await execa('sh', ['-c', 'command -v borg'])).stdout.trim();
    await fs.writeFile(slowBorg, `#!/bin/sh\ncase "$1" in create) sleep 4;; esac\nexec ${real} "$@"\n`, { mode: 0o755 });
  });

  function follow(args: string[]) {
    return execa(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), 'logs', ...args, '--follow'], {
      reject: false,
      extendEnv: false,
      env: sb.env,
      stdin: 'ignore',
      timeout: 60_000,
    });
  }

  async function stderrSays(child: ReturnType<typeof follow>, re: RegExp): Promise<void> {
    let text = '';
    await new Promise<void>((resolve, reject) => {
      child.stderr!.on('data', (c: Buffer) => {
        text += c.toString();
        if (re.test(text)) resolve();
      });
      void child.then(() => reject(new Error(`ended before saying ${re}: ${text}`)));
    });
  }

  it('waits for the next run and prints its log until it ends, then exits 0 by itself', async () => {
    await writeConfig(sb.configDir, { profiles: [profile('f')] });
    const f = follow(['f']);
    await stderrSays(f, /Waiting for the next backup of "f"/);
    const run = await dandelion(sb, ['run', 'f']);
    expect(run.exitCode, run.stderr).toBe(0);
    const done = await f;
    expect(done.exitCode, done.stderr).toBe(0);
    expect(done.stdout).toMatch(/Dandelion: backing up profile "f"/);
    expect(done.stdout.trim().split('\n').at(-1)).toMatch(/Dandelion: run finished: success, archive /);
  });

  it('follows a run already going on (in another process) from where its log is', async () => {
    await writeConfig(sb.configDir, { profiles: [profile('f', { borgPath: slowBorg })] });
    const run = dandelion(sb, ['run', 'f']);
    const deadline = Date.now() + 20_000;
    for (;;) {
      const s = JSON.parse((await dandelion(sb, ['status', '--json'])).stdout) as { profiles: { state: string }[] };
      if (s.profiles[0]!.state === 'running') break;
      if (Date.now() > deadline) throw new Error('the run never showed as running');
      await new Promise((r) => setTimeout(r, 100));
    }
    const f = follow(['f', '--lines', '1']);
    const done = await f;
    expect((await run).exitCode).toBe(0);
    expect(done.exitCode, done.stderr).toBe(0);
    expect(done.stderr).not.toMatch(/Waiting/);
    expect(done.stdout).toMatch(/Dandelion: borg create/);
    expect(done.stdout.trim().split('\n').at(-1)).toMatch(/Dandelion: run finished: success/);
  });

  it('stops quietly when its reader goes away (`| head -1`)', async () => {
    await writeConfig(sb.configDir, { profiles: [profile('f')] });
    // A log to print first (like tail -f, it can only notice a closed reader when it writes).
    expect((await dandelion(sb, ['run', 'f'])).exitCode).toBe(0);
    const followed = dandelionClosedStdout(sb, ['logs', 'f', '--lines', '1', '--follow'], { timeout: 60_000 });
    // Its first write (the last line of the latest log) fails: it ends without waiting for a run.
    const r = await followed;
    expectNoStack(r);
    expect(r.signal).toBeNull();
    expect(r.exitCode).toBe(0);
  });

  it('ends quietly with exit 0 on Ctrl-C', async () => {
    const f = follow(['f']);
    await stderrSays(f, /Waiting for the next backup/);
    f.kill('SIGINT');
    const done = await f;
    expect(done.exitCode).toBe(0);
    expect(done.stderr).not.toMatch(/^\s+at /m);
  });
});
