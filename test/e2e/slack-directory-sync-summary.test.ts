import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/database.js';
import type { Organization } from '../../src/db/schema.js';
import { enqueue } from '../../src/jobs/queue.js';
import { createLogger } from '../../src/logger.js';
import { createWorkerSlackClient } from '../../src/slack/delivery.js';
import { syncSlackDirectory } from '../../src/slack/directory-sync.js';
import { SlackStandin } from '../../src/standin/index.js';
import type { StandinUser } from '../../src/standin/workspace/types.js';
import { findOrganizationBySlackTeam } from '../../src/team/organization-repository.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { useTestDatabase } from '../support/database.js';
import { queuedJobs } from '../support/seed.js';

/** Runs the daily sync's job now, as its cron tick would, and waits until its jobs are done. */
async function runSweep(standin: SlackStandin, db: Db): Promise<void> {
  const before = standin.callsTo('users.list').length;
  await enqueue(db, 'slack.sync-directories', {});
  await expect.poll(async () => standin.callsTo('users.list').length - before, { timeout: 20_000, interval: 100 }).toBeGreaterThanOrEqual(1);
  await expect.poll(async () => (await queuedJobs(db)).filter((j) => j.task.startsWith('slack.sync-director')).length, { timeout: 20_000, interval: 100 }).toBe(0);
}

/**
 * The messages a channel got: posted to the stand-in, or still queued (the channel is paced at
 * one a second). Each counted once by its delivery id, also in the moment a job has posted but is
 * not yet marked done.
 */
async function channelMessages(standin: SlackStandin, db: Db, organizationId: string, channel: string): Promise<string[]> {
  const byDelivery = new Map<string, string>();
  for (const c of standin.callsTo('chat.postMessage').filter((c) => c.args.channel === channel)) {
    // The Web API client sends metadata as JSON text in the form body.
    const raw = c.args.metadata;
    const metadata = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { event_payload?: { delivery_id?: string } } | undefined;
    const deliveryId = metadata?.event_payload?.delivery_id;
    expect(deliveryId, 'every post carries its delivery id').toEqual(expect.any(String));
    byDelivery.set(deliveryId!, String(c.args.text));
  }
  for (const j of await queuedJobs(db, organizationId)) {
    if (j.task === 'slack.post-message' && j.payload.channel === channel) byDelivery.set(String(j.payload.deliveryId), String(j.payload.text));
  }
  return [...byDelivery.values()];
}

/**
 * A directory sweep tells the team channel once: the real job in the real worker, against a
 * stand-in workspace where 12 accounts were deactivated and one email changed while the app
 * missed the events. The team channel gets one summary naming the removed (the first ten, the
 * rest counted), not 12 posts; each removal keeps its own audit event (marked as the sweep's)
 * and its Home refresh; a second sweep posts nothing; a live user_change still posts its own.
 */
