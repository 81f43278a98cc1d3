import type { Db, DbOrTrx } from '../db/database.js';
import type { AuditSource, Member, Organization, RemovalRequest } from '../db/schema.js';
import { AppError, moment, person, say, type Word } from '../errors.js';
import { appendAuditEvent, latestMemberEvent, SYSTEM_ACTOR } from '../events/audit-repository.js';
import { authorize, decide, NOT_A_MEMBER_MESSAGE, type Actor } from './policy.js';
import { inChange } from './change.js';
import { countActiveOwners, findMemberById } from './member-repository.js';
import { endMembership } from './membership-end.js';
import { findOrganizationById } from './organization-repository.js';
import { closeRequest } from './removal-outcomes.js';
import {
  countOtherActiveOwners,
  findPendingRequestFor,
  findRemovalRequest,
  insertRemovalRequest,
  listPendingRemovalRequests,
  lockExpiredRemovalRequests,
} from './removal-repository.js';
import { LAST_OWNER_MESSAGE } from './role-change.js';
import { applyApprovedPromotion, promotionApprovalRefusal } from './promotions.js';

/**
 * Removals (product brief, "Removals"): an owner asks; under the `another-owner` policy, when
 * some other owner could approve, a request waits for one of them, else the member is removed
 * at once. Every decision is a conditional state change of the request, made under the
 * organization lock in the same transaction as the removal, so whatever the clicks, retries
 * and races, a request has one outcome, one audit event and one set of notifications.
 */

export const MAX_REASON_LENGTH = 1000;
const HOUR_MS = 60 * 60 * 1000;

export type RemovalDecision = 'approve' | 'reject' | 'withdraw';

function cleanReason(reason: string | null | undefined): string | null {
  // U+0000 cannot be stored in PostgreSQL text and is invisible anyway: dropped, whoever calls.
  const trimmed = reason?.replace(/\u0000/g, '').trim();
  if (!trimmed) return null;
  if ([...trimmed].length > MAX_REASON_LENGTH) {
    throw new AppError('reason_too_long', `Keep the reason under ${MAX_REASON_LENGTH} characters (it has ${[...trimmed].length}).`);
  }
  return trimmed;
}

/** Refuses a target that cannot be removed by this actor; returns the target as read now. */
async function removableTarget(trx: DbOrTrx, organization: Organization, actor: Member | null, targetMemberId: string): Promise<{ actor: Member; target: Member }> {
  const target = await findMemberById(trx, organization.id, targetMemberId);
  if (!target || target.status !== 'active') {
    authorize(actor, 'member.request_removal', organization.id);
    throw new AppError('not_found', 'That person is not an active member of this team.');
  }
  authorize(actor, 'member.request_removal', organization.id, target);
  if (target.role === 'owner' && (await countActiveOwners(trx, organization.id)) <= 1) {
    throw new AppError('last_owner', say`${person(target)} is the last owner. ${LAST_OWNER_MESSAGE}`);
  }
  return { actor, target };
}

/** Whether removing this target now needs another owner's approval: the policy asks for it and someone could give it. */
async function needsApproval(trx: DbOrTrx, organization: Organization, actor: Member, target: Member): Promise<boolean> {
  if (organization.removal_approval_policy !== 'another-owner') return false;
  return (await countOtherActiveOwners(trx, organization.id, [actor.id, target.id])) > 0;
}

export interface RemovalPreview {
  target: Member;
  needsApproval: boolean;
  /** A request for this person already waiting for approval. */
  pending?: RemovalRequest;
}

/**
 * What the Remove dialog needs to say before anyone confirms: who, and whether it happens at
 * once or waits for approval. Runs the same checks as the removal, so a dialog is only offered
 * to someone who may go through with it.
 */
export async function previewRemoval(db: Db, input: { organizationId: string; actorMemberId: string | null; targetMemberId: string }): Promise<RemovalPreview> {
  return inChange(db, input.organizationId, input.actorMemberId, async ({ trx, organization, actor }) => {
    const { actor: owner, target } = await removableTarget(trx, organization, actor, input.targetMemberId);
    const pending = await findPendingRequestFor(trx, organization.id, target.id);
    return { target, needsApproval: await needsApproval(trx, organization, owner, target), ...(pending ? { pending } : {}) };
  });
}

export type RemovalRequestResult = { kind: 'removed'; member: Member; /** Its `member.removed` event: what the requester's Undo names. */ eventId: string } | { kind: 'requested'; request: RemovalRequest; alreadyPending: boolean };

