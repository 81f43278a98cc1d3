/**
 * Scenario 6, throughput: the bench's mixed load (bench/mix.ts) on a team of 10,000, 16 people
 * in flight, our app and the bare Bolt app in alternating rounds. Each of our people waits for
 * the answer to a click or Next (its response_url post), so our rate is answers people get;
 * the bare app's answer is its ack. Target (issue 20): at least 400 requests/s with ack
 * p99 < 300 ms, or at least half the bare app's rate in the same run, whichever is lower.
 *
 * Also the SQL statements (round trips to PostgreSQL) each request type costs, its work after
 * the ack and its jobs included: the app process counts them (bench/query-count.ts).
 */
import { appendFileSync } from 'node:fs';
import { BENCH_USERS, type Harness, type ServerChild } from '../harness.js';
import { measure, runOnce, type Target } from '../measure.js';
import { mixedLoad, mixedRequests } from '../mix.js';
import { build, EXPECT, toLoad, type Built } from '../requests.js';
import type { Row, ScenarioResult } from '../results.js';
import { cursorAt, roleTargets } from '../seed.js';
import { teamApp } from '../team-app.js';
import type { Profile } from '../profile.js';
import { sleep } from '../harness.js';
import { isError } from './ack.js';

const CONCURRENCY = 16;
const RATE_TARGET = 400;
const ACK_P99_TARGET_MS = 300;

export async function throughputScenario(h: Harness, p: Profile): Promise<ScenarioResult> {
  const started = performance.now();
  const [{ database, team, app, release }, baseline] = await Promise.all([teamApp(h, 'throughput', p.ackTeamSize, { share: p.quick }), h.baseline()]);
  const later = await cursorAt(database.db, team.organizationId, Math.floor(team.size / 2));
  const targets = await roleTargets(database.db, team.organizationId, 500);
  const mix = mixedLoad(h, later, targets);
  let offset = 0;
  const series = (name: string, url: string, ours: boolean): Target => ({
    name,
    url,
    concurrency: CONCURRENCY,
    metric: 'ack',
    make: (count) => {
      const run = mixedRequests(mix, count, ours, offset);
      offset += count;
      return run;
    },
  });
  const cpuBefore = await Promise.all([app.cpuMs(), baseline.cpuMs()]);
  const result = await measure(h, [series('ours', app.url, true), series('bare', baseline.url, false)], {
    rounds: p.rounds,
    requests: p.throughputRequests,
    warmup: p.throughputWarmup,
  });
  const ours = result.get('ours')!;
  const bare = result.get('bare')!;
  // CPU per request: what one request costs the process, whatever else the machine is doing
  // (the rate is bounded by it: the app is one event loop).
  const cpuAfter = await Promise.all([app.cpuMs(), baseline.cpuMs()]);
  const served = p.rounds * p.throughputRequests + p.throughputWarmup;
  const cpuPerRequest = { ours: (cpuAfter[0] - cpuBefore[0]) / served, bare: (cpuAfter[1] - cpuBefore[1]) / served };
  const target = Math.min(RATE_TARGET, bare.throughput / 2);
  const met = ours.throughput >= target && ours.p99 < ACK_P99_TARGET_MS && ours.errors === 0;
  const rows: Row[] = [
    {
      label: `mixed load, c=${CONCURRENCY} (our rate: answers people waited for)`,
      concurrency: CONCURRENCY,
      ours,
      baseline: bare,
      baselineLabel: 'bare Bolt app, the same requests (ack)',
      ratioOf: 'req/s',
      ratio: ours.throughput / bare.throughput,
      targetText: `≥ ${target.toFixed(0)} req/s, p99 < ${ACK_P99_TARGET_MS}`,
      met,
    },
  ];
  p.progress('throughput: mixed load done');

  const { statements: roundTrips, cpuMs: cpuByKind } = await statementsPerRequest(h, app, [
    { name: '/team list', make: (i) => build.command(h, user(i), 'list') },
    { name: 'list Next', make: (i) => build.nextPage(h, user(i), later), waits: true },
    { name: 'role change (dropdown)', make: (i) => build.roleChange(h, user(i), targets[(targets.length - 1 - i) % targets.length]!, i % 2 === 0 ? 'owner' : 'member'), waits: true },
    { name: 'App Home opened', make: (i) => build.homeOpened(h, user(i)), waits: true },
    { name: 'invite submission, 1 address', make: (i) => build.invite(h, user(i), [`rt-${i}@invitees.test`]), expect: EXPECT.inviteAck },
  ], p.quick ? 10 : 50);
  await release();
  const problems = app.problems().filter(isError);
  return {
    id: 'throughput',
    title: `6. Throughput: the mixed load (2/5 /team list, 1/5 Next, 1/5 role change, 1/5 App Home), team of ${team.size.toLocaleString('en-US')}`,
    rows,
    facts: { target: { requestsPerSecond: target, ackP99Ms: ACK_P99_TARGET_MS }, met, cpuMsPerRequest: cpuPerRequest, statementsPerRequest: roundTrips, cpuMsPerRequestByKind: cpuByKind },
    notes: [
      `target: ≥ min(${RATE_TARGET}, half the bare app's ${bare.throughput.toFixed(0)} req/s) = ${target.toFixed(0)} req/s with ack p99 < ${ACK_P99_TARGET_MS} ms — ${met ? 'met' : 'MISSED'}`,
      `app CPU per request under the mix: ours ${cpuPerRequest.ours.toFixed(2)} ms, bare ${cpuPerRequest.bare.toFixed(2)} ms (user + system, the app's process${h.options.separateWorker ? 'es' : ''})`,
      `SQL statements per request (its work after the ack and its jobs included): ${Object.entries(roundTrips).map(([k, v]) => `${k} ${v.toFixed(1)}`).join('; ')}`,
      `app CPU per request, one at a time: ${Object.entries(cpuByKind).map(([k, v]) => `${k} ${v.toFixed(2)} ms`).join('; ')}`,
    ],
    errors: ours.errors + bare.errors + problems.length,
    errorSamples: [...ours.errorSamples, ...bare.errorSamples, ...problems.slice(0, 3)],
    durationMs: performance.now() - started,
  };
}

