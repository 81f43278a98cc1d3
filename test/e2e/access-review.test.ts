import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Member, Organization } from '../../src/db/schema.js';
import { enqueue } from '../../src/jobs/queue.js';
import { validateBlocks, validateView } from '../../src/standin/block-kit-limits.js';
import type { RecordedCall, StoredMessage } from '../../src/standin/index.js';
import { submittedState } from '../../src/standin/view-state.js';
import { ACCESS_REVIEW_ACTIONS } from '../../src/slack/blocks/access-review.js';
import { REMOVE_MODAL_CALLBACK_ID } from '../../src/slack/blocks/remove-modal.js';
import { REMOVAL_ACTIONS } from '../../src/slack/blocks/removal-card.js';
import { findOrganizationBySlackTeam } from '../../src/team/organization-repository.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { useTestDatabase } from '../support/database.js';
import { queuedJobs, seedMember } from '../support/seed.js';

type Block = Record<string, any>;

/**
 * The access review through the real app: the worker runs the periodic job (enqueued here, as
 * the hourly cron would), posts the digest to the approvals channel (C0APPR0001) of the Slack
 * stand-in, and Keep / Remove are clicked on it with signed HTTP requests.
 *
 * Stand-in people, all linked: alice and carol (owners, signed in today), bob (member, never
 * signed in, joined long ago) and dave (member, last signed in 120 days ago). Erin (member, not
 * in Slack) signed in yesterday.
 */
