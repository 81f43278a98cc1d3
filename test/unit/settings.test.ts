import { describeSettingsChange } from '../../src/notify/tellings/settings.js';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../support/seed.js';
import { validateView } from '../../src/standin/block-kit-limits.js';
import type { FormValues, ViewStateValue } from '../../src/slack/blocks/kit.js';
import { wire, type Wire } from '../support/block-kit.js';
import {
  diffSettings,
  normaliseDomain,
  parseSettings,
  settingsIssues,
  settingsSchema,
  splitDomainText,
  InvalidSettingsError,
  type Settings,
} from '../../src/team/settings.js';
import {
  readSettingsForm,
  settingsBlockErrors,
  settingsModal,
  settingsRefusedView,
  SETTINGS_INPUTS,
} from '../../src/slack/blocks/settings-modal.js';

const DEFAULTS: Settings = DEFAULT_SETTINGS;

/** A complete form as the modal would submit it, with overrides. */
const form = (over: Record<string, unknown> = {}) => ({
  team_channel_id: 'C0TEAM0001',
  approvals_channel_id: null,
  removal_approval_policy: 'another-owner',
  removal_request_expiry_hours: '72',
  notify_removed_member: true,
  promotion_approval_policy: 'immediate',
  invitation_expiry_days: '7',
  allowed_email_domains: '',
  require_sso: false,
  access_review_cadence: 'weekly',
  inactivity_threshold_days: '90',
  restore_window_days: '30',
  scim_provisioning: 'member',
  slack_deactivation: 'remove',
  slack_auto_invite: false,
  ...over,
});

function issuesOf(input: Record<string, unknown>) {
  const result = settingsSchema.safeParse(input);
  expect(result.success).toBe(false);
  return Object.fromEntries(settingsIssues(result.error!).map((i) => [i.field, i.message]));
}

