/**
 * Scenario 3, growth with team size: the same requests on one team grown from 100 to 10,000
 * to 100,000 members (ANALYZEd after each step, as autovacuum would), one at a time, answer
 * to answer. Target: at the largest size, p50 ≤ 1.5 × p50 at the smallest. The statements'
 * plans are printed with the indexes they use.
 */
import { BENCH_USERS, type Harness } from '../harness.js';
import { measure, type Target } from '../measure.js';
import { build, EXPECT, toLoad, type Built } from '../requests.js';
import { withRatio, type Row, type ScenarioResult } from '../results.js';
import { cursorAt, growTeam } from '../seed.js';
import { teamApp } from '../team-app.js';
import { teamPagePlans, type PlanSummary } from '../plans.js';
import type { SeriesStats } from '../stats.js';
import type { Profile } from '../profile.js';
import { isError } from './ack.js';

const TARGET = 1.5;
/** A person looked up by name (one match at every size), and a two-letter prefix whose matches grow with the team. */
const SEARCHES = { person: 'carol', broad: 'ma' };

interface Kind {
  id: string;
  label: string;
  target: boolean;
  make(i: number, later: string): Built;
  options: { awaitCompletion?: boolean; completionIsAck?: boolean; expect?: typeof EXPECT.listAck };
}

export async function growthScenario(h: Harness, p: Profile): Promise<ScenarioResult> {
  const started = performance.now();
  const sizes = p.growthSizes;
  const { database, team, app, release } = await teamApp(h, 'growth', sizes[0]!);
  const user = (i: number) => BENCH_USERS[i % BENCH_USERS.length]!.id;
  const kinds: Kind[] = [
    { id: 'first', label: '/team list, first page', target: true, make: (i) => build.command(h, user(i), 'list'), options: { completionIsAck: true, expect: EXPECT.listAck } },
    { id: 'later', label: 'list Next, page in the middle', target: true, make: (i, later) => build.nextPage(h, user(i), later), options: { awaitCompletion: true } },
    { id: 'search', label: `/team list ${SEARCHES.person} (one match)`, target: true, make: (i) => build.command(h, user(i), `list ${SEARCHES.person}`), options: { completionIsAck: true, expect: EXPECT.listAck } },
    { id: 'broad', label: `/team list ${SEARCHES.broad} (matches grow)`, target: false, make: (i) => build.command(h, user(i), `list ${SEARCHES.broad}`), options: { completionIsAck: true, expect: EXPECT.listAck } },
    { id: 'home', label: 'App Home publish', target: true, make: (i) => build.homeOpened(h, user(i)), options: { awaitCompletion: true } },
  ];

  const bySize = new Map<number, Map<string, SeriesStats>>();
  const plans: Record<string, PlanSummary[]> = {};
  for (const size of sizes) {
    const seeded = performance.now();
    await growTeam(database.db, team, size);
    const seedMs = performance.now() - seeded;
    const later = await cursorAt(database.db, team.organizationId, Math.floor(size / 2));
    const targets: Target[] = kinds.map((k) => ({
      name: k.id,
      url: app.url,
      concurrency: 1,
      metric: 'completion',
      make: (count) => {
        const built = Array.from({ length: count }, (_, i) => k.make(i, later));
        return { requests: toLoad(built, k.options), keys: built.map((b) => (k.options.awaitCompletion ? b.key : undefined)) };
      },
    }));
    bySize.set(size, await measure(h, targets, { rounds: p.rounds, requests: p.growthRequests, warmup: 10 }));
    plans[String(size)] = await teamPagePlans(database.db, team.organizationId, later, SEARCHES);
    p.progress(`growth: ${size.toLocaleString('en-US')} members done (seeded in ${Math.round(seedMs)} ms)`);
  }
  await release();

  const smallest = sizes[0]!;
  const rows: Row[] = [];
  for (const k of kinds) {
    for (const size of sizes) {
      const ours = bySize.get(size)!.get(k.id)!;
      const base = bySize.get(smallest)!.get(k.id)!;
      rows.push(
        size === smallest
          ? { label: `${k.label}, ${size.toLocaleString('en-US')}`, ours }
          : withRatio({
              label: `${k.label}, ${size.toLocaleString('en-US')}`,
              ours,
              baseline: base,
              baselineLabel: `the same request on ${smallest} members`,
              ratioOf: 'p50',
              ...(k.target && size === sizes[sizes.length - 1] ? { target: TARGET } : {}),
            }),
      );
    }
  }
  const notes: string[] = ['Ratios compare p50 with the same request on the smallest team (c=1; p99 of a few dozen answers is too noisy to compare).'];
  for (const size of sizes) {
    notes.push(`Plans at ${size.toLocaleString('en-US')} members (EXPLAIN ANALYZE):`);
    for (const plan of plans[String(size)]!) {
      notes.push(`  ${plan.statement}: ${plan.executionMs.toFixed(2)} ms, ${plan.buffers} buffers${plan.seqScan ? ', SEQ SCAN' : ''} — ${plan.plan}`);
    }
  }
  const problems = app.problems().filter(isError);
  return {
    id: 'growth',
    title: `3. Growth with team size (${sizes.map((s) => s.toLocaleString('en-US')).join(' → ')} members), c=1; ratio = p50 / p50 at ${smallest}`,
    rows,
    facts: { sizes, plans },
    notes,
    errors: rows.reduce((n, r) => n + r.ours.errors, 0) + problems.length,
    errorSamples: [...rows.flatMap((r) => r.ours.errorSamples), ...problems.slice(0, 3)],
    durationMs: performance.now() - started,
  };
}
