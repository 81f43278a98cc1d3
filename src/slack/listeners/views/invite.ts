import type { App, ViewSubmitAction } from '@slack/bolt';
import { AppError } from '../../../errors.js';
import { resolveActingMember } from '../../../team/acting-member.js';
import { createInvitations, InvitationsRefusedError } from '../../../team/invitations.js';
import { splitAddresses } from '../../../team/invitation-rules.js';
import { organizationOf } from '../../context.js';
import {
  INVITE_BLOCKS,
  INVITE_MODAL_CALLBACK_ID,
  invitationsSentView,
  MAX_INLINE_ERROR,
  MAX_INVITE_MESSAGE,
  readInviteForm,
  refusalsErrorText,
} from '../../blocks/invite-modal.js';
import type { SlackDeps } from '../../deps.js';

/**
 * The invite modal's submission. The actor is read from the database now (they may have been
 * demoted since the modal opened) and the service decides everything; this listener acks last,
 * so that its answer travels in the ack: refusals inline under the addresses, or the view
 * that replaces the modal on success.
 *
 * Success replaces the modal (`response_action: 'update'`) with who was invited rather than
 * closing it: with "invite the valid ones" ticked, the refused addresses and their reasons
 * would otherwise vanish with the modal (the team channel's summary names only those invited,
 * and the owner may not be watching it).
 */
export function registerInviteSubmission(app: App, deps: SlackDeps): void {
  app.view<ViewSubmitAction>(INVITE_MODAL_CALLBACK_ID, async ({ ack, body, view, context }) => {
    const organization = organizationOf(context);
    const form = readInviteForm(view.state.values);
    const inline = (block: string, message: string) =>
      ack({ response_action: 'errors', errors: { [block]: message.slice(0, MAX_INLINE_ERROR) } });

    if (!form.role) return inline(INVITE_BLOCKS.role, 'Choose a role.');
    if (form.message && [...form.message].length > MAX_INVITE_MESSAGE) {
      return inline(INVITE_BLOCKS.message, `The message can be at most ${MAX_INVITE_MESSAGE} characters.`);
    }
    const addresses = splitAddresses(form.addresses);
    const actor = await resolveActingMember(deps.db, organization.id, body.user.id, deps.peopleFor(organization.id));
    try {
      const { invitations, refused } = await createInvitations(deps.db, {
        organizationId: organization.id,
        actorMemberId: actor?.id ?? null,
        addresses,
        role: form.role,
        message: form.message,
        inviteValidOnes: form.inviteValidOnes,
        source: 'slack',
      });
      await ack({
        response_action: 'update',
        view: invitationsSentView({ invited: invitations.map((i) => i.email), refused, role: form.role }),
      });
    } catch (err) {
      if (err instanceof InvitationsRefusedError) {
        const someValid = err.refused.length < addresses.length;
        return inline(INVITE_BLOCKS.addresses, refusalsErrorText(err.refused, { someValid, inviteValidOnes: form.inviteValidOnes }));
      }
      // No addresses, too many, not allowed (e.g. demoted since the modal opened): said where they typed.
      if (err instanceof AppError) return inline(INVITE_BLOCKS.addresses, err.message);
      throw err;
    }
  });
}
