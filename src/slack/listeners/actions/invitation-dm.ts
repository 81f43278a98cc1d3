import type { AllMiddlewareArgs, App, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import { acceptInvitation, declineInvitation, InvitationUnusableError, type AcceptChannel } from '../../../team/invitations.js';
import { findMemberById } from '../../../team/member-repository.js';
import { memberLabel } from '../../mrkdwn.js';
import { organizationOf } from '../../context.js';
import { ACCEPT_INVITATION_ACTION, DECLINE_INVITATION_ACTION, invitationDmOutcome } from '../../blocks/invitation-dm.js';
import type { SlackDeps } from '../../deps.js';
import { slackMessage } from '../../mrkdwn.js';

const invitationId = z.uuid();

const NO_SUCH_INVITATION = 'This invitation no longer exists. Ask an owner to invite you again.';

/** The Slack wording of an unusable invitation (for an unknown one, the service's words speak of links). */
function unusableText(err: InvitationUnusableError): string {
  return err.code === 'unknown' ? NO_SUCH_INVITATION : slackMessage(err);
}

/**
 * Accept / Decline in the invitation DM. The button's value only says which invitation; the
 * service decides, in the request's organization, whether this clicker may use it (their Slack
 * profile email must be the invited address). A refusal is shown only to the clicker and
 * changes nothing. On success the DM is rewritten at once through the response_url with the
 * same builder the update-dm job uses (the job, enqueued by the service, rewrites it again
 * identically: the click feels immediate and the DM is right even if this reply is lost).
 */
export function registerInvitationDmActions(app: App, deps: SlackDeps): void {
  app.action<BlockButtonAction>(ACCEPT_INVITATION_ACTION, (args) => respondToInvitation(deps, args, 'accept'));
  app.action<BlockButtonAction>(DECLINE_INVITATION_ACTION, (args) => respondToInvitation(deps, args, 'decline'));
}

async function respondToInvitation(
  deps: SlackDeps,
  { ack, body, action, context, respond }: SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs,
  decision: 'accept' | 'decline',
): Promise<void> {
  await ack();
  const refuse = async (text: string): Promise<void> => {
    await respond({ response_type: 'ephemeral', replace_original: false, text });
  };
  const organization = organizationOf(context);
  const id = invitationId.safeParse(action.value);
  if (!id.success) return refuse(NO_SUCH_INVITATION);

  const profile = await deps.peopleFor(organization.id).profile(body.user.id);
  const via: AcceptChannel = {
    kind: 'slack',
    organizationId: organization.id,
    invitationId: id.data,
    slackUserId: body.user.id,
    profileEmail: profile?.email ?? null,
    displayName: profile?.displayName ?? null,
    guest: profile?.guest === true,
  };
  let outcome;
  try {
    outcome = decision === 'accept' ? await acceptInvitation(deps.db, via) : await declineInvitation(deps.db, via);
  } catch (err) {
    if (err instanceof InvitationUnusableError) return refuse(unusableText(err));
    throw err;
  }
  const { invitation } = outcome;
  const inviter = invitation.invited_by_member_id ? await findMemberById(deps.db, organization.id, invitation.invited_by_member_id) : undefined;
  const message = invitationDmOutcome({
    invitation,
    organizationName: outcome.organization.name,
    inviterLabel: inviter ? memberLabel(inviter) : 'An owner',
  });
  await respond({ replace_original: true, text: message.text, blocks: message.blocks });
}
