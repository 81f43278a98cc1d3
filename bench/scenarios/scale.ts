/**
 * Scale (issue 20 part 4): the same requests on an organization of 100 members with 10,000
 * audit events and on one of 1,000,000 members with 10,000,000 events (--quick: 20,000 and
 * 50,000), each on a database and an app of its own, measured side by side in alternating
 * rounds, one request at a time. Target: each p50 of the large one ≤ 1.3 × the same request's
 * p50 on the small one.
 *
 * Requests: `/team list` (first page) and a prefix search through Slack, and the REST API the
 * product calls — the membership lookup GET /api/v1/members/<email>, the first page of
 * GET /api/v1/members, the newest page of GET /api/v1/audit, and a member's history
 * GET /api/v1/audit?target=<email>. EXPLAIN (ANALYZE, BUFFERS) of every statement behind them
 * is kept at both sizes (facts.plans), the API's taken from the statements the app's own
 * functions send.
 *
 * Seeding: INSERT … SELECT generate_series, in batches, server side (pg-copy-streams is not a
 * dependency, and COPY FROM STDIN would have to generate the same rows in Node and ship them
 * over the socket: more work for the same result).
 */
import { Kysely, PostgresDialect, sql, type CompiledQuery } from 'kysely';
import { openDatabase, type Db } from '../../src/db/database.js';
import type { Database } from '../../src/db/schema.js';
import { newApiKey } from '../../src/api/api-keys.js';
import { auditPage } from '../../src/api/audit.js';
import { pageOfMembers } from '../../src/api/members.js';
import { BENCH_USERS, type Harness } from '../harness.js';
import { measure, type Target } from '../measure.js';
import { build, EXPECT, toLoad } from '../requests.js';
import { withRatio, type Row, type ScenarioResult } from '../results.js';
import { cursorAt, seedTeam } from '../seed.js';
import { explain, teamPagePlans, type PlanSummary } from '../plans.js';
import { roundStats, seriesStats, type RoundStats, type Sample, type SeriesStats } from '../stats.js';
import type { Profile } from '../profile.js';
import { isError } from './ack.js';

const TARGET = 1.3;
/** One match at every size (the seeded names never start with "carol"). */
const PREFIX = 'carol';
/** The member whose history the audit query asks for: carol, with the same 20 events at every size. */
const HISTORY_OF = 'carol@acme.test';
const HISTORY_EVENTS = 20;
const BATCH = 1_000_000;

export interface ScaleSizes {
  members: [number, number];
  events: [number, number];
  requests: number;
}

export function scaleSizes(quick: boolean): ScaleSizes {
  return quick ? { members: [100, 20_000], events: [10_000, 50_000], requests: 5 } : { members: [100, 1_000_000], events: [10_000, 10_000_000], requests: 40 };
}

/** Audit events until the organization has `count` (plus the few the app wrote): newest first in time, targets spread over a million ids. */
async function growAudit(db: Db, organizationId: string, from: number, count: number): Promise<void> {
  for (let start = from; start <= count; start += BATCH) {
    const end = Math.min(count, start + BATCH - 1);
    await sql`
      insert into audit_events (organization_id, actor_type, actor_id, action, target_type, target_id, after, source, occurred_at)
      select ${organizationId}::uuid, 'member', md5((n % 64)::text)::uuid::text,
             (array['member.role_changed', 'member.invited', 'member.removed', 'invitation.accepted'])[1 + n % 4],
             'member', md5(n::text)::uuid::text,
             case when n % 10 = 0 then jsonb_build_object('role', 'owner') end,
             'slack', now() - interval '1 hour' - n * interval '1 second'
        from generate_series(${start}::int, ${end}::int) as n`.execute(db);
  }
  await sql`analyze audit_events`.execute(db);
}

interface ApiTarget {
  id: string;
  label: string;
  path(i: number, side: Side): string;
}

/** One of the two organizations, on a database and an app of its own. */
interface Side {
  step: 0 | 1;
  members: number;
  events: number;
  database: { url: string; db: Db; close(): Promise<void> };
  organizationId: string;
  carolId: string;
  key: string;
  /** member<n>@example.test exist for n from here to `members`. */
  firstGenerated: number;
  app: Awaited<ReturnType<Harness['startApp']>>;
  apiBase: string;
  seeding: { membersMs: number; eventsMs: number; vacuumMs: number; databaseMB: number };
}

