import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// `npm run mutation` (Stryker): only the unit tests, which exercise the pure modules it mutates.
// The integration tests start real borg and sshd and would only make each mutant slower to judge.
// (Spread rather than mergeConfig, which would append to `include` instead of replacing it.)
export default defineConfig({
  ...base,
  test: { ...base.test, include: ['test/unit/**/*.test.ts'] },
});
