import { beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { Member, Organization } from '../../src/db/schema.js';
import { AppError } from '../../src/errors.js';
import { changeRole, ensureOwner, leaveTeam } from '../../src/team/members.js';
import { bootstrapOwners } from '../../src/team/bootstrap.js';
import { resolveActingMember } from '../../src/team/acting-member.js';
import { findMemberById } from '../../src/team/member-repository.js';
import type { PeopleDirectory } from '../../src/team/people.js';
import { useTestDatabase } from '../support/database.js';
import { auditActions, seedMember, seedOrganization } from '../support/seed.js';
import { refusalOf } from '../support/refusal.js';

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

  });

  it('refuses to demote the last owner, also themselves, and changes nothing', async () => {
    const owner = await seedMember(t.db, org, 'olga@acme.test', 'owner');
    const err = await errorOf(changeRole(t.db, { organizationId: org.id, actorMemberId: owner.id, targetMemberId: owner.id, role: 'member', source: 'slack' }));
    expect(err.code).toBe('last_owner');
    expect(err.message).toContain('at least one owner');
    expect((await findMemberById(t.db, org.id, owner.id))!.role).toBe('owner');
    expect(await auditActions(t.db, org.id)).toEqual([]);
  });

  it('treats a same-role change as a no-op with a message', async () => {
    const owner = await seedMember(t.db, org, 'olga@acme.test', 'owner');
    const bob = await seedMember(t.db, org, 'bob@acme.test', 'member');
    const err = await errorOf(changeRole(t.db, { organizationId: org.id, actorMemberId: owner.id, targetMemberId: bob.id, role: 'member', source: 'slack' }));
    expect(err.code).toBe('no_change');
    expect(err.message).toBe('bob@acme.test is already a member. Nothing was changed.');
    expect(await auditActions(t.db, org.id)).toEqual([]);
  });

  it('of the last two owners demoting each other at the same moment, exactly one wins', async () => {
    for (let round = 0; round < 5; round++) {
      const o = await seedOrganization(t.db, `T_RACE_${n}_${round}`);
      const a = await seedMember(t.db, o, 'a@acme.test', 'owner');
      const b = await seedMember(t.db, o, 'b@acme.test', 'owner');
      const results = await Promise.allSettled([
        changeRole(t.db, { organizationId: o.id, actorMemberId: a.id, targetMemberId: b.id, role: 'member', source: 'slack' }),
        changeRole(t.db, { organizationId: o.id, actorMemberId: b.id, targetMemberId: a.id, role: 'member', source: 'slack' }),
      ]);
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      // The loser's transaction ran second and found it was no longer an owner.
      expect(lost[0]!.reason).toBeInstanceOf(AppError);
      expect((lost[0]!.reason as AppError).message).toMatch(/Only owners can change someone's role|last owner/);
      const owners = await t.db.selectFrom('members').select('id').where('organization_id', '=', o.id).where('role', '=', 'owner').execute();
      expect(owners).toHaveLength(1);
      expect(await auditActions(t.db, o.id)).toEqual(['member.role_changed']);
    }
  });

  it('re-reads the actor: an owner demoted a moment ago can no longer change roles', async () => {
    const a = await seedMember(t.db, org, 'a@acme.test', 'owner');
    const b = await seedMember(t.db, org, 'b@acme.test', 'owner');
    const c = await seedMember(t.db, org, 'c@acme.test', 'member');
    await changeRole(t.db, { organizationId: org.id, actorMemberId: b.id, targetMemberId: a.id, role: 'member', source: 'slack' });
    const err = await errorOf(changeRole(t.db, { organizationId: org.id, actorMemberId: a.id, targetMemberId: c.id, role: 'owner', source: 'slack' }));
    expect(err.code).toBe('forbidden');
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
    // Gone means gone: leaving again is refused like any non-member.
    expect((await errorOf(leaveTeam(t.db, { organizationId: org.id, actorMemberId: bob.id, source: 'slack' }))).code).toBe('forbidden');
  });

  it('the last owner cannot leave', async () => {
    const owner = await seedMember(t.db, org, 'olga@acme.test', 'owner');
    await seedMember(t.db, org, 'bob@acme.test', 'member');
    const err = await errorOf(leaveTeam(t.db, { organizationId: org.id, actorMemberId: owner.id, source: 'slack' }));
    expect(err.code).toBe('last_owner');
    expect((await findMemberById(t.db, org.id, owner.id))!.status).toBe('active');
  });
});

