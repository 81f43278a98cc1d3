import { mkdirSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { sql } from 'kysely';
import { createDatabaseIfMissing } from '../../../src/db/connect.js';
import { openDatabase, type Db } from '../../../src/db/database.js';
import { embeddedTempDir, startEmbeddedPostgres, type EmbeddedServer } from '../../../src/db/embedded.js';
import type { Member, Organization } from '../../../src/db/schema.js';
import { DATABASE_UNAVAILABLE_MESSAGE } from '../../../src/errors.js';
import { DEFAULT_USERS, SlackDriver, SlackStandin, type RecordedCall, type StandinUser } from '../../../src/standin/index.js';
import { findOrganizationBySlackTeam } from '../../../src/team/organization-repository.js';
import { SIGNING_SECRET } from '../../support/app.js';
import { runEntryPoint, type RunningProcess } from '../../support/process.js';
import { seedMember } from '../../support/seed.js';

/**
 * What the fault tests share: a PostgreSQL server of their own (they stop it, or point two
 * apps at it), the app as a real child process (`src/main.ts`, as `npm start` runs it, so it
 * can be SIGKILLed or SIGTERMed), a Slack stand-in with as many people as a test needs, and
 * the counting of what Slack received.
 */

export const TEAM_CHANNEL = 'C0TEAM0001';
export const ALICE = 'U0ALICE001';
export const CAROL = 'U0CAROL001';

export interface OwnPostgres {
  server: EmbeddedServer;
  /** The app's database on it. */
  url: string;
  /** A pool from the test process, for seeding and checking. */
  db: Db;
  close(): Promise<void>;
}

/** A PostgreSQL server only this test uses, with an empty `teammanager` database. */
export async function ownPostgres(prefix: string): Promise<OwnPostgres> {
  const dir = await embeddedTempDir(prefix);
  const server = await startEmbeddedPostgres({ dataDir: path.join(dir, 'data'), port: 0 });
  await createDatabaseIfMissing(server.url('postgres'), 'teammanager');
  const url = server.url('teammanager');
  const { db } = openDatabase(url, { onPoolError: () => undefined });
  return {
    server,
    url,
    db,
    async close() {
      await db.destroy().catch(() => undefined);
      await server.stop().catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Stand-in people P0001… (linked members in the tests), besides alice, bob, carol and dave. */
export function people(n: number): StandinUser[] {
  return Array.from({ length: n }, (_, i) => {
    const k = String(i + 1).padStart(4, '0');
    return { id: `U0P${k}0000`.slice(0, 10), name: `p${k}`, realName: `Person ${k}`, email: `p${k}@acme.test` };
  });
}

/** A stand-in that knows those people and does not pace posts (pacing is tested elsewhere). */
export function startStandin(extra: StandinUser[]): Promise<SlackStandin> {
  return SlackStandin.start({ users: [...DEFAULT_USERS, ...extra], postMessageIntervalMs: 0 });
}

export interface AppProcess {
  proc: RunningProcess;
  url: string;
  pid: number;
  driver: SlackDriver;
  /** True while the process has not exited. */
  alive(): boolean;
}

/** `src/main.ts` as a child process on a free port, against this database and stand-in. */
export async function startAppProcess(options: {
  databaseUrl: string;
  standin: SlackStandin;
  env?: Record<string, string>;
  entry?: string;
}): Promise<AppProcess> {
  const proc = runEntryPoint(options.entry ?? 'src/main.ts', {
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_BOT_TOKEN: options.standin.botToken,
    SLACK_API_URL: options.standin.apiUrl,
    SLACK_TEAM_CHANNEL: TEAM_CHANNEL,
    DATABASE_URL: options.databaseUrl,
    PORT: '0',
    LOG_LEVEL: 'info',
    RUN_MIGRATIONS: 'true',
    RUN_WORKER: 'true',
    ...options.env,
  });
  let exited = false;
  void proc.exited.then(() => (exited = true));
  const listening = await proc.waitForLog((l) => l.msg === 'Team Manager is listening', 30_000);
  const url = String(listening.url);
  return {
    proc,
    url,
    pid: proc.child.pid!,
    driver: new SlackDriver({ appUrl: `${url}/slack/events`, signingSecret: SIGNING_SECRET, standin: options.standin }),
    alive: () => !exited,
  };
}

/** `src/worker.ts` (the worker alone) as a child process; resolves once it has started. */
export async function startWorkerProcess(options: { databaseUrl: string; standin: SlackStandin; env?: Record<string, string> }): Promise<RunningProcess> {
  const proc = runEntryPoint('src/worker.ts', {
    // The worker's configuration asks for it too, although it serves no requests.
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_BOT_TOKEN: options.standin.botToken,
    SLACK_API_URL: options.standin.apiUrl,
    DATABASE_URL: options.databaseUrl,
    LOG_LEVEL: 'info',
    RUN_MIGRATIONS: 'false',
    ...options.env,
  });
  await proc.waitForLog((l) => l.msg === 'worker started', 30_000);
  return proc;
}

/** The organization the app created on its first start, with alice and carol as owners and `others` as members. */
export async function seedTeam(db: Db, standin: SlackStandin, others: StandinUser[]): Promise<{ org: Organization; members: Map<string, Member> }> {
  const org = (await findOrganizationBySlackTeam(db, standin.teamId))!;
  if (!org) throw new Error('the app did not create the organization');
  const members = new Map<string, Member>();
  members.set(ALICE, await seedMember(db, org, 'alice@acme.test', 'owner', { slackUserId: ALICE }));
  members.set(CAROL, await seedMember(db, org, 'carol@acme.test', 'owner', { slackUserId: CAROL }));
  for (const p of others) members.set(p.id, await seedMember(db, org, p.email, 'member', { slackUserId: p.id, displayName: p.realName }));
  return { org, members };
}

// ---------------------------------------------------------------------------
// Role changes: the workload most of these tests drive

export type Outcome = 'done' | 'unchanged' | 'try-again' | 'not-accepted' | 'late' | 'other';

export interface Attempt {
  target: string;
  outcome: Outcome;
  status: number;
  text: string;
}

export const promotedText = (target: string) => `:white_check_mark: <@${target}> is now an Owner (was Member).`;
export const alreadyOwnerText = (target: string) => `<@${target}> is already an owner. Nothing was changed.`;
export const channelPostText = (actor: string, target: string) => `:arrows_counterclockwise: <@${actor}> changed <@${target}>'s role from Member to Owner.`;

/**
 * `/team role @target owner` from alice, as Slack sends it, classified by the answer:
 * done (acknowledged as changed), unchanged (it already was), try-again (the database message),
 * not-accepted (no HTTP answer at all: the connection was refused or cut), late (Bolt gave up
 * after Slack's 3 s: Slack shows the person a timeout), other (anything else).
 */
export async function promote(driver: SlackDriver, target: string, actor = ALICE): Promise<Attempt> {
  let res: Awaited<ReturnType<SlackDriver['command']>>;
  try {
    res = await driver.command(actor, '/team', `role <@${target}> owner`);
  } catch (err) {
    return { target, outcome: 'not-accepted', status: 0, text: err instanceof Error ? `${err.message} ${String(err.cause ?? '')}` : String(err) };
  }
  const text = String(res.json?.text ?? res.text);
  const outcome: Outcome =
    res.status !== 200
      ? res.ms >= 3_000
        ? 'late'
        : 'other'
      : text === promotedText(target)
        ? 'done'
        : text === alreadyOwnerText(target)
          ? 'unchanged'
          : text === DATABASE_UNAVAILABLE_MESSAGE
            ? 'try-again'
            : 'other';
  return { target, outcome, status: res.status, text };
}

/** What the database and Slack say about one promoted person. */
export interface PromotionRecord {
  target: string;
  role: string;
  auditEvents: number;
  channelPosts: number;
  dms: number;
}

export async function promotionRecords(db: Db, standin: SlackStandin, members: Map<string, Member>, targets: string[]): Promise<PromotionRecord[]> {
  const rows = await db.selectFrom('members').select(['slack_user_id', 'role']).execute();
  const roles = new Map(rows.map((r) => [r.slack_user_id, r.role]));
  const { rows: events } = await sql<{ target_id: string; n: string }>`
    select target_id, count(*)::text as n from audit_events where action = 'member.role_changed' group by target_id`.execute(db);
  const eventsByMember = new Map(events.map((e) => [e.target_id, Number(e.n)]));
  const posts = standin.callsTo('chat.postMessage');
  return targets.map((target) => ({
    target,
    role: roles.get(target) ?? 'missing',
    auditEvents: eventsByMember.get(members.get(target)!.id) ?? 0,
    channelPosts: countPosts(posts, TEAM_CHANNEL, (t) => t === channelPostText(ALICE, target)),
    dms: countPosts(posts, target, (t) => t.includes('made you an *owner*')),
  }));
}

export function countPosts(posts: RecordedCall[], channel: string, match: (text: string) => boolean): number {
  return posts.filter((c) => c.args.channel === channel && match(String(c.args.text))).length;
}

/** Jobs still in the queue (graphile-worker's table), with whether a worker holds them. */
export async function jobsLeft(db: Db): Promise<Array<{ id: string; task: string; locked: boolean; attempts: number; lastError: string | null }>> {
  const { rows } = await sql<{ id: string; identifier: string; locked_by: string | null; attempts: number; last_error: string | null }>`
    select j.id::text, t.identifier, j.locked_by, j.attempts, j.last_error
      from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
     order by j.id`.execute(db);
  return rows.map((r) => ({ id: r.id, task: r.identifier, locked: r.locked_by !== null, attempts: r.attempts, lastError: r.last_error }));
}

/** Jobs of the kinds our tests wait for (the minutely cron sweeps come and go on their own). */
export const isDelivery = (job: { task: string }) => !job.task.endsWith('-due');

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls until `check` returns true or the time is up; returns whether it did. */
export async function eventually(check: () => Promise<boolean> | boolean, timeoutMs: number, intervalMs = 100): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return true;
    } catch {
      // not yet
    }
    if (Date.now() > until) return false;
    await sleep(intervalMs);
  }
}

/** Log lines of a child process at error level or above (pino: 50+), parsed. */
export function errorLines(proc: RunningProcess): Array<Record<string, unknown>> {
  return proc
    .stdout()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => Number(l.level) >= 50);
}

/** Keeps a child's output next to the ledger (.reliability/<name>.log), for reading after a failure. */
export function saveLog(name: string, proc: RunningProcess): void {
  mkdirSync('.reliability', { recursive: true });
  writeFileSync(path.join('.reliability', `${name}.log`), proc.stdout() + '\n--- stderr ---\n' + proc.stderr());
}

/** After a test: keeps the child's log (saveLog) and stops it if it is still running. */
export async function retire(name: string, proc: RunningProcess): Promise<void> {
  saveLog(name, proc);
  if (proc.child.exitCode === null && proc.child.signalCode === null) {
    proc.child.kill('SIGTERM');
    await proc.exited;
  }
}
