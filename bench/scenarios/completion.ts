/**
 * Scenario 2, completion latency on a big team: from the request to the moment the stand-in
 * receives what shows the person the answer. `/team list` answers in its ack; App Home with
 * views.publish; Next on a list message through the response_url. Compared with the bare
 * app's ack + views.open round trip. Target: our p99 ≤ 3 × the bare app's p99.
 */
import { BENCH_USERS, type Harness } from '../harness.js';
import { measure, type Target } from '../measure.js';
import { build, EXPECT, toLoad, type Built } from '../requests.js';
import { withRatio, type Row, type ScenarioResult } from '../results.js';
import { cursorAt } from '../seed.js';
import { teamApp } from '../team-app.js';
import type { Profile } from '../profile.js';
import { isError } from './ack.js';

const TARGET = 3;

export async function completionScenario(h: Harness, p: Profile): Promise<ScenarioResult> {
  const started = performance.now();
  const [{ database, team, app, release }, baseline] = await Promise.all([teamApp(h, 'completion', p.completionTeamSize, { share: p.quick }), h.baseline()]);
  const middle = await cursorAt(database.db, team.organizationId, Math.floor(team.size / 2));
  const user = (i: number) => BENCH_USERS[i % BENCH_USERS.length]!.id;

  const rows: Row[] = [];
  for (const concurrency of p.completionConcurrency) {
    const target = (name: string, url: string, make: (i: number) => Built, options: { awaitCompletion?: boolean; completionIsAck?: boolean; expect?: typeof EXPECT.listAck }, keyOf: (b: Built) => string | undefined): Target => ({
      name,
      url,
      concurrency,
      metric: 'completion',
      make: (count) => {
        const built = Array.from({ length: count }, (_, i) => make(i));
        return { requests: toLoad(built, options), keys: built.map(keyOf) };
      },
    });
    const targets = [
      target('bare', baseline.url, (i) => build.command(h, user(i), 'list'), { awaitCompletion: true }, (b) => b.baselineKey),
      target('list', app.url, (i) => build.command(h, user(i), 'list'), { completionIsAck: true, expect: EXPECT.listAck }, () => undefined),
      target('home', app.url, (i) => build.homeOpened(h, user(i)), { awaitCompletion: true }, (b) => b.key),
      target('next', app.url, (i) => build.nextPage(h, user(i), middle), { awaitCompletion: true }, (b) => b.key),
    ];
    const result = await measure(h, targets, { rounds: p.rounds, requests: p.completionRequests(concurrency), warmup: p.warmup(concurrency) });
    const bare = result.get('bare')!;
    const row = (label: string, name: string): Row =>
      withRatio({ label: `${label}, c=${concurrency}`, concurrency, ours: result.get(name)!, baseline: bare, baselineLabel: 'bare Bolt app: ack + views.open', ratioOf: 'p99', target: TARGET });
    rows.push(
      row('/team list (answer in the ack)', 'list'),
      row('App Home (views.publish)', 'home'),
      row('list Next page (response_url)', 'next'),
      { label: `bare app views.open round trip, c=${concurrency}`, concurrency, ours: bare },
    );
    p.progress(`completion: c=${concurrency} done`);
  }
  await release();
  const problems = app.problems().filter(isError);
  return {
    id: 'completion',
    title: `2. Completion latency on a team of ${team.size.toLocaleString('en-US')}; ratio = our p99 / bare app's views.open round-trip p99`,
    rows,
    facts: { teamSize: team.size },
    notes: ['Each worker waits for its answer to reach the stand-in before sending again (a person waiting for the page).'],
    errors: rows.reduce((n, r) => n + r.ours.errors, 0) + problems.length,
    errorSamples: [...rows.flatMap((r) => r.ours.errorSamples), ...problems.slice(0, 3)],
    durationMs: performance.now() - started,
  };
}
