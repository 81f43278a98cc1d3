import { beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { Member, Organization } from '../../src/db/schema.js';
import { changeRole } from '../../src/team/members.js';
import { expireTemporaryOwners } from '../../src/team/owner-expiry.js';
import { parseOwnerTerm } from '../../src/team/owner-terms.js';
import { findMemberById } from '../../src/team/member-repository.js';
import { useTestDatabase } from '../support/database.js';
import { auditActions, queuedJobs, seedMember, seedOrganization } from '../support/seed.js';
import { refusalOf } from '../support/refusal.js';

/** Temporary owners (issue 19, part 1): the end time, the clock's demotion exactly once, the last-owner rule at expiry. */

const t = useTestDatabase();
let n = 0;
let org: Organization;
const HOUR = 3_600_000;
const NOW = new Date('2026-12-07T12:00:00Z');

async function newOrganization(): Promise<Organization> {
  return seedOrganization(t.db, `T_TEMP_OWNERS_${++n}`, { team_channel_id: 'C0TEAM0001', name: 'Acme' });
}

const reread = async (m: Member) => (await findMemberById(t.db, m.organization_id, m.id))!;
const eventsOf = async (o: Organization, action: string) =>
  t.db.selectFrom('audit_events').selectAll().where('organization_id', '=', o.id).where('action', '=', action).execute();
const posts = async (o: Organization) =>
  (await queuedJobs(t.db, o.id)).filter((j) => j.task === 'slack.post-message').map((j) => ({ channel: j.payload.channel, text: j.payload.text as string }));

const makeOwnerFor = (o: Organization, actor: Member, target: Member, hours: number, now = NOW) =>
  changeRole(t.db, { organizationId: o.id, actorMemberId: actor.id, targetMemberId: target.id, role: 'owner', ownerUntil: new Date(now.getTime() + hours * HOUR), source: 'slack', now });

beforeEach(async () => {
  await sql`delete from graphile_worker._private_jobs`.execute(t.db);
  org = await newOrganization();
});

describe('an owner until a time', () => {
  it('is an owner with an end, and the clock makes them a member at that time: audited by "expiry", a DM and a channel post', async () => {
    const olga = await seedMember(t.db, org, 'olga@acme.test', 'owner', { slackUserId: 'U0OLGA' });
    const bob = await seedMember(t.db, org, 'bob@acme.test', 'member', { slackUserId: 'U0BOB' });
    const { member } = await makeOwnerFor(org, olga, bob, 4);
    expect(member).toMatchObject({ role: 'owner', owner_until: new Date(NOW.getTime() + 4 * HOUR) });

    // Not yet due: nothing happens.
    expect(await expireTemporaryOwners(t.db, new Date(NOW.getTime() + 4 * HOUR - 1000))).toBe(0);
    expect((await reread(bob)).role).toBe('owner');
    await sql`delete from graphile_worker._private_jobs`.execute(t.db);

    expect(await expireTemporaryOwners(t.db, new Date(NOW.getTime() + 4 * HOUR))).toBe(1);
    expect(await reread(bob)).toMatchObject({ role: 'member', owner_until: null });
    const demotions = (await eventsOf(org, 'member.role_changed')).filter((e) => e.actor_type === 'system');
    expect(demotions).toHaveLength(1);
    expect(demotions[0]).toMatchObject({ actor_id: 'expiry', source: 'system', target_id: bob.id, before: { role: 'owner' }, after: { role: 'member', expired: true } });
    const told = await posts(org);
    expect(told).toEqual(
      expect.arrayContaining([
        { channel: 'C0TEAM0001', text: expect.stringContaining("temporary ownership ended; they are a member again") },
        { channel: 'U0BOB', text: expect.stringContaining('Your temporary ownership') },
      ]),
    );
    // The role history says who: nobody (the clock).
    const history = await t.db.selectFrom('member_role_changes').selectAll().where('member_id', '=', bob.id).orderBy('id').execute();
    expect(history.map((h) => [h.from_role, h.to_role, h.changed_by_member_id])).toEqual([['member', 'owner', olga.id], ['owner', 'member', null]]);
  });

  it('two workers sweeping at the same moment demote once: one audit event, one post, one DM', async () => {
    for (let round = 0; round < 4; round++) {
      const o = await newOrganization();
      const olga = await seedMember(t.db, o, 'olga@acme.test', 'owner', { slackUserId: 'U0OLGA' });
      const bob = await seedMember(t.db, o, 'bob@acme.test', 'member', { slackUserId: 'U0BOB' });
      await makeOwnerFor(o, olga, bob, 1);
      await sql`delete from graphile_worker._private_jobs`.execute(t.db);
      const at = new Date(NOW.getTime() + 2 * HOUR);
      const counts = await Promise.all([expireTemporaryOwners(t.db, at), expireTemporaryOwners(t.db, at)]);
      expect(counts.sort()).toEqual([0, 1]);
      expect((await reread(bob)).role).toBe('member');
      expect((await eventsOf(o, 'member.role_changed')).filter((e) => e.actor_id === 'expiry')).toHaveLength(1);
      expect((await posts(o)).filter((p) => p.channel === 'C0TEAM0001')).toHaveLength(1);
      expect((await posts(o)).filter((p) => p.channel === 'U0BOB')).toHaveLength(1);
    }
  });

  it('the last owner is not demoted by the clock; the owners are told why once; once another owner exists, the next sweep ends it', async () => {
    const olga = await seedMember(t.db, org, 'olga@acme.test', 'owner', { slackUserId: 'U0OLGA' });
    const bob = await seedMember(t.db, org, 'bob@acme.test', 'member', { slackUserId: 'U0BOB' });
    await makeOwnerFor(org, olga, bob, 1);
    // Olga becomes a member: Bob, temporary, is now the only owner.
    await changeRole(t.db, { organizationId: org.id, actorMemberId: bob.id, targetMemberId: olga.id, role: 'member', source: 'slack', now: NOW });
    await sql`delete from graphile_worker._private_jobs`.execute(t.db);

    const later = new Date(NOW.getTime() + 2 * HOUR);
    expect(await expireTemporaryOwners(t.db, later)).toBe(0);
    expect((await reread(bob)).role).toBe('owner');
    expect(await eventsOf(org, 'member.owner_expiry_held')).toHaveLength(1);
    expect((await posts(org)).map((p) => p.text)).toEqual(expect.arrayContaining([expect.stringContaining('they are the last owner, so they stay an owner')]));

    // Told once: later sweeps say nothing more.
    await sql`delete from graphile_worker._private_jobs`.execute(t.db);
    expect(await expireTemporaryOwners(t.db, new Date(later.getTime() + HOUR))).toBe(0);
    expect(await eventsOf(org, 'member.owner_expiry_held')).toHaveLength(1);
    expect(await posts(org)).toEqual([]);

    // Another owner: the next sweep ends Bob's ownership.
    await changeRole(t.db, { organizationId: org.id, actorMemberId: bob.id, targetMemberId: olga.id, role: 'owner', source: 'slack', now: later });
    expect(await expireTemporaryOwners(t.db, new Date(later.getTime() + 2 * HOUR))).toBe(1);
    expect(await reread(bob)).toMatchObject({ role: 'member', owner_until: null, owner_expiry_held_at: null });
  });

  it('an owner extends it, makes it permanent, or ends it early; each is audited', async () => {
    const olga = await seedMember(t.db, org, 'olga@acme.test', 'owner', { slackUserId: 'U0OLGA' });
    const bob = await seedMember(t.db, org, 'bob@acme.test', 'member', { slackUserId: 'U0BOB' });
    await makeOwnerFor(org, olga, bob, 4);
    const extended = await makeOwnerFor(org, olga, bob, 48);
    expect(extended.member.owner_until).toEqual(new Date(NOW.getTime() + 48 * HOUR));
    expect(extended.previousOwnerUntil).toEqual(new Date(NOW.getTime() + 4 * HOUR));
    // The same again is no change.
    expect((await refusalOf(makeOwnerFor(org, olga, bob, 48))).code).toBe('no_change');
    const permanent = await changeRole(t.db, { organizationId: org.id, actorMemberId: olga.id, targetMemberId: bob.id, role: 'owner', source: 'slack', now: NOW });
    expect(permanent.member).toMatchObject({ role: 'owner', owner_until: null });
    // A permanent owner is not swept.
    expect(await expireTemporaryOwners(t.db, new Date(NOW.getTime() + 100 * HOUR))).toBe(0);
    await makeOwnerFor(org, olga, bob, 2);
    const ended = await changeRole(t.db, { organizationId: org.id, actorMemberId: olga.id, targetMemberId: bob.id, role: 'member', source: 'slack', now: NOW });
    expect(ended.member).toMatchObject({ role: 'member', owner_until: null });
    expect(await auditActions(t.db, org.id)).toEqual([
      'member.role_changed',
      'member.owner_until_changed',
      'member.owner_until_changed',
      'member.owner_until_changed',
      'member.role_changed',
    ]);
    expect((await eventsOf(org, 'member.owner_until_changed'))[1]).toMatchObject({ before: { owner_until: new Date(NOW.getTime() + 48 * HOUR).toISOString() }, after: { owner_until: null } });
  });

  it('refuses an end in the past, too far ahead, or for a member, with a sentence saying what to type', async () => {
    const olga = await seedMember(t.db, org, 'olga@acme.test', 'owner');
    const bob = await seedMember(t.db, org, 'bob@acme.test', 'member');
    expect((await refusalOf(makeOwnerFor(org, olga, bob, -1))).message).toContain('cannot end in the past');
    expect((await refusalOf(makeOwnerFor(org, olga, bob, 24 * 91))).message).toContain('at most 90 days');
    const member = await refusalOf(
      changeRole(t.db, { organizationId: org.id, actorMemberId: olga.id, targetMemberId: bob.id, role: 'member', ownerUntil: new Date(NOW.getTime() + HOUR), source: 'slack', now: NOW }),
    );
    expect(member.code).toBe('owner_until_member');
    expect((await reread(bob)).role).toBe('member');
    expect(await auditActions(t.db, org.id)).toEqual([]);
  });
});

describe('reading the end time', () => {
  it('durations and UTC times', () => {
    expect(parseOwnerTerm('4h', NOW)).toEqual(new Date('2026-12-07T16:00:00Z'));
    expect(parseOwnerTerm('1d', NOW)).toEqual(new Date('2026-12-08T12:00:00Z'));
    expect(parseOwnerTerm('7d', NOW)).toEqual(new Date('2026-12-14T12:00:00Z'));
    expect(parseOwnerTerm('2026-12-24 15:00', NOW)).toEqual(new Date('2026-12-24T15:00:00Z'));
    expect(parseOwnerTerm('2026-12-24T15:00:00+01:00', NOW)).toEqual(new Date('2026-12-24T14:00:00Z'));
    expect(() => parseOwnerTerm('soon', NOW)).toThrow('"soon" is not a time');
    expect(() => parseOwnerTerm('2026-02-30', NOW)).toThrow('is not a time');
  });
});
