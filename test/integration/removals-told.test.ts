import { beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { Member, Organization } from '../../src/db/schema.js';
import { decideRemoval, expireRemovalRequests, requestRemoval, type RemovalDecision } from '../../src/team/removals.js';
import { leaveTeam } from '../../src/team/members.js';
import { createInvitations } from '../../src/team/invitations.js';
import { findMemberById } from '../../src/team/member-repository.js';
import { useTestDatabase } from '../support/database.js';
import { auditActions, queuedJobs, seedMember, seedOrganization } from '../support/seed.js';
import { refusalOf } from '../support/refusal.js';

/**
 * What Slack and email are told of these changes: the same changes as the domain's own suite
 * (test/integration/removals.test.ts, run with no Slack adapter loadable), here with the app's
 * tellers installed (test/support/tellings.ts), asserting the queued posts, DMs, cards and Homes.
 */

const t = useTestDatabase();
let n = 0;
let org: Organization;

async function newOrganization(policy: 'none' | 'another-owner' = 'another-owner'): Promise<Organization> {
  const o = await seedOrganization(t.db, `T_REMOVALS_${++n}`, { team_channel_id: 'C0TEAM0001', name: 'Acme' });
  return t.db
    .updateTable('organizations')
    .set({ removal_approval_policy: policy, approvals_channel_id: 'C0APPR0001' })
    .where('id', '=', o.id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Olga asks to remove Bob; Carol and Dave could approve. */
async function threeOwnersAndBob(o: Organization) {
  const olga = await seedMember(t.db, o, 'olga@acme.test', 'owner', { slackUserId: 'U0OLGA' });
  const carol = await seedMember(t.db, o, 'carol@acme.test', 'owner', { slackUserId: 'U0CAROL' });
  const dave = await seedMember(t.db, o, 'dave@acme.test', 'owner', { slackUserId: 'U0DAVE' });
  const bob = await seedMember(t.db, o, 'bob@acme.test', 'member', { slackUserId: 'U0BOB' });
  return { olga, carol, dave, bob };
}

const decide = (o: Organization, actor: Member, requestId: string, decision: RemovalDecision, reason?: string) =>
  decideRemoval(t.db, { organizationId: o.id, actorMemberId: actor.id, requestId, decision, reason: reason ?? null, source: 'slack' });

async function requestOf(o: Organization, actor: Member, target: Member, reason: string | null = 'left the company') {
  const result = await requestRemoval(t.db, { organizationId: o.id, actorMemberId: actor.id, targetMemberId: target.id, reason, source: 'slack' });
  if (result.kind !== 'requested') throw new Error(`expected a request, got ${result.kind}`);
  return result.request;
}

const status = async (m: Member) => (await findMemberById(t.db, m.organization_id, m.id))!.status;
const requestStatus = async (id: string) => (await t.db.selectFrom('removal_requests').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status;
const channelPosts = async (o: Organization, channel: string) =>
  (await queuedJobs(t.db, o.id)).filter((j) => j.task === 'slack.post-message' && j.payload.channel === channel).map((j) => String(j.payload.text));
const eventsOf = async (o: Organization, action: string) =>
  t.db.selectFrom('audit_events').selectAll().where('organization_id', '=', o.id).where('action', '=', action).execute();

beforeEach(async () => {
  await sql`delete from graphile_worker._private_jobs`.execute(t.db);
  org = await newOrganization();
});

describe('policy `none`: the requester confirmation is enough', () => {
  it('removes at once: status, who and why, one audit event, channel post, DM to the removed person; their invitations are cancelled', async () => {
    const o = await newOrganization('none');
    const olga = await seedMember(t.db, o, 'olga@acme.test', 'owner', { slackUserId: 'U0OLGA' });
    const bob = await seedMember(t.db, o, 'bob@acme.test', 'owner', { slackUserId: 'U0BOB' });
    await createInvitations(t.db, { organizationId: o.id, actorMemberId: bob.id, addresses: ['new@acme.test'], role: 'member', source: 'slack' });
    await sql`delete from graphile_worker._private_jobs`.execute(t.db);

    const result = await requestRemoval(t.db, { organizationId: o.id, actorMemberId: olga.id, targetMemberId: bob.id, reason: '  left the company ', source: 'slack' });
    expect(result.kind).toBe('removed');
    const after = (await findMemberById(t.db, o.id, bob.id))!;
    expect(after).toMatchObject({ status: 'removed', removed_by_member_id: olga.id, removal_reason: 'left the company' });
    expect(after.removed_at).toBeInstanceOf(Date);

    const removed = await eventsOf(o, 'member.removed');
    expect(removed).toHaveLength(1);
    expect(removed[0]).toMatchObject({ actor_id: olga.id, target_id: bob.id, before: { status: 'active', role: 'owner' }, after: { status: 'removed', approved_by: null, reason: 'left the company' } });
    expect(await auditActions(t.db, o.id)).toEqual(['invitation.sent', 'member.removed', 'invitation.cancelled']);
    expect(await t.db.selectFrom('invitations').select('status').where('organization_id', '=', o.id).execute()).toEqual([{ status: 'cancelled' }]);

    expect(await channelPosts(o, 'C0TEAM0001')).toEqual([':wave: <@U0BOB> was removed by <@U0OLGA>.']);
    const [dm] = await channelPosts(o, 'U0BOB');
    expect(dm).toContain("Your access to Acme's team in Team Manager has ended: <@U0OLGA> removed you");
    expect(await t.db.selectFrom('removal_requests').selectAll().where('organization_id', '=', o.id).execute()).toEqual([]);
  });

  it('with `notify_removed_member` off, the removed person gets no DM', async () => {
    const o = await newOrganization('none');
    await t.db.updateTable('organizations').set({ notify_removed_member: false }).where('id', '=', o.id).execute();
    const olga = await seedMember(t.db, o, 'olga@acme.test', 'owner', { slackUserId: 'U0OLGA' });
    const bob = await seedMember(t.db, o, 'bob@acme.test', 'member', { slackUserId: 'U0BOB' });
    await requestRemoval(t.db, { organizationId: o.id, actorMemberId: olga.id, targetMemberId: bob.id, source: 'slack' });
    expect(await status(bob)).toBe('removed');
    expect(await channelPosts(o, 'U0BOB')).toEqual([]);
  });

});

describe('policy `another-owner`', () => {
  it('opens a request (audited, card queued, member still active); asking again returns the open one', async () => {
    const { olga, bob } = await threeOwnersAndBob(org);
    const request = await requestOf(org, olga, bob);
    expect(request).toMatchObject({ status: 'pending', requested_by_member_id: olga.id, target_member_id: bob.id, reason: 'left the company' });
    expect(request.expires_at.getTime() - request.created_at.getTime()).toBeCloseTo(72 * 3600 * 1000, -4);
    expect(await status(bob)).toBe('active');
    expect(await auditActions(t.db, org.id)).toEqual(['removal.requested']);
    const jobs = await queuedJobs(t.db, org.id);
    expect(jobs.filter((j) => j.task === 'removal.post-card').map((j) => j.payload.requestId)).toEqual([request.id]);
    // The team channel hears of it, pointing to the approvals channel where the card is.
    expect(await channelPosts(org, 'C0TEAM0001')).toEqual([expect.stringContaining('asked to remove <@U0BOB>; waiting for another owner')]);

    const again = await requestRemoval(t.db, { organizationId: org.id, actorMemberId: olga.id, targetMemberId: bob.id, source: 'slack' });
    expect(again).toMatchObject({ kind: 'requested', alreadyPending: true, request: { id: request.id } });
    expect(await auditActions(t.db, org.id)).toEqual(['removal.requested']);
  });

  it('approve: the member is removed with requester and approver recorded; one event; channel, requester and removed person told; card rewritten', async () => {
    const { olga, carol, bob } = await threeOwnersAndBob(org);
    const request = await requestOf(org, olga, bob);
    await sql`delete from graphile_worker._private_jobs`.execute(t.db);

    const { request: closed } = await decide(org, carol, request.id, 'approve');
    expect(closed).toMatchObject({ status: 'approved', decided_by_member_id: carol.id });
    expect(await findMemberById(t.db, org.id, bob.id)).toMatchObject({ status: 'removed', removed_by_member_id: olga.id, removal_reason: 'left the company' });
    expect(await auditActions(t.db, org.id)).toEqual(['removal.requested', 'member.removed']);
    expect((await eventsOf(org, 'member.removed'))[0]).toMatchObject({ actor_id: carol.id, after: { requested_by: olga.id, approved_by: carol.id, removal_request_id: request.id } });

    expect(await channelPosts(org, 'C0TEAM0001')).toEqual([':wave: <@U0BOB> was removed by <@U0OLGA>, approved by <@U0CAROL>.']);
    expect(await channelPosts(org, 'U0OLGA')).toEqual([':white_check_mark: <@U0CAROL> approved your request: <@U0BOB> was removed from the team.']);
    expect((await channelPosts(org, 'U0BOB'))[0]).toContain('approved by <@U0CAROL>');
    expect((await queuedJobs(t.db, org.id)).filter((j) => j.task === 'removal.update-card')).toHaveLength(1);
  });

  it('20 owners clicking Approve at the same moment: one removal, one audit event, one channel post', async () => {
    const { olga, bob } = await threeOwnersAndBob(org);
    const approvers: Member[] = [];
    for (let i = 0; i < 20; i++) approvers.push(await seedMember(t.db, org, `approver${i}@acme.test`, 'owner', { slackUserId: `U0APP${i}` }));
    const request = await requestOf(org, olga, bob);
    await sql`delete from graphile_worker._private_jobs`.execute(t.db);

    const results = await Promise.allSettled(approvers.map((a) => decide(org, a, request.id, 'approve')));
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(19);
    for (const l of lost) {
      // Named and dated as words (Slack renders them as a mention and a local time): here, as plain text.
      expect(l.reason.message).toMatch(/^This request was already approved by approver\d+@acme\.test on \d{4}-\d\d-\d\d \d\d:\d\d UTC: /);
      expect(l.reason.words).toContainEqual({ person: expect.objectContaining({ slack_user_id: expect.stringMatching(/^U0APP\d+$/) }) });
    }
    expect(await eventsOf(org, 'member.removed')).toHaveLength(1);
    expect(await channelPosts(org, 'C0TEAM0001')).toHaveLength(1);
    expect((await queuedJobs(t.db, org.id)).filter((j) => j.task === 'removal.update-card')).toHaveLength(1);
  });

  it('reject needs a reason, which the requester reads; withdraw is the requester\'s own', async () => {
    const { olga, carol, dave, bob } = await threeOwnersAndBob(org);
    const request = await requestOf(org, olga, bob);
    expect((await refusalOf(decide(org, carol, request.id, 'reject', '   '))).code).toBe('reason_required');
    expect((await refusalOf(decide(org, carol, request.id, 'reject', 'x'.repeat(1001)))).code).toBe('reason_too_long');
    await sql`delete from graphile_worker._private_jobs`.execute(t.db);
    await decide(org, carol, request.id, 'reject', 'He is <!channel> needed');
    expect(await requestStatus(request.id)).toBe('rejected');
    expect(await status(bob)).toBe('active');
    expect((await eventsOf(org, 'removal.rejected'))[0]).toMatchObject({ actor_id: carol.id, after: { reason: 'He is <!channel> needed' } });
    // The reason is shown, escaped: no channel-wide ping from a rejection.
    expect(await channelPosts(org, 'U0OLGA')).toEqual([':x: <@U0CAROL> rejected your request to remove <@U0BOB>: “He is &lt;!channel&gt; needed”. <@U0BOB> is still a member.']);

    const second = await requestOf(org, olga, bob);
    await decide(org, olga, second.id, 'withdraw');
    expect(await requestStatus(second.id)).toBe('withdrawn');
    expect((await refusalOf(decide(org, dave, second.id, 'approve'))).message).toMatch(/^This request was withdrawn by olga@acme\.test/);
  });

});

describe('requests end with their people', () => {
  it('the target leaving cancels the request (card rewritten, requester told); so does the requester being removed', async () => {
    const { olga, carol, dave, bob } = await threeOwnersAndBob(org);
    const request = await requestOf(org, olga, bob);
    await sql`delete from graphile_worker._private_jobs`.execute(t.db);
    await leaveTeam(t.db, { organizationId: org.id, actorMemberId: bob.id, source: 'slack' });
    expect(await t.db.selectFrom('removal_requests').selectAll().where('id', '=', request.id).executeTakeFirstOrThrow()).toMatchObject({
      status: 'cancelled',
      decision_reason: 'they are no longer a member',
    });
    expect(await auditActions(t.db, org.id)).toEqual(['removal.requested', 'member.left', 'removal.cancelled']);
    expect((await queuedJobs(t.db, org.id)).filter((j) => j.task === 'removal.update-card')).toHaveLength(1);
    expect(await channelPosts(org, 'U0OLGA')).toEqual(['Your request to remove <@U0BOB> was cancelled: “they are no longer a member”.']);

    const erin = await seedMember(t.db, org, 'erin@acme.test', 'member');
    const byDave = await requestOf(org, dave, erin);
    await requestRemoval(t.db, { organizationId: org.id, actorMemberId: olga.id, targetMemberId: dave.id, source: 'slack' }).then((r) =>
      r.kind === 'requested' ? decide(org, carol, r.request.id, 'approve') : undefined,
    );
    expect(await status(dave)).toBe('removed');
    expect(await requestStatus(byDave.id)).toBe('cancelled');
  });

});

describe('expiry', () => {
  it('pending requests past their time expire once, audited by the system; the requester is told; decisions after that are refused', async () => {
    const { olga, carol, bob } = await threeOwnersAndBob(org);
    await t.db.updateTable('organizations').set({ removal_request_expiry_hours: 1 }).where('id', '=', org.id).execute();
    const request = await requestOf(org, olga, bob);
    expect(request.expires_at.getTime() - request.created_at.getTime()).toBeCloseTo(3600 * 1000, -4);
    await sql`delete from graphile_worker._private_jobs`.execute(t.db);

    expect(await expireRemovalRequests(t.db, new Date(Date.now() + 30 * 60 * 1000))).toBe(0);
    const later = new Date(Date.now() + 2 * 3600 * 1000);
    const [a, b] = await Promise.all([expireRemovalRequests(t.db, later), expireRemovalRequests(t.db, later)]);
    expect(a + b).toBe(1);
    expect(await requestStatus(request.id)).toBe('expired');
    const expired = await eventsOf(org, 'removal.expired');
    expect(expired).toHaveLength(1);
    expect(expired[0]).toMatchObject({ actor_type: 'system', source: 'system' });
    expect((await channelPosts(org, 'U0OLGA'))[0]).toContain('expired: no other owner decided within 1 hour');
    expect((await queuedJobs(t.db, org.id)).filter((j) => j.task === 'removal.update-card')).toHaveLength(1);
    expect((await refusalOf(decide(org, carol, request.id, 'approve'))).message).toMatch(/^This request expired on/);
    expect(await status(bob)).toBe('active');
  });

});
