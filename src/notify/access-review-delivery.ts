import type { WebClient } from '@slack/web-api';
import type { Db } from '../db/database.js';
import type { Logger } from '../logger.js';
import type { JobRun, TaskPayload } from '../jobs/tasks.js';
import { readAccessReview, recordAccessReviewMessage } from '../activity/access-review.js';
import { accessReviewDigest } from '../slack/blocks/access-review.js';
import { deliver } from '../slack/delivery.js';
import { postOnce } from './exactly-once.js';

/** The digest's delivery id: the same on every retry of its post. */
export const accessReviewDeliveryId = (reviewId: string) => `access-review:${reviewId}`;

export interface AccessReviewDeliveryDeps {
  db: Db;
  slack: WebClient;
  log: Logger;
}

/**
 * Job: posts a review's digest to the channel chosen when the review started (the approvals
 * channel, else the team channel) and remembers the message, so decisions rewrite it. Posted at
 * most once: a retry finds the stored ts and does nothing, and a retry after a post whose answer
 * was lost finds it in Slack by its delivery id (exactly-once.ts). It renders the review as it is now,
 * so decisions taken before the post went out are already shown.
 */
export async function postAccessReview(deps: AccessReviewDeliveryDeps, payload: TaskPayload<'access-review.post'>, run?: JobRun): Promise<void> {
  const state = await readAccessReview(deps.db, payload.organizationId, payload.reviewId);
  if (!state || state.review.message_ts) return;
  const channel = state.review.channel_id;
  if (!channel) {
    deps.log.warn({ review: state.review.id }, 'no approvals or team channel was set when the access review started: its digest is not posted');
    return;
  }
  const digest = accessReviewDigest(state);
  const posted = await postOnce(
    deps,
    { channel, text: digest.text, blocks: digest.blocks, unfurl_links: false, unfurl_media: false },
    accessReviewDeliveryId(state.review.id),
    run,
  );
  await recordAccessReviewMessage(deps.db, state.review, { channelId: posted.channel, ts: posted.ts });
  deps.log.info({ review: state.review.id, members: state.rows.length, channel }, 'access review posted');
}

/** Job: rewrites the digest as the review is now (a decision taken, or a newer review replacing it). */
export async function updateAccessReview(deps: AccessReviewDeliveryDeps, payload: TaskPayload<'access-review.update'>, signal?: AbortSignal): Promise<void> {
  const state = await readAccessReview(deps.db, payload.organizationId, payload.reviewId);
  if (!state?.review.channel_id || !state.review.message_ts) return;
  const { channel_id: channel, message_ts: ts } = state.review;
  const digest = accessReviewDigest(state);
  await deliver(() => deps.slack.chat.update({ channel, ts, text: digest.text, blocks: digest.blocks }), {
    log: deps.log,
    ...(signal ? { signal } : {}),
  });
}