/**
 * GETs against the API one at a time (c=1), timed here (the generator only sends signed Slack
 * POSTs): the two sides one after the other, in alternating order round after round, as
 * measure() does, so a busy moment of the machine falls on both.
 */
async function measureApi(t: ApiTarget, sides: readonly Side[], rounds: number, requests: number): Promise<SeriesStats[]> {
  const one = async (side: Side, i: number): Promise<Sample> => {
    const t0 = performance.timeOrigin + performance.now();
    const started = performance.now();
    try {
      const res = await fetch(`${side.apiBase}${t.path(i, side)}`, { headers: { authorization: `Bearer ${side.key}`, accept: 'application/json' } });
      const body = await res.text();
      const ackMs = performance.now() - started;
      const error = res.status !== 200 ? `${t.id}: HTTP ${res.status} ${body.slice(0, 160)}` : undefined;
      return { id: i, t0, ackMs, status: res.status, ...(error ? { error } : {}) };
    } catch (err) {
      return { id: i, t0, ackMs: performance.now() - started, status: 0, error: `${t.id}: ${String(err)}` };
    }
  };
  for (const side of sides) for (let i = 0; i < 10; i++) await one(side, i);
  const stats = sides.map(() => [] as RoundStats[]);
  const errors = sides.map(() => [] as string[]);
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? sides.map((_, i) => i) : sides.map((_, i) => sides.length - 1 - i);
    for (const at of order) {
      const started = performance.now();
      const samples: Sample[] = [];
      for (let i = 0; i < requests; i++) samples.push(await one(sides[at]!, r * requests + i));
      stats[at]!.push(roundStats(samples, 'ack', performance.now() - started));
      errors[at]!.push(...samples.filter((s) => s.error).map((s) => s.error!));
    }
  }
  return sides.map((_, i) => seriesStats(stats[i]!, errors[i]!));
}

/** The statement a function of the app sends (its first), for EXPLAIN: run once on a logging connection. */
async function captured(url: string, run: (db: Db) => Promise<unknown>): Promise<{ compile(): CompiledQuery }> {
  const { pool } = openDatabase(url, { maxConnections: 1 });
  let first: CompiledQuery | undefined;
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), log: (e) => void (first ??= e.query) });
  try {
    await run(db);
  } finally {
    await db.destroy();
  }
  return { compile: () => first! };
}

const memberEmail = (i: number, side: Side) => `member${side.firstGenerated + ((i * 7_919) % (side.members - side.firstGenerated + 1))}@example.test`;

/** A database seeded with `members` and `events`, vacuumed, and the app started on it. */
async function seedSide(h: Harness, p: Profile, step: 0 | 1, members: number, events: number): Promise<Side> {
  const database = await h.freshDatabase();
  const seeded = performance.now();
  const team = await seedTeam(database.db, h.standin, members);
  const membersMs = performance.now() - seeded;
  const organizationId = team.organizationId;
  // Written straight to the table, as the seed is (createApiKey would also tell the tellers, which this process has none of).
  const { key, hash, prefix } = newApiKey();
  await database.db.insertInto('api_keys').values({ organization_id: organizationId, name: 'bench scale', scope: 'read', prefix, key_hash: hash }).execute();
  const carol = await database.db.selectFrom('members').select('id').where('organization_id', '=', organizationId).where('email', '=', HISTORY_OF).executeTakeFirstOrThrow();
  const named = await database.db.selectFrom('members').select((eb) => eb.fn.countAll<string>().as('n')).where('organization_id', '=', organizationId).where('email', 'not like', 'member%@example.test').executeTakeFirstOrThrow();
  const eventsStarted = performance.now();
  // carol's own history: the same events at both sizes, the oldest of the log.
  await sql`
    insert into audit_events (organization_id, actor_type, actor_id, action, target_type, target_id, source, occurred_at)
    select ${organizationId}::uuid, 'cli', null, 'member.role_changed', 'member', ${carol.id}, 'cli', now() - interval '400 days' - n * interval '1 minute'
      from generate_series(1, ${HISTORY_EVENTS}) as n`.execute(database.db);
  await growAudit(database.db, organizationId, HISTORY_EVENTS + 1, events);
  const eventsMs = performance.now() - eventsStarted;
  // What autovacuum does after a bulk insert (PostgreSQL 13+ vacuums on inserts): the visibility
  // map set, so index-only scans skip the heap. Done here so it is not running during the timings.
  const vacuumStarted = performance.now();
  await sql`vacuum (analyze) members, audit_events`.execute(database.db);
  // And the 6 GB just written flushed now, not by a checkpoint in the middle of the timings
  // (the second full run's first row, measured right after seeding, was the one that missed).
  await sql`checkpoint`.execute(database.db).catch(() => undefined);
  const vacuumMs = performance.now() - vacuumStarted;
  const { rows } = await sql<{ mb: number }>`select (pg_database_size(current_database()) / 1048576)::int as mb`.execute(database.db);
  const seeding = { membersMs: Math.round(membersMs), eventsMs: Math.round(eventsMs), vacuumMs: Math.round(vacuumMs), databaseMB: rows[0]!.mb };
  p.progress(`scale: ${members.toLocaleString('en-US')} members (${seeding.membersMs} ms), ${events.toLocaleString('en-US')} audit events (${seeding.eventsMs} ms), vacuum (${seeding.vacuumMs} ms), database ${seeding.databaseMB} MB`);
  // No rate limit in the way: one key sends every API request.
  const app = await h.startApp(`scale-${members}`, database.url, { API_RATE_LIMIT_BURST: '100000', API_RATE_LIMIT_PER_SECOND: '100000' });
  return { step, members, events, database, organizationId, carolId: carol.id, key, firstGenerated: Number(named.n) + 1, app, apiBase: `${new URL(app.url).origin}/api/v1`, seeding };
}

