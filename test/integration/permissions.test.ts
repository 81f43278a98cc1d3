import { describe, expect, it } from 'vitest';
import type { Member, Organization } from '../../src/db/schema.js';
import { AppError } from '../../src/errors.js';
import { changeRole, leaveTeam } from '../../src/team/members.js';
import { decideRemoval } from '../../src/team/removals.js';
import { updateSettings } from '../../src/team/settings.js';
import { readTeamPage } from '../../src/team/member-list.js';
import { findOrganizationById } from '../../src/team/organization-repository.js';
import { findMemberById } from '../../src/team/member-repository.js';
import { restoreMember } from '../../src/team/restore.js';
import { undoChange } from '../../src/team/undo.js';
import { useTestDatabase } from '../support/database.js';
import { auditActions, seedMember, seedOrganization } from '../support/seed.js';

/**
 * The permission matrix through the services, against real PostgreSQL: each state-changing
 * action × {owner, member, non-member, removed member} × {own organization, another
 * organization in the same database}. A refused call changes nothing and writes no event.
 */
const t = useTestDatabase();

type ActorKind = 'owner' | 'member' | 'non-member' | 'removed member';
const ACTORS: ActorKind[] = ['owner', 'member', 'non-member', 'removed member'];

interface World {
  org: Organization;
  other: Organization;
  actors: Record<ActorKind, Member | null>;
  foreignActors: Record<ActorKind, Member | null>;
  target: Member;
  foreignTarget: Member;
}

let seq = 0;
async function world(): Promise<World> {
  const id = ++seq;
  const org = await seedOrganization(t.db, `T_PERM_${id}`);
  const other = await seedOrganization(t.db, `T_PERM_OTHER_${id}`);
  const people = async (o: Organization) => ({
    owner: await seedMember(t.db, o, 'owner@acme.test', 'owner'),
    member: await seedMember(t.db, o, 'member@acme.test', 'member'),
    'non-member': null,
    'removed member': await seedMember(t.db, o, 'removed@acme.test', 'owner', { removed: true }),
  });
  const actors = await people(org);
  const foreignActors = await people(other);
  // A second owner in each, so that no refusal is the last-owner rule's doing.
  await seedMember(t.db, org, 'owner2@acme.test', 'owner');
  await seedMember(t.db, other, 'owner2@acme.test', 'owner');
  const target = await seedMember(t.db, org, 'target@acme.test', 'member');
  const foreignTarget = await seedMember(t.db, other, 'target@acme.test', 'member');
  return { org, other, actors, foreignActors, target, foreignTarget };
}

async function outcome(call: Promise<unknown>): Promise<'allowed' | string> {
  try {
    await call;
    return 'allowed';
  } catch (err) {
    if (err instanceof AppError) return err.code;
    throw err;
  }
}

describe('change a role', () => {
  const expected: Record<ActorKind, string> = { owner: 'allowed', member: 'forbidden', 'non-member': 'forbidden', 'removed member': 'forbidden' };

  for (const kind of ACTORS) {
    it(`${kind} of this organization: ${expected[kind]}`, async () => {
      const w = await world();
      const result = await outcome(
        changeRole(t.db, { organizationId: w.org.id, actorMemberId: w.actors[kind]?.id ?? null, targetMemberId: w.target.id, role: 'owner', source: 'slack' }),
      );
      expect(result).toBe(expected[kind]);
      const role = (await findMemberById(t.db, w.org.id, w.target.id))!.role;
      expect(role).toBe(result === 'allowed' ? 'owner' : 'member');
      expect(await auditActions(t.db, w.org.id)).toEqual(result === 'allowed' ? ['member.role_changed'] : []);
    });

    it(`${kind} of another organization: refused, nothing changes in either`, async () => {
      const w = await world();
      // Acting on this organization with an id from the other one.
      const result = await outcome(
        changeRole(t.db, { organizationId: w.org.id, actorMemberId: w.foreignActors[kind]?.id ?? null, targetMemberId: w.target.id, role: 'owner', source: 'slack' }),
      );
      expect(result).toBe('forbidden');
      expect((await findMemberById(t.db, w.org.id, w.target.id))!.role).toBe('member');
      expect(await auditActions(t.db, w.org.id)).toEqual([]);
      expect(await auditActions(t.db, w.other.id)).toEqual([]);
    });
  }

  it("an owner cannot reach another organization's member", async () => {
    const w = await world();
    const result = await outcome(
      changeRole(t.db, { organizationId: w.org.id, actorMemberId: w.actors.owner!.id, targetMemberId: w.foreignTarget.id, role: 'owner', source: 'slack' }),
    );
    expect(result).toBe('not_found');
    expect((await findMemberById(t.db, w.other.id, w.foreignTarget.id))!.role).toBe('member');
  });
});

