import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { channelQueue, enqueueAll, type JobSpec } from '../../src/jobs/queue.js';
import type { SlackStandin } from '../../src/standin/index.js';
import type { RunningProcess } from '../support/process.js';
import { record } from './support/ledger.js';
import { eventually, jobsLeft, ownPostgres, retire, startStandin, startWorkerProcess, type OwnPostgres } from './support/fault-harness.js';
import { messagesByDelivery } from './support/slack-deliveries.js';

/**
 * A worker process dies with SIGKILL (an OOM kill, a platform's hard kill) in the middle of
 * 100 channel posts, holding jobs and their channels' queues. graphile-worker alone would keep
 * those locked for 4 hours; the other worker sees the dead one's heartbeat stop, declares it
 * dead after WORKER_DEAD_AFTER_SECONDS and frees its jobs (src/job-runner/heartbeat.ts). The test
 * runs with a threshold of 20 s instead of the default 60 (to keep the suite short); the
 * requirement checked is the issue's: every post in Slack within 90 s of the kill, none twice.
 */
describe('SIGKILL of a worker mid-batch', () => {
  const DEAD_AFTER_SECONDS = 20;
  const CHANNELS = 10;
  const PER_CHANNEL = 10;
  let pg: OwnPostgres;
  let standin: SlackStandin;
  const workers: RunningProcess[] = [];

  beforeAll(async () => {
    pg = await ownPostgres('tm-rel-worker-kill-');
    standin = await startStandin([]);
    const { db, pool } = openDatabase(pg.url, { onPoolError: () => undefined });
    await migrateToLatest(db, pool);
    await db.destroy();
  });
  afterAll(async () => {
    for (const [i, w] of workers.entries()) await retire(`worker-kill-${i + 1}`, w);
    await standin?.stop();
    await pg?.close();
  });

  it('frees the dead worker\'s jobs: all 100 posts arrive within 90 s of the kill, none twice', async () => {
    const env = { WORKER_DEAD_AFTER_SECONDS: String(DEAD_AFTER_SECONDS), WORKER_CONCURRENCY: '4' };
    workers.push(await startWorkerProcess({ databaseUrl: pg.url, standin, env }));
    workers.push(await startWorkerProcess({ databaseUrl: pg.url, standin, env }));
    const [victim, survivor] = workers as [RunningProcess, RunningProcess];

    const org = await pg.db.insertInto('organizations').values({ slack_team_id: standin.teamId, name: 'Acme' }).returning('id').executeTakeFirstOrThrow();
    // Each answer comes 1.5 s after the post took effect: a kill lands mid-call too.
    standin.injectFault('chat.postMessage', { delayMs: 1_500 }, 10_000);
    const intended: string[] = [];
    const jobs: JobSpec[] = [];
    for (let c = 0; c < CHANNELS; c++) {
      const channel = `C0KILL${String(c).padStart(4, '0')}`;
      standin.channels.push({ id: channel, name: `kill-${c}` });
      for (let i = 0; i < PER_CHANNEL; i++) {
        const deliveryId = randomUUID();
        intended.push(deliveryId);
        jobs.push({ task: 'slack.post-message', payload: { organizationId: org.id, channel, text: `post ${c}/${i}`, deliveryId }, options: { queueName: channelQueue(channel) } });
      }
    }
    await pg.db.transaction().execute((trx) => enqueueAll(trx, jobs));

    const delivered = () => {
      const byId = messagesByDelivery(standin);
      return intended.filter((id) => (byId.get(id)?.length ?? 0) > 0).length;
    };
    expect(await eventually(() => delivered() >= 20, 60_000, 20)).toBe(true);
    // Kill the worker while it holds jobs (and so their channels' queues).
    const heldByVictim = async () =>
      (
        await sql<{ n: number }>`
          select count(*)::int as n from graphile_worker._private_jobs j
          join job_worker_heartbeats b on b.worker_id = j.locked_by
          where b.process like ${`%:${victim.child.pid}`}`.execute(pg.db)
      ).rows[0]!.n;
    const victimHeld = await eventually(async () => (await heldByVictim()) > 0, 30_000, 10);
    expect(victimHeld).toBe(true);
    const victimHolds = { rows: [{ n: await heldByVictim() }] };
    victim.child.kill('SIGKILL');
    const killedAt = Date.now();
    const atKill = delivered();
    expect(await victim.exited).toBe('SIGKILL');

    const allArrived = await eventually(() => delivered() === intended.length, 90_000, 100);
    const arrivedWithinMs = Date.now() - killedAt;
    const byId = messagesByDelivery(standin);
    const lost = intended.filter((id) => (byId.get(id)?.length ?? 0) === 0);
    const duplicated = intended.filter((id) => (byId.get(id)?.length ?? 0) > 1);
    // The last posts land before their jobs are recorded as done (each answer comes late).
    const drained = await eventually(async () => (await jobsLeft(pg.db)).every((j) => j.task !== 'slack.post-message'), 15_000, 100);
    const left = await jobsLeft(pg.db);
    const freed = survivor.stdout().includes('declared workers dead (no heartbeat) and freed their jobs to run again');

    record({
      area: 'fault',
      name: 'SIGKILL of a worker mid-batch (100 posts)',
      injected: 1,
      survived: allArrived && arrivedWithinMs <= 90_000 && freed && drained ? 1 : 0,
      inputs: intended.length,
      lost: lost.length,
      duplicated: duplicated.length,
      unauthorised: 0,
    });
    console.log(
      `worker kill: ${atKill} of ${intended.length} delivered at the kill, jobs held by the killed worker: ${victimHolds.rows[0]?.n}, ` +
        `all delivered ${(arrivedWithinMs / 1000).toFixed(1)} s after it (threshold ${DEAD_AFTER_SECONDS} s), lost ${lost.length}, twice ${duplicated.length}`,
    );

    expect(atKill).toBeLessThan(intended.length);
    expect(victimHolds.rows[0]!.n).toBeGreaterThan(0);
    expect(allArrived).toBe(true);
    expect(arrivedWithinMs).toBeLessThanOrEqual(90_000);
    expect(freed).toBe(true);
    expect(lost).toEqual([]);
    expect(duplicated).toEqual([]);
    expect(left.filter((j) => j.task === 'slack.post-message')).toEqual([]);
  }, 180_000);
});
