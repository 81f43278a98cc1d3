import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Member } from '../../src/db/schema.js';
import type { SlackStandin } from '../../src/standin/index.js';
import type { RunningProcess } from '../support/process.js';
import { record } from './support/ledger.js';
import {
  eventually,
  isDelivery,
  jobsLeft,
  ownPostgres,
  people,
  promote,
  promotionRecords,
  retire,
  seedTeam,
  sleep,
  startAppProcess,
  startStandin,
  startWorkerProcess,
  type AppProcess,
  type Attempt,
  type OwnPostgres,
} from './support/fault-harness.js';

/**
 * The app dies with SIGKILL (no cleanup of any kind) after changes committed and before their
 * jobs ran: the web process runs without its worker (RUN_WORKER=false), so every job the
 * changes queued is still waiting when it dies.
 *
 * Kill 1: after 10 promotions were acknowledged one by one.
 * Kill 2: the app is started again, 10 more promotions are sent at once, and it is killed as
 * soon as the first is acknowledged, so others are in flight: acknowledged, committed but not
 * answered, or never committed.
 * Then the worker alone (`src/worker.ts`, a new process) starts: every promotion that committed
 * is announced exactly once (one team-channel post, one DM), and every acknowledged one committed.
 */
describe('crash between commit and delivery', () => {
  const PEOPLE = people(20);
  let pg: OwnPostgres;
  let standin: SlackStandin;
  let members: Map<string, Member>;
  const processes: Array<{ name: string; proc: RunningProcess }> = [];

  beforeAll(async () => {
    pg = await ownPostgres('tm-rel-crash-');
    standin = await startStandin(PEOPLE);
  });
  afterAll(async () => {
    for (const { name, proc } of processes) await retire(`crash-recovery-${name}`, proc);
    await standin?.stop();
    await pg?.close();
  });

  const webOnly = async (name: string): Promise<AppProcess> => {
    const app = await startAppProcess({ databaseUrl: pg.url, standin, env: { RUN_WORKER: 'false' } });
    processes.push({ name, proc: app.proc });
    return app;
  };

  it('delivers every committed change exactly once after the restart', async () => {
    const started = Date.now();
    const attempts: Attempt[] = [];
    const kills: Array<string | number> = [];

    // Kill 1: ten acknowledged promotions, then SIGKILL.
    const first = await webOnly('web-1');
    ({ members } = await seedTeam(pg.db, standin, PEOPLE));
    for (const p of PEOPLE.slice(0, 10)) attempts.push(await promote(first.driver, p.id));
    const waitingAtKill1 = (await jobsLeft(pg.db)).filter(isDelivery);
    first.proc.child.kill('SIGKILL');
    kills.push(await first.proc.exited);

    // Kill 2: ten at once, SIGKILL on the first acknowledgement.
    const second = await webOnly('web-2');
    let firstAck!: () => void;
    const acked = new Promise<void>((resolve) => (firstAck = resolve));
    const burst = PEOPLE.slice(10).map((p) =>
      promote(second.driver, p.id).then((a) => {
        if (a.outcome === 'done') firstAck();
        return a;
      }),
    );
    await Promise.race([acked, Promise.all(burst)]);
    second.proc.child.kill('SIGKILL');
    kills.push(await second.proc.exited);
    attempts.push(...(await Promise.all(burst)));

    // Nothing was delivered while no worker ran.
    expect(standin.callsTo('chat.postMessage')).toEqual([]);
    const waitingBeforeWorker = (await jobsLeft(pg.db)).filter(isDelivery);

    // A new worker process delivers what the dead processes left.
    const worker = await startWorkerProcess({ databaseUrl: pg.url, standin });
    processes.push({ name: 'worker', proc: worker });
    const targets = PEOPLE.map((p) => p.id);
    const committed = async () => (await promotionRecords(pg.db, standin, members, targets)).filter((r) => r.role === 'owner');
    const delivered = await eventually(async () => {
      const records = await committed();
      return records.every((r) => r.channelPosts >= 1 && r.dms >= 1) && (await jobsLeft(pg.db)).filter(isDelivery).length === 0;
    }, 60_000, 200);
    await sleep(1_500);
    const records = await promotionRecords(pg.db, standin, members, targets);

    const done = new Set(attempts.filter((a) => a.outcome === 'done').map((a) => a.target));
    const lostChanges = records.filter((r) => done.has(r.target) && (r.role !== 'owner' || r.auditEvents !== 1));
    const lostPosts = records.filter((r) => r.role === 'owner' && (r.channelPosts === 0 || r.dms === 0));
    const duplicated = records.reduce((n, r) => n + Math.max(0, r.auditEvents - 1) + Math.max(0, r.channelPosts - 1) + Math.max(0, r.dms - 1), 0);
    // A promotion that did not commit must not be announced either.
    const announcedWithoutChange = records.filter((r) => r.role !== 'owner' && (r.channelPosts > 0 || r.dms > 0));
    const workerAlive = worker.child.exitCode === null;

    record({
      area: 'fault',
      name: 'crash between commit and delivery (SIGKILL)',
      injected: kills.length,
      survived: delivered && workerAlive ? kills.filter((k) => k === 'SIGKILL').length : 0,
      inputs: attempts.length,
      lost: lostChanges.length + lostPosts.length,
      duplicated: duplicated + announcedWithoutChange.length,
      unauthorised: 0,
    });
    const committedCount = records.filter((r) => r.role === 'owner').length;
    console.log(
      `crash recovery: ${attempts.length} requests, ${done.size} acknowledged, ${committedCount} committed, ` +
        `jobs waiting at kill 1: ${waitingAtKill1.length}, before the worker: ${waitingBeforeWorker.length}, ` +
        `outcomes of the burst: ${JSON.stringify(attempts.slice(10).map((a) => a.outcome))}, ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );

    expect(kills).toEqual(['SIGKILL', 'SIGKILL']);
    expect(attempts.slice(0, 10).every((a) => a.outcome === 'done')).toBe(true);
    // Every change left its jobs behind, unlocked, for whoever comes next.
    expect(waitingAtKill1.length).toBeGreaterThanOrEqual(20);
    expect(waitingBeforeWorker.every((j) => !j.locked)).toBe(true);
    expect(done.size).toBeGreaterThanOrEqual(11);
    expect(delivered).toBe(true);
    expect(lostChanges).toEqual([]);
    expect(lostPosts).toEqual([]);
    expect(duplicated).toBe(0);
    expect(announcedWithoutChange).toEqual([]);
    expect(workerAlive).toBe(true);
  });
});
