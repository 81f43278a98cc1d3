import type { Member, Organization } from '../db/schema.js';
import { readPendingInvitations } from '../team/pending-invitations.js';
import { memberLabel } from './mrkdwn.js';
import { NOT_A_MEMBER_MESSAGE } from '../team/policy.js';
import { PENDING_PAGE_SIZE, pendingInvitationsMessage } from './blocks/pending-invitations.js';
import type { SlackReply } from './blocks/reply.js';
import type { SlackDeps } from './deps.js';

/** The pending-invitations message for a viewer as the database has them now. */
export async function pendingPage(deps: Pick<SlackDeps, 'db'>, organization: Organization, viewer: Member | null, notice?: string): Promise<SlackReply> {
  const read = await readPendingInvitations(deps.db, organization.id, viewer, PENDING_PAGE_SIZE);
  if (!read.allowed) return { text: read.reason ?? NOT_A_MEMBER_MESSAGE };
  return pendingInvitationsMessage(
    read.rows.map((r) => ({ invitation: r.invitation, inviterLabel: r.inviter ? memberLabel(r.inviter) : 'an owner' })),
    read.total,
    viewer?.role === 'owner',
    notice,
  );
}
