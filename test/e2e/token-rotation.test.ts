import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TeamManager } from '../../src/app.js';
import type { Config } from '../../src/config.js';
import { configuredInstallations } from '../../src/slack/configured-clients.js';
import { SlackStandin } from '../../src/standin/index.js';
import { startDistributedApp } from '../support/app.js';
import { useTestDatabase } from '../support/database.js';
import { captureLogs } from '../support/log-capture.js';
import { installThroughBrowser } from '../support/oauth-install.js';

/**
 * Token rotation on: Slack's bot tokens expire (12 h) and are renewed with their refresh
 * token. Several instances and workers share the installation; an expiring token must be
 * refreshed once, not once per process, and everyone must then use the new one.
 */
describe('token rotation', () => {
  const t = useTestDatabase();
  let standin: SlackStandin;
  let app: TeamManager;
  let config: Readonly<Config>;

  beforeAll(async () => {
    standin = await SlackStandin.start({ tokenRotationExpiresInSec: 12 * 3600 });
    ({ app, config } = await startDistributedApp({ databaseUrl: t.url, standin, log: captureLogs().log, env: { RUN_WORKER: 'false' } }));
  });
  afterAll(async () => {
    await app?.stop();
    await standin?.stop();
  });

  it('an expiring token is refreshed exactly once by five processes asking at the same moment; all get the new token', async () => {
    expect((await installThroughBrowser(app.url, standin.teamId)).status).toBeLessThan(400);
    const row = await t.db.selectFrom('slack_installations').selectAll().where('install_key', '=', standin.teamId).executeTakeFirstOrThrow();
    expect(row.bot_refresh_token_encrypted).not.toBeNull();
    expect(row.bot_token_expires_at!.getTime()).toBeGreaterThan(Date.now() + 11 * 3600_000);

    // An hour before expiry, as the clock would have it.
    await t.db.updateTable('slack_installations').set({ bot_token_expires_at: new Date(Date.now() + 3600_000) }).where('id', '=', row.id).execute();
    const before = standin.oauth.refreshes;
    // Each its own store and pool-less client set, as separate instances and workers have.
    const processes = Array.from({ length: 5 }, () => configuredInstallations(config, t.db, pino({ level: 'silent' })));
    const clients = await Promise.all(processes.map((p) => p.clients.forOrganization(row.organization_id)));
    expect(standin.oauth.refreshes - before).toBe(1);
    const tokens = new Set(clients.map((c) => c.token));
    expect(tokens.size).toBe(1);
    const [renewed] = [...tokens];
    expect(renewed).not.toBe(undefined);
    expect(standin.oauth.tokens.get(renewed!)?.workspace.teamId).toBe(standin.teamId);

    const after = await t.db.selectFrom('slack_installations').selectAll().where('id', '=', row.id).executeTakeFirstOrThrow();
    expect(after.bot_token_expires_at!.getTime()).toBeGreaterThan(Date.now() + 11 * 3600_000);
    // The new token works, and no further refresh happens while it is fresh.
    expect((await clients[0]!.auth.test()).team_id).toBe(standin.teamId);
    await processes[0]!.clients.forOrganization(row.organization_id);
    expect(standin.oauth.refreshes - before).toBe(1);
  });
});
