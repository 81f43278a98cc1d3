import { sql } from 'kysely';
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
 * A database failover as the app sees it: every pooled connection reset at once
 * (pg_terminate_backend of all of the app's and its worker's backends, as a managed
 * PostgreSQL's failover or a PgBouncer restart does), five times, while people keep promoting
 * teammates through signed HTTP and the worker keeps posting to Slack (each post held 150 ms,
 * so jobs are in flight when their connections go). The server itself stays up; the app
 * process is never restarted. Asserted: every promotion acknowledged is in the database once
 * and announced once, nothing else than "done", "try again" or "already done" is answered,
 * and the app keeps serving with the same pid.
 */
describe('database failover: every pooled connection reset at once, under load', () => {
  const PEOPLE = people(60);
  const RESETS = 5;
  let pg: OwnPostgres;
  let standin: SlackStandin;
  let app: AppProcess;
  let members: Map<string, Member>;

  beforeAll(async () => {
    pg = await ownPostgres('tm-rel-failover-');
    standin = await startStandin(PEOPLE);
    app = await startAppProcess({ databaseUrl: pg.url, standin, env: { WORKER_CONCURRENCY: '4' } });
    ({ members } = await seedTeam(pg.db, standin, PEOPLE));
  });
  afterAll(async () => {
    if (app && !app.alive()) console.log(`the app exited (${String(await app.proc.exited)}); its stderr ends:\n${app.proc.stderr().slice(-4000)}`);
    if (app) await retire('database-failover-app', app.proc);
    await standin?.stop();
    await pg?.close();
  });

  it('loses and duplicates nothing, and carries on without a restart', async () => {
    const started = Date.now();
    const pid = app.pid;
    standin.injectFault('chat.postMessage', { delayMs: 150 }, 100_000);

    const queue = PEOPLE.map((p) => ({ target: p.id, notBefore: 0 }));
    const attempts: Attempt[] = [];
    let done = 0;
    const lane = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        if (next.notBefore > Date.now()) {
          queue.push(next);
          await sleep(50);
          continue;
        }
        const a = await promote(app.driver, next.target);
        attempts.push(a);
        if (a.outcome === 'done') done++;
        if (a.outcome === 'try-again' || a.outcome === 'not-accepted' || a.outcome === 'late') queue.push({ target: next.target, notBefore: Date.now() + 1_000 });
        await sleep(50);
      }
    };

    const resets: number[] = [];
    const faults = (async () => {
      for (let i = 1; i <= RESETS; i++) {
        await eventually(() => done >= (PEOPLE.length * i) / (RESETS + 1) || !app.alive(), 60_000, 10);
        if (!app.alive()) return;
        const killed = await sql<{ n: number }>`
          select count(*)::int as n from (
            select pg_terminate_backend(pid) from pg_stat_activity
             where datname = current_database() and pid <> pg_backend_pid() and backend_type = 'client backend'
          ) k`.execute(pg.db);
        resets.push(killed.rows[0]!.n);
      }
    })();
    await Promise.all([lane(), lane(), lane(), lane(), faults]);
    const recoveredAt = Date.now();

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
    const lostPosts = records.filter((r) => r.role === 'owner' && (r.channelPosts === 0 || r.dms === 0));
    const duplicated = records.reduce((n, r) => n + Math.max(0, r.auditEvents - 1) + Math.max(0, r.channelPosts - 1) + Math.max(0, r.dms - 1), 0);
    const others = attempts.filter((a) => a.outcome === 'other');
    const recovered = app.alive() && app.pid === pid && (await fetch(`${app.url}/readyz`).then((r) => r.status, () => 0)) === 200;

    record({
      area: 'fault',
      name: 'database failover: every pooled connection reset at once, under load',
      injected: RESETS,
      survived: recovered && announced && others.length === 0 ? resets.filter((n) => n > 0).length : 0,
      inputs: attempts.length,
      lost: lostChanges.length + lostPosts.length,
      duplicated,
      unauthorised: 0,
    });
    console.log(
      `database failover: ${attempts.length} requests (${acked.size} done, ${attempts.filter((a) => a.outcome === 'try-again').length} told to try again, ` +
        `${attempts.filter((a) => a.outcome === 'unchanged').length} found done on retry), connections reset per failover ${resets.join(', ')}, ` +
        `${app.proc.stdout().split('job failed; the queue will retry it').length - 1} job attempts failed, announced ${((Date.now() - recoveredAt) / 1000).toFixed(1)} s after the load, ` +
        `${((Date.now() - started) / 1000).toFixed(1)} s; jobs left ${JSON.stringify((await jobsLeft(pg.db)).filter(isDelivery))}; not announced ${JSON.stringify(lostPosts)}`,
    );

    expect(app.alive(), `the app exited:\n${app.proc.stderr().slice(-3000)}`).toBe(true);
    expect(app.pid).toBe(pid);
    expect(resets).toHaveLength(RESETS);
    expect(resets.every((n) => n > 0)).toBe(true);
    expect(others.map((a) => `${a.status} ${a.text}`)).toEqual([]);
    expect(records.every((r) => r.role === 'owner')).toBe(true);
    expect(lostChanges).toEqual([]);
    expect(lostPosts).toEqual([]);
    expect(duplicated).toBe(0);
    expect(announced).toBe(true);
    expect(recovered).toBe(true);
    expect(errorLines(app.proc).filter((l) => Number(l.level) >= 60)).toEqual([]);
  });
});
