import { sql } from 'kysely';
import type { DbOrTrx } from '../db/database.js';
import { taskPayloads, type TaskName, type TaskPayload } from './tasks.js';

export interface EnqueueOptions {
  /** Jobs in one queue run one at a time, in order (per Slack channel, for pacing). */
  queueName?: string;
  /** A second job with the same key replaces a pending one instead of adding another. */
  jobKey?: string;
  runAt?: Date;
  maxAttempts?: number;
}

/**
 * Adds a job inside the caller's transaction (graphile-worker's job functions are plain SQL),
 * so the job exists if and only if the change that caused it commits: never lost, never sent
 * for a change that rolled back. One job is a batch of one (add_job itself calls add_jobs).
 */
export async function enqueue<T extends TaskName>(
  trx: DbOrTrx,
  task: T,
  payload: TaskPayload<T>,
  options: EnqueueOptions = {},
): Promise<void> {
  await enqueueAll(trx, [{ task, payload, options } as JobSpec]);
}

/** One job of a batch for enqueueAll. */
export type JobSpec = { [T in TaskName]: { task: T; payload: TaskPayload<T>; options?: EnqueueOptions } }[TaskName];

/**
 * Adds several jobs in one statement (graphile-worker's add_jobs), inside the caller's
 * transaction: a bulk change queues its deliveries in one round trip, not one per job.
 */
export async function enqueueAll(trx: DbOrTrx, jobs: readonly JobSpec[]): Promise<void> {
  if (jobs.length === 0) return;
  const specs = jobs.map(({ task, payload, options = {} }) => ({
    identifier: task,
    payload: taskPayloads[task].parse(payload),
    queue_name: options.queueName ?? null,
    run_at: options.runAt?.toISOString() ?? null,
    max_attempts: options.maxAttempts ?? null,
    job_key: options.jobKey ?? null,
  }));
  await sql`
    select 1 from graphile_worker.add_jobs(
      array(select json_populate_recordset(null::graphile_worker.job_spec, ${JSON.stringify(specs)}::json))
    )`.execute(trx);
}

/** The queue that serialises everything posted to one Slack channel. */
export function channelQueue(channel: string): string {
  return `slack-channel:${channel}`;
}
