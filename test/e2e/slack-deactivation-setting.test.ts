import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Member, Organization, SlackDeactivation } from '../../src/db/schema.js';
import { REMOVAL_ACTIONS } from '../../src/slack/blocks/removal-card.js';
import { findOrganizationBySlackTeam } from '../../src/team/organization-repository.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { useTestDatabase } from '../support/database.js';
import { seedMember } from '../support/seed.js';

/**
 * The setting "When someone is deactivated in Slack" (organizations.slack_deactivation) with
 * signed user_change events: `ignore` records it and keeps the member; `ask` opens one
 * deactivation request whose Keep / Remove an owner decides (a member is refused).
 */
describe('Slack deactivation setting: do nothing / ask the owners', () => {
  const t = useTestDatabase();
  let h: TestApp;
  let org: Organization;
  let alice: Member;
  let bob: Member;
  let carol: Member;

  beforeAll(async () => {
    h = await startTestApp({ databaseUrl: t.url });
    org = (await findOrganizationBySlackTeam(t.db, h.standin.teamId))!;
    await t.db.updateTable('organizations').set({ approvals_channel_id: 'C0APPR0001' }).where('id', '=', org.id).execute();
    alice = await seedMember(t.db, org, 'alice@acme.test', 'owner', { slackUserId: 'U0ALICE001', displayName: 'Alice Archer' });
    bob = await seedMember(t.db, org, 'bob@acme.test', 'member', { slackUserId: 'U0BOB00001', displayName: 'Bob Baker' });
    carol = await seedMember(t.db, org, 'carol@acme.test', 'member', { slackUserId: 'U0CAROL001', displayName: 'Carol Chen' });
    await seedMember(t.db, org, 'dave@acme.test', 'owner', { slackUserId: 'U0DAVE0001', displayName: 'Dave Diaz' });
  });
  afterAll(async () => h?.stop());

  const setting = (value: SlackDeactivation) => t.db.updateTable('organizations').set({ slack_deactivation: value }).where('id', '=', org.id).execute();
  const memberRow = (m: Member) => t.db.selectFrom('members').selectAll().where('id', '=', m.id).executeTakeFirstOrThrow();
  const requestsAbout = (m: Member) => t.db.selectFrom('removal_requests').selectAll().where('target_member_id', '=', m.id).where('kind', '=', 'deactivation').execute();
  const events = (action: string) => t.db.selectFrom('audit_events').selectAll().where('organization_id', '=', org.id).where('action', '=', action).execute();
  const clickOnHome = (userId: string, actionId: string, requestId: string) =>
    h.driver.blockActions(userId, [{ action_id: actionId, value: requestId }], {
      view: { id: `V0HOME${userId}`, type: 'home', blocks: [{ type: 'actions', block_id: 'home.removal', elements: [{ type: 'button', action_id: actionId, text: { type: 'plain_text', text: 'x' }, value: requestId }] }] },
    });

  it('do nothing: the member stays, and the audit log says it was seen and ignored by the setting', async () => {
    await setting('ignore');
    expect((await h.driver.userChange('U0CAROL001', { deleted: true })).status).toBe(200);
    await expect.poll(async () => (await events('member.deactivation_ignored')).length, { timeout: 5_000 }).toBe(1);
    const [ignored] = await events('member.deactivation_ignored');
    expect(ignored).toMatchObject({ actor_type: 'system', actor_id: 'slack', source: 'slack', target_id: carol.id });
    expect(ignored!.after).toMatchObject({ setting: 'ignore', directory: 'Slack' });
    expect((await memberRow(carol)).status).toBe('active');
    expect(await events('member.removed')).toEqual([]);
  });

  it('ask the owners: one Keep / Remove card; a member cannot decide, an owner keeps', async () => {
    await setting('ask');
    expect((await h.driver.userChange('U0BOB00001', { deleted: true })).status).toBe(200);
    const card = await h.standin.waitForCall('chat.postMessage', (c) => c.args.channel === 'C0APPR0001' && String(c.args.text).includes('deactivated in Slack: keep or remove?'), 10_000);
    expect(JSON.stringify(card.args.blocks)).toContain('"Keep"');
    const [request, ...more] = await requestsAbout(bob);
    expect(more).toEqual([]);
    expect(request).toMatchObject({ status: 'pending', requested_by_member_id: null, requested_by_directory: 'Slack' });
    expect((await memberRow(bob)).status).toBe('active');

    // A repeat of the event asks nothing more.
    expect((await h.driver.userChange('U0BOB00001', { deleted: true })).status).toBe(200);
    expect(await requestsAbout(bob)).toHaveLength(1);

    // Carol is a member: refused, nothing changes.
    await clickOnHome('U0CAROL001', REMOVAL_ACTIONS.approve, request!.id);
    await clickOnHome('U0CAROL001', REMOVAL_ACTIONS.reject, request!.id);
    await h.standin.waitForCall('views.publish', (c) => c.args.user_id === 'U0CAROL001' && JSON.stringify(c.args.view).includes('Only owners'), 10_000);
    expect((await requestsAbout(bob))[0]!.status).toBe('pending');
    expect((await memberRow(bob)).status).toBe('active');

    await clickOnHome('U0ALICE001', REMOVAL_ACTIONS.reject, request!.id);
    await expect.poll(async () => (await requestsAbout(bob))[0]!.status, { timeout: 5_000 }).toBe('rejected');
    const [kept] = await events('deactivation.kept');
    expect(kept).toMatchObject({ actor_type: 'member', actor_id: alice.id, source: 'slack', target_id: request!.id });
    expect((await memberRow(bob)).status).toBe('active');

    // Kept stays kept: the next report of the deactivation asks nothing.
    expect((await h.driver.userChange('U0BOB00001', { deleted: true })).status).toBe(200);
    expect(await requestsAbout(bob)).toHaveLength(1);
  });

  it("ask the owners: an owner's Remove ends the membership through endMembership, audited and announced", async () => {
    expect((await h.driver.userChange('U0CAROL001', { deleted: true })).status).toBe(200);
    await expect.poll(async () => (await requestsAbout(carol)).length, { timeout: 5_000 }).toBe(1);
    const [request] = await requestsAbout(carol);
    await clickOnHome('U0ALICE001', REMOVAL_ACTIONS.approve, request!.id);
    await expect.poll(async () => (await memberRow(carol)).status, { timeout: 5_000 }).toBe('removed');
    expect((await memberRow(carol)).removal_reason).toBe('deactivated in Slack');
    const removed = (await events('member.removed')).filter((e) => e.target_id === carol.id);
    expect(removed).toHaveLength(1);
    expect(removed[0]).toMatchObject({ actor_type: 'member', actor_id: alice.id, source: 'slack' });
    expect((await requestsAbout(carol))[0]!.status).toBe('approved');
    const post = await h.standin.waitForCall('chat.postMessage', (c) => c.args.channel === 'C0TEAM0001' && String(c.args.text).includes('<@U0CAROL001> was deactivated in Slack and removed'), 10_000);
    expect(post.args.text).toContain('by <@U0ALICE001>');
  });
});
