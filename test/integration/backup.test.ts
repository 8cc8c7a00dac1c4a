import fs from 'node:fs/promises';
import path from 'node:path';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { borg, dandelion, filesUnder, listArchives, makeTree, sandbox, writeConfig, type Sandbox } from '../helpers/env.js';
import { startKeyring, type Keyring } from '../helpers/keyring.js';

const PASS = 'correct horse battery staple 7f3a';
const hostname = os.hostname().split('.')[0]!;

let sb: Sandbox;
let keyring: Keyring;
let repo: string;
let src: string;

function profile(overrides: Record<string, unknown> = {}) {
  return {
    id: 'local',
    name: 'Backup disk',
    repository: repo,
    encryption: 'repokey-blake2',
    sources: [src],
    excludes: ['*/skip-me'],
    compression: 'auto,lzma,6',
    prune: { keepDaily: 7, keepWeekly: 5, keepMonthly: 6 },
    ...overrides,
  };
}

beforeAll(async () => {
  sb = await sandbox();
  keyring = await startKeyring(sb.home);
  Object.assign(sb.env, keyring.env);
  repo = path.join(sb.dir, 'repo');
  src = path.join(sb.dir, 'src');
  await makeTree(src);
  await fs.mkdir(path.join(src, 'skip-me'));
  await fs.writeFile(path.join(src, 'skip-me', 'secret.bin'), 'excluded');
  await writeConfig(sb.configDir, { profiles: [profile()] });
  const set = await dandelion(sb, ['passphrase', 'set', 'local'], { input: `${PASS}\n` });
  expect(set.stderr).toBe('');
  expect(set.exitCode).toBe(0);
});

afterAll(async () => {
  await keyring?.stop();
  await sb?.cleanup();
});

