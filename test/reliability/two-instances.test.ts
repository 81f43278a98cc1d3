import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Member, Organization } from '../../src/db/schema.js';
import { REMOVAL_ACTIONS } from '../../src/slack/blocks/removal-card.js';
import type { SlackStandin } from '../../src/standin/index.js';
import { requestRemoval } from '../../src/team/removals.js';
import type { SlackDriver, StoredMessage } from '../../src/standin/index.js';
import { DATABASE_UNAVAILABLE_MESSAGE } from '../../src/errors.js';
import { record } from './support/ledger.js';
import {
  ALICE,
  CAROL,
  TEAM_CHANNEL,
  countPosts,
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
  type AppProcess,
  type Attempt,
  type OwnPostgres,
} from './support/fault-harness.js';

/**
 * Two app processes (`src/main.ts`, each serving HTTP and running its worker) on one database
 * and one Slack. The same requests reach both at the same moment, as a retried or double-sent
 * request might behind a load balancer:
 *  - 20 promotions, each sent to both instances at once: one is done, the other finds it done;
 *  - 3 removal requests, each approved 20 times at once (10 clicks through each instance):
 *    one approval, one removal;
 * and both workers deliver the jobs. Asserted: one outcome, one audit event and one post of
 * each kind per change; no job completed twice (graphile-worker's own log of completed jobs,
 * across both processes); both instances served requests and ran jobs.
 */
