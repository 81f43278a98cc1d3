import type { Db } from '../db/database.js';
import type { AuditEvent, AuditSource, Member, Role } from '../db/schema.js';
import { AppError, moment, person, say } from '../errors.js';
import { findAuditEvent, latestMemberEvent } from '../events/audit-repository.js';
import { authorize } from './policy.js';
import { inChange } from './change.js';
import { findMemberById } from './member-repository.js';
import { changeRoleIn } from './members.js';
import { MEMBERSHIP_CHANGES, RESTORE_OFF_MESSAGE, restoreMemberIn } from './restore.js';

/**
 * Undo for the one who just acted (issue 19): a role change, or a removal made without
 * anyone's approval, taken back within five minutes by the person who made it. The button only
 * names the audit event; everything else is read here, under the organization lock: that the
 * clicker made that change, that nothing about the member changed since, that the five minutes
 * have not passed. The inverse goes through the same rules as any change (a role change's
 * last-owner rule, a restore's checks), and its audit event carries `undo_of: <event id>`.
 */

export const UNDO_WINDOW_MS = 5 * 60 * 1000;

/** The audit actions an Undo can take back. */
export function undoable(event: Pick<AuditEvent, 'action' | 'actor_type' | 'after'>): boolean {
  if (event.actor_type !== 'member') return false;
  if (event.action === 'member.role_changed') return true;
  // A removal someone approved was two people's decision: a restore (/team restore), not an Undo.
  return event.action === 'member.removed' && !str(fieldsOf(event.after).approved_by) && !str(fieldsOf(event.after).removal_request_id);
}

export type UndoResult = { kind: 'role_changed'; member: Member; role: Role; eventId: string } | { kind: 'restored'; member: Member; eventId: string };

export async function undoChange(
  db: Db,
  input: { organizationId: string; actorMemberId: string | null; eventId: string; source: AuditSource; now?: Date },
): Promise<UndoResult> {
  const now = input.now ?? new Date();
  return inChange(db, input.organizationId, input.actorMemberId, async (ctx) => {
    const { trx, organization, actor } = ctx;
    authorize(actor, 'team.view', organization.id);
    const event = await findAuditEvent(trx, organization.id, input.eventId);
    if (!event || !undoable(event) || event.target_type !== 'member' || !event.target_id) {
      throw new AppError('not_undoable', 'That change cannot be undone from here. Nothing was changed.');
    }
    const target = (await findMemberById(trx, organization.id, event.target_id))!;
    if (event.actor_id !== actor.id) {
      const by = event.actor_id ? await findMemberById(trx, organization.id, event.actor_id) : undefined;
      throw new AppError('undo_not_yours', by ? say`Only ${person(by)}, who made this change, can undo it. Nothing was changed.` : 'Only the person who made this change can undo it. Nothing was changed.');
    }
    if (now.getTime() - event.occurred_at.getTime() > UNDO_WINDOW_MS) {
      const instead = event.action === 'member.removed' ? 'restore them with `/team restore`' : 'change the role again with `/team role`';
      throw new AppError('undo_expired', say`Undo works for 5 minutes after a change; this one was made on ${moment(event.occurred_at)}. Nothing was changed: ${instead}.`);
    }
    const latest = await latestMemberEvent(trx, organization.id, target.id, MEMBERSHIP_CHANGES);
    if (latest && latest.id !== event.id) {
      throw new AppError('undo_superseded', say`${person(target)} was changed again after this, on ${moment(latest.occurred_at)}; Undo only takes back the latest change. Nothing was changed.`);
    }

    if (event.action === 'member.role_changed') {
      const previous = fieldsOf(event.before).role;
      if (previous !== 'owner' && previous !== 'member') throw new AppError('not_undoable', 'That change cannot be undone from here. Nothing was changed.');
      const result = await changeRoleIn(ctx, { targetMemberId: target.id, role: previous, source: input.source, undoOf: event.id });
      // Under the two-person rule an Undo of a demotion is a promotion that waits for approval: not an Undo.
      if (!result.eventId) throw new AppError('undo_needs_approval', say`Making ${person(target)} an owner again needs another owner's approval: ask with \`/team role\`. Nothing was changed.`);
      return { kind: 'role_changed' as const, member: result.member, role: previous, eventId: result.eventId };
    }
    // Undoing a removal is restoring the member; with restore turned off (window 0), removals are final.
    if (organization.restore_window_days === 0) throw new AppError('restore_off', RESTORE_OFF_MESSAGE);
    const restored = await restoreMemberIn(ctx, { targetMemberId: target.id, source: input.source, now, undoOf: event.id });
    return { kind: 'restored' as const, ...restored };
  });
}

/** An audit row's before/after as an object (jsonb comes back parsed; a string is parsed here). */
function fieldsOf(value: unknown): Record<string, unknown> {
  const parsed = typeof value === 'string' ? JSON.parse(value) : value;
  return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
