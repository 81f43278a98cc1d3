import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FOREIGN_WORKSPACE_MESSAGE } from '../../src/slack/tenancy.js';
import { DEFAULT_USERS, SlackStandin } from '../../src/standin/index.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { useTestDatabase } from '../support/database.js';
import { seedMember } from '../support/seed.js';
import { findOrganizationBySlackTeam } from '../../src/team/organization-repository.js';

/**
 * Single-workspace mode serves the one workspace its bot token belongs to. A request signed
 * with our signing secret but carrying another team id (another workspace the app is in, or a
 * forged id) used to get an organization of its own; now it is refused and writes nothing.
 */
describe('single-workspace tenancy', () => {
  const t = useTestDatabase();
  let h: TestApp;
  const FOREIGN = 'T0FOREIGN1';

  beforeAll(async () => {
    // Two people of other organizations, seen through Slack Connect, whose emails are those of
    // members not linked to Slack yet.
    const standin = await SlackStandin.start({
      users: [
        ...DEFAULT_USERS,
        { id: 'U0PARTNER1', name: 'pat', realName: 'Pat Partner', email: 'pat@acme.test', teamId: 'T0PARTNER1' },
        { id: 'U0STRANGE1', name: 'sam', realName: 'Sam Stranger', email: 'sam@acme.test', teamId: 'T0TEAM0001', isStranger: true },
      ],
    });
    h = await startTestApp({ databaseUrl: t.url, env: { RUN_WORKER: 'false' }, standin });
    const org = (await findOrganizationBySlackTeam(t.db, h.standin.teamId))!;
    await seedMember(t.db, org, 'alice@acme.test', 'owner', { slackUserId: 'U0ALICE001' });
    await seedMember(t.db, org, 'pat@acme.test', 'owner');
    await seedMember(t.db, org, 'sam@acme.test', 'owner');
  });
  afterAll(async () => {
    await h?.stop();
    await h?.standin.stop();
  });

  const form = (o: Record<string, string>) => new URLSearchParams(o).toString();
  async function stateOfTheDatabase() {
    const [orgs, audit, jobs] = await Promise.all([
      t.db.selectFrom('organizations').select(['slack_team_id']).execute(),
      t.db.selectFrom('audit_events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      t.pool.query<{ n: string }>('select count(*) as n from graphile_worker._private_jobs'),
    ]);
    return { teams: orgs.map((o) => o.slack_team_id).sort(), audit: Number(audit.n), jobs: Number(jobs.rows[0]!.n) };
  }

  it('a slash command from another workspace is told so in its ack; no organization, audit event, job or Web API call', async () => {
    const before = await stateOfTheDatabase();
    const calls = h.standin.calls.length;
    const res = await h.driver.send(
      form({
        token: 'standin-verification-token',
        team_id: FOREIGN,
        team_domain: 'elsewhere',
        channel_id: 'C0GENERAL1',
        user_id: 'U0ALICE001',
        user_name: 'alice',
        command: '/team',
        text: 'role <@U0BOB00001> owner',
        api_app_id: h.standin.appId,
        response_url: `${h.standin.apiUrl}../response/none`,
        trigger_id: h.standin.newTriggerId(),
      }),
      { contentType: 'application/x-www-form-urlencoded' },
    );
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ response_type: 'ephemeral', text: FOREIGN_WORKSPACE_MESSAGE });
    expect(await stateOfTheDatabase()).toEqual(before);
    expect(before.teams).toEqual([h.standin.teamId]);
    expect(h.standin.calls.length).toBe(calls);
  });

  it('a click and an event from another workspace are acknowledged and dropped', async () => {
    const before = await stateOfTheDatabase();
    const calls = h.standin.calls.length;
    const click = await h.driver.send(
      form({
        payload: JSON.stringify({
          type: 'block_actions',
          api_app_id: h.standin.appId,
          team: { id: FOREIGN, domain: 'elsewhere' },
          user: { id: 'U0ALICE001', username: 'alice', team_id: FOREIGN },
          trigger_id: h.standin.newTriggerId(),
          container: { type: 'view', view_id: 'V0HOME0001' },
          view: { id: 'V0HOME0001', type: 'home', private_metadata: '{}' },
          actions: [{ type: 'button', action_id: 'team_page.next', block_id: 'tp.nav', value: '{}', action_ts: '1.2' }],
        }),
      }),
      { contentType: 'application/x-www-form-urlencoded' },
    );
    expect(click.status).toBe(200);
    const event = await h.driver.send(
      JSON.stringify({
        type: 'event_callback',
        team_id: FOREIGN,
        api_app_id: h.standin.appId,
        event: { type: 'app_home_opened', user: 'U0ALICE001', channel: 'D0ALICE001', tab: 'home', event_ts: '1.3' },
        event_id: 'Ev0FOREIGN1',
        event_time: Math.floor(Date.now() / 1000),
        authorizations: [{ team_id: FOREIGN, user_id: 'U0BOT00001', is_bot: true, is_enterprise_install: false }],
      }),
      { contentType: 'application/json' },
    );
    expect(event.status).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    expect(await stateOfTheDatabase()).toEqual(before);
    expect(h.standin.calls.length).toBe(calls);
    expect(h.logs.lines().some((l) => l.msg === 'request from a workspace this deployment does not serve; refused' && l.teamId === FOREIGN)).toBe(true);
  });

  it('the own workspace on an Enterprise Grid (team id and enterprise id) is served as before', async () => {
    const res = await h.driver.send(
      form({
        token: 'standin-verification-token',
        team_id: h.standin.teamId,
        enterprise_id: 'E0GRID0001',
        channel_id: 'C0GENERAL1',
        user_id: 'U0ALICE001',
        user_name: 'alice',
        command: '/team',
        text: 'help',
        api_app_id: h.standin.appId,
        response_url: `${h.standin.apiUrl}../response/none`,
        trigger_id: h.standin.newTriggerId(),
      }),
      { contentType: 'application/x-www-form-urlencoded' },
    );
    expect(res.status).toBe(200);
    expect(res.json.text).toContain('Usage: /team');
  });

  it('a Slack Connect person whose email equals an unlinked member\'s is not that member: not linked, gets what a non-member gets', async () => {
    for (const user of ['U0PARTNER1', 'U0STRANGE1']) {
      const res = await h.driver.command(user, '/team', 'role <@U0ALICE001> member');
      expect(res.status).toBe(200);
      expect(JSON.stringify(res.json)).not.toContain('now a');
    }
    const members = await t.db.selectFrom('members').select(['email', 'slack_user_id', 'role']).where('email', 'in', ['pat@acme.test', 'sam@acme.test', 'alice@acme.test']).orderBy('email').execute();
    expect(members).toEqual([
      { email: 'alice@acme.test', slack_user_id: 'U0ALICE001', role: 'owner' },
      { email: 'pat@acme.test', slack_user_id: null, role: 'owner' },
      { email: 'sam@acme.test', slack_user_id: null, role: 'owner' },
    ]);
  });
});
