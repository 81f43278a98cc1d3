import type { AllMiddlewareArgs, App, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import { readMemberActivity } from '../../../activity/member-activity.js';
import { AppError } from '../../../errors.js';
import { resolveActingMember } from '../../../team/acting-member.js';
import { activityRefusedModal, memberActivityModal } from '../../blocks/member-activity.js';
import type { ModalView } from '../../blocks/remove-modal.js';
import { ACTIONS } from '../../blocks/team-page.js';
import { organizationOf } from '../../context.js';
import type { SlackDeps } from '../../deps.js';
import { slackMessage } from '../../mrkdwn.js';

/**
 * The team page's Activity button (App Home and `/team list`): opens a modal with that member's
 * activity, or with the reason it cannot be shown. The button's value only says which member;
 * whether the clicker may see it is decided from the database ('activity.view'). The reads are
 * a handful of indexed queries, well inside the 3 s the trigger_id lives.
 */
export function registerMemberActivityActions(app: App, deps: SlackDeps): void {
  app.action<BlockButtonAction>(
    ACTIONS.activity,
    async ({ ack, body, action, context, client }: SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs) => {
      await ack();
      if (!body.trigger_id) return;
      const organization = organizationOf(context);
      const viewer = await resolveActingMember(deps.db, organization.id, body.user.id, deps.peopleFor(organization.id));
      const memberId = z.uuid().safeParse(action.value);
      let view: ModalView;
      try {
        if (!memberId.success) throw new AppError('invalid_button', 'That button is out of date. Open the team page again.');
        const activity = await readMemberActivity(deps.db, {
          organizationId: organization.id,
          viewerMemberId: viewer?.id ?? null,
          targetMemberId: memberId.data,
        });
        view = memberActivityModal(activity);
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        view = activityRefusedModal(slackMessage(err));
      }
      await client.views.open({ trigger_id: body.trigger_id, view: view });
    },
  );
}
