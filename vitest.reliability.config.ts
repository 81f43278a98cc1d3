import { defineConfig } from 'vitest/config';

/**
 * `npm run test:reliability`: faults injected into real PostgreSQL servers, the Slack stand-in
 * and app processes, and bad input and attacks through the real HTTP surface. Each test writes
 * its figures to a ledger; test/reliability/summary.ts prints the table afterwards.
 */
export default defineConfig({
  test: {
    include: ['test/reliability/**/*.test.ts'],
    setupFiles: ['test/support/tellings.ts'],
    globalSetup: ['test/support/global-setup.ts', 'test/reliability/support/ledger-setup.ts', 'test/reliability/support/secrets-setup.ts'],
    pool: 'forks',
    // Fault tests start and stop their own servers and processes: one file at a time keeps
    // their timing honest on a 2-core machine.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});
