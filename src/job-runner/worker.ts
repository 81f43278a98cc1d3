import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { Logger as WorkerLogger, parseCronItems, run, type Runner, type Task, type TaskList, type WorkerEvents } from 'graphile-worker';
import { startHeartbeat } from './heartbeat.js';
import type pg from 'pg';
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../logger.js';
import { taskPayloads, type JobRun, type TaskName, type TaskPayload } from '../jobs/tasks.js';
import { postMessage } from '../notify/post-message.js';
import { publishHome, type HomeRenderer } from '../notify/publish-home.js';
import { sendInvitationDm, sendInvitationEmail, updateInvitationDm, type InvitationDeliveryDeps } from '../notify/invitation-delivery.js';
import { SlackTokenError, UndeliverableError, type SlackClients } from '../slack/delivery.js';
import { SlackTokenHeldError, tokenFingerprint, tokenHolds, type TokenHolds, type Verdict } from './slack-token-hold.js';
import { postRemovalCard, updateRemovalCard } from '../notify/removal-cards.js';
import { isDatabaseUnavailable, type Db } from '../db/database.js';
import { expireInvitations } from '../team/invitations.js';
import { expireRemovalRequests } from '../team/removals.js';
import { expireTemporaryOwners } from '../team/owner-expiry.js';
import { startDueAccessReviews } from '../activity/access-review.js';
import { postAccessReview, updateAccessReview } from '../notify/access-review-delivery.js';
import { deliverEndpoint, purgeDeliveryBodies, type DeliveryDeps } from '../webhooks/delivery.js';
import { secretBox } from '../webhooks/signing.js';
import { enqueueAll } from '../jobs/queue.js';
import { systemResolver } from '../webhooks/ssrf.js';

export interface WorkerDeps {
  pool: pg.Pool;
  db: Db;
  /** The Web API client of each job's own organization (src/slack/clients.ts). */
  slack: SlackClients;
  log: Logger;
  concurrency: number;
  /** A worker whose heartbeat is older than this is declared dead and its jobs freed (src/job-runner/heartbeat.ts); 60 s unless set. */
  deadAfterMs?: number;
  renderHome: HomeRenderer;
  /** For invitation deliveries: the mailer and the base of accept links. */
  invitations: Omit<InvitationDeliveryDeps, 'db' | 'slack' | 'log'>;
  /** Counts each job attempt's outcome for /metrics (src/web/metrics.ts); none when metrics are off. */
  metrics?: { delivery(task: TaskName, outcome: 'done' | 'retry' | 'held' | 'undeliverable'): void };
  /** How often a held organization's token is tried again (src/job-runner/slack-token-hold.ts); 5 minutes unless set. */
  tokenProbeMs?: number;
  /** Webhook delivery: the secrets' key and the URL policy (default: no key, not production, the system resolver). */
  webhooks?: Partial<Omit<DeliveryDeps, 'db' | 'log'>>;
  /** Reconciles an organization with its Slack workspace's accounts (src/slack/directory-sync.ts); absent, the job does nothing. */
  syncDirectory?: (organization: { id: string; slack_team_id: string }, client: WebClient, signal: AbortSignal) => Promise<void>;
}

type Handlers = { [T in TaskName]: (payload: TaskPayload<T>, run: JobRun) => Promise<void> };