describe('Slack directory sync: one summary per sweep in the team channel', () => {
  const t = useTestDatabase();
  const TEAM = 'C0TEAM0001';
  const id = (i: number) => `U0SWEEP${String(i).padStart(3, '0')}`;
  const users: StandinUser[] = Array.from({ length: 15 }, (_, i) => ({ id: id(i), name: `sweep${i}`, realName: `Sweep ${i}`, email: `sweep${i}@acme.test` }));
  const removedIds = Array.from({ length: 12 }, (_, k) => id(k + 1));
  let standin: SlackStandin;
  let h: TestApp;
  let org: Organization;

  beforeAll(async () => {
    standin = await SlackStandin.start({ users });
    h = await startTestApp({ databaseUrl: t.url, standin, env: { SLACK_SYNC_PAUSE_MS: '0' } });
    org = (await findOrganizationBySlackTeam(t.db, standin.teamId))!;
    // The owners' own channel, so whatever is said to the owners is not in the count below.
    await t.db.updateTable('organizations').set({ approvals_channel_id: 'C0APPR0001' }).where('id', '=', org.id).execute();
    await t.db
      .insertInto('members')
      .values(users.map((u, i) => ({ organization_id: org.id, email: u.email, role: i === 0 ? ('owner' as const) : ('member' as const), slack_user_id: u.id, display_name: u.realName })))
      .execute();
    // The drift: 12 deactivated, one new email.
    for (const userId of removedIds) standin.users.find((u) => u.id === userId)!.deleted = true;
    standin.users.find((u) => u.id === id(13))!.email = 'renamed13@acme.test';
  }, 60_000);
  afterAll(async () => {
    await h?.stop();
    await standin?.stop();
  });

  /** Every team-channel message: posted to the stand-in, or still queued behind the channel's one-a-second pace. */
  const teamMessages = () => channelMessages(standin, t.db, org.id, TEAM);
  const auditRows = (action: string) => t.db.selectFrom('audit_events').selectAll().where('organization_id', '=', org.id).where('action', '=', action).orderBy('id').execute();

  const sweep = () => runSweep(standin, t.db);

  it('a sweep that removes 12 people posts one summary naming them; each removal keeps its audit event and Home refresh', async () => {
    await sweep();
    const members = await t.db.selectFrom('members').select(['slack_user_id', 'status', 'email']).where('organization_id', '=', org.id).execute();
    expect(members.filter((m) => m.status === 'removed').map((m) => m.slack_user_id).sort()).toEqual(removedIds);

    // The summary, once: the first ten named in the order removed, the other two counted.
    await expect.poll(async () => (await teamMessages()).filter((m) => m.includes('directory sync')).length, { timeout: 10_000 }).toBe(1);
    // Time for any per-person post to show up (and be counted) if one were still made.
    await sleep(1_500);
    // Besides the app's own hello when it was connected, the summary is all the team channel got.
    const messages = (await teamMessages()).filter((m) => !m.startsWith(':wave: Team Manager is now connected'));
    expect(messages).toEqual([
      `:arrows_counterclockwise: Slack directory sync: 12 people deactivated in Slack were removed from the team: ${removedIds
        .slice(0, 10)
        .map((u) => `<@${u}>`)
        .join(', ')} and 2 more; 1 email updated.`,
    ]);
    expect(messages.some((m) => m.includes('was deactivated in Slack and removed'))).toBe(false);

    // The record: one member.removed per person, each marked as this sweep's, and the sweep's own event.
    const [synced, ...moreSynced] = await auditRows('directory.synced');
    expect(moreSynced).toEqual([]);
    const sweepId = (synced!.after as Record<string, unknown>).sweep_id;
    expect(sweepId).toEqual(expect.stringMatching(/^[0-9a-f-]{36}$/));
    expect(synced).toMatchObject({ actor_type: 'system', actor_id: 'slack', source: 'slack', target_type: 'organization', target_id: org.id });
    expect(synced!.after).toMatchObject({ complete: true, removed: 12, emails_changed: 1, asked_owners: 0, guests_changed: 0 });
    const removals = await auditRows('member.removed');
    expect(removals).toHaveLength(12);
    expect(removals.every((e) => (e.after as Record<string, unknown>).sweep_id === sweepId && (e.after as Record<string, unknown>).reason === 'deactivated in Slack')).toBe(true);
    expect((await auditRows('member.email_changed'))[0]!.after).toMatchObject({ email: 'renamed13@acme.test', sweep_id: sweepId });

    // Each removed person's Home is still refreshed, as after any removal.
    await expect
      .poll(() => removedIds.filter((u) => standin.callsTo('views.publish').some((c) => c.args.user_id === u)).length, { timeout: 15_000, interval: 200 })
      .toBe(12);
  }, 60_000);

  it('a second sweep changes nothing and posts nothing', async () => {
    const before = (await teamMessages()).sort();
    await sweep();
    await sleep(1_500);
    expect((await teamMessages()).sort()).toEqual(before);
    expect(await auditRows('directory.synced')).toHaveLength(1);
    expect(await auditRows('member.removed')).toHaveLength(12);
  }, 60_000);

  it('a live user_change deactivation still posts its own message, unmarked by any sweep', async () => {
    const before = (await teamMessages()).length;
    expect((await h.driver.userChange(id(14), { deleted: true })).status).toBe(200);
    const own = `:wave: <@${id(14)}> was deactivated in Slack and removed from the team.`;
    await expect.poll(async () => (await teamMessages()).filter((m) => m === own).length, { timeout: 10_000 }).toBe(1);
    expect((await teamMessages()).length).toBe(before + 1);
    const live = (await auditRows('member.removed')).at(-1)!;
    expect(live.after).toMatchObject({ reason: 'deactivated in Slack' });
    expect((live.after as Record<string, unknown>).sweep_id).toBeUndefined();
    expect(await auditRows('directory.synced')).toHaveLength(1);
  }, 30_000);
});

