import { beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { Member, Organization } from '../../src/db/schema.js';
import { decideRemoval, expireRemovalRequests, previewRemoval, requestRemoval, type RemovalDecision } from '../../src/team/removals.js';
import { changeRole, leaveTeam } from '../../src/team/members.js';
import { createInvitations } from '../../src/team/invitations.js';
import { findMemberById } from '../../src/team/member-repository.js';
import { useTestDatabase } from '../support/database.js';
import { auditActions, seedMember, seedOrganization } from '../support/seed.js';
import { refusalOf } from '../support/refusal.js';

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

    expect(await t.db.selectFrom('removal_requests').selectAll().where('organization_id', '=', o.id).execute()).toEqual([]);
  });

  it('of two owners removing each other at the same moment, exactly one wins and one owner remains', async () => {
    for (let round = 0; round < 5; round++) {
      const o = await newOrganization('none');
      const a = await seedMember(t.db, o, 'a@acme.test', 'owner');
      const b = await seedMember(t.db, o, 'b@acme.test', 'owner');
      const results = await Promise.allSettled([
        requestRemoval(t.db, { organizationId: o.id, actorMemberId: a.id, targetMemberId: b.id, source: 'slack' }),
        requestRemoval(t.db, { organizationId: o.id, actorMemberId: b.id, targetMemberId: a.id, source: 'slack' }),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const owners = await t.db.selectFrom('members').select('id').where('organization_id', '=', o.id).where('status', '=', 'active').where('role', '=', 'owner').execute();
      expect(owners).toHaveLength(1);
      expect(await eventsOf(o, 'member.removed')).toHaveLength(1);
    }
  });
});

