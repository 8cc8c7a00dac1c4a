import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // test/macos launches the real Electron app: left out unless DANDELION_E2E=1, which the macOS
    // workflow sets for `npx vitest run test/macos` (a config exclude also hides files named on the CLI).
    exclude: process.env.DANDELION_E2E === '1' ? configDefaults.exclude : ['test/macos/**', ...configDefaults.exclude],
    // Repository templates shared by every file (test/helpers/repo-template.ts).
    globalSetup: ['test/helpers/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Three files at a time on two cores: the tests wait on borg, sshd and chromium as much as they compute
    // (two workers left the cores a quarter idle). Timing bounds in the tests are set for this load.
    maxWorkers: 3,
    reporters: ['default'],
  },
});
