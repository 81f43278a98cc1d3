import { singleWorkspaceClients } from '../../src/slack/clients.js';
import os from 'node:os';
import type { Runner } from 'graphile-worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideReviewItem, startDueAccessReviews } from '../../src/activity/access-review.js';
import type { Member, Organization } from '../../src/db/schema.js';
import { enqueue } from '../../src/jobs/queue.js';
import { startWorker } from '../../src/job-runner/worker.js';
import { createMailer } from '../../src/mail/mailer.js';
import { createWorkerSlackClient } from '../../src/slack/delivery.js';
import { renderHomeForUser } from '../../src/slack/home/home-view.js';
import { ACCEPT_INVITATION_ACTION } from '../../src/slack/blocks/invitation-dm.js';
import { ACCESS_REVIEW_ACTIONS } from '../../src/slack/blocks/access-review.js';
import { REMOVAL_ACTIONS } from '../../src/slack/blocks/removal-card.js';
import { findActionElement, SlackStandin, type Fault, type RecordedCall } from '../../src/standin/index.js';
import { acceptInvitation, createInvitations } from '../../src/team/invitations.js';
import { changeRole } from '../../src/team/members.js';
import { decideRemoval, requestRemoval } from '../../src/team/removals.js';
import { useTestDatabase } from '../support/database.js';
import { captureLogs } from '../support/log-capture.js';
import { seedMember, seedOrganization } from '../support/seed.js';
import { record } from './support/ledger.js';
import {
  callSubject,
  countDeliveries,
  deliveryIdOf,
  intendedPosts,
  messagesByDelivery,
  pendingJobs,
  retryAfterViolations,
  type QueuedJob,
} from './support/slack-deliveries.js';

/**
 * Slack misbehaving while the worker delivers: HTTP 500s and 503s, 429 storms with Retry-After,
 * calls that take effect but whose answer never arrives (a cut connection, or an answer later
 * than the worker's timeout), on chat.postMessage, chat.update, views.publish, users.lookupByEmail
 * and conversations.history. Real PostgreSQL, the real worker and job handlers, the stand-in
 * over HTTP; changes made through the domain services, as the listeners make them.
 *
 * Each phase queues its work with the worker stopped (so the jobs, and thus every intended
 * message, can be listed), injects the faults, starts the worker and waits for the queue to
 * drain. Then: every intended post is in Slack exactly once (counted by the delivery id each post
 * carries as message metadata), the ts the database remembers is that message's, every card and
 * DM shows its outcome, every Home was published, and no call about the same thing came back
 * before the Retry-After it was given.
 */