/**
 * The requester has confirmed. Either removes at once (no approval needed) or opens a request
 * and queues its approval card; a second request for the same person returns the open one.
 */
export async function requestRemoval(
  db: Db,
  input: { organizationId: string; actorMemberId: string | null; targetMemberId: string; reason?: string | null; source: AuditSource; now?: Date },
): Promise<RemovalRequestResult> {
  const reason = cleanReason(input.reason);
  const now = input.now ?? new Date();
  return inChange(db, input.organizationId, input.actorMemberId, async ({ trx, organization, actor }) => {
    const { actor: requester, target } = await removableTarget(trx, organization, actor, input.targetMemberId);
    const pending = await findPendingRequestFor(trx, organization.id, target.id);
    if (pending) return { kind: 'requested' as const, request: pending, alreadyPending: true };

    if (!(await needsApproval(trx, organization, requester, target))) {
      const member = await removeMember(trx, organization, { target, requester, approver: null, reason, request: null, source: input.source, now });
      // Written just now, under the lock: the latest removal of this member is this one.
      const event = (await latestMemberEvent(trx, organization.id, target.id, ['member.removed']))!;
      return { kind: 'removed' as const, member, eventId: event.id };
    }

    const request = await insertRemovalRequest(trx, {
      organizationId: organization.id,
      targetMemberId: target.id,
      requestedBy: requester.id,
      reason,
      expiresAt: new Date(now.getTime() + organization.removal_request_expiry_hours * HOUR_MS),
    });
    await appendAuditEvent(trx, {
      organizationId: organization.id,
      actor: { type: 'member', id: requester.id },
      action: 'removal.requested',
      target: { type: 'removal_request', id: request.id },
      after: { status: 'pending', target_member_id: target.id, reason, expires_at: request.expires_at.toISOString() },
      source: input.source,
    });
    return { kind: 'requested' as const, request, alreadyPending: false };
  });
}

interface Removal {
  target: Member;
  requester: Member;
  approver: Member | null;
  reason: string | null;
  request: RemovalRequest | null;
  source: AuditSource;
  now: Date;
}

/** Ends the target's membership, inside the decision's transaction; its audit event says who asked and who approved, for the tellers. */
async function removeMember(trx: DbOrTrx, organization: Organization, removal: Removal): Promise<Member> {
  const { target, requester, approver } = removal;
  return endMembership(trx, organization, target, {
    action: 'member.removed',
    actor: { type: 'member', id: (approver ?? requester).id },
    removedBy: requester,
    reason: removal.reason,
    details: { requested_by: requester.id, approved_by: approver?.id ?? null, removal_request_id: removal.request?.id ?? null },
    source: removal.source,
    now: removal.now,
  });
}

/**
 * Why this actor may not take this decision on this request now, in a sentence for them; or
 * undefined when they may. Pure: the caller reads everything from the database first. The
 * order matters: a closed request says so to everyone, whoever they are.
 */
export function decisionRefusal(
  actor: Actor,
  decision: RemovalDecision,
  request: RemovalRequest,
  people: RequestPeople,
): readonly Word[] | undefined {
  if (!actor || actor.status !== 'active' || actor.organization_id !== request.organization_id) return [NOT_A_MEMBER_MESSAGE];
  if (request.status !== 'pending') return alreadyClosedSentence(request, people);
  const noun = request.kind === 'promotion' ? 'promotion' : 'removal';
  if (decision === 'withdraw') {
    if (!people.requester) return [`${request.requested_by_directory ?? 'The directory'} raised this request, so nobody can withdraw it: an owner keeps or removes the person.`];
    return actor.id === request.requested_by_member_id ? undefined : say`Only ${person(people.requester)}, who asked for this ${noun}, can withdraw it.`;
  }
  const allowed = decide(actor, 'removal.decide', request.organization_id);
  if (!allowed.allowed) return [allowed.reason ?? NOT_A_MEMBER_MESSAGE];
  if (actor.id === request.requested_by_member_id) {
    return [`You asked for this ${noun}, so another owner has to approve or reject it. You can withdraw it instead.`];
  }
  if (actor.id === request.target_member_id) return ['This request is about you, so another owner has to decide it.'];
  return undefined;
}

/** The people a request names; a request a directory raised (kind `deactivation`) has no requester. */
export interface RequestPeople {
  requester: Member | null;
  target: Member;
  decider: Member | null;
}

