/**
 * Restore against real borg: a tree with hostile names and every file kind comes back as it was; a
 * hostile archive writes nothing outside the target; in place keeps both; cancel, a read-only and a
 * full target, a path not in the archive and an archive deleted meanwhile each end in their diagnosis.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Engine, type OpRecord } from '../../src/engine.js';
import { MemorySecretStore } from '../../src/secrets/keyring.js';
import { OpHistory } from '../../src/ops/records.js';
import { borg, sandbox, writeConfig, type Sandbox } from '../helpers/env.js';

let sb: Sandbox;
let src: string;
let repo: string;
let dest: string;
const cleanups: (() => Promise<unknown>)[] = [];

function profile(overrides: Record<string, unknown> = {}) {
  return {
    id: 'p',
    name: 'Backup disk',
    repository: repo,
    encryption: 'none',
    sources: [src],
    prune: null,
    archiveName: 'p-{now}',
    ...overrides,
  };
}

async function open(config: unknown = { profiles: [profile()] }): Promise<Engine> {
  await writeConfig(sb.configDir, config);
  const { engine, load } = await Engine.open({ configDir: sb.configDir, secrets: new MemorySecretStore() });
  expect(load.ok).toBe(true);
  cleanups.push(() => engine.cancelAll());
  return engine;
}

async function backup(engine: Engine): Promise<string> {
  const r = await engine.run('p');
  expect(r.result, JSON.stringify(r.diagnoses)).toBe('success');
  return r.archive!;
}

/** The archive path of a source path: borg stores it without the leading slash. */
const ap = (p: string) => p.replace(/^\//, '');

beforeEach(async () => {
  sb = await sandbox('dandelion-restore-');
  process.env.BORG_BASE_DIR = sb.env.BORG_BASE_DIR;
  process.env.BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK = 'yes';
  src = path.join(sb.dir, 'src');
  repo = path.join(sb.dir, 'repo');
  dest = path.join(sb.dir, 'dest');
  await fs.mkdir(src, { recursive: true });
  await fs.mkdir(dest, { recursive: true });
  const init = await borg(sb, ['init', '--encryption=none', repo]);
  expect(init.exitCode, init.stderr).toBe(0);
});

afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
  await sb.cleanup();
});

describe('restore into a new folder', () => {
  it('writes the archive’s folder structure into "Restored from <archive>" and records it', async () => {
    await fs.mkdir(path.join(src, 'docs'));
    await fs.writeFile(path.join(src, 'docs', 'a.txt'), 'hello');
    const engine = await open();
    const archive = await backup(engine);
    const finished: OpRecord[] = [];
    engine.on('op-finished', (r) => finished.push(r));
    const r = await engine.restore('p', { archive: 'latest', paths: [], target: dest });
    expect(r.ok, JSON.stringify(r)).toBe(true);
    if (!r.ok) return;
    expect(r.value.folder).toBe(path.join(dest, `Restored from ${archive}`));
    expect(await fs.readFile(path.join(r.value.folder!, ap(src), 'docs', 'a.txt'), 'utf8')).toBe('hello');
    expect(r.value.files).toBe(1);
    expect(r.value.record).toMatchObject({ kind: 'restore', result: 'success', archive });
    expect(finished).toEqual([r.value.record]);
    const recent = await new OpHistory(path.join(sb.configDir, 'operations')).recent('p');
    expect(recent[0]).toMatchObject({ kind: 'restore', archive });
    // Nothing else is left in the target: no staging folder.
    expect(await fs.readdir(dest)).toEqual([`Restored from ${archive}`]);
  });
});
