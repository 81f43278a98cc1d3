import type { AllMiddlewareArgs, App, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import { AccessReviewDecisionRefusedError, decideReviewItem } from '../../../activity/access-review.js';
import { AppError } from '../../../errors.js';
import { resolveActingMember } from '../../../team/acting-member.js';
import { memberLabel } from '../../mrkdwn.js';
import { previewRemoval } from '../../../team/removals.js';
import { ACCESS_REVIEW_ACTIONS, parseReviewButtonValue } from '../../blocks/access-review.js';
import { removeModal, removeRefusedView, type ModalView } from '../../blocks/remove-modal.js';
import { organizationOf } from '../../context.js';
import type { SlackDeps } from '../../deps.js';
import { slackMessage } from '../../mrkdwn.js';

/**
 * Keep and Remove on the access review digest (src/slack/blocks/access-review.ts). The button's
 * value only names the review and the member; decideReviewItem reads the clicker, the review and
 * the member from the database at the click and refuses members, late clicks ("already kept by
 * X") and replaced reviews.
 *
 * Keep answers the clicker alone, ephemerally; the channel sees only the digest's rewrite (the
 * `access-review.update` job). Remove opens the same Remove dialog as the team page, so the
 * removal (and its approval, when the policy asks for one) goes exactly as any other: the
 * removal's own checks run first (previewRemoval), then the decision is recorded, then the dialog
 * opens — or a small dialog with the refusal, and nothing is recorded. Both are a few indexed
 * reads and one short transaction, well within the trigger_id's 3 s.
 */

const OUT_OF_DATE = 'That button is out of date. Nothing was changed.';

const payloadSchema = z.object({
  user: z.object({ id: z.string().min(1) }),
  trigger_id: z.string().optional(),
  response_url: z.string().optional(),
  channel: z.object({ id: z.string().min(1) }).nullish(),
  actions: z.array(z.object({ value: z.string().nullish() })).min(1),
});

type Args = SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs;

export function registerAccessReviewActions(app: App, deps: SlackDeps): void {
  app.action<BlockButtonAction>(ACCESS_REVIEW_ACTIONS.keep, async ({ ack, body, respond, context, client }: Args) => {
    await ack();
    const payload = payloadSchema.parse(body);
    const organization = organizationOf(context);
    /** Only the clicker sees the answer: through the response_url, else as an ephemeral message in the channel. */
    const tell = async (text: string) => {
      if (payload.response_url) await respond({ response_type: 'ephemeral', replace_original: false, text });
      else if (payload.channel) await client.chat.postEphemeral({ channel: payload.channel.id, user: payload.user.id, text });
    };
    const target = parseReviewButtonValue(payload.actions[0]!.value);
    if (!target) return tell(OUT_OF_DATE);
    const actor = await resolveActingMember(deps.db, organization.id, payload.user.id, deps.peopleFor(organization.id));
    try {
      const { member } = await decideReviewItem(deps.db, {
        organizationId: organization.id,
        actorMemberId: actor?.id ?? null,
        reviewId: target.reviewId,
        memberId: target.memberId,
        decision: 'keep',
        source: 'slack',
      });
      const days = organization.inactivity_threshold_days;
      await tell(`:white_check_mark: You kept ${memberLabel(member)}. They stay on the team and are not listed in access reviews for the next ${days} ${days === 1 ? 'day' : 'days'}.`);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      await tell(slackMessage(err));
    }
  });

  app.action<BlockButtonAction>(ACCESS_REVIEW_ACTIONS.remove, async ({ ack, body, context, client }: Args) => {
    await ack();
    const payload = payloadSchema.parse(body);
    if (!payload.trigger_id) return; // Slack always sends one with a click; without it no dialog can open.
    const organization = organizationOf(context);
    const target = parseReviewButtonValue(payload.actions[0]!.value);
    let view: ModalView;
    if (!target) {
      view = removeRefusedView(OUT_OF_DATE);
    } else {
      const actor = await resolveActingMember(deps.db, organization.id, payload.user.id, deps.peopleFor(organization.id));
      try {
        // The removal's own checks first (owner, not yourself, not the last owner, still a member).
        const preview = await previewRemoval(deps.db, { organizationId: organization.id, actorMemberId: actor?.id ?? null, targetMemberId: target.memberId });
        await recordRemoveStarted(actor?.id ?? null, target);
        view = removeModal({ preview, organization, viewerMemberId: actor?.id });
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        view = removeRefusedView(`${slackMessage(err)} Nothing was changed.`);
      }
    }
    await client.views.open({ trigger_id: payload.trigger_id, view: view });

    /**
     * Records "removal started" on the review. When another click already did (a double click,
     * or the dialog was closed without submitting), the dialog opens again all the same: the
     * removal flow has its own guards (one request per person); any other refusal is thrown.
     */
    async function recordRemoveStarted(actorMemberId: string | null, t: { reviewId: string; memberId: string }): Promise<void> {
      try {
        await decideReviewItem(deps.db, { organizationId: organization.id, actorMemberId, reviewId: t.reviewId, memberId: t.memberId, decision: 'remove', source: 'slack' });
      } catch (err) {
        if (err instanceof AccessReviewDecisionRefusedError && err.item?.decision === 'remove') return;
        throw err;
      }
    }
  });
}
