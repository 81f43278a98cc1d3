import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Organization } from '../../src/db/schema.js';
import { createInvitations } from '../../src/team/invitations.js';
import { findOrganizationBySlackTeam } from '../../src/team/organization-repository.js';
import { validateBlocks } from '../../src/standin/index.js';
import { useTestDatabase } from '../support/database.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { auditActions, seedMember } from '../support/seed.js';

/** /team pending with Resend and Cancel, through signed HTTP and the stand-in. */
describe('pending invitations over signed HTTP', () => {
  const t = useTestDatabase();
  let h: TestApp;
  let org: Organization;
  let ownerId: string;
  beforeAll(async () => {
    h = await startTestApp({ databaseUrl: t.url, env: { RUN_WORKER: 'false' } });
    org = (await findOrganizationBySlackTeam(t.db, h.standin.teamId))!;
    ownerId = (await seedMember(t.db, org, 'alice@acme.test', 'owner', { slackUserId: 'U0ALICE001' })).id;
    await seedMember(t.db, org, 'carol@acme.test', 'member', { slackUserId: 'U0CAROL001' });
  });
  afterAll(async () => h?.stop());

  const click = (userId: string, actionId: string, value: string, message: Record<string, unknown>) =>
    h.driver.blockActions(userId, [{ action_id: actionId, value }], { message: { ts: '1.1', ...message }, channelId: 'C0GENERAL1' });

  it('lists pending and expired invitations with who sent them, buttons for owners only, within Slack limits', async () => {
    const { invitations } = await createInvitations(t.db, { organizationId: org.id, actorMemberId: ownerId, addresses: ['a@example.org', 'b@example.org'], role: 'member', source: 'slack' });
    await t.db.updateTable('invitations').set({ status: 'expired' }).where('id', '=', invitations[1]!.id).execute();

    const owner = await h.driver.command('U0ALICE001', '/team', 'pending');
    const shown = JSON.stringify(owner.json.blocks);
    expect(shown).toContain('*a@example.org*');
    expect(shown).toContain('*b@example.org* · :hourglass: *expired*');
    expect(shown).toContain('invited by <@U0ALICE001>');
    expect(shown).toContain('sent 1 time');
    expect(owner.json.blocks.filter((b: { type: string }) => b.type === 'actions')).toHaveLength(2);
    expect(validateBlocks(owner.json.blocks, 'message')).toEqual([]);

    const member = await h.driver.command('U0CAROL001', '/team', 'pending');
    expect(JSON.stringify(member.json.blocks)).toContain('a@example.org');
    expect(member.json.blocks.filter((b: { type: string }) => b.type === 'actions')).toHaveLength(0);
  });

  it('Resend renews the invitation (cooldown refused with a clear message in place); Cancel ends it', async () => {
    const { invitations } = await createInvitations(t.db, { organizationId: org.id, actorMemberId: ownerId, addresses: ['c@example.org'], role: 'member', source: 'slack' });
    const id = invitations[0]!.id;
    const list = await h.driver.command('U0ALICE001', '/team', 'pending');

    // Just sent: the cooldown refuses, and says for how long.
    const early = await click('U0ALICE001', 'invitation.resend', id, { text: list.json.text, blocks: list.json.blocks });
    const refused = await h.standin.waitForResponseUrlPost(early.responseUrlId);
    expect(refused.body).toMatchObject({ replace_original: true });
    expect(String((refused.body.blocks as Array<{ text?: { text: string } }>)[0]!.text!.text)).toMatch(/was sent \d+ seconds ago\. You can resend it in \d+ seconds\./);

    await t.db.updateTable('invitations').set({ last_sent_at: new Date(Date.now() - 120_000) }).where('id', '=', id).execute();
    const resend = await click('U0ALICE001', 'invitation.resend', id, { text: list.json.text, blocks: list.json.blocks });
    const resent = await h.standin.waitForResponseUrlPost(resend.responseUrlId);
    expect(JSON.stringify(resent.body.blocks)).toContain('Sent the invitation to c@example.org again');
    expect(JSON.stringify(resent.body.blocks)).toContain('sent 2 times');

    // A member pressing the same button (a forged payload): refused, nothing changes.
    const forged = await click('U0CAROL001', 'invitation.cancel', id, { text: list.json.text, blocks: list.json.blocks });
    expect(JSON.stringify((await h.standin.waitForResponseUrlPost(forged.responseUrlId)).body)).toContain('Only owners can invite people');
    expect((await t.db.selectFrom('invitations').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status).toBe('pending');

    const cancel = await click('U0ALICE001', 'invitation.cancel', id, { text: list.json.text, blocks: list.json.blocks });
    const cancelled = await h.standin.waitForResponseUrlPost(cancel.responseUrlId);
    expect(JSON.stringify(cancelled.body.blocks)).toContain('Cancelled the invitation to c@example.org');
    expect((await t.db.selectFrom('invitations').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status).toBe('cancelled');
    expect((await auditActions(t.db, org.id)).slice(-2)).toEqual(['invitation.resent', 'invitation.cancelled']);

    // A made-up id is simply "does not exist".
    const bogus = await click('U0ALICE001', 'invitation.cancel', 'not-a-uuid', { text: list.json.text, blocks: list.json.blocks });
    expect(JSON.stringify((await h.standin.waitForResponseUrlPost(bogus.responseUrlId)).body)).toContain('That invitation does not exist.');
  });

  it('the App Home shows the invite button and pending invitations to owners; Resend there republishes the Home with the outcome', async () => {
    const { invitations } = await createInvitations(t.db, { organizationId: org.id, actorMemberId: ownerId, addresses: ['home@example.org'], role: 'owner', source: 'slack' });
    await h.driver.appHomeOpened('U0ALICE001');
    const ownerHome = (await h.standin.waitForCall('views.publish', (c) => c.args.user_id === 'U0ALICE001')).args.view as { blocks: Array<Record<string, any>> };
    const ownerText = JSON.stringify(ownerHome.blocks);
    expect(ownerText).toContain('invitation.open_modal');
    expect(ownerText).toContain('*home@example.org*');
    expect(validateBlocks(ownerHome.blocks, 'home')).toEqual([]);

    await h.driver.appHomeOpened('U0CAROL001');
    const memberHome = (await h.standin.waitForCall('views.publish', (c) => c.args.user_id === 'U0CAROL001')).args.view as { blocks: unknown[] };
    expect(JSON.stringify(memberHome)).toContain('*home@example.org*');
    expect(JSON.stringify(memberHome)).not.toContain('invitation.open_modal');
    expect(JSON.stringify(memberHome)).not.toContain('invitation.resend');

    await t.db.updateTable('invitations').set({ last_sent_at: new Date(Date.now() - 120_000) }).where('id', '=', invitations[0]!.id).execute();
    const before = h.standin.callsTo('views.publish').length;
    await h.driver.blockActions('U0ALICE001', [{ action_id: 'invitation.resend', value: invitations[0]!.id }], { view: { id: (h.standin.homeViews.get('U0ALICE001') as { id: string }).id } });
    await expect.poll(() => h.standin.callsTo('views.publish').length).toBeGreaterThan(before);
    const after = h.standin.callsTo('views.publish').at(-1)!.args.view;
    expect(JSON.stringify(after)).toContain('Sent the invitation to home@example.org again');
  });
});