describe('restore a removed member', () => {
  const expected: Record<ActorKind, string> = { owner: 'allowed', member: 'forbidden', 'non-member': 'forbidden', 'removed member': 'forbidden' };

  for (const kind of ACTORS) {
    it(`${kind} of this organization: ${expected[kind]}`, async () => {
      const w = await world();
      const gone = await seedMember(t.db, w.org, 'gone@acme.test', 'member', { removed: true });
      const result = await outcome(restoreMember(t.db, { organizationId: w.org.id, actorMemberId: w.actors[kind]?.id ?? null, targetMemberId: gone.id, source: 'slack' }));
      expect(result).toBe(expected[kind]);
      expect((await findMemberById(t.db, w.org.id, gone.id))!.status).toBe(result === 'allowed' ? 'active' : 'removed');
      expect(await auditActions(t.db, w.org.id)).toEqual(result === 'allowed' ? ['member.restored'] : []);
    });

    it(`${kind} of another organization: refused, nothing changes`, async () => {
      const w = await world();
      const gone = await seedMember(t.db, w.org, 'gone@acme.test', 'member', { removed: true });
      expect(await outcome(restoreMember(t.db, { organizationId: w.org.id, actorMemberId: w.foreignActors[kind]?.id ?? null, targetMemberId: gone.id, source: 'slack' }))).toBe('forbidden');
      expect((await findMemberById(t.db, w.org.id, gone.id))!.status).toBe('removed');
    });
  }

  it("an owner cannot restore another organization's removed member", async () => {
    const w = await world();
    expect(await outcome(restoreMember(t.db, { organizationId: w.org.id, actorMemberId: w.actors.owner!.id, targetMemberId: w.foreignActors['removed member']!.id, source: 'slack' }))).toBe('not_found');
    expect((await findMemberById(t.db, w.other.id, w.foreignActors['removed member']!.id))!.status).toBe('removed');
  });
});

describe("undo the owner's role change", () => {
  // Only the owner who made the change may undo it; anyone else is refused before anything changes.
  const expected: Record<ActorKind, string> = { owner: 'allowed', member: 'undo_not_yours', 'non-member': 'forbidden', 'removed member': 'forbidden' };

  for (const kind of ACTORS) {
    it(`${kind} of this organization: ${expected[kind]}`, async () => {
      const w = await world();
      const change = await changeRole(t.db, { organizationId: w.org.id, actorMemberId: w.actors.owner!.id, targetMemberId: w.target.id, role: 'owner', source: 'slack' });
      const result = await outcome(undoChange(t.db, { organizationId: w.org.id, actorMemberId: w.actors[kind]?.id ?? null, eventId: change.eventId!, source: 'slack' }));
      expect(result).toBe(expected[kind]);
      expect((await findMemberById(t.db, w.org.id, w.target.id))!.role).toBe(result === 'allowed' ? 'member' : 'owner');
    });

    it(`${kind} of another organization: refused`, async () => {
      const w = await world();
      const change = await changeRole(t.db, { organizationId: w.org.id, actorMemberId: w.actors.owner!.id, targetMemberId: w.target.id, role: 'owner', source: 'slack' });
      expect(await outcome(undoChange(t.db, { organizationId: w.org.id, actorMemberId: w.foreignActors[kind]?.id ?? null, eventId: change.eventId!, source: 'slack' }))).toBe('forbidden');
      // Nor can an event of this organization be undone through the other one.
      expect(await outcome(undoChange(t.db, { organizationId: w.other.id, actorMemberId: w.foreignActors.owner!.id, eventId: change.eventId!, source: 'slack' }))).toBe('not_undoable');
      expect((await findMemberById(t.db, w.org.id, w.target.id))!.role).toBe('owner');
    });
  }
});

