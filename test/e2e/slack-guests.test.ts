import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Member, Organization } from '../../src/db/schema.js';
import { SlackStandin } from '../../src/standin/index.js';
import { DEFAULT_USERS } from '../../src/standin/workspace/types.js';
import { insertInvitations } from '../../src/team/invitation-repository.js';
import { findOrganizationBySlackTeam } from '../../src/team/organization-repository.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { useTestDatabase } from '../support/database.js';
import { seedMember } from '../support/seed.js';

/**
 * Guests of the Slack workspace (is_restricted / is_ultra_restricted) may be members, never owners:
 * Slack's user objects set the flag (link, user_change), the role change refuses it, the team page
 * says so and offers no dropdown, an owner invitation makes a guest a member, and an owner who
 * becomes a guest stays an owner with the owners told. Signed requests into the real app.
 */
describe('Slack guests', () => {
  const t = useTestDatabase();
  let standin: SlackStandin;
  let h: TestApp;
  let org: Organization;
  let carol: Member;
  let dave: Member;

  beforeAll(async () => {
    standin = await SlackStandin.start({
      users: [...DEFAULT_USERS.map((u) => ({ ...u })), { id: 'U0ERIN0001', name: 'erin', realName: 'Erin Eze', email: 'erin@acme.test', guest: 'single-channel' }],
    });
    h = await startTestApp({ databaseUrl: t.url, standin });
    org = (await findOrganizationBySlackTeam(t.db, standin.teamId))!;
    await t.db.updateTable('organizations').set({ approvals_channel_id: 'C0APPR0001' }).where('id', '=', org.id).execute();
    await seedMember(t.db, org, 'alice@acme.test', 'owner', { slackUserId: 'U0ALICE001' });
    carol = await seedMember(t.db, org, 'carol@acme.test', 'member', { slackUserId: 'U0CAROL001' });
    dave = await seedMember(t.db, org, 'dave@acme.test', 'owner', { slackUserId: 'U0DAVE0001' });
  });
  afterAll(async () => {
    await h?.stop();
    await standin?.stop();
  });

  const row = (m: Member) => t.db.selectFrom('members').selectAll().where('id', '=', m.id).executeTakeFirstOrThrow();
  const user = (id: string) => standin.users.find((u) => u.id === id)!;

  it('a member who becomes a guest in Slack cannot be made an owner, and the team page says so without a dropdown', async () => {
    user('U0CAROL001').guest = 'multi-channel';
    expect((await h.driver.userChange('U0CAROL001')).status).toBe(200);
    await expect.poll(async () => (await row(carol)).slack_guest, { timeout: 10_000 }).toBe(true);
    const audit = await t.db.selectFrom('audit_events').selectAll().where('target_id', '=', carol.id).where('action', '=', 'member.guest_changed').execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor_type: 'system', actor_id: 'slack', source: 'slack', after: { guest: true, role: 'member', directory: 'Slack' } });

    const refused = await h.driver.command('U0ALICE001', '/team', 'role carol@acme.test owner');
    expect(JSON.stringify(refused.json)).toContain('is a guest in Slack. Guests can be members of the team, not owners.');
    expect((await row(carol)).role).toBe('member');

    await h.driver.appHomeOpened('U0ALICE001');
    const home = await standin.waitForCall('views.publish', (c) => c.args.user_id === 'U0ALICE001' && JSON.stringify(c.args.view).includes('guest in Slack'), 10_000);
    const blocks = (home.args.view as { blocks: Array<{ type: string; text?: { text: string }; accessory?: { action_id?: string } }> }).blocks;
    const carolRow = blocks.find((b) => b.type === 'section' && b.text?.text.includes('carol@acme.test'))!;
    expect(carolRow.text!.text).toContain('Member · guest in Slack');
    expect(carolRow.accessory).toBeUndefined();
    const daveRow = blocks.find((b) => b.type === 'section' && b.text?.text.includes('dave@acme.test'))!;
    expect(daveRow.accessory?.action_id).toBeDefined();

    // Full member again: the flag follows, and promotion works.
    user('U0CAROL001').guest = undefined;
    await h.driver.userChange('U0CAROL001');
    await expect.poll(async () => (await row(carol)).slack_guest, { timeout: 10_000 }).toBe(false);
    const promoted = await h.driver.command('U0ALICE001', '/team', 'role carol@acme.test owner');
    expect(JSON.stringify(promoted.json)).not.toContain('guest');
    expect((await row(carol)).role).toBe('owner');
  });

  it('an owner who becomes a guest stays an owner, and the owners are told in the approvals channel', async () => {
    user('U0DAVE0001').guest = 'single-channel';
    await h.driver.userChange('U0DAVE0001');
    const told = await standin.waitForCall('chat.postMessage', (c) => c.args.channel === 'C0APPR0001' && String(c.args.text).includes('is now a guest'), 10_000);
    expect(told.args.text).toContain('<@U0DAVE0001> is now a guest in Slack but still an owner here.');
    expect(await row(dave)).toMatchObject({ role: 'owner', slack_guest: true, status: 'active' });
  });

  it('a guest who accepts an owner invitation in Slack joins as a member, and the audit log says why', async () => {
    const alice = await t.db.selectFrom('members').select('id').where('organization_id', '=', org.id).where('email', '=', 'alice@acme.test').executeTakeFirstOrThrow();
    const [invitation] = await insertInvitations(t.db, [
      { organizationId: org.id, email: 'erin@acme.test', role: 'owner', message: null, invitedBy: alice.id, batchId: crypto.randomUUID(), expiresAt: new Date(Date.now() + 86_400_000) },
    ]);
    const click = await h.driver.blockActions('U0ERIN0001', [{ action_id: 'invitation.accept', value: invitation!.id }], { channelId: standin.dmIdFor(['U0ERIN0001']) });
    const reply = await standin.waitForResponseUrlPost(click.responseUrlId);
    expect(JSON.stringify(reply.body)).toContain('Accepted');
    const erin = await t.db.selectFrom('members').selectAll().where('organization_id', '=', org.id).where('email', '=', 'erin@acme.test').executeTakeFirstOrThrow();
    expect(erin).toMatchObject({ role: 'member', slack_guest: true, slack_user_id: 'U0ERIN0001' });
    const accepted = await t.db.selectFrom('audit_events').selectAll().where('target_id', '=', erin.id).where('action', '=', 'invitation.accepted').executeTakeFirstOrThrow();
    expect(accepted.after).toMatchObject({ role: 'member', invited_role: 'owner', guest: true });
  });
});
