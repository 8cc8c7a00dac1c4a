/**
 * Faults a careful user hits, each through the built CLI with real borg and real filesystems: what
 * `dandelion run` exits with and says, what `status --json` shows afterwards, and that the repository
 * is still sound (`borg check`) with every earlier archive in it. docs/reliability.md tabulates them.
 */
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { borg, dandelion, isRoot, listArchives, makeTree, sandbox, writeConfig, type Sandbox } from '../helpers/env.js';
import { freshRepository } from '../helpers/repo-template.js';
import { statusExit } from '../../src/status-exit.js';

const PASS = 'fault suite passphrase 91c2';
const FORGED = 'Dandelion: run finished: success';

let sb: Sandbox;
let repo: string;
let src: string;
let passFile: string;

function profile(overrides: Record<string, unknown> = {}) {
  return {
    id: 'faults',
    name: 'Fault suite',
    repository: repo,
    passcommand: `cat ${passFile}`,
    sources: [src],
    prune: null,
    ...overrides,
  };
}

/** Writes the config, runs the profile, and returns the CLI's answer with the status afterwards. */
async function runWith(overrides: Record<string, unknown> = {}, config: Record<string, unknown> = {}) {
  await writeConfig(sb.configDir, { ...config, profiles: [profile(overrides)] });
  const run = await dandelion(sb, ['run', 'faults']);
  const status = await dandelion(sb, ['status', '--json']);
  expect(status.stderr).toBe('');
  // status' exit code (0 well, 1 attention, 2 failing) is the one its own report calls for.
  expect(status.exitCode).toBe(statusExit(JSON.parse(status.stdout).profiles));
  const p = (JSON.parse(status.stdout) as { profiles: Record<string, unknown>[] }).profiles[0] as {
    lastSuccessAt: string | null;
    overdue: boolean;
    lastRun: { result: string; archive: string | null };
  };
  return { run, status: p, out: run.stdout + run.stderr };
}

async function lastSuccessAt(): Promise<string | null> {
  const status = await dandelion(sb, ['status', '--json']);
  return (JSON.parse(status.stdout) as { profiles: { lastSuccessAt: string | null }[] }).profiles[0]?.lastSuccessAt ?? null;
}

/** borg check passes and every archive named is still there. */
async function intact(repository: string, archives: string[]): Promise<string[]> {
  const check = await borg(sb, ['check', repository], PASS);
  expect(check.exitCode, check.stderr).toBe(0);
  const now = await listArchives(sb, repository, PASS);
  for (const a of archives) expect(now).toContain(a);
  return now;
}

async function latestLog(): Promise<string> {
  const dir = path.join(sb.configDir, 'logs', 'faults');
  const names = (await fs.readdir(dir)).sort();
  return fs.readFile(path.join(dir, names.at(-1)!), 'utf8');
}

beforeAll(async () => {
  sb = await sandbox('dandelion-faults-');
  repo = path.join(sb.dir, 'repo');
  src = path.join(sb.dir, 'src');
  passFile = path.join(sb.dir, 'pass.txt');
  await fs.writeFile(passFile, PASS, { mode: 0o600 });
  await makeTree(src, 6);
  await freshRepository(repo, 'repokey-blake2', PASS);
  const first = await runWith();
  expect(first.run.exitCode, first.out).toBe(0);
});

afterAll(async () => {
  await sb?.cleanup();
});