describe('settings schema', () => {
  it('parses a form: numbers from text, domains split, lower-cased, "@" dropped, deduplicated', () => {
    const parsed = settingsSchema.parse(
      form({ invitation_expiry_days: ' 14 ', allowed_email_domains: 'Acme.com, acme.com\n@example.org; sub.example.co.uk  xn--bcher-kva.example', require_sso: true }),
    );
    expect(parsed).toEqual({
      ...DEFAULTS,
      invitation_expiry_days: 14,
      allowed_email_domains: ['acme.com', 'example.org', 'sub.example.co.uk', 'xn--bcher-kva.example'],
      require_sso: true,
    });
    // Typed values (another surface, or the service) pass too.
    expect(settingsSchema.parse({ ...DEFAULTS, invitation_expiry_days: 30 }).invitation_expiry_days).toBe(30);
  });

  it.each(['0', '31', '45', '7.5', '-3', 'seven', '', null, '1e1'])('refuses invitation expiry %j with the range in words', (value) => {
    expect(issuesOf(form({ invitation_expiry_days: value }))).toEqual({
      invitation_expiry_days: 'Invitation expiry must be a whole number of days from 1 to 30',
    });
  });

  it('accepts the ends of every range and refuses just beyond them', () => {
    for (const [days, threshold, hours] of [['1', '1', '1'], ['30', '3650', '720']]) {
      const parsed = settingsSchema.safeParse(form({ invitation_expiry_days: days, inactivity_threshold_days: threshold, removal_request_expiry_hours: hours }));
      expect(parsed.success).toBe(true);
      expect(parsed.data!.removal_request_expiry_hours).toBe(Number(hours));
    }
    expect(issuesOf(form({ inactivity_threshold_days: '3651' }))).toEqual({
      inactivity_threshold_days: 'Inactivity threshold must be a whole number of days from 1 to 3650',
    });
  });

  it.each(['0', '721', '1000', '24.5', '-1', 'three days', '', null, '7e1'])('refuses removal request expiry %j in hours, with the range in words', (value) => {
    expect(issuesOf(form({ removal_request_expiry_hours: value }))).toEqual({
      removal_request_expiry_hours: 'Removal request expiry must be a whole number of hours from 1 to 720',
    });
  });

  it('reads removal request expiry from text or a number, and notify the removed person as on or off', () => {
    expect(settingsSchema.parse(form({ removal_request_expiry_hours: ' 48 ', notify_removed_member: false }))).toEqual({
      ...DEFAULTS,
      removal_request_expiry_hours: 48,
      notify_removed_member: false,
    });
    expect(settingsSchema.parse({ ...DEFAULTS, removal_request_expiry_hours: 720 }).removal_request_expiry_hours).toBe(720);
    expect(issuesOf(form({ notify_removed_member: 'yes' }))).toEqual({ notify_removed_member: 'Notify the removed person must be on or off' });
  });

  it('names the entry that is not a domain, keeping a mistyped space inside it', () => {
    expect(issuesOf(form({ allowed_email_domains: 'acme.com, exa mple.com' }))).toEqual({
      allowed_email_domains: '"exa mple.com" is not a domain',
    });
    expect(issuesOf(form({ allowed_email_domains: 'localhost, a_b.com, -x.com, ok.com, x..com' }))).toEqual({
      allowed_email_domains: '"localhost", "a_b.com", "-x.com" and 1 more are not domains',
    });
    expect(issuesOf(form({ allowed_email_domains: 'bob@acme.com' })).allowed_email_domains).toBe('"bob@acme.com" is not a domain');
  });

  it('allows at most 50 domains', () => {
    const many = Array.from({ length: 51 }, (_, i) => `d${i}.example.com`).join(', ');
    expect(issuesOf(form({ allowed_email_domains: many }))).toEqual({
      allowed_email_domains: 'At most 50 domains can be allowed (you entered 51)',
    });
    const fifty = Array.from({ length: 50 }, (_, i) => `d${i}.example.com`).join('\n');
    expect(settingsSchema.parse(form({ allowed_email_domains: fifty })).allowed_email_domains).toHaveLength(50);
  });

  it('reports every bad field at once, in form order, one message each', () => {
    expect(Object.keys(issuesOf(form({ removal_approval_policy: 'nobody', access_review_cadence: 'daily', team_channel_id: 'D0DM000001', invitation_expiry_days: '0', removal_request_expiry_hours: '0' })))).toEqual([
      'team_channel_id',
      'removal_approval_policy',
      'removal_request_expiry_hours',
      'invitation_expiry_days',
      'access_review_cadence',
    ]);
  });

  it('splits on spaces only when every word is a domain', () => {
    expect(splitDomainText('a.com b.com, c.com')).toEqual(['a.com', 'b.com', 'c.com']);
    expect(splitDomainText('exa mple.com')).toEqual(['exa mple.com']);
    expect(normaliseDomain(' @ACME.com. ')).toBe('acme.com');
    expect(normaliseDomain('acme')).toBeUndefined();
  });

  it('parseSettings throws one error naming each bad field', () => {
    expect(() => parseSettings({ invitation_expiry_days: 99, allowed_email_domains: ['nope'] })).toThrow(InvalidSettingsError);
    try {
      parseSettings({ invitation_expiry_days: 99 });
    } catch (err) {
      expect((err as InvalidSettingsError).issues).toEqual([
        { field: 'invitation_expiry_days', message: 'Invitation expiry must be a whole number of days from 1 to 30' },
      ]);
      expect((err as InvalidSettingsError).code).toBe('invalid_settings');
    }
  });
});

describe('diffSettings', () => {
  it('keeps only the fields that differ; the same domains in another order are no change', () => {
    const current = { ...DEFAULTS, allowed_email_domains: ['a.com', 'b.com'] };
    expect(diffSettings(current, { ...current, allowed_email_domains: ['b.com', 'a.com'] })).toEqual({ before: {}, after: {} });
    expect(diffSettings(current, { ...current, invitation_expiry_days: 14, require_sso: true })).toEqual({
      before: { invitation_expiry_days: 7, require_sso: false },
      after: { invitation_expiry_days: 14, require_sso: true },
    });
    expect(diffSettings(current, { ...current, removal_request_expiry_hours: 24, notify_removed_member: false })).toEqual({
      before: { removal_request_expiry_hours: 72, notify_removed_member: true },
      after: { removal_request_expiry_hours: 24, notify_removed_member: false },
    });
  });
});

