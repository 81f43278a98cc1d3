import type { WebClient } from '@slack/web-api';
import type { Logger } from '../logger.js';
import type { TaskPayload } from '../jobs/tasks.js';
import { deliver } from './slack-delivery.js';

export interface PostMessageDeps {
  slack: WebClient;
  log: Logger;
}

/** Job handler: posts one message to a channel. */
export async function postMessage(
  deps: PostMessageDeps,
  payload: TaskPayload<'slack.post-message'>,
  signal?: AbortSignal,
): Promise<void> {
  const result = await deliver(
    () =>
      deps.slack.chat.postMessage({
        channel: payload.channel,
        text: payload.text,
        ...(payload.blocks ? { blocks: payload.blocks as never } : {}),
        unfurl_links: false,
        unfurl_media: false,
      }),
    { log: deps.log, ...(signal ? { signal } : {}) },
  );
  deps.log.info({ channel: payload.channel, ts: result.ts }, 'message posted');
}
