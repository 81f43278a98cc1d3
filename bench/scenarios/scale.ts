/**
 * Scale (issue 20 part 4): the same requests on an organization of 100 members with 10,000
 * audit events, then on the same organization grown to 1,000,000 members and 10,000,000
 * events (--quick: 20,000 and 50,000), one request at a time. Target: each p50 at the large
 * size ≤ 1.3 × the same request's p50 at the small one.
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
import { cursorAt, growTeam, seedTeam } from '../seed.js';
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
  path(i: number, size: number): string;
}

/** GETs against the API one at a time (c=1), timed here: the generator only sends signed Slack POSTs. */
async function measureApi(base: string, key: string, t: ApiTarget, size: number, rounds: number, requests: number): Promise<SeriesStats> {
  const one = async (i: number): Promise<Sample> => {
    const t0 = performance.timeOrigin + performance.now();
    const started = performance.now();
    try {
      const res = await fetch(`${base}${t.path(i, size)}`, { headers: { authorization: `Bearer ${key}`, accept: 'application/json' } });
      const body = await res.text();
      const ackMs = performance.now() - started;
      const error = res.status !== 200 ? `${t.id}: HTTP ${res.status} ${body.slice(0, 160)}` : undefined;
      return { id: i, t0, ackMs, status: res.status, ...(error ? { error } : {}) };
    } catch (err) {
      return { id: i, t0, ackMs: performance.now() - started, status: 0, error: `${t.id}: ${String(err)}` };
    }
  };
  for (let i = 0; i < 10; i++) await one(i);
  const stats: RoundStats[] = [];
  const errors: string[] = [];
  for (let r = 0; r < rounds; r++) {
    const started = performance.now();
    const samples: Sample[] = [];
    for (let i = 0; i < requests; i++) samples.push(await one(r * requests + i));
    stats.push(roundStats(samples, 'ack', performance.now() - started));
    errors.push(...samples.filter((s) => s.error).map((s) => s.error!));
  }
  return seriesStats(stats, errors);
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

export async function scaleScenario(h: Harness, p: Profile): Promise<ScenarioResult> {
  const started = performance.now();
  const sizes = scaleSizes(p.quick);
  const database = await h.freshDatabase();
  const team = await seedTeam(database.db, h.standin, sizes.members[0]);
  // Written straight to the table, as the seed is (createApiKey would also tell the tellers, which this process has none of).
  const { key, hash, prefix } = newApiKey();
  await database.db.insertInto('api_keys').values({ organization_id: team.organizationId, name: 'bench scale', scope: 'read', prefix, key_hash: hash }).execute();
  const carol = await database.db.selectFrom('members').select('id').where('organization_id', '=', team.organizationId).where('email', '=', HISTORY_OF).executeTakeFirstOrThrow();
  // carol's own history: the same events at both sizes, the oldest of the log.
  await sql`
    insert into audit_events (organization_id, actor_type, actor_id, action, target_type, target_id, source, occurred_at)
    select ${team.organizationId}::uuid, 'cli', null, 'member.role_changed', 'member', ${carol.id}, 'cli', now() - interval '400 days' - n * interval '1 minute'
      from generate_series(1, ${HISTORY_EVENTS}) as n`.execute(database.db);
  // No rate limit in the way: one key sends every API request.
  const app = await h.startApp('scale', database.url, { API_RATE_LIMIT_BURST: '100000', API_RATE_LIMIT_PER_SECOND: '100000' });
  const apiBase = `${new URL(app.url).origin}/api/v1`;
  const user = (i: number) => BENCH_USERS[i % BENCH_USERS.length]!.id;
  // Generated members are member<n>@example.test for n from team.size + 1: look up ones spread over the table.
  const named = await database.db.selectFrom('members').select((eb) => eb.fn.countAll<string>().as('n')).where('organization_id', '=', team.organizationId).where('email', 'not like', 'member%@example.test').executeTakeFirstOrThrow();
  const firstGenerated = Number(named.n) + 1;
  const memberEmail = (i: number, size: number) => `member${firstGenerated + ((i * 7_919) % (size - firstGenerated + 1))}@example.test`;

  const slackKinds = [
    { id: 'first', label: '/team list, first page', text: 'list' },
    { id: 'search', label: `/team list ${PREFIX} (prefix search, one match)`, text: `list ${PREFIX}` },
  ];
  const apiKinds: ApiTarget[] = [
    { id: 'lookup', label: 'GET /api/v1/members/<email> (membership lookup)', path: (i, size) => `/members/${encodeURIComponent(memberEmail(i, size))}` },
    { id: 'members', label: 'GET /api/v1/members, first page (100)', path: () => '/members' },
    { id: 'audit', label: 'GET /api/v1/audit, newest page (100)', path: () => '/audit' },
    { id: 'history', label: `GET /api/v1/audit?target=<email> (a member's ${HISTORY_EVENTS} events)`, path: () => `/audit?target=${encodeURIComponent(HISTORY_OF)}` },
  ];

  const bySize: Array<Map<string, SeriesStats>> = [];
  const plans: Record<string, PlanSummary[]> = {};
  const seeding: Record<string, { membersMs: number; eventsMs: number; databaseMB: number }> = {};
  for (const step of [0, 1] as const) {
    const members = sizes.members[step];
    const events = sizes.events[step];
    const seeded = performance.now();
    await growTeam(database.db, team, members);
    const membersMs = performance.now() - seeded;
    const { count } = await database.db.selectFrom('audit_events').select((eb) => eb.fn.countAll<string>().as('count')).executeTakeFirstOrThrow();
    const eventsStarted = performance.now();
    await growAudit(database.db, team.organizationId, Number(count) + 1, events);
    const eventsMs = performance.now() - eventsStarted;
    const { rows } = await sql<{ mb: number }>`select (pg_database_size(current_database()) / 1048576)::int as mb`.execute(database.db);
    seeding[String(members)] = { membersMs: Math.round(membersMs), eventsMs: Math.round(eventsMs), databaseMB: rows[0]!.mb };
    p.progress(`scale: ${members.toLocaleString('en-US')} members (${Math.round(membersMs)} ms), ${events.toLocaleString('en-US')} audit events (${Math.round(eventsMs)} ms), database ${rows[0]!.mb} MB`);

    const targets: Target[] = slackKinds.map((k) => ({
      name: k.id,
      url: app.url,
      concurrency: 1,
      metric: 'completion',
      make: (n) => {
        const built = Array.from({ length: n }, (_, i) => build.command(h, user(i), k.text));
        return { requests: toLoad(built, { completionIsAck: true, expect: EXPECT.listAck }), keys: built.map(() => undefined) };
      },
    }));
    const stats = await measure(h, targets, { rounds: p.rounds, requests: sizes.requests, warmup: 10 });
    for (const k of apiKinds) stats.set(k.id, await measureApi(apiBase, key, k, members, p.rounds, sizes.requests));
    bySize.push(stats);

    const later = await cursorAt(database.db, team.organizationId, Math.floor(members / 2));
    const lookup = memberEmail(1, members);
    plans[String(members)] = [
      ...(await teamPagePlans(database.db, team.organizationId, later, { person: PREFIX, broad: 'ma' })),
      await explain(
        database.db,
        `API membership lookup (${lookup})`,
        database.db
          .selectFrom('members')
          .select(['id', 'email', 'display_name', 'slack_user_id', 'role', 'status', 'joined_at', 'removed_at', 'last_sign_in_at'])
          .where('organization_id', '=', team.organizationId)
          .where(sql<string>`lower(email)`, '=', lookup)
          .where('status', '=', 'active'),
      ),
      await explain(database.db, 'API members, first page', await captured(database.url, (db) => pageOfMembers(db, team.organizationId, { status: 'active', limit: 100 }))),
      await explain(database.db, `API audit, newest page (${events.toLocaleString('en-US')} events)`, await captured(database.url, (db) => auditPage(db, team.organizationId, {}, undefined, 101))),
      await explain(
        database.db,
        `API audit, one member's history (${events.toLocaleString('en-US')} events)`,
        await captured(database.url, (db) => auditPage(db, team.organizationId, { target: { type: 'member', id: carol.id } }, undefined, 101)),
      ),
    ];
  }
  await app.stop();
  await database.close();

  const rows: Row[] = [];
  const kinds = [...slackKinds.map((k) => ({ id: k.id, label: k.label, audit: false })), ...apiKinds.map((k) => ({ id: k.id, label: k.label, audit: k.id === 'audit' || k.id === 'history' }))];
  for (const k of kinds) {
    const sizeLabel = (step: 0 | 1) => (k.audit ? `${sizes.events[step].toLocaleString('en-US')} events` : `${sizes.members[step].toLocaleString('en-US')} members`);
    const small = bySize[0]!.get(k.id)!;
    rows.push({ label: `${k.label}, ${sizeLabel(0)}`, ours: small });
    rows.push(
      withRatio({
        label: `${k.label}, ${sizeLabel(1)}`,
        ours: bySize[1]!.get(k.id)!,
        baseline: small,
        baselineLabel: `the same request on ${sizeLabel(0)}`,
        ratioOf: 'p50',
        target: TARGET,
      }),
    );
  }
  const notes: string[] = [
    `One organization measured at ${sizes.members[0].toLocaleString('en-US')} members / ${sizes.events[0].toLocaleString('en-US')} audit events, then grown in place to ${sizes.members[1].toLocaleString('en-US')} / ${sizes.events[1].toLocaleString('en-US')} (INSERT … SELECT generate_series, ANALYZE after); c=1, ratio = p50 / p50 at the small size.`,
    `Seeding: ${Object.entries(seeding)
      .map(([m, s]) => `${Number(m).toLocaleString('en-US')} members ${(s.membersMs / 1000).toFixed(1)} s, events ${(s.eventsMs / 1000).toFixed(1)} s, database ${s.databaseMB} MB`)
      .join('; ')}.`,
  ];
  for (const [size, list] of Object.entries(plans)) {
    notes.push(`Plans at ${Number(size).toLocaleString('en-US')} members (EXPLAIN ANALYZE):`);
    for (const plan of list) notes.push(`  ${plan.statement}: ${plan.executionMs.toFixed(2)} ms, ${plan.buffers} buffers${plan.seqScan ? ', SEQ SCAN' : ''} — ${plan.plan}`);
  }
  const problems = app.problems().filter(isError);
  return {
    id: 'scale',
    title: `Scale: ${sizes.members[0].toLocaleString('en-US')} → ${sizes.members[1].toLocaleString('en-US')} members, ${sizes.events[0].toLocaleString('en-US')} → ${sizes.events[1].toLocaleString('en-US')} audit events, c=1; ratio = p50 / p50 at the small size`,
    rows,
    facts: { sizes, seeding, plans },
    notes,
    errors: rows.reduce((n, r) => n + r.ours.errors, 0) + problems.length,
    errorSamples: [...rows.flatMap((r) => r.ours.errorSamples), ...problems.slice(0, 3)],
    durationMs: performance.now() - started,
  };
}
