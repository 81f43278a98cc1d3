import { singleWorkspaceClients } from '../../src/slack/clients.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Runner } from 'graphile-worker';
import { enqueue, channelQueue } from '../../src/jobs/queue.js';
import { startWorker } from '../../src/job-runner/worker.js';
import { createWorkerSlackClient } from '../../src/slack/delivery.js';
import { SlackStandin } from '../../src/standin/index.js';
import os from 'node:os';
import { createMailer } from '../../src/mail/mailer.js';
import { renderHomeForUser } from '../../src/slack/home/home-view.js';
import { useTestDatabase } from '../support/database.js';
import { captureLogs } from '../support/log-capture.js';

/**
 * The durable queue against real PostgreSQL and the Slack stand-in: a job exists exactly
 * when its transaction commits, runs once, and survives Slack's 429s and 500s.
 */
describe('jobs enqueued in a transaction', () => {
  const t = useTestDatabase();
  let standin: SlackStandin;
  let runner: Runner;
  let organizationId: string;
  const logs = captureLogs();

  beforeAll(async () => {
    standin = await SlackStandin.start({ postMessageIntervalMs: 0 });
    const org = await t.db
      .insertInto('organizations')
      .values({ slack_team_id: standin.teamId, name: 'Acme', team_channel_id: 'C0TEAM0001' })
      .returning('id')
      .executeTakeFirstOrThrow();
    organizationId = org.id;
    runner = await startWorker({
      pool: t.pool,
      slack: singleWorkspaceClients(createWorkerSlackClient(standin.botToken, standin.apiUrl, logs.log)),
      log: logs.log,
      concurrency: 2,
      renderHome: (organizationId, slackUserId) => renderHomeForUser({ db: t.db }, organizationId, slackUserId),
      db: t.db,
      invitations: { mailer: createMailer({ from: 'test@localhost', dataDir: os.tmpdir(), log: logs.log }), publicUrl: 'http://localhost' },
    });
  });
  afterAll(async () => {
    await runner?.stop();
    await standin?.stop();
  });
  afterEach(() => standin.reset());

  const post = (text: string, channel = 'C0TEAM0001') => ({ organizationId, channel, text });
  const posted = (text: string) => standin.callsTo('chat.postMessage').filter((c) => c.args.text === text);
  const pendingJobs = async () =>
    Number((await t.pool.query<{ n: string }>('select count(*) as n from graphile_worker._private_jobs')).rows[0]!.n);

  it('never runs a job whose transaction rolled back, and runs a committed one exactly once', async () => {
    await t.db
      .transaction()
      .execute(async (trx) => {
        await enqueue(trx, 'slack.post-message', post('rolled back'), { queueName: channelQueue('C0TEAM0001') });
        throw new Error('the change failed');
      })
      .catch(() => undefined);
    await t.db.transaction().execute(async (trx) => {
      await enqueue(trx, 'slack.post-message', post('committed'), { queueName: channelQueue('C0TEAM0001') });
    });

    await standin.waitForCall('chat.postMessage', (c) => c.args.text === 'committed');
    // Same queue, enqueued first: had the rolled-back job existed it would have run before this one.
    await new Promise((r) => setTimeout(r, 300));
    expect(posted('committed')).toHaveLength(1);
    expect(posted('rolled back')).toHaveLength(0);
    expect(await pendingJobs()).toBe(0);
  });

  it('waits out a 429 for as long as Retry-After says, then delivers once', async () => {
    standin.injectFault('chat.postMessage', { status: 429, retryAfterSec: 1 });
    const started = Date.now();
    await enqueue(t.db, 'slack.post-message', post('after 429'));
    const delivered = await standin.waitForCall('chat.postMessage', (c) => c.args.text === 'after 429', 10_000);

    const refused = standin.calls.filter((c) => c.method === 'chat.postMessage' && c.status === 429);
    expect(refused).toHaveLength(1);
    expect(delivered.at - refused[0]!.at).toBeGreaterThanOrEqual(1_000);
    expect(delivered.at - started).toBeGreaterThanOrEqual(1_000);
    expect(posted('after 429')).toHaveLength(1);
  });

  it('retries later after a Slack 500 instead of failing for good', async () => {
    standin.injectFault('chat.postMessage', { status: 500 });
    await enqueue(t.db, 'slack.post-message', post('after 500'));
    // graphile-worker's backoff: the first retry comes about e^1 ≈ 2.7 s later.
    await standin.waitForCall('chat.postMessage', (c) => c.args.text === 'after 500', 15_000);

    const failures = standin.calls.filter((c) => c.method === 'chat.postMessage' && c.status === 500);
    expect(failures).toHaveLength(1);
    expect(posted('after 500')).toHaveLength(1);
    expect(logs.lines().some((l) => l.msg === 'job failed; the queue will retry it')).toBe(true);
    await expect.poll(pendingJobs).toBe(0);
  });

  it('gives up at once, with an error in the log, when Slack refuses the message for good', async () => {
    await enqueue(t.db, 'slack.post-message', post('nowhere', 'C0NOSUCH01'));
    await expect
      .poll(() => logs.lines().some((l) => l.slackError === 'channel_not_found'), { timeout: 5_000 })
      .toBe(true);
    await expect.poll(pendingJobs).toBe(0);
    const attempts = standin.calls.filter((c) => c.method === 'chat.postMessage' && c.args.channel === 'C0NOSUCH01');
    expect(attempts).toHaveLength(1);
  });

  it('the periodic expiry job expires overdue invitations (the cron enqueues it every minute)', async () => {
    const owner = await t.db
      .insertInto('members')
      .values({ organization_id: organizationId, email: 'owner@acme.test', role: 'owner' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const invitation = await t.db
      .insertInto('invitations')
      .values({ organization_id: organizationId, email: 'late@example.org', role: 'member', invited_by_member_id: owner.id, batch_id: organizationId, expires_at: new Date(Date.now() - 1000) })
      .returning('id')
      .executeTakeFirstOrThrow();
    await enqueue(t.db, 'invitation.expire-due', {});
    await expect
      .poll(async () => (await t.db.selectFrom('invitations').select('status').where('id', '=', invitation.id).executeTakeFirstOrThrow()).status, { timeout: 5_000 })
      .toBe('expired');
  });
});