function alreadyClosedSentence(request: RemovalRequest, people: RequestPeople): Word[] {
  const on: Word[] = request.decided_at ? say` on ${moment(request.decided_at)}` : [];
  const by: Word[] = people.decider ? say` by ${person(people.decider)}` : [];
  if (request.kind === 'deactivation' && request.status === 'approved') return say`This was already decided${by}${on}: ${person(people.target)} was removed.`;
  if (request.kind === 'deactivation' && request.status === 'rejected') return say`This was already decided${by}${on}: ${person(people.target)} was kept.`;
  switch (request.status) {
    case 'approved':
      return request.kind === 'promotion'
        ? say`This request was already approved${by}${on}: ${person(people.target)} was made an owner.`
        : say`This request was already approved${by}${on}: ${person(people.target)} was removed.`;
    case 'rejected':
      return say`This request was already rejected${by}${on}.`;
    case 'withdrawn':
      return people.requester ? say`This request was withdrawn by ${person(people.requester)}${on}.` : say`This request was withdrawn${on}.`;
    case 'expired':
      return say`This request expired${on} without a decision.`;
    default:
      return say`This request was cancelled${on}${request.decision_reason ? `: ${request.decision_reason}` : ''}.`;
  }
}

/** Loads a request with its people, or refuses when it does not exist here. */
async function loadRequest(trx: DbOrTrx, organizationId: string, requestId: string, forUpdate: boolean) {
  const request = await findRemovalRequest(trx, organizationId, requestId, { forUpdate });
  if (!request) throw new AppError('not_found', 'That request does not exist.');
  const [requester, target, decider] = await Promise.all([
    request.requested_by_member_id ? findMemberById(trx, organizationId, request.requested_by_member_id) : undefined,
    findMemberById(trx, organizationId, request.target_member_id),
    request.decided_by_member_id ? findMemberById(trx, organizationId, request.decided_by_member_id) : undefined,
  ]);
  return { request, people: { requester: requester ?? null, target: target!, decider: decider ?? null } as RequestPeople };
}

/**
 * Whether the actor could take the decision now, changing nothing: the Reject button asks
 * before it opens the reason dialog, so nobody types a reason only to be refused.
 */
export async function checkRemovalDecision(
  db: Db,
  input: { organizationId: string; actorMemberId: string | null; requestId: string; decision: RemovalDecision },
): Promise<{ request: RemovalRequest; target: Member; refusal?: readonly Word[] }> {
  const { request, people } = await loadRequest(db, input.organizationId, input.requestId, false);
  const actor = input.actorMemberId ? ((await findMemberById(db, input.organizationId, input.actorMemberId)) ?? null) : null;
  const refusal = decisionRefusal(actor, input.decision, request, people);
  return { request, target: people.target, ...(refusal ? { refusal } : {}) };
}

export class RemovalDecisionRefusedError extends AppError {
  constructor(message: readonly Word[], readonly request: RemovalRequest) {
    super('decision_refused', message);
  }
}

/**
 * Approve, reject or withdraw. Under the organization lock with the request row locked, the
 * actor and the request are read as they are now and the decision is refused unless it is
 * still pending and this actor may take it: a double click, Slack's retry or a second approver
 * finds it decided and gets "already approved by X".
 */