describe('make someone an owner for a while (issue 19)', () => {
  const expected: Record<ActorKind, string> = { owner: 'allowed', member: 'forbidden', 'non-member': 'forbidden', 'removed member': 'forbidden' };
  for (const kind of ACTORS) {
    it(`${kind} of this organization: ${expected[kind]}`, async () => {
      const w = await world();
      const until = new Date(Date.now() + 4 * 3_600_000);
      const result = await outcome(
        changeRole(t.db, { organizationId: w.org.id, actorMemberId: w.actors[kind]?.id ?? null, targetMemberId: w.target.id, role: 'owner', ownerUntil: until, source: 'slack' }),
      );
      expect(result).toBe(expected[kind]);
      const target = (await findMemberById(t.db, w.org.id, w.target.id))!;
      expect(target.owner_until).toEqual(result === 'allowed' ? until : null);
      expect(await auditActions(t.db, w.org.id)).toEqual(result === 'allowed' ? ['member.role_changed'] : []);
    });
  }
});

describe('ask for and decide a promotion under the two-person rule (issue 19)', () => {
  async function twoPersonWorld() {
    const w = await world();
    await t.db.updateTable('organizations').set({ promotion_approval_policy: 'another-owner' }).where('id', '=', w.org.id).execute();
    return w;
  }
  const expected: Record<ActorKind, string> = { owner: 'allowed', member: 'forbidden', 'non-member': 'forbidden', 'removed member': 'forbidden' };

  for (const kind of ACTORS) {
    it(`asking, by a ${kind} of this organization: ${expected[kind]}; a request, not a role change`, async () => {
      const w = await twoPersonWorld();
      const result = await outcome(
        changeRole(t.db, { organizationId: w.org.id, actorMemberId: w.actors[kind]?.id ?? null, targetMemberId: w.target.id, role: 'owner', source: 'slack' }),
      );
      expect(result).toBe(expected[kind]);
      expect((await findMemberById(t.db, w.org.id, w.target.id))!.role).toBe('member');
      expect(await auditActions(t.db, w.org.id)).toEqual(result === 'allowed' ? ['promotion.requested'] : []);
    });

    it(`approving, by a ${kind} of this organization (not the requester): ${expected[kind] === 'allowed' ? 'allowed' : 'decision_refused'}`, async () => {
      const w = await twoPersonWorld();
      const second = (await t.db.selectFrom('members').selectAll().where('organization_id', '=', w.org.id).where('email', '=', 'owner2@acme.test').executeTakeFirstOrThrow());
      const asked = await changeRole(t.db, { organizationId: w.org.id, actorMemberId: second.id, targetMemberId: w.target.id, role: 'owner', source: 'slack' });
      const result = await outcome(
        decideRemoval(t.db, { organizationId: w.org.id, actorMemberId: w.actors[kind]?.id ?? null, requestId: asked.request!.id, decision: 'approve', source: 'slack' }),
      );
      expect(result).toBe(expected[kind] === 'allowed' ? 'allowed' : 'decision_refused');
      expect((await findMemberById(t.db, w.org.id, w.target.id))!.role).toBe(result === 'allowed' ? 'owner' : 'member');
    });

    it(`approving, by a ${kind} of another organization: refused, nothing changes`, async () => {
      const w = await twoPersonWorld();
      const asked = await changeRole(t.db, { organizationId: w.org.id, actorMemberId: w.actors.owner!.id, targetMemberId: w.target.id, role: 'owner', source: 'slack' });
      const result = await outcome(
        decideRemoval(t.db, { organizationId: w.org.id, actorMemberId: w.foreignActors[kind]?.id ?? null, requestId: asked.request!.id, decision: 'approve', source: 'slack' }),
      );
      expect(result).toBe('decision_refused');
      expect((await findMemberById(t.db, w.org.id, w.target.id))!.role).toBe('member');
      expect(await auditActions(t.db, w.other.id)).toEqual([]);
    });
  }
});

