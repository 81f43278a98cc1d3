import type { DbOrTrx } from '../db/database.js';
import type { Invitation, Member } from '../db/schema.js';
import { decide, type Actor } from './policy.js';

export interface PendingInvitationsRead {
  allowed: boolean;
  reason?: string;
  rows: Array<{ invitation: Invitation; inviter: Pick<Member, 'slack_user_id' | 'display_name' | 'email'> | null }>;
  total: number;
}

/**
 * Pending and expired invitations (expired ones can be resent), newest first, with who sent
 * them. Every member may look ('team.view'); only owners get the buttons.
 */
export async function readPendingInvitations(db: DbOrTrx, organizationId: string, viewer: Actor, limit: number): Promise<PendingInvitationsRead> {
  const decision = decide(viewer, 'team.view', organizationId);
  if (!decision.allowed) return { allowed: false, reason: decision.reason!, rows: [], total: 0 };
  const rows = await db
    .selectFrom('invitations as i')
    .leftJoin('members as m', (join) => join.onRef('m.organization_id', '=', 'i.organization_id').onRef('m.id', '=', 'i.invited_by_member_id'))
    .selectAll('i')
    .select(['m.slack_user_id as inviter_slack_user_id', 'm.display_name as inviter_display_name', 'm.email as inviter_email'])
    .where('i.organization_id', '=', organizationId)
    .where('i.status', 'in', ['pending', 'expired'])
    .orderBy('i.created_at', 'desc')
    .orderBy('i.id')
    .limit(limit)
    .execute();
  // A page that is not full is all of them: only a full one needs counting (most teams have a
  // handful pending, and every App Home reads this: one statement less per Home).
  const total = rows.length < limit ? rows.length : Number((await countPending(db, organizationId)).n);
  return {
    allowed: true,
    total,
    rows: rows.map(({ inviter_slack_user_id, inviter_display_name, inviter_email, ...invitation }) => ({
      invitation: invitation as Invitation,
      inviter: inviter_email ? { slack_user_id: inviter_slack_user_id, display_name: inviter_display_name, email: inviter_email } : null,
    })),
  };
}

function countPending(db: DbOrTrx, organizationId: string) {
  return db
    .selectFrom('invitations')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('organization_id', '=', organizationId)
    .where('status', 'in', ['pending', 'expired'])
    .executeTakeFirstOrThrow();
}
