/**
 * Runs once per `vitest run`, before any worker: a folder for repository templates shared by every
 * test file (test/helpers/repo-template.ts), removed when the run ends; and the version of the borg on
 * PATH, asked once, for sandbox() to give each new config folder (test/helpers/env.ts).
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { locateBorg } from '../../src/borg/locate.js';

/** One entry of the engine's borg version cache (src/borg/locate.ts, cache/borg-versions.json). */
export interface BorgVersionEntry {
  realpath: string;
  size: number;
  mtimeMs: number;
  version: { major: number; minor: number; patch: number; raw: string };
}

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
  try {
    await locateBorg(null, file);
    return (JSON.parse(await fs.readFile(file, 'utf8')) as BorgVersionEntry[])[0] ?? null;
  } catch {
    return null;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dandelion-templates-'));
  project.provide('repoTemplates', dir);
  project.provide('borgVersionEntry', await borgOnPath(dir));
  return () => fs.rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
}
