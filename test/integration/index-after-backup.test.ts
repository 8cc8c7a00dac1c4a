/**
 * Each new archive is indexed for browsing right after its backup, in the background of a long-lived
 * process: the backup's answer does not wait, the index is on disk afterwards, and `versions` answers
 * from it without a pass over the archive. The pass takes no repository lock, so it goes on while
 * borg's lock is held by someone else. Real borg.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine.js';
import { MemorySecretStore } from '../../src/secrets/keyring.js';
import { configPaths } from '../../src/paths.js';
import { borg, makeTree, sandbox, writeConfig, type Sandbox } from '../helpers/env.js';
import { freshRepository } from '../helpers/repo-template.js';
import { liveInGroup } from '../helpers/processes.js';

let sb: Sandbox;
let src: string;
let repo: string;
const engines: Engine[] = [];
const children: ChildProcess[] = [];

beforeAll(async () => {
  sb = await sandbox('dandelion-index-after-backup-');
  process.env.BORG_BASE_DIR = sb.env.BORG_BASE_DIR;
  process.env.BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK = 'yes';
  src = path.join(sb.dir, 'src');
  repo = path.join(sb.dir, 'repo');
  await makeTree(src, 30);
  await writeConfig(sb.configDir, {
    profiles: [{ id: 'p', repository: repo, encryption: 'none', sources: [src], archiveName: 'p-{now}' }],
  });
  await freshRepository(repo, 'none');
});

afterEach(async () => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  for (const e of engines.splice(0)) await e.cancelAll();
});

afterAll(() => sb.cleanup());

async function open(indexAfterBackup: boolean | (() => boolean)): Promise<Engine> {
  const { engine, load } = await Engine.open({ configDir: sb.configDir, busy: 'wait', secrets: new MemorySecretStore(), indexAfterBackup });
  expect(load.ok).toBe(true);
  engines.push(engine);
  return engine;
}

/** The index files on disk, as `<repository id>/<archive id>.idx`. */
async function indexFiles(): Promise<string[]> {
  const root = configPaths(sb.configDir).archiveIndex;
  const out: string[] = [];
  for (const repoId of await fs.readdir(root).catch(() => [] as string[])) {
    for (const f of await fs.readdir(path.join(root, repoId))) if (f.endsWith('.idx')) out.push(`${repoId}/${f}`);
  }
  return out.sort();
}

async function archiveId(name: string): Promise<string> {
  const r = await borg(sb, ['info', '--json', `${repo}::${name}`]);
  return (JSON.parse(r.stdout) as { archives: { id: string }[] }).archives[0]!.id;
}