describe('leave the team', () => {
  const expected: Record<ActorKind, string> = { owner: 'allowed', member: 'allowed', 'non-member': 'forbidden', 'removed member': 'forbidden' };

  for (const kind of ACTORS) {
    it(`${kind} of this organization: ${expected[kind]}`, async () => {
      const w = await world();
      const result = await outcome(leaveTeam(t.db, { organizationId: w.org.id, actorMemberId: w.actors[kind]?.id ?? null, source: 'slack' }));
      expect(result).toBe(expected[kind]);
      expect(await auditActions(t.db, w.org.id)).toEqual(result === 'allowed' ? ['member.left'] : []);
    });

    it(`${kind} of another organization: refused`, async () => {
      const w = await world();
      const result = await outcome(leaveTeam(t.db, { organizationId: w.org.id, actorMemberId: w.foreignActors[kind]?.id ?? null, source: 'slack' }));
      expect(result).toBe('forbidden');
      const foreign = w.foreignActors[kind];
      if (foreign) expect((await findMemberById(t.db, w.other.id, foreign.id))!.status).toBe(kind === 'removed member' ? 'removed' : 'active');
      expect(await auditActions(t.db, w.org.id)).toEqual([]);
      expect(await auditActions(t.db, w.other.id)).toEqual([]);
    });
  }
});

describe('change the settings', () => {
  const expected: Record<ActorKind, string> = { owner: 'allowed', member: 'forbidden', 'non-member': 'forbidden', 'removed member': 'forbidden' };

  for (const kind of ACTORS) {
    it(`${kind} of this organization: ${expected[kind]}`, async () => {
      const w = await world();
      const result = await outcome(
        updateSettings(t.db, { organizationId: w.org.id, actorMemberId: w.actors[kind]?.id ?? null, changes: { invitation_expiry_days: 14 }, source: 'slack' }),
      );
      expect(result).toBe(expected[kind]);
      expect((await findOrganizationById(t.db, w.org.id))!.invitation_expiry_days).toBe(result === 'allowed' ? 14 : 7);
      expect(await auditActions(t.db, w.org.id)).toEqual(result === 'allowed' ? ['settings.changed'] : []);
    });

    it(`${kind} of another organization: refused, nothing changes in either`, async () => {
      const w = await world();
      const result = await outcome(
        updateSettings(t.db, { organizationId: w.org.id, actorMemberId: w.foreignActors[kind]?.id ?? null, changes: { invitation_expiry_days: 14 }, source: 'slack' }),
      );
      expect(result).toBe('forbidden');
      expect((await findOrganizationById(t.db, w.org.id))!.invitation_expiry_days).toBe(7);
      expect((await findOrganizationById(t.db, w.other.id))!.invitation_expiry_days).toBe(7);
      expect(await auditActions(t.db, w.org.id)).toEqual([]);
    });
  }
});

describe('see the team page', () => {
  const expected: Record<ActorKind, boolean> = { owner: true, member: true, 'non-member': false, 'removed member': false };

  for (const kind of ACTORS) {
    it(`${kind} of this organization: ${expected[kind] ? 'allowed' : 'refused'}`, async () => {
      const w = await world();
      const read = await readTeamPage(t.db, w.org.id, w.actors[kind], {}, 20);
      expect(read.allowed).toBe(expected[kind]);
      if (read.allowed) {
        const own = await t.db.selectFrom('members').select('id').where('organization_id', '=', w.org.id).where('status', '=', 'active').execute();
        expect(read.page.members.map((m) => m.id).sort()).toEqual(own.map((m) => m.id).sort());
      }
    });

    it(`${kind} of another organization: refused`, async () => {
      const w = await world();
      expect((await readTeamPage(t.db, w.org.id, w.foreignActors[kind], {}, 20)).allowed).toBe(false);
    });
  }
});
