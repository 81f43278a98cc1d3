/**
 * Scenario 5, memory: the app's resident memory before and after 20,000 requests (a mix of
 * `/team list`, Next, role changes and App Home opens, 16 in flight), each reading taken after
 * a full garbage collection. Target: growth under 50 MB. The bare app gets the same
 * requests, for comparison. Each of the 16 waits for the answer to a click or Next before asking again.
 */
import type { Harness, ServerChild } from '../harness.js';
import { mixedLoad, mixedRequests } from '../mix.js';
import { roundStats, seriesStats } from '../stats.js';
import { type Row, type ScenarioResult } from '../results.js';
import { cursorAt, roleTargets } from '../seed.js';
import { teamApp } from '../team-app.js';
import type { Profile } from '../profile.js';
import type { MemoryReport } from '../protocol.js';
import { isError } from './ack.js';

const TARGET_MB = 50;
const CONCURRENCY = 16;
/** Requests per load run: the bodies of one batch are built, sent and forgotten before the next. */
const BATCH = 2_000;
const MB = 1024 * 1024;

export async function memoryScenario(h: Harness, p: Profile): Promise<ScenarioResult> {
  const started = performance.now();
  const [{ database, team, app, release }, baseline] = await Promise.all([teamApp(h, 'memory', p.memoryTeamSize, { share: p.quick }), h.baseline()]);
  const later = await cursorAt(database.db, team.organizationId, Math.floor(team.size / 2));
  const targets = await roleTargets(database.db, team.organizationId, 500);
  const mix = mixedLoad(h, later, targets);

  const drive = async (server: ServerChild, total: number, ours: boolean) => {
    const errors: string[] = [];
    let sent = 0;
    const rounds = [];
    while (sent < total) {
      const count = Math.min(BATCH, total - sent);
      // Each person waits for their answer (see mixedRequests): the readings measure what the
      // app keeps, not a backlog of accepted work.
      const { requests, keys } = mixedRequests(mix, count, ours, sent);
      h.resetStandin();
      const { samples, wallMs } = await h.load(server.url, CONCURRENCY, requests, keys);
      rounds.push(roundStats(samples, 'ack', wallMs));
      errors.push(...samples.filter((s) => s.error).map((s) => s.error!));
      sent += count;
    }
    await h.settle(500, 15_000);
    return seriesStats(rounds, errors);
  };

  const measureServer = async (server: ServerChild, ours: boolean) => {
    await drive(server, p.memoryWarmup, ours);
    const before = await server.memory(true);
    const load = await drive(server, p.memoryRequests, ours);
    const after = await server.memory(true);
    return { before, after, load };
  };

  const oursResult = await measureServer(app, true);
  p.progress('memory: app done');
  const bareResult = await measureServer(baseline, false);
  await release();

  const growth = (r: { before: MemoryReport; after: MemoryReport }) => ({
    rssMB: (r.after.rss - r.before.rss) / MB,
    heapUsedMB: (r.after.heapUsed - r.before.heapUsed) / MB,
  });
  const ours = growth(oursResult);
  const bare = growth(bareResult);
  const fmt = (m: MemoryReport) => `rss ${(m.rss / MB).toFixed(1)} MB, heap used ${(m.heapUsed / MB).toFixed(1)} MB`;
  const met = ours.rssMB < TARGET_MB;
  const problems = app.problems().filter(isError);
  const rows: Row[] = [
    { label: `our app, ${p.memoryRequests.toLocaleString('en-US')} mixed requests, c=${CONCURRENCY} (ack)`, concurrency: CONCURRENCY, ours: oursResult.load },
    { label: `bare app, the same requests (ack)`, concurrency: CONCURRENCY, ours: bareResult.load },
  ];
  return {
    id: 'memory',
    title: `5. Memory: resident memory before and after ${p.memoryRequests.toLocaleString('en-US')} requests (team of ${team.size.toLocaleString('en-US')}); target growth < ${TARGET_MB} MB`,
    rows,
    facts: {
      requests: p.memoryRequests,
      warmup: p.memoryWarmup,
      ours: { before: oursResult.before, after: oursResult.after, growthMB: ours },
      bare: { before: bareResult.before, after: bareResult.after, growthMB: bare },
      targetMB: TARGET_MB,
      met,
    },
    notes: [
      `ours: before ${fmt(oursResult.before)}; after ${fmt(oursResult.after)}; growth rss ${ours.rssMB.toFixed(1)} MB, heap ${ours.heapUsedMB.toFixed(1)} MB — ${met ? 'met' : 'MISSED'}`,
      `bare: before ${fmt(bareResult.before)}; after ${fmt(bareResult.after)}; growth rss ${bare.rssMB.toFixed(1)} MB, heap ${bare.heapUsedMB.toFixed(1)} MB`,
      `(readings after a full GC; the first ${p.memoryWarmup.toLocaleString('en-US')} requests warm up and are not counted; mix: 2/5 /team list, 1/5 Next, 1/5 role change, 1/5 App Home)`,
    ],
    errors: oursResult.load.errors + bareResult.load.errors + problems.length,
    errorSamples: [...oursResult.load.errorSamples, ...bareResult.load.errorSamples, ...problems.slice(0, 3)],
    durationMs: performance.now() - started,
  };
}
