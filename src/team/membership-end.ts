import type { DbOrTrx } from '../db/database.js';
import type { AuditSource, Member, Organization } from '../db/schema.js';
import { appendAuditEvent, type Actor as AuditActor } from '../events/audit-repository.js';
import { cancelInvitationsSentBy } from './invitations.js';
import { updateMember } from './member-repository.js';
import { closeRequest } from './removal-outcomes.js';
import { lockOpenRequestsInvolving } from './removal-repository.js';

export interface MembershipEnd {
  /** `member.left` or `member.removed`: the member's own audit event. */
  action: 'member.left' | 'member.removed';
  actor: AuditActor;
  /** Who removed them (themselves when they left); null when no person did (e.g. deactivated in Slack). */
  removedBy: Member | null;
  reason: string | null;
  /** Added to the event's `after`: e.g. the removal request and its approver. */
  details?: Record<string, unknown>;
  source: AuditSource;
  now: Date;
}

/**
 * Ends a membership inside the caller's transaction — the one place access ends, whether the
 * member left or was removed. From this commit they are a non-member everywhere (every check
 * reads `status`), and what they had open dies with them: invitations they sent and removal
 * requests they asked for or were the subject of.
 */
export async function endMembership(trx: DbOrTrx, organization: Organization, member: Member, end: MembershipEnd): Promise<Member> {
  const ended = await updateMember(trx, member, {
    status: 'removed',
    removed_at: end.now,
    removed_by_member_id: end.removedBy?.id ?? null,
    removal_reason: end.reason,
  });
  await appendAuditEvent(trx, {
    organizationId: organization.id,
    actor: end.actor,
    action: end.action,
    target: { type: 'member', id: member.id },
    before: { status: 'active', role: member.role },
    after: { status: 'removed', removed_by: end.removedBy?.id ?? null, reason: end.reason, ...end.details },
    source: end.source,
  });
  await cancelInvitationsSentBy(trx, organization, member, end.source);
  // Requests about them, or asked by them (a requester without access can no longer stand behind one).
  for (const request of await lockOpenRequestsInvolving(trx, organization.id, member.id)) {
    // Stored as plain words (shown escaped): the person's name is on the card already.
    const why = request.target_member_id === member.id ? 'they are no longer a member' : 'the owner who asked for it is no longer a member';
    await closeRequest(trx, organization, request, { status: 'cancelled', decider: null, reason: why, actor: end.actor, source: end.source, now: end.now });
  }
  return ended;
}