async function sidePlans(side: Side): Promise<PlanSummary[]> {
  const { db, url } = side.database;
  const later = await cursorAt(db, side.organizationId, Math.floor(side.members / 2));
  const lookup = memberEmail(1, side);
  return [
    ...(await teamPagePlans(db, side.organizationId, later, { person: PREFIX, broad: 'ma' })),
    await explain(
      db,
      `API membership lookup (${lookup})`,
      // The statement of GET /members/<email> (src/api/members.ts), which is inline in its route.
      db
        .selectFrom('members')
        .select(['id', 'email', 'display_name', 'slack_user_id', 'role', 'status', 'joined_at', 'removed_at', 'last_sign_in_at'])
        .where('organization_id', '=', side.organizationId)
        .where(sql<string>`lower(email)`, '=', lookup)
        .where('status', '=', 'active'),
    ),
    await explain(db, 'API members, first page', await captured(url, (d) => pageOfMembers(d, side.organizationId, { status: 'active', limit: 101 }))),
    await explain(db, `API audit, newest page (${side.events.toLocaleString('en-US')} events)`, await captured(url, (d) => auditPage(d, side.organizationId, {}, undefined, 101))),
    await explain(
      db,
      `API audit, one member's history (${side.events.toLocaleString('en-US')} events)`,
      await captured(url, (d) => auditPage(d, side.organizationId, { target: { type: 'member', id: side.carolId } }, undefined, 101)),
    ),
  ];
}

