import type { DbOrTrx } from '../db/database.js';
import type { AuditSource, Member, Organization, RemovalRequest, RemovalRequestStatus } from '../db/schema.js';
import { appendAuditEvent, type Actor as AuditActor } from '../events/audit-repository.js';
import { closeRemovalRequest } from './removal-repository.js';

export type ClosedStatus = Exclude<RemovalRequestStatus, 'pending'>;

/** The channel approval cards go to: the approvals channel, else the team channel. */
export function approvalsChannelOf(organization: Pick<Organization, 'approvals_channel_id' | 'team_channel_id'>): string | null {
  return organization.approvals_channel_id ?? organization.team_channel_id;
}

/**
 * The audit action of a closing: `<kind>.<status>`, except that rejecting a deactivation is the
 * owners keeping the person (`deactivation.kept`): that is what the card's Keep button says.
 */
export function closedAction(request: Pick<RemovalRequest, 'kind'>, status: ClosedStatus): string {
  if (request.kind === 'deactivation' && status === 'rejected') return 'deactivation.kept';
  return `${request.kind}.${status}`;
}

export interface Closing {
  status: ClosedStatus;
  /** The member who decided (approved, rejected, withdrew); null for expiry and cancellation. */
  decider: Member | null;
  /** The rejecter's reason, or why the request was cancelled. */
  reason: string | null;
  actor: AuditActor;
  source: AuditSource;
  now: Date;
}

/**
 * Takes a request out of `pending` — the conditional update returns nothing when someone else
 * got there first, and then nothing else happens — and, in the same transaction, writes its
 * audit event (`removal.*` or `promotion.*` by the request's kind; for an approved removal the
 * removal's `member.removed` event is the one), from which the
 * tellers rewrite the card and tell the requester. Returns undefined when the request was no longer pending.
 */
export async function closeRequest(trx: DbOrTrx, organization: Organization, request: RemovalRequest, closing: Closing): Promise<RemovalRequest | undefined> {
  const closed = await closeRemovalRequest(trx, request, {
    status: closing.status,
    decided_at: closing.now,
    decided_by_member_id: closing.decider?.id ?? null,
    decision_reason: closing.reason,
  });
  if (!closed) return undefined;
  // An approved removal's event is the removal itself; an approved promotion has its own, next to the role change.
  if (closing.status !== 'approved' || request.kind === 'promotion') {
    await appendAuditEvent(trx, {
      organizationId: organization.id,
      actor: closing.actor,
      action: closedAction(request, closing.status),
      target: { type: 'removal_request', id: request.id },
      before: { status: 'pending' },
      after: {
        status: closing.status,
        target_member_id: request.target_member_id,
        reason: closing.reason,
        ...(request.kind === 'promotion' ? { owner_until: request.owner_until?.toISOString() ?? null } : {}),
      },
      source: closing.source,
    });
  }
  return closed;
}
