import type { WebClient } from '@slack/web-api';
import type { Logger } from '../logger.js';
import type { JobRun, TaskPayload } from '../jobs/tasks.js';
import { postOnce } from './exactly-once.js';

export interface PostMessageDeps {
  slack: WebClient;
  log: Logger;
}

/**
 * Job handler: posts one message to a channel, exactly once: the post carries the payload's
 * delivery id (else the job's) and a retry finds an earlier attempt's post (exactly-once.ts).
 */
export async function postMessage(deps: PostMessageDeps, payload: TaskPayload<'slack.post-message'>, run?: JobRun): Promise<void> {
  const deliveryId = payload.deliveryId ?? (run ? `job:${run.jobId}` : undefined);
  if (!deliveryId) throw new Error('postMessage needs a delivery id or the job it runs in');
  const result = await postOnce(
    deps,
    { channel: payload.channel, text: payload.text, ...(payload.blocks ? { blocks: payload.blocks } : {}), unfurl_links: false, unfurl_media: false },
    deliveryId,
    run,
  );
  deps.log.info({ channel: payload.channel, ts: result.ts, deliveryId, found: result.found }, result.found ? 'message already posted' : 'message posted');
}
