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
    // Integration tests start real borg, sshd and keyring processes; two cores do not like many at once.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
