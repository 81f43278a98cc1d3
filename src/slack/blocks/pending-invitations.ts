import type { Invitation } from '../../db/schema.js';
import { escapeMrkdwn } from '../mrkdwn.js';
import type { SlackReply } from './reply.js';

export const RESEND_INVITATION_ACTION = 'invitation.resend';
export const CANCEL_INVITATION_ACTION = 'invitation.cancel';

/** Two blocks per invitation keep a full page (20) at 43 of a message's 50 blocks. */
export const PENDING_PAGE_SIZE = 20;

export interface PendingRow {
  invitation: Pick<Invitation, 'id' | 'email' | 'role' | 'status' | 'last_sent_at' | 'expires_at' | 'send_count'>;
  /** Mention or name of who invited; safe mrkdwn. */
  inviterLabel: string;
}

const slackDate = (date: Date) => `<!date^${Math.floor(date.getTime() / 1000)}^{date_short} {time}|${date.toISOString().slice(0, 16).replace('T', ' ')} UTC>`;

/**
 * `/team pending`: pending and expired invitations with Resend and Cancel (behind a confirm
 * dialog). The buttons carry the invitation id only; the services decide what may happen.
 */
export function pendingInvitationsMessage(rows: readonly PendingRow[], total: number, isOwner: boolean, notice?: string): SlackReply {
  const blocks: Record<string, unknown>[] = [];
  if (notice) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: notice.slice(0, 3000) } });
  blocks.push({ type: 'header', text: { type: 'plain_text', text: 'Pending invitations' } });
  if (rows.length === 0) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: 'No pending invitations.' } });
  }
  for (const { invitation, inviterLabel } of rows.slice(0, PENDING_PAGE_SIZE)) {
    const expired = invitation.status === 'expired';
    const email = escapeMrkdwn(invitation.email.slice(0, 254));
    blocks.push({
      type: 'section',
      block_id: `pending|${invitation.id}`,
      text: {
        type: 'mrkdwn',
        text:
          `*${email}*${expired ? ' · :hourglass: *expired*' : ''}\n` +
          `${invitation.role === 'owner' ? 'Owner' : 'Member'} · invited by ${inviterLabel} · sent ${slackDate(invitation.last_sent_at)}` +
          ` · ${expired ? 'expired' : 'expires'} ${slackDate(invitation.expires_at)} · sent ${invitation.send_count} time${invitation.send_count === 1 ? '' : 's'}`,
      },
    });
    if (isOwner) {
      const elements: Record<string, unknown>[] = [
        { type: 'button', action_id: RESEND_INVITATION_ACTION, text: { type: 'plain_text', text: 'Resend' }, value: invitation.id },
      ];
      elements.push({
        type: 'button',
        action_id: CANCEL_INVITATION_ACTION,
        text: { type: 'plain_text', text: 'Cancel' },
        style: 'danger',
        value: invitation.id,
        confirm: {
          title: { type: 'plain_text', text: 'Cancel this invitation?' },
          text: { type: 'plain_text', text: `The invitation to ${invitation.email.slice(0, 200)} stops working at once.`.slice(0, 300) },
          confirm: { type: 'plain_text', text: 'Cancel invitation' },
          deny: { type: 'plain_text', text: 'Keep it' },
          style: 'danger',
        },
      });
      blocks.push({ type: 'actions', block_id: `pending-actions|${invitation.id}`, elements });
    }
  }
  if (total > rows.length) {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `Showing the ${rows.length} most recent of ${total}.` }] });
  }
  const text = rows.length === 0 ? 'No pending invitations.' : `${total} pending or expired invitation${total === 1 ? '' : 's'}.`;
  return { text: notice ? `${notice} ${text}` : text, blocks };
}
