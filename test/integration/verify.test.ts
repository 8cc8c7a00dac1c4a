/**
 * borg check and the restore drill against real borg: a good repository passes both; a segment file
 * with flipped bytes makes both fail loudly with what is damaged and what to do; the drill's sample
 * catches a restored file that differs from an unchanged source and skips a changed one; the check
 * comes after a backup only when due; cancel; no temporary folder left; the passphrase never in
 * borg's argv or environment.
 */
import fs from 'node:fs/promises';
import { existsSync } from 'node:fs';
import crypto from 'node:crypto';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Engine, type OpRecord } from '../../src/engine.js';
import { MemorySecretStore } from '../../src/secrets/keyring.js';
import { History } from '../../src/jobs/history.js';
import { OpHistory } from '../../src/ops/records.js';
import { trayView, type TrayEnv } from '../../src/app/tray-view.js';
import { statusExit } from '../../src/status-exit.js';
import { dandelion, filesUnder, makeTree, sandbox, writeConfig, type Sandbox } from '../helpers/env.js';
import { freshRepository } from '../helpers/repo-template.js';
import { liveInGroup } from '../helpers/processes.js';

const PASS = 'verify horse battery staple';
let sb: Sandbox;
let src: string;
let repo: string;
let tmp: string;
let secrets: MemorySecretStore;
const savedTmp = process.env.TMPDIR;
const cleanups: (() => Promise<unknown>)[] = [];

function profile(overrides: Record<string, unknown> = {}) {
  return { id: 'p', name: 'Backup disk', repository: repo, encryption: 'repokey-blake2', sources: [src], prune: null, ...overrides };
}

async function open(config: unknown): Promise<Engine> {
  await writeConfig(sb.configDir, config);
  const { engine, load } = await Engine.open({ configDir: sb.configDir, secrets });
  expect(load.ok).toBe(true);
  cleanups.push(() => engine.cancelAll());
  return engine;
}

/** A repository with one backup of `src` (the repository a copy of an empty one `borg init` made: these tests are not about init). */
async function backedUp(config: unknown = { profiles: [profile()] }): Promise<Engine> {
  const engine = await open(config);
  expect((await engine.setPassphrase('p', PASS)).ok).toBe(true);
  await freshRepository(repo, 'repokey-blake2', PASS);
  const run = await engine.run('p');
  expect(run.result, JSON.stringify(run.diagnoses)).toBe('success');
  return engine;
}

function value<T>(o: { ok: true; value: T } | { ok: false; diagnosis: unknown }): T {
  if (!o.ok) throw new Error(JSON.stringify(o.diagnosis));
  return o.value;
}

/** Flips 64 bytes in the middle of the biggest segment file under <repo>/data/. */
async function corruptSegment(): Promise<string> {
  const segments = (await filesUnder(path.join(repo, 'data'))).map((f) => f);
  const sizes = await Promise.all(segments.map(async (f) => ({ f, size: (await fs.stat(f)).size })));
  const biggest = sizes.sort((a, b) => b.size - a.size)[0]!;
  const h = await fs.open(biggest.f, 'r+');
  const at = Math.floor(biggest.size / 2);
  const buf = Buffer.alloc(64);
  await h.read(buf, 0, 64, at);
  for (let i = 0; i < buf.length; i++) buf[i] = buf[i]! ^ 0xff;
  await h.write(buf, 0, 64, at);
  await h.close();
  return biggest.f;
}

const drillFolders = async () => (await fs.readdir(tmp)).filter((n) => n.startsWith('dandelion-drill-'));

const trayEnv = (now: Date): TrayEnv => ({
  now,
  platform: 'darwin',
  fullDiskAccess: 'granted',
  login: { openAtLogin: true, status: 'enabled' },
  timeZone: 'UTC',
  locale: 'en-GB',
});

