import type { KnownBlock } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../logger.js';
import type { JobRun } from '../jobs/tasks.js';
import { deliver, UndeliverableError } from '../slack/delivery.js';

/**
 * Posting exactly once, although chat.postMessage has no idempotency key.
 *
 * A post whose answer is lost (a timeout, a cut connection, a 5xx after the fact) may have
 * been posted all the same, and the queue retries the job. So every post carries its delivery
 * id as message metadata (`event_type` DELIVERY_EVENT_TYPE, `event_payload.delivery_id`), and a
 * retry (attempt > 1) first reads the conversation's recent history, with metadata, since
 * shortly before the job was queued; when the id is there, that message is the post and
 * nothing is posted again. The first attempt never looks (no earlier attempt can have posted).
 *
 * The look is bounded (MAX_PAGES of PAGE_SIZE messages, newest first, since the job was
 * queued); a channel busier than that between the lost post and the retry would get a second
 * copy, which is the lesser failure than none. If history cannot be read at all (e.g. an
 * installation without the *:history scopes) the post goes out anyway, with a warning.
 */
export const DELIVERY_EVENT_TYPE = 'team_manager_delivery';

/** Slack ts and our clock may disagree a little; look back this much before the job was queued. */
const CLOCK_MARGIN_MS = 5 * 60_000;
const PAGE_SIZE = 100;
const MAX_PAGES = 3;

export interface OutgoingMessage {
  /** A conversation id, or a user id (Slack posts to the app's DM with them). */
  channel: string;
  text: string;
  blocks?: KnownBlock[];
  unfurl_links?: boolean;
  unfurl_media?: boolean;
}

export interface Posted {
  /** The conversation id Slack reports (the DM's id for a user id). */
  channel: string;
  ts: string;
  /** True when an earlier attempt's post was found and nothing new was posted. */
  found: boolean;
}

export interface PostOnceDeps {
  slack: WebClient;
  log: Logger;
}

/** Posts `message` unless an earlier attempt of the same job already did; either way returns where it is. */
export async function postOnce(deps: PostOnceDeps, message: OutgoingMessage, deliveryId: string, run?: JobRun): Promise<Posted> {
  const options = { log: deps.log, ...(run ? { signal: run.signal } : {}) };
  if (run && run.attempt > 1) {
    const earlier = await findEarlierPost(deps, message.channel, deliveryId, run);
    if (earlier) {
      deps.log.info({ deliveryId, channel: earlier.channel, ts: earlier.ts, attempt: run.attempt }, 'an earlier attempt had posted this message; not posting it again');
      return { ...earlier, found: true };
    }
  }
  const posted = await deliver(
    () =>
      deps.slack.chat.postMessage({
        channel: message.channel,
        text: message.text,
        ...(message.blocks ? { blocks: message.blocks } : {}),
        ...(message.unfurl_links !== undefined ? { unfurl_links: message.unfurl_links } : {}),
        ...(message.unfurl_media !== undefined ? { unfurl_media: message.unfurl_media } : {}),
        metadata: { event_type: DELIVERY_EVENT_TYPE, event_payload: { delivery_id: deliveryId } },
      }),
    options,
  );
  return { channel: posted.channel ?? message.channel, ts: posted.ts!, found: false };
}

/**
 * The message carrying `deliveryId` in the conversation's recent history, if any. Undefined
 * when it is not there or history cannot be read for good; other failures (5xx, timeouts)
 * throw, so the job is retried and looks again rather than risking a second post.
 */
export async function findEarlierPost(
  deps: PostOnceDeps,
  channel: string,
  deliveryId: string,
  run: Pick<JobRun, 'createdAt' | 'signal'>,
): Promise<{ channel: string; ts: string } | undefined> {
  const options = { log: deps.log, signal: run.signal };
  try {
    const conversation = await conversationIdOf(deps, channel, options);
    const oldest = ((run.createdAt.getTime() - CLOCK_MARGIN_MS) / 1000).toFixed(6);
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const history = await deliver(
        () =>
          deps.slack.conversations.history({
            channel: conversation,
            oldest,
            limit: PAGE_SIZE,
            include_all_metadata: true,
            ...(cursor ? { cursor } : {}),
          }),
        options,
      );
      for (const m of history.messages ?? []) {
        const metadata = (m as { metadata?: { event_type?: string; event_payload?: Record<string, unknown> } }).metadata;
        if (metadata?.event_type === DELIVERY_EVENT_TYPE && metadata.event_payload?.delivery_id === deliveryId && m.ts) {
          return { channel: conversation, ts: m.ts };
        }
      }
      cursor = history.response_metadata?.next_cursor || undefined;
      if (!history.has_more || !cursor) return undefined;
    }
    deps.log.warn({ deliveryId, channel }, `no earlier post found in the last ${MAX_PAGES * PAGE_SIZE} messages; posting`);
    return undefined;
  } catch (err) {
    if (err instanceof UndeliverableError) {
      deps.log.warn({ err, deliveryId, channel }, 'cannot read the conversation to check for an earlier post; posting (a duplicate is possible)');
      return undefined;
    }
    throw err;
  }
}

/** History needs a conversation id; a user id (a DM by user id) is opened to get its DM's id. */
async function conversationIdOf(deps: PostOnceDeps, channel: string, options: { log: Logger; signal: AbortSignal }): Promise<string> {
  if (!/^[UW]/.test(channel)) return channel;
  const opened = await deliver(() => deps.slack.conversations.open({ users: channel }), options);
  const id = opened.channel?.id;
  if (!id) throw new Error(`conversations.open gave no channel for ${channel}`);
  return id;
}
