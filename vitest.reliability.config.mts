import { defineConfig } from 'vitest/config';

/**
 * `npm run test:reliability`: the heavy reliability suites (load, storage faults,
 * fuzzing by the thousand), test/reliability/*.reliability.ts, one file at a time
 * (they load the machine on purpose), with one Azurite for the run as in
 * `npm test`, and a table of figures at the end (figuresReporter.ts). Their quick
 * versions are ordinary *.test.ts files and run in `npm test`.
 */
export default defineConfig({
  test: {
    name: 'reliability',
    globalSetup: ['test/setup/azurite.ts'],
    include: ['test/reliability/**/*.reliability.ts'],
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 60_000,
    // The same test-only key as vitest.config.mts: tests and the hosts they start share it.
    env: { KEY_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64') },
    reporters: ['default', './test/reliability/figuresReporter.ts'],
  },
});
