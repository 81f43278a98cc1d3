import { sql } from 'kysely';
import type { DbOrTrx } from '../db/database.js';
import type { AuditSource, Member, MemberStatus, Role } from '../db/schema.js';

/** All SQL about members. Every query is scoped by organization. */

/**
 * The member rows a transaction wrote through this file (their RETURNING rows), while it is
 * open: it holds their row locks until it ends, so nobody else can change them, and reading one
 * again by id in the same transaction (the tellers do, for the person a change named) would
 * return that same row. Every write of members' columns in a change goes through updateMember;
 * a write elsewhere in the transaction would have to forget the row here.
 */
const writtenIn = new WeakMap<object, Map<string, Member>>();

function remember(db: DbOrTrx, row: Member): Member {
  if (!db.isTransaction) return row;
  let rows = writtenIn.get(db);
  if (!rows) writtenIn.set(db, (rows = new Map()));
  rows.set(row.id, row);
  return row;
}

export async function findMemberById(db: DbOrTrx, organizationId: string, memberId: string, options: { forUpdate?: boolean } = {}): Promise<Member | undefined> {
  const written = db.isTransaction && !options.forUpdate ? writtenIn.get(db)?.get(memberId) : undefined;
  if (written?.organization_id === organizationId) return written;
  let query = db.selectFrom('members').selectAll().where('organization_id', '=', organizationId).where('id', '=', memberId);
  if (options.forUpdate) query = query.forUpdate();
  return query.executeTakeFirst();
}

export async function findMemberBySlackUser(db: DbOrTrx, organizationId: string, slackUserId: string, options: { forUpdate?: boolean } = {}): Promise<Member | undefined> {
  let query = db.selectFrom('members').selectAll().where('organization_id', '=', organizationId).where('slack_user_id', '=', slackUserId);
  if (options.forUpdate) query = query.forUpdate();
  return query.executeTakeFirst();
}

export async function findMemberByEmail(db: DbOrTrx, organizationId: string, email: string, options: { forUpdate?: boolean } = {}): Promise<Member | undefined> {
  let query = db
    .selectFrom('members')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where(sql<string>`lower(email)`, '=', email.trim().toLowerCase());
  if (options.forUpdate) query = query.forUpdate();
  return query.executeTakeFirst();
}

/** The member whose SCIM userName this is, compared case-insensitively (RFC 7643 §4.1.1). */
export async function findMemberByUserName(db: DbOrTrx, organizationId: string, userName: string, options: { forUpdate?: boolean } = {}): Promise<Member | undefined> {
  let query = db.selectFrom('members').selectAll().where('organization_id', '=', organizationId).where(sql<string>`lower(user_name)`, '=', userName.toLowerCase());
  if (options.forUpdate) query = query.forUpdate();
  return query.executeTakeFirst();
}

/** The member an identity provider knows by this id (SCIM externalId), removed ones included. */
export async function findMemberByExternalId(db: DbOrTrx, organizationId: string, externalId: string, options: { forUpdate?: boolean } = {}): Promise<Member | undefined> {
  let query = db.selectFrom('members').selectAll().where('organization_id', '=', organizationId).where('external_id', '=', externalId);
  if (options.forUpdate) query = query.forUpdate();
  return query.executeTakeFirst();
}

export async function countActiveOwners(db: DbOrTrx, organizationId: string): Promise<number> {
  const row = await activeOwnersCountQuery(db, organizationId).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Exported for the bench's EXPLAIN (every `/team` command runs it). */
export function activeOwnersCountQuery(db: DbOrTrx, organizationId: string) {
  return (
    db
      .selectFrom('members')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('organization_id', '=', organizationId)
      .where('status', '=', 'active')
      // role_rank is 0 exactly for owners (a generated column), and it is the team-page index's
      // third column: an index range of the owners instead of a filter over every member.
      .where('role_rank', '=', 0)
  );
}

export async function insertMember(
  db: DbOrTrx,
  values: {
    organizationId: string;
    email: string;
    role: Role;
    slackUserId?: string | null;
    displayName?: string | null;
    invitedBy?: string | null;
    slackGuest?: boolean;
    externalId?: string | null;
    userName?: string | null;
    givenName?: string | null;
    familyName?: string | null;
  },
): Promise<Member> {
  const row = await db
    .insertInto('members')
    .values({
      organization_id: values.organizationId,
      email: values.email,
      role: values.role,
      slack_user_id: values.slackUserId ?? null,
      display_name: values.displayName ?? null,
      invited_by_member_id: values.invitedBy ?? null,
      slack_guest: values.slackGuest ?? false,
      external_id: values.externalId ?? null,
      user_name: values.userName ?? null,
      given_name: values.givenName ?? null,
      family_name: values.familyName ?? null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return remember(db, row);
}

/** `member`: the row (its id and organization), so that the update names the organization (Citus). */
export async function updateMember(
  db: DbOrTrx,
  member: { id: string; organization_id: string },
  changes: Partial<{
    email: string;
    role: Role;
    owner_until: Date | null;
    owner_expiry_held_at: Date | null;
    status: MemberStatus;
    slack_user_id: string | null;
    display_name: string | null;
    slack_guest: boolean;
    removed_at: Date | null;
    removed_by_member_id: string | null;
    removal_reason: string | null;
    restored_at: Date | null;
    joined_at: Date;
    external_id: string | null;
    user_name: string | null;
    given_name: string | null;
    family_name: string | null;
  }>,
): Promise<Member> {
  const row = await db
    .updateTable('members')
    .set({ ...changes, updated_at: new Date() })
    .where('organization_id', '=', member.organization_id)
    .where('id', '=', member.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return remember(db, row);
}

export async function recordRoleChange(
  db: DbOrTrx,
  values: { organizationId: string; memberId: string; from: Role | null; to: Role; by: string | null; source: AuditSource },
): Promise<void> {
  await db
    .insertInto('member_role_changes')
    .values({
      organization_id: values.organizationId,
      member_id: values.memberId,
      from_role: values.from,
      to_role: values.to,
      changed_by_member_id: values.by,
      source: values.source,
    })
    .execute();
}

export async function listAllMembers(db: DbOrTrx, organizationId: string): Promise<Member[]> {
  return db
    .selectFrom('members')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .orderBy('status')
    .orderBy('role_rank')
    .orderBy('sort_name')
    .orderBy('id')
    .execute();
}
