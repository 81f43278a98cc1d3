import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../support/database.js';
import { startTestApp, SIGNING_SECRET, type TestApp } from '../support/app.js';
import { FOREIGN_WORKSPACE_MESSAGE } from '../../src/slack/tenancy.js';

/**
 * `/team` through real HTTP, signed as Slack signs it, into the real Bolt app.
 */
describe('/team over signed HTTP', () => {
  const t = useTestDatabase();
  let h: TestApp;
  beforeAll(async () => {
    h = await startTestApp({ databaseUrl: t.url });
  });
  afterAll(async () => h?.stop());

  async function stateCounts() {
    const [orgs, audit, jobs] = await Promise.all([
      t.db.selectFrom('organizations').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      t.db.selectFrom('audit_events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      t.pool.query<{ n: string }>('select count(*) as n from graphile_worker._private_jobs'),
    ]);
    return { orgs: Number(orgs.n), audit: Number(audit.n), jobs: Number(jobs.rows[0]!.n) };
  }

  it('at start, created the workspace organization with its audit event and posted a welcome to the team channel once', async () => {
    const org = await t.db.selectFrom('organizations').selectAll().where('slack_team_id', '=', h.standin.teamId).executeTakeFirstOrThrow();
    expect(org).toMatchObject({ name: 'Acme', team_channel_id: 'C0TEAM0001' });
    const events = await t.db.selectFrom('audit_events').selectAll().where('organization_id', '=', org.id).execute();
    expect(events).toEqual([
      expect.objectContaining({ action: 'organization.created', source: 'system', actor_type: 'system', target_id: org.id }),
    ]);
    const welcome = await h.standin.waitForCall('chat.postMessage', (c) => c.args.channel === 'C0TEAM0001');
    expect(String(welcome.args.text)).toContain('Team Manager is now connected to Acme');
    await new Promise((r) => setTimeout(r, 200));
    expect(h.standin.callsTo('chat.postMessage').filter((c) => c.args.channel === 'C0TEAM0001')).toHaveLength(1);
  });

  it('answers /team help with the usage, only to the person who typed it', async () => {
    const res = await h.driver.command('U0ALICE001', '/team', 'help');
    expect(res.status).toBe(200);
    expect(res.json.response_type).toBe('ephemeral');
    expect(res.json.text).toContain('Usage: /team <subcommand>');
    const blocksText = JSON.stringify(res.json.blocks);
    expect(blocksText).toContain('/team help');
    expect(blocksText).not.toContain('Unknown subcommand');
  });

  it('answers a bare /team and /team HELP the same way', async () => {
    const bare = await h.driver.command('U0ALICE001', '/team', '');
    const shouting = await h.driver.command('U0ALICE001', '/team', '  HELP  ');
    expect(bare.json.text).toContain('Usage: /team <subcommand>');
    expect(shouting.json.blocks).toEqual(bare.json.blocks);
  });

  it('names an unknown subcommand, shown literally, and adds the usage', async () => {
    const res = await h.driver.command('U0ALICE001', '/team', 'frobnicate now');
    expect(res.status).toBe(200);
    expect(res.json.response_type).toBe('ephemeral');
    expect(res.json.text).toContain('Unknown subcommand `frobnicate`');
    expect(res.json.text).toContain('Usage: /team <subcommand>');

    const sneaky = await h.driver.command('U0ALICE001', '/team', '<!channel>');
    const shown = JSON.stringify(sneaky.json.blocks);
    expect(shown).toContain('&lt;!channel&gt;');
    expect(shown).not.toContain('<!channel>');
  });

  it('refuses a workspace this deployment does not serve, even correctly signed: nothing is created (test/e2e/tenancy.test.ts)', async () => {
    const before = await stateCounts();
    const res = await h.driver.send(
      new URLSearchParams({
        command: '/team',
        text: 'help',
        team_id: 'T0NEWTEAM1',
        team_domain: 'new',
        user_id: 'U0ALICE001',
        channel_id: 'C0GENERAL1',
        response_url: h.standin.newResponseUrl().url,
        trigger_id: h.standin.newTriggerId(),
        api_app_id: 'A0APP00001',
      }).toString(),
    );
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ response_type: 'ephemeral', text: FOREIGN_WORKSPACE_MESSAGE });
    expect(await stateCounts()).toEqual(before);
  });

  describe('refuses requests Slack did not sign, and changes nothing', () => {
    const body = () =>
      new URLSearchParams({
        command: '/team',
        text: 'help',
        team_id: 'T0TEAM0001', // our own workspace: signed correctly, it is served
        user_id: 'U0ALICE001',
        channel_id: 'C0GENERAL1',
        response_url: h.standin.newResponseUrl().url,
        trigger_id: h.standin.newTriggerId(),
      }).toString();

    const cases: Array<[string, () => Parameters<TestApp['driver']['send']>[1]]> = [
      ['a wrong signature', () => ({ signature: 'v0=' + 'ab'.repeat(32) })],
      ['a signature made with another secret', () => ({ signature: signWith('not-the-secret', body()) })],
      ['no signature header', () => ({ signature: null })],
      ['no timestamp header', () => ({ omitTimestamp: true })],
      ['a timestamp older than 5 minutes', () => ({ timestamp: Math.floor(Date.now() / 1000) - 6 * 60 })],
    ];

    for (const [name, options] of cases) {
      it(`answers 401 to ${name}`, async () => {
        const before = await stateCounts();
        const callsBefore = h.standin.calls.length;
        const res = await h.driver.send(body(), options());
        expect(res.status).toBe(401);
        expect(res.text).not.toContain('Usage');
        expect(await stateCounts()).toEqual(before);
        expect(h.standin.calls.length).toBe(callsBefore);
      });
    }

    it('accepts the same body when it is signed correctly (the control case)', async () => {
      const res = await h.driver.send(body());
      expect(res.status).toBe(200);
      expect(res.json.text).toContain('Usage');
    });
  });

  it('serves /healthz and /readyz', async () => {
    const health = await fetch(`${h.app.url}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${h.app.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ok', checks: { database: 'ok' } });
    expect(ready.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers unknown paths with a problem+json 404', async () => {
    const res = await fetch(`${h.app.url}/nope`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
  });

  it('logs each request with its request id and never the signing secret or bot token', async () => {
    await h.driver.command('U0ALICE001', '/team', 'help');
    const lines = h.logs.lines().filter((l) => l.subsystem === 'http' && l.path === '/slack/events');
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((l) => typeof l.requestId === 'string')).toBe(true);
    expect(h.logs.text()).not.toContain(SIGNING_SECRET);
    expect(h.logs.text()).not.toContain(h.standin.botToken);
  });
});

/** What a request signed with the wrong secret carries (timestamp: now). */
function signWith(secret: string, body: string): string {
  const ts = Math.floor(Date.now() / 1000);
  return 'v0=' + createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex');
}
