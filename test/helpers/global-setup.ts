/**
 * Runs once per `vitest run`, before any worker: a folder for repository templates shared by every
 * test file (test/helpers/repo-template.ts), removed when the run ends; and the version of the borg on
 * PATH, asked once, for sandbox() to give each new config folder (test/helpers/env.ts).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';

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

/** The first `borg` on PATH, as the engine finds it, with what its `--version` says; null without one. */
async function borgOnPath(): Promise<BorgVersionEntry | null> {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const file = path.join(dir, 'borg');
    try {
      await fs.access(file, fs.constants.X_OK);
    } catch {
      continue;
    }
    const realpath = await fs.realpath(file);
    const st = await fs.stat(realpath);
    const out = await new Promise<string>((resolve) => execFile(file, ['--version'], (_err, stdout) => resolve(String(stdout))));
    const m = /(\d+)\.(\d+)\.(\d+)\S*/.exec(out);
    if (!m) return null;
    return { realpath, size: st.size, mtimeMs: st.mtimeMs, version: { major: +m[1]!, minor: +m[2]!, patch: +m[3]!, raw: m[0] } };
  }
  return null;
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dandelion-templates-'));
  project.provide('repoTemplates', dir);
  project.provide('borgVersionEntry', await borgOnPath());
  return () => fs.rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
}
