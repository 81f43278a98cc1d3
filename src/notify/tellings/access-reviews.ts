import type { AuditEvent } from '../../db/schema.js';
import { each, fields, text, type Renderer, type Telling } from './context.js';

/**
 * The access review's digest in the approvals channel: posted when a review with someone to
 * list starts (the one it replaces rewritten to say so), rewritten after each decision.
 */

/** Both jobs of a review (post, then rewrites) share one queue, so they run in order. */
export function accessReviewQueue(reviewId: string): string {
  return `access-review:${reviewId}`;
}

function rewrite(t: Telling, reviewId: string): void {
  t.queue({
    task: 'access-review.update',
    payload: { organizationId: t.organization.id, reviewId },
    // One pending rewrite per review: a burst of clicks is one chat.update showing them all.
    options: { queueName: accessReviewQueue(reviewId), jobKey: `access-review.update:${reviewId}` },
  });
}

async function started(t: Telling, event: AuditEvent): Promise<void> {
  const after = fields(event.after);
  if (event.target_id && Number(after.members) > 0) {
    t.queue({ task: 'access-review.post', payload: { organizationId: t.organization.id, reviewId: event.target_id }, options: { queueName: accessReviewQueue(event.target_id) } });
  }
  const previousId = text(after.previous_review_id);
  if (!previousId) return;
  const previous = await t.trx.selectFrom('access_reviews').select(['id', 'message_ts']).where('organization_id', '=', t.organization.id).where('id', '=', previousId).executeTakeFirst();
  if (previous?.message_ts) rewrite(t, previous.id);
}

async function decided(t: Telling, event: AuditEvent): Promise<void> {
  const reviewId = text(fields(event.after).review_id);
  if (reviewId) rewrite(t, reviewId);
}

export const accessReviewRenderers: Record<string, Renderer> = {
  'access_review.started': each(started),
  'access_review.kept': each(decided),
  'access_review.remove_started': each(decided),
};
