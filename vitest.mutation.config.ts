import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// `npm run mutation` (Stryker): only the unit tests, which exercise the pure modules it mutates.
// The integration tests start real borg and sshd and would only make each mutant slower to judge.
// (Spread rather than mergeConfig, which would append to `include` instead of replacing it.)
// schedule-facts.test.ts is left out: it replays cron slots around every 2026 DST change of six zones
// (~4 min alone), which would push Stryker's initial run past its limit; due.test.ts and
// cron.test.ts still judge the schedule modules.
export default defineConfig({
  ...base,
  test: { ...base.test, include: ['test/unit/**/*.test.ts'], exclude: ['test/unit/schedule-facts.test.ts'] },
});
