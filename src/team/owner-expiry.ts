import type { Db } from '../db/database.js';
import { appendAuditEvent, EXPIRY_ACTOR } from '../events/audit-repository.js';
import { inChange } from './change.js';
import { countActiveOwners, updateMember } from './member-repository.js';
import { applyRoleChange } from './role-change.js';

/**
 * The end of temporary ownerships (cron `owner.expire-due`, every minute). Each organization
 * with an ownership due is handled in its own change: under the organization lock — the lock
 * every role change and removal takes — its due owners are re-read and demoted to member,
 * audited with the actor "expiry". Several workers sweeping at once queue on that lock and the
 * later ones find nothing left, so each ownership ends exactly once, with one audit event and
 * one post.
 *
 * The last-owner rule holds against the clock: when the due owner is the last one, they stay
 * an owner, and the owners are told why once (`member.owner_expiry_held`); the next sweep after
 * another owner exists ends the ownership then.
 */
export async function expireTemporaryOwners(db: Db, now = new Date(), batchSize = 500): Promise<number> {
  const organizations = await db
    .selectFrom('members')
    .select('organization_id')
    .distinct()
    .where('status', '=', 'active')
    .where('role', '=', 'owner')
    .where('owner_until', '<=', now)
    .limit(batchSize)
    .execute();
  let ended = 0;
  for (const { organization_id } of organizations) {
    ended += await inChange(db, organization_id, null, async ({ trx, organization }) => {
      const due = await trx
        .selectFrom('members')
        .selectAll()
        .where('organization_id', '=', organization.id)
        .where('status', '=', 'active')
        .where('role', '=', 'owner')
        .where('owner_until', '<=', now)
        .orderBy('owner_until')
        .orderBy('id')
        .forUpdate()
        .execute();
      let owners = await countActiveOwners(trx, organization.id);
      let demoted = 0;
      for (const member of due) {
        if (owners <= 1) {
          if (member.owner_expiry_held_at) continue; // told already
          await updateMember(trx, member, { owner_expiry_held_at: now });
          await appendAuditEvent(trx, {
            organizationId: organization.id,
            actor: EXPIRY_ACTOR,
            action: 'member.owner_expiry_held',
            target: { type: 'member', id: member.id },
            before: { role: 'owner', owner_until: member.owner_until!.toISOString() },
            after: { role: 'owner', owner_until: member.owner_until!.toISOString(), reason: 'last_owner' },
            source: 'system',
          });
          continue;
        }
        await applyRoleChange(trx, organization, { target: member, role: 'member', ownerUntil: null, actor: EXPIRY_ACTOR, by: null, details: { expired: true }, source: 'system' });
        owners -= 1;
        demoted += 1;
      }
      return demoted;
    });
  }
  return ended;
}
