import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { readPendingInvitations } from '../../src/team/pending-invitations.js';
import { useTestDatabase } from '../support/database.js';
import { seedMember, seedOrganization } from '../support/seed.js';

/**
 * The total beside a page of pending invitations ("the 10 most recent of 12"): a page that is
 * not full is the total itself, a full one is counted (src/team/pending-invitations.ts).
 */
describe('pending invitations: the total beside the page', () => {
  const t = useTestDatabase();

  it('is the rows shown when fewer than the limit, and the count when the page is full', async () => {
    const org = await seedOrganization(t.db, 'T_PENDING_TOTAL');
    const owner = await seedMember(t.db, org, 'owner@acme.test', 'owner');
    const invite = (from: number, to: number, status = 'pending') =>
      sql`insert into invitations (organization_id, email, role, invited_by_member_id, batch_id, expires_at, status)
        select ${org.id}, 'p' || g || '@acme.test', 'member', ${owner.id}, gen_random_uuid(), now() + interval '7 days', ${status}
        from generate_series(${from}::int, ${to}::int) g`.execute(t.db);

    expect(await readPendingInvitations(t.db, org.id, owner, 10)).toMatchObject({ allowed: true, rows: [], total: 0 });
    await invite(1, 3);
    await invite(4, 4, 'accepted');
    const few = await readPendingInvitations(t.db, org.id, owner, 10);
    expect(few.rows).toHaveLength(3);
    expect(few.total).toBe(3);

    await invite(5, 11); // 10 pending now: a full page, counted
    const full = await readPendingInvitations(t.db, org.id, owner, 10);
    expect([full.rows.length, full.total]).toEqual([10, 10]);

    await invite(12, 13, 'expired'); // expired ones count too (they can be resent)
    const more = await readPendingInvitations(t.db, org.id, owner, 10);
    expect([more.rows.length, more.total]).toEqual([10, 12]);
  });
});
