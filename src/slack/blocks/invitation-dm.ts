import type { Invitation } from '../../db/schema.js';
import { escapeMrkdwn } from '../mrkdwn.js';
import { button, context, section, type KnownBlock } from './kit.js';
import type { SlackReply } from './reply.js';

export const ACCEPT_INVITATION_ACTION = 'invitation.accept';
export const DECLINE_INVITATION_ACTION = 'invitation.decline';

export interface InvitationDmInput {
  invitation: Pick<Invitation, 'id' | 'role' | 'message' | 'expires_at' | 'status'>;
  organizationName: string;
  /** A mention or a name; already safe mrkdwn. */
  inviterLabel: string;
}

/**
 * The invitation DM. The buttons carry only the invitation's id: who may accept is decided
 * at the click, from the clicker's Slack profile email and the database.
 */
export function invitationDm({ invitation, organizationName, inviterLabel }: InvitationDmInput): SlackReply {
  const role = invitation.role === 'owner' ? 'an *owner*' : 'a *member*';
  const org = escapeMrkdwn(organizationName);
  const text = `${inviterLabel} invited you to join ${org}'s team as ${role}.`;
  const blocks: KnownBlock[] = [section(text)];
  if (invitation.message) {
    blocks.push(section(`> ${escapeMrkdwn(invitation.message).slice(0, 2900).replace(/\n/g, '\n> ')}`));
  }
  blocks.push(
    {
      type: 'actions',
      block_id: 'invitation.respond',
      elements: [
        button(ACCEPT_INVITATION_ACTION, 'Accept', invitation.id, { style: 'primary' }),
        button(DECLINE_INVITATION_ACTION, 'Decline', invitation.id),
      ],
    },
    context(`Expires <!date^${Math.floor(invitation.expires_at.getTime() / 1000)}^{date_short_pretty} at {time}|${invitation.expires_at.toUTCString()}>.`),
  );
  return { text: `${text.replace(/\*/g, '')} Accept or decline in Slack.`, blocks };
}

const OUTCOME: Record<string, string> = {
  accepted: ':white_check_mark: Accepted. Welcome to the team!',
  declined: 'You declined this invitation.',
  cancelled: 'This invitation was cancelled.',
  expired: ':hourglass: This invitation expired. Ask an owner to send it again.',
};

/** The DM after the invitation has an outcome: no buttons left. */
export function invitationDmOutcome({ invitation, organizationName, inviterLabel }: InvitationDmInput): SlackReply {
  const headline = `${inviterLabel} invited you to join ${escapeMrkdwn(organizationName)}'s team.`;
  const outcome = OUTCOME[invitation.status] ?? `This invitation is ${invitation.status}.`;
  return {
    text: `${headline} ${outcome}`,
    blocks: [section(headline), section(outcome)],
  };
}
