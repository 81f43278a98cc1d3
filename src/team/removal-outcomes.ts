import type { DbOrTrx } from '../db/database.js';
import type { AuditSource, Member, Organization, RemovalRequest, RemovalRequestStatus } from '../db/schema.js';
import { appendAuditEvent, type Actor as AuditActor } from '../activity/audit-repository.js';
import { enqueue } from '../jobs/queue.js';
import { notifyMember, refreshHomeTabs } from '../notify/people.js';
import { notifyTeamChannel } from '../notify/team-channel.js';
import { findMemberById } from './member-repository.js';
import { escapeText, memberLabel } from './people.js';
import { activeOwnerSlackIds, closeRemovalRequest } from './removal-repository.js';

export type ClosedStatus = Exclude<RemovalRequestStatus, 'pending'>;

/** The channel approval cards go to: the approvals channel, else the team channel. */
export function approvalsChannelOf(organization: Pick<Organization, 'approvals_channel_id' | 'team_channel_id'>): string | null {
  return organization.approvals_channel_id ?? organization.team_channel_id;
}

/**
 * Whether the team channel needs its own word about a request: not when the card itself sits
 * in the team channel, where its update already says what happened.
 */
export function teamChannelApartFromCard(organization: Organization): boolean {
  return Boolean(organization.team_channel_id && organization.approvals_channel_id && organization.approvals_channel_id !== organization.team_channel_id);
}

/** Both of a request's jobs (post the card, rewrite it) share one queue, so they run in order. */
export function removalCardQueue(requestId: string): string {
  return `removal-request:${requestId}`;
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
 * audit event (for approvals the removal's `member.removed` event is the one), queues the
 * card's rewrite and tells the requester. Returns undefined when the request was no longer pending.
 */
export async function closeRequest(trx: DbOrTrx, organization: Organization, request: RemovalRequest, closing: Closing): Promise<RemovalRequest | undefined> {
  const closed = await closeRemovalRequest(trx, request.id, {
    status: closing.status,
    decided_at: closing.now,
    decided_by_member_id: closing.decider?.id ?? null,
    decision_reason: closing.reason,
  });
  if (!closed) return undefined;
  if (closing.status !== 'approved') {
    await appendAuditEvent(trx, {
      organizationId: organization.id,
      actor: closing.actor,
      action: `removal.${closing.status}`,
      target: { type: 'removal_request', id: request.id },
      before: { status: 'pending' },
      after: { status: closing.status, target_member_id: request.target_member_id, reason: closing.reason },
      source: closing.source,
    });
  }
  await enqueue(trx, 'removal.update-card', { organizationId: organization.id, requestId: request.id }, { queueName: removalCardQueue(request.id) });

  const [requester, target] = await Promise.all([
    findMemberById(trx, organization.id, request.requested_by_member_id),
    findMemberById(trx, organization.id, request.target_member_id),
  ]);
  const words = outcomeWords(closed, { requester: requester!, target: target!, decider: closing.decider });
  if (words.requester && requester && requester.status === 'active' && requester.id !== closing.decider?.id) {
    await notifyMember(trx, requester, { text: words.requester });
  }
  if (words.team && (closing.status === 'approved' || teamChannelApartFromCard(organization))) {
    await notifyTeamChannel(trx, organization, { text: words.team });
  }
  await refreshHomeTabs(trx, organization.id, await activeOwnerSlackIds(trx, organization.id));
  return closed;
}

interface People {
  requester: Member;
  target: Member;
  decider: Member | null;
}

/** What the requester's DM and the team channel say about a closed request. Pure. */
export function outcomeWords(request: RemovalRequest, p: People): { requester?: string; team?: string } {
  const target = memberLabel(p.target);
  const requester = memberLabel(p.requester);
  const decider = p.decider ? memberLabel(p.decider) : 'someone';
  const reason = request.decision_reason ? `: “${escapeText(request.decision_reason.replace(/\s+/g, ' '))}”` : '';
  switch (request.status) {
    case 'approved':
      return {
        requester: `:white_check_mark: ${decider} approved your request: ${target} was removed from the team.`,
        team: `:wave: ${target} was removed by ${requester}, approved by ${decider}.`,
      };
    case 'rejected':
      return {
        requester: `:x: ${decider} rejected your request to remove ${target}${reason}. ${target} is still a member.`,
        team: `:x: ${decider} rejected ${requester}'s request to remove ${target}.`,
      };
    case 'withdrawn':
      return { team: `${requester} withdrew the request to remove ${target}.` };
    case 'expired': {
      // The request's own span: the setting may have changed while it waited.
      const hours = Math.round((request.expires_at.getTime() - request.created_at.getTime()) / 3_600_000);
      return {
        requester: `:hourglass: Your request to remove ${target} expired: no other owner decided within ${hours} ${hours === 1 ? 'hour' : 'hours'}. ${target} is still a member.`,
        team: `:hourglass: The request to remove ${target} expired without a decision.`,
      };
    }
    case 'cancelled':
      return { requester: `Your request to remove ${target} was cancelled${reason}.` };
    default:
      return {};
  }
}