describe('describeSettingsChange', () => {
  it('has one line per changed field, channels as links, domains added and removed', () => {
    const text = describeSettingsChange(
      { ...DEFAULTS, allowed_email_domains: ['old.com', 'keep.com'] },
      {
        team_channel_id: 'C0GENERAL1',
        approvals_channel_id: 'C0APPR0001',
        removal_approval_policy: 'none',
        removal_request_expiry_hours: 24,
        notify_removed_member: false,
        invitation_expiry_days: 14,
        allowed_email_domains: ['keep.com', 'new.com'],
        require_sso: true,
        access_review_cadence: 'monthly',
        inactivity_threshold_days: 30,
      },
    );
    expect(text.split('\n')).toEqual([
      '• Team channel: <#C0TEAM0001> → <#C0GENERAL1> (team updates are posted there from now on)',
      '• Approvals channel: _none_ → <#C0APPR0001>',
      "• Removal approval: another owner must approve → no approval (the requester's confirmation is enough)",
      '• Removal requests expire after: 72 → 24 hours (requests already waiting keep their expiry)',
      '• Notify the removed person: on → off (removed people are no longer sent a DM)',
      '• Invitations expire after: 7 → 14 days',
      '• Allowed email domains: added `new.com`; removed `old.com`',
      '• Require SSO: off → on (invitations can be accepted only inside Slack)',
      '• Access review: weekly → monthly',
      '• Inactive after: 90 → 30 days without a sign-in',
    ]);
  });

  it('says nothing about unchanged fields, and says when any domain is allowed again', () => {
    expect(describeSettingsChange({ allowed_email_domains: ['a.com'] }, { allowed_email_domains: [] })).toBe(
      '• Allowed email domains: removed `a.com`; any domain may be invited now',
    );
  });

  it('says what a Slack deactivation does now, and what turning auto-invite on does', () => {
    expect(describeSettingsChange({ slack_deactivation: 'remove', slack_auto_invite: false }, { slack_deactivation: 'ask', slack_auto_invite: true }).split('\n')).toEqual([
      '• When someone is deactivated in Slack: remove them → ask the owners',
      '• Invite new workspace members automatically: off → on (people who join the Slack workspace at an allowed email domain are invited as Members)',
    ]);
    expect(describeSettingsChange({ slack_deactivation: 'ask', slack_auto_invite: true }, { slack_deactivation: 'ignore', slack_auto_invite: false })).toBe(
      '• When someone is deactivated in Slack: ask the owners → do nothing\n• Invite new workspace members automatically: on → off',
    );
  });

  it('says what turning the removed person\'s DM back on does', () => {
    expect(describeSettingsChange({ notify_removed_member: false }, { notify_removed_member: true })).toBe(
      '• Notify the removed person: off → on (removed people get a DM saying their access has ended)',
    );
    expect(describeSettingsChange({ removal_request_expiry_hours: 72 }, { removal_request_expiry_hours: 720 })).toBe(
      '• Removal requests expire after: 72 → 720 hours (requests already waiting keep their expiry)',
    );
  });

  it('escapes text so a stored value cannot ping or link', () => {
    const text = describeSettingsChange({ allowed_email_domains: [] }, { allowed_email_domains: ['<!channel>', 'a&b'] });
    expect(text).toContain('`&lt;!channel&gt;`');
    expect(text).toContain('`a&amp;b`');
    expect(text).not.toContain('<!channel>');
  });
});

