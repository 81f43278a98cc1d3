import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { channelQueue, enqueueAll, type JobSpec } from '../../src/jobs/queue.js';
import type { SlackStandin } from '../../src/standin/index.js';
import type { RunningProcess } from '../support/process.js';
import { record } from './support/ledger.js';
import { eventually, jobsLeft, ownPostgres, retire, sleep, startStandin, startWorkerProcess, type OwnPostgres } from './support/fault-harness.js';
import { messagesByDelivery } from './support/slack-deliveries.js';

/**
 * Slack starts refusing the bot token in the middle of a run (invalid_auth, token_revoked,
 * account_inactive), then accepts it again (the token is fixed). The worker must hold the
 * deliveries — no retry storm against Slack, one log line for the hold, none dropped — and
 * deliver every one exactly once after the fix (src/job-runner/slack-token-hold.ts). The test retries
 * the token every 2 s instead of the default 300 (SLACK_TOKEN_RETRY_SECONDS).
 */
describe('Slack refusing the bot token mid-run', () => {
  const RETRY_SECONDS = 2;
  const HOLD_MS = 10_000;
  const POSTS = 30;
  let pg: OwnPostgres;
  let standin: SlackStandin;
  let worker: RunningProcess;
  let organizationId: string;

  beforeAll(async () => {
    pg = await ownPostgres('tm-rel-token-');
    standin = await startStandin([]);
    const { db, pool } = openDatabase(pg.url, { onPoolError: () => undefined });
    await migrateToLatest(db, pool);
    await db.destroy();
    organizationId = (await pg.db.insertInto('organizations').values({ slack_team_id: standin.teamId, name: 'Acme' }).returning('id').executeTakeFirstOrThrow()).id;
    worker = await startWorkerProcess({ databaseUrl: pg.url, standin, env: { SLACK_TOKEN_RETRY_SECONDS: String(RETRY_SECONDS), WORKER_CONCURRENCY: '4' } });
  });
  afterAll(async () => {
    if (worker) await retire('slack-token-worker', worker);
    await standin?.stop();
    await pg?.close();
  });

  for (const slackError of ['invalid_auth', 'token_revoked', 'account_inactive']) {
    it(`${slackError}: deliveries stop without a retry storm, logged once, and all arrive once after the fix`, async () => {
      const intended: string[] = [];
      const jobs: JobSpec[] = [];
      for (let i = 0; i < POSTS; i++) {
        const channel = `C0TOK${slackError.length}${i % 3}`;
        if (!standin.channels.some((c) => c.id === channel)) standin.channels.push({ id: channel, name: `tok-${channel}` });
        const deliveryId = randomUUID();
        intended.push(deliveryId);
        jobs.push({ task: 'slack.post-message', payload: { organizationId, channel, text: `${slackError} ${i}`, deliveryId }, options: { queueName: channelQueue(channel) } });
      }
      const delivered = () => {
        const byId = messagesByDelivery(standin);
        return intended.filter((id) => (byId.get(id)?.length ?? 0) > 0).length;
      };
      const holdLines = () => worker.stdout().split('\n').filter((l) => l.includes('Slack refused the bot token; deliveries for this organization are held')).length;
      const linesBefore = holdLines();

      // The first few go through; then Slack refuses the token for every call until it is fixed.
      standin.injectFault('chat.postMessage', { delayMs: 300 }, 5);
      await pg.db.transaction().execute((trx) => enqueueAll(trx, jobs));
      expect(await eventually(() => delivered() >= 3, 20_000, 10)).toBe(true);
      standin.clearFaults('chat.postMessage');
      standin.injectFault('chat.postMessage', { error: slackError }, 1_000_000);
      const refusedFrom = standin.calls.length;
      const atRevoke = delivered();
      await sleep(HOLD_MS);
      const refusedCalls = standin.calls.slice(refusedFrom).filter((c) => c.method === 'chat.postMessage').length;
      const duringHold = delivered() - atRevoke;

      // The token is fixed.
      standin.clearFaults('chat.postMessage');
      const fixedAt = Date.now();
      const allArrived = await eventually(() => delivered() === intended.length, 60_000, 50);
      const resumedWithinMs = Date.now() - fixedAt;
      const drained = await eventually(async () => (await jobsLeft(pg.db)).every((j) => j.task !== 'slack.post-message'), 15_000, 100);
      const byId = messagesByDelivery(standin);
      const lost = intended.filter((id) => (byId.get(id)?.length ?? 0) === 0);
      const duplicated = intended.filter((id) => (byId.get(id)?.length ?? 0) > 1);
      const logged = holdLines() - linesBefore;
      const hold = await pg.db.selectFrom('slack_token_holds' as never).selectAll().execute();

      // A storm would be every held job retried on the queue's backoff, each calling Slack: with
      // the hold, the calls in 10 s are the jobs in flight when it began plus one probe per 2 s.
      const maxCalls = 4 + Math.ceil(HOLD_MS / (RETRY_SECONDS * 1000)) + 2;
      const survived = refusedCalls <= maxCalls && logged === 1 && allArrived && drained && hold.length === 0;
      record({
        area: 'fault',
        name: 'Slack invalid_auth / token_revoked / account_inactive mid-run: held, logged once, resumed after the fix',
        injected: 1,
        survived: survived ? 1 : 0,
        inputs: intended.length,
        lost: lost.length,
        duplicated: duplicated.length,
        unauthorised: 0,
      });
      console.log(
        `${slackError}: ${atRevoke} of ${POSTS} before the refusal, ${duringHold} during it, ${refusedCalls} refused calls in ${HOLD_MS / 1000} s (at most ${maxCalls}), ` +
          `logged ${logged}×, all delivered ${(resumedWithinMs / 1000).toFixed(1)} s after the fix, lost ${lost.length}, twice ${duplicated.length}`,
      );
      expect(atRevoke).toBeLessThan(POSTS);
      expect(refusedCalls).toBeGreaterThan(0);
      expect(refusedCalls).toBeLessThanOrEqual(maxCalls);
      expect(logged).toBe(1);
      expect(allArrived).toBe(true);
      expect(lost).toEqual([]);
      expect(duplicated).toEqual([]);
      expect(hold).toEqual([]);
    }, 120_000);
  }
});