describe('who may ask', () => {
  it('members, non-members, yourself and unknown people are refused; nothing changes', async () => {
    const { olga, bob } = await threeOwnersAndBob(org);
    const outsider = await seedMember(t.db, org, 'gone@acme.test', 'owner', { removed: true });
    const ask = (actor: Member | null, target: Member) =>
      refusalOf(requestRemoval(t.db, { organizationId: org.id, actorMemberId: actor?.id ?? null, targetMemberId: target.id, source: 'slack' }));
    expect((await ask(bob, olga)).message).toBe('Only owners can remove people. You are a member of this team.');
    expect((await ask(olga, olga)).message).toBe('To remove yourself, use `/team leave`.');
    expect((await ask(outsider, bob)).message).toContain("You're not an active member of this team");
    expect((await ask(null, bob)).message).toContain("You're not an active member of this team");
    expect((await ask(olga, outsider)).message).toBe('That person is not an active member of this team.');
    expect(await auditActions(t.db, org.id)).toEqual([]);
  });

  it('previewRemoval says whether approval is needed, with the same refusals', async () => {
    const { olga, carol, bob } = await threeOwnersAndBob(org);
    expect(await previewRemoval(t.db, { organizationId: org.id, actorMemberId: olga.id, targetMemberId: bob.id })).toMatchObject({ needsApproval: true, target: { id: bob.id } });
    const two = await newOrganization();
    const a = await seedMember(t.db, two, 'a@acme.test', 'owner');
    const m = await seedMember(t.db, two, 'm@acme.test', 'member');
    // Under `another-owner` with nobody else to approve, the requester's confirmation is enough.
    expect(await previewRemoval(t.db, { organizationId: two.id, actorMemberId: a.id, targetMemberId: m.id })).toMatchObject({ needsApproval: false });
    expect((await refusalOf(previewRemoval(t.db, { organizationId: org.id, actorMemberId: bob.id, targetMemberId: carol.id }))).code).toBe('forbidden');
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
  });

  it('approve and reject at the same moment: exactly one outcome, one event', async () => {
    for (let round = 0; round < 5; round++) {
      const o = await newOrganization();
      const { olga, carol, dave, bob } = await threeOwnersAndBob(o);
      const request = await requestOf(o, olga, bob);
      const results = await Promise.allSettled([decide(o, carol, request.id, 'approve'), decide(o, dave, request.id, 'reject', 'not yet')]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const outcome = await requestStatus(request.id);
      expect(['approved', 'rejected']).toContain(outcome);
      expect(await status(bob)).toBe(outcome === 'approved' ? 'removed' : 'active');
      const decisions = (await auditActions(t.db, o.id)).filter((a) => a !== 'removal.requested');
      expect(decisions).toEqual([outcome === 'approved' ? 'member.removed' : 'removal.rejected']);
    }
  });

  it("a retry of the same approval (Slack's retry, a double click) changes nothing more", async () => {
    const { olga, carol, bob } = await threeOwnersAndBob(org);
    const request = await requestOf(org, olga, bob);
    await decide(org, carol, request.id, 'approve');
    const err = await refusalOf(decide(org, carol, request.id, 'approve'));
    expect(err.message).toMatch(/^This request was already approved by carol@acme\.test/);
    expect(await eventsOf(org, 'member.removed')).toHaveLength(1);
  });

  it('refuses the requester, the target, a member, a removed owner and an owner demoted after the card went out; nothing changes', async () => {
    const { olga, carol, dave, bob } = await threeOwnersAndBob(org);
    const mallory = await seedMember(t.db, org, 'mallory@acme.test', 'member');
    const request = await requestOf(org, olga, carol, null); // an owner as the target
    const gone = await seedMember(t.db, org, 'gone@acme.test', 'owner', { removed: true });
    await changeRole(t.db, { organizationId: org.id, actorMemberId: olga.id, targetMemberId: dave.id, role: 'member', source: 'slack' });
    const before = await auditActions(t.db, org.id);

    const refusal = async (who: Member, decision: RemovalDecision = 'approve') => (await refusalOf(decide(org, who, request.id, decision, 'because'))).message;
    expect(await refusal(olga)).toBe('You asked for this removal, so another owner has to approve or reject it. You can withdraw it instead.');
    expect(await refusal(olga, 'reject')).toBe('You asked for this removal, so another owner has to approve or reject it. You can withdraw it instead.');
    expect(await refusal(carol)).toBe('This request is about you, so another owner has to decide it.');
    expect(await refusal(bob)).toBe('Only owners can approve or reject removals. You are a member of this team.');
    expect(await refusal(mallory, 'reject')).toBe('Only owners can approve or reject removals. You are a member of this team.');
    expect(await refusal(gone)).toContain("You're not an active member of this team");
    expect(await refusal(dave)).toBe('Only owners can approve or reject removals. You are a member of this team.');
    expect(await refusal(bob, 'withdraw')).toBe('Only olga@acme.test, who asked for this removal, can withdraw it.');

    expect(await requestStatus(request.id)).toBe('pending');
    expect(await status(carol)).toBe('active');
    expect(await auditActions(t.db, org.id)).toEqual(before);
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

    const second = await requestOf(org, olga, bob);
    await decide(org, olga, second.id, 'withdraw');
    expect(await requestStatus(second.id)).toBe('withdrawn');
    expect((await refusalOf(decide(org, dave, second.id, 'approve'))).message).toMatch(/^This request was withdrawn by olga@acme\.test/);
  });

  it('approving the removal of an owner re-checks the last-owner rule: of two crossing requests only one can succeed', async () => {
    const { olga, carol, dave } = await threeOwnersAndBob(org);
    await changeRole(t.db, { organizationId: org.id, actorMemberId: olga.id, targetMemberId: dave.id, role: 'member', source: 'slack' });
    // Olga and Carol ask to remove each other; Erin, neither of them, may approve both.
    const extra = await seedMember(t.db, org, 'erin@acme.test', 'owner');
    const r1 = await requestOf(org, olga, carol);
    const r2 = await requestOf(org, carol, olga);
    const results = await Promise.allSettled([decide(org, extra, r1.id, 'approve'), decide(org, extra, r2.id, 'approve')]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')!;
    // The winner removed the other request's requester, which cancelled that request.
    expect(rejected.reason.message).toMatch(/^This request was cancelled/);
    const owners = await t.db.selectFrom('members').select('email').where('organization_id', '=', org.id).where('status', '=', 'active').where('role', '=', 'owner').execute();
    expect(owners).toHaveLength(2);
    expect(await eventsOf(org, 'member.removed')).toHaveLength(1);
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
    expect((await refusalOf(decide(org, carol, request.id, 'approve'))).message).toMatch(/^This request expired on/);
    expect(await status(bob)).toBe('active');
  });
});
