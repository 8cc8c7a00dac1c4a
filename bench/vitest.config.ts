import { defineConfig } from 'vitest/config';

// Benchmarks that drive the main process through the fake `electron` need vitest's module mocking.
export default defineConfig({
  test: { include: ['bench/**/*.bench.ts'], testTimeout: 600_000, maxWorkers: 1, reporters: ['default'] },
});