describe('indexing each new archive after its backup', () => {
  it('a CLI run (no long-lived process) leaves indexing to the first look', async () => {
    const engine = await open(false);
    const r = await engine.run('p');
    expect(r.result).toBe('success');
    expect(await engine.indexedAfterRun('p')).toBeNull();
    expect(await indexFiles()).toEqual([]);
  });

  it('on battery the pass waits for the first look; back on mains power the next backup is indexed', async () => {
    let onBattery = true;
    const engine = await open(() => !onBattery);
    const before = await indexFiles();
    const r1 = await engine.run('p');
    expect(r1.result).toBe('success');
    expect(await engine.indexedAfterRun('p')).toBeNull();
    expect(await indexFiles()).toEqual(before);
    onBattery = false;
    const r2 = await engine.run('p');
    expect(r2.result).toBe('success');
    expect(await engine.indexedAfterRun('p')).toMatchObject({ archive: r2.archive, made: true });
    expect((await indexFiles()).filter((f) => !before.includes(f))).toEqual([
      expect.stringMatching(new RegExp(`/${await archiveId(r2.archive!)}\\.idx$`)),
    ]);
  }, 60_000);

  it('indexes the new archive without the backup waiting, and versions then needs no pass over it', async () => {
    const engine = await open(true);
    const file = path.join(src, (await fs.readdir(src)).sort()[0]!);
    // Archives made before (by the CLI run above) are indexed by a first versions, as they always were.
    expect((await engine.versions('p', file)).ok).toBe(true);
    const before = await indexFiles();
    const r = await engine.run('p');
    expect(r.result).toBe('success');
    // The backup answered while its archive was still being indexed.
    const job = engine.indexedAfterRun('p');
    expect(await Promise.race([job.then(() => 'indexed'), new Promise((res) => setImmediate(() => res('not yet')))])).toBe('not yet');
    const done = await job;
    expect(done).toMatchObject({ archive: r.archive, made: true, diagnosis: null });
    expect(done!.wallMs).toBeGreaterThan(0);
    const after = await indexFiles();
    expect(after.filter((f) => !before.includes(f))).toEqual([expect.stringMatching(new RegExp(`/${await archiveId(r.archive!)}\\.idx$`))]);

    // With the repository out of reach, versions of this archive still answers: no borg pass is needed.
    await fs.rename(repo, `${repo}-away`);
    try {
      const v = await engine.versions('p', file);
      expect(v.ok, JSON.stringify(v)).toBe(true);
      if (v.ok) expect(v.value.map((x) => x.archive)).toContain(r.archive);
    } finally {
      await fs.rename(`${repo}-away`, repo);
    }
  }, 60_000);

  it('takes no repository lock: it indexes while borg’s lock is held by another command', async () => {
    const engine = await open(false);
    const r = await engine.run('p');
    expect(r.result).toBe('success');
    const holder = spawn('borg', ['with-lock', repo, 'sleep', '60'], { env: { ...process.env, ...sb.env }, stdio: 'ignore' });
    children.push(holder);
    for (let i = 0; i < 200 && !(await fs.readdir(repo)).includes('lock.exclusive'); i++) await new Promise((res) => setTimeout(res, 50));
    expect(await fs.readdir(repo)).toContain('lock.exclusive');
    // A foreground listing waits a second for the lock, then fails; the background one does not wait.
    const t0 = Date.now();
    const indexed = await engine.indexArchive('p', r.archive!);
    expect(indexed.ok, JSON.stringify(indexed)).toBe(true);
    if (indexed.ok) expect(indexed.value.made).toBe(true);
    expect(Date.now() - t0).toBeLessThan(30_000);
    expect(holder.exitCode).toBeNull();
    // Made once: asked again, nothing runs.
    const again = await engine.indexArchive('p', r.archive!);
    expect(again.ok && again.value.made).toBe(false);
  }, 60_000);

  it('a stop ends the pass at once, even a borg too busy to act on SIGINT, and waits until it is gone', async () => {
    // A borg that ignores SIGINT while it lists without the lock: what a niceness-19 borg on a busy
    // machine amounts to. Everything else goes straight to borg.
    const marker = path.join(sb.dir, 'slow-list.pid');
    const slow = path.join(sb.dir, 'slow-borg.sh');
    await fs.writeFile(
      slow,
      `#!/bin/sh\ncase " $* " in *" --bypass-lock "*) trap '' INT; echo $$ > "${marker}"; sleep 60;; esac\nexec borg "$@"\n`,
      { mode: 0o755 },
    );
    const config = JSON.parse(await fs.readFile(path.join(sb.configDir, 'config.json'), 'utf8')) as { profiles: object[] };
    await writeConfig(sb.configDir, { profiles: [{ ...config.profiles[0], borgPath: slow }] });
    try {
      const engine = await open(true);
      const r = await engine.run('p');
      expect(r.result).toBe('success');
      let pid = 0;
      for (let i = 0; i < 400 && !pid; i++) {
        pid = Number(await fs.readFile(marker, 'utf8').catch(() => '0')) || 0;
        if (!pid) await new Promise((res) => setTimeout(res, 50));
      }
      expect(pid).toBeGreaterThan(0);
      const job = engine.indexedAfterRun('p');
      const t0 = Date.now();
      await engine.cancelAll();
      // Resolved only once the listing's whole process group is gone, and long before its 60 s sleep
      // or the 20 s a backup's borg gets to write its checkpoint.
      expect(await liveInGroup(pid)).toEqual([]);
      expect(Date.now() - t0).toBeLessThan(10_000);
      expect(await job).toMatchObject({ archive: r.archive, made: false });
    } finally {
      await writeConfig(sb.configDir, config);
    }
  }, 60_000);
});
