import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Organization } from '../../src/db/schema.js';
import { ensureOwner } from '../../src/team/members.js';
import { insertMember } from '../../src/team/member-repository.js';
import { findOrganizationById, findOrganizationBySlackTeam } from '../../src/team/organization-repository.js';
import type { SettingKey } from '../../src/team/settings.js';
import { SETTINGS_INPUTS } from '../../src/slack/blocks/settings-modal.js';
import { useTestDatabase } from '../support/database.js';
import { startTestApp, type TestApp } from '../support/app.js';

/**
 * `/team settings` through signed HTTP into the real app: the modal opened with the command's
 * trigger_id, inline errors in the view_submission's HTTP answer, the saved change audited and
 * announced in the team channel by the worker, refusals for members and for a demoted owner.
 */
describe('team settings over signed HTTP', () => {
  const t = useTestDatabase();
  let h: TestApp;
  let org: Organization;
  const cli = { type: 'cli' as const, id: 'test' };

  beforeAll(async () => {
    h = await startTestApp({ databaseUrl: t.url });
    org = (await findOrganizationBySlackTeam(t.db, h.standin.teamId))!;
    // Alice and carol are owners, linked by the app through their Slack profile email; bob is a linked member.
    await ensureOwner(t.db, { organizationId: org.id, email: 'alice@acme.test', actor: cli, source: 'cli' });
    await ensureOwner(t.db, { organizationId: org.id, email: 'carol@acme.test', actor: cli, source: 'cli' });
    await insertMember(t.db, { organizationId: org.id, email: 'bob@acme.test', role: 'member', slackUserId: 'U0BOB00001' });
  });
  afterAll(async () => h?.stop());

  /** Slack's view state for a form: one `{ block_id: { action_id: value } }` entry per input. */
  function stateOf(form: {
    team: string | null;
    approvals: string | null;
    policy: string;
    removalHours: string;
    notifyRemoved: boolean;
    expiry: string;
    domains: string;
    sso: boolean;
    cadence: string;
    threshold: string;
    deactivation?: string;
    autoInvite?: boolean;
  }): Record<string, Record<string, unknown>> {
    const entry = (key: SettingKey, value: Record<string, unknown>) => ({ [SETTINGS_INPUTS[key].blockId]: { [SETTINGS_INPUTS[key].actionId]: value } });
    const option = (value: string) => ({ text: { type: 'plain_text', text: value }, value });
    return {
      ...entry('team_channel_id', { type: 'conversations_select', selected_conversation: form.team }),
      ...entry('approvals_channel_id', { type: 'conversations_select', selected_conversation: form.approvals }),
      ...entry('removal_approval_policy', { type: 'radio_buttons', selected_option: option(form.policy) }),
      ...entry('removal_request_expiry_hours', { type: 'number_input', value: form.removalHours }),
      ...entry('notify_removed_member', { type: 'checkboxes', selected_options: form.notifyRemoved ? [option('on')] : [] }),
      ...entry('invitation_expiry_days', { type: 'number_input', value: form.expiry }),
      ...entry('allowed_email_domains', { type: 'plain_text_input', value: form.domains === '' ? null : form.domains }),
      ...entry('require_sso', { type: 'checkboxes', selected_options: form.sso ? [option('on')] : [] }),
      ...entry('access_review_cadence', { type: 'static_select', selected_option: option(form.cadence) }),
      ...entry('inactivity_threshold_days', { type: 'number_input', value: form.threshold }),
      ...(form.deactivation === undefined ? {} : entry('slack_deactivation', { type: 'radio_buttons', selected_option: option(form.deactivation) })),
      ...(form.autoInvite === undefined ? {} : entry('slack_auto_invite', { type: 'checkboxes', selected_options: form.autoInvite ? [option('on')] : [] })),
    };
  }

  const unchanged = {
    team: 'C0TEAM0001',
    approvals: null,
    policy: 'another-owner',
    removalHours: '72',
    notifyRemoved: true,
    expiry: '7',
    domains: '',
    sso: false,
    cadence: 'weekly',
    threshold: '90',
  };
  const changed = { ...unchanged, team: 'C0GENERAL1', removalHours: '48', notifyRemoved: false, expiry: '14', domains: 'Acme.test, example.org', sso: true, cadence: 'monthly' };

  /** `/team settings` as this user; the views.open it caused (with the view Slack stored). */
  async function openSettings(userId: string) {
    const res = await h.driver.command(userId, '/team', 'settings');
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    const open = await h.standin.waitForCall('views.open', (c) => c.args.trigger_id === res.triggerId);
    return { args: open.args as { view: Record<string, any> }, viewId: (open.response.view as { id: string }).id };
  }

  const settingsEvents = () =>
    t.db.selectFrom('audit_events').selectAll().where('organization_id', '=', org.id).where('action', '=', 'settings.changed').execute();

  it('a member gets the policy sentence and no modal; the help marks settings for owners', async () => {
    const res = await h.driver.command('U0BOB00001', '/team', 'settings');
    expect(res.json).toEqual({ response_type: 'ephemeral', text: 'Only owners can change the team settings. You are a member of this team.' });
    expect(h.standin.calls.filter((c) => c.method === 'views.open' && c.args.trigger_id === res.triggerId)).toEqual([]);
    const help = await h.driver.command('U0BOB00001', '/team', 'help');
    expect(JSON.stringify(help.json.blocks)).toContain('/team settings`: team channel');
  });

  it("an owner's /team settings opens the modal with the command's trigger_id and the current values", async () => {
    const { args } = await openSettings('U0ALICE001');
    const view = args.view;
    expect(view).toMatchObject({ type: 'modal', callback_id: 'team.settings', title: { text: 'Team settings' } });
    const element = (key: SettingKey) => view.blocks.find((b: any) => b.block_id === SETTINGS_INPUTS[key].blockId).element;
    expect(element('team_channel_id')).toMatchObject({ type: 'conversations_select', initial_conversation: 'C0TEAM0001' });
    expect(element('approvals_channel_id')).not.toHaveProperty('initial_conversation');
    expect(element('removal_approval_policy').initial_option.value).toBe('another-owner');
    expect(element('removal_request_expiry_hours')).toMatchObject({ type: 'number_input', initial_value: '72', min_value: '1', max_value: '720' });
    expect(element('notify_removed_member')).toMatchObject({ type: 'checkboxes', initial_options: [{ value: 'on' }] });
    expect(element('invitation_expiry_days')).toMatchObject({ type: 'number_input', initial_value: '7' });
    expect(element('access_review_cadence').initial_option.value).toBe('weekly');
    expect(element('inactivity_threshold_days').initial_value).toBe('90');
  });

  it('invalid values come back as inline errors in the HTTP answer, naming each field; nothing is saved', async () => {
    const { viewId } = await openSettings('U0ALICE001');
    const before = await findOrganizationById(t.db, org.id);
    const res = await h.driver.viewSubmission('U0ALICE001', {
      id: viewId,
      callback_id: 'team.settings',
      values: stateOf({ ...unchanged, expiry: '45', domains: 'acme.test, exa mple.com' }),
    });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      response_action: 'errors',
      errors: {
        'settings.invitation_expiry': 'Invitation expiry must be a whole number of days from 1 to 30',
        'settings.allowed_domains': '"exa mple.com" is not a domain',
      },
    });
    expect(await findOrganizationById(t.db, org.id)).toEqual(before);
    expect(await settingsEvents()).toEqual([]);
  });

  it.each(['0', '721', '36.5'])('removal request expiry %s comes back as an inline error on its own input; nothing is saved', async (hours) => {
    const { viewId } = await openSettings('U0ALICE001');
    const before = await findOrganizationById(t.db, org.id);
    const res = await h.driver.viewSubmission('U0ALICE001', {
      id: viewId,
      callback_id: 'team.settings',
      values: stateOf({ ...unchanged, removalHours: hours, notifyRemoved: false }),
    });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      response_action: 'errors',
      errors: { 'settings.removal_expiry': 'Removal request expiry must be a whole number of hours from 1 to 720' },
    });
    expect(await findOrganizationById(t.db, org.id)).toEqual(before);
    expect(await settingsEvents()).toEqual([]);
  });

  it('a valid submission closes the modal, saves, audits once and posts the summary to the new team channel', async () => {
    const alice = await t.db.selectFrom('members').selectAll().where('organization_id', '=', org.id).where('email', '=', 'alice@acme.test').executeTakeFirstOrThrow();
    const { viewId } = await openSettings('U0ALICE001');
    const res = await h.driver.viewSubmission('U0ALICE001', { id: viewId, callback_id: 'team.settings', values: stateOf(changed) });
    expect(res.status).toBe(200);
    expect(res.text).toBe('');

    expect(await findOrganizationById(t.db, org.id)).toMatchObject({
      team_channel_id: 'C0GENERAL1',
      invitation_expiry_days: 14,
      allowed_email_domains: ['acme.test', 'example.org'],
      require_sso: true,
      access_review_cadence: 'monthly',
      approvals_channel_id: null,
      inactivity_threshold_days: 90,
      removal_request_expiry_hours: 48,
      notify_removed_member: false,
    });
    const events = await settingsEvents();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      actor_type: 'member',
      actor_id: alice.id,
      target_type: 'organization',
      target_id: org.id,
      source: 'slack',
    });
    // Exactly the changed fields, no more.
    expect(events[0]!.before).toEqual({
      team_channel_id: 'C0TEAM0001',
      removal_request_expiry_hours: 72,
      notify_removed_member: true,
      invitation_expiry_days: 7,
      allowed_email_domains: [],
      require_sso: false,
      access_review_cadence: 'weekly',
    });
    expect(events[0]!.after).toEqual({
      team_channel_id: 'C0GENERAL1',
      removal_request_expiry_hours: 48,
      notify_removed_member: false,
      invitation_expiry_days: 14,
      allowed_email_domains: ['acme.test', 'example.org'],
      require_sso: true,
      access_review_cadence: 'monthly',
    });

    const post = await h.standin.waitForCall('chat.postMessage', (c) => c.args.channel === 'C0GENERAL1' && String(c.args.text).includes('changed the team settings'));
    expect(String(post.args.text)).toBe(
      [
        ':gear: <@U0ALICE001> changed the team settings:',
        '• Team channel: <#C0TEAM0001> → <#C0GENERAL1> (team updates are posted there from now on)',
        '• Removal requests expire after: 72 → 48 hours (requests already waiting keep their expiry)',
        '• Notify the removed person: on → off (removed people are no longer sent a DM)',
        '• Invitations expire after: 7 → 14 days',
        '• Allowed email domains: added `acme.test`, `example.org`',
        '• Require SSO: off → on (invitations can be accepted only inside Slack)',
        '• Access review: weekly → monthly',
      ].join('\n'),
    );
  });

  it('saving the same values closes the modal and says "Nothing changed", without an audit event', async () => {
    const { viewId } = await openSettings('U0ALICE001');
    const res = await h.driver.viewSubmission('U0ALICE001', { id: viewId, callback_id: 'team.settings', values: stateOf({ ...changed, domains: 'example.org acme.test' }) });
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    const dm = await h.standin.waitForCall('chat.postMessage', (c) => c.args.channel === 'U0ALICE001' && String(c.args.text).startsWith('Nothing changed'));
    expect(dm.args.text).toBe('Nothing changed: the team settings already had those values.');
    expect(await settingsEvents()).toHaveLength(1);
  });

  it('an owner demoted while the modal was open is refused with a clear message, and nothing is saved', async () => {
    const { viewId } = await openSettings('U0CAROL001');
    const demoted = await h.driver.command('U0ALICE001', '/team', 'role <@U0CAROL001> member');
    expect(demoted.json.text).toContain('is now a Member');
    const before = await findOrganizationById(t.db, org.id);

    const res = await h.driver.viewSubmission('U0CAROL001', { id: viewId, callback_id: 'team.settings', values: stateOf({ ...changed, expiry: '3' }) });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ response_action: 'update', view: { type: 'modal', title: { text: 'Team settings' } } });
    expect(res.json.view.blocks[0].text.text).toBe('Only owners can change the team settings. You are a member of this team. Nothing was changed.');
    expect(await findOrganizationById(t.db, org.id)).toEqual(before);
    expect(await settingsEvents()).toHaveLength(1);
  });

  it('the Slack directory settings: shown as stored, an unknown choice refused inline, a save audited and announced', async () => {
    const { args, viewId } = await openSettings('U0ALICE001');
    const element = (key: SettingKey) => args.view.blocks.find((b: any) => b.block_id === SETTINGS_INPUTS[key].blockId).element;
    expect(element('slack_deactivation')).toMatchObject({ type: 'radio_buttons', initial_option: { value: 'remove' } });
    expect(element('slack_auto_invite')).toMatchObject({ type: 'checkboxes' });
    expect(element('slack_auto_invite')).not.toHaveProperty('initial_options');

    const current = { ...changed, deactivation: 'remove', autoInvite: false };
    const before = await findOrganizationById(t.db, org.id);
    const refused = await h.driver.viewSubmission('U0ALICE001', { id: viewId, callback_id: 'team.settings', values: stateOf({ ...current, deactivation: 'archive' }) });
    expect(refused.json).toEqual({ response_action: 'errors', errors: { 'settings.slack_deactivation': 'Choose what happens when someone is deactivated in Slack' } });
    expect(await findOrganizationById(t.db, org.id)).toEqual(before);

    const res = await h.driver.viewSubmission('U0ALICE001', { id: viewId, callback_id: 'team.settings', values: stateOf({ ...current, deactivation: 'ask', autoInvite: true }) });
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    expect(await findOrganizationById(t.db, org.id)).toMatchObject({ slack_deactivation: 'ask', slack_auto_invite: true });
    const events = await settingsEvents();
    expect(events).toHaveLength(2);
    const last = events.find((e) => (e.after as Record<string, unknown>).slack_deactivation !== undefined)!;
    expect(last).toMatchObject({ before: { slack_deactivation: 'remove', slack_auto_invite: false }, after: { slack_deactivation: 'ask', slack_auto_invite: true }, source: 'slack' });
    const post = await h.standin.waitForCall('chat.postMessage', (c) => c.args.channel === 'C0GENERAL1' && String(c.args.text).includes('deactivated in Slack'));
    expect(String(post.args.text)).toBe(
      [
        ':gear: <@U0ALICE001> changed the team settings:',
        '• When someone is deactivated in Slack: remove them → ask the owners',
        '• Invite new workspace members automatically: off → on (people who join the Slack workspace at an allowed email domain are invited as Members)',
      ].join('\n'),
    );
  });

  it('logged no errors along the way', () => {
    expect(h.logs.lines().filter((l) => Number(l.level) >= 50)).toEqual([]);
  });
});
