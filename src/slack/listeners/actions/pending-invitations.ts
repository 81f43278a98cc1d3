import type { App, BlockButtonAction } from '@slack/bolt';
import { AppError } from '../../../errors.js';
import { resolveActingMember } from '../../../team/acting-member.js';
import { cancelInvitation, resendInvitation } from '../../../team/invitations.js';
import { organizationOf } from '../../context.js';
import { CANCEL_INVITATION_ACTION, RESEND_INVITATION_ACTION } from '../../blocks/pending-invitations.js';
import { pendingPage } from '../../pending-page.js';
import type { SlackDeps } from '../../deps.js';

/**
 * Resend and Cancel on the pending list. The button's value names the invitation; whether the
 * clicker may resend or cancel it, and whether it still can be, is the service's decision.
 * The list is redrawn in place with the outcome (or the refusal) at the top.
 */
export function registerPendingInvitationActions(app: App, deps: SlackDeps): void {
  const handle = (act: 'resend' | 'cancel') =>
    async ({ ack, body, action, context, respond }: { ack: () => Promise<void>; body: BlockButtonAction; action: BlockButtonAction['actions'][number]; context: Parameters<typeof organizationOf>[0]; respond: (m: Record<string, unknown>) => Promise<unknown> }) => {
      await ack();
      const organization = organizationOf(context);
      const actor = await resolveActingMember(deps.db, organization.id, body.user.id, deps.people);
      let notice: string;
      try {
        const input = { organizationId: organization.id, actorMemberId: actor?.id ?? null, invitationId: action.value ?? '', source: 'slack' as const };
        const invitation = act === 'resend' ? await resendInvitation(deps.db, input) : await cancelInvitation(deps.db, input);
        notice = act === 'resend' ? `:envelope: Sent the invitation to ${invitation.email} again; the old link no longer works.` : `:no_entry_sign: Cancelled the invitation to ${invitation.email}; its link no longer works.`;
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        notice = `:warning: ${err.message}`;
      }
      await respond({ replace_original: true, ...(await pendingPage(deps, organization, actor, notice)) });
    };
  app.action<BlockButtonAction>(RESEND_INVITATION_ACTION, handle('resend'));
  app.action<BlockButtonAction>(CANCEL_INVITATION_ACTION, handle('cancel'));
}