function handlers(deps: WorkerDeps, holds: TokenHolds): Handlers {
  const log = deps.log;
  // Each Slack delivery gets the client of its job's organization, resolved when it runs.
  const slackOf = async (organizationId: string) => ({ db: deps.db, slack: await deps.slack.forOrganization(organizationId), log });
  const webhooks: DeliveryDeps = { box: secretBox(undefined), urls: { production: false, resolve: systemResolver }, ...deps.webhooks, db: deps.db, log };
  const invitationsOf = async (organizationId: string) => ({ ...deps.invitations, ...(await slackOf(organizationId)) });
  return {
    'slack.post-message': async (payload, run) => postMessage(await slackOf(payload.organizationId), payload, run),
    'slack.publish-home': async (payload, run) => publishHome({ ...(await slackOf(payload.organizationId)), renderHome: deps.renderHome }, payload, run.signal),
    'invitation.send-email': (payload, run) => sendInvitationEmail({ ...deps.invitations, db: deps.db, log }, payload, run),
    'invitation.send-dm': async (payload, run) => sendInvitationDm(await invitationsOf(payload.organizationId), payload, run),
    'invitation.update-dm': async (payload, run) => updateInvitationDm(await invitationsOf(payload.organizationId), payload, run.signal),
    'invitation.expire-due': () => inBatches(log, 'invitations expired', (now) => expireInvitations(deps.db, now, BATCH)),
    'removal.post-card': async (payload, run) => postRemovalCard(await slackOf(payload.organizationId), payload, run),
    'removal.update-card': async (payload, run) => updateRemovalCard(await slackOf(payload.organizationId), payload, run.signal),
    'removal.expire-due': () => inBatches(log, 'removal requests expired', (now) => expireRemovalRequests(deps.db, now, BATCH)),
    'owner.expire-due': () => inBatches(log, 'temporary ownerships ended', (now) => expireTemporaryOwners(deps.db, now, BATCH)),
    'access-review.start-due': async () => {
      const started = await startDueAccessReviews(deps.db, new Date());
      if (started > 0) log.info({ count: started }, 'access reviews started');
    },
    'access-review.post': async (payload, run) => postAccessReview(await slackOf(payload.organizationId), payload, run),
    'access-review.update': async (payload, run) => updateAccessReview(await slackOf(payload.organizationId), payload, run.signal),
    'webhook.deliver': (payload) => deliverEndpoint(webhooks, payload),
    'slack.sync-directories': async () => {
      const organizations = await deps.db.selectFrom('organizations').select('id').execute();
      // One job per organization, keyed: a slow workspace never holds up the others, and a tick never doubles one.
      await enqueueAll(deps.db, organizations.map((o) => ({ task: 'slack.sync-directory' as const, payload: { organizationId: o.id }, options: { jobKey: `directory-sync:${o.id}`, maxAttempts: 3 } })));
    },
    'slack.sync-directory': async (payload, run) => {
      const organization = await deps.db.selectFrom('organizations').select(['id', 'slack_team_id']).where('id', '=', payload.organizationId).executeTakeFirst();
      if (!organization || !deps.syncDirectory) return;
      await deps.syncDirectory(organization, await deps.slack.forOrganization(organization.id), run.signal);
    },
    'slack.probe-held-tokens': async () => {
      const nudged = await holds.nudge();
      if (nudged > 0) log.info({ count: nudged }, 'held Slack deliveries: one per organization tries the token again');
    },
    'webhook.purge-bodies': async () => {
      const purged = await purgeDeliveryBodies(deps.db);
      if (purged > 0) log.info({ count: purged }, 'webhook delivery bodies purged');
    },
  };
}

/** Runs a periodic sweep in batches, each its own transaction, until a batch comes back short. */
async function inBatches(log: Logger, what: string, sweep: (now: Date) => Promise<number>): Promise<void> {
  let total = 0;
  let batch: number;
  do {
    batch = await sweep(new Date());
    total += batch;
  } while (batch === BATCH);
  if (total > 0) log.info({ count: total }, what);
}

/** The jobs that call Slack with their organization's token (held together when Slack refuses it). */
const SLACK_TASKS = new Set<TaskName>([
  'slack.post-message',
  'slack.publish-home',
  'invitation.send-dm',
  'invitation.update-dm',
  'removal.post-card',
  'removal.update-card',
  'access-review.post',
  'access-review.update',
]);

/**
 * Wraps each handler: re-checks the payload (it may predate this version), logs with the
 * job's identity, finishes jobs Slack refuses for good instead of retrying them, and holds an
 * organization's Slack jobs while Slack refuses its token (src/job-runner/slack-token-hold.ts).
 */
