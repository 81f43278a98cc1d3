import type { Db, DbOrTrx } from '../db/database.js';
import type { Member, Organization } from '../db/schema.js';
import { findMemberById } from './member-repository.js';
import { organizationGate } from './organization-gate.js';
import { lockOrganization } from './organization-repository.js';
import { organizationCacheOf, organizationsWrittenIn } from '../db/organization-cache.js';

/** What every change starts from: the organization (locked) and the actor, as the database has them now. */
export interface ChangeContext {
  trx: DbOrTrx;
  organization: Organization;
  /** The acting member re-read under the lock; null when the id names nobody here. */
  actor: Member | null;
}

/**
 * Runs one change in one transaction that first takes the organization's lock and re-reads
 * the actor. Changes that could break an organization-wide rule (at least one owner, one
 * pending invitation per address) thereby run one at a time per organization, and the
 * service authorises with the actor as it is at that moment, never as a request described it.
 * Within this process they also queue for the organization before taking a pool connection
 * (organization-gate.ts), so waiting for the lock never holds a connection.
 */
export async function inChange<T>(
  db: Db,
  organizationId: string,
  actorMemberId: string | null,
  change: (ctx: ChangeContext) => Promise<T>,
): Promise<T> {
  let transaction: DbOrTrx | undefined;
  try {
    return await organizationGate(db).run(organizationId, () =>
      db.transaction().execute(async (trx) => {
        transaction = trx;
        const organization = await lockOrganization(trx, organizationId);
        const actor = actorMemberId ? ((await findMemberById(trx, organization.id, actorMemberId)) ?? null) : null;
        return change({ trx, organization, actor });
      }),
    );
  } finally {
    // A change that wrote the organization (settings, the team channel): this process's next
    // read sees it without waiting for the notification (other processes get that). The others
    // — nearly all — leave the cached row alone (issue 20: a forgotten row cost the next request
    // and each of the change's jobs a lookup).
    const cache = organizationCacheOf(db);
    for (const id of organizationsWrittenIn(transaction)) cache?.forget(id);
  }
}
