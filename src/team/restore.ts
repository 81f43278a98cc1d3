import type { Db } from '../db/database.js';
import type { AuditSource, Member, Organization, Role } from '../db/schema.js';
import { AppError, moment, person, say } from '../errors.js';
import { appendAuditEvent, latestMemberEvent } from '../events/audit-repository.js';
import { authorize } from './policy.js';
import { inChange, type ChangeContext } from './change.js';
import { SLACK_DIRECTORY } from './directory-changes.js';
import { findMemberById, recordRoleChange, updateMember } from './member-repository.js';

/**
 * Restore (issue 19): a membership that ended (removed by an owner, left, deactivated in Slack)
 * brought back by an owner within the organization's restore window. The same member row comes
 * back to `active`, so the Slack link, joined_at and every audit event about them stay as they
 * were; restored_at says when. What was cancelled when they went (invitations they sent, removal
 * requests) stays cancelled: a restore gives back the membership, not the open business.
 */

const DAY_MS = 24 * 60 * 60 * 1000;

/** The member's changes that an Undo must be the latest of, and that say "restored already". */
export const MEMBERSHIP_CHANGES = ['member.role_changed', 'member.removed', 'member.left', 'member.restored', 'member.reactivated', 'member.owner_until_changed'] as const;

/**
 * The role a restored member comes back with: the role they had, except that under the
 * two-person rule (promotion_approval_policy 'another-owner') a former owner comes back as a
 * member, since being an owner again is a promotion that needs another owner's approval.
 */
export function restoredRole(previous: Role, organization: Pick<Organization, 'promotion_approval_policy'>): Role {
  if (previous === 'owner' && organization.promotion_approval_policy === 'another-owner') return 'member';
  return previous;
}

export const RESTORE_OFF_MESSAGE = 'Restore is turned off in the team settings (restore window: 0 days). Invite them again with `/team invite`.';

export interface RestoreResult {
  member: Member;
  /** The `member.restored` audit event. */
  eventId: string;
}

/** An owner restores a removed member: one transaction under the organization lock, authorised from the database. */
export async function restoreMember(
  db: Db,
  input: { organizationId: string; actorMemberId: string | null; targetMemberId: string; source: AuditSource; now?: Date },
): Promise<RestoreResult> {
  return inChange(db, input.organizationId, input.actorMemberId, (ctx) => restoreMemberIn(ctx, { ...input, now: input.now ?? new Date() }));
}

/**
 * The restore inside a change under way. `undoOf` (the removal an Undo takes back, src/team/undo.ts)
 * lifts the window — the Undo has its own five minutes — but not the setting being off.
 */
export async function restoreMemberIn(
  { trx, organization, actor }: ChangeContext,
  input: { targetMemberId: string; source: AuditSource; now: Date; undoOf?: string },
): Promise<RestoreResult> {
  const target = await findMemberById(trx, organization.id, input.targetMemberId);
  authorize(actor, 'member.restore', organization.id, target);
  if (!target) throw new AppError('not_found', 'That person was never a member of this team.');
  if (target.status === 'active') {
    const latest = await latestMemberEvent(trx, organization.id, target.id, MEMBERSHIP_CHANGES);
    if (latest?.action === 'member.restored') {
      const by = latest.actor_type === 'member' && latest.actor_id ? await findMemberById(trx, organization.id, latest.actor_id) : undefined;
      throw new AppError('already_restored', say`${person(target)} was already restored${by ? say` by ${person(by)}` : []} on ${moment(latest.occurred_at)}. Nothing was changed.`);
    }
    throw new AppError('not_removed', say`${person(target)} is an active member of this team: there is nothing to restore.`);
  }

  const window = organization.restore_window_days;
  if (window === 0) throw new AppError('restore_off', RESTORE_OFF_MESSAGE);
  const removedAt = target.removed_at ?? input.now;
  const elapsed = input.now.getTime() - removedAt.getTime();
  if (!input.undoOf && elapsed > window * DAY_MS) {
    const days = Math.ceil(elapsed / DAY_MS);
    throw new AppError(
      'restore_window_passed',
      say`${person(target)} was removed ${days} days ago; restore works for ${window} ${window === 1 ? 'day' : 'days'}. Invite them again with \`/team invite\`.`,
    );
  }
  // The directory ended this membership: while the account is still deactivated there, a
  // restore would give access to an account nobody can sign in with. Slack's reactivation is
  // recorded as `member.reactivation_reported` (src/team/directory-changes.ts).
  if (target.removal_reason === `deactivated in ${SLACK_DIRECTORY.name}`) {
    const latest = await latestMemberEvent(trx, organization.id, target.id, ['member.removed', 'member.reactivation_reported']);
    if (latest?.action !== 'member.reactivation_reported') {
      throw new AppError(
        'still_deactivated',
        say`${person(target)}'s ${SLACK_DIRECTORY.name} account is still deactivated, so they cannot be restored. Once ${SLACK_DIRECTORY.name} has reactivated it, restore them again.`,
      );
    }
  }

  let role = restoredRole(target.role, organization);
  // A guest in Slack may come back, but not as an owner.
  if (role === 'owner' && target.slack_guest) role = 'member';
  const restored = await updateMember(trx, target, {
    status: 'active',
    role,
    removed_at: null,
    removed_by_member_id: null,
    removal_reason: null,
    restored_at: input.now,
    // A temporary ownership does not survive a removal: a restored owner is a permanent one.
    owner_until: null,
    owner_expiry_held_at: null,
  });
  if (role !== target.role) {
    await recordRoleChange(trx, { organizationId: organization.id, memberId: target.id, from: target.role, to: role, by: actor.id, source: input.source });
  }
  const event = await appendAuditEvent(trx, {
    organizationId: organization.id,
    actor: { type: 'member', id: actor.id },
    action: 'member.restored',
    target: { type: 'member', id: target.id },
    before: { status: 'removed', role: target.role, removed_at: removedAt.toISOString(), reason: target.removal_reason },
    after: {
      status: 'active',
      role,
      ...(input.undoOf ? { undo_of: input.undoOf } : {}),
    },
    source: input.source,
  });
  return { member: restored, eventId: event.id };
}
