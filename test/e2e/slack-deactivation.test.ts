import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Member, Organization } from '../../src/db/schema.js';
import { insertInvitations } from '../../src/team/invitation-repository.js';
import { findOrganizationBySlackTeam } from '../../src/team/organization-repository.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { useTestDatabase } from '../support/database.js';
import { queuedJobs, seedMember } from '../support/seed.js';

/**
 * Slack's `user_change` events, signed, into the real app: a deactivated account ends the
 * linked membership (announced, audited, invitations cancelled), once however often Slack
 * repeats it; the last owner is kept and the owners told how to add another; a new profile
 * email becomes the member's email unless another member has it.
 *
 * Stand-in people: alice and dave (owners), bob and carol (members).
 */
describe('Slack account changes (user_change)', () => {
  const t = useTestDatabase();
  let h: TestApp;
  let org: Organization;
  let alice: Member;
  let bob: Member;
  let carol: Member;
  let dave: Member;

  beforeAll(async () => {
    h = await startTestApp({ databaseUrl: t.url });
    org = (await findOrganizationBySlackTeam(t.db, h.standin.teamId))!;
    await t.db.updateTable('organizations').set({ approvals_channel_id: 'C0APPR0001' }).where('id', '=', org.id).execute();
    alice = await seedMember(t.db, org, 'alice@acme.test', 'owner', { slackUserId: 'U0ALICE001', displayName: 'Alice Archer' });
    bob = await seedMember(t.db, org, 'bob@acme.test', 'member', { slackUserId: 'U0BOB00001', displayName: 'Bob Baker' });
    carol = await seedMember(t.db, org, 'carol@acme.test', 'member', { slackUserId: 'U0CAROL001', displayName: 'Carol Chen' });
    dave = await seedMember(t.db, org, 'dave@acme.test', 'owner', { slackUserId: 'U0DAVE0001', displayName: 'Dave Diaz' });
  });
  afterAll(async () => h?.stop());

  const memberRow = (m: Member) => t.db.selectFrom('members').selectAll().where('id', '=', m.id).executeTakeFirstOrThrow();
  const eventsAbout = (m: Member, action: string) =>
    t.db.selectFrom('audit_events').selectAll().where('organization_id', '=', org.id).where('target_id', '=', m.id).where('action', '=', action).execute();
  const posts = (channel: string, text: string) =>
    h.standin.callsTo('chat.postMessage').filter((c) => c.args.channel === channel && String(c.args.text).includes(text));
  const queuedPosts = async (text: string) =>
    (await queuedJobs(t.db, org.id)).filter((j) => j.task === 'slack.post-message' && String(j.payload.text).includes(text));

  /** A repeat must change nothing: give the app and its worker time to do something wrong. */
  async function settle(): Promise<void> {
    await sleep(1_000);
  }

  it('a deactivated owner loses access at once: removed by Slack, announced, audited, invitations cancelled', async () => {
    const [invitation] = await insertInvitations(t.db, [
      { organizationId: org.id, email: 'zed@acme.test', role: 'member', message: null, invitedBy: dave.id, batchId: crypto.randomUUID(), expiresAt: new Date(Date.now() + 86_400_000) },
    ]);

    const res = await h.driver.userChange('U0DAVE0001', { deleted: true }, { eventId: 'Ev0DAVEGONE1' });
    expect(res.status).toBe(200);

    const post = await h.standin.waitForCall('chat.postMessage', (c) => c.args.channel === 'C0TEAM0001' && String(c.args.text).includes('deactivated in Slack'), 10_000);
    expect(post.args.text).toBe(':wave: <@U0DAVE0001> was deactivated in Slack and removed from the team.');

    const row = await memberRow(dave);
    expect(row.status).toBe('removed');
    expect(row.removal_reason).toBe('deactivated in Slack');
    expect(row.removed_by_member_id).toBeNull();

    const [removed, ...more] = await eventsAbout(dave, 'member.removed');
    expect(more).toEqual([]);
    expect(removed).toMatchObject({ actor_type: 'system', actor_id: 'slack', source: 'slack' });
    expect(removed!.after).toMatchObject({ status: 'removed', reason: 'deactivated in Slack', removed_by: null });

    const inv = await t.db.selectFrom('invitations').selectAll().where('id', '=', invitation!.id).executeTakeFirstOrThrow();
    expect(inv.status).toBe('cancelled');
    const cancelled = await t.db.selectFrom('audit_events').selectAll().where('target_id', '=', invitation!.id).where('action', '=', 'invitation.cancelled').execute();
    expect(cancelled).toHaveLength(1);
  });

  it('the same deactivation again (a retry, or a later event for the same account) removes once and posts once', async () => {
    expect((await h.driver.userChange('U0DAVE0001', {}, { eventId: 'Ev0DAVEGONE1', retryNum: 1 })).status).toBe(200);
    expect((await h.driver.userChange('U0DAVE0001', { deleted: true })).status).toBe(200);
    await settle();
    expect(await eventsAbout(dave, 'member.removed')).toHaveLength(1);
    expect(posts('C0TEAM0001', 'was deactivated in Slack')).toHaveLength(1);
    expect(await queuedPosts('was deactivated in Slack')).toEqual([]);
  });

  it('a reactivated account does not come back by itself; the owners are told once', async () => {
    expect((await h.driver.userChange('U0DAVE0001', { deleted: false })).status).toBe(200);
    const told = await h.standin.waitForCall('chat.postMessage', (c) => c.args.channel === 'C0APPR0001' && String(c.args.text).includes('reactivated in Slack'), 10_000);
    expect(told.args.text).toContain('<@U0DAVE0001> was reactivated in Slack. They are not back on the team');
    expect(told.args.text).toContain('dave@acme.test');
    expect(await memberRow(dave)).toMatchObject({ status: 'removed' });
    const [reported] = await eventsAbout(dave, 'member.reactivation_reported');
    expect(reported).toMatchObject({ actor_type: 'system', actor_id: 'slack', source: 'slack' });

    expect((await h.driver.userChange('U0DAVE0001')).status).toBe(200);
    await settle();
    expect(await eventsAbout(dave, 'member.reactivation_reported')).toHaveLength(1);
    expect(posts('C0APPR0001', 'reactivated in Slack')).toHaveLength(1);
    expect((await memberRow(dave)).status).toBe('removed');
  });

  it('the last active owner deactivated is kept, and the owners are told the way out (the CLI), once', async () => {
    expect((await h.driver.userChange('U0ALICE001', { deleted: true })).status).toBe(200);
    const warning = await h.standin.waitForCall('chat.postMessage', (c) => c.args.channel === 'C0APPR0001' && String(c.args.text).includes('last owner'), 10_000);
    expect(warning.args.text).toContain('<@U0ALICE001> was deactivated in Slack');
    expect(warning.args.text).toContain('`npm run cli -- owners add <email>`');

    const row = await memberRow(alice);
    expect(row).toMatchObject({ status: 'active', role: 'owner' });
    const [kept] = await eventsAbout(alice, 'member.deactivation_kept_last_owner');
    expect(kept).toMatchObject({ actor_type: 'system', actor_id: 'slack', source: 'slack' });
    expect(JSON.stringify(kept!.after)).toContain('npm run cli -- owners add <email>');
    expect(await eventsAbout(alice, 'member.removed')).toEqual([]);

    expect((await h.driver.userChange('U0ALICE001', { deleted: true })).status).toBe(200);
    await settle();
    expect(await eventsAbout(alice, 'member.deactivation_kept_last_owner')).toHaveLength(1);
    expect(posts('C0APPR0001', 'last owner')).toHaveLength(1);
    expect(await queuedPosts('last owner')).toEqual([]);
    h.standin.users.find((u) => u.id === 'U0ALICE001')!.deleted = false;
  });

  it("a new email on a linked member's Slack profile becomes their email, audited", async () => {
    expect((await h.driver.userChange('U0BOB00001', { email: 'Bob.Baker@acme.test' })).status).toBe(200);
    await expect.poll(async () => (await memberRow(bob)).email, { timeout: 5_000 }).toBe('bob.baker@acme.test');
    const [changed, ...more] = await eventsAbout(bob, 'member.email_changed');
    expect(more).toEqual([]);
    expect(changed).toMatchObject({ actor_type: 'system', actor_id: 'slack', source: 'slack' });
    expect(changed!.before).toEqual({ email: 'bob@acme.test' });
    expect(changed!.after).toMatchObject({ email: 'bob.baker@acme.test' });

    // Slack sends user_change for any profile edit: the same email again changes nothing.
    expect((await h.driver.userChange('U0BOB00001')).status).toBe(200);
    await settle();
    expect(await eventsAbout(bob, 'member.email_changed')).toHaveLength(1);
  });

  it("an email another member already has is refused, reported to the owners once, and not applied", async () => {
    expect((await h.driver.userChange('U0CAROL001', { email: 'alice@acme.test' })).status).toBe(200);
    const report = await h.standin.waitForCall('chat.postMessage', (c) => c.args.channel === 'C0APPR0001' && String(c.args.text).includes('<@U0CAROL001> changed their email'), 10_000);
    expect(report.args.text).toContain('alice@acme.test');
    expect(report.args.text).toContain('<@U0ALICE001> already has that address');

    expect((await memberRow(carol)).email).toBe('carol@acme.test');
    expect((await memberRow(alice)).email).toBe('alice@acme.test');
    const [refused] = await eventsAbout(carol, 'member.email_change_refused');
    expect(refused).toMatchObject({ actor_type: 'system', actor_id: 'slack', source: 'slack' });
    expect(refused!.after).toMatchObject({ email: 'alice@acme.test', other_member_id: alice.id });
    expect(await eventsAbout(carol, 'member.email_changed')).toEqual([]);

    expect((await h.driver.userChange('U0CAROL001')).status).toBe(200);
    await settle();
    expect(await eventsAbout(carol, 'member.email_change_refused')).toHaveLength(1);
    expect(posts('C0APPR0001', '<@U0CAROL001> changed their email')).toHaveLength(1);
  });

  it('an account of another organization (Slack Connect) never touches a member', async () => {
    h.standin.users.push({ id: 'U0STRANGE1', name: 'eve', realName: 'Eve Other', email: 'eve@other.test', teamId: 'T0OTHER001', isStranger: true });
    // Even a member linked to that id (it should not happen) is not another organization's to end.
    const eve = await seedMember(t.db, org, 'eve@acme.test', 'member', { slackUserId: 'U0STRANGE1' });
    expect((await h.driver.userChange('U0STRANGE1', { deleted: true })).status).toBe(200);
    expect((await h.driver.userChange('U0STRANGE1', { deleted: false, email: 'bob@acme.test' })).status).toBe(200);
    await settle();
    expect(await memberRow(eve)).toMatchObject({ status: 'active', email: 'eve@acme.test' });
  });
});
