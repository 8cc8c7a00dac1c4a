/**
 * The hidden staging folder of a restore that was killed outright (SIGKILL of the CLI and its borg)
 * is removed by the next restore into the same target; the staging folder of a restore that is still
 * going on (here one of another repository, paused mid-extract) is left alone, and that restore ends
 * well. Real borg, the built CLI.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CLI, dandelion, sandbox, writeConfig, type Sandbox } from '../helpers/env.js';
import { freshRepository } from '../helpers/repo-template.js';
import { abandoned, ownStagingName, processAlive, stagingOwner, startToken, sweepStaging } from '../../src/ops/restore-staging.js';
import { processStart } from '../../src/jobs/process-identity.js';

let sb: Sandbox;
let dest: string;
const BIG_MB = 300;
const children: ChildProcess[] = [];

beforeAll(async () => {
  sb = await sandbox('dandelion-restore-staging-');
  const big = path.join(sb.dir, 'big');
  const small = path.join(sb.dir, 'small');
  await fs.mkdir(big);
  await fs.mkdir(small);
  await execa('dd', ['if=/dev/urandom', `of=${path.join(big, 'big.bin')}`, 'bs=1M', `count=${BIG_MB}`, 'status=none']);
  await fs.writeFile(path.join(small, 'note.txt'), 'small and quick');
  const profile = (id: string, source: string) => ({
    id,
    repository: path.join(sb.dir, `repo-${id}`),
    encryption: 'none',
    sources: [source],
    prune: null,
    archiveName: `${id}-{now}`,
  });
  await writeConfig(sb.configDir, { profiles: [profile('big', big), profile('small', small)] });
  // Empty repositories copied from one borg init (this file is not about init), then real backups.
  await freshRepository(path.join(sb.dir, 'repo-big'), 'none');
  await freshRepository(path.join(sb.dir, 'repo-small'), 'none');
  for (const args of [
    ['run', 'big'],
    ['run', 'small'],
  ]) {
    const r = await dandelion(sb, args);
    expect(r.exitCode, `${args.join(' ')}: ${r.stderr}`).toBe(0);
  }
}, 300_000);

afterEach(async () => {
  for (const c of children.splice(0)) {
    try {
      if (c.pid) process.kill(-c.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  if (dest) await fs.rm(dest, { recursive: true, force: true });
});

afterAll(() => sb.cleanup());

/** A restore of the big profile in its own process group (so the CLI and its borg can be stopped together). */
function restoreBig(): { child: ChildProcess; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [CLI, 'restore', 'big', '--to', dest], { env: sb.env, stdio: 'ignore', detached: true });
  children.push(child);
  const exited = new Promise<number | null>((res) => child.on('close', (code) => res(code)));
  return { child, exited };
}

/** The staging folder in dest, once borg has started writing big.bin into it. */
async function stagingWithBigFile(): Promise<string> {
  for (let i = 0; i < 1200; i++) {
    for (const n of await fs.readdir(dest)) {
      if (!n.startsWith('.dandelion-restore-')) continue;
      const found = await execa('find', [path.join(dest, n), '-name', 'big.bin'], { reject: false });
      if (found.stdout.trim()) return n;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the restore never wrote into its staging folder');
}

describe('staging folders left by restores', () => {
  it('a restore killed outright leaves its staging folder; the next restore into that target removes it', async () => {
    dest = path.join(sb.dir, 'dest-killed');
    await fs.mkdir(dest);
    const { child, exited } = restoreBig();
    const staging = await stagingWithBigFile();
    // The name says whose it is.
    expect(stagingOwner(staging)).toMatchObject({ pid: child.pid });
    process.kill(-child.pid!, 'SIGKILL');
    await exited;
    // Wait until borg (same group) is gone too.
    for (let i = 0; i < 100 && processAlive(stagingOwner(staging)!.pid, stagingOwner(staging)!.token); i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(await fs.readdir(dest)).toEqual([staging]);

    const r = await dandelion(sb, ['restore', 'small', '--to', dest, '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const left = await fs.readdir(dest);
    expect(left).toHaveLength(1);
    expect(left[0]).toMatch(/^Restored from small-/);
    const { log } = JSON.parse(r.stdout) as { log: string };
    expect(await fs.readFile(log, 'utf8')).toContain(
      `removed ${path.join(dest, staging)}, the staging folder of a restore that was stopped outright`,
    );
  }, 180_000);

  it('leaves the staging folder of a restore still going on, which then ends well', async () => {
    dest = path.join(sb.dir, 'dest-live');
    await fs.mkdir(dest);
    const { child, exited } = restoreBig();
    const staging = await stagingWithBigFile();
    // Held still mid-extract (the CLI and its borg), so it is certainly live while the other restore runs.
    process.kill(-child.pid!, 'SIGSTOP');
    try {
      const r = await dandelion(sb, ['restore', 'small', '--to', dest]);
      expect(r.exitCode, r.stderr).toBe(0);
      const names = await fs.readdir(dest);
      expect(names).toContain(staging);
      expect(names.some((n) => n.startsWith('Restored from small-'))).toBe(true);
    } finally {
      process.kill(-child.pid!, 'SIGCONT');
    }
    expect(await exited).toBe(0);
    const names = (await fs.readdir(dest)).sort();
    expect(names.some((n) => n.startsWith('.dandelion-restore-'))).toBe(false);
    const bigFolder = names.find((n) => n.startsWith('Restored from big-'))!;
    const restored = await execa('find', [path.join(dest, bigFolder), '-name', 'big.bin']);
    const original = path.join(sb.dir, 'big', 'big.bin');
    expect((await execa('cmp', [restored.stdout.trim(), original], { reject: false })).exitCode).toBe(0);
  }, 180_000);

  it('judges names: a live process with its own start is kept, a dead pid or a reused pid is not, names of no one are never touched', async () => {
    dest = path.join(sb.dir, 'dest-names');
    await fs.mkdir(dest);
    const sleeper = spawn('sleep', ['60'], { stdio: 'ignore', detached: true });
    children.push(sleeper);
    const start = processStart(sleeper.pid!);
    expect(start).not.toBeNull();
    const live = `.dandelion-restore-${sleeper.pid}-${startToken(start)}-0123456789ab`;
    const reused = `.dandelion-restore-${sleeper.pid}-${startToken('another start')}-0123456789ab`;
    const dead = `.dandelion-restore-999999999-${startToken('x')}-0123456789ab`;
    const old = '.dandelion-restore-0123456789ab';
    const mine = ownStagingName();
    for (const n of [live, reused, dead, old, mine]) {
      await fs.mkdir(path.join(dest, n, 'deep'), { recursive: true });
      await fs.writeFile(path.join(dest, n, 'deep', 'f'), 'x');
    }
    // A folder borg restored read-only inside a dead one is removed all the same.
    await fs.chmod(path.join(dest, dead, 'deep'), 0o500);
    await fs.writeFile(path.join(dest, '.dandelion-restore-999999998-x-00000000'), 'a file, not a folder');
    const removed = await sweepStaging(dest);
    expect(removed.sort()).toEqual([path.join(dest, dead), path.join(dest, reused)].sort());
    expect((await fs.readdir(dest)).sort()).toEqual([live, old, mine, '.dandelion-restore-999999998-x-00000000'].sort());
    expect(abandoned(old, () => false)).toBe(false);
    expect(abandoned('.dandelion-restore-12-x-0123456789ab', () => false)).toBe(true);
  });
});