const user = (i: number) => BENCH_USERS[i % BENCH_USERS.length]!.id;

/**
 * For each kind: `n` requests one at a time (each waiting for its answer), then the jobs they
 * caused settle; statements counted over that, less what the idle process sends in as long
 * (graphile-worker's polls, heartbeats).
 */
async function statementsPerRequest(
  h: Harness,
  app: ServerChild,
  kinds: Array<{ name: string; make: (i: number) => Built; waits?: boolean; expect?: (typeof EXPECT)[keyof typeof EXPECT] }>,
  n: number,
): Promise<{ statements: Record<string, number>; cpuMs: Record<string, number> }> {
  const idle = async (ms: number) => {
    const a = await app.statements();
    await sleep(ms);
    return ((await app.statements()) - a) / ms;
  };
  await h.settle(500, 10_000);
  const idlePerMs = await idle(2_000);
  const out: Record<string, number> = {};
  const cpu: Record<string, number> = {};
  for (const kind of kinds) {
    const cpuBefore = await app.cpuMs();
    if (process.env.BENCH_QUERY_TRACE) appendFileSync(process.env.BENCH_QUERY_TRACE, `=== ${kind.name} × ${n}\n`);
    const before = await app.statements();
    const t0 = performance.now();
    await runOnce(h, {
      name: kind.name,
      url: app.url,
      concurrency: 1,
      metric: 'ack',
      make: (count) => {
        const built = Array.from({ length: count }, (_, i) => kind.make(i));
        return { requests: toLoad(built, { ...(kind.expect ? { expect: kind.expect } : {}), awaitCompletion: kind.waits === true }), ...(kind.waits ? { keys: built.map((b) => b.key) } : {}) };
      },
    }, n);
    await h.settle(500, 10_000);
    const counted = (await app.statements()) - before;
    out[kind.name] = Math.max(0, (counted - idlePerMs * (performance.now() - t0)) / n);
    cpu[kind.name] = ((await app.cpuMs()) - cpuBefore) / n;
  }
  return { statements: out, cpuMs: cpu };
}
