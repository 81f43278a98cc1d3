import { beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { Organization } from '../../src/db/schema.js';
import { changeRole, leaveTeam } from '../../src/team/members.js';
import { useTestDatabase } from '../support/database.js';
import { auditActions, queuedJobs, seedMember, seedOrganization } from '../support/seed.js';
import { refusalOf } from '../support/refusal.js';

/**
 * What Slack and email are told of these changes: the same changes as the domain's own suite
 * (test/integration/members.test.ts, run with no Slack adapter loadable), here with the app's
 * tellers installed (test/support/tellings.ts), asserting the queued posts, DMs, cards and Homes.
 */

const t = useTestDatabase();
let n = 0;
let org: Organization;

beforeEach(async () => {
  await sql`delete from graphile_worker._private_jobs`.execute(t.db);
  org = await seedOrganization(t.db, `T_MEMBERS_${++n}`, { team_channel_id: 'C0TEAM0001', name: 'Acme' });
});

const errorOf = refusalOf;

describe('changeRole', () => {
  it('promotes a member: role, history, one audit event with before/after, channel post, DM and Home refresh jobs', async () => {
    const owner = await seedMember(t.db, org, 'olga@acme.test', 'owner', { slackUserId: 'U0OLGA' });
    const bob = await seedMember(t.db, org, 'bob@acme.test', 'member', { slackUserId: 'U0BOB' });

    const result = await changeRole(t.db, { organizationId: org.id, actorMemberId: owner.id, targetMemberId: bob.id, role: 'owner', source: 'slack' });
    expect(result.member.role).toBe('owner');
    expect(result.previousRole).toBe('member');

    const events = await t.db.selectFrom('audit_events').selectAll().where('organization_id', '=', org.id).execute();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ action: 'member.role_changed', actor_type: 'member', actor_id: owner.id, target_id: bob.id, before: { role: 'member' }, after: { role: 'owner' }, source: 'slack' });

    const history = await t.db.selectFrom('member_role_changes').selectAll().where('member_id', '=', bob.id).execute();
    expect(history).toEqual([expect.objectContaining({ from_role: 'member', to_role: 'owner', changed_by_member_id: owner.id })]);

    const jobs = await queuedJobs(t.db, org.id);
    expect(jobs.filter((j) => j.task === 'slack.post-message').map((j) => j.payload.channel).sort()).toEqual(['C0TEAM0001', 'U0BOB']);
    expect(jobs.find((j) => j.payload.channel === 'C0TEAM0001')!.payload.text).toContain("changed <@U0BOB>'s role from Member to Owner");
    expect(jobs.filter((j) => j.task === 'slack.publish-home').map((j) => j.payload.slackUserId).sort()).toEqual(['U0BOB', 'U0OLGA']);
  });

});

describe('leaveTeam', () => {
  it('a member leaves: removed at once, audited, announced', async () => {
    await seedMember(t.db, org, 'olga@acme.test', 'owner');
    const bob = await seedMember(t.db, org, 'bob@acme.test', 'member', { slackUserId: 'U0BOB' });
    const left = await leaveTeam(t.db, { organizationId: org.id, actorMemberId: bob.id, source: 'slack' });
    expect(left).toMatchObject({ status: 'removed', removed_by_member_id: bob.id });
    expect(left.removed_at).toBeInstanceOf(Date);
    expect(await auditActions(t.db, org.id)).toEqual(['member.left']);
    expect((await queuedJobs(t.db, org.id)).some((j) => String(j.payload.text).includes('<@U0BOB> left the team'))).toBe(true);
    // Gone means gone: leaving again is refused like any non-member.
    expect((await errorOf(leaveTeam(t.db, { organizationId: org.id, actorMemberId: bob.id, source: 'slack' }))).code).toBe('forbidden');
  });

});
