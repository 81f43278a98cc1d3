import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Invitation, Organization } from '../../src/db/schema.js';
import { auditSentence } from '../../src/slack/blocks/audit-sentences.js';
import { validateView } from '../../src/standin/block-kit-limits.js';
import type { RecordedCall } from '../../src/standin/index.js';
import { findOrganizationBySlackTeam } from '../../src/team/organization-repository.js';
import { INVITE_BLOCKS, INVITE_MODAL_CALLBACK_ID, inviteButtonBlock, OPEN_INVITE_MODAL_ACTION } from '../../src/slack/blocks/invite-modal.js';
import { ACCEPT_INVITATION_ACTION, DECLINE_INVITATION_ACTION } from '../../src/slack/blocks/invitation-dm.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { useTestDatabase } from '../support/database.js';
import { seedMember } from '../support/seed.js';

/**
 * Inviting from Slack and answering the invitation DM, through signed HTTP into the real app,
 * the Slack stand-in (Block Kit limits, 3 s single-use trigger_ids, per-channel pace), real
 * PostgreSQL and the worker delivering DMs, channel posts and emails (written as .eml files
 * under DATA_DIR/mail since no SMTP_URL is set).
 *
 * Stand-in people: alice (owner here), carol (member here), bob and dave (not members).
 */
