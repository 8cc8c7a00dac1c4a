/**
 * "The next backup resumes from borg's last checkpoint" is said only when borg left one: real borg,
 * a create killed before its first checkpoint, and one cancelled (SIGINT, which makes borg write one).
 */
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { borg, CLI, dandelion, sandbox, writeConfig, type Sandbox } from '../helpers/env.js';
import { configPaths } from '../../src/paths.js';
import type { RunRecord } from '../../src/records.js';

let sb: Sandbox;
let repo: string;
let lockFile: string;

async function waitFor(what: string, cond: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function borgPid(): Promise<number | null> {
  const text = await fs.readFile(lockFile, 'utf8').catch(() => '');
  return text ? ((JSON.parse(text) as { borg?: { pid: number } }).borg?.pid ?? null) : null;
}

async function lastRecord(): Promise<RunRecord> {
  const lines = (await fs.readFile(path.join(sb.configDir, 'history', 'big.jsonl'), 'utf8')).trim().split('\n');
  return JSON.parse(lines.at(-1)!) as RunRecord;
}

async function logText(): Promise<string> {
  const dir = path.join(sb.configDir, 'logs', 'big');
  const names = (await fs.readdir(dir).catch(() => [] as string[])).sort();
  return names.length ? fs.readFile(path.join(dir, names.at(-1)!), 'utf8') : '';
}

/** What borg itself lists, checkpoints included. */
async function checkpoints(): Promise<string[]> {
  const r = await borg(sb, ['list', '--consider-checkpoints', '--short', repo]);
  expect(r.exitCode, r.stderr).toBe(0);
  return r.stdout.split('\n').filter((n) => /\.checkpoint(\.\d+)?$/.test(n));
}

function run() {
  return execa(process.execPath, [CLI, 'run', 'big'], { reject: false, extendEnv: false, env: sb.env, stdin: 'ignore' });
}

beforeAll(async () => {
  sb = await sandbox('dandelion-checkpoint-');
  repo = path.join(sb.dir, 'repo');
  const src = path.join(sb.dir, 'src');
  await fs.mkdir(src);
  // Incompressible data and slow compression: borg is still in create when it is stopped.
  for (let i = 0; i < 60; i++) await fs.writeFile(path.join(src, `blob-${i}.bin`), crypto.randomBytes(2 * 1024 * 1024));
  await writeConfig(sb.configDir, {
    profiles: [{ id: 'big', repository: repo, encryption: 'none', sources: [src], compression: 'lzma,6', prune: null }],
  });
  expect((await dandelion(sb, ['init', 'big'])).exitCode).toBe(0);
  lockFile = configPaths(sb.configDir).repoLock(repo);
}, 120_000);

afterAll(async () => {
  await sb?.cleanup();
});

describe('the checkpoint a create cut short left', () => {
  it('a first backup killed hard before any checkpoint: no promise to resume, and borg lists none', async () => {
    const child = run();
    await waitFor('borg create', async () => (await borgPid()) !== null);
    process.kill((await borgPid())!, 'SIGKILL');
    const r = await child;
    expect(r.exitCode).toBe(2);
    const rec = await lastRecord();
    expect(rec.diagnoses[0]!.kind).toBe('killed');
    expect(rec.checkpoint).toBeUndefined();
    expect(`${rec.diagnoses[0]!.message} ${rec.diagnoses[0]!.fix}`, JSON.stringify(rec.diagnoses)).not.toMatch(/resumes|last checkpoint/);
    expect(r.stderr).not.toMatch(/resumes/);
    expect(await logText()).toMatch(/no checkpoint of this backup was found/);
    expect(await checkpoints()).toEqual([]);
  }, 120_000);

  it('a backup cancelled with Ctrl-C after borg saved files: borg leaves a checkpoint and the words say so', async () => {
    const child = run();
    // borg lists a file once it is stored: then SIGINT makes it write a checkpoint before it exits.
    await waitFor('a file stored', async () => /\n\S+ A \//.test(await logText()), 120_000);
    child.kill('SIGINT');
    const r = await child;
    expect(r.exitCode).not.toBe(0);
    const rec = await lastRecord();
    expect(rec.result).toBe('cancelled');
    const listed = await checkpoints();
    expect(listed.length).toBeGreaterThan(0);
    expect(listed).toContain(rec.checkpoint);
    expect(rec.diagnoses.find((d) => d.kind === 'cancelled')?.fix ?? rec.diagnoses[0]?.fix ?? '').toMatch(
      /resumes from the last checkpoint/,
    );
  }, 180_000);
});