export async function scaleScenario(h: Harness, p: Profile): Promise<ScenarioResult> {
  const started = performance.now();
  const sizes = scaleSizes(p.quick);
  // Both organizations exist at once, each on its database and app, and are measured side by
  // side in alternating rounds: the machine is shared, and two phases minutes apart would
  // compare two different machines.
  const sides: Side[] = [];
  try {
    sides.push(await seedSide(h, p, 0, sizes.members[0], sizes.events[0]));
    sides.push(await seedSide(h, p, 1, sizes.members[1], sizes.events[1]));
  } catch (err) {
    for (const side of sides) {
      await side.app.stop();
      await side.database.close();
    }
    throw err;
  }
  const user = (i: number) => BENCH_USERS[i % BENCH_USERS.length]!.id;

  const slackKinds = [
    { id: 'first', label: '/team list, first page', text: 'list' },
    { id: 'search', label: `/team list ${PREFIX} (prefix search, one match)`, text: `list ${PREFIX}` },
  ];
  const apiKinds: ApiTarget[] = [
    { id: 'lookup', label: 'GET /api/v1/members/<email> (membership lookup)', path: (i, side) => `/members/${encodeURIComponent(memberEmail(i, side))}` },
    { id: 'members', label: 'GET /api/v1/members, first page (100)', path: () => '/members' },
    { id: 'audit', label: 'GET /api/v1/audit, newest page (100)', path: () => '/audit' },
    { id: 'history', label: `GET /api/v1/audit?target=<email> (a member's ${HISTORY_EVENTS} events)`, path: () => `/audit?target=${encodeURIComponent(HISTORY_OF)}` },
  ];

  const bySide = sides.map(() => new Map<string, SeriesStats>());
  for (const k of slackKinds) {
    const targets: Target[] = sides.map((side) => ({
      name: `${k.id}-${side.step}`,
      url: side.app.url,
      concurrency: 1,
      metric: 'completion',
      make: (n) => {
        const built = Array.from({ length: n }, (_, i) => build.command(h, user(i), k.text));
        return { requests: toLoad(built, { completionIsAck: true, expect: EXPECT.listAck }), keys: built.map(() => undefined) };
      },
    }));
    const stats = await measure(h, targets, { rounds: p.rounds, requests: sizes.requests, warmup: 10 });
    for (const side of sides) bySide[side.step]!.set(k.id, stats.get(`${k.id}-${side.step}`)!);
  }
  for (const k of apiKinds) {
    const stats = await measureApi(k, sides, p.rounds, sizes.requests);
    for (const side of sides) bySide[side.step]!.set(k.id, stats[side.step]!);
  }
  const plans: Record<string, PlanSummary[]> = {};
  for (const side of sides) plans[String(side.members)] = await sidePlans(side);
  const problems = sides.flatMap((side) => side.app.problems().filter(isError));
  for (const side of sides) {
    await side.app.stop();
    await side.database.close();
  }

  const rows: Row[] = [];
  const kinds = [...slackKinds.map((k) => ({ id: k.id, label: k.label, audit: false })), ...apiKinds.map((k) => ({ id: k.id, label: k.label, audit: k.id === 'audit' || k.id === 'history' }))];
  for (const k of kinds) {
    const sizeLabel = (step: 0 | 1) => (k.audit ? `${sizes.events[step].toLocaleString('en-US')} events` : `${sizes.members[step].toLocaleString('en-US')} members`);
    const small = bySide[0]!.get(k.id)!;
    rows.push({ label: `${k.label}, ${sizeLabel(0)}`, ours: small });
    rows.push(
      withRatio({
        label: `${k.label}, ${sizeLabel(1)}`,
        ours: bySide[1]!.get(k.id)!,
        baseline: small,
        baselineLabel: `the same request on ${sizeLabel(0)}, in the same rounds`,
        ratioOf: 'p50',
        target: TARGET,
      }),
    );
  }
  const seeding = Object.fromEntries(sides.map((s) => [String(s.members), s.seeding]));
  const notes: string[] = [
    `Two organizations, each on a database and an app of its own: ${sizes.members[0].toLocaleString('en-US')} members / ${sizes.events[0].toLocaleString('en-US')} audit events and ${sizes.members[1].toLocaleString('en-US')} / ${sizes.events[1].toLocaleString('en-US')} (INSERT … SELECT generate_series, then VACUUM ANALYZE), measured in alternating rounds; c=1, ratio = p50 / p50 of the small one.`,
    `Seeding: ${sides
      .map((s) => `${s.members.toLocaleString('en-US')} members ${(s.seeding.membersMs / 1000).toFixed(1)} s, ${s.events.toLocaleString('en-US')} events ${(s.seeding.eventsMs / 1000).toFixed(1)} s, vacuum ${(s.seeding.vacuumMs / 1000).toFixed(1)} s, database ${s.seeding.databaseMB} MB`)
      .join('; ')}.`,
  ];
  for (const [size, list] of Object.entries(plans)) {
    notes.push(`Plans at ${Number(size).toLocaleString('en-US')} members (EXPLAIN ANALYZE):`);
    for (const plan of list) notes.push(`  ${plan.statement}: ${plan.executionMs.toFixed(2)} ms, ${plan.buffers} buffers${plan.seqScan ? ', SEQ SCAN' : ''} — ${plan.plan}`);
  }
  return {
    id: 'scale',
    title: `Scale: ${sizes.members[0].toLocaleString('en-US')} vs ${sizes.members[1].toLocaleString('en-US')} members, ${sizes.events[0].toLocaleString('en-US')} vs ${sizes.events[1].toLocaleString('en-US')} audit events, c=1; ratio = p50 / p50 of the small organization`,
    rows,
    facts: { sizes, seeding, plans },
    notes,
    errors: rows.reduce((n, r) => n + r.ours.errors, 0) + problems.length,
    errorSamples: [...rows.flatMap((r) => r.ours.errorSamples), ...problems.slice(0, 3)],
    durationMs: performance.now() - started,
  };
}
