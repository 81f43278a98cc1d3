import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../support/database.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { seedMember } from '../support/seed.js';
import { findOrganizationBySlackTeam } from '../../src/team/organization-repository.js';
import { validateBlocks, validateView } from '../../src/standin/block-kit-limits.js';
import type { RecordedCall } from '../../src/standin/index.js';
import type { Member, Organization } from '../../src/db/schema.js';
import { ACTIONS } from '../../src/slack/blocks/team-page.js';
import { AUDIT_LOG_ACTIONS } from '../../src/slack/blocks/audit-log.js';
import { ACTION_PREFIXES } from '../../src/events/audit-actions.js';

type Block = Record<string, any>;

/**
 * The activity view (`/team activity`, the team page's Activity button), the audit log in Slack
 * (`/team audit`, Older / Newer) and "last activity in Slack", through signed HTTP into the real
 * app and its Slack stand-in (which refuses anything over Block Kit's limits).
 */
describe('activity and audit over signed HTTP', () => {
  const t = useTestDatabase();
  let h: TestApp;
  let org: Organization;
  let alice: Member;
  let bob: Member;
  let carol: Member;

  const textOf = (blocks: unknown) => JSON.stringify(blocks);
  const elements = (blocks: Block[]): Block[] => blocks.flatMap((b) => [b.accessory, b.element, ...(b.elements ?? [])].filter(Boolean));
  const sectionsOf = (blocks: Block[]): string[] => blocks.filter((b) => b.type === 'section' && b.text).map((b) => String(b.text.text));

  async function nextCall(method: string, from: number, timeoutMs = 5_000): Promise<RecordedCall> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const call = h.standin.calls.slice(from).find((c) => c.method === method);
      if (call) return call;
      if (Date.now() > deadline) throw new Error(`no ${method} within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** The "slack activity" log line written for one request (after its ack). */
  async function activityLogOf(requestId: string | null, timeoutMs = 5_000): Promise<Record<string, unknown>> {
    expect(requestId).toBeTruthy();
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const line = h.logs.lines().find((l) => l.requestId === requestId && l.msg === 'slack activity');
      if (line) return line;
      if (Date.now() > deadline) throw new Error(`no slack activity line for request ${requestId}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  const lastActivityOf = async (id: string) =>
    (await t.db.selectFrom('members').select('last_slack_activity_at').where('id', '=', id).executeTakeFirstOrThrow()).last_slack_activity_at;

  beforeAll(async () => {
    h = await startTestApp({ databaseUrl: t.url });
    org = (await findOrganizationBySlackTeam(t.db, h.standin.teamId))!;
    alice = await seedMember(t.db, org, 'alice@acme.test', 'owner', { slackUserId: 'U0ALICE001', displayName: 'Alice Archer' });
    bob = await seedMember(t.db, org, 'bob@acme.test', 'member', { slackUserId: 'U0BOB00001', displayName: 'Bob Baker' });
    carol = await seedMember(t.db, org, 'carol@acme.test', 'member', { slackUserId: 'U0CAROL001', displayName: 'Carol Chen' });
    // Bob joined by Alice's invitation, signed in to the product, and changed its configuration.
    await t.db
      .updateTable('members')
      .set({ invited_by_member_id: alice.id, last_sign_in_at: new Date('2026-11-20T09:30:00Z') })
      .where('id', '=', bob.id)
      .execute();
    await t.db.insertInto('member_role_changes').values({ organization_id: org.id, member_id: bob.id, from_role: null, to_role: 'member', changed_by_member_id: alice.id, source: 'web' }).execute();
    await t.db
      .insertInto('activity_events')
      .values([
        { organization_id: org.id, member_id: bob.id, kind: 'sign_in', occurred_at: new Date('2026-11-20T09:30:00Z'), summary: 'Signed in', idempotency_key: 'bob-sign-in-1' },
        { organization_id: org.id, member_id: bob.id, kind: 'config_change', occurred_at: new Date('2026-11-21T10:00:00Z'), summary: 'Turned on <b>two-factor</b> for billing', idempotency_key: 'bob-config-1' },
      ])
      .execute();
    await t.db
      .insertInto('audit_events')
      .values({
        organization_id: org.id,
        actor_type: 'member',
        actor_id: bob.id,
        action: 'settings.changed',
        target_type: 'organization',
        target_id: org.id,
        before: JSON.stringify({ invitation_expiry_days: 7 }),
        after: JSON.stringify({ invitation_expiry_days: 14 }),
        source: 'slack',
        occurred_at: new Date('2026-11-22T11:00:00Z'),
      })
      .execute();
  });
  afterAll(async () => h?.stop());

  describe('/team activity', () => {
    it('bob sees his own activity (no person named), and is refused carol’s', async () => {
      const own = await h.driver.command('U0BOB00001', '/team', 'activity');
      expect(own.json.response_type).toBe('ephemeral');
      expect(validateBlocks(own.json.blocks, 'message')).toEqual([]);
      expect(textOf(own.json.blocks)).toContain('*Bob Baker* (bob@acme.test) <@U0BOB00001> _(you)_');

      const refused = await h.driver.command('U0BOB00001', '/team', 'activity <@U0CAROL001|carol>');
      expect(refused.json).toEqual({ response_type: 'ephemeral', text: "Members can see their own activity; only owners can see other people's." });

      const usage = await h.driver.command('U0BOB00001', '/team', 'activity bob please');
      expect(usage.json.text).toContain('Usage: `/team activity [@person]`');
    });

    it('an owner sees joined, invited by, role history, last sign-in, configuration changes and last activity in Slack', async () => {
      // Bob used the app in the test above: his last activity in Slack is recorded after the ack.
      const deadline = Date.now() + 5_000;
      while (!(await lastActivityOf(bob.id)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));

      const res = await h.driver.command('U0ALICE001', '/team', 'activity <@U0BOB00001|bob>');
      expect(res.status).toBe(200);
      expect(validateBlocks(res.json.blocks, 'message')).toEqual([]);
      const blocks = res.json.blocks as Block[];
      const fields = blocks.flatMap((b) => (b.fields ?? []).map((f: Block) => String(f.text)));
      expect(fields.find((f) => f.startsWith('*Joined*'))).toMatch(/^\*Joined\*\n<!date\^\d+\^/);
      expect(fields).toContain('*Invited by*\n<@U0ALICE001>');
      const signIn = Math.floor(new Date('2026-11-20T09:30:00Z').getTime() / 1000);
      expect(fields.find((f) => f.startsWith('*Last sign-in*'))).toContain(`<!date^${signIn}^`);
      expect(fields.find((f) => f.startsWith('*Last activity in Slack*'))).toMatch(/<!date\^\d+\^/);

      const sections = sectionsOf(blocks).join('\n');
      expect(sections).toContain('*Bob Baker* (bob@acme.test) <@U0BOB00001>');
      expect(sections).not.toContain('_(you)_');
      expect(sections).toMatch(/\*Role history\*\n• <!date\^\d+\^[^>]+>: joined as Member, by <@U0ALICE001> \(on the web\)/);
      expect(sections).toContain('*Recent configuration changes*');
      // Newest first: the settings change made in the app, then the one the product reported (escaped).
      const changes = sections.slice(sections.indexOf('*Recent configuration changes*'));
      expect(changes.indexOf('changed the team settings: Invitation expiry (7 days → 14 days)')).toBeGreaterThan(0);
      expect(changes.indexOf('Turned on &lt;b&gt;two-factor&lt;/b&gt; for billing')).toBeGreaterThan(changes.indexOf('Invitation expiry'));
      expect(sections).not.toContain('Signed in');
    });

    it('the team page’s Activity button opens the modal; a member’s forged click on someone else is refused in the modal', async () => {
      let from = h.standin.calls.length;
      await h.driver.appHomeOpened('U0ALICE001');
      await nextCall('views.publish', from);
      const home = h.standin.homeViews.get('U0ALICE001') as Block;
      const activityButtons = elements(home.blocks).filter((e) => e.action_id === ACTIONS.activity);
      expect(activityButtons.map((b) => b.value).sort()).toEqual([alice.id, bob.id, carol.id].sort());

      from = h.standin.calls.length;
      const click = await h.driver.blockActions('U0ALICE001', [{ action_id: ACTIONS.activity, block_id: `tpx|${bob.id}` }], { view: { id: home.id } });
      expect(click.status).toBe(200);
      const open = await nextCall('views.open', from);
      expect(open.response).toMatchObject({ ok: true });
      expect(open.args.trigger_id).toBe(click.triggerId);
      const view = open.args.view as Block;
      expect(validateView(view, 'modal')).toEqual([]);
      expect(view.title.text).toBe('Activity');
      expect(textOf(view.blocks)).toContain('*Bob Baker* (bob@acme.test)');
      expect(textOf(view.blocks)).toContain('*Invited by*\\n<@U0ALICE001>');

      // Bob's Home: an Activity button on his own row only.
      from = h.standin.calls.length;
      await h.driver.appHomeOpened('U0BOB00001');
      await nextCall('views.publish', from);
      const bobHome = h.standin.homeViews.get('U0BOB00001') as Block;
      expect(elements(bobHome.blocks).filter((e) => e.action_id === ACTIONS.activity).map((b) => b.value)).toEqual([bob.id]);

      from = h.standin.calls.length;
      await h.driver.blockActions('U0BOB00001', [{ action_id: ACTIONS.activity, value: carol.id, type: 'button' }], { view: { id: bobHome.id } });
      const refused = await nextCall('views.open', from);
      expect(refused.response).toMatchObject({ ok: true });
      expect(textOf((refused.args.view as Block).blocks)).toContain("Members can see their own activity; only owners can see other people's.");
      expect(textOf((refused.args.view as Block).blocks)).not.toContain('Carol Chen');
    });
  });

  describe('/team audit', () => {
    it('shows a real role change as a sentence with real names, and pages with Older and Newer', async () => {
      const role = await h.driver.command('U0ALICE001', '/team', 'role <@U0BOB00001|bob> owner');
      expect(role.json.text).toBe(':white_check_mark: <@U0BOB00001> is now an Owner (was Member).');

      const first = await h.driver.command('U0ALICE001', '/team', 'audit');
      expect(first.json.response_type).toBe('ephemeral');
      expect(validateBlocks(first.json.blocks, 'message')).toEqual([]);
      const firstSections = sectionsOf(first.json.blocks);
      expect(firstSections[0]).toMatch(/^<@U0ALICE001> changed <@U0BOB00001>'s role from Member to Owner\.\n_<!date\^\d+\^[^>]+> · in Slack_$/);
      // Fewer than a page so far: no buttons.
      expect(elements(first.json.blocks).filter((e) => String(e.action_id).startsWith('audit_log.'))).toEqual([]);

      // Thirty more events (written in one statement: the same microsecond, ordered by id).
      await sql`
        insert into audit_events (organization_id, actor_type, actor_id, action, target_type, target_id, before, after, source)
        select ${org.id}::uuid, 'member', ${alice.id}, 'invitation.sent', 'invitation', null, null,
               jsonb_build_object('email', 'person' || n || '@acme.test', 'role', 'member'), 'slack'
        from generate_series(1, 30) as n`.execute(t.db);
      const total = Number(
        (await t.db.selectFrom('audit_events').select((eb) => eb.fn.countAll<string>().as('n')).where('organization_id', '=', org.id).executeTakeFirstOrThrow()).n,
      );

      const latest = await h.driver.command('U0ALICE001', '/team', 'audit');
      const seen: string[][] = [sectionsOf(latest.json.blocks)];
      expect(seen[0]![0]).toContain('<@U0ALICE001> invited person30@acme.test as a Member.');
      let blocks = latest.json.blocks as Block[];
      let clicks = 0;
      for (;;) {
        const older = elements(blocks).find((e) => e.action_id === AUDIT_LOG_ACTIONS.older);
        if (!older) break;
        const click = await h.driver.blockActions('U0ALICE001', [{ action_id: AUDIT_LOG_ACTIONS.older }], {
          message: { ts: `1700000100.00000${clicks}`, text: 'audit', blocks },
          channelId: 'C0GENERAL1',
        });
        const reply = await h.standin.waitForResponseUrlPost(click.responseUrlId);
        expect(reply.body).toMatchObject({ replace_original: true, response_type: 'ephemeral' });
        blocks = reply.body.blocks as Block[];
        expect(validateBlocks(blocks, 'message')).toEqual([]);
        expect(elements(blocks).some((e) => e.action_id === AUDIT_LOG_ACTIONS.newer)).toBe(true);
        seen.push(sectionsOf(blocks));
        clicks++;
      }
      expect(clicks).toBe(Math.ceil(total / 20) - 1);
      expect(seen.flat()).toHaveLength(total);
      expect(seen.flat().filter((s) => s.includes('changed <@U0BOB00001>') && s.includes('from Member to Owner'))).toHaveLength(1);
      expect(seen.flat().filter((s) => s.startsWith('Team Manager connected this workspace'))).toHaveLength(1);

      // Newer from the oldest page shows the page before it again.
      const newer = await h.driver.blockActions('U0ALICE001', [{ action_id: AUDIT_LOG_ACTIONS.newer }], {
        message: { ts: '1700000200.000001', text: 'audit', blocks },
        channelId: 'C0GENERAL1',
      });
      const back = await h.standin.waitForResponseUrlPost(newer.responseUrlId);
      expect(sectionsOf(back.body.blocks as Block[])).toEqual(seen[seen.length - 2]);
    });

    it('filters by person and kind; explains bad input', async () => {
      const aboutBob = await h.driver.command('U0ALICE001', '/team', 'audit <@U0BOB00001|bob> member');
      const sections = sectionsOf(aboutBob.json.blocks);
      expect(sections).toHaveLength(1);
      expect(sections[0]).toContain("<@U0ALICE001> changed <@U0BOB00001>'s role from Member to Owner.");
      expect(textOf(aboutBob.json.blocks)).toContain('Events about <@U0BOB00001>, of kind `member`');

      const bobsChanges = await h.driver.command('U0ALICE001', '/team', 'audit settings bob@acme.test');
      expect(sectionsOf(bobsChanges.json.blocks)).toEqual([expect.stringContaining('<@U0BOB00001> changed the team settings: Invitation expiry (7 days → 14 days).')]);

      const unknown = await h.driver.command('U0ALICE001', '/team', 'audit promotions');
      expect(unknown.json.text).toContain('There is no kind of event called `promotions`');
      for (const prefix of ACTION_PREFIXES) expect(unknown.json.text).toContain(`\`${prefix}\``);

      expect((await h.driver.command('U0ALICE001', '/team', 'audit member removal invitation')).json.text).toContain('Usage: `/team audit [@person] [action]`');
      expect((await h.driver.command('U0ALICE001', '/team', 'audit @nobody')).json.text).toContain('Usage: `/team audit [@person] [action]`');
      expect((await h.driver.command('U0ALICE001', '/team', 'audit nobody@acme.test')).json.text).toBe('nobody@acme.test has never been a member of this team.');
    });

    it('is refused to a member, with the Older button too', async () => {
      const refused = await h.driver.command('U0CAROL001', '/team', 'audit');
      expect(refused.json).toEqual({ response_type: 'ephemeral', text: 'Only owners can read the audit log. You are a member of this team.' });
      expect((await h.driver.command('U0CAROL001', '/team', 'audit <@U0BOB00001|bob>')).json.text).toBe(
        'Only owners can read the audit log. You are a member of this team.',
      );

      // A button value forwarded to a member reads nothing either.
      const page = await h.driver.command('U0ALICE001', '/team', 'audit');
      const older = elements(page.json.blocks).find((e) => e.action_id === AUDIT_LOG_ACTIONS.older)!;
      const click = await h.driver.blockActions('U0CAROL001', [{ action_id: AUDIT_LOG_ACTIONS.older, value: older.value, type: 'button' }], {
        message: { ts: '1700000300.000001', text: 'audit', blocks: page.json.blocks },
        channelId: 'C0GENERAL1',
      });
      const reply = await h.standin.waitForResponseUrlPost(click.responseUrlId);
      expect(reply.body).toMatchObject({ replace_original: true, text: ':warning: Only owners can read the audit log. You are a member of this team.' });
      expect(reply.body.blocks).toBeUndefined();
    });
  });

  describe('last activity in Slack', () => {
    it('is set after a command, after the ack, and not rewritten within 5 minutes', async () => {
      // Someone no earlier test made requests for, so no earlier request's write can still land.
      const erin = await seedMember(t.db, org, 'erin@acme.test', 'member', { slackUserId: 'U0ERIN0001', displayName: 'Erin Eve' });
      expect(await lastActivityOf(erin.id)).toBeNull();

      const first = await h.driver.command('U0ERIN0001', '/team', 'list');
      expect(first.status).toBe(200);
      expect(await activityLogOf(first.headers.get('x-request-id'))).toMatchObject({ slackUserId: 'U0ERIN0001', recorded: true });
      // Off the critical path: written after Slack got its answer (Bolt logs the ack first).
      const lines = h.logs.lines().filter((l) => l.requestId === first.headers.get('x-request-id'));
      const acked = lines.findIndex((l) => String(l.msg).startsWith('ack() response sent'));
      expect(acked).toBeGreaterThanOrEqual(0);
      expect(lines.findIndex((l) => l.msg === 'slack activity')).toBeGreaterThan(acked);
      const written = await lastActivityOf(erin.id);
      expect(written).toBeInstanceOf(Date);
      expect(Math.abs(written!.getTime() - Date.now())).toBeLessThan(60_000);

      const second = await h.driver.command('U0ERIN0001', '/team', 'activity');
      expect(await activityLogOf(second.headers.get('x-request-id'))).toMatchObject({ recorded: false });
      expect(await lastActivityOf(erin.id)).toEqual(written);

      // A button click within the 5 minutes: this process wrote the time, so it sends no UPDATE
      // at all (the clock running on is in test/integration/activity-tracking.test.ts).
      const click = await h.driver.blockActions('U0ERIN0001', [{ action_id: ACTIONS.activity, value: erin.id, type: 'button' }], { view: { type: 'home' } });
      expect(await activityLogOf(click.headers.get('x-request-id'))).toMatchObject({ recorded: false, throttled: true });
      expect(await lastActivityOf(erin.id)).toEqual(written);

      // Telemetry, not a change of the team: no audit event about it.
      const events = await t.db.selectFrom('audit_events').select('action').where('target_id', '=', erin.id).execute();
      expect(events).toEqual([]);
    });

    it('is never written for someone who is not an active member', async () => {
      const res = await h.driver.command('U0DAVE0001', '/team', 'list');
      expect(await activityLogOf(res.headers.get('x-request-id'))).toMatchObject({ slackUserId: 'U0DAVE0001', recorded: false });
      const dave = await t.db.selectFrom('members').select('id').where('email', '=', 'dave@acme.test').executeTakeFirst();
      expect(dave).toBeUndefined();
    });
  });
});
