import { escapeMrkdwn } from '../mrkdwn.js';
import { button, confirmDialog, section } from './kit.js';
import type { SlackReply } from './reply.js';

export const LEAVE_ACTION_ID = 'team.leave.confirm';

/** The ephemeral "are you sure" with a danger button and Slack's own confirm dialog. */
export function leaveConfirmation(organizationName: string, isOwner: boolean): SlackReply {
  const name = escapeMrkdwn(organizationName);
  return {
    text: `Leave ${organizationName}'s team?`,
    blocks: [
      section(
        `Leaving *${name}*'s team ends your access at once: you will no longer be a member, and an owner has to invite you again to come back.` +
          (isOwner ? ' As an owner, you can leave only if another owner remains.' : ''),
      ),
      {
        type: 'actions',
        block_id: 'team.leave',
        elements: [
          button(LEAVE_ACTION_ID, 'Leave the team', 'leave', {
            style: 'danger',
            confirm: confirmDialog({
              title: 'Leave the team?',
              text: 'Your access ends immediately. This cannot be undone by you.',
              confirm: 'Leave',
              deny: 'Stay',
              style: 'danger',
            }),
          }),
        ],
      },
    ],
  };
}
