import { beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { AccessReviewCadence, Member, Organization, Role } from '../../src/db/schema.js';
import {
  decideReviewItem,
  readAccessReview,
  recordAccessReviewMessage,
  startDueAccessReviews,
  type ReviewDecision,
} from '../../src/activity/access-review.js';
import { CRON_ITEMS } from '../../src/job-runner/worker.js';
import { ACCESS_REVIEW_ACTIONS, accessReviewDigest, MAX_UNDECIDED_ROWS, parseReviewButtonValue } from '../../src/slack/blocks/access-review.js';
import { slackMessage } from '../../src/slack/mrkdwn.js';
import { validateBlocks } from '../../src/standin/block-kit-limits.js';
import { NOT_A_MEMBER_MESSAGE } from '../../src/team/policy.js';
import { useTestDatabase } from '../support/database.js';
import { refusalOf } from '../support/refusal.js';
import { queuedJobs, seedMember, seedOrganization } from '../support/seed.js';

/**
 * Access reviews against real PostgreSQL: when a review is due, who it lists, and decisions.
 * startDueAccessReviews looks at every organization of the database, so each test turns the
 * reviews of the organizations before it off and works on a fresh one, at fixed moments.
 */

const t = useTestDatabase();
const DAY = 24 * 60 * 60 * 1000;
const HOUR = 60 * 60 * 1000;
/** A Monday morning, 20 minutes past the hour: the cron ticks on the hour. */
const NOW = new Date('2027-03-01T10:20:00.000Z');
const at = (ms: number) => new Date(NOW.getTime() + ms);

let n = 0;
let org: Organization;
let olga: Member; // owner, signs in every day (never stale)

async function newOrganization(settings: { cadence?: AccessReviewCadence; threshold?: number; approvals?: string | null; team?: string | null } = {}) {
  const o = await seedOrganization(t.db, `T_REVIEW_${++n}`, { team_channel_id: settings.team === undefined ? 'C0TEAM0001' : settings.team, name: 'Acme' });
  return t.db
    .updateTable('organizations')
    .set({
      access_review_cadence: settings.cadence ?? 'weekly',
      inactivity_threshold_days: settings.threshold ?? 90,
      approvals_channel_id: settings.approvals === undefined ? 'C0APPR0001' : settings.approvals,
    })
    .where('id', '=', o.id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** A member who joined `joined` ago (default: long ago) and last signed in `signedIn` ago (null: never). */
async function person(
  o: Organization,
  name: string,
  options: { role?: Role; signedIn?: number | null; joined?: number; removed?: boolean; slackUserId?: string } = {},
): Promise<Member> {
  const m = await seedMember(t.db, o, `${name}@acme.test`, options.role ?? 'member', { displayName: name, ...(options.slackUserId ? { slackUserId: options.slackUserId } : {}), removed: options.removed ?? false });
  return t.db
    .updateTable('members')
    .set({
      joined_at: at(-(options.joined ?? 1000 * DAY)),
      last_sign_in_at: options.signedIn === null || options.signedIn === undefined ? null : at(-options.signedIn),
    })
    .where('id', '=', m.id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Keeps olga from ever being stale, whatever moment a test moves to. */
const olgaSignsIn = (when: Date) => t.db.updateTable('members').set({ last_sign_in_at: when }).where('id', '=', olga.id).execute();

const reviewsOf = (o: Organization) => t.db.selectFrom('access_reviews').selectAll().where('organization_id', '=', o.id).orderBy('created_at').execute();
const listed = async (reviewId: string) =>
  (await t.db.selectFrom('access_review_items').select('member_id').where('review_id', '=', reviewId).execute()).map((r) => r.member_id).sort();
const ids = (...members: Member[]) => members.map((m) => m.id).sort();
const eventsOf = (o: Organization, action: string) =>
  t.db.selectFrom('audit_events').selectAll().where('organization_id', '=', o.id).where('action', '=', action).orderBy('id').execute();
const latest = async (o: Organization) => (await reviewsOf(o)).at(-1)!;

const decide = (actor: Member | null, reviewId: string, member: Member, decision: ReviewDecision, now = at(HOUR)) =>
  decideReviewItem(t.db, { organizationId: org.id, actorMemberId: actor?.id ?? null, reviewId, memberId: member.id, decision, source: 'slack', now });

beforeEach(async () => {
  await t.db.updateTable('organizations').set({ access_review_cadence: 'off' }).execute();
  await sql`delete from graphile_worker._private_jobs`.execute(t.db);
  org = await newOrganization();
  olga = await person(org, 'olga', { role: 'owner', signedIn: 0, slackUserId: 'U0OLGA' });
});

describe('when a review is due', () => {
  it('weekly: the first at once, then not before 7 days (counted in whole hours, so it does not drift)', async () => {
    await person(org, 'sleepy');
    expect(await startDueAccessReviews(t.db, NOW)).toBe(1);
    expect(await startDueAccessReviews(t.db, at(HOUR))).toBe(0);
    expect(await startDueAccessReviews(t.db, at(6 * DAY + 23 * HOUR))).toBe(0);
    // 10:00 a week later, the tick of the hour the last review started in (it started at 10:20).
    expect(await startDueAccessReviews(t.db, at(7 * DAY - 20 * 60 * 1000))).toBe(1);
    expect((await reviewsOf(org)).map((r) => r.created_at)).toEqual([NOW, at(7 * DAY - 20 * 60 * 1000)]);
  });

  it('monthly: every 30 days', async () => {
    await t.db.updateTable('organizations').set({ access_review_cadence: 'monthly' }).where('id', '=', org.id).execute();
    await person(org, 'sleepy');
    expect(await startDueAccessReviews(t.db, NOW)).toBe(1);
    expect(await startDueAccessReviews(t.db, at(7 * DAY))).toBe(0);
    expect(await startDueAccessReviews(t.db, at(29 * DAY))).toBe(0);
    expect(await startDueAccessReviews(t.db, at(30 * DAY))).toBe(1);
    expect(await reviewsOf(org)).toHaveLength(2);
  });

  it('off: never; with nowhere to post (no approvals nor team channel) not started until there is; the team channel when there is no approvals channel', async () => {
    await person(org, 'sleepy');
    await t.db.updateTable('organizations').set({ access_review_cadence: 'off' }).where('id', '=', org.id).execute();
    expect(await startDueAccessReviews(t.db, NOW)).toBe(0);

    const nowhere = await newOrganization({ approvals: null, team: null });
    await person(nowhere, 'sleepy');
    expect(await startDueAccessReviews(t.db, NOW)).toBe(0);
    await t.db.updateTable('organizations').set({ team_channel_id: 'C0TEAM0001' }).where('id', '=', nowhere.id).execute();
    expect(await startDueAccessReviews(t.db, at(HOUR))).toBe(1);
    expect(await reviewsOf(org)).toEqual([]);
    expect((await latest(nowhere)).channel_id).toBe('C0TEAM0001');
  });

  it('two workers starting reviews at the same moment start one review: one audit event, one post job', async () => {
    await person(org, 'sleepy');
    const started = await Promise.all(Array.from({ length: 5 }, () => startDueAccessReviews(t.db, NOW)));
    expect(started.reduce((a, b) => a + b, 0)).toBe(1);
    expect(await reviewsOf(org)).toHaveLength(1);
    expect(await eventsOf(org, 'access_review.started')).toHaveLength(1);
    expect((await queuedJobs(t.db, org.id)).map((j) => j.task)).toEqual(['access-review.post']);
  });

  it('the worker runs the start every hour, on the hour', () => {
    const item = CRON_ITEMS.find((i) => i.task === 'access-review.start-due')!;
    expect(item).toBeDefined();
    expect(item.match({ min: 0, hour: 13, date: 4, month: 3, dow: 4 })).toBe(true);
    expect(item.match({ min: 30, hour: 13, date: 4, month: 3, dow: 4 })).toBe(false);
  });
});

describe('who is listed', () => {
  it('active members without a sign-in for the threshold: never signed in (counted from joining), exactly at the threshold; not the fresh, the new, the removed, nor other teams', async () => {
    const never = await person(org, 'never', { signedIn: null, joined: 200 * DAY });
    const newcomer = await person(org, 'newcomer', { signedIn: null, joined: 10 * DAY });
    const boundary = await person(org, 'boundary', { signedIn: 90 * DAY });
    const justInside = await person(org, 'inside', { signedIn: 90 * DAY - 1000 });
    const ancient = await person(org, 'ancient', { signedIn: 400 * DAY });
    const owner = await person(org, 'oscar', { role: 'owner', signedIn: 120 * DAY });
    await person(org, 'gone', { signedIn: null, removed: true });
    const other = await newOrganization({ cadence: 'off' });
    await person(other, 'elsewhere', { signedIn: null });

    expect(await startDueAccessReviews(t.db, NOW)).toBe(1);
    const review = await latest(org);
    expect(review).toMatchObject({ threshold_days: 90, channel_id: 'C0APPR0001', message_ts: null, created_at: NOW });
    expect(await listed(review.id)).toEqual(ids(never, boundary, ancient, owner));
    expect(await listed(review.id)).not.toContain(newcomer.id);
    expect(await listed(review.id)).not.toContain(justInside.id);

    // The digest's order: never signed in first, then the longest without one.
    const state = (await readAccessReview(t.db, org.id, review.id))!;
    expect(state.rows.map((r) => r.member.email)).toEqual(['never@acme.test', 'ancient@acme.test', 'oscar@acme.test', 'boundary@acme.test']);
    expect(state.rows.every((r) => r.decision === null)).toBe(true);
    expect(state.replacedAt).toBeNull();

    // One audit event naming who was listed, and the post job on the review's own queue.
    const [started] = await eventsOf(org, 'access_review.started');
    expect(started).toMatchObject({ actor_type: 'system', source: 'system', target_type: 'access_review', target_id: review.id });
    expect(started!.after).toMatchObject({ threshold_days: 90, channel_id: 'C0APPR0001', members: 4, carried_over: 0 });
    expect([...(started!.after as { member_ids: string[] }).member_ids].sort()).toEqual(ids(never, boundary, ancient, owner));
    expect(await queuedJobs(t.db, org.id)).toEqual([{ task: 'access-review.post', payload: { organizationId: org.id, reviewId: review.id } }]);
  });

  it('the threshold is the setting: 30 days', async () => {
    await t.db.updateTable('organizations').set({ inactivity_threshold_days: 30 }).where('id', '=', org.id).execute();
    const month = await person(org, 'month', { signedIn: 40 * DAY });
    await person(org, 'week', { signedIn: 7 * DAY });
    await startDueAccessReviews(t.db, NOW);
    const review = await latest(org);
    expect(review.threshold_days).toBe(30);
    expect(await listed(review.id)).toEqual(ids(month));
  });

  it('next time: whoever nobody decided on is listed again, the kept are not (until the threshold passes again); the old review is replaced', async () => {
    const kept = await person(org, 'kept');
    const undecided = await person(org, 'undecided');
    const removeStarted = await person(org, 'dialog-closed'); // Remove clicked, the dialog closed without submitting: still a member
    await startDueAccessReviews(t.db, NOW);
    const first = await latest(org);
    expect(await listed(first.id)).toEqual(ids(kept, undecided, removeStarted));
    await decide(olga, first.id, kept, 'keep', at(HOUR));
    await decide(olga, first.id, removeStarted, 'remove', at(HOUR));
    await recordAccessReviewMessage(t.db, first, { channelId: 'C0APPR0001', ts: '1700000000.000100' });
    await sql`delete from graphile_worker._private_jobs`.execute(t.db);

    await olgaSignsIn(at(7 * DAY));
    expect(await startDueAccessReviews(t.db, at(7 * DAY))).toBe(1);
    const second = await latest(org);
    expect(await listed(second.id)).toEqual(ids(undecided, removeStarted));
    const [, event] = await eventsOf(org, 'access_review.started');
    expect(event!.after).toMatchObject({ members: 2, carried_over: 1 });

    // The first digest is rewritten (replaced, no buttons) and takes no more decisions.
    expect((await queuedJobs(t.db, org.id)).map((j) => [j.task, j.payload.reviewId])).toEqual([
      ['access-review.post', second.id],
      ['access-review.update', first.id],
    ]);
    const old = (await readAccessReview(t.db, org.id, first.id))!;
    expect(old.replacedAt).toEqual(at(7 * DAY));
    const refused = await refusalOf(decide(olga, first.id, undecided, 'keep', at(7 * DAY + HOUR)));
    expect(refused.code).toBe('review_replaced');
    expect(JSON.stringify(accessReviewDigest(old).blocks)).not.toContain(ACCESS_REVIEW_ACTIONS.keep);

    // 91 days after the Keep, its member is listed again.
    await olgaSignsIn(at(91 * DAY + HOUR));
    expect(await startDueAccessReviews(t.db, at(91 * DAY + HOUR))).toBe(1);
    expect(await listed((await latest(org)).id)).toEqual(ids(kept, undecided, removeStarted));
  });

  it('a review with nobody to list is recorded (and counts for the cadence) but posts nothing', async () => {
    await person(org, 'fresh', { signedIn: DAY });
    expect(await startDueAccessReviews(t.db, NOW)).toBe(1);
    const review = await latest(org);
    expect(await listed(review.id)).toEqual([]);
    expect((await eventsOf(org, 'access_review.started'))[0]!.after).toMatchObject({ members: 0 });
    expect(await queuedJobs(t.db, org.id)).toEqual([]);
    expect(await startDueAccessReviews(t.db, at(DAY))).toBe(0);
    // Were it rendered, it would say so in one line.
    const digest = accessReviewDigest((await readAccessReview(t.db, org.id, review.id))!);
    expect(digest.text).toBe('Access review: everyone has signed in within the last 90 days.');
    expect(JSON.stringify(digest.blocks)).not.toContain('"actions"');
  });
});

describe('decisions', () => {
  let review: string;
  let sleepy: Member;
  let dozy: Member;
  let carol: Member;
  let bob: Member;

  beforeEach(async () => {
    carol = await person(org, 'carol', { role: 'owner', signedIn: 0, slackUserId: 'U0CAROL' });
    bob = await person(org, 'bob', { role: 'member', signedIn: 0, slackUserId: 'U0BOB' });
    sleepy = await person(org, 'sleepy');
    dozy = await person(org, 'dozy');
    await startDueAccessReviews(t.db, NOW);
    review = (await latest(org)).id;
    await sql`delete from graphile_worker._private_jobs`.execute(t.db);
  });

  it('an owner keeps: recorded with who and when, one audit event, one rewrite queued; a second click is told who kept them', async () => {
    const { item } = await decide(olga, review, sleepy, 'keep', at(HOUR));
    expect(item).toMatchObject({ decision: 'keep', decided_by_member_id: olga.id, decided_at: at(HOUR) });
    const kept = await eventsOf(org, 'access_review.kept');
    expect(kept).toHaveLength(1);
    expect(kept[0]).toMatchObject({ actor_type: 'member', actor_id: olga.id, target_type: 'member', target_id: sleepy.id, source: 'slack', before: { decision: null } });
    expect(kept[0]!.after).toMatchObject({ decision: 'keep', review_id: review });

    for (const late of [olga, carol]) {
      const refused = await refusalOf(decide(late, review, sleepy, 'remove'));
      expect(refused.code).toBe('already_decided');
      // As Slack shows it: the decider mentioned, the moment in the reader's time zone.
      expect(slackMessage(refused)).toMatch(/^sleepy was already kept by <@U0OLGA> on <!date\^\d+\^/);
    }
    expect(await eventsOf(org, 'access_review.kept')).toHaveLength(1);
    expect(await eventsOf(org, 'access_review.remove_started')).toHaveLength(0);

    // A second decision on another member: still one rewrite waiting (job_key), showing both.
    await decide(carol, review, dozy, 'remove');
    expect(await queuedJobs(t.db, org.id)).toEqual([{ task: 'access-review.update', payload: { organizationId: org.id, reviewId: review } }]);
    const state = (await readAccessReview(t.db, org.id, review))!;
    const text = JSON.stringify(accessReviewDigest(state).blocks);
    expect(text).toContain(':white_check_mark: Kept by <@U0OLGA> on');
    expect(text).toContain('Removal started by <@U0CAROL> on');
    expect(text).not.toContain(ACCESS_REVIEW_ACTIONS.keep);
  });

  it('remove: recorded as "removal started", one audit event; not for yourself', async () => {
    await decide(olga, review, sleepy, 'remove');
    const events = await eventsOf(org, 'access_review.remove_started');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actor_id: olga.id, target_id: sleepy.id });
    // Removal started is not a removal: sleepy is a member until the Remove dialog goes through.
    expect((await t.db.selectFrom('members').select('status').where('id', '=', sleepy.id).executeTakeFirstOrThrow()).status).toBe('active');

    const sleepyOwner = await person(org, 'sleepy-owner', { role: 'owner' });
    await t.db.insertInto('access_review_items').values({ review_id: review, member_id: sleepyOwner.id, decision: null, decided_by_member_id: null, decided_at: null }).execute();
    const self = await refusalOf(decide(sleepyOwner, review, sleepyOwner, 'remove'));
    expect(self.message).toBe('To remove yourself, use `/team leave`.');
  });

  it('only owners decide: a member, a removed owner and a stranger are refused; nothing changes', async () => {
    const member = await refusalOf(decide(bob, review, sleepy, 'keep'));
    expect(member).toMatchObject({ code: 'forbidden', message: 'Only owners can decide in an access review. You are a member of this team.' });
    await t.db.updateTable('members').set({ status: 'removed', removed_at: at(HOUR) }).where('id', '=', carol.id).execute();
    expect((await refusalOf(decide(carol, review, sleepy, 'keep'))).message).toBe(NOT_A_MEMBER_MESSAGE);
    expect((await refusalOf(decide(null, review, sleepy, 'remove'))).message).toBe(NOT_A_MEMBER_MESSAGE);
    expect(await t.db.selectFrom('access_review_items').select('decision').where('review_id', '=', review).where('decision', 'is not', null).execute()).toEqual([]);
    expect(await eventsOf(org, 'access_review.kept')).toEqual([]);
    expect(await queuedJobs(t.db, org.id)).toEqual([]);
  });

  it('refused: someone not in the review, someone no longer a member, a review of another team', async () => {
    expect((await refusalOf(decide(olga, review, bob, 'keep'))).message).toBe('That person is not listed in this access review.');
    await t.db.updateTable('members').set({ status: 'removed', removed_at: at(HOUR) }).where('id', '=', dozy.id).execute();
    expect((await refusalOf(decide(olga, review, dozy, 'keep'))).code).toBe('not_a_member');

    const other = await newOrganization({ cadence: 'off' });
    const stranger = await person(other, 'stranger', { role: 'owner', signedIn: 0 });
    const refused = await refusalOf(
      decideReviewItem(t.db, { organizationId: other.id, actorMemberId: stranger.id, reviewId: review, memberId: sleepy.id, decision: 'keep', source: 'slack' }),
    );
    expect(refused).toMatchObject({ code: 'not_found', message: 'That access review does not exist.' });
  });

  it('two owners clicking at once: one decision, one audit event, the other told who was first', async () => {
    const results = await Promise.allSettled([decide(olga, review, sleepy, 'keep'), decide(carol, review, sleepy, 'keep')]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(rejected.reason.code).toBe('already_decided');
    expect(await eventsOf(org, 'access_review.kept')).toHaveLength(1);
  });
});

describe('the digest', () => {
  it('stays within Slack limits with many members: at most 20 rows with buttons, the rest counted; decisions bring later rows into view', async () => {
    for (let i = 0; i < 60; i++) await person(org, `sleepy${String(i).padStart(2, '0')}`);
    await startDueAccessReviews(t.db, NOW);
    const review = await latest(org);
    const render = async () => accessReviewDigest((await readAccessReview(t.db, org.id, review.id))!);

    let digest = await render();
    const actions = (blocks: unknown[]) => blocks.filter((b) => (b as { type: string }).type === 'actions');
    expect(digest.blocks!.length).toBeLessThanOrEqual(50);
    expect(validateBlocks(digest.blocks, 'message')).toEqual([]);
    expect(actions(digest.blocks!)).toHaveLength(MAX_UNDECIDED_ROWS);
    expect(JSON.stringify(digest.blocks)).toContain('…and 40 more members not shown here (see `/team list`)');
    expect(digest.text).toBe('Access review: 60 members have not signed in for 90 days.');

    // Buttons name the review and the member, nothing else.
    const first = (actions(digest.blocks!)[0] as { elements: Array<{ action_id: string; value: string }> }).elements;
    expect(first.map((e) => e.action_id)).toEqual([ACCESS_REVIEW_ACTIONS.keep, ACCESS_REVIEW_ACTIONS.remove]);
    expect(parseReviewButtonValue(first[0]!.value)).toEqual({ reviewId: review.id, memberId: expect.any(String) });
    expect(parseReviewButtonValue('not:ours')).toBeUndefined();

    const state = (await readAccessReview(t.db, org.id, review.id))!;
    for (const row of state.rows.slice(0, 10)) await decide(olga, review.id, row.member, 'keep');
    digest = await render();
    expect(digest.blocks!.length).toBeLessThanOrEqual(50);
    expect(validateBlocks(digest.blocks, 'message')).toEqual([]);
    // 10 decided rows (a block each) and 18 undecided (two each) fill the 47 blocks left for rows.
    expect(JSON.stringify(digest.blocks).match(/Kept by/g)).toHaveLength(10);
    expect(actions(digest.blocks!)).toHaveLength(18);
    expect(JSON.stringify(digest.blocks)).toContain('…and 32 more members not shown here');
    expect(digest.text).toBe('Access review: 60 members have not signed in for 90 days (10 decided).');
  });

  it('escapes names and shows role, email and last sign-in or "never" (and recent use of the app in Slack)', async () => {
    await person(org, '<!channel> & co', { signedIn: null });
    const owner = await person(org, 'oscar', { role: 'owner', signedIn: 100 * DAY });
    await t.db.updateTable('members').set({ last_slack_activity_at: at(-2 * DAY) }).where('id', '=', owner.id).execute();
    await startDueAccessReviews(t.db, NOW);
    const digest = accessReviewDigest((await readAccessReview(t.db, org.id, (await latest(org)).id))!);
    const text = JSON.stringify(digest.blocks);
    expect(text).toContain('*&lt;!channel&gt; &amp; co* (&lt;!channel&gt; &amp; co@acme.test) · Member · never signed in (joined <!date^');
    expect(text).not.toContain('<!channel>');
    expect(text).toContain(`*oscar* (oscar@acme.test) · Owner · last signed in <!date^${Math.floor(at(-100 * DAY).getTime() / 1000)}^{date_short_pretty}|2026-11-21> · active in Slack <!date^`);
  });
});
