import { randomUUID } from 'node:crypto';
import type { KnownBlock } from '@slack/types';
import type { DbOrTrx } from '../db/database.js';
import type { Organization } from '../db/schema.js';
import { channelQueue, enqueueAll, type JobSpec } from '../jobs/queue.js';

export interface ChannelMessage {
  text: string;
  blocks?: KnownBlock[];
}

/**
 * Queues a message for the organization's team channel, in the caller's transaction.
 * Does nothing when no team channel is set: there is nobody to tell. The message gets its own
 * delivery id, so that it is posted exactly once however often the job is retried.
 */
export async function notifyTeamChannel(
  trx: DbOrTrx,
  organization: Pick<Organization, 'id' | 'team_channel_id'>,
  message: ChannelMessage,
): Promise<boolean> {
  const job = teamChannelJob(organization, message);
  if (!job) return false;
  await enqueueAll(trx, [job]);
  return true;
}

/** The job notifyTeamChannel queues, for a change that queues all its jobs in one statement. */
export function teamChannelJob(organization: Pick<Organization, 'id' | 'team_channel_id'>, message: ChannelMessage): JobSpec | undefined {
  const channel = organization.team_channel_id;
  if (!channel) return undefined;
  return {
    task: 'slack.post-message',
    payload: { organizationId: organization.id, channel, text: message.text, ...(message.blocks ? { blocks: message.blocks } : {}), deliveryId: randomUUID() },
    options: { queueName: channelQueue(channel) },
  };
}