/**
 * Under the setting "ask the owners", a sweep's deactivations each still get their Keep / Remove
 * card in the approvals channel (that is where the owners decide), but the team channel hears of
 * them once, in the summary, instead of one "the owners decide" line per person.
 */
describe('Slack directory sync under "ask the owners": cards per person, one summary line', () => {
  const t = useTestDatabase();
  const TEAM = 'C0TEAM0001';
  const APPROVALS = 'C0APPR0001';
  const id = (i: number) => `U0ASKED${String(i).padStart(3, '0')}`;
  const users: StandinUser[] = Array.from({ length: 6 }, (_, i) => ({ id: id(i), name: `asked${i}`, realName: `Asked ${i}`, email: `asked${i}@acme.test` }));
  const askedIds = [id(1), id(2), id(3)];
  let standin: SlackStandin;
  let h: TestApp;
  let org: Organization;

  beforeAll(async () => {
    standin = await SlackStandin.start({ users });
    h = await startTestApp({ databaseUrl: t.url, standin, env: { SLACK_SYNC_PAUSE_MS: '0' } });
    org = (await findOrganizationBySlackTeam(t.db, standin.teamId))!;
    await t.db.updateTable('organizations').set({ approvals_channel_id: APPROVALS, slack_deactivation: 'ask' }).where('id', '=', org.id).execute();
    await t.db
      .insertInto('members')
      .values(users.map((u, i) => ({ organization_id: org.id, email: u.email, role: i === 0 ? ('owner' as const) : ('member' as const), slack_user_id: u.id, display_name: u.realName })))
      .execute();
    for (const userId of askedIds) standin.users.find((u) => u.id === userId)!.deleted = true;
  }, 60_000);
  afterAll(async () => {
    await h?.stop();
    await standin?.stop();
  });

  const messages = async (channel: string): Promise<string[]> => (await channelMessages(standin, t.db, org.id, channel)).filter((m) => !m.startsWith(':wave: Team Manager is now connected'));
  const cards = () => standin.callsTo('chat.postMessage').filter((c) => c.args.channel === APPROVALS && String(c.args.text).includes('deactivated in Slack: keep or remove?'));

  const sweep = () => runSweep(standin, t.db);

  it('three deactivations: three cards to the owners, one summary line in the team channel; a second sweep adds neither', async () => {
    await sweep();
    await expect.poll(() => cards().length, { timeout: 10_000 }).toBe(3);
    const requests = await t.db.selectFrom('removal_requests').select(['status', 'kind']).where('organization_id', '=', org.id).execute();
    expect(requests).toEqual(askedIds.map(() => ({ status: 'pending', kind: 'deactivation' })));
    await expect.poll(() => messages(TEAM), { timeout: 10_000 }).toEqual([`:arrows_counterclockwise: Slack directory sync: 3 put to the owners in <#${APPROVALS}>.`]);

    await sweep();
    await sleep(1_500);
    expect(cards()).toHaveLength(3);
    expect(await messages(TEAM)).toHaveLength(1);
  }, 60_000);

  it('a live user_change under the same setting still says in the team channel that the owners decide', async () => {
    expect((await h.driver.userChange(id(4), { deleted: true })).status).toBe(200);
    await expect.poll(() => cards().length, { timeout: 10_000 }).toBe(4);
    await expect
      .poll(async () => (await messages(TEAM)).filter((m) => m === `:hourglass_flowing_sand: <@${id(4)}> was deactivated in Slack; the owners decide in <#${APPROVALS}> whether they keep access.`).length, { timeout: 10_000 })
      .toBe(1);
  }, 30_000);
});