export function buildTaskList(deps: WorkerDeps): TaskList {
  const list: TaskList = {};
  const holds = tokenHolds(deps.pool, deps.tokenProbeMs ?? 5 * 60_000);
  const table = handlers(deps, holds) as Record<TaskName, (payload: unknown, run: JobRun) => Promise<void>>;
  for (const name of Object.keys(taskPayloads) as TaskName[]) {
    const task: Task = async (raw, helpers) => {
      const log = deps.log.child({ job: helpers.job.id, task: name, attempt: helpers.job.attempts });
      const payload = taskPayloads[name].parse(raw);
      const organizationId = SLACK_TASKS.has(name) ? (payload as { organizationId: string }).organizationId : undefined;
      let verdict: Verdict = 'clear';
      let fingerprint = '';
      const attemptOnce = async (attempt: number) => {
        if (organizationId) {
          fingerprint = tokenFingerprint((await deps.slack.forOrganization(organizationId)).token);
          verdict = await holds.before(organizationId, fingerprint);
          // Held: fail without calling Slack; the queue tries again later (no storm, no log line each).
          if (verdict === 'held') throw new SlackTokenHeldError(organizationId);
        }
        await table[name](payload, {
          attempt,
          createdAt: new Date(helpers.job.created_at),
          jobId: String(helpers.job.id),
          signal: helpers.abortSignal ?? new AbortController().signal,
        });
        if (organizationId && verdict === 'probe') await holds.release(organizationId, log, 'a delivery went through');
      };
      try {
        try {
          await attemptOnce(helpers.job.attempts);
        } catch (err) {
          if (!isDatabaseUnavailable(err)) throw err;
          // A failover or a pooler restart cuts every connection at once; the pool has new ones
          // a moment later. One quick second go, counted as a later attempt (so a post first
          // looks for the one this go may have made), instead of the queue's backoff
          // (test/reliability/database-failover.test.ts). A real outage fails it too.
          log.warn({ err }, 'database connection lost during the job; trying again in a moment');
          await sleep(RECONNECT_PAUSE_MS);
          await attemptOnce(helpers.job.attempts + 1);
        }
        deps.metrics?.delivery(name, 'done');
      } catch (err) {
        if (err instanceof SlackTokenHeldError) {
          deps.metrics?.delivery(name, 'held');
          throw err;
        }
        if (err instanceof SlackTokenError && organizationId) {
          deps.metrics?.delivery(name, 'held');
          await holds.hold(organizationId, fingerprint, err.slackError, log);
          throw new SlackTokenHeldError(organizationId);
        }
        if (err instanceof UndeliverableError) {
          deps.metrics?.delivery(name, 'undeliverable');
          log.error({ err, slackError: err.slackError }, 'job cannot be delivered; giving up');
          return;
        }
        deps.metrics?.delivery(name, 'retry');
        log.warn({ err }, 'job failed; the queue will retry it');
        throw err;
      }
    };
    list[name] = task;
  }
  return list;
}

const BATCH = 500;

/** How long a job waits for the pool to reconnect after its connection was cut, before its second go. */
const RECONNECT_PAUSE_MS = 500;

/**
 * Periodic jobs. graphile-worker's cron is safe with several workers: each tick runs once.
 * (Parsed items rather than a crontab string: the string syntax refuses dots in task names.)
 */
export const CRON_ITEMS = parseCronItems([
  { task: 'invitation.expire-due', match: '* * * * *' },
  { task: 'removal.expire-due', match: '* * * * *' },
  { task: 'owner.expire-due', match: '* * * * *' },
  // Hourly: each organization's review is due weekly or monthly (its setting); see startDueAccessReviews.
  { task: 'access-review.start-due', match: '0 * * * *' },
  { task: 'webhook.purge-bodies', match: '17 * * * *' },
  // Daily, off the hour: events missed while the app was down are caught up within a day.
  { task: 'slack.sync-directories', match: '41 4 * * *' },
  { task: 'slack.probe-held-tokens', match: '* * * * *' },
]);

function workerLogger(log: Logger): WorkerLogger {
  const base = log.child({ subsystem: 'worker' });
  return new WorkerLogger(() => (level, message, meta) => {
    // graphile's "Completed task N" line stays at info: it is the record of which worker ran
    // which job (the reliability suite counts jobs run twice from it).
    const method = level === 'error' ? 'error' : level === 'warning' ? 'warn' : level === 'info' ? 'info' : 'debug';
    base[method](meta ?? {}, message);
  });
}

/**
 * Starts the job runner; LISTEN/NOTIFY wakes it as soon as a transaction that added a job
 * commits. Its workers beat a heartbeat, and free the jobs of workers that stopped beating.
 */
export async function startWorker(deps: WorkerDeps): Promise<Runner> {
  const heartbeat = startHeartbeat({ pool: deps.pool, deadAfterMs: deps.deadAfterMs ?? 60_000, log: deps.log });
  const events: WorkerEvents = new EventEmitter();
  // Jobs and queues are locked by the pool's id (graphile-worker 0.17's batchGetJobs), not
  // by each worker's: the pool is what beats.
  events.on('pool:create', ({ workerPool }) => {
    heartbeat.add(workerPool.id);
    void heartbeat.beat();
  });
  const runner = await run({
    pgPool: deps.pool,
    taskList: buildTaskList(deps),
    concurrency: deps.concurrency,
    // Not graphile-worker's localQueue (jobs fetched in batches): it saved 2 of 13.7 statements
    // per invitation in bench scenario 4, but 0.17.3 logs "Releasing local queue failed: Cannot
    // background something when the queue is already released" at error on a stop with jobs in
    // it, which then stay locked until the heartbeat frees them.
    noHandleSignals: true,
    pollInterval: 1_000,
    parsedCronItems: CRON_ITEMS,
    logger: workerLogger(deps.log),
    events,
  }).catch(async (err: unknown) => {
    await heartbeat.stop();
    throw err;
  });
  const stop = runner.stop.bind(runner);
  runner.stop = async (reason?: string) => {
    try {
      await stop(reason);
    } finally {
      await heartbeat.stop();
    }
  };
  return runner;
}