beforeEach(async () => {
  sb = await sandbox('dandelion-verify-');
  process.env.BORG_BASE_DIR = sb.env.BORG_BASE_DIR;
  // The drill's temporary folder is made under os.tmpdir(): here, so the test sees what it leaves.
  tmp = path.join(sb.dir, 'tmp');
  await fs.mkdir(tmp);
  process.env.TMPDIR = tmp;
  src = path.join(sb.dir, 'src');
  repo = path.join(sb.dir, 'repo');
  await makeTree(src, 30);
  for (let i = 0; i < 4; i++) await fs.writeFile(path.join(src, `blob-${i}.bin`), crypto.randomBytes(300_000));
  secrets = new MemorySecretStore();
});

afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
  if (savedTmp === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = savedTmp;
  await sb.cleanup();
});

describe('a good repository', () => {
  it('passes borg check and the drill, which proves every file and compares the sample with the sources', async () => {
    const engine = await backedUp();
    const seen: { kind: string; percent: number | null; path: string }[] = [];
    engine.on('op-progress', ({ progress }) => seen.push({ kind: progress.kind, percent: progress.percent, path: progress.path }));
    const check = value(await engine.check('p'));
    expect(check).toMatchObject({ kind: 'check', result: 'success', repository: repo, diagnoses: [] });
    // borg's own progress, as a percentage and the step it is in.
    expect(seen.some((e) => e.kind === 'check' && e.path === 'Checking segments' && e.percent !== null)).toBe(true);
    expect(check.message).toMatch(/no damage found/);

    const drill = value(await engine.drill('p'));
    expect(drill).toMatchObject({ kind: 'drill', result: 'success' });
    expect(drill.archive).toMatch(/-daily-/);
    const d = drill.details as {
      files: number;
      bytes: number;
      sampled: number;
      matched: number;
      skippedChanged: number;
      mismatched: string[];
    };
    // 30 text files + 4 blobs: all of them regular files, all read back by the dry run.
    expect(d.files).toBe(34);
    expect(d.bytes).toBeGreaterThan(4 * 300_000);
    expect(d.sampled).toBe(34);
    expect(d.matched).toBe(34);
    expect(d.skippedChanged).toBe(0);
    expect(d.mismatched).toEqual([]);
    expect(await drillFolders()).toEqual([]);

    // Recorded apart from the backups, each with its own log.
    const ops = await new OpHistory(path.join(sb.configDir, 'operations')).recent('p');
    expect(ops.map((r) => `${r.kind} ${r.result}`)).toEqual(['drill success', 'check success']);
    expect(existsSync(ops[0]!.log!)).toBe(true);
    const backups = await new History(path.join(sb.configDir, 'history')).recent('p', 10);
    expect(backups.map((r) => r.result)).toEqual(['success']);

    const status = (await engine.status()).profiles[0]!;
    expect(status.lastVerified).toBe(check.finishedAt);
    expect(status.lastProven).toBe(drill.finishedAt);
    expect(status.verifyOverdue).toBe(false);
    expect(status.verifyFailed).toBeNull();
  }, 120_000);
});

describe('a repository with a corrupted segment file', () => {
  it('makes check and drill fail loudly, saying what is damaged and what to do, and the tray and status say so', async () => {
    const engine = await backedUp({ profiles: [profile(), { id: 'other', name: 'Storage box', repository: `${repo}-2`, sources: [src] }] });
    await corruptSegment();

    const check = value(await engine.check('p'));
    expect(check.result).toBe('error');
    expect(check.diagnoses[0]!.kind).toBe('repo-damaged');
    expect(check.diagnoses[0]!.message).toMatch(/^Backups may not be restorable: the storage files of .* are damaged/);
    expect(check.diagnoses[0]!.message).toMatch(/Segment entry checksum mismatch|IntegrityError/);
    expect(check.diagnoses[0]!.fix).toMatch(/borg check --repair/);
    expect(check.diagnoses[0]!.fix).toMatch(/never repairs by itself/);
    expect(check.diagnoses[0]!.fix).toContain('Storage box');

    const drill = value(await engine.drill('p'));
    expect(drill.result).toBe('error');
    expect(['repo-damaged', 'data-damaged']).toContain(drill.diagnoses[0]!.kind);
    expect(drill.diagnoses[0]!.message).toMatch(/^Backups may not be restorable/);
    expect(await drillFolders()).toEqual([]);

    const status = await engine.status();
    const p = status.profiles[0]!;
    expect(p.verifyFailed).toMatchObject({ kind: 'check' });
    expect(p.verifyFailed!.diagnosis!.kind).toBe('repo-damaged');
    expect(statusExit(status.profiles)).toBe(2);

    const now = new Date();
    const view = trayView(await engine.snapshot(now), trayEnv(now));
    expect(view.icon).toBe('error');
    expect(view.tooltip).toMatch(/Backups may not be restorable/);
    expect(view.menu.map((i) => i.label).join('\n')).toMatch(/Backups may not be restorable/);
  }, 120_000);
});

