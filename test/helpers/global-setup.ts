/**
 * Runs once per `vitest run`, before any worker: a folder for repository templates shared by every
 * test file (test/helpers/repo-template.ts), removed when the run ends.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    repoTemplates: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dandelion-templates-'));
  project.provide('repoTemplates', dir);
  return () => fs.rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
}
