import type { AllMiddlewareArgs, App, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { AppError } from '../../../errors.js';
import { resolveActingMember } from '../../../team/acting-member.js';
import { cancelInvitation, resendInvitation } from '../../../team/invitations.js';
import { organizationOf } from '../../context.js';
import { CANCEL_INVITATION_ACTION, RESEND_INVITATION_ACTION } from '../../blocks/pending-invitations.js';
import type { Notice } from '../../blocks/team-page.js';
import { renderRememberedHome } from '../../home/home-view.js';
import { pendingPage } from '../../pending-page.js';
import type { SlackDeps } from '../../deps.js';
import { slackMessage } from '../../mrkdwn.js';

/**
 * Resend and Cancel, on the `/team pending` message and on the App Home. The button's value
 * names the invitation; whether the clicker may resend or cancel it, and whether it still can
 * be, is the service's decision. The surface is redrawn in place with the outcome (or the
 * refusal) at the top: the message through its response_url, the Home by publishing it again.
 */
export function registerPendingInvitationActions(app: App, deps: SlackDeps): void {
  const handle =
    (act: 'resend' | 'cancel') =>
    async ({ ack, body, action, context, respond, client }: SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs) => {
      await ack();
      const organization = organizationOf(context);
      const actor = await resolveActingMember(deps.db, organization.id, body.user.id, deps.peopleFor(organization.id));
      let notice: Notice;
      try {
        const input = { organizationId: organization.id, actorMemberId: actor?.id ?? null, invitationId: action.value ?? '', source: 'slack' as const };
        const invitation = act === 'resend' ? await resendInvitation(deps.db, input) : await cancelInvitation(deps.db, input);
        notice = {
          kind: 'success',
          text:
            act === 'resend'
              ? `:envelope: Sent the invitation to ${invitation.email} again; the old link no longer works.`
              : `:no_entry_sign: Cancelled the invitation to ${invitation.email}; its link no longer works.`,
        };
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        notice = { kind: 'error', text: slackMessage(err) };
      }
      if (body.view?.type === 'home') {
        const view = await renderRememberedHome(deps.db, organization, actor, body.user.id, notice);
        await client.views.publish({ user_id: body.user.id, view: view });
        return;
      }
      const text = notice.kind === 'error' ? `:warning: ${notice.text}` : notice.text;
      await respond({ replace_original: true, ...(await pendingPage(deps, organization, actor, text)) });
    };
  app.action<BlockButtonAction>(RESEND_INVITATION_ACTION, handle('resend'));
  app.action<BlockButtonAction>(CANCEL_INVITATION_ACTION, handle('cancel'));
}