describe('the drill’s sample', () => {
  it('reports a restored file that differs from an unchanged source, and skips one changed since the backup', async () => {
    const same = path.join(src, 'same-size.txt');
    const changed = path.join(src, 'changed.txt');
    const when = new Date('2026-01-02T03:04:05Z');
    await fs.writeFile(same, 'original content 1234');
    await fs.writeFile(changed, 'will change');
    await fs.utimes(same, when, when);
    const engine = await backedUp();
    // Same size, same mtime, other bytes: only a byte-for-byte compare can tell.
    await fs.writeFile(same, 'tampered content 1234');
    await fs.utimes(same, when, when);
    // Edited since the backup (new mtime): nothing to compare against.
    await fs.writeFile(changed, 'has changed now');

    const drill = value(await engine.drill('p'));
    expect(drill.result).toBe('error');
    const d = drill.details as { sampled: number; matched: number; skippedChanged: number; mismatched: string[] };
    expect(d.mismatched).toEqual([same]);
    expect(d.skippedChanged).toBe(1);
    expect(d.matched).toBe(d.sampled - 2);
    expect(drill.diagnoses[0]).toMatchObject({ kind: 'restore-mismatch' });
    expect(drill.diagnoses[0]!.message).toContain(same);
    expect(await drillFolders()).toEqual([]);
  }, 120_000);
});

/** A backup to this repository that finished `days` ago: backups began then. */
async function backupsBegan(days: number): Promise<void> {
  const at = new Date(Date.now() - days * 86_400_000).toISOString();
  await new History(path.join(sb.configDir, 'history')).append({
    profile: 'p',
    repository: repo,
    trigger: 'schedule',
    startedAt: at,
    finishedAt: at,
    result: 'error',
    archive: null,
    stats: null,
    message: 'the disk was away',
    diagnoses: [],
    log: null,
  });
}

describe('on a schedule', () => {
  it('does not check after the first backup: everyDays count from when backups began', async () => {
    const engine = await backedUp({ profiles: [profile({ check: { everyDays: 1 } })] });
    expect(await engine.verificationAfterRun('p')).toEqual([]);
    expect(await new OpHistory(path.join(sb.configDir, 'operations')).recent('p')).toEqual([]);
  }, 120_000);

  it('checks, then drills, after a backup once due, and not again until everyDays have passed', async () => {
    await backupsBegan(2);
    const engine = await backedUp({ profiles: [profile({ check: { everyDays: 1 } })] });
    const ops = await engine.verificationAfterRun('p');
    expect(ops.map((r: OpRecord) => `${r.kind} ${r.result} ${r.trigger}`)).toEqual(['check success schedule', 'drill success schedule']);

    // Checked and proven a moment ago: the next backup starts neither.
    expect((await engine.run('p')).result).toBe('success');
    expect(await engine.verificationAfterRun('p')).toEqual([]);
    expect(await new OpHistory(path.join(sb.configDir, 'operations')).recent('p')).toHaveLength(2);
  }, 180_000);

  it('never checks by itself with everyDays 0, and is then never overdue', async () => {
    await backupsBegan(400);
    const engine = await backedUp({ profiles: [profile({ check: { everyDays: 0 } })] });
    expect(await engine.verificationAfterRun('p')).toEqual([]);
    expect((await engine.status()).profiles[0]!.verifyOverdue).toBe(false);
  }, 120_000);

  it('is overdue when backups began more than everyDays and a grace ago and nothing was verified', async () => {
    await backupsBegan(40);
    const engine = await open({ profiles: [profile({ check: { everyDays: 30 } })] });
    const p = (await engine.status()).profiles[0]!;
    expect(p).toMatchObject({ lastVerified: null, lastProven: null, verifyOverdue: true, verifyFailed: null });
    expect(statusExit([{ ...p, overdue: false, lastRun: null, lastSuccessAt: new Date().toISOString() }])).toBe(1);
  });
});

