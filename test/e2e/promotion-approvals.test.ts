import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Member, Organization } from '../../src/db/schema.js';
import type { StoredMessage } from '../../src/standin/index.js';
import { findOrganizationBySlackTeam } from '../../src/team/organization-repository.js';
import { REMOVAL_ACTIONS } from '../../src/slack/blocks/removal-card.js';
import { ACTIONS } from '../../src/slack/blocks/team-page.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { useTestDatabase } from '../support/database.js';
import { seedMember } from '../support/seed.js';

/**
 * Temporary owners and the two-person rule from Slack (issue 19), through signed HTTP into the
 * real app and the Slack stand-in: `/team role @person owner for 1d` under `another-owner`
 * becomes a promotion request whose card another owner approves; the requester's own click
 * is refused; the time words are checked where the person typed them.
 */
describe('promotion to owner in Slack', () => {
  const t = useTestDatabase();
  let h: TestApp;
  let org: Organization;
  const people: Record<'alice' | 'carol' | 'dave', Member> = {} as never;
  const IDS = { alice: 'U0ALICE001', carol: 'U0CAROL001', dave: 'U0DAVE0001' } as const;

  beforeAll(async () => {
    h = await startTestApp({ databaseUrl: t.url });
    org = (await findOrganizationBySlackTeam(t.db, h.standin.teamId))!;
    await t.db.updateTable('organizations').set({ approvals_channel_id: 'C0APPR0001', promotion_approval_policy: 'another-owner' }).where('id', '=', org.id).execute();
    people.alice = await seedMember(t.db, org, 'alice@acme.test', 'owner', { slackUserId: IDS.alice });
    people.carol = await seedMember(t.db, org, 'carol@acme.test', 'owner', { slackUserId: IDS.carol });
    people.dave = await seedMember(t.db, org, 'dave@acme.test', 'member', { slackUserId: IDS.dave });
  });
  afterAll(async () => h?.stop());

  const actionElements = (blocks: unknown) =>
    ((blocks ?? []) as Array<Record<string, any>>).filter((b) => b.type === 'actions').flatMap((b) => b.elements as Array<Record<string, unknown>>);
  const click = (userId: string, actionId: string, message: StoredMessage) => {
    const element = actionElements(message.blocks).find((e) => e.action_id === actionId);
    return h.driver.blockActions(userId, [{ action_id: actionId, value: String(element?.value) }], { message: { ...message }, channelId: message.channel });
  };
  const ephemeralAnswer = async (c: { responseUrlId: string }) => (await h.standin.waitForResponseUrlPost(c.responseUrlId)).body;

  it('refuses time words it cannot read, saying what it accepts; nothing is asked', async () => {
    const res = await h.driver.command(IDS.alice, '/team', 'role <@U0DAVE0001|dave> owner for soon');
    expect(res.json.text).toContain('"soon" is not a time. Use a duration such as `4h`, `1d` or `7d`');
    const member = await h.driver.command(IDS.alice, '/team', 'role <@U0DAVE0001|dave> member for 4h');
    expect(member.json.text).toContain('Only an ownership can be for a while');
    expect(await t.db.selectFrom('removal_requests').select('id').where('organization_id', '=', org.id).execute()).toEqual([]);
  });

  it('`owner for 1d` is requested, waiting for another owner; the requester cannot approve; another owner approves on the card', async () => {
    const res = await h.driver.command(IDS.alice, '/team', 'role <@U0DAVE0001|dave> owner for 1d');
    expect(res.json.text).toMatch(/^:hourglass_flowing_sand: Requested, waiting for another owner: <@U0DAVE0001> becomes an owner until <!date\^\d+\^/);
    const request = await t.db.selectFrom('removal_requests').selectAll().where('organization_id', '=', org.id).where('status', '=', 'pending').executeTakeFirstOrThrow();
    expect(request).toMatchObject({ kind: 'promotion', requested_by_member_id: people.alice.id, target_member_id: people.dave.id });
    expect(request.owner_until!.getTime() - Date.now()).toBeGreaterThan(23 * 3_600_000);
    expect((await t.db.selectFrom('members').select('role').where('id', '=', people.dave.id).executeTakeFirstOrThrow()).role).toBe('member');

    const row = await vi.waitFor(
      async () => {
        const r = await t.db.selectFrom('removal_requests').selectAll().where('id', '=', request.id).executeTakeFirstOrThrow();
        if (!r.card_ts) throw new Error('card not posted yet');
        return r;
      },
      { timeout: 10_000, interval: 100 },
    );
    const card = structuredClone(h.standin.getMessage(row.card_channel_id!, row.card_ts!)!);
    expect(card.channel).toBe('C0APPR0001');
    expect(JSON.stringify(card.blocks)).toContain('Promotion to owner waiting for approval');
    expect(JSON.stringify(card.blocks)).toContain('*Make owner*');

    const own = await click(IDS.alice, REMOVAL_ACTIONS.approve, card);
    expect((await ephemeralAnswer(own)).text).toBe('You asked for this promotion, so another owner has to approve or reject it. You can withdraw it instead.');

    const approved = await click(IDS.carol, REMOVAL_ACTIONS.approve, card);
    expect((await ephemeralAnswer(approved)).text).toBe(':white_check_mark: You approved the promotion: <@U0DAVE0001> is now an owner.');
    const dave = await t.db.selectFrom('members').selectAll().where('id', '=', people.dave.id).executeTakeFirstOrThrow();
    expect(dave).toMatchObject({ role: 'owner', owner_until: request.owner_until });

    // The card is rewritten with the outcome, and a second click hears it was decided.
    const rewrite = await h.standin.waitForCall('chat.update', (c) => c.args.channel === card.channel && c.args.ts === card.ts, 10_000);
    expect(JSON.stringify(rewrite.args.blocks)).toContain('*Approved*');
    const again = await click(IDS.carol, REMOVAL_ACTIONS.approve, card);
    expect((await ephemeralAnswer(again)).text).toContain('This request was already approved');

    // /team list shows "Owner until …".
    const list = await h.driver.command(IDS.alice, '/team', 'list dave');
    expect(JSON.stringify(list.json.blocks)).toMatch(/Owner until <!date\^\d+/);
  });

  it("the Home dropdown's 'Owner for 7 days' asks for a promotion ending in 7 days", async () => {
    const eve = await seedMember(t.db, org, 'eve@acme.test', 'member');
    const res = await h.driver.blockActions(
      IDS.carol,
      [{ action_id: ACTIONS.role, block_id: `tpr|${eve.id}|${eve.id}|`, selected_option: { value: `owner-7d|${eve.id}` } }],
      { view: { id: `V0HOME${IDS.carol}`, type: 'home', blocks: [] } },
    );
    expect(res.status).toBe(200);
    const request = await vi.waitFor(
      () => t.db.selectFrom('removal_requests').selectAll().where('target_member_id', '=', eve.id).executeTakeFirstOrThrow(),
      { timeout: 10_000, interval: 100 },
    );
    expect(request).toMatchObject({ kind: 'promotion', status: 'pending', requested_by_member_id: people.carol.id });
    const days = (request.owner_until!.getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.9);
    expect(days).toBeLessThanOrEqual(7);
    expect((await t.db.selectFrom('members').select('role').where('id', '=', eve.id).executeTakeFirstOrThrow()).role).toBe('member');
  });
});
