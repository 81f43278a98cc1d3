/**
 * Scenario 7, honest floors (issue 20, part 3): ours against a bare Bolt app that does the same
 * unavoidable work and nothing else (bench/floor.ts), on the same database and team, side by side:
 *
 * - the invite submission's ack, the floor running the very same transaction before its ack;
 * - App Home publish completion, the floor reading the Home with the same queries and
 *   publishing the very same view (readHome / homeView in src/slack/home/home-view.ts).
 *
 * Target: our p99 ≤ 1.3 × the floor's. Each row is the median of the rounds (5 in the full run),
 * with the spread of the round p99s beside it, because these rows are noisy on a shared machine.
 *
 * Our job worker runs in a process of its own here (the Procfile's layout), whatever the run's
 * --separate-worker: both apps queue their invitations' DMs, emails and posts on the one
 * database, and a worker inside our web process would deliver the floor's too, on our event
 * loop, while the floor's ack paid for none of it (it made the c=16 invite row read 1.5× in the
 * runs of 2026-12-08). Separate, the deliveries of both run beside both.
 */
import { BENCH_USERS, type Harness } from '../harness.js';
import { sideBySide, type Target } from '../measure.js';
import { build, EXPECT, toLoad, type Built } from '../requests.js';
import type { Row, ScenarioResult } from '../results.js';
import { teamApp } from '../team-app.js';
import type { Profile } from '../profile.js';
import { isError } from './ack.js';

const TARGET = 1.3;

export async function floorsScenario(h: Harness, p: Profile): Promise<ScenarioResult> {
  const started = performance.now();
  const { database, team, app, release } = await teamApp(h, 'floors', p.completionTeamSize, { separateWorker: true });
  const floor = await h.floor('floors-floor', database.url, team.organizationId);
  const user = (i: number) => BENCH_USERS[i % BENCH_USERS.length]!.id;
  let invites = 0;
  const kinds: Array<{ name: string; metric: 'ack' | 'completion'; make: (i: number) => Built; options: Parameters<typeof toLoad>[1] }> = [
    { name: 'invite submission ack', metric: 'ack', make: (i) => build.invite(h, user(i), [`floor-${invites++}@invitees.test`]), options: { expect: EXPECT.inviteAck } },
    { name: 'App Home publish', metric: 'completion', make: (i) => build.homeOpened(h, user(i)), options: { awaitCompletion: true } },
  ];

  const rows: Row[] = [];
  try {
    for (const concurrency of p.completionConcurrency) {
      for (const kind of kinds) {
        const target = (name: string, url: string): Target => ({
          name,
          url,
          concurrency,
          metric: kind.metric,
          make: (count) => {
            const built = Array.from({ length: count }, (_, i) => kind.make(i));
            return { requests: toLoad(built, kind.options), ...(kind.metric === 'completion' ? { keys: built.map((b) => b.key) } : {}) };
          },
        });
        const options = { rounds: p.rounds, requests: p.completionRequests(concurrency), warmup: p.warmup(concurrency) };
        rows.push(await sideBySide(h, [target('ours', app.url), target('floor', floor.url)], options, { label: kind.name, baselineLabel: 'floor: bare Bolt app doing the same unavoidable work', target: TARGET }));
        p.progress(`floors: ${kind.name} c=${concurrency} done`);
      }
    }
  } finally {
    await floor.stop();
    await release();
  }
  const problems = [...app.problems(), ...floor.problems()].filter(isError);
  const requestErrors = rows.reduce((n, r) => n + r.ours.errors + (r.baseline?.errors ?? 0), 0);
  return {
    id: 'floors',
    title: `7. Honest floors, team of ${team.size.toLocaleString('en-US')}; ratio = our p99 / the floor's p99 (same database, same rows)`,
    rows,
    facts: { teamSize: team.size, invitations: invites },
    notes: [
      'Invite floor: the form read, one statement for the submitter, then createInvitations (the same transaction, statements and rows, tellers included) before the ack.',
      "Home floor: one statement for the viewer, the same reads (readHome: team page, open removals, pending invitations), the same view (homeView), views.publish. Ours also resolves the acting member through its middleware and remembers the viewer's page.",
      'Our worker runs in its own process here (both apps queue on one database: inside ours it would deliver the floor\'s jobs on our event loop).',
      ...rows.map((r) => `${r.label}: round p99s ours ${spread(r.ours)}, floor ${r.baseline ? spread(r.baseline) : '–'}`),
    ],
    errors: requestErrors + problems.length,
    errorSamples: [...rows.flatMap((r) => [...r.ours.errorSamples, ...(r.baseline?.errorSamples ?? [])]), ...problems.slice(0, 3)],
    durationMs: performance.now() - started,
  };
}

const spread = (s: { p99Range?: [number, number] }) => (s.p99Range ? `${s.p99Range[0].toFixed(1)}–${s.p99Range[1].toFixed(1)} ms` : '–');
