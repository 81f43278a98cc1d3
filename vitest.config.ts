import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The reliability suite has its own command (npm run test:reliability) and config.
    exclude: [...configDefaults.exclude, 'test/reliability/**'],
    // The log scan: every log line of the run is checked for secrets at the end (test/support/log-scan.ts).
    globalSetup: ['test/support/log-scan-setup.ts', 'test/support/global-setup.ts'],
    // Each file gets its own database; files run in parallel on the 2 cores CI has.
    pool: 'forks',
    testTimeout: 20_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