/**
 * A sweep that stops part-way (Slack fails on a later page) has already removed people whose
 * per-person post was left to the summary: that summary still goes out, saying the sync stopped,
 * and the next sweep summarises the rest.
 */
describe('Slack directory sync stopped part-way', () => {
  const t = useTestDatabase();
  const TEAM = 'C0TEAM0001';
  const id = (i: number) => `U0HALF${String(i).padStart(3, '0')}`;
  const users: StandinUser[] = Array.from({ length: 6 }, (_, i) => ({ id: id(i), name: `half${i}`, realName: `Half ${i}`, email: `half${i}@acme.test` }));
  let standin: SlackStandin;
  let h: TestApp;
  let org: Organization;

  beforeAll(async () => {
    standin = await SlackStandin.start({ users });
    h = await startTestApp({ databaseUrl: t.url, standin, env: { RUN_WORKER: 'false' } });
    org = (await findOrganizationBySlackTeam(t.db, standin.teamId))!;
    await t.db
      .insertInto('members')
      .values(users.map((u, i) => ({ organization_id: org.id, email: u.email, role: i === 0 ? ('owner' as const) : ('member' as const), slack_user_id: u.id, display_name: u.realName })))
      .execute();
    // Pages of two: [0, 1] [2, 3] [4, 5]; one deactivated on each.
    for (const i of [1, 2, 4]) standin.users.find((u) => u.id === id(i))!.deleted = true;
  }, 60_000);
  afterAll(async () => {
    await h?.stop();
    await standin?.stop();
  });

  const queuedTeamPosts = async () =>
    (await queuedJobs(t.db, org.id)).filter((j) => j.task === 'slack.post-message' && j.payload.channel === TEAM).map((j) => String(j.payload.text)).filter((m) => !m.startsWith(':wave: Team Manager is now connected'));

  it('summarises what it did before Slack failed, marked as stopped; the next sweep summarises the rest', async () => {
    const log = createLogger({ level: 'silent', pretty: false });
    const client = createWorkerSlackClient(standin.botToken, standin.apiUrl, log);
    const sync = () => syncSlackDirectory({ db: t.db, client, organization: org, log, pageSize: 2, pauseMs: 0 });
    // The first page answers, the second fails.
    standin.injectFault('users.list', { delayMs: 1 });
    standin.injectFault('users.list', { error: 'internal_error' });
    await expect(sync()).rejects.toThrow(/internal_error/);
    expect(await queuedTeamPosts()).toEqual([
      `:arrows_counterclockwise: Slack directory sync: 1 person deactivated in Slack was removed from the team: <@${id(1)}> (the sync stopped before the end; the next one picks up the rest).`,
    ]);

    const report = await sync();
    expect(report).toMatchObject({ removed: 2, changed: 2 });
    expect((await queuedTeamPosts())[1]).toBe(`:arrows_counterclockwise: Slack directory sync: 2 people deactivated in Slack were removed from the team: <@${id(2)}>, <@${id(4)}>.`);
    const synced = await t.db.selectFrom('audit_events').select('after').where('organization_id', '=', org.id).where('action', '=', 'directory.synced').orderBy('id').execute();
    expect(synced.map((e) => (e.after as Record<string, unknown>).complete)).toEqual([false, true]);
    expect(await queuedTeamPosts()).toHaveLength(2);
  }, 30_000);
});
