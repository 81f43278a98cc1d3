import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { findMemberById, updateMember } from '../../src/team/member-repository.js';
import { useTestDatabase } from '../support/database.js';
import { seedMember, seedOrganization } from '../support/seed.js';

/**
 * A transaction reads a member it wrote from the row it wrote (src/team/member-repository.ts):
 * what it answers must be exactly what the database would, for the latest write, only inside
 * that transaction, and never after it rolled back.
 */
describe('members a transaction wrote', () => {
  const t = useTestDatabase();

  it('answers the latest write, equal to a fresh read, without asking the database again', async () => {
    const org = await seedOrganization(t.db, 'T_WRITTEN_ROWS');
    const ann = await seedMember(t.db, org, 'ann@acme.test', 'member');
    await t.db.transaction().execute(async (trx) => {
      await updateMember(trx, ann, { role: 'owner' });
      const second = await updateMember(trx, ann, { display_name: 'Ann Owner' });
      const remembered = await findMemberById(trx, org.id, ann.id);
      expect(remembered).toBe(second);
      // What the database holds in this transaction, read past the memory: the same row.
      const fresh = (await sql<Record<string, unknown>>`select * from members where organization_id = ${org.id} and id = ${ann.id}`.execute(trx)).rows[0];
      expect({ ...remembered }).toEqual(fresh);
      expect(remembered).toMatchObject({ role: 'owner', display_name: 'Ann Owner' });
      // A locking read always goes to the database.
      expect(await findMemberById(trx, org.id, ann.id, { forUpdate: true })).not.toBe(second);
      // Another organization's id never matches a remembered row.
      expect(await findMemberById(trx, '00000000-0000-4000-8000-000000000000', ann.id)).toBeUndefined();
    });
  });

  it('is nothing outside the transaction, and nothing after a rollback', async () => {
    const org = await seedOrganization(t.db, 'T_WRITTEN_ROLLBACK');
    const bob = await seedMember(t.db, org, 'bob@acme.test', 'member');
    await expect(
      t.db.transaction().execute(async (trx) => {
        await updateMember(trx, bob, { display_name: 'Rolled Back' });
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect((await findMemberById(t.db, org.id, bob.id))?.display_name).not.toBe('Rolled Back');
    await t.db.transaction().execute(async (trx) => {
      expect((await findMemberById(trx, org.id, bob.id))?.display_name).not.toBe('Rolled Back');
    });
  });
});
