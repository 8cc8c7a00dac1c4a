import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// `npm run mutation` (Stryker): only the unit tests, which exercise the pure modules it mutates.
// The integration tests start real borg and sshd and would only make each mutant slower to judge.
// (Spread rather than mergeConfig, which would append to `include` instead of replacing it.)
// MUTATION_TESTS=a.test.ts,b.test.ts narrows the run to those files: a quicker judge of one module,
// whose score is then a lower bound (docs/benchmarks.md says which files each figure used).
// One project, each file in a fresh module registry (the default run's projects are left out: Stryker
// swaps modules between mutants).
const only = process.env.MUTATION_TESTS?.split(',').filter(Boolean);
const { projects: _projects, ...test } = base.test ?? {};
export default defineConfig({
  ...base,
  test: { ...test, include: only ?? ['test/unit/**/*.test.ts'] },
});
