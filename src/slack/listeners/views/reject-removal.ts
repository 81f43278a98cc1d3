import type { App, ViewSubmitAction } from '@slack/bolt';
import { AppError } from '../../../errors.js';
import { resolveActingMember } from '../../../team/acting-member.js';
import { decideRemoval } from '../../../team/removals.js';
import { organizationOf } from '../../context.js';
import {
  readRejectReason,
  REJECT_REASON_BLOCK,
  REJECT_REMOVAL_CALLBACK_ID,
  rejectRefusedView,
} from '../../blocks/reject-removal-modal.js';
import type { SlackDeps } from '../../deps.js';
import { slackMessage } from '../../mrkdwn.js';

/** Reason problems the person can fix where they typed. */
const REASON_CODES = new Set(['reason_required', 'reason_too_long']);

/**
 * The Reject dialog's submission: one service call that re-reads the request and the actor
 * under the organization lock (someone may have approved, or the submitter been demoted, while
 * the dialog was open). Acks last, so that the answer travels in the ack: a missing or too long
 * reason inline under the input; any other refusal replaces the dialog with the sentence and
 * "Nothing was changed."; success closes it (the card, the requester's DM and the owners' Homes
 * are rewritten by the jobs the service queued).
 */
export function registerRejectRemovalSubmission(app: App, deps: SlackDeps): void {
  app.view<ViewSubmitAction>(REJECT_REMOVAL_CALLBACK_ID, async ({ ack, body, view, context }) => {
    const organization = organizationOf(context);
    const reason = readRejectReason(view.state.values);
    const actor = await resolveActingMember(deps.db, organization.id, body.user.id, deps.peopleFor(organization.id));
    try {
      await decideRemoval(deps.db, {
        organizationId: organization.id,
        actorMemberId: actor?.id ?? null,
        requestId: view.private_metadata ?? '',
        decision: 'reject',
        reason,
        source: 'slack',
      });
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      if (REASON_CODES.has(err.code)) {
        await ack({ response_action: 'errors', errors: { [REJECT_REASON_BLOCK]: err.message } });
        return;
      }
      deps.log.info({ code: err.code }, `removal rejection refused: ${slackMessage(err)}`);
      await ack({ response_action: 'update', view: rejectRefusedView(slackMessage(err)) });
      return;
    }
    await ack();
  });
}
