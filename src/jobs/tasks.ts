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
    blocks: z.array(z.record(z.string(), z.unknown())).optional(),
  }),
  /** Re-renders one person's App Home tab after a change that affects what it shows. */
  'slack.publish-home': z.object({
    organizationId: z.uuid(),
    slackUserId: z.string().min(1),
  }),
} as const;

export type TaskName = keyof typeof taskPayloads;
export type TaskPayload<T extends TaskName> = z.input<(typeof taskPayloads)[T]>;
