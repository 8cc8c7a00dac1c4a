/**
 * Real borg repositories made once and copied. `borg init` costs about 0.3 s of CPU (a repokey one
 * more), and a suite that made one per test spent minutes on it. A copy is a real repository made by
 * real borg; it gets an id of its own, so borg treats it as a repository it has never seen (no
 * "previously located at", no cache or security data shared with the original or another copy).
 *
 * - `freshRepository(repo, encryption, passphrase?)`: an empty, initialised repository at `repo`,
 *   copied from a template made once per run for that encryption and passphrase.
 * - `cloneRepository(from, to)`: a copy of any closed repository (one a test filled once in
 *   `beforeAll`, say), with its own id. Archives, their names and their contents come along.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { inject } from 'vitest';
import { SKIP_BORG_SELFTEST } from './env.js';

/** The key travels with the repository in these modes (a keyfile's key lives outside it). */
export type Encryption = 'none' | 'repokey-blake2' | 'repokey' | 'authenticated-blake2' | 'authenticated';

/** Copies a closed repository to `to` (which must not exist) and gives the copy a new id. */
export async function cloneRepository(from: string, to: string): Promise<void> {
  await fs.mkdir(path.dirname(to), { recursive: true });
  await fs.cp(from, to, { recursive: true, preserveTimestamps: true, errorOnExist: true, force: false });
  // A lock left by a borg that was killed would travel with the copy.
  await fs.rm(path.join(to, 'lock.roster'), { force: true });
  await fs.rm(path.join(to, 'lock.exclusive'), { recursive: true, force: true });
  const config = path.join(to, 'config');
  const text = await fs.readFile(config, 'utf8');
  const renamed = text.replace(/^id = [0-9a-f]{64}$/m, `id = ${randomBytes(32).toString('hex')}`);
  if (renamed === text) throw new Error(`no repository id found in ${config}`);
  await fs.writeFile(config, renamed);
}

const made = new Map<string, Promise<string>>();

/** The template for one encryption and passphrase: made by `borg init` once per run, then shared. */
function template(encryption: Encryption, passphrase: string | undefined): Promise<string> {
  const key = `${encryption}-${createHash('sha256')
    .update(passphrase ?? '')
    .digest('hex')
    .slice(0, 12)}`;
  let p = made.get(key);
  if (!p) {
    p = makeTemplate(key, encryption, passphrase);
    made.set(key, p);
    p.catch(() => made.delete(key));
  }
  return p;
}

async function makeTemplate(key: string, encryption: Encryption, passphrase: string | undefined): Promise<string> {
  const root = inject('repoTemplates');
  const final = path.join(root, key);
  try {
    await fs.access(path.join(final, 'config'));
    return final;
  } catch {
    // not made yet by any worker
  }
  const work = await fs.mkdtemp(path.join(root, `${key}.making-`));
  const repo = path.join(work, 'repo');
  const r = await execa('borg', ['init', `--encryption=${encryption}`, repo], {
    reject: false,
    extendEnv: false,
    stdin: 'ignore',
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: work,
      BORG_BASE_DIR: path.join(work, 'borg-base'),
      ...SKIP_BORG_SELFTEST,
      ...(passphrase !== undefined ? { BORG_PASSPHRASE: passphrase } : {}),
    },
  });
  if (r.exitCode !== 0) throw new Error(`borg init of the ${key} template failed: ${r.stderr}`);
  try {
    // Another worker may have made it meanwhile: theirs is as good as ours.
    await fs.rename(repo, final);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOTEMPTY' && (err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  await fs.rm(work, { recursive: true, force: true });
  return final;
}

/** An empty repository at `repo`, as `borg init --encryption=<encryption>` with `passphrase` makes it. */
export async function freshRepository(repo: string, encryption: Encryption, passphrase?: string): Promise<void> {
  if (encryption !== 'none' && passphrase === undefined) throw new Error(`a ${encryption} repository needs a passphrase`);
  await cloneRepository(await template(encryption, passphrase), repo);
}
