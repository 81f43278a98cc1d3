import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { countListedMembers } from '../../src/team/member-list.js';
import { updateMember } from '../../src/team/member-repository.js';
import { useTestDatabase } from '../support/database.js';
import { seedMember, seedOrganization } from '../support/seed.js';

/**
 * The team page's header reads a count kept by triggers on `members` (migration 0007) instead
 * of counting every member per view. It must always equal the real count.
 */
const t = useTestDatabase();

const realCount = async (organizationId: string) =>
  Number(
    (
      await t.db
        .selectFrom('members')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('organization_id', '=', organizationId)
        .where('status', '=', 'active')
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('the kept count of active members', () => {
  it('follows single and bulk inserts, removals, reactivations and role changes, per organization', async () => {
    const a = await seedOrganization(t.db, 'T_COUNT_A');
    const b = await seedOrganization(t.db, 'T_COUNT_B');
    expect(await countListedMembers(t.db, a.id)).toBe(0);

    const alice = await seedMember(t.db, a, 'alice@acme.test', 'owner');
    const bob = await seedMember(t.db, a, 'bob@acme.test', 'member');
    await seedMember(t.db, a, 'gone@acme.test', 'member', { removed: true });
    await seedMember(t.db, b, 'other@b.test', 'member');
    expect(await countListedMembers(t.db, a.id)).toBe(2);
    expect(await countListedMembers(t.db, b.id)).toBe(1);

    // One statement inserting 1,000 rows (the transition table counts them once).
    await sql`insert into members (organization_id, email, role, status, removed_at)
              select ${a.id}, 'p' || g || '@acme.test', 'member', case when g % 10 = 0 then 'removed' else 'active' end,
                     case when g % 10 = 0 then now() end
              from generate_series(1, 1000) g`.execute(t.db);
    expect(await countListedMembers(t.db, a.id)).toBe(await realCount(a.id));
    expect(await countListedMembers(t.db, a.id)).toBe(902);

    await updateMember(t.db, bob, { status: 'removed', removed_at: new Date() });
    await updateMember(t.db, alice, { role: 'member' });
    expect(await countListedMembers(t.db, a.id)).toBe(901);
    await updateMember(t.db, bob, { status: 'active', removed_at: null });
    // A bulk update that removes some and touches others.
    await sql`update members set status = 'removed', removed_at = now() where organization_id = ${a.id} and email like 'p1%' and status = 'active'`.execute(t.db);
    await sql`update members set display_name = 'x' where organization_id = ${a.id}`.execute(t.db);
    expect(await countListedMembers(t.db, a.id)).toBe(await realCount(a.id));
    expect(await countListedMembers(t.db, b.id)).toBe(1);
    // A search still counts the matching members.
    expect(await countListedMembers(t.db, a.id, 'bob')).toBe(1);
  });
});
