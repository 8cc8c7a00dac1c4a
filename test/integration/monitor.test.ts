/**
 * Monitoring against a local HTTP server started here (127.0.0.1, a random port) and real borg
 * backups into one real repository: the bodies a Healthchecks check gets, ntfy's message, and a
 * service that hangs, refuses or answers 500 — the backup is a success all the same, its Outcome
 * comes back before the ping ends, and the failed ping is a line in the run log and a note in
 * status. No URL path or token is ever written under the config folder (config.json aside).
 */
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine.js';
import { Supervisor } from '../../src/supervisor.js';
import { MemorySecretStore } from '../../src/secrets/keyring.js';
import { keyringAccount } from '../../src/secrets/keyring.js';
import type { RunRecord } from '../../src/records.js';
import { dandelion, filesUnder, makeTree, sandbox, writeConfig, type Sandbox } from '../helpers/env.js';
import { freshRepository } from '../helpers/repo-template.js';

const PASS = 'monitor test passphrase 7c1e';
const TOKEN = 'a1b2c3d4-0000-4000-8000-5ec12e7t0ken';
const TOPIC = 'dandelion-topic-5ec12e7';
/** Short backoff so a retry costs milliseconds here (a hang has its own, shorter, time limit). */
const FAST = { timeoutMs: 3000, retries: 3, backoffMs: 5 };

interface Hit {
  method: string;
  path: string;
  query: URLSearchParams;
  body: string;
  at: number;
}

type Mode = 'ok' | 'hang' | '500';

let sb: Sandbox;
let src: string;
let repo: string;
let server: http.Server;
let port = 0;
let mode: Mode = 'ok';
let hits: Hit[] = [];
const engines: Engine[] = [];

function pingUrl(): string {
  return `http://127.0.0.1:${port}/ping/${TOKEN}`;
}
function ntfyUrl(): string {
  return `http://127.0.0.1:${port}/${TOPIC}`;
}

function oldSuccess(hoursAgo: number): RunRecord {
  const at = new Date(Date.now() - hoursAgo * 3600_000).toISOString();
  return {
    profile: 'p',
    trigger: 'schedule',
    startedAt: at,
    finishedAt: at,
    result: 'success',
    archive: 'old',
    stats: null,
    message: null,
    diagnoses: [],
    log: null,
    repository: repo,
  };
}

function profile(monitor: unknown, overrides: Record<string, unknown> = {}) {
  return {
    id: 'p',
    name: 'Backup disk',
    repository: repo,
    encryption: 'repokey-blake2',
    sources: [src],
    prune: null,
    monitor,
    ...overrides,
  };
}

async function open(config: unknown, opts: { secret?: string; monitor?: object } = {}): Promise<Engine> {
  await writeConfig(sb.configDir, config);
  const secrets = new MemorySecretStore();
  await secrets.set(keyringAccount(repo), opts.secret ?? PASS);
  const { engine, load } = await Engine.open({ configDir: sb.configDir, secrets, monitor: opts.monitor ?? FAST });
  expect(load.ok).toBe(true);
  engines.push(engine);
  return engine;
}

/** Every file the engine wrote (config.json aside: the user's own setting) and the texts given. */
async function expectNoSecretUrl(texts: string[] = []): Promise<void> {
  const files = (await filesUnder(sb.configDir)).filter((f) => path.basename(f) !== 'config.json');
  expect(files.length).toBeGreaterThan(0);
  for (const f of files) {
    const text = await fs.readFile(f, 'utf8');
    expect(text, f).not.toContain(TOKEN);
    expect(text, f).not.toContain(TOPIC);
    expect(text, f).not.toContain('/ping/');
  }
  for (const t of texts) {
    expect(t).not.toContain(TOKEN);
    expect(t).not.toContain(TOPIC);
  }
}

