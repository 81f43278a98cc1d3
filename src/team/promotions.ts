import type { DbOrTrx } from '../db/database.js';
import type { AuditSource, Member, Organization, RemovalRequest } from '../db/schema.js';
import { AppError, moment, person, say } from '../errors.js';
import { appendAuditEvent } from '../events/audit-repository.js';
import { countOtherActiveOwners, findPendingRequestFor, insertRemovalRequest } from './removal-repository.js';
import { applyRoleChange, GUEST_OWNER_MESSAGE } from './role-change.js';

/**
 * The two-person rule for promotion (setting "Promotion to owner"): under `another-owner`, a
 * change that gives someone ownership becomes a request of kind 'promotion' on the removal
 * requests' machinery — the same card with Approve / Reject, the same decision under the
 * organization lock and the row lock (src/team/removals.ts decideRemoval), the same expiry,
 * withdraw and cancellation. This module holds only what differs: when a request is needed,
 * how it is opened, and what approving it does.
 */

const HOUR_MS = 60 * 60 * 1000;

/** Whether the policy asks for approval and some owner other than the requester could give it (a lone owner promotes at once). */
export async function promotionNeedsApproval(trx: DbOrTrx, organization: Organization, requester: Member, target: Member): Promise<boolean> {
  if (organization.promotion_approval_policy !== 'another-owner') return false;
  return (await countOtherActiveOwners(trx, organization.id, [requester.id, target.id])) > 0;
}

/** Opens the request (or finds the one already waiting for this person), audited `promotion.requested`; the tellers post its card. */
export async function openPromotionRequest(
  trx: DbOrTrx,
  organization: Organization,
  input: { requester: Member; target: Member; ownerUntil: Date | null; source: AuditSource; now: Date },
): Promise<{ request: RemovalRequest; alreadyPending: boolean }> {
  const pending = await findPendingRequestFor(trx, organization.id, input.target.id, 'promotion');
  if (pending) return { request: pending, alreadyPending: true };
  const request = await insertRemovalRequest(trx, {
    organizationId: organization.id,
    kind: 'promotion',
    targetMemberId: input.target.id,
    requestedBy: input.requester.id,
    reason: null,
    ownerUntil: input.ownerUntil,
    expiresAt: new Date(input.now.getTime() + organization.removal_request_expiry_hours * HOUR_MS),
  });
  await appendAuditEvent(trx, {
    organizationId: organization.id,
    actor: { type: 'member', id: input.requester.id },
    action: 'promotion.requested',
    target: { type: 'removal_request', id: request.id },
    after: {
      status: 'pending',
      target_member_id: input.target.id,
      owner_until: input.ownerUntil?.toISOString() ?? null,
      expires_at: request.expires_at.toISOString(),
    },
    source: input.source,
  });
  return { request, alreadyPending: false };
}

/**
 * Why an approval cannot go through now, re-checked at the click from the database: the
 * person may have left, become a guest, or the ownership asked for may already be over.
 */
export function promotionApprovalRefusal(request: RemovalRequest, target: Member, now: Date): AppError | undefined {
  if (target.status !== 'active') return new AppError('not_found', say`${person(target)} is no longer a member of this team.`);
  if (target.slack_guest) return new AppError('guest_owner', say`${person(target)} is a guest in Slack. ${GUEST_OWNER_MESSAGE}`);
  if (request.owner_until && request.owner_until.getTime() <= now.getTime()) {
    return new AppError('owner_until_past', say`The ownership asked for would have ended on ${moment(request.owner_until)}. Reject it, and ask again if it is still needed.`);
  }
  return undefined;
}

/** Approving: the role change the requester asked for, written as theirs and approved by the decider. */
export async function applyApprovedPromotion(
  trx: DbOrTrx,
  organization: Organization,
  input: { request: RemovalRequest; target: Member; requester: Member; approver: Member; source: AuditSource },
): Promise<Member> {
  const { request, target } = input;
  const sameTerm = target.role === 'owner' && (target.owner_until?.getTime() ?? null) === (request.owner_until?.getTime() ?? null);
  if (sameTerm) return target; // someone made it so meanwhile: approved, nothing left to write
  return applyRoleChange(trx, organization, {
    target,
    role: 'owner',
    ownerUntil: request.owner_until,
    actor: { type: 'member', id: input.approver.id },
    by: input.requester.id,
    details: { promotion_request_id: request.id, requested_by: input.requester.id, approved_by: input.approver.id },
    source: input.source,
  });
}