describe('a backup that saved nothing is never a success', () => {
  it('all sources missing: exit 2, "none of the sources exist", no new success, overdue as before', async () => {
    const before = await listArchives(sb, repo, PASS);
    const since = await lastSuccessAt();
    // Overdue after 3 s: the earlier success is older than that by the time status is asked, a new one would not be.
    // Only the part of those 3.2 s that has not passed since that success is left to wait.
    await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(since ?? '') + 3200 - Date.now())));
    const gone = [path.join(sb.dir, 'gone-1'), path.join(sb.dir, 'gone-2')];
    const { run, status, out } = await runWith({ sources: gone, overdueAfterHours: 3 / 3600 });
    expect(run.exitCode, out).toBe(2);
    expect(run.stderr).toContain(`Nothing was backed up: none of the sources exist (${gone.join(', ')}).`);
    expect(status.lastRun.result).toBe('error');
    expect(status.lastSuccessAt).toBe(since);
    expect(status.overdue).toBe(true);
    expect(await intact(repo, before)).toEqual(before);
  });

  it('some sources missing stays a warning, and the archive is made', async () => {
    const before = await listArchives(sb, repo, PASS);
    const { run, status, out } = await runWith({ sources: [src, path.join(sb.dir, 'gone-3')] });
    expect(run.exitCode, out).toBe(1);
    expect(run.stderr).toContain(`1 source path does not exist: ${path.join(sb.dir, 'gone-3')}.`);
    expect(status.lastRun.result).toBe('warning');
    expect(Date.parse(status.lastSuccessAt ?? '')).toBeGreaterThan(Date.now() - 30_000);
    expect((await intact(repo, before)).length).toBe(before.length + 1);
  });

  it('a program that only says "borg 1.2.4": exit 2, "finished without making an archive", no new success', async () => {
    const fake = path.join(sb.dir, 'fake-borg');
    await fs.writeFile(fake, '#!/bin/sh\necho "borg 1.2.4"\nexit 0\n', { mode: 0o755 });
    const before = await listArchives(sb, repo, PASS);
    const since = await lastSuccessAt();
    const { run, status, out } = await runWith({}, { borgPath: fake });
    expect(run.exitCode, out).toBe(2);
    expect(run.stderr).toContain(`${fake} finished without making an archive, so nothing was backed up.`);
    expect(status.lastRun).toMatchObject({ result: 'error', archive: null });
    expect(status.lastSuccessAt).toBe(since);
    expect(await intact(repo, before)).toEqual(before);
  });

  it('a borgPath that is not borg at all is named as not BorgBackup, not as missing', async () => {
    const plain = path.join(sb.dir, 'not-executable');
    await fs.writeFile(plain, 'borg 1.2.4\n', { mode: 0o644 });
    const noExec = await runWith({}, { borgPath: plain });
    expect(noExec.run.exitCode, noExec.out).toBe(2);
    expect(noExec.run.stderr).toContain(`${plain} is not BorgBackup (it is not executable).`);
    const hello = path.join(sb.dir, 'hello');
    await fs.writeFile(hello, '#!/bin/sh\necho hello\n', { mode: 0o755 });
    const other = await runWith({}, { borgPath: hello });
    expect(other.run.exitCode, other.out).toBe(2);
    expect(other.run.stderr).toContain(`${hello} is not BorgBackup (its --version printed "hello").`);
    expect(other.run.stderr).not.toMatch(/not found|not installed/);
    const python = path.join(sb.dir, 'python-like');
    await fs.writeFile(python, '#!/bin/sh\necho Python 3.11.2\n', { mode: 0o755 });
    const versioned = await runWith({}, { borgPath: python });
    expect(versioned.run.exitCode, versioned.out).toBe(2);
    expect(versioned.run.stderr).toContain(`${python} is not BorgBackup (its --version printed "Python 3.11.2").`);
  });
});

describe('sources that are links', () => {
  it('a source that is a link to a folder: backs up what it points to, and says so in the log', async () => {
    const real = path.join(sb.dir, 'real-docs');
    await fs.mkdir(real, { recursive: true });
    await fs.writeFile(path.join(real, 'inside.txt'), 'the data, not the link\n');
    const link = path.join(sb.dir, 'Documents');
    await fs.symlink(real, link);
    const { run, status, out } = await runWith({ sources: [link] });
    expect(run.exitCode, out).toBe(0);
    expect(status.lastRun.result).toBe('success');
    const listed = await borg(sb, ['list', '--format={path}{NL}', `${repo}::${status.lastRun.archive}`], PASS);
    expect(listed.stdout).toContain('real-docs/inside.txt');
    expect(await latestLog()).toContain(`Dandelion: ${link} is a link to ${real}; backing up what it points to`);
    await intact(repo, [status.lastRun.archive!]);
  });

  it('a source that is a broken link: exit 2, named as a broken link, no new success', async () => {
    const broken = path.join(sb.dir, 'Pictures');
    const target = path.join(sb.dir, 'unplugged', 'Pictures');
    await fs.symlink(target, broken);
    const before = await listArchives(sb, repo, PASS);
    const since = await lastSuccessAt();
    const alone = await runWith({ sources: [broken] });
    expect(alone.run.exitCode, alone.out).toBe(2);
    expect(alone.run.stderr).toContain(`${broken} is a link to ${target} that does not exist, so it was not backed up.`);
    expect(alone.status.lastSuccessAt).toBe(since);
    expect(await intact(repo, before)).toEqual(before);
    // Beside a real source: what exists is saved, and the run still says what was not.
    const mixed = await runWith({ sources: [src, broken] });
    expect(mixed.run.exitCode, mixed.out).toBe(2);
    expect(mixed.run.stderr).toContain(`${broken} is a link to ${target}`);
    expect(mixed.status.lastSuccessAt).toBe(since);
    expect((await intact(repo, before)).length).toBe(before.length + 1);
  });
});

