import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Member, Organization } from '../../src/db/schema.js';
import { validateView } from '../../src/standin/block-kit-limits.js';
import type { RecordedCall } from '../../src/standin/index.js';
import { submittedState } from '../../src/standin/view-state.js';
import { REMOVE_BLOCKS, REMOVE_MODAL_CALLBACK_ID } from '../../src/slack/blocks/remove-modal.js';
import { REMOVAL_ACTIONS } from '../../src/slack/blocks/removal-card.js';
import { ACTIONS } from '../../src/slack/blocks/team-page.js';
import { findOrganizationBySlackTeam } from '../../src/team/organization-repository.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { useTestDatabase } from '../support/database.js';
import { auditActions, seedMember } from '../support/seed.js';

type Block = Record<string, any>;

/**
 * Removing people from Slack through signed HTTP into the real app: `/team remove` and the team
 * page's Remove button open the modal, its submission removes at once (policy `none`) or opens
 * a request whose card the worker posts to the approvals channel (policy `another-owner` with
 * another owner to approve), and owners see waiting requests on their App Home.
 *
 * Stand-in people: alice and dave (owners), bob and carol (members, carol promoted later), and
 * erin, a member not in the Slack workspace whose name tries to ping the channel.
 */
describe('removal requests over signed HTTP', () => {
  const t = useTestDatabase();
  let h: TestApp;
  let org: Organization;
  let alice: Member;
  let bob: Member;
  let carol: Member;
  let erin: Member;

  beforeAll(async () => {
    h = await startTestApp({ databaseUrl: t.url });
    org = (await findOrganizationBySlackTeam(t.db, h.standin.teamId))!;
    alice = await seedMember(t.db, org, 'alice@acme.test', 'owner', { slackUserId: 'U0ALICE001', displayName: 'Alice Archer' });
    bob = await seedMember(t.db, org, 'bob@acme.test', 'member', { slackUserId: 'U0BOB00001', displayName: 'Bob Baker' });
    carol = await seedMember(t.db, org, 'carol@acme.test', 'member', { slackUserId: 'U0CAROL001', displayName: 'Carol Chen' });
    await seedMember(t.db, org, 'dave@acme.test', 'owner', { slackUserId: 'U0DAVE0001', displayName: 'Dave Diaz' });
    erin = await seedMember(t.db, org, 'erin@acme.test', 'member', { displayName: 'Erin <!here> Evans' });
  });
  afterAll(async () => h?.stop());

  const textOf = (x: unknown) => JSON.stringify(x);
  const statusOf = async (m: Member) => (await t.db.selectFrom('members').select('status').where('id', '=', m.id).executeTakeFirstOrThrow()).status;
  const requests = () => t.db.selectFrom('removal_requests').selectAll().where('organization_id', '=', org.id).orderBy('created_at').execute();
  const setOrganization = (values: { removal_approval_policy?: 'none' | 'another-owner'; approvals_channel_id?: string | null }) =>
    t.db.updateTable('organizations').set(values).where('id', '=', org.id).execute();

  /** The views.open a trigger_id was spent on (only ok:true calls count). */
  const openedWith = (triggerId: string, timeoutMs = 5_000) => h.standin.waitForCall('views.open', (c) => c.args.trigger_id === triggerId, timeoutMs);
  const openedView = (call: RecordedCall) => call.response.view as Block;

  /** `/team remove …` and the modal it opened. */
  async function openRemove(userId: string, text: string): Promise<Block> {
    const res = await h.driver.command(userId, '/team', `remove ${text}`);
    expect(res.status).toBe(200);
    expect(res.text).toBe(''); // the modal is the answer
    const call = await openedWith(res.triggerId);
    // What the app sent: the answer also has the fields Slack adds (id, hash, state…), which Slack refuses in a request.
    expect(validateView(call.args.view, 'modal')).toEqual([]);
    return openedView(call);
  }

  function submit(userId: string, view: Block, reason?: string) {
    return h.driver.viewSubmission(userId, {
      id: view.id,
      callback_id: view.callback_id,
      private_metadata: view.private_metadata,
      values: submittedState(view, reason === undefined ? {} : { reason: { value: reason } }),
    });
  }

  /** Opens the App Home and returns the view the app published for it. */
  async function openHome(userId: string): Promise<Block> {
    const from = h.standin.calls.length;
    expect((await h.driver.appHomeOpened(userId)).status).toBe(200);
    const deadline = Date.now() + 5_000;
    for (;;) {
      const call = h.standin.calls.slice(from).find((c) => c.method === 'views.publish' && c.args.user_id === userId);
      if (call) {
        expect(call.response).toMatchObject({ ok: true });
        return call.response.view as Block;
      }
      if (Date.now() > deadline) throw new Error(`no views.publish for ${userId}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  const buttonsIn = (blocks: Block[]) => blocks.flatMap((b) => (b.type === 'actions' ? (b.elements as Block[]) : []));

  it('a member running /team remove is refused with the owners-only sentence, no modal, nothing changed', async () => {
    const res = await h.driver.command('U0CAROL001', '/team', 'remove <@U0BOB00001|bob> because');
    expect(res.json).toEqual({ response_type: 'ephemeral', text: 'Only owners can remove people. You are a member of this team.' });
    expect(h.standin.calls.filter((c) => c.method === 'views.open' && c.args.trigger_id === res.triggerId)).toEqual([]);
    expect(await statusOf(bob)).toBe('active');
    expect(await requests()).toEqual([]);
    expect(await auditActions(t.db, org.id)).not.toContain('member.removed');
  });

  it('removing yourself points to /team leave; no person is a usage error; a non-member is named as such', async () => {
    const self = await h.driver.command('U0ALICE001', '/team', 'remove <@U0ALICE001|alice>');
    expect(self.json).toEqual({ response_type: 'ephemeral', text: 'To remove yourself, use `/team leave`.' });
    const usage = await h.driver.command('U0ALICE001', '/team', 'remove');
    expect(usage.json.text).toContain('Usage: `/team remove @person [reason]`');
    const nobody = await h.driver.command('U0ALICE001', '/team', 'remove nobody@acme.test');
    expect(nobody.json.text).toBe('nobody@acme.test is not an active member of this team.');
    expect(h.standin.calls.filter((c) => c.method === 'views.open' && [self, usage, nobody].some((r) => r.triggerId === c.args.trigger_id))).toEqual([]);
    expect(await statusOf(alice)).toBe('active');
  });

  it('/team help lists remove for owners', async () => {
    const help = await h.driver.command('U0ALICE001', '/team', 'help');
    expect(textOf(help.json.blocks)).toContain('`/team remove @person [reason]`');
  });

  it("the team page's Remove button opens the Remove modal for an owner, and a refusal modal for a member", async () => {
    const aliceHome = await openHome('U0ALICE001');
    const click = await h.driver.blockActions('U0ALICE001', [{ action_id: ACTIONS.remove, value: bob.id }], { view: { id: aliceHome.id } });
    expect(click.status).toBe(200);
    const modal = openedView(await openedWith(click.triggerId));
    expect(modal.callback_id).toBe(REMOVE_MODAL_CALLBACK_ID);
    expect(textOf(modal.blocks)).toContain('*Bob Baker* (bob@acme.test)');
    expect(modal.private_metadata).toContain(bob.id);
    // Default policy, and dave could approve: the modal asks for approval.
    expect(modal.submit.text).toBe('Ask for approval');

    const carolHome = await openHome('U0CAROL001');
    const refused = await h.driver.blockActions('U0CAROL001', [{ action_id: ACTIONS.remove, value: bob.id }], { view: { id: carolHome.id } });
    const refusal = openedView(await openedWith(refused.triggerId));
    expect(refusal.submit).toBeNull();
    expect(textOf(refusal.blocks)).toContain('Only owners can remove people. You are a member of this team. Nothing was changed.');
    expect(await statusOf(bob)).toBe('active');
    expect(await requests()).toEqual([]);
  });

  it('reads the reason back as typed: Slack escapes &, < and > in command text', async () => {
    const view = await openRemove('U0ALICE001', '<@U0BOB00001|bob> moved to R&amp;D &lt;platform&gt;');
    const reasonBlock = view.blocks.find((b: Block) => b.block_id === REMOVE_BLOCKS.reason);
    expect(reasonBlock.element.initial_value).toBe('moved to R&D <platform>');
  });

  it('under policy none: /team remove @bob too many logins, submitted, removes bob at once, audited, announced, and DMs him', async () => {
    await setOrganization({ removal_approval_policy: 'none' });
    const view = await openRemove('U0ALICE001', '<@U0BOB00001|bob> too many logins');
    expect(view.callback_id).toBe(REMOVE_MODAL_CALLBACK_ID);
    expect(view.submit.text).toBe('Remove');
    expect(textOf(view.blocks)).toContain('*Bob Baker* (bob@acme.test)');
    expect(textOf(view.blocks)).toContain('access ends immediately');
    const reasonBlock = view.blocks.find((b: Block) => b.block_id === REMOVE_BLOCKS.reason);
    expect(reasonBlock.element.initial_value).toBe('too many logins');

    const res = await submit('U0ALICE001', view);
    expect(res.status).toBe(200);
    expect(res.json.response_action).toBe('update');
    expect(validateView(res.json.view, 'modal')).toEqual([]);
    expect(textOf(res.json.view.blocks)).toContain('*Bob Baker* (bob@acme.test) was removed; their access has ended.');

    const row = await t.db.selectFrom('members').selectAll().where('id', '=', bob.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'removed', removed_by_member_id: alice.id, removal_reason: 'too many logins' });
    const events = await t.db.selectFrom('audit_events').selectAll().where('action', '=', 'member.removed').execute();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actor_id: alice.id, target_id: bob.id, source: 'slack' });
    expect(await requests()).toEqual([]);

    const post = await h.standin.waitForCall('chat.postMessage', (c) => c.args.channel === 'C0TEAM0001' && String(c.args.text).includes('was removed by'), 10_000);
    expect(post.args.text).toBe(':wave: <@U0BOB00001> was removed by <@U0ALICE001>.');
    const dm = await h.standin.waitForCall('chat.postMessage', (c) => c.args.channel === 'U0BOB00001' && String(c.args.text).includes('access'), 10_000);
    expect(String(dm.args.text)).toContain('team in Team Manager has ended: <@U0ALICE001> removed you');

    // From the commit on, bob is nobody.
    expect((await h.driver.command('U0BOB00001', '/team', 'list')).json.text).toContain('only `/team help` is available to you');
  });

  describe('under another-owner with three owners and an approvals channel', () => {
    let requestView: Block;

    beforeAll(async () => {
      await setOrganization({ removal_approval_policy: 'another-owner', approvals_channel_id: 'C0APPR0001' });
      await t.db.updateTable('members').set({ role: 'owner' }).where('id', '=', carol.id).execute();
    });

    it('the modal says another owner must approve and where the card goes; names are escaped', async () => {
      requestView = await openRemove('U0ALICE001', 'erin@acme.test');
      expect(requestView.submit.text).toBe('Ask for approval');
      const text = textOf(requestView.blocks);
      expect(text).toContain('Another owner must approve first');
      expect(text).toContain('<#C0APPR0001>');
      expect(text).toContain('Erin &lt;!here&gt; Evans');
      expect(text).not.toContain('<!here>');
    });

    it('a reason over the limit is refused inline under the reason, and nothing is asked', async () => {
      const res = await submit('U0ALICE001', requestView, 'x'.repeat(1001));
      expect(res.json.response_action).toBe('errors');
      expect(res.json.errors[REMOVE_BLOCKS.reason]).toContain('Keep the reason under 1000 characters');
      expect(await requests()).toEqual([]);
    });

    it('submitting creates a pending request; the card with Approve/Reject goes to the approvals channel and alice gets Withdraw', async () => {
      const res = await submit('U0ALICE001', requestView, 'Left <!channel> the company');
      expect(res.json.response_action).toBe('update');
      expect(validateView(res.json.view, 'modal')).toEqual([]);
      expect(res.json.view.title.text).toBe('Waiting for approval');
      const text = textOf(res.json.view.blocks);
      expect(text).toContain('your request to remove *Erin &lt;!here&gt; Evans* (erin@acme.test) is in <#C0APPR0001>');
      expect(text).toContain('you can withdraw it from your DM from Team Manager or the App Home');

      const [request, ...others] = await requests();
      expect(others).toEqual([]);
      expect(request).toMatchObject({ status: 'pending', target_member_id: erin.id, requested_by_member_id: alice.id, reason: 'Left <!channel> the company' });
      expect(await statusOf(erin)).toBe('active');
      expect(await auditActions(t.db, org.id)).toContain('removal.requested');

      const card = await h.standin.waitForCall('chat.postMessage', (c) => c.args.channel === 'C0APPR0001', 10_000);
      const cardButtons = buttonsIn(card.args.blocks as Block[]);
      expect(cardButtons.map((b) => [b.action_id, b.value])).toEqual([
        [REMOVAL_ACTIONS.approve, request!.id],
        [REMOVAL_ACTIONS.reject, request!.id],
      ]);
      expect(textOf(card.args.blocks)).toContain('Left &lt;!channel&gt; the company');
      expect(textOf(card.args.blocks)).not.toContain('<!channel>');

      const dm = await h.standin.waitForCall(
        'chat.postMessage',
        (c) => c.args.channel === 'U0ALICE001' && buttonsIn((c.args.blocks as Block[]) ?? []).some((b) => b.action_id === REMOVAL_ACTIONS.withdraw),
        10_000,
      );
      expect(buttonsIn(dm.args.blocks as Block[]).map((b) => b.value)).toEqual([request!.id]);
      expect(String(dm.args.text)).toContain('waiting for approval');
    });

    it('asking again shows the waiting request instead of a form; resubmitting the old form makes no second request', async () => {
      const again = await openRemove('U0DAVE0001', 'erin@acme.test');
      expect(again.submit).toBeNull();
      expect(again.blocks.some((b: Block) => b.type === 'input')).toBe(false);
      expect(textOf(again.blocks)).toContain('already waiting');

      const res = await submit('U0ALICE001', requestView, 'twice');
      expect(res.json.response_action).toBe('update');
      expect(textOf(res.json.view.blocks)).toContain('No second request was made');
      expect(await requests()).toHaveLength(1);
    });

    it("an owner's Home shows the waiting request: Approve and Reject for dave, Withdraw for alice who asked", async () => {
      const [request] = await requests();
      const daveHome = await openHome('U0DAVE0001');
      expect(textOf(daveHome.blocks)).toContain('Waiting for approval');
      expect(textOf(daveHome.blocks)).toContain('Erin &lt;!here&gt; Evans');
      expect(textOf(daveHome.blocks)).toContain('Left &lt;!channel&gt; the company');
      const daveButtons = buttonsIn(daveHome.blocks).filter((b) => Object.values(REMOVAL_ACTIONS).includes(b.action_id));
      expect(daveButtons.map((b) => [b.action_id, b.value])).toEqual([
        [REMOVAL_ACTIONS.approve, request!.id],
        [REMOVAL_ACTIONS.reject, request!.id],
      ]);
      expect(daveButtons[0]!.confirm).toBeDefined();

      const aliceHome = await openHome('U0ALICE001');
      const aliceButtons = buttonsIn(aliceHome.blocks).filter((b) => Object.values(REMOVAL_ACTIONS).includes(b.action_id));
      expect(aliceButtons.map((b) => [b.action_id, b.value])).toEqual([[REMOVAL_ACTIONS.withdraw, request!.id]]);
    });
  });
});
