import type { DbOrTrx } from '../db/database.js';
import type { RemovalRequest, RemovalRequestUpdate, RequestKind } from '../db/schema.js';

/**
 * All SQL about requests waiting for another owner — removals and promotions (`kind`), one
 * table and one approval mechanism; every query scoped by organization where a caller names one.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function findRemovalRequest(
  db: DbOrTrx,
  organizationId: string,
  id: string,
  options: { forUpdate?: boolean } = {},
): Promise<RemovalRequest | undefined> {
  // Ids arrive in button values; one that is not even a uuid names no request.
  if (!UUID.test(id)) return undefined;
  let q = db.selectFrom('removal_requests').selectAll().where('organization_id', '=', organizationId).where('id', '=', id);
  if (options.forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function findPendingRequestFor(db: DbOrTrx, organizationId: string, targetMemberId: string, kind: RequestKind = 'removal'): Promise<RemovalRequest | undefined> {
  return db
    .selectFrom('removal_requests')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('target_member_id', '=', targetMemberId)
    .where('kind', '=', kind)
    .where('status', '=', 'pending')
    .executeTakeFirst();
}

export async function insertRemovalRequest(
  db: DbOrTrx,
  values: {
    organizationId: string;
    targetMemberId: string;
    /** The member asking; null when a directory raised the request (then `requestedByDirectory` names it). */
    requestedBy: string | null;
    requestedByDirectory?: string | null;
    reason: string | null;
    expiresAt: Date;
    kind?: RequestKind;
    ownerUntil?: Date | null;
  },
): Promise<RemovalRequest> {
  return db
    .insertInto('removal_requests')
    .values({
      organization_id: values.organizationId,
      kind: values.kind ?? 'removal',
      owner_until: values.ownerUntil ?? null,
      target_member_id: values.targetMemberId,
      requested_by_member_id: values.requestedBy,
      requested_by_directory: values.requestedByDirectory ?? null,
      reason: values.reason,
      expires_at: values.expiresAt,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * The one way a request leaves `pending`: conditional on it still being pending, so of two
 * deciders only one gets a row back (the callers also hold the row lock; this is the backstop).
 */
export async function closeRemovalRequest(
  db: DbOrTrx,
  request: { id: string; organization_id: string },
  changes: Required<Pick<RemovalRequestUpdate, 'status' | 'decided_at'>> & Pick<RemovalRequestUpdate, 'decided_by_member_id' | 'decision_reason'>,
): Promise<RemovalRequest | undefined> {
  return db
    .updateTable('removal_requests')
    .set({ ...changes, updated_at: new Date() })
    .where('organization_id', '=', request.organization_id)
    .where('id', '=', request.id)
    .where('status', '=', 'pending')
    .returningAll()
    .executeTakeFirst();
}

export async function recordRemovalMessages(
  db: DbOrTrx,
  request: { id: string; organization_id: string },
  changes: Pick<RemovalRequestUpdate, 'card_channel_id' | 'card_ts' | 'requester_dm_channel_id' | 'requester_dm_ts'>,
): Promise<void> {
  await db
    .updateTable('removal_requests')
    .set({ ...changes, updated_at: new Date() })
    .where('organization_id', '=', request.organization_id)
    .where('id', '=', request.id)
    .execute();
}

/** Pending requests in which the member is the target or the requester, locked. */
export async function lockOpenRequestsInvolving(db: DbOrTrx, organizationId: string, memberId: string): Promise<RemovalRequest[]> {
  return db
    .selectFrom('removal_requests')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('status', '=', 'pending')
    .where((eb) => eb.or([eb('target_member_id', '=', memberId), eb('requested_by_member_id', '=', memberId)]))
    .forUpdate()
    .execute();
}

/** Claims pending requests past their expiry; SKIP LOCKED so several workers never expire one twice. */
export async function lockExpiredRemovalRequests(db: DbOrTrx, now: Date, limit: number): Promise<RemovalRequest[]> {
  return db
    .selectFrom('removal_requests')
    .selectAll()
    .where('status', '=', 'pending')
    .where('expires_at', '<=', now)
    .orderBy('expires_at')
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute();
}

/** The latest request of a kind about a member (any status): whether the directory already asked, and what the owners said. */
export async function findLatestRequestFor(db: DbOrTrx, organizationId: string, targetMemberId: string, kind: RequestKind): Promise<RemovalRequest | undefined> {
  return db
    .selectFrom('removal_requests')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('target_member_id', '=', targetMemberId)
    .where('kind', '=', kind)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export async function listPendingRemovalRequests(db: DbOrTrx, organizationId: string, limit = 20): Promise<RemovalRequest[]> {
  return db
    .selectFrom('removal_requests')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('status', '=', 'pending')
    .orderBy('created_at')
    .limit(limit)
    .execute();
}

/** Active owners who are neither of the given members: who could approve a request between them. */
export async function countOtherActiveOwners(db: DbOrTrx, organizationId: string, excluded: readonly string[]): Promise<number> {
  const row = await db
    .selectFrom('members')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('organization_id', '=', organizationId)
    .where('status', '=', 'active')
    .where('role', '=', 'owner')
    .where('id', 'not in', excluded)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function activeOwnerSlackIds(db: DbOrTrx, organizationId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('members')
    .select('slack_user_id')
    .where('organization_id', '=', organizationId)
    .where('status', '=', 'active')
    .where('role', '=', 'owner')
    .where('slack_user_id', 'is not', null)
    .execute();
  return rows.map((r) => r.slack_user_id!);
}