describe('cancel and secrets', () => {
  it('cancels a drill cleanly (recorded as cancelled, its folder gone)', async () => {
    for (let i = 0; i < 40; i++) await fs.writeFile(path.join(src, `big-${i}.bin`), crypto.randomBytes(2_000_000));
    const engine = await backedUp();
    let asked = false;
    engine.on('op-progress', ({ progress }) => {
      if (!asked && progress.kind === 'drill' && progress.bytes > 0) asked = engine.cancelOperation('p');
    });
    const drill = value(await engine.drill('p'));
    expect(asked).toBe(true);
    expect(drill.result).toBe('cancelled');
    expect(engine.operationProgress('p')).toBeNull();
    expect(await drillFolders()).toEqual([]);
    const ops = await new OpHistory(path.join(sb.configDir, 'operations')).recent('p');
    expect(ops[0]).toMatchObject({ kind: 'drill', result: 'cancelled' });
  }, 120_000);

  it('a stop (Quit, the daemon told to stop) waits until a check under way has ended: no borg check outlives it', async () => {
    // borg check that takes a second to end after its SIGINT, as a check of a big repository does.
    const marker = path.join(sb.dir, 'check.pid');
    const slow = path.join(sb.dir, 'slow-check.sh');
    await fs.writeFile(
      slow,
      `#!/bin/sh\ncase "$1" in check) echo $$ > "${marker}"; trap 'kill $c; sleep 1; exit 130' INT TERM; sleep 60 & c=$!; wait $c; exit 1;; esac\nexec borg "$@"\n`,
      { mode: 0o755 },
    );
    const engine = await backedUp({ profiles: [profile({ borgPath: slow })] });
    const check = engine.check('p');
    let pid = 0;
    for (let i = 0; i < 400 && !pid; i++) {
      pid = Number(await fs.readFile(marker, 'utf8').catch(() => '0')) || 0;
      if (!pid) await new Promise((res) => setTimeout(res, 50));
    }
    expect(pid).toBeGreaterThan(0);
    await engine.cancelAll();
    expect(await liveInGroup(pid)).toEqual([]);
    expect(value(await check).result).toBe('cancelled');
  }, 120_000);

  it('hands the passphrase to borg on a pipe for check and drill, never in argv or the environment, and never runs --repair', async () => {
    const spy = path.join(sb.dir, 'borg-spy.sh');
    const seen = path.join(sb.dir, 'borg-seen');
    await fs.mkdir(seen);
    await fs.writeFile(
      spy,
      `#!/bin/sh\nn=$$\nprintf '%s\\n' "$@" > "${seen}/argv.$n"\ncat /proc/$$/environ | tr '\\0' '\\n' > "${seen}/env.$n"\nstat -c '%a %n' "$PWD" > "${seen}/cwd.$n"\nexec borg "$@"\n`,
      { mode: 0o755 },
    );
    const engine = await backedUp({ borgPath: spy, profiles: [profile()] });
    await fs.rm(seen, { recursive: true });
    await fs.mkdir(seen);
    expect(value(await engine.check('p', { verifyData: true })).result).toBe('success');
    expect(value(await engine.drill('p')).result).toBe('success');
    const captured = await filesUnder(seen);
    const argvs = await Promise.all(captured.filter((f) => path.basename(f).startsWith('argv.')).map((f) => fs.readFile(f, 'utf8')));
    expect(argvs.some((a) => a.startsWith('check\n') && a.includes('--verify-data'))).toBe(true);
    expect(argvs.some((a) => a.startsWith('extract\n') && a.includes('--dry-run'))).toBe(true);
    expect(argvs.filter((a) => a.includes('--repair'))).toEqual([]);
    // The sample was extracted in a private folder of its own under the temporary folder.
    const cwds = await Promise.all(captured.filter((f) => path.basename(f).startsWith('cwd.')).map((f) => fs.readFile(f, 'utf8')));
    expect(cwds.filter((c) => c.includes(`${tmp}/dandelion-drill-`)).map((c) => c.split(' ')[0])).toEqual(['700']);
    for (const f of captured) expect(await fs.readFile(f, 'utf8')).not.toContain(PASS);
    const logs = await filesUnder(path.join(sb.configDir, 'operations'));
    for (const f of logs) expect(await fs.readFile(f, 'utf8')).not.toContain(PASS);
  }, 120_000);
});