describe('Slack faults while delivering', () => {
  const t = useTestDatabase();
  const logs = captureLogs();
  let standin: SlackStandin;
  let runner: Runner | undefined;
  let org: Organization;
  const people = {} as Record<'alice' | 'carol' | 'bob' | 'erin' | 'gina', Member>;
  const SLACK = { alice: 'U0ALICE001', bob: 'U0BOB00001', carol: 'U0CAROL001', dave: 'U0DAVE0001' } as const;
  const TEAM = 'C0TEAM0001';
  const APPROVALS = 'C0APPR0001';
  /** The worker's per-call timeout here; "timeout" faults answer later than this. */
  const TIMEOUT_MS = 1_000;
  const timeout: Fault = { delayMs: 2_500 };
  const drop: Fault = { dropResponse: true };
  const storm: Fault = { status: 429, retryAfterSec: 1 };

  beforeAll(async () => {
    // Slack's own pace (about one post per second per channel) stays on: its 429s come on top.
    standin = await SlackStandin.start();
    org = await seedOrganization(t.db, standin.teamId, { team_channel_id: TEAM, name: 'Acme' });
    await t.db.updateTable('organizations').set({ approvals_channel_id: APPROVALS }).where('id', '=', org.id).execute();
    org = await t.db.selectFrom('organizations').selectAll().where('id', '=', org.id).executeTakeFirstOrThrow();
    people.alice = await seedMember(t.db, org, 'alice@acme.test', 'owner', { slackUserId: SLACK.alice });
    people.carol = await seedMember(t.db, org, 'carol@acme.test', 'owner', { slackUserId: SLACK.carol });
    people.bob = await seedMember(t.db, org, 'bob@acme.test', 'member', { slackUserId: SLACK.bob });
    people.erin = await seedMember(t.db, org, 'erin@example.org', 'member');
    people.gina = await seedMember(t.db, org, 'gina@example.org', 'member');
    // Erin has not signed in for 200 days: the access review lists her.
    await t.db.updateTable('members').set({ joined_at: new Date(Date.now() - 200 * 86_400_000) }).where('id', '=', people.erin.id).execute();
    // Leftovers of seeding (none expected) must not count as this test's work.
    await t.pool.query('delete from graphile_worker._private_jobs');
  });
  afterAll(async () => {
    await runner?.stop();
    await standin?.stop();
  });

  async function startTheWorker(): Promise<void> {
    runner = await startWorker({
      pool: t.pool,
      db: t.db,
      slack: singleWorkspaceClients(createWorkerSlackClient(standin.botToken, standin.apiUrl, logs.log, { timeoutMs: TIMEOUT_MS })),
      log: logs.log,
      concurrency: 4,
      renderHome: (organizationId, slackUserId) => renderHomeForUser({ db: t.db }, organizationId, slackUserId),
      invitations: { mailer: createMailer({ from: 'test@localhost', dataDir: os.tmpdir(), log: logs.log }), publicUrl: 'http://localhost' },
    });
  }
  async function stopTheWorker(): Promise<void> {
    await runner?.stop();
    runner = undefined;
  }

  async function drained(timeoutMs = 110_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ((await pendingJobs(t.db)).length > 0) {
      if (Date.now() > deadline) throw new Error(`jobs still queued: ${JSON.stringify(await pendingJobs(t.db))}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** Every request here is alice's (in Slack); an invitation is DMed when its address is a stand-in user's. */
  const inSlackIds = new Set<string>();
  const inSlack = { requester: () => true, invitee: (id: string) => inSlackIds.has(id) };
  async function noteInvitees(): Promise<void> {
    const emails = new Set(standin.users.map((u) => u.email));
    for (const i of await t.db.selectFrom('invitations').select(['id', 'email']).execute()) if (emails.has(i.email)) inSlackIds.add(i.id);
  }

  interface PhaseResult {
    jobs: QueuedJob[];
    calls: RecordedCall[];
    injected: RecordedCall[];
  }

  /** Queues `work` with the worker stopped, injects `faults`, runs the worker until the queue is empty. */
  async function phase(faults: Array<[method: string, fault: Fault, times: number]>, work: () => Promise<void>): Promise<PhaseResult> {
    await stopTheWorker();
    await work();
    await noteInvitees();
    const jobs = await pendingJobs(t.db);
    standin.reset();
    for (const [method, fault, times] of faults) standin.injectFault(method, fault, times);
    await startTheWorker();
    await drained();
    await stopTheWorker();
    const calls = [...standin.calls];
    return { jobs, calls, injected: calls.filter((c) => c.injectedFault) };
  }

  const homesPublishedLast = (calls: RecordedCall[], users: string[]) =>
    users.filter((u) => {
      const last = calls.filter((c) => c.method === 'views.publish' && c.args.user_id === u).at(-1);
      return !last || last.response.ok !== true;
    });

  it('posts, DMs, the approval card and the access review digest: each posted exactly once through 500s, timeouts, cut connections and a 429 storm', async () => {
    let requestId = '';
    let invitationId = '';
    const result = await phase(
      [
        ['chat.postMessage', storm, 4],
        ['chat.postMessage', { status: 500 }, 2],
        ['chat.postMessage', timeout, 2],
        ['chat.postMessage', drop, 2],
        ['chat.postMessage', { status: 503, error: 'service_unavailable' }, 1],
        ['chat.postMessage', timeout, 1],
        ['conversations.history', { status: 500 }, 1],
        ['conversations.history', { status: 429, retryAfterSec: 2 }, 1],
        ['users.lookupByEmail', { status: 500 }, 1],
        ['views.publish', { status: 500 }, 1],
        ['views.publish', { status: 429, retryAfterSec: 2 }, 1],
        ['views.publish', timeout, 1],
      ],
      async () => {
        await changeRole(t.db, { organizationId: org.id, actorMemberId: people.alice.id, targetMemberId: people.bob.id, role: 'owner', source: 'slack' });
        const { invitations } = await createInvitations(t.db, {
          organizationId: org.id,
          actorMemberId: people.alice.id,
          addresses: ['dave@acme.test', 'frank@example.org'],
          role: 'member',
          source: 'slack',
        });
        invitationId = invitations.find((i) => i.email === 'dave@acme.test')!.id;
        const requested = await requestRemoval(t.db, { organizationId: org.id, actorMemberId: people.alice.id, targetMemberId: people.gina.id, source: 'slack' });
        if (requested.kind !== 'requested') throw new Error('expected the removal to wait for approval');
        requestId = requested.request.id;
        expect(await startDueAccessReviews(t.db, new Date())).toBe(1);
      },
    );

    const intended = intendedPosts(result.jobs, inSlack);
    // The phase's work: the role change (team post, bob's DM), the invitations (team post, dave's DM),
    // the removal request (card, alice's DM, maybe a team post) and the access review digest.
    expect(intended.length).toBeGreaterThanOrEqual(7);
    const { lost, duplicated } = countDeliveries(standin, intended);
    // Nothing posted without a delivery id, and nothing posted that no job intended.
    const stray = standin.messages.filter((m) => m.user === standin.botUserId && (!deliveryIdOf(m) || !intended.includes(deliveryIdOf(m)!)));

    // What the database remembers points at the one real message.
    const byId = messagesByDelivery(standin);
    const request = await t.db.selectFrom('removal_requests').selectAll().where('id', '=', requestId).executeTakeFirstOrThrow();
    const invitation = await t.db.selectFrom('invitations').selectAll().where('id', '=', invitationId).executeTakeFirstOrThrow();
    const review = await t.db.selectFrom('access_reviews').selectAll().where('organization_id', '=', org.id).executeTakeFirstOrThrow();
    const remembered = [
      { ts: request.card_ts, channel: request.card_channel_id, id: `removal-card:${requestId}` },
      { ts: request.requester_dm_ts, channel: request.requester_dm_channel_id, id: `removal-requester-dm:${requestId}` },
      { ts: invitation.dm_ts, channel: invitation.dm_channel_id, id: `invitation-dm:${invitationId}:1` },
      { ts: review.message_ts, channel: review.channel_id, id: `access-review:${review.id}` },
    ];
    const wrongTs = remembered.filter((r) => {
      const m = byId.get(r.id)?.[0];
      return !m || m.ts !== r.ts || m.channel !== r.channel;
    });

    const homeUsers = [...new Set(result.jobs.filter((j) => j.task === 'slack.publish-home').map((j) => String(j.payload.slackUserId)))];
    const homesNotPublished = homesPublishedLast(result.calls, homeUsers);

    // Which faults were come through: their post landed once / their Home was published in the end.
    const bad = new Set([...lost, ...duplicated].map((id) => `post:${id}`));
    for (const u of homesNotPublished) bad.add(`publish:${u}`);
    const survived = result.injected.filter((c) => !bad.has(callSubject(c)) && (c.method.startsWith('chat.') || c.method === 'views.publish' || (lost.length === 0 && duplicated.length === 0)));
    // Posts that happened although the worker never saw the answer: each must have been found, not posted again.
    const unanswered = result.calls.filter((c) => c.responseLost && c.method === 'chat.postMessage' && c.response.ok === true);
    const found = logs.lines().filter((l) => l.msg === 'an earlier attempt had posted this message; not posting it again');
    const retryAfter = retryAfterViolations(result.calls);

    record({
      area: 'fault',
      name: 'Slack 500/503, timeouts, cut connections, 429 storms: posts and DMs',
      injected: result.injected.length,
      survived: survived.length,
      lost: lost.length + wrongTs.length + homesNotPublished.length,
      duplicated: duplicated.length + stray.length,
      unauthorised: 0,
    });

    expect({ lost, duplicated, stray: stray.map((m) => m.text), wrongTs, homesNotPublished }).toEqual({ lost: [], duplicated: [], stray: [], wrongTs: [], homesNotPublished: [] });
    // Every injected fault was met (none left over), among them posts that happened without an answer.
    expect(result.injected).toHaveLength(4 + 2 + 2 + 2 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1);
    expect(unanswered.length).toBeGreaterThanOrEqual(1);
    expect(found.map((l) => l.deliveryId).sort()).toEqual(unanswered.map((c) => deliveryIdOf(c.args as never)).sort());
    expect(survived).toHaveLength(result.injected.length);
    expect(retryAfter.violations).toEqual([]);
  });

  it('card, DM and digest updates come through 500s, timeouts, cut connections and 429s; follow-up posts exactly once', async () => {
    const request = await t.db.selectFrom('removal_requests').selectAll().where('organization_id', '=', org.id).executeTakeFirstOrThrow();
    const invitation = await t.db.selectFrom('invitations').selectAll().where('email', '=', 'dave@acme.test').executeTakeFirstOrThrow();
    const review = await t.db.selectFrom('access_reviews').selectAll().where('organization_id', '=', org.id).executeTakeFirstOrThrow();
    const result = await phase(
      [
        ['chat.update', { status: 500 }, 1],
        ['chat.update', timeout, 1],
        ['chat.update', drop, 1],
        ['chat.update', storm, 2],
        ['chat.postMessage', timeout, 1],
        ['chat.postMessage', drop, 1],
        ['chat.postMessage', storm, 3],
      ],
      async () => {
        await decideRemoval(t.db, { organizationId: org.id, actorMemberId: people.carol.id, requestId: request.id, decision: 'approve', source: 'slack' });
        await acceptInvitation(t.db, {
          kind: 'slack',
          organizationId: org.id,
          invitationId: invitation.id,
          slackUserId: SLACK.dave,
          profileEmail: 'dave@acme.test',
          displayName: 'dave',
        });
        await decideReviewItem(t.db, { organizationId: org.id, actorMemberId: people.carol.id, reviewId: review.id, memberId: people.erin.id, decision: 'keep', source: 'slack' });
        await changeRole(t.db, { organizationId: org.id, actorMemberId: people.carol.id, targetMemberId: people.bob.id, role: 'member', source: 'slack' });
      },
    );

    const intended = intendedPosts(result.jobs, inSlack);
    expect(intended.length).toBeGreaterThanOrEqual(3);
    const { lost, duplicated } = countDeliveries(standin, intended);

    // Each rewritten message shows its outcome: no buttons left, edited.
    const rewrites = [
      { channel: request.card_channel_id!, ts: request.card_ts!, button: REMOVAL_ACTIONS.approve },
      { channel: request.requester_dm_channel_id!, ts: request.requester_dm_ts!, button: REMOVAL_ACTIONS.withdraw },
      { channel: invitation.dm_channel_id!, ts: invitation.dm_ts!, button: ACCEPT_INVITATION_ACTION },
      { channel: review.channel_id!, ts: review.message_ts!, button: ACCESS_REVIEW_ACTIONS.keep },
    ];
    const notRewritten = rewrites.filter((r) => {
      const m = standin.getMessage(r.channel, r.ts);
      return !m?.edited || findActionElement(m.blocks, r.button) !== undefined;
    });
    const homeUsers = [...new Set(result.jobs.filter((j) => j.task === 'slack.publish-home').map((j) => String(j.payload.slackUserId)))];
    const homesNotPublished = homesPublishedLast(result.calls, homeUsers);

    const bad = new Set([...lost, ...duplicated].map((id) => `post:${id}`));
    for (const r of notRewritten) bad.add(`update:${r.channel}:${r.ts}`);
    const survived = result.injected.filter((c) => !bad.has(callSubject(c)));

    record({
      area: 'fault',
      name: 'Slack 500s, timeouts, cut connections, 429s: card and DM updates',
      injected: result.injected.length,
      survived: survived.length,
      lost: lost.length + notRewritten.length + homesNotPublished.length,
      duplicated: duplicated.length,
      unauthorised: 0,
    });

    expect({ lost, duplicated, notRewritten, homesNotPublished }).toEqual({ lost: [], duplicated: [], notRewritten: [], homesNotPublished: [] });
    expect(result.injected).toHaveLength(1 + 1 + 1 + 2 + 1 + 1 + 3);
    expect(survived).toHaveLength(result.injected.length);
    expect(retryAfterViolations(result.calls).violations).toEqual([]);
  });

  it('Retry-After is honoured: after every 429 (injected or from the posting pace), the same call waits at least that long', async () => {
    const result = await phase(
      [
        ['chat.postMessage', { status: 429, retryAfterSec: 2 }, 3],
        ['chat.update', { status: 429, retryAfterSec: 1 }, 2],
        ['views.publish', { status: 429, retryAfterSec: 1 }, 2],
      ],
      async () => {
        await changeRole(t.db, { organizationId: org.id, actorMemberId: people.alice.id, targetMemberId: people.bob.id, role: 'owner', source: 'slack' });
        await changeRole(t.db, { organizationId: org.id, actorMemberId: people.alice.id, targetMemberId: people.bob.id, role: 'member', source: 'slack' });
        // A rewrite of the card and the requester's DM, as a later change to the request would queue.
        const request = await t.db.selectFrom('removal_requests').selectAll().where('organization_id', '=', org.id).executeTakeFirstOrThrow();
        await enqueue(t.db, 'removal.update-card', { organizationId: org.id, requestId: request.id });
      },
    );
    {
      const { checked, violations } = retryAfterViolations(result.calls);
      const intended = intendedPosts(result.jobs, inSlack);
      const { lost, duplicated } = countDeliveries(standin, intended);
      const injected429 = result.injected.filter((c) => c.status === 429).length;
      record({
        area: 'fault',
        name: 'Slack 429 with Retry-After: waited out before asking again',
        injected: checked,
        survived: checked - violations.length,
        lost: lost.length,
        duplicated: duplicated.length,
        unauthorised: 0,
      });
      expect(injected429).toBe(7);
      // Every injected 429 and every 429 from the posting pace was followed by a call about the same thing.
      expect(checked).toBeGreaterThanOrEqual(injected429);
      expect(violations).toEqual([]);
      expect({ lost, duplicated }).toEqual({ lost: [], duplicated: [] });
    }
  });
});
