import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Member, Organization, RemovalRequest, Role } from '../../src/db/schema.js';
import { validateView } from '../../src/standin/block-kit-limits.js';
import type { RecordedCall, StoredMessage } from '../../src/standin/index.js';
import { findOrganizationBySlackTeam } from '../../src/team/organization-repository.js';
import { requestRemoval } from '../../src/team/removals.js';
import { REMOVAL_ACTIONS } from '../../src/slack/blocks/removal-card.js';
import { REJECT_REASON_ACTION, REJECT_REASON_BLOCK, REJECT_REMOVAL_CALLBACK_ID } from '../../src/slack/blocks/reject-removal-modal.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { useTestDatabase } from '../support/database.js';
import { queuedJobs, seedMember } from '../support/seed.js';

/**
 * Deciding removal requests from Slack, through signed HTTP into the real app: the approval
 * card in the approvals channel (C0APPR0001), the requester's DM and the App Home, with the
 * stand-in recording every Web API call, real PostgreSQL and the worker delivering the card,
 * its rewrite, DMs, team-channel posts (C0TEAM0001) and Home refreshes.
 *
 * Stand-in people, all linked: alice (owner, the requester throughout), carol (owner, the
 * approver), bob (member, removed in the first test), dave (set per test). Most requests name
 * a fresh member not in Slack, so each test has its own request and its own card.
 */
