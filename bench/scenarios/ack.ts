/**
 * Scenario 1, ack latency: the HTTP response time of `/team list`, a role change from the
 * dropdown, and an invite submission, at 1, 16 and 64 requests in flight, against the bare
 * Bolt app answering the same signed bodies. Target: our p99 ≤ 1.5 × the bare app's p99.
 */
import type { Role } from '../../src/db/schema.js';
import { BENCH_USERS, type Harness } from '../harness.js';
import { sideBySide, type Target } from '../measure.js';
import { build, EXPECT, toLoad, type Built } from '../requests.js';
import type { Row, ScenarioResult } from '../results.js';
import { roleTargets } from '../seed.js';
import { teamApp } from '../team-app.js';
import type { Profile } from '../profile.js';

const TARGET = 1.5;

export async function ackScenario(h: Harness, p: Profile): Promise<ScenarioResult> {
  const started = performance.now();
  const [{ database, team, app, release }, baseline] = await Promise.all([teamApp(h, 'ack', p.ackTeamSize, { share: p.quick }), h.baseline()]);
  const targets = await roleTargets(database.db, team.organizationId, 500);

  // Each person (bench owner) acts in turn; role changes cycle through the targets, flipping
  // each between member and owner, so every change is a real one.
  let roleChanges = 0;
  let invites = 0;
  const user = (i: number) => BENCH_USERS[i % BENCH_USERS.length]!.id;
  // `waits`: our answer comes after the ack (the role change replaces the message through its
  // response_url), and each person waits for it before acting again, as people do; so c people
  // means c requests in flight, not c acks with an unbounded pile of work behind them. The bare
  // app's answer is its ack.
  const kinds: Array<{ name: string; make: (i: number) => Built; expect?: (typeof EXPECT)[keyof typeof EXPECT]; waits?: boolean }> = [
    { name: '/team list', make: (i) => build.command(h, user(i), 'list'), expect: EXPECT.listAck },
    {
      name: 'role dropdown',
      make: (i) => {
        const n = roleChanges++;
        const role: Role = Math.floor(n / targets.length) % 2 === 0 ? 'owner' : 'member';
        return build.roleChange(h, user(i), targets[n % targets.length]!, role);
      },
      waits: true,
    },
    {
      name: 'invite submission',
      make: (i) => build.invite(h, user(i), [`ack-${invites++}@invitees.test`]),
      expect: EXPECT.inviteAck,
    },
  ];

  const rows: Row[] = [];
  for (const concurrency of p.ackConcurrency) {
    for (const kind of kinds) {
      const series = (name: string, url: string, ours: boolean): Target => ({
        name,
        url,
        concurrency,
        metric: 'ack',
        make: (count) => {
          const built = Array.from({ length: count }, (_, i) => kind.make(i));
          const waits = ours && kind.waits === true;
          return {
            requests: toLoad(built, { ...(ours && kind.expect ? { expect: kind.expect } : {}), awaitCompletion: waits }),
            ...(waits ? { keys: built.map((b) => b.key) } : {}),
          };
        },
      });
      const options = { rounds: p.rounds, requests: p.ackRequests(concurrency), warmup: p.warmup(concurrency) };
      rows.push(await sideBySide(h, [series('ours', app.url, true), series('bare', baseline.url, false)], options, { label: kind.name, baselineLabel: 'bare Bolt app, same request', target: TARGET }));
      p.progress(`ack: ${kind.name} c=${concurrency} done`);
    }
  }
  await release();
  const problems = app.problems().filter((l) => isError(l));
  const requestErrors = rows.reduce((n, r) => n + r.ours.errors + (r.baseline?.errors ?? 0), 0);
  return {
    id: 'ack',
    title: `1. Ack latency (HTTP response time), team of ${team.size.toLocaleString('en-US')}; ratio = our p99 / bare Bolt app p99`,
    rows,
    facts: { teamSize: team.size, roleChanges, invitations: invites },
    notes: [
      'Each invite submission invites one new address (a 50-address submission is scenario 4).',
      'Role changes and invitations keep working after the ack (response_url, jobs); each run waits for that to settle.',
    ],
    errors: requestErrors + problems.length,
    errorSamples: [...rows.flatMap((r) => [...r.ours.errorSamples, ...(r.baseline?.errorSamples ?? [])]), ...problems.slice(0, 3)],
    durationMs: performance.now() - started,
  };
}

/** A pino line at error (50) or fatal (60), or a line that is not JSON at all (a crash). */
export function isError(line: string): boolean {
  try {
    return ((JSON.parse(line) as { level?: number }).level ?? 0) >= 50;
  } catch {
    return true;
  }
}