describe('two app instances on one database', () => {
  const PROMOTED = people(20);
  const REMOVED = people(23).slice(20);
  const APPROVALS = 'C0APPR0001';
  const CLICKS = 20;
  let pg: OwnPostgres;
  let standin: SlackStandin;
  let a: AppProcess;
  let b: AppProcess;
  let org: Organization;
  let members: Map<string, Member>;

  beforeAll(async () => {
    pg = await ownPostgres('tm-rel-two-');
    standin = await startStandin([...PROMOTED, ...REMOVED]);
    a = await startAppProcess({ databaseUrl: pg.url, standin });
    b = await startAppProcess({ databaseUrl: pg.url, standin, env: { RUN_MIGRATIONS: 'false' } });
    ({ org, members } = await seedTeam(pg.db, standin, [...PROMOTED, ...REMOVED]));
    await pg.db.updateTable('organizations').set({ approvals_channel_id: APPROVALS }).where('id', '=', org.id).execute();
  });
  afterAll(async () => {
    for (const [name, app] of [['a', a], ['b', b]] as const) if (app) await retire(`two-instances-${name}`, app.proc);
    await standin?.stop();
    await pg?.close();
  });

  /** Carol clicks Approve on the card (as Slack stores it), through one instance or the other; returns her answer. */
  async function approve(driver: SlackDriver, requestId: string, card: StoredMessage): Promise<string> {
    const click = await driver.blockActions(CAROL, [{ action_id: REMOVAL_ACTIONS.approve, value: requestId }], { message: { ...card }, channelId: card.channel });
    if (click.status !== 200) return `HTTP ${click.status}`;
    return String((await standin.waitForResponseUrlPost(click.responseUrlId, 10_000)).body.text);
  }

  const count = (values: string[]) => values.reduce<Record<string, number>>((m, v) => ({ ...m, [v]: (m[v] ?? 0) + 1 }), {});

  it('applies each decision once and posts each notification once', async () => {
    const started = Date.now();
    // The removal requests, and their cards posted by whichever worker took the job.
    const requests: string[] = [];
    for (const p of REMOVED) {
      const result = await requestRemoval(pg.db, { organizationId: org.id, actorMemberId: members.get(ALICE)!.id, targetMemberId: members.get(p.id)!.id, reason: 'two instances', source: 'slack' });
      if (result.kind !== 'requested') throw new Error(`expected a request waiting for approval, got ${result.kind}`);
      requests.push(result.request.id);
    }
    const cardsPosted = await eventually(async () => {
      const rows = await pg.db.selectFrom('removal_requests').select(['card_ts']).where('id', 'in', requests).execute();
      return rows.every((r) => r.card_ts !== null);
    }, 20_000);
    expect(cardsPosted).toBe(true);
    const cards = new Map<string, StoredMessage>();
    for (const row of await pg.db.selectFrom('removal_requests').selectAll().where('id', 'in', requests).execute()) {
      cards.set(row.id, structuredClone(standin.getMessage(row.card_channel_id!, row.card_ts!)!));
    }

    // Each promotion through both instances at the same moment (two such pairs in flight at a
    // time), while each removal request gets its 20 approval clicks at once, 10 through each
    // instance. (Everything at the very same instant is more than a busy 2-core machine answers
    // within Slack's 3 s, as every change of one team takes the team's lock; the point here is
    // the same change reaching both instances at once, not raw load.)
    const promotionAnswers: Attempt[][] = [];
    const pairQueue = [...PROMOTED.entries()];
    const pairs = async () => {
      for (let next = pairQueue.shift(); next; next = pairQueue.shift()) {
        const [i, p] = next;
        promotionAnswers[i] = await Promise.all([promote(a.driver, p.id), promote(b.driver, p.id)]);
      }
    };
    const approvalAnswers: string[][] = [];
    const clicks = async () => {
      for (const [r, id] of requests.entries()) {
        approvalAnswers[r] = await Promise.all(Array.from({ length: CLICKS }, (_, i) => approve(i % 2 === 0 ? a.driver : b.driver, id, cards.get(id)!)));
      }
    };
    await Promise.all([pairs(), pairs(), clicks()]);

    // Anyone told to try again (a busy machine sheds load with that message) tries again, as a
    // person would, through either instance, until the change is made or found made.
    const retries: Attempt[] = [];
    for (const [i, pair] of promotionAnswers.entries()) {
      let settled = pair.some((x) => x.outcome === 'done' || x.outcome === 'unchanged');
      for (let k = 0; !settled && k < 20; k++) {
        const again = await promote(k % 2 === 0 ? b.driver : a.driver, PROMOTED[i]!.id);
        retries.push(again);
        settled = again.outcome === 'done' || again.outcome === 'unchanged';
        if (!settled) await sleep(500);
      }
    }
    for (const [r, id] of requests.entries()) {
      for (let k = 0; k < 20; k++) {
        const row = await pg.db.selectFrom('removal_requests').select('status').where('id', '=', id).executeTakeFirstOrThrow();
        if (row.status !== 'pending') break;
        approvalAnswers[r]!.push(await approve(k % 2 === 0 ? a.driver : b.driver, id, cards.get(id)!));
        await sleep(500);
      }
    }

    // Both workers deliver; then a moment for strays.
    const targets = PROMOTED.map((p) => p.id);
    const removedIds = REMOVED.map((p) => p.id);
    const posts = () => standin.callsTo('chat.postMessage');
    const removalPosts = (target: string) => ({
      channel: countPosts(posts(), TEAM_CHANNEL, (t) => t.includes(`<@${target}> was removed by <@${ALICE}>, approved by <@${CAROL}>`)),
      removed: countPosts(posts(), target, (t) => t.includes('has ended')),
      requester: countPosts(posts(), ALICE, (t) => t.includes(`approved your request: <@${target}> was removed`)),
    });
    const delivered = await eventually(async () => {
      const records = await promotionRecords(pg.db, standin, members, targets);
      return (
        records.every((r) => r.channelPosts >= 1 && r.dms >= 1) &&
        removedIds.every((id) => Object.values(removalPosts(id)).every((n) => n >= 1)) &&
        (await jobsLeft(pg.db)).filter(isDelivery).length === 0
      );
    }, 100_000, 200);
    await sleep(1_500);
    if (!delivered) console.log(`not delivered: jobs left ${JSON.stringify(await jobsLeft(pg.db))}`);

    // What the database and Slack have.
    const records = await promotionRecords(pg.db, standin, members, targets);
    const removedRows = await pg.db.selectFrom('members').select(['slack_user_id', 'status']).where('slack_user_id', 'in', removedIds).execute();
    const removalEvents = await pg.db
      .selectFrom('audit_events')
      .select(['target_id'])
      .where('action', '=', 'member.removed')
      .where('target_id', 'in', REMOVED.map((p) => members.get(p.id)!.id))
      .execute();
    const requestRows = await pg.db.selectFrom('removal_requests').selectAll().where('id', 'in', requests).execute();
    const cardUpdates = requestRows.map((r) => standin.callsTo('chat.update').filter((c) => c.args.channel === r.card_channel_id && c.args.ts === r.card_ts).length);
    const completedJobs = (app: AppProcess) =>
      app.proc
        .stdout()
        .split('\n')
        .map((l) => /"msg":"Completed task (\d+) /.exec(l)?.[1])
        .filter((id): id is string => id !== undefined);
    const jobsA = completedJobs(a);
    const jobsB = completedJobs(b);
    const allJobs = [...jobsA, ...jobsB];
    const jobsTwice = allJobs.length - new Set(allJobs).size;
    const servedA = promotionAnswers.filter(([x]) => x!.status === 200).length;
    const servedB = promotionAnswers.filter(([, y]) => y!.status === 200).length;
    const allPromotions = [...promotionAnswers.flat(), ...retries];

    // Figures.
    const approvedOnce = approvalAnswers.map((answers) => answers.filter((t) => t.startsWith(':white_check_mark: You approved the removal')).length);
    const duplicated =
      records.reduce((n, r) => n + Math.max(0, r.auditEvents - 1) + Math.max(0, r.channelPosts - 1) + Math.max(0, r.dms - 1), 0) +
      PROMOTED.reduce((n, p) => n + Math.max(0, allPromotions.filter((x) => x.target === p.id && x.outcome === 'done').length - 1), 0) +
      approvedOnce.reduce((n, k) => n + Math.max(0, k - 1), 0) +
      removedIds.reduce((n, id) => n + Object.values(removalPosts(id)).reduce((m, k) => m + Math.max(0, k - 1), 0), 0) +
      Math.max(0, removalEvents.length - REMOVED.length) +
      cardUpdates.reduce((n, k) => n + Math.max(0, k - 1), 0) +
      jobsTwice;
    const lost =
      records.filter((r) => r.role !== 'owner' || r.auditEvents === 0 || r.channelPosts === 0 || r.dms === 0).length +
      removedRows.filter((r) => r.status !== 'removed').length +
      removedIds.filter((id) => Object.values(removalPosts(id)).some((k) => k === 0)).length +
      cardUpdates.filter((k) => k === 0).length;

    record({
      area: 'fault',
      name: 'two app instances on one database',
      injected: 1,
      survived: a.alive() && b.alive() && delivered ? 1 : 0,
      inputs: allPromotions.length + approvalAnswers.flat().length,
      lost,
      duplicated,
      unauthorised: 0,
    });
    console.log(
      `two instances: promotion outcomes ${JSON.stringify(count(allPromotions.map((x) => x.outcome)))}, ` +
        `approval answers ${JSON.stringify(count(approvalAnswers.flat().map((t) => t.slice(0, 40))))}, ${allPromotions.length} role requests (answered through a: ${servedA}, through b: ${servedB}), ` +
        `${approvalAnswers.flat().length} approval clicks, jobs completed by a: ${jobsA.length}, by b: ${jobsB.length}, twice: ${jobsTwice}, ` +
        `${((Date.now() - started) / 1000).toFixed(1)} s`,
    );

    expect(delivered).toBe(true);
    // Each promotion done once (the other requests found it done, were told to try again, or
    // were answered late by a machine too busy for Slack's 3 s); each removal approved once.
    expect(PROMOTED.map((p) => allPromotions.filter((x) => x.target === p.id && x.outcome === 'done').length).every((n) => n <= 1)).toBe(true);
    expect(allPromotions.filter((x) => x.outcome === 'other')).toEqual([]);
    expect(approvedOnce).toEqual(REMOVED.map(() => 1));
    const expectedAnswer = (t: string) =>
      t.startsWith(':white_check_mark: You approved the removal') || t.startsWith('This request was already approved by <@U0CAROL001>') || t === DATABASE_UNAVAILABLE_MESSAGE || t === 'HTTP 404';
    expect(approvalAnswers.flat().filter((t) => !expectedAnswer(t))).toEqual([]);
    expect(records.map((r) => [r.role, r.auditEvents, r.channelPosts, r.dms])).toEqual(PROMOTED.map(() => ['owner', 1, 1, 1]));
    expect(removedRows.map((r) => r.status)).toEqual(REMOVED.map(() => 'removed'));
    expect(removalEvents).toHaveLength(REMOVED.length);
    expect(requestRows.map((r) => r.status)).toEqual(REMOVED.map(() => 'approved'));
    expect(removedIds.map(removalPosts)).toEqual(REMOVED.map(() => ({ channel: 1, removed: 1, requester: 1 })));
    expect(cardUpdates).toEqual(REMOVED.map(() => 1));
    expect(jobsTwice).toBe(0);
    // Both instances did their share of both halves of the work.
    expect(servedA).toBeGreaterThan(0);
    expect(servedB).toBeGreaterThan(0);
    expect(jobsA.length).toBeGreaterThan(0);
    expect(jobsB.length).toBeGreaterThan(0);
    expect(lost).toBe(0);
    expect(duplicated).toBe(0);
  });
});
