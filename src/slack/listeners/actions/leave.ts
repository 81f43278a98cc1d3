import type { App, BlockButtonAction } from '@slack/bolt';
import { leaveTeam } from '../../../team/members.js';
import { resolveActingMember } from '../../../team/acting-member.js';
import { organizationOf } from '../../context.js';
import { LEAVE_ACTION_ID } from '../../blocks/leave.js';
import type { SlackDeps } from '../../deps.js';

/** The confirmed Leave click: the clicker (read from the database now) leaves; the message says so. */
export function registerLeaveAction(app: App, deps: SlackDeps): void {
  app.action<BlockButtonAction>(LEAVE_ACTION_ID, async ({ ack, body, context, respond }) => {
    await ack();
    const organization = organizationOf(context);
    const actor = await resolveActingMember(deps.db, organization.id, body.user.id, deps.peopleFor(organization.id));
    await leaveTeam(deps.db, { organizationId: organization.id, actorMemberId: actor?.id ?? null, source: 'slack' });
    await respond({
      replace_original: true,
      text: `You left ${organization.name}'s team. Your access has ended.`,
    });
  });
}
