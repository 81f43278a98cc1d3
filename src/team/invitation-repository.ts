import { sql } from 'kysely';
import type { DbOrTrx } from '../db/database.js';
import type { Updateable } from 'kysely';
import { jsonObjectFrom } from 'kysely/helpers/postgres';
import type { Invitation, InvitationStatus, InvitationsTable, Member, Role } from '../db/schema.js';

/** All SQL about invitations; every query scoped by organization where a caller names one. */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function findInvitation(db: DbOrTrx, organizationId: string, id: string, options: { forUpdate?: boolean } = {}): Promise<Invitation | undefined> {
  // Ids arrive in button values; one that is not even a uuid names no invitation (rather than a database error).
  if (!UUID.test(id)) return undefined;
  let q = db.selectFrom('invitations').selectAll().where('organization_id', '=', organizationId).where('id', '=', id);
  if (options.forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

/** What a delivery says of the inviter. */
export type InviterLabel = Pick<Member, 'slack_user_id' | 'display_name' | 'email'>;

/**
 * The invitation with what its deliveries say of the inviter, in one round trip (each DM and
 * email job reads both; npm run bench -- --only=bulk counts the statements per invitation).
 */
export async function findInvitationWithInviter(db: DbOrTrx, organizationId: string, id: string): Promise<{ invitation: Invitation; inviter: InviterLabel | undefined } | undefined> {
  if (!UUID.test(id)) return undefined;
  const row = await db
    .selectFrom('invitations')
    .selectAll('invitations')
    .select((eb) =>
      jsonObjectFrom(
        eb
          .selectFrom('members')
          .select(['members.slack_user_id', 'members.display_name', 'members.email'])
          .whereRef('members.organization_id', '=', 'invitations.organization_id')
          .whereRef('members.id', '=', 'invitations.invited_by_member_id'),
      ).as('inviter'),
    )
    .where('invitations.organization_id', '=', organizationId)
    .where('invitations.id', '=', id)
    .executeTakeFirst();
  if (!row) return undefined;
  const { inviter, ...invitation } = row;
  return { invitation: invitation as Invitation, inviter: inviter ?? undefined };
}

/** By the hash of an email-link token: the link carries no organization, the hash is unique. */
export async function findInvitationByTokenHash(db: DbOrTrx, hash: Buffer, options: { forUpdate?: boolean } = {}): Promise<Invitation | undefined> {
  let q = db.selectFrom('invitations').selectAll().where('token_hash', '=', hash);
  if (options.forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function pendingEmails(db: DbOrTrx, organizationId: string, emails: readonly string[]): Promise<Set<string>> {
  if (emails.length === 0) return new Set();
  const rows = await db
    .selectFrom('invitations')
    .select('email')
    .where('organization_id', '=', organizationId)
    .where('status', '=', 'pending')
    .where(sql<string>`lower(email)`, 'in', emails)
    .execute();
  return new Set(rows.map((r) => r.email));
}

export async function activeMemberEmails(db: DbOrTrx, organizationId: string, emails: readonly string[]): Promise<Set<string>> {
  if (emails.length === 0) return new Set();
  const rows = await db
    .selectFrom('members')
    .select('email')
    .where('organization_id', '=', organizationId)
    .where('status', '=', 'active')
    .where(sql<string>`lower(email)`, 'in', emails)
    .execute();
  return new Set(rows.map((r) => r.email));
}

export async function countInvitationsSince(db: DbOrTrx, organizationId: string, since: Date): Promise<number> {
  const row = await db
    .selectFrom('invitations')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('organization_id', '=', organizationId)
    .where('created_at', '>=', since)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export interface NewInvitation {
  organizationId: string;
  email: string;
  role: Role;
  message: string | null;
  /** Null when no person sent it (an identity provider provisioning over SCIM). */
  invitedBy: string | null;
  batchId: string;
  expiresAt: Date;
  externalId?: string | null;
}

/**
 * Inserts several invitations in one statement (a 50-address submission is one round trip, not
 * 50) and returns them in the order given. PostgreSQL does not promise RETURNING's order, so
 * rows are matched back by address (unique among a submission's pending invitations).
 */
export async function insertInvitations(db: DbOrTrx, values: readonly NewInvitation[]): Promise<Invitation[]> {
  if (values.length === 0) return [];
  const rows = await db
    .insertInto('invitations')
    .values(
      values.map((v) => ({
        organization_id: v.organizationId,
        email: v.email,
        role: v.role,
        message: v.message,
        invited_by_member_id: v.invitedBy,
        batch_id: v.batchId,
        expires_at: v.expiresAt,
        external_id: v.externalId ?? null,
      })),
    )
    .returningAll()
    .execute();
  const byEmail = new Map(rows.map((r) => [r.email, r]));
  return values.map((v) => byEmail.get(v.email)!);
}

/** One row per invitation sent (the resend caps count them), in one statement. */
export async function recordSends(db: DbOrTrx, invitationIds: readonly string[], by: string | null): Promise<void> {
  if (invitationIds.length === 0) return;
  await db
    .insertInto('invitation_sends')
    .values(invitationIds.map((id) => ({ invitation_id: id, sent_by_member_id: by })))
    .execute();
}

export async function countSendsSince(db: DbOrTrx, invitationId: string, since: Date): Promise<number> {
  const row = await db
    .selectFrom('invitation_sends')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('invitation_id', '=', invitationId)
    .where('sent_at', '>=', since)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function updateInvitation(
  db: DbOrTrx,
  invitation: { id: string; organization_id: string },
  /** Any column but the identity and ownership ones; updated_at is set here. */
  changes: Omit<Updateable<InvitationsTable>, 'id' | 'organization_id' | 'created_at' | 'updated_at'>,
): Promise<Invitation> {
  return db
    .updateTable('invitations')
    .set({ ...changes, updated_at: new Date() })
    .where('organization_id', '=', invitation.organization_id)
    .where('id', '=', invitation.id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function listInvitations(
  db: DbOrTrx,
  organizationId: string,
  statuses: readonly InvitationStatus[],
  limit = 100,
): Promise<Invitation[]> {
  return db
    .selectFrom('invitations')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('status', 'in', statuses)
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** Pending invitations past their expiry, oldest first, locked so two workers never expire one twice. */
export async function lockExpiredInvitations(db: DbOrTrx, now: Date, limit: number): Promise<Invitation[]> {
  return db
    .selectFrom('invitations')
    .selectAll()
    .where('status', '=', 'pending')
    .where('expires_at', '<=', now)
    .orderBy('expires_at')
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute();
}

export async function pendingInvitationsFor(db: DbOrTrx, organizationId: string, email: string): Promise<Invitation[]> {
  return db
    .selectFrom('invitations')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('status', '=', 'pending')
    .where(sql<string>`lower(email)`, '=', email.toLowerCase())
    .forUpdate()
    .execute();
}