describe('the repository location', () => {
  it('a typo in the repository folder says the folder does not exist, not that a disk is away', async () => {
    const typo = path.join(sb.dir, 'Bakups', 'mbp', 'repo');
    const { run, out } = await runWith({ repository: typo });
    expect(run.exitCode, out).toBe(2);
    expect(run.stderr).toContain(`The folder ${path.join(sb.dir, 'Bakups')} does not exist, so there is no backup repository at ${typo}.`);
    expect(run.stderr).not.toMatch(/not connected/);
    await expect(fs.access(path.join(sb.dir, 'Bakups'))).rejects.toThrow(); // nothing created on the way
  });

  it('a repository under a volumes root whose disk is away says the disk is not connected', async () => {
    const away = path.join('/media', `dandelion-no-such-disk-${process.pid}`, 'repo');
    const { run, out } = await runWith({ repository: away });
    expect(run.exitCode, out).toBe(2);
    expect(run.stderr).toContain(`The disk holding ${away} is not connected.`);
  });
});

describe('what reaches the run log', () => {
  it('a file named "a\\nDandelion: run finished: success" is logged escaped, on one line', async () => {
    const dir = path.join(sb.dir, 'newline-src');
    await fs.mkdir(dir, { recursive: true });
    const name = `a\n${FORGED}`;
    await fs.writeFile(path.join(dir, name), 'x');
    await fs.writeFile(path.join(dir, 'tab\there'), 'y');
    await fs.writeFile(path.join(dir, 'esc\x1b[2Jdel\x7f'), 'z');
    const { run, status, out } = await runWith({ sources: [dir] });
    expect(run.exitCode, out).toBe(0);
    const log = await latestLog();
    const finished = log.split('\n').filter((l) => /^(\S+ )?Dandelion: run finished:/.test(l));
    expect(finished).toHaveLength(1);
    expect(log).toContain(`${path.join(dir, 'a')}\\n${FORGED}`);
    expect(log).toContain('tab\\there');
    expect(log).toContain('esc\\x1b[2Jdel\\x7f');
    // No raw control character at all, only the newlines between lines.
    // eslint-disable-next-line no-control-regex -- finding control characters is the point
    expect(log).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f]/);
    // The archive holds the real name, newline and all.
    const listed = await borg(sb, ['list', '--json-lines', `${repo}::${status.lastRun.archive}`], PASS);
    const paths = listed.stdout
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { path: string }).path);
    expect(paths).toContain(`${path.join(dir, name).slice(1)}`);
  });
});

describe.skipIf(!isRoot)(`a full backup disk${isRoot ? '' : ' (skipped: needs root to mount a 20 MB tmpfs)'}`, () => {
  let disk: string;
  let mounted = false;

  beforeAll(async () => {
    disk = path.join(sb.dir, 'small-disk');
    await fs.mkdir(disk, { recursive: true });
    await execa('mount', ['-t', 'tmpfs', '-o', 'size=20m', 'tmpfs', disk]);
    mounted = true;
  });

  afterAll(async () => {
    if (mounted) await execa('umount', ['-l', disk]).catch(() => {});
  });

  it('60 MB onto 20 MB: exit 2, "The backup disk is full", earlier archives intact; a bigger disk then works', async () => {
    const full = path.join(disk, 'repo');
    const data = path.join(sb.dir, 'big-src');
    await fs.mkdir(data, { recursive: true });
    await fs.writeFile(path.join(data, 'small.bin'), crypto.randomBytes(3_000_000));
    await freshRepository(full, 'repokey-blake2', PASS);
    const first = await runWith({ repository: full, sources: [data] });
    expect(first.run.exitCode, first.out).toBe(0);
    const since = first.status.lastSuccessAt;
    const before = await listArchives(sb, full, PASS);

    for (let i = 0; i < 6; i++) await fs.writeFile(path.join(data, `big-${i}.bin`), crypto.randomBytes(10_000_000));
    const { run, status, out } = await runWith({ repository: full, sources: [data] });
    expect(run.exitCode, out).toBe(2);
    expect(run.stderr).toContain('The backup disk is full: borg could not write to');
    expect(run.stderr).toMatch(/borg compact/);
    expect(out).not.toMatch(/could not be read|everything else was backed up|Local Exception/);
    expect(status.lastRun.result).toBe('error');
    expect(status.lastSuccessAt).toBe(since);
    expect(await intact(full, before)).toEqual(before);

    // Room again (the same disk, grown): the next run backs everything up.
    await execa('mount', ['-o', 'remount,size=100m', disk]);
    const after = await runWith({ repository: full, sources: [data] });
    expect(after.run.exitCode, after.out).toBe(0);
    expect(Date.parse(after.status.lastSuccessAt ?? '')).toBeGreaterThan(Date.parse(since ?? ''));
    expect((await intact(full, before)).length).toBe(before.length + 1);
  });
});
