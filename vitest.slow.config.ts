import { defineConfig } from 'vitest/config';

/** The long fault-injection trials (`npm run test:slow`), kept out of the default suite. */
export default defineConfig({
  test: {
    include: ['test/**/*.slow.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 60_000,
    pool: 'forks',
    setupFiles: ['test/setup/fast-check-seed.ts', 'test/setup/cli-from-source.ts'],
  },
});
