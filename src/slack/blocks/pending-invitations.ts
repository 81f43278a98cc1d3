import type { Invitation } from '../../db/schema.js';
import { escapeMrkdwn } from '../mrkdwn.js';
import { button, confirmDialog, context, header, section, type KnownBlock } from './kit.js';
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
  const blocks: KnownBlock[] = [];
  if (notice) blocks.push(section(notice));
  blocks.push(header('Pending invitations'));
  if (rows.length === 0) {
    blocks.push(section('No pending invitations.'));
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
      const cancel = button(CANCEL_INVITATION_ACTION, 'Cancel', invitation.id, {
        style: 'danger',
        confirm: confirmDialog({
          title: 'Cancel this invitation?',
          text: `The invitation to ${invitation.email.slice(0, 200)} stops working at once.`.slice(0, 300),
          confirm: 'Cancel invitation',
          deny: 'Keep it',
          style: 'danger',
        }),
      });
      blocks.push({ type: 'actions', block_id: `pending-actions|${invitation.id}`, elements: [button(RESEND_INVITATION_ACTION, 'Resend', invitation.id), cancel] });
    }
  }
  if (total > rows.length) {
    blocks.push(context(`Showing the ${rows.length} most recent of ${total}.`));
  }
  const text = rows.length === 0 ? 'No pending invitations.' : `${total} pending or expired invitation${total === 1 ? '' : 's'}.`;
  return { text: notice ? `${notice} ${text}` : text, blocks };
}