describe('the CLI', () => {
  it('check and drill: exit 0 on a good repository, 2 with the diagnosis on a damaged one; --json is the record', async () => {
    await writeConfig(sb.configDir, { profiles: [profile({ encryption: 'none' })] });
    await freshRepository(repo, 'none');
    expect((await dandelion(sb, ['run', 'p'])).exitCode).toBe(0);

    const good = await dandelion(sb, ['check', 'p']);
    expect(good.exitCode, good.stderr).toBe(0);
    expect(good.stdout).toMatch(/^success — .*no damage found/m);
    const drill = await dandelion(sb, ['drill', 'p', '--json']);
    expect(drill.exitCode, drill.stderr).toBe(0);
    expect(JSON.parse(drill.stdout)).toMatchObject({ kind: 'drill', result: 'success', details: { mismatched: [] } });
    const status = JSON.parse((await dandelion(sb, ['status', '--json'])).stdout).profiles[0];
    expect(status.lastVerified).toEqual(expect.any(String));
    expect(status.lastProven).toEqual(expect.any(String));
    expect((await dandelion(sb, ['status'])).stdout).toMatch(/verified just now; restore proven just now/);

    await corruptSegment();
    const bad = await dandelion(sb, ['check', 'p']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/Backups may not be restorable: the storage files of .* are damaged/);
    expect(bad.stderr).toMatch(/→ Do not delete or prune anything now/);
    const badDrill = await dandelion(sb, ['drill', 'p']);
    expect(badDrill.exitCode).toBe(2);
    expect(badDrill.stderr).toMatch(/Backups may not be restorable/);
    const after = await dandelion(sb, ['status']);
    expect(after.exitCode).toBe(2);
    expect(after.stdout).toMatch(/BACKUPS MAY NOT BE RESTORABLE: the last check failed/);
  }, 180_000);

  it('Ctrl-C cancels a drill cleanly: exit 2, recorded as cancelled, no temporary folder left', async () => {
    for (let i = 0; i < 40; i++) await fs.writeFile(path.join(src, `big-${i}.bin`), crypto.randomBytes(2_000_000));
    await writeConfig(sb.configDir, { profiles: [profile({ encryption: 'none' })] });
    await freshRepository(repo, 'none');
    expect((await dandelion(sb, ['run', 'p'])).exitCode).toBe(0);
    const child = dandelion(sb, ['drill', 'p'], { env: { TMPDIR: tmp } });
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const deadline = Date.now() + 60_000;
    while (!/\d+%/.test(stderr) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGINT');
    const r = await child;
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toMatch(/^cancelled$/m);
    expect(r.stderr).toMatch(/Cancelling the restore drill…/);
    expect(await drillFolders()).toEqual([]);
    const ops = await new OpHistory(path.join(sb.configDir, 'operations')).recent('p');
    expect(ops[0]).toMatchObject({ kind: 'drill', result: 'cancelled' });
  }, 180_000);

  it('help names check and drill with their options and exit codes', async () => {
    const help = await dandelion(sb, ['help', 'check']);
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toMatch(/dandelion check <profile> \[--verify-data\] \[--json\]/);
    expect(help.stdout).toMatch(/Never repairs anything/);
    const drill = await dandelion(sb, ['drill', '--help']);
    expect(drill.stdout).toMatch(/2 +damage or a restored file that differs/);
    const missing = await dandelion(sb, ['drill']);
    expect(missing.exitCode).toBe(2);
  });
});