beforeAll(async () => {
  sb = await sandbox('dandelion-monitor-');
  process.env.BORG_BASE_DIR = sb.env.BORG_BASE_DIR;
  src = path.join(sb.dir, 'src');
  repo = path.join(sb.dir, 'repo');
  await makeTree(src, 20);
  await freshRepository(repo, 'repokey-blake2', PASS);
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const u = new URL(req.url ?? '/', 'http://x');
      hits.push({
        method: req.method ?? '',
        path: u.pathname,
        query: u.searchParams,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      });
      if (mode === 'hang') return; // never answers
      res.writeHead(mode === '500' ? 500 : 200, { 'content-type': 'text/plain' });
      res.end(mode === '500' ? 'oops' : 'OK');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterEach(async () => {
  for (const e of engines.splice(0)) {
    await e.cancelAll();
    await e.monitorSettled(5000);
  }
  server.closeAllConnections();
  mode = 'ok';
  hits = [];
  await fs.rm(sb.configDir, { recursive: true, force: true });
  await fs.mkdir(sb.configDir, { recursive: true });
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await sb.cleanup();
});

describe('the signals of a real backup', () => {
  it('sends /start when the run starts and the plain URL with a summary when it succeeded', async () => {
    const engine = await open({ profiles: [profile({ pingUrl: pingUrl(), ntfyUrl: ntfyUrl() })] });
    const notices: string[] = [];
    engine.on('notice', (l) => notices.push(l));
    const record = await engine.run('p');
    expect(record.result).toBe('success');
    expect(await engine.monitorSettled(5000)).toBe(true);
    expect(hits.map((h) => `${h.method} ${h.path}`)).toEqual([`POST /ping/${TOKEN}/start`, `POST /ping/${TOKEN}`]);
    const done = hits[1]!;
    expect(done.body).toContain('Backup disk: backup saved');
    expect(done.body).toContain(record.archive!);
    expect(done.body).toMatch(/\b20 files\b/);
    // A success says nothing on ntfy.
    expect(hits.some((h) => h.path.includes(TOPIC))).toBe(false);
    const status = await engine.status();
    expect(status.profiles[0]!.monitor).toEqual({ lastPing: expect.any(String), ok: true, host: `127.0.0.1:${port}` });
    const log = await fs.readFile(record.log!, 'utf8');
    expect(log).toContain(`monitoring: success signal sent to 127.0.0.1:${port}`);
    await expectNoSecretUrl([JSON.stringify(status), JSON.stringify(await engine.snapshot()), ...notices]);
  });

  it('sends /fail with the end of the run log (≤ 10 KB, never the passphrase) and a short high-priority ntfy message', async () => {
    const WRONG = 'not-the-passphrase-5ec12e7';
    const engine = await open({ profiles: [profile({ pingUrl: pingUrl(), ntfyUrl: ntfyUrl() })] }, { secret: WRONG });
    const record = await engine.run('p');
    expect(record.result).toBe('error');
    expect(record.diagnoses[0]!.kind).toBe('passphrase-wrong');
    expect(await engine.monitorSettled(5000)).toBe(true);
    const fail = hits.find((h) => h.path === `/ping/${TOKEN}/fail`);
    expect(fail).toBeDefined();
    expect(Buffer.byteLength(fail!.body)).toBeLessThanOrEqual(10_000);
    expect(fail!.body).toContain('Backup disk: backup failed');
    expect(fail!.body).toContain(record.diagnoses[0]!.message);
    // The end of the run log, as written: its last line before the monitoring lines.
    const logLines = (await fs.readFile(record.log!, 'utf8')).split('\n').filter((l) => l && !l.includes('monitoring:'));
    expect(fail!.body).toContain('--- end of the run log ---');
    expect(fail!.body).toContain(logLines.at(-1)!);
    for (const secret of [WRONG, PASS]) expect(fail!.body).not.toContain(secret);
    const ntfy = hits.find((h) => h.path === `/${TOPIC}`);
    expect(ntfy).toMatchObject({ method: 'POST' });
    expect(ntfy!.query.get('priority')).toBe('high');
    expect(ntfy!.query.get('title')).toBe('Backup disk: backup failed');
    expect(ntfy!.body).toBe(record.diagnoses[0]!.message.split(/(?<=[.!?])\s/)[0]);
    expect(ntfy!.body).not.toContain('end of the run log');
    await expectNoSecretUrl();
  });

  it('tells ntfy alone (no ping URL) about a failure', async () => {
    const engine = await open({ profiles: [profile({ pingUrl: null, ntfyUrl: ntfyUrl() })] }, { secret: 'wrong-5ec12e7' });
    expect((await engine.run('p')).result).toBe('error');
    expect(await engine.monitorSettled(5000)).toBe(true);
    expect(hits.map((h) => `${h.method} ${h.path} ${h.query.get('priority')}`)).toEqual([`POST /${TOPIC} high`]);
    expect((await engine.status()).profiles[0]!.monitor).toMatchObject({ ok: true, host: `127.0.0.1:${port}` });
  });

  it('does not ping success for a skipped run', async () => {
    const engine = await open({ profiles: [profile({ pingUrl: pingUrl(), ntfyUrl: null })] });
    await engine.recordSkipped('p', 'schedule', 'Skipped: on battery power.');
    expect(await engine.monitorSettled(2000)).toBe(true);
    expect(hits).toEqual([]);
  });
});

describe('a monitoring service that does not work never fails or delays a backup', () => {
  it('a server that hangs: the run is a success and comes back before the ping gives up; status notes it', async () => {
    const engine = await open(
      { profiles: [profile({ pingUrl: pingUrl(), ntfyUrl: null })] },
      { monitor: { timeoutMs: 300, retries: 1, backoffMs: 5 } },
    );
    mode = 'hang';
    const record = await engine.run('p');
    const returnedAt = Date.now();
    expect(record.result).toBe('success');
    // The finish ping is still out when the run's record came back.
    expect(engine.monitor.busy).toBe(true);
    expect(await engine.monitorSettled(5000)).toBe(true);
    const finishes = hits.filter((h) => h.path === `/ping/${TOKEN}`);
    expect(finishes).toHaveLength(2); // one retry
    expect(finishes[0]!.at).toBeGreaterThanOrEqual(returnedAt - 50);
    const st = (await engine.status()).profiles[0]!;
    expect(st.lastRun!.result).toBe('success');
    expect(st.monitor).toMatchObject({ ok: false, host: `127.0.0.1:${port}` });
    const log = await fs.readFile(record.log!, 'utf8');
    expect(log).toContain(`monitoring: the success ping to 127.0.0.1:${port} failed after 2 attempts: it did not answer within 0.3 s`);
    await expectNoSecretUrl([log]);
  });

  it('a server that refuses: 3 retries, then a line in the run log and a note in status; history says success', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const engine = await open({ profiles: [profile({ pingUrl: `http://127.0.0.1:${deadPort}/ping/${TOKEN}`, ntfyUrl: null })] });
    const notices: string[] = [];
    engine.on('notice', (l) => notices.push(l));
    const record = await engine.run('p');
    expect(record.result).toBe('success');
    expect(await engine.monitorSettled(5000)).toBe(true);
    const log = await fs.readFile(record.log!, 'utf8');
    expect(log).toContain(`monitoring: the start ping to 127.0.0.1:${deadPort} failed after 4 attempts: it refused the connection`);
    expect(log).toContain(`monitoring: the success ping to 127.0.0.1:${deadPort} failed after 4 attempts: it refused the connection`);
    expect(notices.some((n) => n.includes('refused the connection'))).toBe(true);
    const history = await fs.readFile(path.join(sb.configDir, 'history', 'p.jsonl'), 'utf8');
    expect(JSON.parse(history.trim().split('\n').at(-1)!) as RunRecord).toMatchObject({ result: 'success' });
    const status = await dandelion(sb, ['status', '--json']);
    const p = (JSON.parse(status.stdout) as { profiles: { monitor: unknown }[] }).profiles[0]!;
    expect(p.monitor).toMatchObject({ ok: false, host: `127.0.0.1:${deadPort}` });
    const text = await dandelion(sb, ['status']);
    expect(text.stdout).toContain(`monitoring: the last ping to 127.0.0.1:${deadPort} did not get through`);
    await expectNoSecretUrl([status.stdout, text.stdout, ...notices]);
  });

  it('a server that answers 500: each signal tried 4 times (3 retries), the backup still a success', async () => {
    const engine = await open({ profiles: [profile({ pingUrl: pingUrl(), ntfyUrl: null })] });
    mode = '500';
    const record = await engine.run('p');
    expect(record.result).toBe('success');
    expect(await engine.monitorSettled(5000)).toBe(true);
    expect(hits.filter((h) => h.path === `/ping/${TOKEN}/start`)).toHaveLength(4);
    expect(hits.filter((h) => h.path === `/ping/${TOKEN}`)).toHaveLength(4);
    expect((await engine.status()).profiles[0]!.monitor).toMatchObject({ ok: false });
    expect(await fs.readFile(record.log!, 'utf8')).toContain('failed after 4 attempts: it answered HTTP 500');
    await expectNoSecretUrl();
  });
});

describe('overdue', () => {
  it('pings failure once per overdue spell, remembered across a restart', async () => {
    const config = { profiles: [profile({ pingUrl: pingUrl(), ntfyUrl: ntfyUrl() }, { schedule: '0 * * * *' })] };
    const engine = await open(config);
    await engine.history.append(oldSuccess(5));
    expect((await engine.status()).profiles[0]!.overdue).toBe(true);
    expect(await engine.checkOverdue()).toEqual(['p']);
    expect(await engine.checkOverdue()).toEqual([]);
    expect(await engine.monitorSettled(5000)).toBe(true);
    const fails = hits.filter((h) => h.path === `/ping/${TOKEN}/fail`);
    expect(fails).toHaveLength(1);
    expect(fails[0]!.body).toContain('Backups of Backup disk are overdue');
    expect(hits.filter((h) => h.path === `/${TOPIC}`)).toHaveLength(1);
    // Another process (a restart) does not tell the same spell again.
    const { engine: again } = await Engine.open({ configDir: sb.configDir, secrets: new MemorySecretStore(), monitor: FAST });
    engines.push(again);
    expect(await again.checkOverdue()).toEqual([]);
    expect(hits.filter((h) => h.path === `/ping/${TOKEN}/fail`)).toHaveLength(1);
    await expectNoSecretUrl();
  });
});

describe('the owner of the schedules', () => {
  it('pings an overdue profile held back on battery: a failure, no start, no success', async () => {
    await writeConfig(sb.configDir, {
      profiles: [profile({ pingUrl: pingUrl(), ntfyUrl: null }, { schedule: '0 * * * *', skipOnBattery: true })],
    });
    const secrets = new MemorySecretStore();
    await secrets.set(keyringAccount(repo), PASS);
    const logs: string[] = [];
    const sup = await Supervisor.open({
      configDir: sb.configDir,
      secrets,
      what: 'test',
      log: (l) => logs.push(l),
      mountTable: false,
      onBattery: true,
      monitor: FAST,
    });
    engines.push(sup.engine);
    await sup.engine.history.append(oldSuccess(5));
    try {
      await sup.start();
      await expect.poll(() => hits.map((h) => h.path), { timeout: 10_000 }).toEqual([`/ping/${TOKEN}/fail`]);
      // The log line follows once the ping (and its record in state/monitor.json) is done.
      await expect.poll(() => logs, { timeout: 10_000 }).toContain('[p] overdue: monitoring told (failure ping)');
      expect((await sup.engine.status()).profiles[0]).toMatchObject({ overdue: true, waitingFor: 'power', lastRun: { result: 'success' } });
    } finally {
      await sup.stop();
    }
    await expectNoSecretUrl(logs);
  });
});

describe('a warning that means the data is not safe', () => {
  it('a backup that saved nothing (hollow) pings /fail with its warning, and the ntfy message', async () => {
    const empty = path.join(sb.dir, 'empty-src');
    await fs.mkdir(empty, { recursive: true });
    const engine = await open({
      profiles: [profile({ pingUrl: pingUrl(), ntfyUrl: ntfyUrl() }, { sources: [empty], archiveName: 'hollow-{now}' })],
    });
    const record = await engine.run('p');
    expect(record.result).toBe('warning');
    expect(record.diagnoses.map((d) => d.kind)).toContain('hollow-backup');
    expect(await engine.monitorSettled(5000)).toBe(true);
    expect(hits.map((h) => h.path)).toEqual([`/ping/${TOKEN}/start`, `/ping/${TOKEN}/fail`, `/${TOPIC}`]);
    expect(hits[1]!.body).toContain('Backup disk: backup not safe');
    expect(hits[2]!.query.get('title')).toBe('Backup disk: backup not safe');
  });
});

describe('dandelion run', () => {
  it('waits for the finish ping before it exits; an app watching the folder shows that ping', async () => {
    const plain = path.join(sb.dir, 'plain-repo');
    await fs.rm(plain, { recursive: true, force: true });
    await freshRepository(plain, 'none');
    await writeConfig(sb.configDir, {
      profiles: [
        { id: 'n', repository: plain, encryption: 'none', sources: [src], prune: null, monitor: { pingUrl: pingUrl(), ntfyUrl: null } },
      ],
    });
    const app = await Supervisor.open({ configDir: sb.configDir, what: 'test app', log: () => {}, mountTable: false, monitor: FAST });
    engines.push(app.engine);
    await app.start();
    try {
      expect((await app.engine.snapshot()).profiles[0]!.monitor).toBeNull();
      const r = await dandelion(sb, ['run', 'n']);
      expect(r.exitCode).toBe(0);
      expect(hits.map((h) => h.path)).toEqual([`/ping/${TOKEN}/start`, `/ping/${TOKEN}`]);
      await expect
        .poll(async () => (await app.engine.snapshot()).profiles[0]!.monitor, { timeout: 10_000 })
        .toMatchObject({ ok: true, host: `127.0.0.1:${port}` });
      await expectNoSecretUrl([r.stdout, r.stderr]);
    } finally {
      await app.stop();
    }
  });
});
