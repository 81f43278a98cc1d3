import { randomUUID } from 'node:crypto';
import type { DbOrTrx } from '../db/database.js';
import type { Organization } from '../db/schema.js';
import { channelQueue, enqueue } from '../jobs/queue.js';

export interface ChannelMessage {
  text: string;
  blocks?: Record<string, unknown>[];
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
  const channel = organization.team_channel_id;
  if (!channel) return false;
  await enqueue(
    trx,
    'slack.post-message',
    { organizationId: organization.id, channel, text: message.text, ...(message.blocks ? { blocks: message.blocks } : {}), deliveryId: randomUUID() },
    { queueName: channelQueue(channel) },
  );
  return true;
}
