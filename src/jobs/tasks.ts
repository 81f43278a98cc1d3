import type { KnownBlock } from '@slack/types';
import { z } from 'zod';

/**
 * Every kind of job, with the shape of its payload. Enqueueing checks the payload against
 * it at compile time (types) and the worker checks it again at run time (zod), since a job
 * may have been written by an older version of the app.
 */
export const taskPayloads = {
  /** A message in a Slack channel; one queue per channel keeps them in order and paced. */
  'slack.post-message': z.object({
    organizationId: z.uuid(),
    channel: z.string().min(1),
    text: z.string().min(1),
    /** Block Kit the app built (typed where it was built); checked here only for being objects. */
    blocks: z.array(z.custom<KnownBlock>((b) => typeof b === 'object' && b !== null && !Array.isArray(b))).optional(),
    /**
     * This message's identity, made when it was queued: the post carries it as message metadata
     * so that a retry after a lost answer finds the message instead of posting it again. Jobs
     * queued without one (older versions) use the job's id, which is stable across retries.
     */
    deliveryId: z.string().min(1).max(200).optional(),
  }),
  /** Re-renders one person's App Home tab after a change that affects what it shows. */
  'slack.publish-home': z.object({
    organizationId: z.uuid(),
    slackUserId: z.string().min(1),
  }),
  /** Emails an invitation's link; a fresh token is made at send time, so none sits in the queue. */
  'invitation.send-email': z.object({
    organizationId: z.uuid(),
    invitationId: z.uuid(),
    /** Which send this is; a later resend supersedes it and this job then does nothing. */
    sendCount: z.number().int().min(1),
  }),
  /** DMs the invitee with Accept / Decline when their address belongs to someone in the workspace. */
  'invitation.send-dm': z.object({
    organizationId: z.uuid(),
    invitationId: z.uuid(),
    sendCount: z.number().int().min(1),
  }),
  /** Rewrites the invitation DM to show its outcome (accepted, declined, cancelled, expired). */
  'invitation.update-dm': z.object({
    organizationId: z.uuid(),
    invitationId: z.uuid(),
  }),
  /** Periodic (cron, every minute): pending invitations past their expiry become expired. */
  'invitation.expire-due': z.object({}).passthrough(),
  /** Posts a removal request's approval card and the requester's "waiting" DM. */
  'removal.post-card': z.object({
    organizationId: z.uuid(),
    requestId: z.uuid(),
  }),
  /** Rewrites the card and the requester's DM once the request is closed. */
  'removal.update-card': z.object({
    organizationId: z.uuid(),
    requestId: z.uuid(),
  }),
  /** Periodic (cron, every minute): pending removal requests past their expiry become expired. */
  'removal.expire-due': z.object({}).passthrough(),
  /** Periodic (cron, every minute): temporary owners whose time is up become members (src/team/owner-expiry.ts). */
  'owner.expire-due': z.object({}).passthrough(),
  /** Periodic (cron, hourly): starts the access review of every organization whose review is due. */
  'access-review.start-due': z.object({}).passthrough(),
  /** Posts an access review's digest to the approvals channel and remembers where (once). */
  'access-review.post': z.object({
    organizationId: z.uuid(),
    reviewId: z.uuid(),
  }),
  /** Rewrites the digest after a decision, or once a newer review replaced it. */
  'access-review.update': z.object({
    organizationId: z.uuid(),
    reviewId: z.uuid(),
  }),
  /** Delivers one webhook endpoint's outbox in order (src/webhooks/delivery.ts); one job key and queue per endpoint. */
  'webhook.deliver': z.object({
    organizationId: z.uuid(),
    endpointId: z.uuid(),
  }),
  /** Periodic (cron, every minute): one held Slack job per organization whose token probe is due runs now (src/job-runner/slack-token-hold.ts). */
  'slack.probe-held-tokens': z.object({}).passthrough(),
  /** Periodic (cron, hourly): webhook delivery bodies older than 7 days are dropped. */
  'webhook.purge-bodies': z.object({}).passthrough(),
  /** Periodic (cron, daily): queues a directory sync for every organization. */
  'slack.sync-directories': z.object({}).passthrough(),
  /** Reconciles one organization with its Slack workspace's accounts (src/slack/directory-sync.ts), for events that were missed. */
  'slack.sync-directory': z.object({
    organizationId: z.uuid(),
  }),
} as const;

export type TaskName = keyof typeof taskPayloads;

/** One run of a job, as the handlers see it. */
export interface JobRun {
  /** 1 on the first run, 2 on the first retry, and so on. */
  attempt: number;
  /** When the job was queued (the database's clock). */
  createdAt: Date;
  /** The queue's id for the job: the same on every retry. */
  jobId: string;
  /** Aborted when the worker shuts down. */
  signal: AbortSignal;
}
export type TaskPayload<T extends TaskName> = z.input<(typeof taskPayloads)[T]>;
