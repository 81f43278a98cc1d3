import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Member } from '../../src/db/schema.js';
import type { SlackStandin } from '../../src/standin/index.js';
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
  type AppProcess,
  type Attempt,
  type OwnPostgres,
} from './support/fault-harness.js';

/**
 * SIGTERM under load, twice: the app (`src/main.ts`, serving HTTP and running its worker) gets
 * 15 promotions in quick succession while its worker posts to Slack (each post held 300 ms by
 * the stand-in), and is told to stop as soon as the first promotion is acknowledged and a post
 * is in flight. A new app process takes over each time.
 *
 * Asserted: each stop exits 0 after "Team Manager stopped"; every request that got an answer
 * got a whole one (done, never an error from a pool closed under it); no job is left locked
 * (half-done) by the stopped worker; what was not accepted is sent again (as Slack retries)
 * to the next process; and in the end every promotion is in the database once and announced
 * exactly once.
 */
describe('graceful shutdown under load', () => {
  const PEOPLE = people(30);
  const ROUNDS = 2;
  const PER_ROUND = 15;
  let pg: OwnPostgres;
  let standin: SlackStandin;
  let members: Map<string, Member>;
  const apps: AppProcess[] = [];

  beforeAll(async () => {
    pg = await ownPostgres('tm-rel-sigterm-');
    standin = await startStandin(PEOPLE);
  });
  afterAll(async () => {
    for (const [i, app] of apps.entries()) await retire(`graceful-shutdown-${i + 1}`, app.proc);
    await standin?.stop();
    await pg?.close();
  });

  const start = async () => {
    const app = await startAppProcess({ databaseUrl: pg.url, standin, env: { WORKER_CONCURRENCY: '4' } });
    apps.push(app);
    return app;
  };

  it('finishes what it accepted, leaves no job half-done, and nothing is lost or sent twice', async () => {
    const started = Date.now();
    standin.injectFault('chat.postMessage', { delayMs: 300 }, 100_000);
    let app = await start();
    ({ members } = await seedTeam(pg.db, standin, PEOPLE));

    const attempts: Attempt[] = [];
    const stops: Array<{ exit: number | string; stoppedLogged: boolean; lockedAfter: number; locked: string[]; postsInFlightAtSignal: boolean; msToExit: number }> = [];
    let resend: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const batch = [...resend, ...PEOPLE.slice(round * PER_ROUND, (round + 1) * PER_ROUND).map((p) => p.id)];
      const postsBefore = standin.calls.filter((c) => c.method === 'chat.postMessage').length;
      let firstAck!: () => void;
      const acked = new Promise<void>((resolve) => (firstAck = resolve));
      const inFlight = batch.map(async (target, i) => {
        await sleep(i * 30);
        const a = await promote(app.driver, target);
        if (a.outcome === 'done') firstAck();
        return a;
      });
      // Stop once something was acknowledged and the worker is posting (or the batch is over).
      await Promise.race([acked, Promise.all(inFlight)]);
      await eventually(() => standin.calls.filter((c) => c.method === 'chat.postMessage').length > postsBefore, 5_000, 10);
      const postsInFlightAtSignal = standin.calls.filter((c) => c.method === 'chat.postMessage').length > postsBefore;
      const signalledAt = Date.now();
      app.proc.child.kill('SIGTERM');
      const answers = await Promise.all(inFlight);
      const exit = await app.proc.exited;
      const msToExit = Date.now() - signalledAt;
      attempts.push(...answers);
      const locked = (await jobsLeft(pg.db)).filter((j) => j.locked).map((j) => `${j.id} ${j.task}`);
      const stoppedLogged = app.proc.stdout().includes('"msg":"Team Manager stopped"');
      stops.push({ exit, stoppedLogged, lockedAfter: locked.length, locked, postsInFlightAtSignal, msToExit });
      // Slack retries what the stopped app did not accept; the next process gets it.
      resend = answers.filter((a) => a.outcome === 'not-accepted').map((a) => a.target);
      app = await start();
    }
    for (const target of resend) attempts.push(await promote(app.driver, target));

    // The last process delivers whatever is left; then a moment for strays.
    const targets = PEOPLE.slice(0, ROUNDS * PER_ROUND).map((p) => p.id);
    const delivered = await eventually(async () => {
      const records = await promotionRecords(pg.db, standin, members, targets);
      return records.every((r) => r.role === 'owner' && r.channelPosts >= 1 && r.dms >= 1) && (await jobsLeft(pg.db)).filter(isDelivery).length === 0;
    }, 60_000, 200);
    await sleep(1_500);
    const records = await promotionRecords(pg.db, standin, members, targets);

    const done = new Set(attempts.filter((a) => a.outcome === 'done').map((a) => a.target));
    const incomplete = attempts.filter((a) => a.outcome !== 'done' && a.outcome !== 'unchanged' && a.outcome !== 'not-accepted');
    const lostChanges = records.filter((r) => done.has(r.target) && (r.role !== 'owner' || r.auditEvents === 0));
    const lostPosts = records.filter((r) => r.role === 'owner' && (r.channelPosts === 0 || r.dms === 0));
    const notPromoted = records.filter((r) => r.role !== 'owner');
    const duplicated = records.reduce((n, r) => n + Math.max(0, r.auditEvents - 1) + Math.max(0, r.channelPosts - 1) + Math.max(0, r.dms - 1), 0);
    const clean = (s: (typeof stops)[number]) => s.exit === 0 && s.stoppedLogged && s.lockedAfter === 0;

    record({
      area: 'fault',
      name: 'graceful shutdown (SIGTERM) under load',
      injected: ROUNDS,
      survived: delivered ? stops.filter(clean).length : 0,
      inputs: attempts.length,
      lost: lostChanges.length + lostPosts.length + notPromoted.length,
      duplicated,
      unauthorised: 0,
    });
    console.log(
      `graceful shutdown: ${attempts.length} requests (${done.size} done, ${attempts.filter((a) => a.outcome === 'not-accepted').length} not accepted and sent again), ` +
        `stops ${JSON.stringify(stops)}, ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );

    expect(stops.map((s) => s.exit)).toEqual(stops.map(() => 0));
    expect(stops.every((s) => s.stoppedLogged)).toBe(true);
    expect(stops.every((s) => s.postsInFlightAtSignal)).toBe(true);
    // Nothing half-done: the stopped worker finished or released every job it had taken.
    expect(stops.map((s) => s.lockedAfter)).toEqual(stops.map(() => 0));
    // Requests it had accepted were answered in full, never with an error.
    expect(incomplete).toEqual([]);
    expect(done.size).toBeGreaterThan(0);
    expect(delivered).toBe(true);
    expect(notPromoted).toEqual([]);
    expect(lostChanges).toEqual([]);
    expect(lostPosts).toEqual([]);
    expect(duplicated).toBe(0);
  });
});
