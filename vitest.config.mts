import { defineConfig } from 'vitest/config';

// Per-project options (projects do not extend the root: its `include` would be appended to theirs).
const shared = {
  include: ['test/**/*.test.ts'],
  testTimeout: 30_000,
  hookTimeout: 60_000,
  // Subscription keys are sealed at rest; tests and the hosts they start share this test-only key.
  env: { KEY_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64') },
};

export default defineConfig({
  test: {
    // At the root, so it runs once for both projects; its Azurite is provided to both.
    globalSetup: ['test/setup/azurite.ts'],
    // Two cores: files in parallel, but not so many that Azurite and child hosts starve.
    maxWorkers: 2,
    projects: [
      { test: { ...shared, name: 'default' } },
      {
        // The management contract suites again, over real HTTP through the local host (test/management/harness.ts).
        test: {
          ...shared,
          name: 'management-host',
          include: ['test/management/**/*.test.ts'],
          exclude: ['test/management/sasToken.test.ts'],
          env: { ...shared.env, MANAGEMENT_TRANSPORT: 'host' },
        },
      },
    ],
  },
});