describe('access review in Slack', () => {
  const t = useTestDatabase();
  let h: TestApp;
  let org: Organization;
  const people: Record<'alice' | 'bob' | 'carol' | 'dave' | 'erin', Member> = {} as never;
  const SLACK_IDS = { alice: 'U0ALICE001', bob: 'U0BOB00001', carol: 'U0CAROL001', dave: 'U0DAVE0001' } as const;
  const APPROVALS = 'C0APPR0001';
  const DAY = 24 * 60 * 60 * 1000;
  const ago = (days: number) => new Date(Date.now() - days * DAY);

  beforeAll(async () => {
    h = await startTestApp({ databaseUrl: t.url });
    org = (await findOrganizationBySlackTeam(t.db, h.standin.teamId))!;
    await t.db.updateTable('organizations').set({ approvals_channel_id: APPROVALS, access_review_cadence: 'weekly' }).where('id', '=', org.id).execute();
    people.alice = await seedMember(t.db, org, 'alice@acme.test', 'owner', { slackUserId: SLACK_IDS.alice, displayName: 'Alice Archer' });
    people.carol = await seedMember(t.db, org, 'carol@acme.test', 'owner', { slackUserId: SLACK_IDS.carol, displayName: 'Carol Chen' });
    people.bob = await seedMember(t.db, org, 'bob@acme.test', 'member', { slackUserId: SLACK_IDS.bob, displayName: 'Bob Baker' });
    people.dave = await seedMember(t.db, org, 'dave@acme.test', 'member', { slackUserId: SLACK_IDS.dave, displayName: 'Dave Diaz' });
    people.erin = await seedMember(t.db, org, 'erin@acme.test', 'member', { displayName: 'Erin Evans' });
    const set = (m: Member, values: { joined_at: Date; last_sign_in_at: Date | null }) => t.db.updateTable('members').set(values).where('id', '=', m.id).execute();
    await set(people.alice, { joined_at: ago(400), last_sign_in_at: ago(0) });
    await set(people.carol, { joined_at: ago(400), last_sign_in_at: ago(0) });
    await set(people.bob, { joined_at: ago(200), last_sign_in_at: null });
    await set(people.dave, { joined_at: ago(400), last_sign_in_at: ago(120) });
    await set(people.erin, { joined_at: ago(400), last_sign_in_at: ago(1) });
  });
  afterAll(async () => h?.stop());

  // ---------------------------------------------------------------------------
  // Helpers

  const text = (v: unknown) => JSON.stringify(v);
  const reviewRow = async () => t.db.selectFrom('access_reviews').selectAll().where('organization_id', '=', org.id).executeTakeFirstOrThrow();
  const itemOf = async (reviewId: string, m: Member) =>
    t.db.selectFrom('access_review_items').selectAll().where('review_id', '=', reviewId).where('member_id', '=', m.id).executeTakeFirstOrThrow();
  const eventsOf = (action: string) => t.db.selectFrom('audit_events').selectAll().where('organization_id', '=', org.id).where('action', '=', action).execute();
  const drained = () => vi.waitFor(async () => expect(await queuedJobs(t.db, org.id)).toEqual([]), { timeout: 15_000, interval: 100 });

  /** The row of the digest about one member: its section, and its buttons (none once decided). */
  function rowOf(message: { blocks?: unknown }, m: Member): { section: Block | undefined; buttons: Block[] } {
    const blocks = (message.blocks ?? []) as Block[];
    const section = blocks.find((b) => b.block_id === `access_review.row.${m.id}`);
    const actions = blocks.find((b) => b.block_id === `access_review.decide.${m.id}`);
    return { section, buttons: (actions?.elements as Block[] | undefined) ?? [] };
  }

  /** A click on one of a member's buttons on the digest as Slack stores it. */
  function click(userId: string, actionId: string, message: StoredMessage, m: Member) {
    const button = rowOf(message, m).buttons.find((b) => b.action_id === actionId)!;
    expect(button).toBeDefined();
    return h.driver.blockActions(userId, [{ action_id: actionId, value: String(button.value), block_id: `access_review.decide.${m.id}` }], {
      message: { ...message },
      channelId: message.channel,
    });
  }
  const ephemeralAnswer = async (res: { responseUrlId: string }) => (await h.standin.waitForResponseUrlPost(res.responseUrlId)).body;
  const openedWith = (triggerId: string) => h.standin.waitForCall('views.open', (c: RecordedCall) => c.args.trigger_id === triggerId, 5_000);
  const rewriteAfter = (message: StoredMessage, from: number, match: (blocks: string) => boolean) =>
    vi.waitFor(
      () => {
        const call = h.standin.calls
          .slice(from)
          .find((c) => c.method === 'chat.update' && c.args.channel === message.channel && c.args.ts === message.ts && match(text(c.args.blocks)));
        if (!call) throw new Error('digest not rewritten yet');
        return call;
      },
      { timeout: 10_000, interval: 50 },
    );

  // ---------------------------------------------------------------------------

  it('end to end: the digest lists who has not signed in → an owner keeps one (recorded, rewritten) → a member is refused → Remove opens the Remove dialog for the other, whose submission asks for approval', async () => {
    // The periodic job, as the hourly cron enqueues it; the worker runs it.
    await enqueue(t.db, 'access-review.start-due', {});
    const posted = await h.standin.waitForCall('chat.postMessage', (c) => c.args.channel === APPROVALS && String(c.args.text).startsWith('Access review'), 15_000);
    expect(posted.args.text).toBe('Access review: 2 members have not signed in for 90 days.');
    expect(validateBlocks(posted.args.blocks, 'message')).toEqual([]);

    const review = await vi.waitFor(async () => {
      const r = await reviewRow();
      if (!r.message_ts) throw new Error('digest ts not stored yet');
      return r;
    });
    expect(review).toMatchObject({ channel_id: APPROVALS, threshold_days: 90 });
    const digest = structuredClone(h.standin.getMessage(APPROVALS, review.message_ts!)!);
    // Bob (never signed in) and dave (120 days) are listed with Keep and Remove; the others are not.
    for (const m of [people.bob, people.dave]) {
      expect(rowOf(digest, m).buttons.map((b) => b.action_id)).toEqual([ACCESS_REVIEW_ACTIONS.keep, ACCESS_REVIEW_ACTIONS.remove]);
    }
    expect(rowOf(digest, people.bob).section!.text.text).toContain('*Bob Baker* (bob@acme.test) · Member · never signed in (joined <!date^');
    expect(rowOf(digest, people.dave).section!.text.text).toContain('*Dave Diaz* (dave@acme.test) · Member · last signed in <!date^');
    for (const email of ['alice@acme.test', 'carol@acme.test', 'erin@acme.test']) expect(text(digest.blocks)).not.toContain(email);
    expect((await eventsOf('access_review.started')).map((e) => e.after)).toEqual([expect.objectContaining({ members: 2 })]);
    await drained();

    // Alice keeps bob: she alone is told, the decision is recorded and audited, the digest rewritten.
    let mark = h.standin.calls.length;
    const keep = await click(SLACK_IDS.alice, ACCESS_REVIEW_ACTIONS.keep, digest, people.bob);
    expect(keep.status).toBe(200);
    expect(await ephemeralAnswer(keep)).toEqual({
      response_type: 'ephemeral',
      replace_original: false,
      text: ':white_check_mark: You kept <@U0BOB00001>. They stay on the team and are not listed in access reviews for the next 90 days.',
    });
    expect(await itemOf(review.id, people.bob)).toMatchObject({ decision: 'keep', decided_by_member_id: people.alice.id });
    const kept = await eventsOf('access_review.kept');
    expect(kept).toHaveLength(1);
    expect(kept[0]).toMatchObject({ actor_id: people.alice.id, target_id: people.bob.id, source: 'slack' });
    const rewrite = await rewriteAfter(digest, mark, (b) => b.includes('Kept by'));
    expect(rowOf(rewrite.args, people.bob).buttons).toEqual([]);
    expect(rowOf(rewrite.args, people.bob).section!.text.text).toContain(':white_check_mark: Kept by <@U0ALICE001> on <!date^');
    expect(rowOf(rewrite.args, people.dave).buttons).toHaveLength(2);
    // Nothing else was said in the channel.
    expect(h.standin.calls.slice(mark).filter((c) => c.method === 'chat.postMessage' && c.args.channel === APPROVALS)).toEqual([]);

    // Bob, a member, clicks Keep on dave: refused, only to him; nothing recorded.
    const refused = await click(SLACK_IDS.bob, ACCESS_REVIEW_ACTIONS.keep, digest, people.dave);
    expect((await ephemeralAnswer(refused)).text).toBe('Only owners can decide in an access review. You are a member of this team.');
    expect((await itemOf(review.id, people.dave)).decision).toBeNull();
    // Carol, from the digest as it was before the rewrite, is told who kept bob.
    const late = await click(SLACK_IDS.carol, ACCESS_REVIEW_ACTIONS.keep, digest, people.bob);
    expect((await ephemeralAnswer(late)).text).toMatch(/^<@U0BOB00001> was already kept by <@U0ALICE001> on <!date\^/);
    expect(await eventsOf('access_review.kept')).toHaveLength(1);
    // Bob's Remove gets the removal's own refusal, in a dialog.
    const bobRemoves = await click(SLACK_IDS.bob, ACCESS_REVIEW_ACTIONS.remove, digest, people.dave);
    const refusal = (await openedWith(bobRemoves.triggerId)).response.view as Block;
    expect(refusal.callback_id).toBe(`${REMOVE_MODAL_CALLBACK_ID}.refused`);
    expect(text(refusal.blocks)).toContain('Only owners can remove people. You are a member of this team. Nothing was changed.');
    await drained();

    // Carol clicks Remove on dave: the Remove dialog for dave opens; the review says removal started.
    mark = h.standin.calls.length;
    const remove = await click(SLACK_IDS.carol, ACCESS_REVIEW_ACTIONS.remove, digest, people.dave);
    expect(remove.status).toBe(200);
    const opened = await openedWith(remove.triggerId);
    expect(opened.response.ok).toBe(true);
    const modal = opened.response.view as Block;
    expect(validateView(opened.args.view, 'modal')).toEqual([]); // what the app sent, not Slack's answer
    expect(modal.callback_id).toBe(REMOVE_MODAL_CALLBACK_ID);
    expect(JSON.parse(modal.private_metadata)).toEqual({ member: people.dave.id });
    expect(text(modal.blocks)).toContain('*Dave Diaz* (dave@acme.test)');
    expect(modal.submit.text).toBe('Ask for approval'); // alice can approve
    expect(await itemOf(review.id, people.dave)).toMatchObject({ decision: 'remove', decided_by_member_id: people.carol.id });
    expect(await eventsOf('access_review.remove_started')).toEqual([expect.objectContaining({ actor_id: people.carol.id, target_id: people.dave.id })]);
    const removing = await rewriteAfter(digest, mark, (b) => b.includes('Removal started'));
    expect(rowOf(removing.args, people.dave).section!.text.text).toContain(':hourglass_flowing_sand: Removal started by <@U0CAROL001> on');
    expect(text(removing.args.blocks)).not.toContain(ACCESS_REVIEW_ACTIONS.keep);

    // From here the removal goes as any other: the submission asks alice to approve, on a card.
    const submitted = await h.driver.viewSubmission(SLACK_IDS.carol, {
      id: modal.id,
      callback_id: modal.callback_id,
      private_metadata: modal.private_metadata,
      values: submittedState(modal, { reason: { value: 'No sign-in for four months' } }),
    });
    expect(submitted.json.response_action).toBe('update');
    expect(text(submitted.json.view.blocks)).toContain('Waiting for approval');
    const request = await t.db.selectFrom('removal_requests').selectAll().where('target_member_id', '=', people.dave.id).executeTakeFirstOrThrow();
    expect(request).toMatchObject({ status: 'pending', requested_by_member_id: people.carol.id, reason: 'No sign-in for four months' });
    const card = await h.standin.waitForCall('chat.postMessage', (c) => c.args.channel === APPROVALS && text(c.args.blocks).includes(request.id), 10_000);
    expect(text(card.args.blocks)).toContain(REMOVAL_ACTIONS.approve);
    expect((await t.db.selectFrom('members').select('status').where('id', '=', people.dave.id).executeTakeFirstOrThrow()).status).toBe('active');

    // A second Remove click (the dialog closed, say) opens the dialog again, which says a request is waiting; still one decision.
    const again = await click(SLACK_IDS.alice, ACCESS_REVIEW_ACTIONS.remove, digest, people.dave);
    const reopened = (await openedWith(again.triggerId)).response.view as Block;
    expect(reopened.callback_id).toBe(`${REMOVE_MODAL_CALLBACK_ID}.pending`);
    expect(await eventsOf('access_review.remove_started')).toHaveLength(1);
  });
});
