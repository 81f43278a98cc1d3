import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Invitation, Organization } from '../../src/db/schema.js';
import type { StandinUser } from '../../src/standin/workspace/types.js';
import { findOrganizationBySlackTeam } from '../../src/team/organization-repository.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { useTestDatabase } from '../support/database.js';
import { seedMember } from '../support/seed.js';

/**
 * The setting "Invite new workspace members automatically" (organizations.slack_auto_invite)
 * with signed team_join events into the real app: on, an account at an allowed domain gets one
 * invitation as Member through the normal path (DM, announcement, audit with Slack as the
 * actor); another domain, the setting off, a guest, a person of another organization, or a
 * repeat of the event invite nobody more.
 */
describe('Slack team_join: invite new workspace members automatically', () => {
  const t = useTestDatabase();
  let h: TestApp;
  let org: Organization;

  beforeAll(async () => {
    h = await startTestApp({ databaseUrl: t.url });
    org = (await findOrganizationBySlackTeam(t.db, h.standin.teamId))!;
    await seedMember(t.db, org, 'alice@acme.test', 'owner', { slackUserId: 'U0ALICE001', displayName: 'Alice Archer' });
    await t.db.updateTable('organizations').set({ allowed_email_domains: ['acme.test'] }).where('id', '=', org.id).execute();
  });
  afterAll(async () => h?.stop());

  const autoInvite = (on: boolean) => t.db.updateTable('organizations').set({ slack_auto_invite: on }).where('id', '=', org.id).execute();
  const invitationsTo = (email: string): Promise<Invitation[]> => t.db.selectFrom('invitations').selectAll().where('organization_id', '=', org.id).where('email', '=', email).execute();
  const sentEvents = () => t.db.selectFrom('audit_events').selectAll().where('organization_id', '=', org.id).where('action', '=', 'invitation.sent').execute();
  const person = (id: string, name: string, email: string, extra: Partial<StandinUser> = {}): StandinUser => ({ id, name, realName: name, email, ...extra });
  /** What the team_join listener logged about this account: the outcome it decided, or that it was dropped as nobody of ours. */
  const joinLog = (userId: string) => h.logs.lines().find((l) => l.slackUserId === userId && String(l.msg).startsWith('team_join'));
  /** A joiner who must not be invited: the event is answered, handled for the reason given, and leaves no invitation. */
  async function expectNotInvited(user: StandinUser, outcome: string): Promise<void> {
    const before = (await sentEvents()).length;
    expect((await h.driver.teamJoin(user)).status).toBe(200);
    const line = await vi.waitFor(() => joinLog(user.id) ?? Promise.reject(new Error('not handled yet')), { timeout: 5_000, interval: 50 });
    expect(line.outcome ?? 'dropped').toBe(outcome);
    expect(await invitationsTo(user.email.toLowerCase())).toEqual([]);
    expect(await sentEvents()).toHaveLength(before);
  }

  it('off (the default): nobody is invited', async () => {
    expect(org.slack_auto_invite).toBe(false);
    await expectNotInvited(person('U0ERIN0001', 'erin', 'erin@acme.test'), 'off');
  });

  it('on, an allowed domain: one invitation as Member, Slack the actor, the DM and the announcement', async () => {
    await autoInvite(true);
    expect((await h.driver.teamJoin(person('U0FRANK001', 'frank', 'Frank@acme.test'))).status).toBe(200);
    const invitation = await vi.waitFor(
      async () => {
        const [found] = await invitationsTo('frank@acme.test');
        if (!found?.dm_ts) throw new Error('no DM yet');
        return found;
      },
      { timeout: 10_000, interval: 100 },
    );
    expect(invitation).toMatchObject({ role: 'member', status: 'pending', invited_by_member_id: null });
    const [sent, ...more] = (await sentEvents()).filter((e) => e.target_id === invitation.id);
    expect(more).toEqual([]);
    expect(sent).toMatchObject({ actor_type: 'system', actor_id: 'slack', source: 'slack' });
    expect(sent!.after).toMatchObject({ email: 'frank@acme.test', role: 'member', directory: 'Slack' });
    // The DM went to the person who joined, with Accept / Decline.
    const dm = h.standin.getMessage(invitation.dm_channel_id!, invitation.dm_ts!)!;
    expect(JSON.stringify(dm.blocks)).toContain(invitation.id);
    expect(h.standin.dmIdFor(['U0FRANK001'])).toBe(invitation.dm_channel_id);
    const post = await h.standin.waitForCall('chat.postMessage', (c) => c.args.channel === 'C0TEAM0001' && String(c.args.text).includes('frank@acme.test'), 10_000);
    expect(post.args.text).toBe(':envelope: Slack invited 1 person as Member: frank@acme.test.');
  });

  it('on, with no allowed domains: nobody is invited automatically', async () => {
    await t.db.updateTable('organizations').set({ allowed_email_domains: [] }).where('id', '=', org.id).execute();
    try {
      await expectNotInvited(person('U0MAX00001', 'max', 'max@acme.test'), 'no_allowed_domains');
    } finally {
      await t.db.updateTable('organizations').set({ allowed_email_domains: ['acme.test'] }).where('id', '=', org.id).execute();
    }
  });

  it('a repeated event (and a retry of it) invites once', async () => {
    const frank = person('U0FRANK001', 'frank', 'Frank@acme.test');
    expect((await h.driver.teamJoin(frank)).status).toBe(200);
    expect((await h.driver.teamJoin(frank, { retryNum: 1 })).status).toBe(200);
    await vi.waitFor(() => expect(h.logs.lines().filter((l) => l.slackUserId === 'U0FRANK001' && l.outcome === 'already_pending')).toHaveLength(2), { timeout: 5_000, interval: 50 });
    expect(await invitationsTo('frank@acme.test')).toHaveLength(1);
    expect((await sentEvents()).filter((e) => (e.after as { email?: string }).email === 'frank@acme.test')).toHaveLength(1);
  });

  it('on, but another domain, a guest, someone of another organization or a bot: nobody is invited', async () => {
    await expectNotInvited(person('U0GINA0001', 'gina', 'gina@elsewhere.test'), 'domain_not_allowed');
    await expectNotInvited(person('U0HANK0001', 'hank', 'hank@acme.test', { guest: 'single-channel' }), 'guest');
    await expectNotInvited(person('U0IVY00001', 'ivy', 'ivy@acme.test', { guest: 'multi-channel' }), 'guest');
    await expectNotInvited(person('U0JACK0001', 'jack', 'jack@acme.test', { teamId: 'T0OTHER001', isStranger: true }), 'dropped');
    await expectNotInvited(person('U0KBOT0001', 'kbot', 'kbot@acme.test', { isBot: true }), 'dropped');
    // Already a member (Alice is in the stand-in workspace and an owner here).
    await expectNotInvited(person('U0ALICE001', 'alice', 'alice@acme.test'), 'already_member');
  });

  it('off again: a new joiner at an allowed domain is not invited', async () => {
    await autoInvite(false);
    await expectNotInvited(person('U0LEO00001', 'leo', 'leo@acme.test'), 'off');
  });

  it('logged no errors along the way', () => {
    expect(h.logs.lines().filter((l) => Number(l.level) >= 50)).toEqual([]);
  });
});
