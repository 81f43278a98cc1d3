import { sql } from 'kysely';
import type { DbOrTrx } from '../db/database.js';
import type { Invitation, Member } from '../db/schema.js';
import { DELETED_REASON } from '../team/provisioning.js';
import type { EqFilter } from './filter.js';

/**
 * What the SCIM endpoint reads: the organization's people as its Users. Every member is one,
 * removed ones as `active: false`, except those the provider itself DELETEd (SCIM: gone, 404).
 * A person provisioned as an invitation is found by id, userName or externalId until accepted.
 */
export const USER_FILTERS = ['userName', 'externalId', 'id', 'emails.value', 'emails'] as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type ScimUser = { kind: 'member'; member: Member } | { kind: 'invitation'; invitation: Invitation };

function visibleMembers(db: DbOrTrx, organizationId: string) {
  return db
    .selectFrom('members')
    .where('organization_id', '=', organizationId)
    .where((eb) => eb.or([eb('status', '=', 'active'), eb('removal_reason', 'is', null), eb('removal_reason', '!=', DELETED_REASON)]));
}

function filtered(db: DbOrTrx, organizationId: string, filter: EqFilter | undefined) {
  let query = visibleMembers(db, organizationId);
  if (!filter) return query;
  const value = typeof filter.value === 'string' ? filter.value : '';
  switch (filter.attribute) {
    case 'externalId':
      return query.where('external_id', '=', value);
    case 'id':
      return UUID.test(value) ? query.where('id', '=', value) : query.where(sql<boolean>`false`);
    case 'userName': {
      // Case-insensitive (RFC 7643 §4.1.1, caseExact false): the provider's spelling, else the email.
      const wanted = value.trim().toLowerCase();
      return query.where((eb) =>
        eb.or([eb(sql<string>`lower(user_name)`, '=', wanted), eb.and([eb('user_name', 'is', null), eb(sql<string>`lower(email)`, '=', wanted)])]),
      );
    }
    default:
      return query.where(sql<string>`lower(email)`, '=', value.trim().toLowerCase());
  }
}

/** One page of Users in a stable order (created, then id), with the total count. */
export async function listUsers(
  db: DbOrTrx,
  organizationId: string,
  options: { filter?: EqFilter | undefined; startIndex: number; count: number },
): Promise<{ users: ScimUser[]; total: number }> {
  const { n } = await filtered(db, organizationId, options.filter).select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  const total = Number(n);
  const members =
    options.count === 0
      ? []
      : await filtered(db, organizationId, options.filter).selectAll().orderBy('created_at').orderBy('id').offset(options.startIndex - 1).limit(options.count).execute();
  const users: ScimUser[] = members.map((member) => ({ kind: 'member', member }));
  if (total === 0 && options.filter && options.filter.attribute !== 'id') {
    const invitation = await pendingInvitationMatching(db, organizationId, options.filter);
    if (invitation) return { users: options.startIndex === 1 && options.count > 0 ? [{ kind: 'invitation', invitation }] : [], total: 1 };
  }
  return { users, total };
}

async function pendingInvitationMatching(db: DbOrTrx, organizationId: string, filter: EqFilter): Promise<Invitation | undefined> {
  const value = typeof filter.value === 'string' ? filter.value : '';
  let query = db.selectFrom('invitations').selectAll().where('organization_id', '=', organizationId).where('status', '=', 'pending');
  query = filter.attribute === 'externalId' ? query.where('external_id', '=', value) : query.where('email', '=', value.trim().toLowerCase());
  return query.orderBy('created_at', 'desc').limit(1).executeTakeFirst();
}

/** The User at /Users/{id}: a member, or an invitation (followed to its member once accepted). */
export async function findUser(db: DbOrTrx, organizationId: string, id: string): Promise<ScimUser | undefined> {
  if (!UUID.test(id)) return undefined;
  const member = await visibleMembers(db, organizationId).selectAll().where('id', '=', id).executeTakeFirst();
  if (member) return { kind: 'member', member };
  const invitation = await db.selectFrom('invitations').selectAll().where('organization_id', '=', organizationId).where('id', '=', id).executeTakeFirst();
  if (!invitation) return undefined;
  if (invitation.status === 'accepted' && invitation.member_id) {
    const joined = await visibleMembers(db, organizationId).selectAll().where('id', '=', invitation.member_id).executeTakeFirst();
    return joined ? { kind: 'member', member: joined } : undefined;
  }
  return invitation.status === 'pending' ? { kind: 'invitation', invitation } : undefined;
}

/** The active members of one role, for a Group's `members`. */
export async function membersWithRole(db: DbOrTrx, organizationId: string, role: Member['role']): Promise<Member[]> {
  return db
    .selectFrom('members')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('status', '=', 'active')
    .where('role', '=', role)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}
