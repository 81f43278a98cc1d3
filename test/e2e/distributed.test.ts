import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TeamManager } from '../../src/app.js';
import { SlackDriver, SlackStandin } from '../../src/standin/index.js';
import { startDistributedApp } from '../support/app.js';
import { useTestDatabase } from '../support/database.js';
import { captureLogs } from '../support/log-capture.js';
import { installThroughBrowser, type InstallOptions } from '../support/oauth-install.js';

/**
 * A distributed deployment (SLACK_CLIENT_ID…): workspaces add the app through "Add to Slack",
 * over real HTTP, Bolt's installer, the stand-in's consent page and oauth.v2.access, into the
 * PostgreSQL installation store; then each workspace is served with its own token.
 */
describe('distributed mode: Add to Slack, many workspaces', () => {
  const t = useTestDatabase();
  let standin: SlackStandin;
  let app: TeamManager;
  let driver: SlackDriver;
  const logs = captureLogs();
  const SECOND = 'T0SECOND01';

  beforeAll(async () => {
    standin = await SlackStandin.start({
      workspaces: [
        { teamId: SECOND, teamName: 'Second' },
        { teamId: 'T0GRIDWS01', teamName: 'Globex East', enterpriseId: 'E0GRID0001', enterpriseName: 'Globex' },
      ],
    });
    ({ app, driver } = await startDistributedApp({ databaseUrl: t.url, standin, log: logs.log, env: { RUN_WORKER: 'false' } }));
  });
  afterAll(async () => {
    await app?.stop();
    await standin?.stop();
  });

  const install = (team: string, options: InstallOptions = {}) => installThroughBrowser(app.url, team, options);

  const command = (team: string, user: string, text: string, grid?: { enterpriseId: string }) =>
    driver.send(
      new URLSearchParams({
        ...(grid ? { enterprise_id: grid.enterpriseId, enterprise_name: 'Globex', is_enterprise_install: 'true' } : {}),
        token: 'standin-verification-token',
        team_id: team,
        team_domain: team.toLowerCase(),
        channel_id: 'C0GENERAL1',
        user_id: user,
        user_name: 'alice',
        command: '/team',
        text,
        api_app_id: standin.appId,
        response_url: standin.newResponseUrl().url,
        trigger_id: standin.newTriggerId(),
      }).toString(),
      { contentType: 'application/x-www-form-urlencoded' },
    );

  const tokenOf = (team: string) => [...standin.oauth.tokens.values()].find((i) => i.workspace.teamId === team && !i.isEnterpriseInstall)?.token;
  const organizations = () => t.db.selectFrom('organizations').select(['slack_team_id', 'name']).orderBy('slack_team_id').execute();

  it('before any install, a signed request gets no service (Bolt finds no installation) and creates nothing', async () => {
    const res = await command(SECOND, 'U0ALICE001', 'help');
    // Bolt acknowledges a request it cannot authorise with an empty 200, and runs no listener.
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    expect(await organizations()).toEqual([]);
    expect(logs.text()).toContain('Authorization of incoming event did not succeed');
  });

  it('installs in two workspaces: each an organization with the installer as its first owner, each served with its own token', async () => {
    for (const team of [standin.teamId, SECOND]) {
      const done = await install(team);
      expect(done.status, done.html).toBeLessThan(400);
    }
    expect(await organizations()).toEqual([
      { slack_team_id: 'T0SECOND01', name: 'Second' },
      { slack_team_id: 'T0TEAM0001', name: 'Acme' },
    ]);
    const rows = await t.db.selectFrom('slack_installations').select(['install_key', 'bot_token_encrypted', 'installer_user_id']).orderBy('install_key').execute();
    expect(rows.map((r) => r.install_key)).toEqual(['T0SECOND01', 'T0TEAM0001']);
    for (const r of rows) expect(r.bot_token_encrypted!.includes(Buffer.from('xoxb-'))).toBe(false);
    expect(logs.text()).not.toMatch(/xoxb-T0/);

    // The same Slack user (same id, same email) is the owner of each team, separately.
    const owners = await t.db
      .selectFrom('members')
      .innerJoin('organizations', 'organizations.id', 'members.organization_id')
      .select(['organizations.slack_team_id', 'members.email', 'members.role'])
      .orderBy('organizations.slack_team_id')
      .execute();
    expect(owners).toEqual([
      { slack_team_id: 'T0SECOND01', email: 'alice@acme.test', role: 'owner' },
      { slack_team_id: 'T0TEAM0001', email: 'alice@acme.test', role: 'owner' },
    ]);

    const second = await command(SECOND, 'U0ALICE001', 'list');
    expect(second.status).toBe(200);
    expect(JSON.stringify(second.json)).toContain('Second team');
    expect(JSON.stringify(second.json)).not.toContain('Acme team');
    const first = await command(standin.teamId, 'U0ALICE001', 'list');
    expect(JSON.stringify(first.json)).toContain('Acme team');
    expect(JSON.stringify(first.json)).not.toContain('Second team');

    // A Web API call made for the second workspace uses the second workspace's token.
    const from = standin.calls.length;
    const home = await driver.send(
      JSON.stringify({
        type: 'event_callback',
        team_id: SECOND,
        api_app_id: standin.appId,
        event: { type: 'app_home_opened', user: 'U0ALICE001', channel: 'D0ALICE001', tab: 'home', event_ts: '1.3' },
        event_id: 'Ev0SECOND01',
        event_time: Math.floor(Date.now() / 1000),
        authorizations: [{ team_id: SECOND, user_id: standin.botUserId, is_bot: true, is_enterprise_install: false }],
      }),
      { contentType: 'application/json' },
    );
    expect(home.status).toBe(200);
    const publish = await standin.waitForCall('views.publish', (c) => standin.calls.indexOf(c) >= from);
    expect(publish.token).toBe(tokenOf(SECOND));
    expect(JSON.stringify(publish.args.view)).toContain('Second team');
  });

  it('a replayed callback, a tampered state, a missing cookie and a denied consent each end on a page and create nothing', async () => {
    const before = await t.db.selectFrom('slack_installations').selectAll().execute();
    const replay = await install('T0TEAM0001');
    expect(replay.status).toBeLessThan(400);
    // The same callback again: its code is spent at Slack.
    const again = await fetch(replay.redirect, { headers: { cookie: replay.cookie }, redirect: 'manual' });
    expect(again.status).toBeGreaterThanOrEqual(400);
    expect(await again.text()).toMatch(/<html/i);

    const tampered = await install(SECOND, {
      tamper: (redirect, cookie) => {
        redirect.searchParams.set('state', `${redirect.searchParams.get('state')}x`);
        return { redirect, cookie };
      },
    });
    expect(tampered.status).toBe(400);
    const noCookie = await install(SECOND, { tamper: (redirect) => ({ redirect, cookie: '' }) });
    expect(noCookie.status).toBe(400);
    const denied = await install(SECOND, { deny: true });
    expect(denied.status).toBeGreaterThanOrEqual(400);
    expect(denied.html).toMatch(/<html/i);

    const after = await t.db.selectFrom('slack_installations').selectAll().execute();
    expect(after.map((r) => r.install_key).sort()).toEqual(before.map((r) => r.install_key).sort());
    expect(await organizations()).toHaveLength(2);
  });

  it('app_uninstalled deletes the workspace tokens at once and keeps its team; a reinstall brings the same team back', async () => {
    const org = await t.db.selectFrom('organizations').selectAll().where('slack_team_id', '=', SECOND).executeTakeFirstOrThrow();
    const res = await driver.send(
      JSON.stringify({
        type: 'event_callback',
        team_id: SECOND,
        api_app_id: standin.appId,
        event: { type: 'app_uninstalled', event_ts: '1.4' },
        event_id: 'Ev0UNINST01',
        event_time: Math.floor(Date.now() / 1000),
        authorizations: [{ team_id: SECOND, user_id: standin.botUserId, is_bot: true, is_enterprise_install: false }],
      }),
      { contentType: 'application/json' },
    );
    expect(res.status).toBe(200);
    await expect
      .poll(async () => (await t.db.selectFrom('slack_installations').select('bot_token_encrypted').where('install_key', '=', SECOND).executeTakeFirstOrThrow()).bot_token_encrypted, { timeout: 5_000 })
      .toBeNull();
    const refused = await command(SECOND, 'U0ALICE001', 'help');
    expect(refused.status).toBe(200);
    expect(refused.text).toBe('');
    // The other workspace is untouched.
    expect((await command(standin.teamId, 'U0ALICE001', 'help')).json.text).toContain('Usage');

    expect((await install(SECOND)).status).toBeLessThan(400);
    const back = await t.db.selectFrom('organizations').selectAll().where('slack_team_id', '=', SECOND).executeTakeFirstOrThrow();
    expect(back.id).toBe(org.id);
    expect((await command(SECOND, 'U0ALICE001', 'list')).json.text).toContain('Second');
  });

  it('an org-wide Enterprise Grid install is one organization for the enterprise, serving commands from each of its workspaces', async () => {
    expect((await install('T0GRIDWS01', { orgWide: true })).status).toBeLessThan(400);
    const row = await t.db.selectFrom('slack_installations').selectAll().where('install_key', '=', 'E0GRID0001').executeTakeFirstOrThrow();
    expect(row).toMatchObject({ team_id: null, enterprise_id: 'E0GRID0001', is_enterprise_install: true });
    const org = await t.db.selectFrom('organizations').selectAll().where('id', '=', row.organization_id).executeTakeFirstOrThrow();
    expect(org).toMatchObject({ slack_team_id: 'E0GRID0001', name: 'Globex' });
    for (const workspace of ['T0GRIDWS01', 'T0GRIDWS02']) {
      const res = await command(workspace, 'U0ALICE001', 'list', { enterpriseId: 'E0GRID0001' });
      expect(res.status).toBe(200);
      expect(JSON.stringify(res.json)).toContain('Globex team');
    }
    // Without is_enterprise_install, a workspace of that enterprise is not the org-wide install.
    const alone = await command('T0GRIDWS03', 'U0ALICE001', 'list');
    expect(alone.text).toBe('');
  });
});
