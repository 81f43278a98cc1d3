import type { Db } from '../db/database.js';
import type { AuditSource, Member, RemovalRequest, Role } from '../db/schema.js';
import { AppError, moment, person, say } from '../errors.js';
import { appendAuditEvent, type Actor as AuditActor } from '../events/audit-repository.js';
import { authorize } from './policy.js';
import { inChange, type ChangeContext } from './change.js';
import { countActiveOwners, findMemberById, insertMember, recordRoleChange, updateMember, findMemberByEmail } from './member-repository.js';
import { lockOrganization } from './organization-repository.js';
import { normaliseEmail } from './emails.js';
import { endMembership } from './membership-end.js';
import { applyRoleChangeEvent, grantsOwnership, GUEST_OWNER_MESSAGE, LAST_OWNER_MESSAGE } from './role-change.js';
import { checkOwnerTerm } from './owner-terms.js';
import { openPromotionRequest, promotionNeedsApproval } from './promotions.js';

export { LAST_OWNER_MESSAGE, GUEST_OWNER_MESSAGE } from './role-change.js';

export interface RoleChangeInput {
  organizationId: string;
  /** The acting member's id as resolved for this request; re-read and locked here. */
  actorMemberId: string | null;
  targetMemberId: string;
  role: Role;
  /** With role owner: an owner until then (the expiry job demotes them); absent or null: permanent. */
  ownerUntil?: Date | null;
  source: AuditSource;
  /**
   * The change comes from a directory (an identity provider's Owners group over SCIM), not a
   * member: nobody here to authorise, the directory is the actor, and the two-person rule
   * (an owner's request for another owner's approval) does not apply. The last-owner rule holds.
   */
  byDirectory?: { name: string; actor: AuditActor };
  now?: Date;
}

export interface RoleChangeResult {
  /** The member as they are now: unchanged when the change waits for approval. */
  member: Member;
  previousRole: Role;
  previousOwnerUntil: Date | null;
  /** Set when the promotion became a request waiting for another owner (the two-person rule). */
  request?: RemovalRequest;
  /** The request was already open (asked before); nothing new was created. */
  alreadyPending?: boolean;
  /** The change's audit event when it was made (not when it waits): what an Undo button names (src/team/undo.ts). */
  eventId?: string;
}

/**
 * Changes a member's role. Takes the organization lock first, so concurrent role changes and
 * removals run one after another and the last-owner rule sees every committed change: of two
 * owners demoting each other at once, the second finds it is no longer an owner.
 */
export async function changeRole(db: Db, input: RoleChangeInput): Promise<RoleChangeResult> {
  return inChange(db, input.organizationId, input.actorMemberId, (ctx) => changeRoleIn(ctx, input));
}

/**
 * The role change inside a change already under way (the lock taken, the actor re-read): the
 * one set of rules both a role change and its Undo go through. `undoOf` names the event undone.
 */
export async function changeRoleIn(
  { trx, organization, actor: acting }: ChangeContext,
  input: Pick<RoleChangeInput, 'targetMemberId' | 'role' | 'source' | 'ownerUntil' | 'byDirectory' | 'now'> & { undoOf?: string },
): Promise<RoleChangeResult> {
  const directory = input.byDirectory;
  const now = input.now ?? new Date();
  if (input.role !== 'owner' && input.ownerUntil) throw new AppError('owner_until_member', 'Only an ownership can have an end time: a member is a member until someone changes it.');
  const ownerUntil = input.role === 'owner' ? (input.ownerUntil ?? null) : null;
  if (ownerUntil) checkOwnerTerm(ownerUntil, now);
  {
    const target = await findMemberById(trx, organization.id, input.targetMemberId);
    if (!target || target.status !== 'active') {
      if (!directory) authorize(acting, 'member.change_role', organization.id);
      throw new AppError('not_found', 'That person is not an active member of this team.');
    }
    const actor = directory ? null : (authorize(acting, 'member.change_role', organization.id, target), acting);
    const unchanged = { member: target, previousRole: target.role, previousOwnerUntil: target.owner_until };
    if (target.role === input.role && (target.owner_until?.getTime() ?? null) === (ownerUntil?.getTime() ?? null)) {
      const what = input.role === 'member' ? say`a member` : target.owner_until ? say`an owner until ${moment(target.owner_until)}` : say`an owner`;
      throw new AppError('no_change', say`${person(target)} is already ${what}. Nothing was changed.`);
    }
    if (target.role === 'owner' && input.role === 'member' && (await countActiveOwners(trx, organization.id)) <= 1) {
      throw new AppError('last_owner', say`${person(target)} is the last owner. ${LAST_OWNER_MESSAGE}`);
    }
    if (input.role === 'owner' && target.slack_guest) {
      throw new AppError('guest_owner', say`${person(target)} is a guest in Slack. ${GUEST_OWNER_MESSAGE}`);
    }
    if (actor && grantsOwnership(target, input.role, ownerUntil) && (await promotionNeedsApproval(trx, organization, actor, target))) {
      const { request, alreadyPending } = await openPromotionRequest(trx, organization, { requester: actor, target, ownerUntil, source: input.source, now });
      return { ...unchanged, request, alreadyPending };
    }
    const changed = await applyRoleChangeEvent(trx, organization, {
      target,
      role: input.role,
      ownerUntil,
      actor: actor ? { type: 'member', id: actor.id } : directory!.actor,
      by: actor?.id ?? null,
      ...(directory || input.undoOf ? { details: { ...(directory ? { directory: directory.name } : {}), ...(input.undoOf ? { undo_of: input.undoOf } : {}) } } : {}),
      source: input.source,
    });
    return { ...unchanged, member: changed.member, eventId: changed.eventId };
  }
}

