import { configDefaults, defineConfig } from 'vitest/config';
import { slackFreeDomain } from './test/support/domain-guard.js';

/**
 * The domain's own tests: the integration tests that drive src/team and src/activity directly.
 * They run as their own project, with no teller installed and a resolver that fails any import
 * of a Slack adapter or an @slack/* package (test/support/domain-guard.ts) — the proof that the
 * domain does not need them (issue 17). What Slack is told of the same changes is tested in the
 * app project (test/integration/*-told.test.ts).
 */
const DOMAIN_TESTS = [
  'test/integration/members.test.ts',
  'test/integration/removals.test.ts',
  'test/integration/settings.test.ts',
  'test/integration/member-list.test.ts',
  'test/integration/member-counts.test.ts',
  'test/integration/organization-gate.test.ts',
  'test/integration/permissions.test.ts',
  'test/integration/member-activity.test.ts',
  'test/integration/audit-integrity.test.ts',
  'test/domain/**/*.test.ts',
];

export default defineConfig({
  test: {
    // The log scan: every log line of the run is checked for secrets at the end (test/support/log-scan.ts).
    globalSetup: ['test/support/log-scan-setup.ts', 'test/support/global-setup.ts'],
    // Each file gets its own database; files run in parallel on the 2 cores CI has.
    pool: 'forks',
    testTimeout: 20_000,
    hookTimeout: 60_000,
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: {
          name: 'app',
          include: ['test/**/*.test.ts'],
          // The reliability suite has its own command (npm run test:reliability) and config.
          exclude: [...configDefaults.exclude, 'test/reliability/**', ...DOMAIN_TESTS],
          setupFiles: ['test/support/query-log-source.ts', 'test/support/tellings.ts'],
        },
      },
      {
        extends: true,
        plugins: [slackFreeDomain(import.meta.dirname)],
        test: {
          name: 'domain',
          include: DOMAIN_TESTS,
          setupFiles: ['test/support/query-log-source.ts', 'test/support/domain-setup.ts'],
        },
      },
    ],
  },
});
