import type { WebClient } from '@slack/web-api';
import type { Db } from '../db/database.js';
import type { Logger } from '../logger.js';
import type { JobRun, TaskPayload } from '../jobs/tasks.js';
import { findMemberById } from '../team/member-repository.js';
import { findOrganizationById } from '../team/organization-repository.js';
import { approvalsChannelOf } from '../team/removal-outcomes.js';
import { findRemovalRequest, recordRemovalMessages } from '../team/removal-repository.js';
import { removalCard, requesterDm, type RemovalCardModel } from '../slack/blocks/removal-card.js';
import { deliver } from '../slack/delivery.js';
import { postOnce } from './exactly-once.js';

/** Delivery ids of a request's two posts: the same on every retry, whichever job posts them. */
export const removalCardDeliveryId = (requestId: string) => `removal-card:${requestId}`;
export const removalRequesterDmDeliveryId = (requestId: string) => `removal-requester-dm:${requestId}`;

/** Both of a request's jobs (post the card, rewrite it) share one queue, so they run in order. */
export function removalCardQueue(requestId: string): string {
  return `removal-request:${requestId}`;
}

export interface RemovalCardDeps {
  db: Db;
  slack: WebClient;
  log: Logger;
}

async function load(deps: RemovalCardDeps, payload: { organizationId: string; requestId: string }): Promise<RemovalCardModel | undefined> {
  const request = await findRemovalRequest(deps.db, payload.organizationId, payload.requestId);
  if (!request) return undefined;
  const organization = (await findOrganizationById(deps.db, payload.organizationId))!;
  const [requester, target, decider] = await Promise.all([
    request.requested_by_member_id ? findMemberById(deps.db, organization.id, request.requested_by_member_id) : undefined,
    findMemberById(deps.db, organization.id, request.target_member_id),
    request.decided_by_member_id ? findMemberById(deps.db, organization.id, request.decided_by_member_id) : undefined,
  ]);
  return { request, requester: requester ?? null, target: target!, decider: decider ?? null, organizationName: organization.name };
}

/**
 * Job: posts the approval card (approvals channel, else team channel) and the requester's
 * "waiting" DM, and remembers both so later outcomes rewrite them. Each is posted at most once:
 * a retry after a partial success finds the stored ts and skips what was already posted, and a
 * retry after a post whose answer was lost (no ts stored) finds the post in Slack by its delivery
 * id (exactly-once.ts) and stores that one. It
 * renders the request as it is now, so a request decided before its card went out is posted
 * already closed.
 */
export async function postRemovalCard(deps: RemovalCardDeps, payload: TaskPayload<'removal.post-card'>, run?: JobRun): Promise<void> {
  const model = await load(deps, payload);
  if (!model) return;
  const organization = (await findOrganizationById(deps.db, payload.organizationId))!;
  const channel = model.request.card_channel_id ?? approvalsChannelOf(organization);
  if (channel && !model.request.card_ts) {
    const card = removalCard(model);
    const posted = await postOnce(deps, { channel, text: card.text, blocks: card.blocks, unfurl_links: false }, removalCardDeliveryId(model.request.id), run);
    await recordRemovalMessages(deps.db, model.request, { card_channel_id: posted.channel, card_ts: posted.ts });
  } else if (!channel) {
    deps.log.warn({ request: model.request.id }, 'no approvals or team channel is set: the removal request is only on owners\' App Home');
  }
  if (model.requester?.slack_user_id && !model.request.requester_dm_ts) {
    const dm = requesterDm(model, channel);
    const posted = await postOnce(deps, { channel: model.requester.slack_user_id, text: dm.text, blocks: dm.blocks }, removalRequesterDmDeliveryId(model.request.id), run);
    await recordRemovalMessages(deps.db, model.request, { requester_dm_channel_id: posted.channel, requester_dm_ts: posted.ts });
  }
}

/** Job: rewrites the card and the requester's DM to show the outcome, buttons gone. */
export async function updateRemovalCard(deps: RemovalCardDeps, payload: TaskPayload<'removal.update-card'>, signal?: AbortSignal): Promise<void> {
  const model = await load(deps, payload);
  if (!model) return;
  const options = { log: deps.log, ...(signal ? { signal } : {}) };
  const { request } = model;
  if (request.card_channel_id && request.card_ts) {
    const card = removalCard(model);
    await deliver(() => deps.slack.chat.update({ channel: request.card_channel_id!, ts: request.card_ts!, text: card.text, blocks: card.blocks }), options);
  }
  if (request.requester_dm_channel_id && request.requester_dm_ts) {
    const dm = requesterDm(model, request.card_channel_id);
    await deliver(() => deps.slack.chat.update({ channel: request.requester_dm_channel_id!, ts: request.requester_dm_ts!, text: dm.text, blocks: dm.blocks }), options);
  }
}
