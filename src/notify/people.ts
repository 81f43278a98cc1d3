import { randomUUID } from 'node:crypto';
import type { DbOrTrx } from '../db/database.js';
import type { Member } from '../db/schema.js';
import { channelQueue, enqueue, enqueueAll, type JobSpec } from '../jobs/queue.js';
import type { ChannelMessage } from './team-channel.js';

/**
 * Queues a direct message to a member, in the caller's transaction. Posting to a user id
 * makes Slack deliver it in the app's DM with them. Members not linked to Slack get nothing.
 * The message gets its own delivery id, so that it is posted exactly once however often the
 * job is retried.
 */
export async function notifyMember(
  trx: DbOrTrx,
  member: Pick<Member, 'organization_id' | 'slack_user_id'>,
  message: ChannelMessage,
): Promise<boolean> {
  if (!member.slack_user_id) return false;
  await enqueue(
    trx,
    'slack.post-message',
    {
      organizationId: member.organization_id,
      channel: member.slack_user_id,
      text: message.text,
      ...(message.blocks ? { blocks: message.blocks } : {}),
      deliveryId: randomUUID(),
    },
    { queueName: channelQueue(member.slack_user_id) },
  );
  return true;
}

/**
 * Queues an App Home refresh for each person. The job key folds a burst of changes into one
 * publish per person: a pending refresh is replaced, not repeated.
 */
export async function refreshHomeTabs(trx: DbOrTrx, organizationId: string, slackUserIds: Array<string | null | undefined>): Promise<void> {
  // One statement for all of them (a removal refreshes every owner's Home).
  await enqueueAll(trx, homeRefreshJobs(organizationId, slackUserIds));
}

/** The jobs refreshHomeTabs queues, for a change that queues all its jobs in one statement. */
export function homeRefreshJobs(organizationId: string, slackUserIds: Array<string | null | undefined>): JobSpec[] {
  return [...new Set(slackUserIds.filter((id): id is string => Boolean(id)))].map((slackUserId) => ({
    task: 'slack.publish-home' as const,
    payload: { organizationId, slackUserId },
    options: { jobKey: `home:${organizationId}:${slackUserId}` },
  }));
}
