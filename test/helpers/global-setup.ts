/**
 * Runs once per `vitest run`, before any worker: a folder for repository templates shared by every
 * test file (test/helpers/repo-template.ts), removed when the run ends; and the version of the borg on
 * PATH, asked once, for sandbox() to give each new config folder (test/helpers/env.ts).
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { spawnSync } from 'node:child_process';
import { scrubbedEnv } from '../../src/borg/env.js';
import { locateBorg, rememberSelftest, type CachedVersion } from '../../src/borg/locate.js';

/** One entry of the engine's borg version cache (src/borg/locate.ts, cache/borg-versions.json). */
export type BorgVersionEntry = CachedVersion;

declare module 'vitest' {
  export interface ProvidedContext {
    repoTemplates: string;
    borgVersionEntry: BorgVersionEntry | null;
  }
}

/**
 * The entry the engine itself writes for the borg it finds on PATH (locateBorg with a cache file of its
 * own, in `dir`); null without a borg there.
 */
async function borgOnPath(dir: string): Promise<BorgVersionEntry | null> {
  const file = path.join(dir, 'borg-versions.json');
  let borg;
  try {
    borg = await locateBorg(null, file);
  } catch {
    return null;
  }
  // borg's self-test, once for the whole run (src/borg/selftest.ts): the entry every sandbox starts with
  // then says it passed, and the engine skips it as it does after a user's first command of the day.
  const help = spawnSync(borg.path, ['help'], { env: scrubbedEnv({ ...process.env, BORG_SELFTEST: undefined }), encoding: 'utf8' });
  if (help.status !== 0) throw new Error(`borg's self-test failed (${borg.path} help exited ${help.status}): ${help.stderr}`);
  await rememberSelftest(borg, Date.now());
  return (JSON.parse(await fs.readFile(file, 'utf8')) as BorgVersionEntry[])[0] ?? null;
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dandelion-templates-'));
  project.provide('repoTemplates', dir);
  project.provide('borgVersionEntry', await borgOnPath(dir));
  return () => fs.rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
}