describe('invitations in Slack', () => {
  const t = useTestDatabase();
  let h: TestApp;
  let org: Organization;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'tm-invite-e2e-'));
    h = await startTestApp({ databaseUrl: t.url, env: { DATA_DIR: dataDir } });
    org = (await findOrganizationBySlackTeam(t.db, h.standin.teamId))!;
    await seedMember(t.db, org, 'alice@acme.test', 'owner', { slackUserId: 'U0ALICE001' });
    await seedMember(t.db, org, 'carol@acme.test', 'member', { slackUserId: 'U0CAROL001' });
  });
  afterAll(async () => {
    await h?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const ADDRESSES = INVITE_BLOCKS.addresses;

  /** `/team <text>` and the views.open it caused, if any. */
  async function command(userId: string, text: string) {
    const sentAt = Date.now();
    const res = await h.driver.command(userId, '/team', text);
    const open = h.standin.calls.find((c) => c.method === 'views.open' && c.args.trigger_id === res.triggerId);
    return { res, open, sentAt };
  }

  /** Opens the modal as an owner would, returning the stored view's id to submit against. */
  async function openModal(userId = 'U0ALICE001'): Promise<string> {
    const { open } = await command(userId, 'invite');
    expect(open?.response.ok).toBe(true);
    return (open!.response.view as { id: string }).id;
  }

  interface Form {
    addresses: string;
    role?: 'owner' | 'member';
    message?: string | null;
    inviteValidOnes?: boolean;
  }
  /** The view_submission Slack sends for the modal, with the state as Slack shapes it. */
  function submit(viewId: string, userId: string, form: Form) {
    const role = form.role ?? 'member';
    return h.driver.viewSubmission(userId, {
      id: viewId,
      callback_id: INVITE_MODAL_CALLBACK_ID,
      values: {
        [INVITE_BLOCKS.addresses]: { addresses: { type: 'plain_text_input', value: form.addresses } },
        [INVITE_BLOCKS.role]: {
          role: { type: 'radio_buttons', selected_option: { text: { type: 'plain_text', text: role === 'owner' ? 'Owner' : 'Member' }, value: role } },
        },
        [INVITE_BLOCKS.message]: { message: { type: 'plain_text_input', value: form.message ?? null } },
        [INVITE_BLOCKS.options]: {
          invite_valid_ones: { type: 'checkboxes', selected_options: form.inviteValidOnes ? [{ text: { type: 'plain_text', text: 'Invite…' }, value: 'invite_valid_ones' }] : [] },
        },
      },
    });
  }

  const invitationCount = async () => Number((await t.db.selectFrom('invitations').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const invitationTo = (email: string): Promise<Invitation> =>
    t.db.selectFrom('invitations').selectAll().where('email', '=', email).orderBy('created_at', 'desc').executeTakeFirstOrThrow();
  const mailFiles = async () => {
    try {
      return (await readdir(path.join(dataDir, 'mail'))).filter((f) => f.endsWith('.eml'));
    } catch {
      return [];
    }
  };
  /** Waits for the DM job to have posted and recorded where the DM is. */
  const dmOf = (email: string) =>
    vi.waitFor(
      async () => {
        const invitation = await invitationTo(email);
        if (!invitation.dm_ts || !invitation.dm_channel_id) throw new Error(`no DM recorded yet for ${email}`);
        return invitation as Invitation & { dm_ts: string; dm_channel_id: string };
      },
      { timeout: 10_000, interval: 100 },
    );
  const hasActions = (blocks: unknown) => Array.isArray(blocks) && blocks.some((b) => (b as { type?: string }).type === 'actions');
  const isDm = (c: RecordedCall) => /^[UD]0/.test(String(c.args.channel));

  it('/team invite opens the modal within the trigger’s 3 s, valid Block Kit, Member preselected, addresses prefilled', async () => {
    const { res, open, sentAt } = await command('U0ALICE001', 'invite ana@example.org, <mailto:ben@example.org|ben@example.org>');
    expect(res.status).toBe(200);
    expect(res.text).toBe(''); // the modal is the answer; nothing ephemeral
    // The stand-in refuses an expired or reused trigger_id (expired_trigger_id): ok means in time.
    expect(open?.response).toMatchObject({ ok: true });
    expect(open!.at - sentAt).toBeLessThan(3000);
    expect(validateView(open!.args.view, 'modal')).toEqual([]);
    const blocks = (open!.args.view as { blocks: Array<Record<string, any>> }).blocks;
    const byId = (id: string) => blocks.find((b) => b.block_id === id)!;
    expect(byId(INVITE_BLOCKS.addresses).element.initial_value).toBe('ana@example.org\nben@example.org');
    expect(byId(INVITE_BLOCKS.role).element.initial_option.value).toBe('member');
  });

  it('/team invite by a member: the policy sentence, no modal', async () => {
    const { res, open } = await command('U0CAROL001', 'invite someone@example.org');
    expect(res.json).toEqual({ response_type: 'ephemeral', text: 'Only owners can invite people. You are a member of this team.' });
    expect(open).toBeUndefined();
    expect(h.standin.calls.filter((c) => c.method === 'views.open' && c.args.trigger_id === res.triggerId)).toEqual([]);
  });

  it('inviting 3 addresses: one DM (bob is in the workspace), three emails, one summary in the team channel', async () => {
    const viewId = await openModal();
    const res = await submit(viewId, 'U0ALICE001', { addresses: 'bob@acme.test, x1@example.org\ny1@example.org', message: 'Welcome <!channel>' });
    expect(res.status).toBe(200);
    expect(res.json.response_action).toBe('update');
    expect(validateView(res.json.view, 'modal')).toEqual([]);
    const confirmation = JSON.stringify(res.json.view.blocks);
    expect(confirmation).toContain('Invited 3 people as *Member*');
    for (const email of ['bob@acme.test', 'x1@example.org', 'y1@example.org']) expect(confirmation).toContain(email);

    // Bob's DM, with Accept / Decline carrying his invitation's id; the message is escaped.
    const bob = await dmOf('bob@acme.test');
    const dm = h.standin.getMessage(bob.dm_channel_id, bob.dm_ts)!;
    const buttons = (dm.blocks as Array<Record<string, any>>).find((b) => b.type === 'actions')!.elements;
    expect(buttons.map((b: { action_id: string; value: string }) => [b.action_id, b.value])).toEqual([
      [ACCEPT_INVITATION_ACTION, bob.id],
      [DECLINE_INVITATION_ACTION, bob.id],
    ]);
    expect(JSON.stringify(dm.blocks)).toContain('&lt;!channel&gt;');

    // Three emails, written by the worker's mailer.
    await vi.waitFor(async () => expect(await mailFiles()).toHaveLength(3), { timeout: 10_000, interval: 100 });
    const recipients = await Promise.all((await mailFiles()).map(async (f) => /^To: (.+)$/m.exec(await readFile(path.join(dataDir, 'mail', f), 'utf8'))?.[1]));
    expect(recipients.sort()).toEqual(['bob@acme.test', 'x1@example.org', 'y1@example.org']);

    // The other two DM jobs looked their address up and found nobody: exactly one DM.
    await vi.waitFor(() => expect(h.standin.calls.filter((c) => c.method === 'users.lookupByEmail')).toHaveLength(3), { timeout: 10_000, interval: 50 });
    expect(h.standin.callsTo('chat.postMessage').filter(isDm)).toHaveLength(1);
    expect((await invitationTo('x1@example.org')).dm_ts).toBeNull();

    const summary = await h.standin.waitForCall('chat.postMessage', (c) => c.args.channel === 'C0TEAM0001' && String(c.args.text).includes('invited'), 10_000);
    expect(summary.args.text).toBe(':envelope: <@U0ALICE001> invited 3 people as Member: bob@acme.test, x1@example.org, y1@example.org.');
    expect(h.standin.callsTo('chat.postMessage').filter((c) => c.args.channel === 'C0TEAM0001' && String(c.args.text).includes('invited'))).toHaveLength(1);
  });

  describe('refusals come back inline, under the addresses, and nothing is created', () => {
    let viewId: string;
    let before: number;
    beforeAll(async () => {
      viewId = await openModal();
      before = await invitationCount();
    });
    afterAll(async () => {
      expect(await invitationCount()).toBe(before);
      await t.db.updateTable('organizations').set({ allowed_email_domains: [], daily_invitation_limit: 100 }).where('id', '=', org.id).execute();
    });

    it('invalid address, already a member, already pending: each named with its reason', async () => {
      const res = await submit(viewId, 'U0ALICE001', { addresses: 'not-an-email, carol@acme.test, x1@example.org, new1@example.org' });
      expect(res.status).toBe(200);
      expect(Object.keys(res.json)).toEqual(['response_action', 'errors']);
      expect(res.json.response_action).toBe('errors');
      expect(Object.keys(res.json.errors)).toEqual([ADDRESSES]);
      expect(res.json.errors[ADDRESSES]).toBe(
        [
          'not-an-email is not a valid email address',
          'carol@acme.test is already a member of the team',
          'x1@example.org already has a pending invitation (use Resend in /team pending)',
          'Nothing was sent. Fix or remove these, or tick "Invite the valid addresses even if some are refused".',
        ].join('\n'),
      );
      await expect(t.db.selectFrom('invitations').select('id').where('email', '=', 'new1@example.org').executeTakeFirst()).resolves.toBeUndefined();
    });

    it('a domain outside the allowed ones', async () => {
      await t.db.updateTable('organizations').set({ allowed_email_domains: ['acme.test'] }).where('id', '=', org.id).execute();
      const res = await submit(viewId, 'U0ALICE001', { addresses: 'zed@other.org' });
      expect(res.json).toEqual({
        response_action: 'errors',
        errors: { [ADDRESSES]: 'zed@other.org: the domain other.org is not in the allowed domains (acme.test)\nNothing was sent.' },
      });
      await t.db.updateTable('organizations').set({ allowed_email_domains: [] }).where('id', '=', org.id).execute();
    });

    it('the daily limit', async () => {
      await t.db.updateTable('organizations').set({ daily_invitation_limit: 1 }).where('id', '=', org.id).execute();
      const res = await submit(viewId, 'U0ALICE001', { addresses: 'new2@example.org' });
      expect(res.json.errors[ADDRESSES]).toBe("new2@example.org: the team's daily invitation limit is reached\nNothing was sent.");
      await t.db.updateTable('organizations').set({ daily_invitation_limit: 100 }).where('id', '=', org.id).execute();
    });

    it('too many addresses, or none at all', async () => {
      const many = Array.from({ length: 51 }, (_, i) => `p${i}@example.org`).join('\n');
      expect((await submit(viewId, 'U0ALICE001', { addresses: many })).json.errors[ADDRESSES]).toBe('At most 50 addresses at once (you entered 51).');
      expect((await submit(viewId, 'U0ALICE001', { addresses: ' , ;\n' })).json.errors[ADDRESSES]).toBe('Enter at least one email address.');
    });

    it('an owner demoted while the modal was open is refused at submission, inline', async () => {
      await t.db.updateTable('members').set({ role: 'owner' }).where('email', '=', 'carol@acme.test').execute();
      const carolsView = await openModal('U0CAROL001');
      await t.db.updateTable('members').set({ role: 'member' }).where('email', '=', 'carol@acme.test').execute();
      const res = await submit(carolsView, 'U0CAROL001', { addresses: 'new4@example.org' });
      expect(res.json).toEqual({ response_action: 'errors', errors: { [ADDRESSES]: 'Only owners can invite people. You are a member of this team.' } });
    });

    it('a long list of refusals is cut with "and N more" and stays short', async () => {
      const bad = Array.from({ length: 50 }, (_, i) => `not-an-address-${i}-${'x'.repeat(80)}`).join(' ');
      const text: string = (await submit(viewId, 'U0ALICE001', { addresses: bad })).json.errors[ADDRESSES];
      expect(text.length).toBeLessThanOrEqual(2000);
      expect(text).toMatch(/\nand \d+ more\nNothing was sent\.$/);
    });
  });

  it('"invite the valid ones": the valid address is invited, the confirmation names who was not and why', async () => {
    const viewId = await openModal();
    const res = await submit(viewId, 'U0ALICE001', { addresses: 'bad@@example, new3@example.org', role: 'owner', inviteValidOnes: true });
    expect(res.json.response_action).toBe('update');
    expect(validateView(res.json.view, 'modal')).toEqual([]);
    const text = JSON.stringify(res.json.view.blocks);
    expect(text).toContain('Invited 1 person as *Owner*');
    expect(text).toContain('new3@example.org');
    expect(text).toContain('1 address was not invited');
    expect(text).toContain('bad@@example is not a valid email address');
    expect((await invitationTo('new3@example.org')).role).toBe('owner');
  });

  describe('the Invite people button', () => {
    const message = { ts: '1700000000.000100', text: 'Invite people', blocks: [inviteButtonBlock()] };

    it('opens the modal for an owner', async () => {
      const click = await h.driver.blockActions('U0ALICE001', [{ action_id: OPEN_INVITE_MODAL_ACTION }], { message, channelId: 'C0GENERAL1' });
      expect(click.status).toBe(200);
      const open = await h.standin.waitForCall('views.open', (c) => c.args.trigger_id === click.triggerId);
      expect(validateView(open.args.view, 'modal')).toEqual([]);
      expect((open.args.view as { callback_id: string }).callback_id).toBe(INVITE_MODAL_CALLBACK_ID);
    });

    it('tells a member why not, only to them, and opens nothing', async () => {
      const click = await h.driver.blockActions('U0CAROL001', [{ action_id: OPEN_INVITE_MODAL_ACTION }], { message, channelId: 'C0GENERAL1' });
      const reply = await h.standin.waitForResponseUrlPost(click.responseUrlId);
      expect(reply.body).toMatchObject({ response_type: 'ephemeral', replace_original: false, text: 'Only owners can invite people. You are a member of this team.' });
      expect(h.standin.calls.filter((c) => c.method === 'views.open' && c.args.trigger_id === click.triggerId)).toEqual([]);
    });
  });

  describe('answering the DM', () => {
    it('Accept clicked by someone else (carol on bob’s invitation): ephemeral refusal, nothing changes', async () => {
      const bob = await dmOf('bob@acme.test');
      const click = await h.driver.blockActions('U0CAROL001', [{ action_id: ACCEPT_INVITATION_ACTION }], { channelId: bob.dm_channel_id });
      const reply = await h.standin.waitForResponseUrlPost(click.responseUrlId);
      expect(reply.body).toEqual({
        response_type: 'ephemeral',
        replace_original: false,
        text: 'This invitation is for someone else: only the person whose Slack profile email is the invited address can accept it.',
      });
      expect((await invitationTo('bob@acme.test')).status).toBe('pending');
      await expect(t.db.selectFrom('members').select('id').where('email', '=', 'bob@acme.test').executeTakeFirst()).resolves.toBeUndefined();
      expect(hasActions(h.standin.getMessage(bob.dm_channel_id, bob.dm_ts)!.blocks)).toBe(true);
    });

    it('Accept clicked by bob: member with the role, linked to his Slack id, announced, DM rewritten without buttons', async () => {
      const bob = await dmOf('bob@acme.test');
      const click = await h.driver.blockActions('U0BOB00001', [{ action_id: ACCEPT_INVITATION_ACTION }], { channelId: bob.dm_channel_id });
      expect(click.status).toBe(200);

      // At once, through the response_url…
      const reply = await h.standin.waitForResponseUrlPost(click.responseUrlId);
      expect(reply.body).toMatchObject({ replace_original: true, text: expect.stringContaining('Accepted') });
      expect(hasActions(reply.body.blocks)).toBe(false);

      const member = await t.db.selectFrom('members').selectAll().where('email', '=', 'bob@acme.test').executeTakeFirstOrThrow();
      expect(member).toMatchObject({ status: 'active', role: 'member', slack_user_id: 'U0BOB00001' });
      expect((await invitationTo('bob@acme.test')).status).toBe('accepted');

      const joined = await h.standin.waitForCall('chat.postMessage', (c) => c.args.channel === 'C0TEAM0001' && String(c.args.text).includes('joined'), 10_000);
      expect(joined.args.text).toBe(':tada: <@U0BOB00001> joined as Member, invited by <@U0ALICE001>.');

      // …and by the update-dm job, identically.
      const update = await h.standin.waitForCall('chat.update', (c) => c.args.channel === bob.dm_channel_id && c.args.ts === bob.dm_ts, 10_000);
      expect(update.args.text).toBe(reply.body.text);
      expect(update.args.blocks).toEqual(reply.body.blocks);
      const stored = h.standin.getMessage(bob.dm_channel_id, bob.dm_ts)!;
      expect(stored.text).toContain('Accepted');
      expect(hasActions(stored.blocks)).toBe(false);
    });

    it('a second click on a used invitation: explained, only to the clicker', async () => {
      const bob = await invitationTo('bob@acme.test');
      const click = await h.driver.blockActions('U0BOB00001', [{ action_id: ACCEPT_INVITATION_ACTION, value: bob.id }], { channelId: bob.dm_channel_id! });
      const reply = await h.standin.waitForResponseUrlPost(click.responseUrlId);
      expect(reply.body).toEqual({ response_type: 'ephemeral', replace_original: false, text: 'This invitation was already accepted.' });
    });

    it('Decline: the invitation is declined, the DM rewritten', async () => {
      const viewId = await openModal();
      expect((await submit(viewId, 'U0ALICE001', { addresses: 'dave@acme.test' })).json.response_action).toBe('update');
      const dave = await dmOf('dave@acme.test');
      const click = await h.driver.blockActions('U0DAVE0001', [{ action_id: DECLINE_INVITATION_ACTION }], { channelId: dave.dm_channel_id });
      const reply = await h.standin.waitForResponseUrlPost(click.responseUrlId);
      expect(reply.body).toMatchObject({ replace_original: true, text: expect.stringContaining('You declined this invitation.') });
      const declined = await invitationTo('dave@acme.test');
      expect(declined.status).toBe('declined');
      // The invitee is the actor, not the system: audit event and the activity sentence.
      const event = await t.db.selectFrom('audit_events').selectAll().where('action', '=', 'invitation.declined').where('target_id', '=', declined.id).executeTakeFirstOrThrow();
      expect(event).toMatchObject({ actor_type: 'slack_user', actor_id: 'U0DAVE0001', source: 'slack' });
      expect(auditSentence(event)).toBe('<@U0DAVE0001> declined the invitation.');
      await expect(t.db.selectFrom('members').select('id').where('email', '=', 'dave@acme.test').executeTakeFirst()).resolves.toBeUndefined();
      const update = await h.standin.waitForCall('chat.update', (c) => c.args.channel === dave.dm_channel_id && c.args.ts === dave.dm_ts, 10_000);
      expect(update.args.text).toContain('You declined this invitation.');
      expect(hasActions(h.standin.getMessage(dave.dm_channel_id, dave.dm_ts)!.blocks)).toBe(false);
    });

    it('expired, cancelled or unknown invitations: an ephemeral explanation, nothing changes', async () => {
      const x1 = await invitationTo('x1@example.org');
      await t.db.updateTable('invitations').set({ expires_at: new Date(Date.now() - 1000) }).where('id', '=', x1.id).execute();
      const y1 = await invitationTo('y1@example.org');
      await t.db.updateTable('invitations').set({ status: 'cancelled' }).where('id', '=', y1.id).execute();
      const answer = async (value: string) => {
        const click = await h.driver.blockActions('U0BOB00001', [{ action_id: ACCEPT_INVITATION_ACTION, value }], { message: { ts: '1700000000.000200', text: 'Invitation', blocks: [] }, channelId: 'D0DM000001' });
        return (await h.standin.waitForResponseUrlPost(click.responseUrlId)).body;
      };
      expect(await answer(x1.id)).toEqual({ response_type: 'ephemeral', replace_original: false, text: `This invitation to ${org.name} has expired. Ask an owner to send it again.` });
      expect(await answer(y1.id)).toEqual({ response_type: 'ephemeral', replace_original: false, text: `This invitation to ${org.name} was cancelled.` });
      expect(await answer('not-a-uuid')).toMatchObject({ response_type: 'ephemeral', text: 'This invitation no longer exists. Ask an owner to invite you again.' });
      expect(await answer('00000000-0000-4000-8000-000000000000')).toMatchObject({ response_type: 'ephemeral', text: 'This invitation no longer exists. Ask an owner to invite you again.' });
      expect((await invitationTo('x1@example.org')).status).toBe('pending');
    });
  });
});
