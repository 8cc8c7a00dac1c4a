import fs from 'node:fs';
import { configDefaults, defineConfig } from 'vitest/config';

// The tests never reach the network (loopback only), and a CA bundle named in NODE_EXTRA_CA_CERTS is
// read and parsed by every node process as it starts (~60 ms of CPU each, and a run starts ~600: the
// workers and the CLI, daemon and app processes they spawn). Removed before the first worker forks.
delete process.env.NODE_EXTRA_CA_CERTS;

// Scratch space in memory (Linux's /dev/shm, a tmpfs) unless TMPDIR names a place: the repositories,
// sources and configs the tests make. borg's fsyncs and an ext4 disk's journal cost the real-borg files
// about a third more system CPU there (docs/benchmarks.md). The loop-mounted disk images the volume
// tests use are still ext4 file systems, only their image files live in memory.
const SCRATCH = '/dev/shm';
const SCRATCH_MIN_FREE = 4 * 2 ** 30;
if (!process.env.TMPDIR && process.platform === 'linux') {
  try {
    fs.accessSync(SCRATCH, fs.constants.W_OK);
    const { bavail, bsize } = fs.statfsSync(SCRATCH);
    if (bavail * bsize >= SCRATCH_MIN_FREE) process.env.TMPDIR = SCRATCH;
  } catch {
    // No /dev/shm, or not writable: the tests use the system's temporary folder.
  }
}

// test/macos launches the real Electron app: left out unless DANDELION_E2E=1, which the macOS
// workflow sets for `npx vitest run test/macos` (a config exclude also hides files named on the CLI).
const exclude = process.env.DANDELION_E2E === '1' ? configDefaults.exclude : ['test/macos/**', ...configDefaults.exclude];
const UNIT = 'test/unit/**/*.test.ts';
// Unit files that replace modules (vi.mock) or reset the module registry: each keeps a fresh one.
const OWN_MODULES = ['test/unit/electron-main.test.ts', 'test/unit/schedule-facts.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Three files at a time on two cores: the tests wait on borg, sshd and chromium as much as they compute
    // (two workers left the cores a quarter idle). Timing bounds in the tests are set for this load.
    maxWorkers: 3,
    reporters: ['default'],
    projects: [
      {
        // Pure functions over plain data: a worker runs file after file in one module registry, which
        // spares each file a fresh worker and re-imported modules (unit files: ~53 s of CPU -> ~33 s).
        extends: true,
        test: { name: 'unit', include: [UNIT], exclude: [...exclude, ...OWN_MODULES], isolate: false },
      },
      {
        extends: true,
        test: {
          name: 'real',
          include: ['test/**/*.test.ts'],
          exclude: [...exclude, UNIT],
          isolate: true,
          // Real borg, sshd and chromium on a busy or slow machine (a CI machine's first run, with nothing
          // cached yet, took twice as long): a test's own waits (up to 120 s) must fail first, with what
          // they were waiting for, rather than the runner's timeout, which says nothing.
          testTimeout: 180_000,
          // Repository templates shared by every file (test/helpers/repo-template.ts).
          globalSetup: ['test/helpers/global-setup.ts'],
        },
      },
      {
        extends: true,
        test: { name: 'unit-own-modules', include: OWN_MODULES, exclude, isolate: true },
      },
    ],
  },
});
