import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    setupFiles: ['test/setup.ts'],
    // Redis-backed suites share one server; keep files isolated but bounded on 2 cores.
    pool: 'forks',
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