describe('removal approvals in Slack', () => {
  const t = useTestDatabase();
  let h: TestApp;
  let org: Organization;
  const people: Record<'alice' | 'bob' | 'carol' | 'dave', Member> = {} as never;
  const SLACK_IDS = { alice: 'U0ALICE001', bob: 'U0BOB00001', carol: 'U0CAROL001', dave: 'U0DAVE0001' } as const;
  const APPROVALS = 'C0APPR0001';
  const TEAM = 'C0TEAM0001';

  beforeAll(async () => {
    h = await startTestApp({ databaseUrl: t.url });
    org = (await findOrganizationBySlackTeam(t.db, h.standin.teamId))!;
    await t.db.updateTable('organizations').set({ approvals_channel_id: APPROVALS }).where('id', '=', org.id).execute();
    people.alice = await seedMember(t.db, org, 'alice@acme.test', 'owner', { slackUserId: SLACK_IDS.alice });
    people.carol = await seedMember(t.db, org, 'carol@acme.test', 'owner', { slackUserId: SLACK_IDS.carol });
    people.bob = await seedMember(t.db, org, 'bob@acme.test', 'member', { slackUserId: SLACK_IDS.bob });
    people.dave = await seedMember(t.db, org, 'dave@acme.test', 'member', { slackUserId: SLACK_IDS.dave });
  });
  afterAll(async () => h?.stop());

  // ---------------------------------------------------------------------------
  // Helpers

  /** Sets who is what, straight in the table (test state, not a change under test). */
  async function setPerson(name: keyof typeof people, role: Role, status: 'active' | 'removed' = 'active') {
    await t.db
      .updateTable('members')
      .set({ role, status, removed_at: status === 'removed' ? new Date() : null, removed_by_member_id: null, removal_reason: null })
      .where('id', '=', people[name].id)
      .execute();
  }

  let targets = 0;
  /** A member who is not in Slack, to be the subject of one test's request. */
  const newTarget = (role: Role = 'member') => seedMember(t.db, org, `target${++targets}@example.org`, role);

  /** Alice asks to remove someone, as the Remove dialog does (the domain call it makes). */
  async function aliceRequests(target: Member, reason: string | null = null): Promise<RemovalRequest> {
    const result = await requestRemoval(t.db, { organizationId: org.id, actorMemberId: people.alice.id, targetMemberId: target.id, reason, source: 'slack' });
    if (result.kind !== 'requested') throw new Error(`expected a request waiting for approval, got ${result.kind}`);
    return result.request;
  }

  const requestRow = (id: string) => t.db.selectFrom('removal_requests').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const memberRow = (id: string) => t.db.selectFrom('members').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const auditCount = async () =>
    Number((await t.db.selectFrom('audit_events').select((eb) => eb.fn.countAll().as('n')).where('organization_id', '=', org.id).executeTakeFirstOrThrow()).n);

  /** Waits for the post-card job to have posted the card and the requester's DM; returns both as Slack stores them. */
  async function postedCard(requestId: string): Promise<{ card: StoredMessage; dm: StoredMessage; row: RemovalRequest }> {
    const row = await vi.waitFor(
      async () => {
        const r = await requestRow(requestId);
        if (!r.card_ts || !r.requester_dm_ts) throw new Error('card or requester DM not posted yet');
        return r;
      },
      { timeout: 10_000, interval: 100 },
    );
    return {
      card: structuredClone(h.standin.getMessage(row.card_channel_id!, row.card_ts!)!),
      dm: structuredClone(h.standin.getMessage(row.requester_dm_channel_id!, row.requester_dm_ts!)!),
      row,
    };
  }

  /** A click on a button of a message (the card in the channel, or the requester's DM). */
  function click(userId: string, actionId: string, message: StoredMessage, value?: string) {
    const element = actionElements(message.blocks).find((e) => e.action_id === actionId);
    return h.driver.blockActions(userId, [{ action_id: actionId, value: value ?? String(element?.value) }], { message: { ...message }, channelId: message.channel });
  }

  /** A click on the same button shown on the App Home (Slack sends the view, no response_url). */
  function clickOnHome(userId: string, actionId: string, requestId: string) {
    return h.driver.blockActions(userId, [{ action_id: actionId, value: requestId }], {
      view: {
        id: `V0HOME${userId}`,
        type: 'home',
        blocks: [{ type: 'actions', block_id: 'home.removal', elements: [{ type: 'button', action_id: actionId, text: { type: 'plain_text', text: 'x' }, value: requestId }] }],
      },
    });
  }

  /** The clicker's ephemeral answer through the click's response_url. */
  const ephemeralAnswer = async (click: { responseUrlId: string }) => (await h.standin.waitForResponseUrlPost(click.responseUrlId)).body;

  function actionElements(blocks: unknown): Array<Record<string, unknown>> {
    return ((blocks ?? []) as Array<Record<string, any>>).filter((b) => b.type === 'actions').flatMap((b) => b.elements as Array<Record<string, unknown>>);
  }
  const text = (v: unknown) => JSON.stringify(v);
  const updatesOf = (message: StoredMessage) =>
    h.standin.callsTo('chat.update').filter((c) => c.args.channel === message.channel && c.args.ts === message.ts);
  /** Waits for the job to rewrite a message; returns the rewrite. */
  const rewriteOf = (message: StoredMessage) =>
    h.standin.waitForCall('chat.update', (c) => c.args.channel === message.channel && c.args.ts === message.ts, 10_000);
  const postsTo = (channel: string, match: (text: string) => boolean) =>
    h.standin.callsTo('chat.postMessage').filter((c) => c.args.channel === channel && match(String(c.args.text)));
  /** Every job of this organization delivered (posts, rewrites, Home refreshes). */
  const drained = () => vi.waitFor(async () => expect(await queuedJobs(t.db, org.id)).toEqual([]), { timeout: 15_000, interval: 100 });

  // ---------------------------------------------------------------------------

  it('end to end: card in the approvals channel → another owner approves on it → card closed, bob removed everywhere, everyone told', async () => {
    const request = await aliceRequests(people.bob, 'Left the company');

    // The card: in the approvals channel, Approve (with a confirm dialog) and Reject, both naming this request.
    const posted = await h.standin.waitForCall('chat.postMessage', (c) => c.args.channel === APPROVALS && text(c.args.blocks).includes(request.id), 10_000);
    const buttons = actionElements(posted.args.blocks);
    expect(buttons.map((b) => [b.action_id, b.value])).toEqual([
      [REMOVAL_ACTIONS.approve, request.id],
      [REMOVAL_ACTIONS.reject, request.id],
    ]);
    expect(buttons[0]!.confirm).toBeDefined();
    const { card, dm } = await postedCard(request.id);
    expect(actionElements(dm.blocks).map((b) => b.action_id)).toEqual([REMOVAL_ACTIONS.withdraw]);

    // Alice's Home lists bob before (her refresh after the request), and every job is delivered before the click.
    await h.standin.waitForCall('views.publish', (c) => c.args.user_id === SLACK_IDS.alice && text(c.args.view).includes('bob@acme.test'), 10_000);
    await drained();
    const mark = h.standin.calls.length;

    const res = await click(SLACK_IDS.carol, REMOVAL_ACTIONS.approve, card);
    expect(res.status).toBe(200);
    expect(await ephemeralAnswer(res)).toEqual({
      response_type: 'ephemeral',
      replace_original: false,
      text: ':white_check_mark: You approved the removal: <@U0BOB00001> was removed and their access has ended.',
    });

    // The card, rewritten in place: no buttons, who approved.
    const rewrite = await rewriteOf(card);
    expect(actionElements(rewrite.args.blocks)).toEqual([]);
    expect(text(rewrite.args.blocks)).toContain('*Approved* by <@U0CAROL001> on');
    expect(h.standin.getMessage(card.channel, card.ts)!.blocks!.some((b) => (b as { type: string }).type === 'actions')).toBe(false);

    // Bob's membership ended, once, with who asked and who approved.
    const bob = await memberRow(people.bob.id);
    expect(bob.status).toBe('removed');
    expect(bob.removed_by_member_id).toBe(people.alice.id);
    const events = await t.db.selectFrom('audit_events').selectAll().where('action', '=', 'member.removed').where('target_id', '=', people.bob.id).execute();
    expect(events).toHaveLength(1);
    expect(events[0]!.actor_id).toBe(people.carol.id);
    expect((await requestRow(request.id)).status).toBe('approved');

    // The team channel, the requester's DM (rewritten, and a new message) and bob.
    const announced = await h.standin.waitForCall('chat.postMessage', (c) => c.args.channel === TEAM && String(c.args.text).includes('was removed'), 10_000);
    expect(announced.args.text).toBe(':wave: <@U0BOB00001> was removed by <@U0ALICE001>, approved by <@U0CAROL001>.');
    const dmRewrite = await rewriteOf(dm);
    expect(actionElements(dmRewrite.args.blocks)).toEqual([]);
    expect(text(dmRewrite.args.blocks)).toContain('*Approved* by <@U0CAROL001>');
    const told = await h.standin.waitForCall('chat.postMessage', (c) => c.args.channel === SLACK_IDS.alice && String(c.args.text).includes('approved your request'), 10_000);
    expect(told.args.text).toBe(':white_check_mark: <@U0CAROL001> approved your request: <@U0BOB00001> was removed from the team.');
    const ended = await h.standin.waitForCall('chat.postMessage', (c) => c.args.channel === SLACK_IDS.bob, 10_000);
    expect(ended.args.text).toContain('Your access to');
    expect(ended.args.text).toContain('has ended: <@U0ALICE001> removed you, approved by <@U0CAROL001>.');

    // Alice's Home, republished after the change, no longer lists bob (it still lists carol).
    await drained();
    const homes = h.standin.calls.slice(mark).filter((c) => c.method === 'views.publish' && c.response.ok === true && c.args.user_id === SLACK_IDS.alice);
    expect(homes.length).toBeGreaterThan(0);
    const latest = text(homes.at(-1)!.args.view);
    expect(latest).toContain('carol@acme.test');
    expect(latest).not.toContain('bob@acme.test');
    expect(latest).not.toContain(SLACK_IDS.bob);
  });

  it('the same Approve twice at once and once more as a retry (X-Slack-Retry-Num: 1): one removal, one audit event, one announcement', async () => {
    const target = await newTarget();
    const request = await aliceRequests(target);
    const { card } = await postedCard(request.id);
    const auditBefore = await auditCount();

    // One payload (one response_url), sent three times as Slack would on a double click and a retry.
    const { payload, responseUrlId } = h.driver.blockActionsPayload(SLACK_IDS.carol, [{ action_id: REMOVAL_ACTIONS.approve, value: request.id }], {
      message: { ...card },
      channelId: card.channel,
    });
    const raw = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    const sent = await Promise.all([h.driver.send(raw), h.driver.send(raw)]);
    const retry = await h.driver.send(raw, { headers: { 'X-Slack-Retry-Num': '1', 'X-Slack-Retry-Reason': 'http_timeout' } });
    expect([...sent, retry].map((r) => r.status)).toEqual([200, 200, 200]);

    // Three answers: one "you approved", two "already approved by carol"; nothing failed.
    await vi.waitFor(() => expect(h.standin.responseUrlPosts.filter((p) => p.id === responseUrlId)).toHaveLength(3), { timeout: 10_000, interval: 50 });
    const answers = h.standin.responseUrlPosts.filter((p) => p.id === responseUrlId).map((p) => String(p.body.text));
    expect(answers.filter((a) => a.startsWith(':white_check_mark: You approved the removal'))).toHaveLength(1);
    const already = answers.filter((a) => a.startsWith('This request was already approved by <@U0CAROL001> on'));
    expect(already).toHaveLength(2);
    expect(already[0]).toContain('target');
    // No delivery crashed into the error handler.
    expect(h.logs.lines().filter((l) => Number(l.level) >= 50)).toEqual([]);

    await drained();
    expect((await memberRow(target.id)).status).toBe('removed');
    const removed = await t.db.selectFrom('audit_events').select('id').where('action', '=', 'member.removed').where('target_id', '=', target.id).execute();
    expect(removed).toHaveLength(1);
    // One audit event in all for the three deliveries: the removal (approvals have no event of their own).
    expect((await auditCount()) - auditBefore).toBe(1);
    expect(postsTo(TEAM, (s) => s.includes('was removed') && s.includes('target'))).toHaveLength(1);
    expect(updatesOf(card)).toHaveLength(1);
  });

  describe('refusals: only the clicker is told why, and nothing changes', () => {
    let request: RemovalRequest;
    let card: StoredMessage;
    let auditBefore: number;

    beforeAll(async () => {
      // Dave is an owner and the subject of this request, so he can click on it.
      await setPerson('dave', 'owner');
      people.dave = await memberRow(people.dave.id);
      request = await aliceRequests(people.dave);
      ({ card } = await postedCard(request.id));
      await drained();
      auditBefore = await auditCount();
    });
    beforeEach(async () => {
      await setPerson('carol', 'owner');
      await setPerson('bob', 'member');
    });
    afterAll(async () => {
      await drained();
      const row = await requestRow(request.id);
      expect(row.status).toBe('pending');
      expect(row.decided_by_member_id).toBeNull();
      expect((await memberRow(people.dave.id)).status).toBe('active');
      expect(await auditCount()).toBe(auditBefore);
      expect(updatesOf(card)).toEqual([]);
      await setPerson('bob', 'member', 'removed');
    });

    /** Clicks and returns the ephemeral answer; the request is still pending afterwards. */
    async function refused(userId: string, actionId: string = REMOVAL_ACTIONS.approve) {
      const res = await click(userId, actionId, card, request.id);
      expect(res.status).toBe(200);
      const answer = await ephemeralAnswer(res);
      expect(answer).toMatchObject({ response_type: 'ephemeral', replace_original: false });
      expect((await requestRow(request.id)).status).toBe('pending');
      return { answer, res };
    }

    it('the requester clicking Approve', async () => {
      const { answer } = await refused(SLACK_IDS.alice);
      expect(answer.text).toBe('You asked for this removal, so another owner has to approve or reject it. You can withdraw it instead.');
    });

    it('the requester clicking Reject: told at once, no dialog opens', async () => {
      const { answer, res } = await refused(SLACK_IDS.alice, REMOVAL_ACTIONS.reject);
      expect(answer.text).toBe('You asked for this removal, so another owner has to approve or reject it. You can withdraw it instead.');
      expect(h.standin.calls.filter((c) => c.method === 'views.open' && c.args.trigger_id === res.triggerId)).toEqual([]);
    });

    it('the target (an owner) clicking Approve', async () => {
      const { answer } = await refused(SLACK_IDS.dave);
      expect(answer.text).toBe('This request is about you, so another owner has to decide it.');
    });

    it('a member clicking Approve', async () => {
      const { answer } = await refused(SLACK_IDS.bob);
      expect(answer.text).toBe('Only owners can approve or reject removals. You are a member of this team.');
    });

    it('a removed owner clicking Approve', async () => {
      await setPerson('bob', 'owner', 'removed');
      const { answer } = await refused(SLACK_IDS.bob);
      expect(answer.text).toBe(
        "You're not an active member of this team in Team Manager, so only `/team help` is available to you. Ask an owner to invite you.",
      );
    });

    it('an owner demoted after the card was posted', async () => {
      await setPerson('carol', 'member');
      const { answer } = await refused(SLACK_IDS.carol);
      expect(answer.text).toBe('Only owners can approve or reject removals. You are a member of this team.');
    });

    it('from the App Home: the Home is published again with the refusal at the top', async () => {
      const res = await clickOnHome(SLACK_IDS.alice, REMOVAL_ACTIONS.approve, request.id);
      expect(res.status).toBe(200);
      const home = await h.standin.waitForCall(
        'views.publish',
        (c) => c.args.user_id === SLACK_IDS.alice && text(c.args.view).includes('You asked for this removal'),
        10_000,
      );
      expect(validateView(home.args.view, 'home')).toEqual([]);
      expect((await requestRow(request.id)).status).toBe('pending');
    });
  });

  describe('Reject', () => {
    it('opens the reason dialog; an empty reason is refused inline; a reason rejects, shown escaped on the card and in the DM', async () => {
      const target = await newTarget();
      const request = await aliceRequests(target);
      const { card, dm } = await postedCard(request.id);

      const res = await click(SLACK_IDS.carol, REMOVAL_ACTIONS.reject, card);
      expect(res.status).toBe(200);
      const open = await h.standin.waitForCall('views.open', (c) => c.args.trigger_id === res.triggerId);
      expect(validateView(open.args.view, 'modal')).toEqual([]);
      const view = open.response.view as { id: string; callback_id: string; private_metadata: string; blocks: unknown };
      expect(view.callback_id).toBe(REJECT_REMOVAL_CALLBACK_ID);
      expect(view.private_metadata).toBe(request.id);
      expect(text(view.blocks)).toContain(`"block_id":"${REJECT_REASON_BLOCK}"`);

      const submit = (reason: string | null) =>
        h.driver.viewSubmission(SLACK_IDS.carol, {
          id: view.id,
          callback_id: REJECT_REMOVAL_CALLBACK_ID,
          values: { [REJECT_REASON_BLOCK]: { [REJECT_REASON_ACTION]: { type: 'plain_text_input', value: reason } } },
        });

      for (const empty of [null, '', '   \n ']) {
        const answer = await submit(empty);
        expect(answer.json).toEqual({ response_action: 'errors', errors: { [REJECT_REASON_BLOCK]: 'Say why you reject this removal: the requester will read it.' } });
      }
      const tooLong = await submit('x'.repeat(1001));
      expect(tooLong.json).toEqual({
        response_action: 'errors',
        errors: { [REJECT_REASON_BLOCK]: 'Keep the reason under 1000 characters (it has 1001).' },
      });
      expect((await requestRow(request.id)).status).toBe('pending');

      const done = await submit('Still on the launch <!channel> & needed');
      expect(done.status).toBe(200);
      expect(done.text).toBe(''); // closes the dialog
      const row = await requestRow(request.id);
      expect(row).toMatchObject({ status: 'rejected', decided_by_member_id: people.carol.id, decision_reason: 'Still on the launch <!channel> & needed' });
      expect((await memberRow(target.id)).status).toBe('active');

      const rewrite = await rewriteOf(card);
      expect(actionElements(rewrite.args.blocks)).toEqual([]);
      const cardText = text(rewrite.args.blocks);
      expect(cardText).toContain('*Rejected* by <@U0CAROL001>');
      expect(cardText).toContain('&lt;!channel&gt; &amp; needed');
      expect(cardText).not.toContain('<!channel>');

      const told = await h.standin.waitForCall('chat.postMessage', (c) => c.args.channel === SLACK_IDS.alice && String(c.args.text).includes('rejected your request'), 10_000);
      expect(told.args.text).toBe(
        `:x: <@U0CAROL001> rejected your request to remove target${targets}@example.org: “Still on the launch &lt;!channel&gt; &amp; needed”. target${targets}@example.org is still a member.`,
      );
      const dmRewrite = await rewriteOf(dm);
      expect(text(dmRewrite.args.blocks)).toContain('&lt;!channel&gt;');
      expect(text(dmRewrite.args.blocks)).not.toContain('<!channel>');
    });

    it('someone approved while the dialog was open: the dialog is replaced by the sentence, nothing changed by the rejection', async () => {
      await setPerson('dave', 'owner');
      const target = await newTarget();
      const request = await aliceRequests(target);
      const { card } = await postedCard(request.id);

      const res = await click(SLACK_IDS.carol, REMOVAL_ACTIONS.reject, card);
      const open = await h.standin.waitForCall('views.open', (c) => c.args.trigger_id === res.triggerId);
      const viewId = (open.response.view as { id: string }).id;

      const approve = await click(SLACK_IDS.dave, REMOVAL_ACTIONS.approve, card);
      expect((await ephemeralAnswer(approve)).text).toContain('You approved the removal');

      const late = await h.driver.viewSubmission(SLACK_IDS.carol, {
        id: viewId,
        callback_id: REJECT_REMOVAL_CALLBACK_ID,
        values: { [REJECT_REASON_BLOCK]: { [REJECT_REASON_ACTION]: { type: 'plain_text_input', value: 'Keep them' } } },
      });
      expect(late.json.response_action).toBe('update');
      expect(validateView(late.json.view, 'modal')).toEqual([]);
      const said = text(late.json.view.blocks);
      expect(said).toContain('This request was already approved by <@U0DAVE0001> on');
      expect(said).toContain('Nothing was changed.');
      const row = await requestRow(request.id);
      expect(row).toMatchObject({ status: 'approved', decided_by_member_id: people.dave.id, decision_reason: null });
      expect((await memberRow(target.id)).status).toBe('removed');
      await setPerson('dave', 'member');
    });
  });

  describe('Withdraw, from the requester’s DM', () => {
    it('someone else clicking Withdraw is refused; the requester withdraws: card and DM closed, the member stays', async () => {
      const target = await newTarget();
      const request = await aliceRequests(target);
      const { card, dm } = await postedCard(request.id);
      await drained();
      const auditBefore = await auditCount();

      const other = await click(SLACK_IDS.carol, REMOVAL_ACTIONS.withdraw, dm);
      expect(await ephemeralAnswer(other)).toEqual({
        response_type: 'ephemeral',
        replace_original: false,
        text: 'Only <@U0ALICE001>, who asked for this removal, can withdraw it.',
      });
      expect((await requestRow(request.id)).status).toBe('pending');
      expect(await auditCount()).toBe(auditBefore);

      const mine = await click(SLACK_IDS.alice, REMOVAL_ACTIONS.withdraw, dm);
      expect(await ephemeralAnswer(mine)).toEqual({
        response_type: 'ephemeral',
        replace_original: false,
        text: `:leftwards_arrow_with_hook: You withdrew your request to remove target${targets}@example.org. They are still a member.`,
      });
      expect(await requestRow(request.id)).toMatchObject({ status: 'withdrawn', decided_by_member_id: people.alice.id });
      expect((await memberRow(target.id)).status).toBe('active');

      const rewrite = await rewriteOf(card);
      expect(actionElements(rewrite.args.blocks)).toEqual([]);
      expect(text(rewrite.args.blocks)).toContain('*Withdrawn* by <@U0ALICE001>');
      const dmRewrite = await rewriteOf(dm);
      expect(actionElements(dmRewrite.args.blocks)).toEqual([]);
      const announced = await h.standin.waitForCall('chat.postMessage', (c) => c.args.channel === TEAM && String(c.args.text).includes('withdrew'), 10_000);
      expect(announced.args.text).toBe(`<@U0ALICE001> withdrew the request to remove target${targets}@example.org.`);

      // A second click on the old button: the request says what became of it.
      const again = await click(SLACK_IDS.alice, REMOVAL_ACTIONS.withdraw, dm, request.id);
      expect(String((await ephemeralAnswer(again)).text)).toMatch(/^This request was withdrawn by <@U0ALICE001> on /);
    });
  });

  it('Approve from the App Home: the member is removed and the Home says so at the top', async () => {
    const target = await newTarget();
    const request = await aliceRequests(target);
    await postedCard(request.id);
    const res = await clickOnHome(SLACK_IDS.carol, REMOVAL_ACTIONS.approve, request.id);
    expect(res.status).toBe(200);
    const home: RecordedCall = await h.standin.waitForCall(
      'views.publish',
      (c) => c.args.user_id === SLACK_IDS.carol && text(c.args.view).includes('You approved the removal'),
      10_000,
    );
    expect(validateView(home.args.view, 'home')).toEqual([]);
    expect((await memberRow(target.id)).status).toBe('removed');
    expect((await requestRow(request.id)).status).toBe('approved');
  });
});
