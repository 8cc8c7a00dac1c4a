/**
 * One repository, two spellings: `<dir>/real/repo` in one profile, `<dir>/link/./repo/` (through a
 * symlinked folder) in another. They share one lock, so a second borg never runs beside the first,
 * and one keyring account, so the passphrase is found whichever profile asks, also when an earlier
 * version stored it under the location as typed. Two profiles whose archive names overlap on one
 * repository are refused before prune could take each other's archives. Real borg, real Secret
 * Service; `borg check` clean and every archive there at the end.
 */
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { borg, CLI, dandelion, listArchives, makeTree, ROOT, sandbox, writeConfig, type Sandbox } from '../helpers/env.js';
import { startKeyring, type Keyring } from '../helpers/keyring.js';
import { configPaths } from '../../src/paths.js';

const PASS = 'same repository, another spelling 41c9';
const hostname = os.hostname().split('.')[0]!;

let sb: Sandbox;
let keyring: Keyring;
let real: string;
let typedA: string;
let typedB: string;
let bigSrc: string;
let smallSrc: string;

function profiles(docs: Record<string, unknown> = {}) {
  return {
    profiles: [
      // lzma on incompressible data: borg is still busy when the second run comes.
      { id: 'big', repository: typedA, encryption: 'repokey-blake2', sources: [bigSrc], compression: 'lzma,6', prune: { keepLast: 5 } },
      {
        id: 'docs',
        repository: typedB,
        encryption: 'repokey-blake2',
        sources: [smallSrc],
        archiveName: 'docs-{now}',
        prune: { keepLast: 5 },
        ...docs,
      },
    ],
  };
}

/** What the Secret Service holds for Dandelion, read the way any keyring client would. */
async function keyringEntries(): Promise<Record<string, string>> {
  const script =
    "import { findCredentials } from '@napi-rs/keyring';" +
    "console.log(JSON.stringify(Object.fromEntries(findCredentials('Dandelion').map((c) => [c.account, c.password]))));";
  const r = await execa(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, env: sb.env, extendEnv: false });
  return JSON.parse(r.stdout) as Record<string, string>;
}

/** What a Dandelion before canonical accounts did: the passphrase under the location as typed. */
async function storeAsEarlierVersion(account: string, secret: string): Promise<void> {
  const script = `import { Entry } from '@napi-rs/keyring'; new Entry('Dandelion', process.argv[1]).setPassword(process.argv[2]);`;
  await execa(process.execPath, ['--input-type=module', '-e', script, account, secret], { cwd: ROOT, env: sb.env, extendEnv: false });
}

async function heldBy(lockFile: string, pid: number | undefined): Promise<boolean> {
  try {
    return (JSON.parse(await fs.readFile(lockFile, 'utf8')) as { pid?: number }).pid === pid;
  } catch {
    return false;
  }
}

beforeAll(async () => {
  sb = await sandbox('dandelion-faults-same-repo-');
  keyring = await startKeyring(sb.home);
  Object.assign(sb.env, keyring.env);
  real = path.join(sb.dir, 'real');
  await fs.mkdir(real);
  await fs.symlink(real, path.join(sb.dir, 'link'));
  typedA = path.join(real, 'repo');
  typedB = `${sb.dir}/link/./repo/`;
  bigSrc = path.join(sb.dir, 'big');
  smallSrc = path.join(sb.dir, 'small');
  await fs.mkdir(bigSrc);
  for (let i = 0; i < 8; i++) await fs.writeFile(path.join(bigSrc, `blob-${i}.bin`), crypto.randomBytes(2 * 1024 * 1024));
  await makeTree(smallSrc);
  await writeConfig(sb.configDir, profiles());
});

afterAll(async () => {
  await keyring?.stop();
  await sb?.cleanup();
});

describe('one repository spelt two ways', () => {
  it('finds a passphrase an earlier version stored under the location as typed, and moves it to the canonical account', async () => {
    // typedB goes through the symlink, so its canonical account is another string: a real move.
    await storeAsEarlierVersion(typedB, PASS);
    expect(await keyringEntries()).toEqual({ [typedB]: PASS });
    // Found (init would stop at "no passphrase" otherwise), and moved on that first use.
    const init = await dandelion(sb, ['init', 'docs']);
    expect(init.exitCode, init.stderr).toBe(0);
    expect(await keyringEntries()).toEqual({ [await fs.realpath(typedA)]: PASS });
  });

  it('refuses a second run on the other spelling while the first is running: one lock for both (exit 2)', async () => {
    const lockFile = configPaths(sb.configDir).repoLock(typedA);
    const first = execa(process.execPath, [CLI, 'run', 'big'], { reject: false, extendEnv: false, env: sb.env, stdin: 'ignore' });
    const deadline = Date.now() + 20_000;
    // Until the first run holds the repository (the lock names its pid), or has ended.
    while (!(await heldBy(lockFile, first.pid)) && first.exitCode === null && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 25));
    const second = await dandelion(sb, ['run', 'docs']);
    const done = await first;
    expect(done.exitCode, done.stdout + done.stderr).toBe(0);
    expect(second.exitCode, second.stdout + second.stderr).toBe(2);
    expect(second.stderr).toMatch(/Another Dandelion process \(pid \d+\) is already using .*: backup of "big"/);
  });

  it('finds the passphrase under either spelling, and backs up', async () => {
    // "big" (the other spelling) already found it in the run above.
    const r = await dandelion(sb, ['run', 'docs']);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(Object.keys(await keyringEntries())).toEqual([await fs.realpath(typedA)]);
  });

  it('refuses two profiles on one repository whose archive names overlap, naming the field, and runs nothing', async () => {
    await writeConfig(sb.configDir, profiles({ repository: `${real}/./repo/`, archiveName: '{hostname}-daily-{now}' }));
    const r = await dandelion(sb, ['run', 'docs']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(
      'profiles[1].archiveName: overlaps the archives of profile "big" on the same repository (both match "{hostname}-daily-*"); give each profile its own archive name',
    );
    await writeConfig(sb.configDir, profiles());
  });

  it('leaves the repository consistent with every archive there', async () => {
    const check = await borg(sb, ['check', typedA], PASS);
    expect(check.exitCode, check.stderr).toBe(0);
    const names = await listArchives(sb, typedB, PASS);
    expect(names).toHaveLength(2);
    expect(names.filter((n) => n.startsWith(`${hostname}-daily-`))).toHaveLength(1);
    expect(names.filter((n) => n.startsWith('docs-'))).toHaveLength(1);
  });
});
