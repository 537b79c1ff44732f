import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/**/*.slow.test.ts', 'node_modules/**'],
    // Hang guards, not timing assertions: many tests start real processes and servers, and
    // on 2 shared cores a child's start-up alone can take tens of seconds.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    setupFiles: ['test/setup/fast-check-seed.ts', 'test/setup/cli-from-source.ts'],
  },
});
