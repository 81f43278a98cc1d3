import type { App, BlockButtonAction } from '@slack/bolt';
import { resolveActingMember } from '../../../team/acting-member.js';
import { authorize } from '../../../team/policy.js';
import { organizationOf } from '../../context.js';
import { inviteModal, OPEN_INVITE_MODAL_ACTION } from '../../blocks/invite-modal.js';
import type { SlackDeps } from '../../deps.js';

/**
 * The "Invite people" button (a message or the App Home): opens the invite modal for owners.
 * Anyone else gets the policy's sentence where they clicked (ForbiddenError, shown by the
 * errorReplies middleware: ephemeral under a message, a DM from the Home tab).
 */
export function registerOpenInviteModalAction(app: App, deps: SlackDeps): void {
  app.action<BlockButtonAction>(OPEN_INVITE_MODAL_ACTION, async ({ ack, body, client, context }) => {
    await ack();
    const organization = organizationOf(context);
    const actor = await resolveActingMember(deps.db, organization.id, body.user.id, deps.peopleFor(organization.id));
    authorize(actor, 'member.invite', organization.id);
    const view = inviteModal({ allowedDomains: organization.allowed_email_domains, expiryDays: organization.invitation_expiry_days });
    await client.views.open({ trigger_id: body.trigger_id, view: view });
  });
}