/** A member leaves the team. The last owner cannot; access ends when this commits. */
export async function leaveTeam(db: Db, input: { organizationId: string; actorMemberId: string | null; source: AuditSource }): Promise<Member> {
  return inChange(db, input.organizationId, input.actorMemberId, async ({ trx, organization, actor }) => {
    authorize(actor, 'team.leave', organization.id);
    if (actor.role === 'owner' && (await countActiveOwners(trx, organization.id)) <= 1) {
      throw new AppError('last_owner', `You are the last owner, so you cannot leave. ${LAST_OWNER_MESSAGE}`);
    }
    const left = await endMembership(trx, organization, actor, {
      action: 'member.left',
      actor: { type: 'member', id: actor.id },
      removedBy: actor,
      reason: 'left the team',
      source: input.source,
      now: new Date(),
    });
    return left;
  });
}

export type EnsureOwnerOutcome = 'created' | 'promoted' | 'reactivated' | 'already_owner';

/**
 * Makes an email address an owner: the first-owner path (command line, BOOTSTRAP_OWNER_EMAILS),
 * run by whoever operates the server rather than by a member, hence its own actor.
 */
export async function ensureOwner(
  db: Db,
  input: { organizationId: string; email: string; actor: AuditActor; source: AuditSource },
): Promise<{ member: Member; outcome: EnsureOwnerOutcome }> {
  const email = normaliseEmail(input.email);
  if (!email) throw new AppError('invalid_email', `"${input.email}" is not an email address.`);
  return db.transaction().execute(async (trx) => {
    const organization = await lockOrganization(trx, input.organizationId);
    const existing = await findMemberByEmail(trx, organization.id, email, { forUpdate: true });
    if (existing?.status === 'active' && existing.role === 'owner') return { member: existing, outcome: 'already_owner' as const };

    let member: Member;
    let outcome: EnsureOwnerOutcome;
    if (!existing) {
      member = await insertMember(trx, { organizationId: organization.id, email, role: 'owner' });
      outcome = 'created';
      await appendAuditEvent(trx, {
        organizationId: organization.id,
        actor: input.actor,
        action: 'member.added',
        target: { type: 'member', id: member.id },
        after: { email, role: 'owner', status: 'active' },
        source: input.source,
      });
    } else {
      const reactivate = existing.status === 'removed';
      member = await updateMember(trx, existing, {
        role: 'owner',
        // Made an owner by whoever runs the server: a permanent one.
        owner_until: null,
        owner_expiry_held_at: null,
        ...(reactivate ? { status: 'active' as const, removed_at: null, removed_by_member_id: null, removal_reason: null, joined_at: new Date() } : {}),
      });
      outcome = reactivate ? 'reactivated' : 'promoted';
      await appendAuditEvent(trx, {
        organizationId: organization.id,
        actor: input.actor,
        action: reactivate ? 'member.reactivated' : 'member.role_changed',
        target: { type: 'member', id: member.id },
        before: { role: existing.role, status: existing.status },
        after: { role: 'owner', status: 'active' },
        source: input.source,
      });
    }
    await recordRoleChange(trx, {
      organizationId: organization.id,
      memberId: member.id,
      from: outcome === 'created' ? null : existing!.role,
      to: 'owner',
      by: null,
      source: input.source,
    });
    return { member, outcome };
  });
}