describe('a local repository, end to end with real borg', () => {
  it('initialises the repository with the profile encryption mode', async () => {
    const r = await dandelion(sb, ['init', 'local']);
    expect(r.exitCode, r.stderr).toBe(0);
    const info = await borg(sb, ['info', '--json', repo], PASS);
    expect(info.exitCode, info.stderr).toBe(0);
    expect(JSON.parse(info.stdout).encryption.mode).toBe('repokey-blake2');
  });

  it('says the repository exists when init runs twice', async () => {
    const r = await dandelion(sb, ['init', 'local']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/already/i);
  });

  it('backs up twice, naming archives from {hostname}-daily-{now}, honouring excludes', async () => {
    const first = await dandelion(sb, ['run', 'local']);
    expect(first.exitCode, first.stdout + first.stderr).toBe(0);
    await new Promise((r) => setTimeout(r, 1100)); // {now} has second resolution
    const second = await dandelion(sb, ['run', 'local']);
    expect(second.exitCode, second.stdout + second.stderr).toBe(0);
    const names = await listArchives(sb, repo, PASS);
    expect(names).toHaveLength(2);
    for (const n of names) expect(n).toMatch(new RegExp(`^${hostname}-daily-\\d{4}-\\d\\d-\\d\\dT`));
    const contents = await borg(sb, ['list', '--format={path}{NL}', `${repo}::${names[1]}`], PASS);
    expect(contents.stdout).toContain('file-3.txt');
    expect(contents.stdout).not.toContain('secret.bin');
  });

  it('reports status as JSON in the headless contract shape', async () => {
    const r = await dandelion(sb, ['status', '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const status = JSON.parse(r.stdout);
    const p = status.profiles[0];
    expect(p).toMatchObject({ id: 'local', state: 'idle', overdue: false, nextRunAt: null });
    expect(p.lastRun).toMatchObject({ trigger: 'manual', result: 'success' });
    expect(p.lastRun.archive).toMatch(/-daily-/);
    expect(Date.parse(p.lastSuccessAt)).toBeGreaterThan(Date.now() - 60_000);
    // Nothing runs the schedules here, and status says so.
    expect(status.scheduler).toBeNull();
    expect((await dandelion(sb, ['status'])).stdout).toMatch(/Nothing is running the schedules/);
  });

  it('lists the profile archives and tails the latest log', async () => {
    const a = await dandelion(sb, ['archives', 'local', '--json']);
    expect(a.exitCode, a.stderr).toBe(0);
    expect(JSON.parse(a.stdout).archives).toHaveLength(2);
    const logs = await dandelion(sb, ['logs', 'local', '--lines', '5']);
    expect(logs.exitCode).toBe(0);
    expect(logs.stdout.trim().split('\n')).toHaveLength(5);
    expect(logs.stdout).toContain('run finished: success');
  });

  it('prunes only this profile archives, as the keep rules say', async () => {
    // Older archives on separate days, plus one that belongs to someone else.
    const days = ['2026-01-01T10:00:00', '2026-01-02T10:00:00', '2026-01-02T18:00:00', '2026-01-03T10:00:00'];
    for (const [i, ts] of days.entries()) {
      const r = await borg(sb, ['create', `--timestamp=${ts}`, `${repo}::${hostname}-daily-old${i}`, src], PASS);
      expect(r.exitCode, r.stderr).toBe(0);
    }
    await borg(sb, ['create', '--timestamp=2026-01-01T09:00:00', `${repo}::other-profile-archive`, src], PASS);
    await writeConfig(sb.configDir, { profiles: [profile({ prune: { keepDaily: 3 } })] });
    const r = await dandelion(sb, ['run', 'local']);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    const names = await listArchives(sb, repo, PASS);
    // keep-daily 3: today's newest, 2026-01-03, and the later of the two 2026-01-02 archives.
    expect(names).toContain(`${hostname}-daily-old3`);
    expect(names).toContain(`${hostname}-daily-old2`);
    expect(names).not.toContain(`${hostname}-daily-old1`);
    expect(names).not.toContain(`${hostname}-daily-old0`);
    expect(names).toContain('other-profile-archive');
    expect(names.filter((n) => n.startsWith(`${hostname}-daily-`) && !n.includes('old'))).toHaveLength(1);
    await writeConfig(sb.configDir, { profiles: [profile()] });
  });

  it('exits 1 with a warning when a source is missing, and still makes the archive', async () => {
    await writeConfig(sb.configDir, { profiles: [profile({ sources: [src, path.join(sb.dir, 'does-not-exist')] })] });
    const r = await dandelion(sb, ['run', 'local']);
    expect(r.exitCode, r.stdout + r.stderr).toBe(1);
    expect(r.stderr).toMatch(/does-not-exist/);
    const status = JSON.parse((await dandelion(sb, ['status', '--json'])).stdout);
    expect(status.profiles[0].lastRun.result).toBe('warning');
    await writeConfig(sb.configDir, { profiles: [profile()] });
  });

  it('treats a source named like an option as a path', async () => {
    const dashed = path.join(src, '--list');
    await fs.mkdir(dashed, { recursive: true });
    await fs.writeFile(path.join(dashed, 'x'), 'x');
    // A relative "-rf" is refused by validation; "~/-rf" is the folder ~/-rf, which is missing (a warning), never an option.
    await writeConfig(sb.configDir, { profiles: [profile({ sources: ['-rf', dashed] })] });
    const refused = await dandelion(sb, ['run', 'local'], { cwd: sb.dir });
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain('profiles[0].sources[0]: is a relative path: write "~/-rf"');
    await writeConfig(sb.configDir, { profiles: [profile({ sources: ['~/-rf', dashed] })] });
    const r = await dandelion(sb, ['run', 'local'], { cwd: sb.dir });
    expect(r.exitCode, r.stdout + r.stderr).toBe(1);
    expect(r.stderr).toContain(path.join(sb.home, '-rf'));
    const names = await listArchives(sb, repo, PASS);
    const contents = await borg(sb, ['list', '--format={path}{NL}', `${repo}::${names.at(-1)!}`], PASS);
    expect(contents.stdout).toContain('--list/x');
    await writeConfig(sb.configDir, { profiles: [profile()] });
  });

  it('refuses to store a passphrase that does not open the repository, and keeps the one that does', async () => {
    const set = await dandelion(sb, ['passphrase', 'set', 'local'], { input: 'not the passphrase\n' });
    expect(set.exitCode).toBe(2);
    expect(set.stderr).toMatch(/passphrase for .* is wrong/i);
    // The stored passphrase is still the right one: a run works.
    const r = await dandelion(sb, ['run', 'local']);
    expect(r.exitCode, r.stderr).toBe(0);
    const again = await dandelion(sb, ['passphrase', 'set', 'local'], { input: `${PASS}\n` });
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/it opens the repository/);
  });

  it('fails with exit 2 and says the passphrase is wrong, leaving the repository intact', async () => {
    await writeConfig(sb.configDir, { profiles: [profile({ passcommand: 'echo not-the-passphrase' })] });
    const r = await dandelion(sb, ['run', 'local']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/passphrase for .* is wrong/i);
    await writeConfig(sb.configDir, { profiles: [profile()] });
    const check = await borg(sb, ['check', repo], PASS);
    expect(check.exitCode, check.stderr).toBe(0);
  });

  it('keeps the passphrase out of every file under the config dir', async () => {
    const files = await filesUnder(sb.configDir);
    expect(files.some((f) => f.endsWith('.log'))).toBe(true);
    expect(files.some((f) => f.endsWith('.jsonl'))).toBe(true);
    for (const f of files) expect(await fs.readFile(f, 'utf8'), f).not.toContain(PASS);
  });

  it('hands the passphrase to borg on a pipe, never in argv or the environment', async () => {
    const spy = path.join(sb.dir, 'borg-spy.sh');
    const seen = path.join(sb.dir, 'borg-seen');
    await fs.mkdir(seen, { recursive: true });
    await fs.writeFile(
      spy,
      // After borg: a copy of the file its stderr went to (a backup step's, removed by the engine once read).
      `#!/bin/sh\nn=$$\nprintf '%s\\n' "$@" > "${seen}/argv.$n"\ncat /proc/$$/environ | tr '\\0' '\\n' > "${seen}/env.$n"\n` +
        `borg "$@"\nrc=$?\nerr=$(readlink /proc/$$/fd/2)\ncase "$err" in /*) cp "$err" "${seen}/stderr.$n";; esac\nexit $rc\n`,
      { mode: 0o755 },
    );
    await writeConfig(sb.configDir, { borgPath: spy, profiles: [profile()] });
    const r = await dandelion(sb, ['run', 'local'], { env: { BORG_PASSPHRASE: 'leaked-from-parent' } });
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    const captured = await filesUnder(seen);
    expect(captured.filter((f) => path.basename(f).startsWith('argv.')).length).toBeGreaterThanOrEqual(3); // create, prune, compact (+ --version)
    // borg's own stderr files (create, prune, compact), scanned below like everything it was given.
    const stderrCopies = captured.filter((f) => path.basename(f).startsWith('stderr.'));
    expect(stderrCopies.length).toBeGreaterThanOrEqual(3);
    expect((await Promise.all(stderrCopies.map((f) => fs.readFile(f, 'utf8')))).join('')).toContain('"type": "archive_progress"');
    for (const f of captured) {
      const text = await fs.readFile(f, 'utf8');
      expect(text).not.toContain(PASS);
      expect(text).not.toContain('leaked-from-parent');
    }
    const envs = await Promise.all(captured.filter((f) => path.basename(f).startsWith('env.')).map((f) => fs.readFile(f, 'utf8')));
    expect(envs.some((e) => e.includes('BORG_PASSPHRASE_FD=3'))).toBe(true);
    await writeConfig(sb.configDir, { profiles: [profile()] });
  });

  it('tries the next second when an archive of the same name was made this second', async () => {
    const flag = path.join(sb.dir, 'collided-once');
    const wrapper = path.join(sb.dir, 'borg-collide.sh');
    // The first create answers as borg does for a duplicate name; later calls are real borg.
    await fs.writeFile(
      wrapper,
      `#!/bin/sh\nif [ "$1" = create ] && [ ! -e "${flag}" ]; then\n  touch "${flag}"\n  echo '{"type": "log_message", "levelname": "ERROR", "name": "borg.archiver", "message": "Archive x already exists", "msgid": "Archive.AlreadyExists"}' >&2\n  exit 2\nfi\nexec borg "$@"\n`,
      { mode: 0o755 },
    );
    await writeConfig(sb.configDir, { borgPath: wrapper, profiles: [profile()] });
    const r = await dandelion(sb, ['run', 'local']);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    const logs = await dandelion(sb, ['logs', 'local', '--lines', '500']);
    expect(logs.stdout).toContain('made this very second; trying again');
    await writeConfig(sb.configDir, { profiles: [profile()] });
  });

  it('takes the passphrase from passcommand instead of the keyring when configured', async () => {
    const secretFile = path.join(sb.dir, 'pass.txt');
    await fs.writeFile(secretFile, PASS, { mode: 0o600 });
    await writeConfig(sb.configDir, { profiles: [profile({ passcommand: `cat ${secretFile}` })] });
    const r = await dandelion(sb, ['run', 'local'], { env: { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent' } });
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    const doctor = await dandelion(sb, ['doctor', 'local'], { env: { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent' } });
    expect(doctor.stdout).toMatch(/ok {3}local: passphrase: from passcommand/);
    await writeConfig(sb.configDir, { profiles: [profile()] });
  });

  it('says what is wrong before borg starts: borg not found, disk not connected, no passphrase', async () => {
    await writeConfig(sb.configDir, { borgPath: '/nonexistent/borg', profiles: [profile()] });
    const noBorg = await dandelion(sb, ['run', 'local']);
    expect(noBorg.exitCode).toBe(2);
    expect(noBorg.stderr).toContain('BorgBackup (borg) was not found (looked in /nonexistent/borg).');

    const volumes = path.join(sb.dir, 'volumes');
    await writeConfig(sb.configDir, {
      volumesRoot: volumes,
      profiles: [profile({ id: 'away', repository: path.join(volumes, 'backup-disk', 'repo'), volume: 'backup-disk' })],
    });
    const away = await dandelion(sb, ['run', 'away']);
    expect(away.exitCode).toBe(2);
    expect(away.stderr).toContain(`The disk holding ${path.join(volumes, 'backup-disk', 'repo')} is not connected.`);

    await writeConfig(sb.configDir, { profiles: [profile({ id: 'fresh', repository: path.join(sb.dir, 'fresh-repo') })] });
    const noPass = await dandelion(sb, ['run', 'fresh']);
    expect(noPass.exitCode).toBe(2);
    expect(noPass.stderr).toContain('`dandelion passphrase set fresh`');
    await writeConfig(sb.configDir, { profiles: [profile()] });
  });

  it('reports an invalid config with the field and leaves the file untouched', async () => {
    const bad = { profiles: [profile(), profile({ id: 'second', schedule: 'every day at noon' })] };
    await writeConfig(sb.configDir, bad);
    const before = await fs.readFile(path.join(sb.configDir, 'config.json'), 'utf8');
    const r = await dandelion(sb, ['status']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('profiles[1].schedule: expected 5 fields (minute hour day month weekday), got 4');
    expect(await fs.readFile(path.join(sb.configDir, 'config.json'), 'utf8')).toBe(before);
    await writeConfig(sb.configDir, { profiles: [profile()] });
  });

  it('doctor checks borg, config, repository and passphrase', async () => {
    const r = await dandelion(sb, ['doctor']);
    expect(r.stdout).toMatch(/ok\s+borg: borg 1\.\d+/);
    expect(r.stdout).toMatch(/ok\s+local: repository/);
    expect(r.exitCode, r.stdout).toBe(0);
  });
});