describe('settings modal', () => {
  const org = (over: Partial<Settings> = {}) => ({ name: 'Acme', ...DEFAULTS, ...over });
  const inputOf = (view: ReturnType<typeof settingsModal>, key: keyof typeof SETTINGS_INPUTS): Wire =>
    wire(view).blocks.find((b: Wire) => b.block_id === SETTINGS_INPUTS[key].blockId);

  it('is a modal Slack accepts, with every initial value from the row', () => {
    const view = settingsModal(
      org({ approvals_channel_id: 'C0APPR0001', allowed_email_domains: ['acme.com', 'acme.io'], require_sso: true, access_review_cadence: 'monthly', removal_approval_policy: 'none', removal_request_expiry_hours: 48 }),
    );
    expect(validateView(view, 'modal')).toEqual([]);
    expect(view).toMatchObject({ callback_id: 'team.settings', title: { text: 'Team settings' }, submit: { text: 'Save' } });
    expect(view).not.toHaveProperty('private_metadata');
    expect(inputOf(view, 'team_channel_id').element).toMatchObject({ type: 'conversations_select', initial_conversation: 'C0TEAM0001' });
    expect(inputOf(view, 'approvals_channel_id').element.initial_conversation).toBe('C0APPR0001');
    expect(inputOf(view, 'removal_approval_policy').element.initial_option.value).toBe('none');
    expect(inputOf(view, 'promotion_approval_policy').element).toMatchObject({ type: 'radio_buttons', initial_option: { value: 'immediate' } });
    expect(inputOf(view, 'removal_request_expiry_hours').element).toMatchObject({ type: 'number_input', is_decimal_allowed: false, initial_value: '48', min_value: '1', max_value: '720' });
    expect(inputOf(view, 'notify_removed_member').element).toMatchObject({ type: 'checkboxes', initial_options: [{ value: 'on', text: { text: 'DM the removed person that their access has ended' } }] });
    // The removal settings sit together: policy, then how long requests wait, then the DM.
    const order = view.blocks.map((b) => b.block_id).filter(Boolean);
    expect(order.slice(order.indexOf('settings.removal_approval'), order.indexOf('settings.removal_approval') + 3)).toEqual([
      'settings.removal_approval',
      'settings.removal_expiry',
      'settings.notify_removed',
    ]);
    expect(inputOf(view, 'invitation_expiry_days').element).toMatchObject({ type: 'number_input', is_decimal_allowed: false, initial_value: '7', min_value: '1', max_value: '30' });
    expect(inputOf(view, 'allowed_email_domains').element.initial_value).toBe('acme.com, acme.io');
    expect(inputOf(view, 'require_sso').element.initial_options).toHaveLength(1);
    expect(inputOf(view, 'access_review_cadence').element.initial_option.value).toBe('monthly');
    expect(inputOf(view, 'inactivity_threshold_days').element).toMatchObject({ initial_value: '90', max_value: '3650' });
  });

  it('shows the Slack directory settings: what a deactivation does (three choices) and auto-invite as a checkbox', () => {
    const view = settingsModal(org({ slack_deactivation: 'ask', slack_auto_invite: true }));
    expect(validateView(view, 'modal')).toEqual([]);
    const deactivation = inputOf(view, 'slack_deactivation');
    expect(deactivation.label.text).toBe('When someone is deactivated in Slack');
    expect(deactivation.element).toMatchObject({ type: 'radio_buttons', initial_option: { value: 'ask' } });
    expect(deactivation.element.options.map((o: Wire) => [o.value, o.text.text])).toEqual([
      ['remove', 'Remove them'],
      ['ask', 'Ask the owners'],
      ['ignore', 'Do nothing'],
    ]);
    const autoInvite = inputOf(view, 'slack_auto_invite');
    expect(autoInvite.label.text).toBe('Invite new workspace members automatically');
    expect(autoInvite.element).toMatchObject({ type: 'checkboxes', initial_options: [{ value: 'on' }] });
    expect(inputOf(settingsModal(org()), 'slack_auto_invite').element).not.toHaveProperty('initial_options');
    expect(readSettingsForm({ 'settings.slack_auto_invite': { slack_auto_invite: { type: 'checkboxes', selected_options: [] } } })).toEqual({ slack_auto_invite: false });
  });

  it('a deactivation choice it does not know comes back under its own input', () => {
    const result = settingsSchema.partial().safeParse(
      readSettingsForm({ 'settings.slack_deactivation': { slack_deactivation: { type: 'radio_buttons', selected_option: { text: { type: 'plain_text', text: 'x' }, value: 'archive' } } } }),
    );
    expect(result.success).toBe(false);
    expect(settingsBlockErrors(settingsIssues(result.error!))).toEqual({ 'settings.slack_deactivation': 'Choose what happens when someone is deactivated in Slack' });
  });

  it('leaves out initial values that are unset, and stays within limits at the largest values', () => {
    const bare = settingsModal(org({ team_channel_id: null, notify_removed_member: false }));
    expect(validateView(bare, 'modal')).toEqual([]);
    expect(inputOf(bare, 'team_channel_id').element).not.toHaveProperty('initial_conversation');
    expect(inputOf(bare, 'require_sso').element).not.toHaveProperty('initial_options');
    expect(inputOf(bare, 'notify_removed_member').element).not.toHaveProperty('initial_options');
    expect(inputOf(bare, 'allowed_email_domains').element).not.toHaveProperty('initial_value');

    // 50 domains as long as the schema lets the list be, and a 3,000-character team name.
    const domains = Array.from({ length: 50 }, (_, i) => `${String(i).padStart(2, '0')}-${'d'.repeat(50)}.com`);
    const parsed = settingsSchema.parse(form({ allowed_email_domains: domains.join(',') }));
    const big = settingsModal({ ...org(), name: '&'.repeat(3000), allowed_email_domains: parsed.allowed_email_domains });
    expect(validateView(big, 'modal')).toEqual([]);
    expect((inputOf(big, 'allowed_email_domains').element.initial_value as string).length).toBeLessThanOrEqual(3000);
    expect(validateView(settingsRefusedView('x'.repeat(5000)), 'modal')).toEqual([]);
  });

  it.each([
    { notify_removed_member: true, removal_request_expiry_hours: 72 },
    { notify_removed_member: false, removal_request_expiry_hours: 1 },
  ])('reads back what it shows: the initial values submitted unchanged parse to the same settings (%j)', (removal) => {
    const current = { ...DEFAULTS, approvals_channel_id: 'C0APPR0001', allowed_email_domains: ['acme.com'], require_sso: true, ...removal };
    current.slack_auto_invite = removal.notify_removed_member;
    current.slack_deactivation = removal.notify_removed_member ? 'ask' : 'ignore';
    const view = settingsModal({ name: 'Acme', ...current });
    const values: FormValues = {};
    for (const block of wire(view).blocks) {
      if (block.type !== 'input') continue;
      const el = block.element;
      // What Slack sends back for each element type when nothing is touched.
      const state: ViewStateValue = {
        conversations_select: { type: el.type, selected_conversation: el.initial_conversation ?? null },
        radio_buttons: { type: el.type, selected_option: el.initial_option ?? null },
        static_select: { type: el.type, selected_option: el.initial_option ?? null },
        checkboxes: { type: el.type, selected_options: el.initial_options ?? [] },
        number_input: { type: el.type, value: el.initial_value ?? null },
        plain_text_input: { type: el.type, value: el.initial_value ?? null },
      }[el.type as string]!;
      values[block.block_id] = { [el.action_id]: state };
    }
    expect(settingsSchema.parse(readSettingsForm(values))).toEqual(current);
  });

  it('leaves out fields whose block is absent, and maps each problem to its block', () => {
    expect(readSettingsForm({})).toEqual({});
    expect(settingsBlockErrors([{ field: 'invitation_expiry_days', message: 'bad' }])).toEqual({ 'settings.invitation_expiry': 'bad' });
    expect(settingsBlockErrors([{ field: 'removal_request_expiry_hours', message: 'too long' }])).toEqual({ 'settings.removal_expiry': 'too long' });
    expect(
      readSettingsForm({
        'settings.removal_expiry': { removal_expiry: { type: 'number_input', value: '24' } },
        'settings.notify_removed': { notify_removed: { type: 'checkboxes', selected_options: [] } },
      }),
    ).toEqual({
      removal_request_expiry_hours: '24',
      notify_removed_member: false,
    });
  });

  it('shows an out-of-range expiry under its own input', () => {
    const result = settingsSchema.partial().safeParse(readSettingsForm({ 'settings.removal_expiry': { removal_expiry: { type: 'number_input', value: '721' } } }));
    expect(result.success).toBe(false);
    expect(settingsBlockErrors(settingsIssues(result.error!))).toEqual({
      'settings.removal_expiry': 'Removal request expiry must be a whole number of hours from 1 to 720',
    });
  });
});
