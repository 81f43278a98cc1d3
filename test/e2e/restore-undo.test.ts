import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../support/database.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { seedMember } from '../support/seed.js';
import { findOrganizationBySlackTeam } from '../../src/team/organization-repository.js';
import { requestRemoval } from '../../src/team/removals.js';
import type { Organization } from '../../src/db/schema.js';

/**
 * Undo and restore through signed HTTP into the real app: the `/team role` reply's Undo button,
 * `/team restore`, and the Restore button a removal post carries (stand-in profiles: alice, bob, carol).
 */
describe('undo and restore over signed HTTP', () => {
  const t = useTestDatabase();
  let h: TestApp;
  let org: Organization;
  beforeAll(async () => {
    h = await startTestApp({ databaseUrl: t.url });
    org = (await findOrganizationBySlackTeam(t.db, h.standin.teamId))!;
    await t.db.updateTable('organizations').set({ removal_approval_policy: 'none' }).where('id', '=', org.id).execute();
    await seedMember(t.db, org, 'alice@acme.test', 'owner', { slackUserId: 'U0ALICE001' });
    await seedMember(t.db, org, 'bob@acme.test', 'member', { slackUserId: 'U0BOB00001' });
    await seedMember(t.db, org, 'carol@acme.test', 'member', { slackUserId: 'U0CAROL001' });
  });
  afterAll(async () => h?.stop());

  const member = (email: string) => t.db.selectFrom('members').selectAll().where('email', '=', email).executeTakeFirstOrThrow();

  it('/team role carries an Undo; someone else clicking it is refused, the actor clicking it undoes (audited undo_of)', async () => {
    const res = await h.driver.command('U0ALICE001', '/team', 'role <@U0BOB00001|bob> owner');
    expect(res.json.text).toBe(':white_check_mark: <@U0BOB00001> is now an Owner (was Member).');
    const undo = res.json.blocks[0].accessory;
    expect(undo).toMatchObject({ action_id: 'change.undo', text: { text: 'Undo' } });
    const message = { ts: '1.1', text: res.json.text, blocks: res.json.blocks };

    const other = await h.driver.blockActions('U0CAROL001', [{ action_id: 'change.undo', block_id: res.json.blocks[0].block_id, value: undo.value }], { message, channelId: 'C0GENERAL1' });
    const refused = await h.standin.waitForResponseUrlPost(other.responseUrlId);
    expect(refused.body).toMatchObject({ text: ':warning: Only <@U0ALICE001>, who made this change, can undo it. Nothing was changed.' });
    expect((await member('bob@acme.test')).role).toBe('owner');

    const click = await h.driver.blockActions('U0ALICE001', [{ action_id: 'change.undo', block_id: res.json.blocks[0].block_id, value: undo.value }], { message, channelId: 'C0GENERAL1' });
    const reply = await h.standin.waitForResponseUrlPost(click.responseUrlId);
    expect(reply.body).toMatchObject({ replace_original: true, text: ':leftwards_arrow_with_hook: Undone: <@U0BOB00001> is a Member again.' });
    expect((await member('bob@acme.test')).role).toBe('member');
    const event = await t.db.selectFrom('audit_events').selectAll().where('organization_id', '=', org.id).orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(event).toMatchObject({ action: 'member.role_changed', after: { role: 'member', undo_of: undo.value } });
  });

  it('/team restore: refused to a member, restores for an owner, then says it is done already', async () => {
    const carol = await member('carol@acme.test');
    const alice = await member('alice@acme.test');
    await requestRemoval(t.db, { organizationId: org.id, actorMemberId: alice.id, targetMemberId: carol.id, source: 'slack' });

    const byBob = await h.driver.command('U0BOB00001', '/team', 'restore <@U0CAROL001|carol>');
    expect(byBob.json.text).toContain('Only owners can restore removed members.');
    const ok = await h.driver.command('U0ALICE001', '/team', 'restore <@U0CAROL001|carol>');
    expect(ok.json.text).toBe(':white_check_mark: <@U0CAROL001> is back in the team as a Member.');
    expect(await member('carol@acme.test')).toMatchObject({ id: carol.id, status: 'active', slack_user_id: 'U0CAROL001' });
    const twice = await h.driver.command('U0ALICE001', '/team', 'restore carol@acme.test');
    expect(twice.json.text).toContain('<@U0CAROL001> was already restored by <@U0ALICE001>');
  });

  it('the Restore button on a removal: restores for the owner who clicks it, answered to them alone', async () => {
    const carol = await member('carol@acme.test');
    const alice = await member('alice@acme.test');
    await requestRemoval(t.db, { organizationId: org.id, actorMemberId: alice.id, targetMemberId: carol.id, source: 'slack' });
    const click = await h.driver.blockActions('U0ALICE001', [{ action_id: 'member.restore', value: carol.id }], {
      message: { ts: '1.9', text: 'removed', blocks: [] },
      channelId: 'C0TEAM0001',
    });
    const reply = await h.standin.waitForResponseUrlPost(click.responseUrlId);
    expect(reply.body).toMatchObject({ response_type: 'ephemeral', replace_original: false, text: ':white_check_mark: <@U0CAROL001> is back in the team as a Member.' });
    expect((await member('carol@acme.test')).status).toBe('active');
  });
});
