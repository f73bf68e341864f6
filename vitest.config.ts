import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    globalSetup: ['src/test-support/global-setup.ts'],
    pool: 'forks',
    // Two cores: two files at a time keeps the machine responsive and the suite short.
    maxWorkers: 2,
    testTimeout: 20_000,
    hookTimeout: 60_000,
    // Tests must never reach the network beyond loopback; env does not leak into config.
    env: { NODE_ENV: 'test' },
  },
});
