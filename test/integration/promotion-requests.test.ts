import { beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { Member, Organization } from '../../src/db/schema.js';
import { changeRole } from '../../src/team/members.js';
import { decideRemoval, expireRemovalRequests, requestRemoval, type RemovalDecision } from '../../src/team/removals.js';
import { findMemberById } from '../../src/team/member-repository.js';
import { useTestDatabase } from '../support/database.js';
import { auditActions, queuedJobs, seedMember, seedOrganization } from '../support/seed.js';
import { refusalOf } from '../support/refusal.js';

/**
 * The two-person rule for promotion (issue 19, part 2): under `another-owner` a promotion is a
 * request of kind 'promotion' on the removal approvals' machinery — every path those tests take.
 */

const t = useTestDatabase();
let n = 0;
let org: Organization;
const HOUR = 3_600_000;

async function newOrganization(policy: 'immediate' | 'another-owner' = 'another-owner'): Promise<Organization> {
  const o = await seedOrganization(t.db, `T_PROMOTIONS_${++n}`, { team_channel_id: 'C0TEAM0001', name: 'Acme' });
  return t.db
    .updateTable('organizations')
    .set({ promotion_approval_policy: policy, approvals_channel_id: 'C0APPR0001' })
    .where('id', '=', o.id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

async function people(o: Organization) {
  const olga = await seedMember(t.db, o, 'olga@acme.test', 'owner', { slackUserId: 'U0OLGA' });
  const carol = await seedMember(t.db, o, 'carol@acme.test', 'owner', { slackUserId: 'U0CAROL' });
  const dave = await seedMember(t.db, o, 'dave@acme.test', 'owner', { slackUserId: 'U0DAVE' });
  const bob = await seedMember(t.db, o, 'bob@acme.test', 'member', { slackUserId: 'U0BOB' });
  return { olga, carol, dave, bob };
}

const promote = (o: Organization, actor: Member, target: Member, ownerUntil: Date | null = null) =>
  changeRole(t.db, { organizationId: o.id, actorMemberId: actor.id, targetMemberId: target.id, role: 'owner', ownerUntil, source: 'slack' });
const decide = (o: Organization, actor: Member, requestId: string, decision: RemovalDecision, reason?: string) =>
  decideRemoval(t.db, { organizationId: o.id, actorMemberId: actor.id, requestId, decision, reason: reason ?? null, source: 'slack' });
const reread = async (m: Member) => (await findMemberById(t.db, m.organization_id, m.id))!;
const requestStatus = async (id: string) => (await t.db.selectFrom('removal_requests').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status;

async function requested(o: Organization, actor: Member, target: Member, ownerUntil: Date | null = null) {
  const result = await promote(o, actor, target, ownerUntil);
  if (!result.request) throw new Error('expected a promotion request');
  return result.request;
}

beforeEach(async () => {
  await sql`delete from graphile_worker._private_jobs`.execute(t.db);
  org = await newOrganization();
});

describe('with `another-owner`, a promotion waits for a second owner', () => {
  it('opens a request (not a role change), posts its card, and approval makes them an owner with the asked end time', async () => {
    const { olga, carol, bob } = await people(org);
    const until = new Date(Date.now() + 24 * HOUR);
    const result = await promote(org, olga, bob, until);
    expect(result.request).toMatchObject({ kind: 'promotion', status: 'pending', owner_until: until, requested_by_member_id: olga.id, target_member_id: bob.id });
    expect(result.member.role).toBe('member');
    expect((await reread(bob)).role).toBe('member');
    expect(await auditActions(t.db, org.id)).toEqual(['promotion.requested']);
    expect((await queuedJobs(t.db, org.id)).map((j) => j.task)).toContain('removal.post-card');

    // Asking again finds the open request.
    const again = await promote(org, olga, bob, until);
    expect(again).toMatchObject({ alreadyPending: true, request: { id: result.request!.id } });

    await sql`delete from graphile_worker._private_jobs`.execute(t.db);
    const decided = await decide(org, carol, result.request!.id, 'approve');
    expect(decided.request.status).toBe('approved');
    expect(await reread(bob)).toMatchObject({ role: 'owner', owner_until: until });
    expect(await auditActions(t.db, org.id)).toEqual(['promotion.requested', 'promotion.approved', 'member.role_changed']);
    const roleEvent = await t.db.selectFrom('audit_events').selectAll().where('organization_id', '=', org.id).where('action', '=', 'member.role_changed').executeTakeFirstOrThrow();
    expect(roleEvent).toMatchObject({ actor_id: carol.id, after: { role: 'owner', requested_by: olga.id, approved_by: carol.id, promotion_request_id: result.request!.id } });
    const jobs = await queuedJobs(t.db, org.id);
    expect(jobs.map((j) => j.task)).toContain('removal.update-card');
    const texts = jobs.filter((j) => j.task === 'slack.post-message').map((j) => `${j.payload.channel}: ${j.payload.text}`);
    expect(texts).toEqual(expect.arrayContaining([expect.stringMatching(/^C0TEAM0001: :key: .* is now an owner until .*approved by/), expect.stringMatching(/^U0BOB: :tada:/), expect.stringMatching(/^U0OLGA: :white_check_mark:/)]));
  });

  it('the requester cannot approve their own; the person named cannot decide it; members cannot', async () => {
    const { olga, bob } = await people(org);
    const request = await requested(org, olga, bob);
    expect((await refusalOf(decide(org, olga, request.id, 'approve'))).message).toBe('You asked for this promotion, so another owner has to approve or reject it. You can withdraw it instead.');
    expect((await refusalOf(decide(org, bob, request.id, 'approve'))).message).toContain('Only owners');
    expect(await requestStatus(request.id)).toBe('pending');
    expect((await reread(bob)).role).toBe('member');
  });

  it('a double click and two owners approving at once: one approval, one role change, one event; the other hears "already approved"', async () => {
    for (let round = 0; round < 4; round++) {
      const o = await newOrganization();
      const { olga, carol, dave, bob } = await people(o);
      const request = await requested(o, olga, bob);
      const results = await Promise.allSettled([decide(o, carol, request.id, 'approve'), decide(o, carol, request.id, 'approve'), decide(o, dave, request.id, 'approve')]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      for (const r of refused) expect(String(r.reason.message)).toContain('already approved');
      expect(await auditActions(t.db, o.id)).toEqual(['promotion.requested', 'promotion.approved', 'member.role_changed']);
      expect((await reread(bob)).role).toBe('owner');
    }
  });

  it('reject (with a reason), withdraw and expiry close it without a role change, each audited once', async () => {
    const { olga, carol, bob } = await people(org);
    const r1 = await requested(org, olga, bob);
    expect((await refusalOf(decide(org, carol, r1.id, 'reject', '  '))).code).toBe('reason_required');
    await decide(org, carol, r1.id, 'reject', 'not yet');
    expect(await requestStatus(r1.id)).toBe('rejected');

    const r2 = await requested(org, olga, bob);
    expect((await refusalOf(decide(org, carol, r2.id, 'withdraw'))).message).toContain('who asked for this promotion');
    await decide(org, olga, r2.id, 'withdraw');
    expect(await requestStatus(r2.id)).toBe('withdrawn');

    const r3 = await requested(org, olga, bob);
    // The sweep is global: other tests' requests may expire with it.
    expect(await expireRemovalRequests(t.db, new Date(r3.expires_at.getTime() + 1000))).toBeGreaterThanOrEqual(1);
    expect(await requestStatus(r3.id)).toBe('expired');
    expect((await refusalOf(decide(org, carol, r3.id, 'approve'))).message).toContain('expired');

    expect((await reread(bob)).role).toBe('member');
    expect(await auditActions(t.db, org.id)).toEqual([
      'promotion.requested',
      'promotion.rejected',
      'promotion.requested',
      'promotion.withdrawn',
      'promotion.requested',
      'promotion.expired',
    ]);
  });

  it('re-checked at the click: a person removed meanwhile cancels the request; a promotion and a removal of one person can both wait', async () => {
    const o = await newOrganization();
    await t.db.updateTable('organizations').set({ removal_approval_policy: 'another-owner' }).where('id', '=', o.id).execute();
    const { olga, carol, bob } = await people(o);
    const promotion = await requested(o, olga, bob);
    const removal = await requestRemoval(t.db, { organizationId: o.id, actorMemberId: carol.id, targetMemberId: bob.id, reason: 'left', source: 'slack' });
    expect(removal.kind).toBe('requested');
    if (removal.kind !== 'requested') return;
    await decide(o, olga, removal.request.id, 'approve');
    expect(await requestStatus(promotion.id)).toBe('cancelled');
    expect((await refusalOf(decide(o, carol, promotion.id, 'approve'))).message).toContain('cancelled');
    expect(await auditActions(t.db, o.id)).toContain('promotion.cancelled');
  });

  it('extending a temporary owner is a request too; shortening or ending is not', async () => {
    const o = await newOrganization('immediate');
    const { olga, bob } = await people(o);
    await promote(o, olga, bob, new Date(Date.now() + 2 * HOUR));
    await t.db.updateTable('organizations').set({ promotion_approval_policy: 'another-owner' }).where('id', '=', o.id).execute();
    const longer = await promote(o, olga, bob, new Date(Date.now() + 48 * HOUR));
    expect(longer.request).toMatchObject({ kind: 'promotion' });
    const shorter = await promote(o, olga, bob, new Date(Date.now() + HOUR));
    expect(shorter.request).toBeUndefined();
    expect(shorter.member.owner_until!.getTime()).toBeLessThan(Date.now() + 2 * HOUR);
  });
});

describe('when a promotion happens at once', () => {
  it('with `immediate`, and under `another-owner` when no other owner could approve', async () => {
    const o = await newOrganization('immediate');
    const { olga, bob } = await people(o);
    expect((await promote(o, olga, bob)).member.role).toBe('owner');

    const lone = await newOrganization('another-owner');
    const only = await seedMember(t.db, lone, 'only@acme.test', 'owner');
    const eve = await seedMember(t.db, lone, 'eve@acme.test', 'member');
    const result = await promote(lone, only, eve);
    expect(result.request).toBeUndefined();
    expect(result.member.role).toBe('owner');
  });
});
