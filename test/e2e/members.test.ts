import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../support/database.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { auditActions, seedMember } from '../support/seed.js';
import { findOrganizationBySlackTeam } from '../../src/team/organization-repository.js';
import type { Organization } from '../../src/db/schema.js';

/**
 * /team role and /team leave through signed HTTP into the real app, with people resolved
 * through the stand-in's profiles (alice, bob, carol, dave @acme.test).
 */
describe('members over signed HTTP', () => {
  const t = useTestDatabase();
  let h: TestApp;
  let org: Organization;
  beforeAll(async () => {
    h = await startTestApp({ databaseUrl: t.url });
    org = (await findOrganizationBySlackTeam(t.db, h.standin.teamId))!;
  });
  afterAll(async () => h?.stop());

  it('tells everyone how to create the first owner while the team has none; help still works', async () => {
    const res = await h.driver.command('U0ALICE001', '/team', 'role <@U0BOB00001|bob> owner');
    expect(res.json.text).toContain('has no owner in Team Manager yet');
    expect(res.json.text).toContain('npm run cli -- owners add you@example.com');
    expect(res.json.text).toContain('BOOTSTRAP_OWNER_EMAILS');
    expect((await h.driver.command('U0ALICE001', '/team', 'help')).json.text).toContain('Usage');
  });

  describe('with an owner', () => {
    beforeAll(async () => {
      // Alice's row is not linked yet: the app links her through her Slack profile email.
      await seedMember(t.db, org, 'alice@acme.test', 'owner');
      await seedMember(t.db, org, 'bob@acme.test', 'member');
      await seedMember(t.db, org, 'carol@acme.test', 'member', { slackUserId: 'U0CAROL001' });
    });

    it('a non-member can run help and nothing else, and is told so in one sentence', async () => {
      const res = await h.driver.command('U0DAVE0001', '/team', 'leave');
      expect(res.json).toEqual({
        response_type: 'ephemeral',
        text: "You're not an active member of this team in Team Manager, so only `/team help` is available to you. Ask an owner to invite you.",
      });
    });

    it('/team role @bob owner: promotes, links alice on first sight, audits, posts to the channel and DMs bob', async () => {
      const res = await h.driver.command('U0ALICE001', '/team', 'role <@U0BOB00001|bob> owner');
      expect(res.status).toBe(200);
      expect(res.json.text).toBe(':white_check_mark: <@U0BOB00001> is now an Owner (was Member).');
      const alice = await t.db.selectFrom('members').selectAll().where('email', '=', 'alice@acme.test').executeTakeFirstOrThrow();
      expect(alice.slack_user_id).toBe('U0ALICE001');
      expect(await auditActions(t.db, org.id)).toEqual(expect.arrayContaining(['member.slack_linked', 'member.role_changed']));

      const post = await h.standin.waitForCall('chat.postMessage', (c) => c.args.channel === 'C0TEAM0001' && String(c.args.text).includes('changed'));
      expect(post.args.text).toBe(":arrows_counterclockwise: <@U0ALICE001> changed <@U0BOB00001>'s role from Member to Owner.");
      const dm = await h.standin.waitForCall('chat.postMessage', (c) => c.args.channel === 'U0BOB00001');
      expect(String(dm.args.text)).toContain('made you an *owner*');
    });

    it('accepts an email address instead of a mention, and says when nothing changes', async () => {
      const res = await h.driver.command('U0ALICE001', '/team', 'role carol@acme.test member');
      expect(res.json.text).toBe('<@U0CAROL001> is already a member. Nothing was changed.');
    });

    it('explains the usage for a malformed role command, and refuses a member', async () => {
      expect((await h.driver.command('U0ALICE001', '/team', 'role bob admin')).json.text).toContain('Usage: `/team role @person owner|member [for 4h|1d|7d|YYYY-MM-DD HH:MM]`');
      const refused = await h.driver.command('U0CAROL001', '/team', 'role <@U0ALICE001> member');
      expect(refused.json.text).toBe("Only owners can change someone's role. You are a member of this team.");
      const alice = await t.db.selectFrom('members').select('role').where('email', '=', 'alice@acme.test').executeTakeFirstOrThrow();
      expect(alice.role).toBe('owner');
    });

    it('/team leave asks to confirm; the confirmed click removes carol and ends her access', async () => {
      const ask = await h.driver.command('U0CAROL001', '/team', 'leave');
      const button = ask.json.blocks[1].elements[0];
      expect(button).toMatchObject({ action_id: 'team.leave.confirm', style: 'danger', confirm: expect.any(Object) });

      const click = await h.driver.blockActions('U0CAROL001', [{ action_id: 'team.leave.confirm', block_id: 'team.leave', value: 'leave' }], {
        message: { ts: '1.2', text: ask.json.text, blocks: ask.json.blocks },
        channelId: 'C0GENERAL1',
      });
      expect(click.status).toBe(200);
      const reply = await h.standin.waitForResponseUrlPost(click.responseUrlId);
      expect(reply.body).toMatchObject({ replace_original: true, text: expect.stringContaining('You left') });
      const carol = await t.db.selectFrom('members').selectAll().where('slack_user_id', '=', 'U0CAROL001').executeTakeFirstOrThrow();
      expect(carol.status).toBe('removed');

      // From the commit on, she is nobody.
      const after = await h.driver.command('U0CAROL001', '/team', 'leave');
      expect(after.json.text).toContain('only `/team help` is available to you');
    });

    it('the last owner clicking Leave is told why, in place', async () => {
      // Bob was promoted above; demote him so alice is the last owner.
      await h.driver.command('U0ALICE001', '/team', 'role <@U0BOB00001> member');
      const click = await h.driver.blockActions('U0ALICE001', [{ action_id: 'team.leave.confirm', block_id: 'team.leave', value: 'leave' }], {
        message: { ts: '1.3', text: 'Leave?', blocks: [] },
        channelId: 'C0GENERAL1',
      });
      const reply = await h.standin.waitForResponseUrlPost(click.responseUrlId);
      expect(reply.body).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('You are the last owner, so you cannot leave.') });
      const alice = await t.db.selectFrom('members').select('status').where('email', '=', 'alice@acme.test').executeTakeFirstOrThrow();
      expect(alice.status).toBe('active');
    });
  });
});