export async function decideRemoval(
  db: Db,
  input: {
    organizationId: string;
    actorMemberId: string | null;
    requestId: string;
    decision: RemovalDecision;
    reason?: string | null;
    source: AuditSource;
    now?: Date;
  },
): Promise<{ request: RemovalRequest; target: Member }> {
  const reason = cleanReason(input.reason);
  const now = input.now ?? new Date();
  return inChange(db, input.organizationId, input.actorMemberId, async ({ trx, organization, actor }) => {
    const { request, people } = await loadRequest(trx, organization.id, input.requestId, true);
    const refusal = decisionRefusal(actor, input.decision, request, people);
    if (refusal) throw new RemovalDecisionRefusedError(refusal, request);
    const decider = actor!;
    // Keeping someone the directory deactivated needs no reason: the card says who kept them.
    if (input.decision === 'reject' && !reason && request.kind !== 'deactivation') throw new AppError('reason_required', `Say why you reject this ${request.kind}: the requester will read it.`);

    if (input.decision === 'approve' && request.kind === 'deactivation') {
      // Re-checked at the click, as any removal's last-owner rule is.
      if (people.target.status !== 'active') throw new AppError('not_found', say`${person(people.target)} is no longer a member of this team.`);
      if (people.target.role === 'owner' && (await countActiveOwners(trx, organization.id)) <= 1) {
        throw new AppError('last_owner', say`${person(people.target)} is the last owner. ${LAST_OWNER_MESSAGE}`);
      }
      const closed = await closeRequest(trx, organization, request, { status: 'approved', decider, reason: null, actor: { type: 'member', id: decider.id }, source: input.source, now });
      const directory = request.requested_by_directory ?? 'Slack';
      const target = await endMembership(trx, organization, people.target, {
        action: 'member.removed',
        actor: { type: 'member', id: decider.id },
        removedBy: decider,
        reason: request.reason ?? `deactivated in ${directory}`,
        details: { directory, removal_request_id: request.id, decided_by: decider.id },
        source: input.source,
        now,
      });
      return { request: closed!, target };
    }

    if (input.decision === 'approve' && request.kind === 'promotion') {
      // Re-checked at the moment of approval, as a removal's last-owner rule is.
      const cannot = promotionApprovalRefusal(request, people.target, now);
      if (cannot) throw cannot;
      const closed = await closeRequest(trx, organization, request, { status: 'approved', decider, reason: null, actor: { type: 'member', id: decider.id }, source: input.source, now });
      const target = await applyApprovedPromotion(trx, organization, { request, target: people.target, requester: people.requester!, approver: decider, source: input.source });
      return { request: closed!, target };
    }

    if (input.decision === 'approve') {
      // Re-checked at the moment of approval: the target may have become the last owner meanwhile.
      if (people.target.role === 'owner' && (await countActiveOwners(trx, organization.id)) <= 1) {
        throw new AppError('last_owner', say`${person(people.target)} is the last owner. ${LAST_OWNER_MESSAGE}`);
      }
      const closed = await closeRequest(trx, organization, request, { status: 'approved', decider, reason: null, actor: { type: 'member', id: decider.id }, source: input.source, now });
      const target = await removeMember(trx, organization, {
        target: people.target,
        requester: people.requester!,
        approver: decider,
        reason: request.reason,
        request,
        source: input.source,
        now,
      });
      return { request: closed!, target };
    }
    const closed = await closeRequest(trx, organization, request, {
      status: input.decision === 'reject' ? 'rejected' : 'withdrawn',
      decider,
      reason,
      actor: { type: 'member', id: decider.id },
      source: input.source,
      now,
    });
    return { request: closed!, target: people.target };
  });
}

/**
 * The periodic expiry: pending requests past their time become expired, each audited, its card
 * rewritten and its requester told. SKIP LOCKED: several workers never expire one twice.
 */
export async function expireRemovalRequests(db: Db, now = new Date(), batchSize = 500): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const due = await lockExpiredRemovalRequests(trx, now, batchSize);
    for (const request of due) {
      const organization = (await findOrganizationById(trx, request.organization_id))!;
      await closeRequest(trx, organization, request, { status: 'expired', decider: null, reason: null, actor: SYSTEM_ACTOR, source: 'system', now });
    }
    return due.length;
  });
}

export interface OpenRemovalRequest {
  request: RemovalRequest;
  /** Null for a request a directory raised (kind `deactivation`). */
  requester: Member | null;
  target: Member;
}

/** Pending requests, oldest first, with their people: the App Home's "Waiting for approval". Owners only. */
export async function readOpenRemovalRequests(db: DbOrTrx, organizationId: string, viewer: Actor, limit = 10): Promise<OpenRemovalRequest[]> {
  if (!decide(viewer, 'removal.decide', organizationId).allowed) return [];
  const requests = await listPendingRemovalRequests(db, organizationId, limit);
  // Everyone the requests name, in one query.
  const ids = [...new Set(requests.flatMap((r) => [r.requested_by_member_id, r.target_member_id]).filter((id): id is string => id !== null))];
  const people = ids.length === 0 ? [] : await db.selectFrom('members').selectAll().where('organization_id', '=', organizationId).where('id', 'in', ids).execute();
  const byId = new Map(people.map((m) => [m.id, m]));
  return requests.map((request) => ({ request, requester: (request.requested_by_member_id && byId.get(request.requested_by_member_id)) || null, target: byId.get(request.target_member_id)! }));
}

