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
 * The deployment docs/operations.md describes: three web processes (RUN_WORKER=false) behind a
 * "load balancer" and two separate worker processes, on one database. Each of 45 promotions is
 * sent to two different web instances at the same moment (a retried or duplicated request); the
 * workers deliver the posts and DMs. Asserted: each change made once (one audit event), each
 * announcement posted once, no job completed twice across the workers, every web instance served
 * and both workers delivered.
 */
describe('three web instances and two workers on one database', () => {
  const PEOPLE = people(45);
  let pg: OwnPostgres;
  let standin: SlackStandin;
  const webs: AppProcess[] = [];
  const workers: RunningProcess[] = [];
  let members: Map<string, Member>;

  beforeAll(async () => {
    pg = await ownPostgres('tm-rel-3web-');
    standin = await startStandin(PEOPLE);
    webs.push(await startAppProcess({ databaseUrl: pg.url, standin, env: { RUN_WORKER: 'false' } }));
    for (let i = 0; i < 2; i++) webs.push(await startAppProcess({ databaseUrl: pg.url, standin, env: { RUN_WORKER: 'false', RUN_MIGRATIONS: 'false' } }));
    for (let i = 0; i < 2; i++) workers.push(await startWorkerProcess({ databaseUrl: pg.url, standin, env: { WORKER_CONCURRENCY: '3' } }));
    ({ members } = await seedTeam(pg.db, standin, PEOPLE));
  }, 120_000);
  afterAll(async () => {
    for (const [i, w] of webs.entries()) await retire(`three-web-${i + 1}`, w.proc);
    for (const [i, w] of workers.entries()) await retire(`two-workers-${i + 1}`, w);
    await standin?.stop();
    await pg?.close();
  });

  it('no double effects, nothing lost: each change once, each post once, each job once', async () => {
    const started = Date.now();
    const answers: Attempt[][] = [];
    const queue = [...PEOPLE.entries()];
    const lane = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const [i, p] = next;
        const [x, y] = [webs[i % 3]!, webs[(i + 1) % 3]!];
        answers[i] = await Promise.all([promote(x.driver, p.id), promote(y.driver, p.id)]);
      }
    };
    await Promise.all([lane(), lane()]);
    // Anyone told to try again tries again through another instance.
    for (const [i, pair] of answers.entries()) {
      let settled = pair.some((a) => a.outcome === 'done' || a.outcome === 'unchanged');
      for (let k = 0; !settled && k < 20; k++) {
        const again = await promote(webs[(i + k) % 3]!.driver, PEOPLE[i]!.id);
        settled = again.outcome === 'done' || again.outcome === 'unchanged';
        if (!settled) await sleep(500);
      }
    }

    const targets = PEOPLE.map((p) => p.id);
    const delivered = await eventually(async () => {
      const records = await promotionRecords(pg.db, standin, members, targets);
      return records.every((r) => r.channelPosts >= 1 && r.dms >= 1) && (await jobsLeft(pg.db)).filter(isDelivery).length === 0;
    }, 100_000, 200);
    await sleep(1_500);
    const records = await promotionRecords(pg.db, standin, members, targets);
    const lost = records.filter((r) => r.role !== 'owner' || r.auditEvents === 0 || r.channelPosts === 0 || r.dms === 0);
    const duplicated = records.reduce((n, r) => n + Math.max(0, r.auditEvents - 1) + Math.max(0, r.channelPosts - 1) + Math.max(0, r.dms - 1), 0);
    const completed = workers.map((w) =>
      w
        .stdout()
        .split('\n')
        .map((l) => /"msg":"Completed task (\d+) /.exec(l)?.[1])
        .filter((id): id is string => id !== undefined),
    );
    const all = completed.flat();
    const jobsTwice = all.length - new Set(all).size;
    const doneBy = webs.map((_, w) => answers.flat().filter((a, j) => a.outcome === 'done' && (Math.floor(j / 2) + (j % 2)) % 3 === w).length);
    const outcomes = answers.flat().reduce<Record<string, number>>((m, a) => ({ ...m, [a.outcome]: (m[a.outcome] ?? 0) + 1 }), {});

    record({
      area: 'fault',
      name: 'three web instances and two workers on one database (duplicated requests)',
      injected: 1,
      survived: delivered && completed.every((c) => c.length > 0) && jobsTwice === 0 ? 1 : 0,
      inputs: answers.flat().length,
      lost: lost.length,
      duplicated: duplicated + jobsTwice,
      unauthorised: 0,
    });
    console.log(
      `3 web + 2 workers: ${answers.flat().length} requests ${JSON.stringify(outcomes)}, done per instance ${JSON.stringify(doneBy)}, ` +
        `jobs per worker ${completed.map((c) => c.length).join(' + ')} (twice ${jobsTwice}), lost ${lost.length}, duplicated ${duplicated}, ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );

    expect(delivered).toBe(true);
    expect(lost).toEqual([]);
    expect(duplicated).toBe(0);
    expect(jobsTwice).toBe(0);
    expect(completed.every((c) => c.length > 0)).toBe(true);
    expect(answers.flat().filter((a) => a.outcome === 'other')).toEqual([]);
    // Every web instance answered requests.
    expect(webs.every((_, w) => answers.flat().some((a, j) => a.status === 200 && (Math.floor(j / 2) + (j % 2)) % 3 === w))).toBe(true);
  }, 240_000);
});
