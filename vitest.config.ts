import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    globalSetup: ['src/test-support/global-setup.ts'],
    // Any connection beyond loopback fails at once and fails the file (network-fence.ts).
    setupFiles: ['src/test-support/network-fence.ts'],
    pool: 'forks',
    // Two cores: two files at a time keeps the machine responsive and the suite short.
    maxWorkers: 2,
    // Generous on purpose: the machine may be busy with other work, and no test may fail for
    // being slow. Tests wait on events and conditions, never on elapsed time.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Tests must never reach the network beyond loopback; env does not leak into config.
    env: { NODE_ENV: 'test' },
  },
});
