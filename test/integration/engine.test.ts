/**
 * The engine as a face sees it, in-process, against real borg: snapshot and its event, progress
 * pacing, config save, repository epochs, passphrases, archives, and errors that arrive as data.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Engine, type EngineSnapshot, type LiveProgress } from '../../src/engine.js';
import { KeyringUnavailableError, MemorySecretStore, type SecretStore } from '../../src/secrets/keyring.js';
import { Supervisor } from '../../src/supervisor.js';
import { History } from '../../src/jobs/history.js';
import { borg, listArchives, makeTree, sandbox, writeConfig, type Sandbox } from '../helpers/env.js';
import { freshRepository } from '../helpers/repo-template.js';

const PASS = 'correct horse battery staple';
let sb: Sandbox;
let src: string;
let repo: string;
let secrets: MemorySecretStore;
const cleanups: (() => Promise<unknown>)[] = [];

function profile(overrides: Record<string, unknown> = {}) {
  return { id: 'p', name: 'Backup disk', repository: repo, encryption: 'repokey-blake2', sources: [src], prune: null, ...overrides };
}

async function open(config: unknown, store: SecretStore = secrets): Promise<Engine> {
  await writeConfig(sb.configDir, config);
  const { engine, load } = await Engine.open({ configDir: sb.configDir, secrets: store });
  expect(load.ok).toBe(true);
  cleanups.push(() => engine.cancelAll());
  return engine;
}

beforeEach(async () => {
  sb = await sandbox('dandelion-engine-');
  // borg's cache and security dirs stay inside the sandbox for the borg children of this process too.
  process.env.BORG_BASE_DIR = sb.env.BORG_BASE_DIR;
  src = path.join(sb.dir, 'src');
  repo = path.join(sb.dir, 'repo');
  await makeTree(src, 30);
  secrets = new MemorySecretStore();
});

afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
  await sb.cleanup();
});

describe('errors arrive as data, never as a throw', () => {
  it('answers a run of an unknown profile with a record naming the known ones', async () => {
    const engine = await open({ profiles: [profile()] });
    const record = await engine.run('nope');
    expect(record).toMatchObject({ profile: 'nope', result: 'error' });
    expect(record.diagnoses[0]).toMatchObject({ kind: 'unknown-profile' });
    expect(record.diagnoses[0]!.fix).toContain('p');
    // Nothing was written for a profile that does not exist.
    await expect(fs.access(path.join(sb.configDir, 'history', 'nope.jsonl'))).rejects.toThrow();
  });

  it('answers every one-off call about an unknown profile with a diagnosis', async () => {
    const engine = await open({ profiles: [profile()] });
    for (const r of [
      await engine.archives('nope'),
      await engine.init('nope'),
      await engine.logTail('nope', 5),
      await engine.setPassphrase('nope', PASS),
      await engine.passphraseState('nope'),
      await engine.listFolder('nope', 'a', ''),
    ]) {
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.diagnosis.kind).toBe('unknown-profile');
    }
  });

  it('names an unavailable keyring as its own kind with a fix, in a run and in a passphrase call', async () => {
    const broken: SecretStore = {
      get: () => Promise.reject(new KeyringUnavailableError(new Error('no D-Bus session'))),
      set: () => Promise.reject(new KeyringUnavailableError(new Error('no D-Bus session'))),
      delete: () => Promise.reject(new KeyringUnavailableError(new Error('no D-Bus session'))),
    };
    await fs.mkdir(repo);
    const engine = await open({ profiles: [profile()] }, broken);
    const record = await engine.run('p');
    expect(record.result).toBe('error');
    expect(record.diagnoses[0]).toMatchObject({ kind: 'keyring-unavailable' });
    expect(record.diagnoses[0]!.fix).toMatch(/Secret Service|passcommand/);
    const state = await engine.passphraseState('p');
    expect(state.ok || state.diagnosis.kind).toBe('keyring-unavailable');
    // Plain data: what crosses Electron's IPC is exactly what was sent.
    expect(structuredClone(record)).toEqual(record);
  });

  it('ends a run refused because another process holds the repository with a record', async () => {
    await freshRepository(repo, 'none');
    const engine = await open({ profiles: [profile({ encryption: 'none' })] });
    // Another live process (our parent) holds the repository lock.
    await fs.mkdir(path.join(sb.configDir, 'locks'), { recursive: true });
    await fs.writeFile(
      engine.paths.repoLock(repo),
      JSON.stringify({ pid: process.ppid, what: 'backup of "p" elsewhere', since: new Date().toISOString(), profile: 'p' }),
    );
    const record = await engine.run('p');
    expect(record).toMatchObject({ result: 'error', profile: 'p' });
    expect(record.diagnoses[0]).toMatchObject({ kind: 'busy' });
    expect(record.message).toContain(`pid ${process.ppid}`);
    // The repository is fine: the refusal is not history.
    expect(await engine.history.list('p')).toEqual([]);
    // …and the status shows it running elsewhere.
    expect((await engine.snapshot()).profiles[0]).toMatchObject({ state: 'running', runningElsewhere: { pid: process.ppid } });
  });
});

describe('runs', () => {
  it('coalesces repeated run calls into one run and one borg create', async () => {
    await freshRepository(repo, 'none');
    const engine = await open({ profiles: [profile({ encryption: 'none' })] });
    const a = engine.run('p', { trigger: 'schedule' });
    const b = engine.run('p', { trigger: 'volume' });
    const c = engine.run('p');
    expect(b).toBe(a);
    expect(c).toBe(a);
    expect((await a).result).toBe('success');
    expect(await listArchives(sb, repo)).toHaveLength(1);
    expect(await engine.history.list('p')).toHaveLength(1);
    const second = await engine.run('p');
    const runs = await engine.runs('p', 5);
    expect(runs.ok && runs.value.map((r) => r.startedAt)).toEqual([second.startedAt, (await a).startedAt]);
    const one = await engine.runs('p', 1);
    expect(one.ok && one.value).toEqual([second]);
  });

  it('reports progress at most 4 times a second and log lines in batches', async () => {
    const big = path.join(sb.dir, 'big');
    await fs.mkdir(big);
    // 6,000 files: borg reports a file count at most every 0.2 s, so the create must last a second or
    // so even on a tmpfs (3,000 files were sometimes stored before borg's second report).
    for (let d = 0; d < 20; d++) {
      await fs.mkdir(path.join(big, `d${d}`));
      for (let i = 0; i < 300; i++) await fs.writeFile(path.join(big, `d${d}`, `f${i}`), `${d}-${i}\n`.repeat(50));
    }
    await freshRepository(repo, 'none');
    const engine = await open({ profiles: [profile({ encryption: 'none', sources: [big] })] });
    const progress: { at: number; p: LiveProgress }[] = [];
    const batches: string[][] = [];
    engine.on('progress', ({ progress: p }) => progress.push({ at: Date.now(), p }));
    engine.on('log', ({ lines }) => batches.push(lines));
    const t0 = Date.now();
    const record = await engine.run('p');
    const elapsed = Date.now() - t0;
    expect(record.result).toBe('success');
    expect(progress.length).toBeGreaterThan(0);
    // 4 a second, plus the first one and the ones flushed at the end of each step.
    expect(progress.length).toBeLessThanOrEqual(Math.ceil(elapsed / 250) + 4);
    for (let i = 1; i < progress.length; i++) {
      const gap = progress[i]!.at - progress[i - 1]!.at;
      if (progress[i]!.p.step === progress[i - 1]!.p.step && gap < 200) expect.fail(`progress events ${gap} ms apart`);
    }
    expect(progress.some((e) => e.p.step === 'create' && e.p.nfiles > 0)).toBe(true);
    // Every line of the log file arrived, in far fewer events than lines.
    const lines = batches.flat();
    const file = (await fs.readFile(record.log!, 'utf8')).trimEnd().split('\n');
    expect(lines).toEqual(file);
    expect(batches.length).toBeLessThan(lines.length / 10);
  });
});

describe('the snapshot', () => {
  it('carries config errors, borg, the schedules owner and each profile, and a window opened later still learns them', async () => {
    const engine = await open({ profiles: [profile({ schedule: '0 12 * * *', volume: 'backup-disk' })] });
    let s: EngineSnapshot = await engine.snapshot();
    expect(s.configErrors).toEqual([]);
    expect(s.borg).toMatchObject({ state: 'found', path: expect.stringContaining('borg') });
    expect(s.borg.state === 'found' && s.borg.version).toMatch(/^1\.\d+\.\d+/);
    expect(s.schedules).toEqual({ owner: null, ownedHere: false });
    expect(s.profiles[0]).toMatchObject({
      id: 'p',
      name: 'Backup disk',
      state: 'idle',
      repository: repo,
      triggers: { schedule: '0 12 * * *', volume: 'backup-disk' },
      lastRun: null,
      run: null,
      retry: null,
    });
    await writeConfig(sb.configDir, { profiles: [profile({ schedule: 'whenever' })] });
    expect((await engine.reload()).ok).toBe(false);
    s = await engine.snapshot();
    expect(s.configErrors).toEqual([
      { path: 'profiles[0].schedule', message: expect.stringMatching(/^expected 5 fields \(minute hour day month weekday\), got 1/) },
    ]);
    // The previous valid config stays in force.
    expect(s.profiles[0]!.triggers.schedule).toBe('0 12 * * *');
    expect(structuredClone(s)).toEqual(s);
  });

  it('says borg is missing, with the diagnosis, when the configured borg does not exist', async () => {
    const engine = await open({ borgPath: path.join(sb.dir, 'no-borg'), profiles: [profile()] });
    const s = await engine.snapshot();
    expect(s.borg).toMatchObject({ state: 'missing', diagnosis: { kind: 'borg-missing' } });
  });

  it('coalesces a burst of changes into a few snapshot events', async () => {
    const engine = await open({ profiles: [profile()] });
    const events: EngineSnapshot[] = [];
    engine.on('snapshot', (s) => events.push(s));
    for (let i = 0; i < 50; i++) engine.setWaitingForVolume('p', i % 2 === 0);
    await new Promise((r) => setTimeout(r, 700));
    expect(events.length).toBeGreaterThanOrEqual(1);
    expect(events.length).toBeLessThanOrEqual(3);
    // The last one shows the final state (50 toggles end on "not waiting").
    expect(events.at(-1)!.profiles[0]!.state).toBe('idle');
  });

  it('shows a run in progress with its trigger and step, then its result', async () => {
    await freshRepository(repo, 'none');
    const engine = await open({ profiles: [profile({ encryption: 'none' })] });
    const seen: EngineSnapshot[] = [];
    engine.on('snapshot', (s) => seen.push(s));
    const record = await engine.run('p', { trigger: 'volume' });
    // The snapshot event after the run is coalesced: wait for it rather than for a fixed time.
    await expect
      .poll(() => seen.at(-1)?.profiles[0])
      .toMatchObject({ state: 'idle', run: null, lastRun: { result: 'success', archive: record.archive } });
    const running = seen.find((s) => s.profiles[0]!.run);
    expect(running?.profiles[0]).toMatchObject({ state: 'running', run: { trigger: 'volume' } });
    expect(seen.at(-1)!.profiles[0]).toMatchObject({ state: 'idle', run: null, lastRun: { result: 'success', archive: record.archive } });
    expect(seen.at(-1)!.profiles[0]!.lastRun!.stats!.nfiles).toBe(30);
  });
});

describe('config save', () => {
  it('writes a valid config atomically and takes it into use: the triggers are rescheduled at once', async () => {
    await writeConfig(sb.configDir, { profiles: [profile({ schedule: '0 12 * * *' })] });
    const logs: string[] = [];
    const sup = await Supervisor.open({ configDir: sb.configDir, secrets, what: 'test', log: (l) => logs.push(l), mountTable: false });
    cleanups.push(() => sup.stop());
    await sup.start();
    const before = logs.length;
    const r = await sup.engine.saveConfig({ profiles: [profile({ schedule: '30 6 * * *' })] });
    expect(r.ok).toBe(true);
    const onDisk = JSON.parse(await fs.readFile(path.join(sb.configDir, 'config.json'), 'utf8'));
    expect(onDisk.profiles[0].schedule).toBe('30 6 * * *');
    expect(onDisk.version).toBe(1);
    await expect.poll(() => logs.slice(before).find((l) => l.includes('[p] next scheduled run'))).toBeDefined();
    const next = logs.slice(before).find((l) => l.includes('[p] next scheduled run'));
    const at = new Date(next!.split('next scheduled run ')[1]!);
    expect([at.getHours(), at.getMinutes()]).toEqual([6, 30]);
    expect((await sup.engine.snapshot()).profiles[0]!.triggers.schedule).toBe('30 6 * * *');
  });

  it('returns field errors and writes nothing for invalid input', async () => {
    const engine = await open({ profiles: [profile()] });
    const file = path.join(sb.configDir, 'config.json');
    const before = await fs.readFile(file, 'utf8');
    const r = await engine.saveConfig({ profiles: [profile({ prune: { keepDaily: 0 } }), profile()] });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.errors.map((e) => e.path)).toEqual(expect.arrayContaining(['profiles[0].prune', 'profiles[1].id']));
    }
    expect(await fs.readFile(file, 'utf8')).toBe(before);
    expect(engine.config.profiles).toHaveLength(1);
  });
});

describe('a profile pointed at another repository', () => {
  it('starts a fresh history: no "backed up" about a repository that never saw a backup, and the passphrase of the new one', async () => {
    const engine = await open({ profiles: [profile()] });
    expect((await engine.setPassphrase('p', PASS)).ok).toBe(true);
    expect((await engine.init('p')).ok).toBe(true);
    expect((await engine.run('p')).result).toBe('success');
    let s = (await engine.snapshot()).profiles[0]!;
    expect(s.lastSuccessAt).not.toBeNull();

    const other = path.join(sb.dir, 'other-repo');
    expect((await engine.saveConfig({ profiles: [profile({ repository: other })] })).ok).toBe(true);
    s = (await engine.snapshot()).profiles[0]!;
    expect(s).toMatchObject({ repository: other, lastRun: null, lastSuccessAt: null });
    const state = await engine.passphraseState('p');
    expect(state).toEqual({ ok: true, value: { source: 'keyring', stored: false } });
    const run = await engine.run('p');
    expect(run.diagnoses[0]?.kind).toBe('passphrase-missing');

    // Pointed back: the old repository's backups are still there, and count again.
    expect((await engine.saveConfig({ profiles: [profile()] })).ok).toBe(true);
    expect((await engine.snapshot()).profiles[0]).toMatchObject({ lastRun: { result: 'success' }, lastSuccessAt: expect.any(String) });
  });
});

describe('passphrases', () => {
  it('stores an unverified passphrase for a repository not created yet, says so, and init uses it', async () => {
    const engine = await open({ profiles: [profile()] });
    expect(await engine.passphraseState('p')).toEqual({ ok: true, value: { source: 'keyring', stored: false } });
    const saved = await engine.setPassphrase('p', PASS);
    expect(saved).toMatchObject({ ok: true, value: { verified: false } });
    expect(saved.ok && saved.value.note).toMatch(/without checking/);
    expect((await engine.init('p')).ok).toBe(true);
    const info = await borg(sb, ['info', '--json', repo], PASS);
    expect(info.exitCode, info.stderr).toBe(0);
    expect(await engine.passphraseState('p')).toEqual({ ok: true, value: { source: 'keyring', stored: true } });
  });

  it('refuses a wrong passphrase for an existing repository and keeps the right one', async () => {
    await freshRepository(repo, 'repokey-blake2', PASS);
    const engine = await open({ profiles: [profile()] });
    expect(await engine.setPassphrase('p', PASS)).toMatchObject({ ok: true, value: { verified: true } });
    const wrong = await engine.setPassphrase('p', 'not it');
    expect(wrong).toMatchObject({ ok: false, diagnosis: { kind: 'passphrase-wrong' } });
    expect(await secrets.get(repo)).toBe(PASS);
    expect(await engine.deletePassphrase('p')).toEqual({ ok: true, value: { deleted: true } });
    expect(await secrets.get(repo)).toBeNull();
  });
});

describe('an existing repository whose profile does not name its encryption', () => {
  it('backs up with the stored passphrase and finds out the mode', async () => {
    await freshRepository(repo, 'repokey', PASS);
    const engine = await open({ profiles: [profile({ encryption: undefined })] });
    expect(await engine.setPassphrase('p', PASS)).toMatchObject({ ok: true, value: { verified: true } });
    expect((await engine.run('p')).result).toBe('success');
    expect(await engine.encryption('p')).toEqual({ ok: true, value: { mode: 'repokey', detected: true } });
  });

  it('says a passphrase is needed when none is stored', async () => {
    await freshRepository(repo, 'repokey', PASS);
    const engine = await open({ profiles: [profile({ encryption: undefined })] });
    const run = await engine.run('p');
    expect(run.diagnoses[0]?.kind).toBe('passphrase-missing');
  });

  it('refuses init without an encryption mode, naming the field', async () => {
    const engine = await open({ profiles: [profile({ encryption: undefined })] });
    const r = await engine.init('p');
    expect(r).toMatchObject({ ok: false, diagnosis: { kind: 'config-invalid' } });
    expect(r.ok || r.diagnosis.message).toMatch(/encryption/);
  });
});

describe('archives', () => {
  it('come back with size and file count from the run that made them, and one folder at a time', async () => {
    await freshRepository(repo, 'none');
    const engine = await open({ profiles: [profile({ encryption: 'none' })] });
    const record = await engine.run('p');
    const list = await engine.archives('p');
    expect(list.ok).toBe(true);
    if (!list.ok) return;
    expect(list.value).toHaveLength(1);
    expect(list.value[0]).toMatchObject({ name: record.archive, nfiles: 30, originalSize: record.stats!.originalSize });
    const inside = await engine.listFolder('p', record.archive!, src.slice(1));
    expect(inside.ok && inside.value.map((e) => `${e.type}:${e.name}`)).toEqual([
      'dir:sub',
      ...Array.from({ length: 15 }, (_, i) => `file:file-${i * 2}.txt`).sort((a, b) => a.localeCompare(b, 'en', { numeric: true })),
    ]);
  });
});

describe('the snapshot in a long-lived process', () => {
  it('reads nothing from disk when nothing changed, and follows another process appending to the history', async () => {
    await freshRepository(repo, 'none');
    await writeConfig(sb.configDir, { profiles: [profile({ encryption: 'none', schedule: '0 * * * *' })] });
    const sup = await Supervisor.open({ configDir: sb.configDir, secrets, what: 'test', log: () => {}, mountTable: false });
    cleanups.push(() => sup.stop());
    await sup.start();
    const { engine } = sup;
    expect((await engine.run('p')).result).toBe('success');
    // The new archive is indexed for browsing in the background (its own reads and writes): done first.
    expect(await engine.indexedAfterRun('p')).toMatchObject({ made: true });
    const first = await engine.snapshot();
    expect(first.profiles[0]!.lastRun?.result).toBe('success');

    const fsp = (await import('node:fs/promises')).default;
    const reads = [vi.spyOn(fsp, 'readFile'), vi.spyOn(fsp, 'open'), vi.spyOn(fsp, 'readdir'), vi.spyOn(fsp, 'stat')];
    const summaries = vi.spyOn(History.prototype, 'summary');
    for (let i = 0; i < 20; i++) await engine.snapshot();
    expect(summaries).not.toHaveBeenCalled();
    for (const r of reads) expect(r).not.toHaveBeenCalled();
    for (const r of reads) r.mockRestore();

    // Another process records a failed run: the watcher tells the engine, the next snapshot shows it.
    const other = {
      ...first.profiles[0]!.lastRun!,
      result: 'error',
      message: 'from elsewhere',
      startedAt: new Date().toISOString(),
      finishedAt: new Date().toISOString(),
    };
    await fs.appendFile(path.join(sb.configDir, 'history', 'p.jsonl'), JSON.stringify(other) + '\n');
    const t0 = Date.now();
    let s = await engine.snapshot();
    while (s.profiles[0]!.lastRun?.message !== 'from elsewhere' && Date.now() - t0 < 5000) {
      await new Promise((r) => setTimeout(r, 50));
      s = await engine.snapshot();
    }
    expect(s.profiles[0]!.lastRun).toMatchObject({ result: 'error', message: 'from elsewhere' });
    expect(summaries).toHaveBeenCalled();
    summaries.mockRestore();
  });
});
