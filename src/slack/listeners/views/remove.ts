import type { App, ViewSubmitAction } from '@slack/bolt';
import { AppError } from '../../../errors.js';
import { resolveActingMember } from '../../../team/acting-member.js';
import { findMemberById } from '../../../team/member-repository.js';
import { requestRemoval } from '../../../team/removals.js';
import { organizationOf } from '../../context.js';
import {
  parseRemoveMetadata,
  readRemoveForm,
  REMOVE_BLOCKS,
  REMOVE_MODAL_CALLBACK_ID,
  removedView,
  removeRefusedView,
  requestedView,
} from '../../blocks/remove-modal.js';
import type { SlackDeps } from '../../deps.js';
import { slackMessage } from '../../mrkdwn.js';

const OUT_OF_DATE = 'That form is out of date. Nothing was changed.';

/**
 * The Remove modal's submission. The form only says which member it is about; the actor is
 * read from the database now and requestRemoval re-checks everything (role, target, last owner,
 * policy) under the organization lock. Acks last, so its answer travels in the ack: the reason
 * refused inline, else a view replacing the form (removed, waiting for approval, or refused with
 * "Nothing was changed").
 */
export function registerRemoveSubmission(app: App, deps: SlackDeps): void {
  app.view<ViewSubmitAction>(REMOVE_MODAL_CALLBACK_ID, async ({ ack, body, view, context }) => {
    const organization = organizationOf(context);
    const targetMemberId = parseRemoveMetadata(view.private_metadata);
    if (!targetMemberId) {
      await ack({ response_action: 'update', view: removeRefusedView(OUT_OF_DATE) });
      return;
    }
    const { reason } = readRemoveForm(view.state.values);
    const actor = await resolveActingMember(deps.db, organization.id, body.user.id, deps.peopleFor(organization.id));
    try {
      const result = await requestRemoval(deps.db, {
        organizationId: organization.id,
        actorMemberId: actor?.id ?? null,
        targetMemberId,
        reason,
        source: 'slack',
      });
      if (result.kind === 'removed') {
        // Undo only while restore is on: with a window of 0, removals are final (src/team/undo.ts).
        await ack({ response_action: 'update', view: removedView(result.member, organization.restore_window_days > 0 ? result.eventId : undefined) });
        return;
      }
      const { request, alreadyPending } = result;
      const [target, requester] = await Promise.all([
        findMemberById(deps.db, organization.id, request.target_member_id),
        findMemberById(deps.db, organization.id, request.requested_by_member_id!), // a removal request: always asked by a member
      ]);
      await ack({
        response_action: 'update',
        view: requestedView({
          target: target!,
          requester: requester!,
          request,
          viewerMemberId: actor!.id,
          alreadyPending,
          organization,
        }),
      });
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      if (err.code === 'reason_too_long') {
        await ack({ response_action: 'errors', errors: { [REMOVE_BLOCKS.reason]: err.message } });
        return;
      }
      // Refused (demoted, the person already gone, now the last owner…): the form is of no use any more.
      deps.log.info({ code: err.code }, `removal refused: ${slackMessage(err)}`);
      await ack({ response_action: 'update', view: removeRefusedView(`${slackMessage(err)} Nothing was changed.`) });
    }
  });
}
