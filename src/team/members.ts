import type { Db } from '../db/database.js';
import type { AuditSource, Member, Role } from '../db/schema.js';
import { AppError, person, say } from '../errors.js';
import { appendAuditEvent, type Actor as AuditActor } from '../activity/audit-repository.js';
import { authorize } from './policy.js';
import { inChange, type ChangeContext } from './change.js';
import { countActiveOwners, findMemberById, insertMember, recordRoleChange, updateMember, findMemberByEmail } from './member-repository.js';
import { lockOrganization } from './organization-repository.js';
import { normaliseEmail } from './emails.js';
import { endMembership } from './membership-end.js';

export const LAST_OWNER_MESSAGE =
  'A team always needs at least one owner. Make someone else an owner first.';

/** Slack's guests see only the channels they were let into: owning the team is more than that. */
export const GUEST_OWNER_MESSAGE = 'Guests can be members of the team, not owners.';

export interface RoleChangeInput {
  organizationId: string;
  /** The acting member's id as resolved for this request; re-read and locked here. */
  actorMemberId: string | null;
  targetMemberId: string;
  role: Role;
  source: AuditSource;
}

export interface RoleChangeResult {
  member: Member;
  previousRole: Role;
  /** The change's `member.role_changed` audit event: what an Undo button names (src/team/undo.ts). */
  eventId: string;
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
  { trx, organization, actor }: ChangeContext,
  input: Pick<RoleChangeInput, 'targetMemberId' | 'role' | 'source'> & { undoOf?: string },
): Promise<RoleChangeResult> {
  {
    const target = await findMemberById(trx, organization.id, input.targetMemberId);
    if (!target || target.status !== 'active') {
      authorize(actor, 'member.change_role', organization.id);
      throw new AppError('not_found', 'That person is not an active member of this team.');
    }
    authorize(actor, 'member.change_role', organization.id, target);
    if (target.role === input.role) {
      throw new AppError('no_change', say`${person(target)} is already ${input.role === 'owner' ? 'an owner' : 'a member'}. Nothing was changed.`);
    }
    if (target.role === 'owner' && (await countActiveOwners(trx, organization.id)) <= 1) {
      throw new AppError('last_owner', say`${person(target)} is the last owner. ${LAST_OWNER_MESSAGE}`);
    }
    if (input.role === 'owner' && target.slack_guest) {
      throw new AppError('guest_owner', say`${person(target)} is a guest in Slack. ${GUEST_OWNER_MESSAGE}`);
    }

    const updated = await updateMember(trx, target.id, { role: input.role });
    await recordRoleChange(trx, {
      organizationId: organization.id,
      memberId: target.id,
      from: target.role,
      to: input.role,
      by: actor.id,
      source: input.source,
    });
    const event = await appendAuditEvent(trx, {
      organizationId: organization.id,
      actor: { type: 'member', id: actor.id },
      action: 'member.role_changed',
      target: { type: 'member', id: target.id },
      before: { role: target.role },
      after: { role: input.role, ...(input.undoOf ? { undo_of: input.undoOf } : {}) },
      source: input.source,
    });
    return { member: updated, previousRole: target.role, eventId: event.id };
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
      member = await updateMember(trx, existing.id, {
        role: 'owner',
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