describe('first owners', () => {
  it('ensureOwner creates, promotes, reactivates, or says it is already done; each change audited once', async () => {
    const cli = { type: 'cli' as const, id: 'root' };
    const created = await ensureOwner(t.db, { organizationId: org.id, email: '  Ada@Example.COM ', actor: cli, source: 'cli' });
    expect(created.outcome).toBe('created');
    expect(created.member).toMatchObject({ email: 'ada@example.com', role: 'owner', status: 'active' });
    expect((await ensureOwner(t.db, { organizationId: org.id, email: 'ada@example.com', actor: cli, source: 'cli' })).outcome).toBe('already_owner');

    await seedMember(t.db, org, 'bob@acme.test', 'member');
    expect((await ensureOwner(t.db, { organizationId: org.id, email: 'bob@acme.test', actor: cli, source: 'cli' })).outcome).toBe('promoted');
    await seedMember(t.db, org, 'gone@acme.test', 'member', { removed: true });
    const back = await ensureOwner(t.db, { organizationId: org.id, email: 'gone@acme.test', actor: cli, source: 'cli' });
    expect(back.outcome).toBe('reactivated');
    expect(back.member).toMatchObject({ status: 'active', role: 'owner', removed_at: null });

    expect(await auditActions(t.db, org.id)).toEqual(['member.added', 'member.role_changed', 'member.reactivated']);
    const actors = await t.db.selectFrom('audit_events').select(['actor_type', 'actor_id', 'source']).where('organization_id', '=', org.id).execute();
    expect(new Set(actors.map((a) => `${a.actor_type}:${a.actor_id}:${a.source}`))).toEqual(new Set(['cli:root:cli']));
    await expect(ensureOwner(t.db, { organizationId: org.id, email: 'not-an-email', actor: cli, source: 'cli' })).rejects.toThrow('"not-an-email" is not an email address.');
  });

  it('BOOTSTRAP_OWNER_EMAILS makes the first owners, and does nothing once the team has one', async () => {
    expect(await bootstrapOwners(t.db, org.id, ['a@acme.test', 'b@acme.test'])).toEqual([
      { email: 'a@acme.test', outcome: 'created' },
      { email: 'b@acme.test', outcome: 'created' },
    ]);
    const byEmail = (email: string) =>
      t.db.selectFrom('members').selectAll().where('organization_id', '=', org.id).where('email', '=', email).executeTakeFirstOrThrow() as Promise<Member>;
    const [a, b] = await Promise.all([byEmail('a@acme.test'), byEmail('b@acme.test')]);
    await changeRole(t.db, { organizationId: org.id, actorMemberId: a.id, targetMemberId: b.id, role: 'member', source: 'slack' });
    // A restart must not undo that demotion.
    expect(await bootstrapOwners(t.db, org.id, ['a@acme.test', 'b@acme.test'])).toEqual([]);
    expect((await findMemberById(t.db, org.id, b.id))!.role).toBe('member');
  });
});

describe('who is acting', () => {
  const directory = (emails: Record<string, string>): PeopleDirectory => ({
    profile: async (userId) => (emails[userId] ? { email: emails[userId]!, displayName: `name of ${userId}` } : null),
  });

  it('links a Slack user to the member with their profile email on first sight, once, audited', async () => {
    const bob = await seedMember(t.db, org, 'bob@acme.test', 'member');
    const people = directory({ U0BOB: 'BOB@acme.test' });
    const first = await resolveActingMember(t.db, org.id, 'U0BOB', people);
    expect(first).toMatchObject({ id: bob.id, slack_user_id: 'U0BOB', display_name: 'name of U0BOB' });
    const again = await resolveActingMember(t.db, org.id, 'U0BOB', directory({}));
    expect(again!.id).toBe(bob.id);
    expect(await auditActions(t.db, org.id)).toEqual(['member.slack_linked']);
  });

  it('is nobody for a removed member, an unknown email, or an email already linked to another Slack user', async () => {
    await seedMember(t.db, org, 'gone@acme.test', 'member', { slackUserId: 'U0GONE', removed: true });
    await seedMember(t.db, org, 'taken@acme.test', 'member', { slackUserId: 'U0REAL' });
    const people = directory({ U0GONE: 'gone@acme.test', U0NEW: 'stranger@acme.test', U0IMPOSTOR: 'taken@acme.test' });
    expect(await resolveActingMember(t.db, org.id, 'U0GONE', people)).toBeNull();
    expect(await resolveActingMember(t.db, org.id, 'U0NEW', people)).toBeNull();
    expect(await resolveActingMember(t.db, org.id, 'U0IMPOSTOR', people)).toBeNull();
  });

  it("never finds a member of another organization", async () => {
    const other = await seedOrganization(t.db, `T_OTHER_${n}`);
    await seedMember(t.db, other, 'bob@acme.test', 'owner', { slackUserId: 'U0BOB' });
    expect(await resolveActingMember(t.db, org.id, 'U0BOB', directory({ U0BOB: 'bob@acme.test' }))).toBeNull();
  });
});
