import type { DbOrTrx } from '../db/database.js';
import type { AuditSource, Member, Organization, Role } from '../db/schema.js';
import { appendAuditEvent, type Actor as AuditActor } from '../events/audit-repository.js';
import { recordRoleChange, updateMember } from './member-repository.js';

export const LAST_OWNER_MESSAGE =
  'A team always needs at least one owner. Make someone else an owner first.';

/** Slack's guests see only the channels they were let into: owning the team is more than that. */
export const GUEST_OWNER_MESSAGE = 'Guests can be members of the team, not owners.';

/**
 * Writes a role change that has already been decided — by an owner at once, by the approval
 * of a promotion request, or by the clock at a temporary ownership's end — inside the
 * caller's transaction, with its history row and its one audit event. The rules (who may,
 * the last owner, guests, approval) are the callers'; this is only the write, so the three
 * paths cannot describe the same change in three ways.
 */
export interface DecidedRoleChange {
  target: Member;
  role: Role;
  /** For an owner: until when (null: permanent). Ignored for a member. */
  ownerUntil: Date | null;
  actor: AuditActor;
  /** The member who made the change, for the history row; null for the clock. */
  by: string | null;
  /** Added to the audit event's `after`: e.g. the promotion request and its approver. */
  details?: Record<string, unknown>;
  source: AuditSource;
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

export async function applyRoleChange(trx: DbOrTrx, organization: Organization, change: DecidedRoleChange): Promise<Member> {
  return (await applyRoleChangeEvent(trx, organization, change)).member;
}

/** applyRoleChange, also naming the audit event it appended: what an Undo button names (src/team/undo.ts). */
export async function applyRoleChangeEvent(trx: DbOrTrx, organization: Organization, change: DecidedRoleChange): Promise<{ member: Member; eventId: string }> {
  const { target, role } = change;
  const ownerUntil = role === 'owner' ? change.ownerUntil : null;
  const updated = await updateMember(trx, target, { role, owner_until: ownerUntil, owner_expiry_held_at: null });
  if (target.role === role) {
    // Still an owner: only the end moved (extended, shortened, made permanent or temporary).
    const event = await appendAuditEvent(trx, {
      organizationId: organization.id,
      actor: change.actor,
      action: 'member.owner_until_changed',
      target: { type: 'member', id: target.id },
      before: { role, owner_until: iso(target.owner_until) },
      after: { role, owner_until: iso(ownerUntil), ...change.details },
      source: change.source,
    });
    return { member: updated, eventId: event.id };
  }
  await recordRoleChange(trx, { organizationId: organization.id, memberId: target.id, from: target.role, to: role, by: change.by, source: change.source });
  const event = await appendAuditEvent(trx, {
    organizationId: organization.id,
    actor: change.actor,
    action: 'member.role_changed',
    target: { type: 'member', id: target.id },
    before: { role: target.role, ...(target.owner_until ? { owner_until: iso(target.owner_until) } : {}) },
    after: { role, ...(ownerUntil ? { owner_until: iso(ownerUntil) } : {}), ...change.details },
    source: change.source,
  });
  return { member: updated, eventId: event.id };
}

/** Whether this change gives more ownership than the target has: a promotion, or a later (or no) end to a temporary one. */
export function grantsOwnership(target: Pick<Member, 'role' | 'owner_until'>, role: Role, ownerUntil: Date | null): boolean {
  if (role !== 'owner') return false;
  if (target.role !== 'owner') return true;
  if (!target.owner_until) return false;
  return ownerUntil === null || ownerUntil.getTime() > target.owner_until.getTime();
}
