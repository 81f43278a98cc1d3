import type { Organization } from '../../db/schema.js';
import {
  ACCESS_REVIEW_CADENCES,
  INACTIVITY_THRESHOLD_DAYS,
  RESTORE_WINDOW_DAYS,
  INVITATION_EXPIRY_DAYS,
  MAX_ALLOWED_DOMAINS,
  MAX_DOMAINS_TEXT,
  REMOVAL_REQUEST_EXPIRY_HOURS,
  SCIM_PROVISIONING_MODES,
  SLACK_DEACTIVATION_MODES,
  type SettingKey,
  type Settings,
  type SettingsInput,
  type SettingsIssue,
} from '../../team/settings.js';
import { escapeMrkdwn } from '../mrkdwn.js';
import {
  clip,
  option,
  plain,
  plainSection,
  section,
  type Checkboxes,
  type ConversationsSelect,
  type FormValues,
  type InputBlock,
  type ModalView,
  type NumberInput,
  type PlainTextInput,
  type PlainTextOption,
  type RadioButtons,
  type StaticSelect,
  type ViewStateValue,
} from './kit.js';

/**
 * The `/team settings` modal: built from the organization row (every initial value is what the
 * database holds) and read back from the submitted state. Pure; test/unit/settings.test.ts
 * checks it against Slack's limits. Nothing in it is trusted for who may save: the
 * organization comes from the request's workspace and the actor from the database.
 */

export const SETTINGS_CALLBACK_ID = 'team.settings';

/** One input block per setting; block_id is also where Slack shows that field's error. */
export const SETTINGS_INPUTS: Readonly<Record<SettingKey, { blockId: string; actionId: string }>> = {
  team_channel_id: { blockId: 'settings.team_channel', actionId: 'team_channel' },
  approvals_channel_id: { blockId: 'settings.approvals_channel', actionId: 'approvals_channel' },
  removal_approval_policy: { blockId: 'settings.removal_approval', actionId: 'removal_approval' },
  promotion_approval_policy: { blockId: 'settings.promotion_approval', actionId: 'promotion_approval' },
  removal_request_expiry_hours: { blockId: 'settings.removal_expiry', actionId: 'removal_expiry' },
  notify_removed_member: { blockId: 'settings.notify_removed', actionId: 'notify_removed' },
  invitation_expiry_days: { blockId: 'settings.invitation_expiry', actionId: 'invitation_expiry' },
  allowed_email_domains: { blockId: 'settings.allowed_domains', actionId: 'allowed_domains' },
  require_sso: { blockId: 'settings.require_sso', actionId: 'require_sso' },
  access_review_cadence: { blockId: 'settings.access_review', actionId: 'access_review' },
  inactivity_threshold_days: { blockId: 'settings.inactivity', actionId: 'inactivity' },
  restore_window_days: { blockId: 'settings.restore_window', actionId: 'restore_window' },
  scim_provisioning: { blockId: 'settings.scim_provisioning', actionId: 'scim_provisioning' },
  slack_deactivation: { blockId: 'settings.slack_deactivation', actionId: 'slack_deactivation' },
  slack_auto_invite: { blockId: 'settings.slack_auto_invite', actionId: 'slack_auto_invite' },
};

const SSO_ON = 'on';
const NOTIFY_REMOVED_ON = 'on';
const AUTO_INVITE_ON = 'on';

const POLICY_OPTIONS: Record<Settings['removal_approval_policy'], PlainTextOption> = {
  'another-owner': option('another-owner', 'Another owner must approve', 'A card with Approve / Reject goes to the approvals channel'),
  none: option('none', 'No approval', "The requester's confirmation is enough"),
};

const PROMOTION_OPTIONS: Record<Settings['promotion_approval_policy'], PlainTextOption> = {
  'another-owner': option('another-owner', 'Another owner must approve', 'A promotion waits for a second owner, like a removal'),
  immediate: option('immediate', 'At once', 'Any owner can make someone an owner'),
};

const CADENCE_OPTIONS: Record<Settings['access_review_cadence'], PlainTextOption> = {
  off: option('off', 'Off'),
  weekly: option('weekly', 'Weekly'),
  monthly: option('monthly', 'Monthly'),
};

const SCIM_OPTIONS: Record<Settings['scim_provisioning'], PlainTextOption> = {
  member: option('member', 'Add them as a member', 'Your identity provider has already decided who gets access'),
  invite: option('invite', 'Send them an invitation', 'They join when they accept, as with any invitation'),
};

const DEACTIVATION_OPTIONS: Record<Settings['slack_deactivation'], PlainTextOption> = {
  remove: option('remove', 'Remove them', 'Their access ends at once, announced in the team channel'),
  ask: option('ask', 'Ask the owners', 'A card with Keep / Remove goes to the approvals channel'),
  ignore: option('ignore', 'Do nothing', 'It is only noted in the audit log'),
};

const AUTO_INVITE_OPTION = option(AUTO_INVITE_ON, 'Invite people who join the Slack workspace, as Members', 'Only addresses at the allowed email domains above');

const SSO_OPTION = option(SSO_ON, 'Invitations can be accepted only inside Slack', "Never by email link alone: Slack's sign-in is your SSO");

const NOTIFY_REMOVED_OPTION = option(NOTIFY_REMOVED_ON, 'DM the removed person that their access has ended', 'It names who removed them, and who approved');

/** One setting's input block: its block and action ids come from SETTINGS_INPUTS. */
function input(key: SettingKey, label: string, element: (actionId: string) => InputBlock['element'], extra: { hint?: string; optional?: boolean } = {}): InputBlock {
  const ids = SETTINGS_INPUTS[key];
  return {
    type: 'input',
    block_id: ids.blockId,
    label: plain(label),
    optional: extra.optional ?? false,
    element: element(ids.actionId),
    ...(extra.hint ? { hint: plain(extra.hint) } : {}),
  };
}

function channelSelect(current: string | null): (actionId: string) => ConversationsSelect {
  return (actionId) => ({
    type: 'conversations_select',
    action_id: actionId,
    placeholder: plain('Choose a channel'),
    filter: { include: ['public', 'private'], exclude_bot_users: true },
    ...(current ? { initial_conversation: current } : {}),
  });
}

/**
 * A whole number in a range (days or hours). Slack's `is_decimal_allowed` is required; false
 * makes Slack refuse decimals in the field itself. It sends the number back as a string in
 * `value`, which the settings schema parses and range-checks: it has the last word.
 */
function wholeNumberInput(current: number, range: { min: number; max: number }): (actionId: string) => NumberInput {
  return (actionId) => ({
    type: 'number_input',
    action_id: actionId,
    is_decimal_allowed: false,
    min_value: String(range.min),
    max_value: String(range.max),
    initial_value: String(current),
  });
}

function checkbox(choice: PlainTextOption, checked: boolean): (actionId: string) => Checkboxes {
  return (actionId) => ({ type: 'checkboxes', action_id: actionId, options: [choice], ...(checked ? { initial_options: [choice] } : {}) });
}

/** One choice of several, the current one selected. */
function radios(choices: PlainTextOption[], current: PlainTextOption): (actionId: string) => RadioButtons {
  return (actionId) => ({ type: 'radio_buttons', action_id: actionId, options: choices, initial_option: current });
}

/** The modal as the organization's settings are now. */
export function settingsModal(organization: Pick<Organization, 'name'> & Settings): ModalView {
  const s = organization;
  return {
    type: 'modal',
    callback_id: SETTINGS_CALLBACK_ID,
    title: plain('Team settings'),
    submit: plain('Save'),
    close: plain('Cancel'),
    blocks: [
      section(
        `Settings of *${escapeMrkdwn(clip(organization.name, 200))}*'s team. ` +
          'Saved changes are announced in the team channel and kept in the audit log.',
      ),
      input('team_channel_id', 'Team channel', channelSelect(s.team_channel_id), {
        optional: true,
        hint: 'Joins, removals, role and settings changes are posted here. For a private channel, invite Team Manager to it first.',
      }),
      input('approvals_channel_id', 'Approvals channel', channelSelect(s.approvals_channel_id), {
        optional: true,
        hint: "Removal requests that need another owner's approval are posted here.",
      }),
      input('removal_approval_policy', 'Removal approval', radios([POLICY_OPTIONS['another-owner'], POLICY_OPTIONS.none], POLICY_OPTIONS[s.removal_approval_policy])),
      input(
        'removal_request_expiry_hours',
        'Removal requests expire after (hours)',
        wholeNumberInput(s.removal_request_expiry_hours, REMOVAL_REQUEST_EXPIRY_HOURS),
        {
          hint:
            `A request nobody approves or rejects in time expires and the member stays. ` +
            `From ${REMOVAL_REQUEST_EXPIRY_HOURS.min} to ${REMOVAL_REQUEST_EXPIRY_HOURS.max} hours; ${REMOVAL_REQUEST_EXPIRY_HOURS.default} by default.`,
        },
      ),
      input('notify_removed_member', 'Notify the removed person', checkbox(NOTIFY_REMOVED_OPTION, s.notify_removed_member), { optional: true }),
      input(
        'promotion_approval_policy',
        'Promotion to owner',
        radios([PROMOTION_OPTIONS['another-owner'], PROMOTION_OPTIONS.immediate], PROMOTION_OPTIONS[s.promotion_approval_policy]),
        { hint: 'Also applies to extending a temporary owner. A team with a single owner always promotes at once: nobody else could approve.' },
      ),
      input('invitation_expiry_days', 'Invitations expire after (days)', wholeNumberInput(s.invitation_expiry_days, INVITATION_EXPIRY_DAYS), {
        hint: `From ${INVITATION_EXPIRY_DAYS.min} to ${INVITATION_EXPIRY_DAYS.max} days; ${INVITATION_EXPIRY_DAYS.default} by default.`,
      }),
      input(
        'allowed_email_domains',
        'Allowed email domains',
        (actionId): PlainTextInput => ({
          type: 'plain_text_input',
          action_id: actionId,
          multiline: true,
          max_length: MAX_DOMAINS_TEXT,
          placeholder: plain('acme.com, acme.io'),
          ...(s.allowed_email_domains.length > 0 ? { initial_value: s.allowed_email_domains.join(', ') } : {}),
        }),
        {
          optional: true,
          hint: `Only addresses at these domains can be invited; empty allows any. Separate them with commas, spaces or new lines (up to ${MAX_ALLOWED_DOMAINS}).`,
        },
      ),
      input('require_sso', 'Require SSO', checkbox(SSO_OPTION, s.require_sso), { optional: true }),
      input(
        'access_review_cadence',
        'Access review',
        (actionId): StaticSelect => ({
          type: 'static_select',
          action_id: actionId,
          options: ACCESS_REVIEW_CADENCES.map((c) => CADENCE_OPTIONS[c]),
          initial_option: CADENCE_OPTIONS[s.access_review_cadence],
        }),
        { hint: 'How often owners get a digest of members who have not signed in recently.' },
      ),
      input('inactivity_threshold_days', 'Inactive after (days without sign-in)', wholeNumberInput(s.inactivity_threshold_days, INACTIVITY_THRESHOLD_DAYS), {
        hint: `From ${INACTIVITY_THRESHOLD_DAYS.min} to ${INACTIVITY_THRESHOLD_DAYS.max} days; ${INACTIVITY_THRESHOLD_DAYS.default} by default.`,
      }),
      input('restore_window_days', 'Restore window (days after a removal)', wholeNumberInput(s.restore_window_days, RESTORE_WINDOW_DAYS), {
        hint:
          `An owner can bring a removed member back with their role and history within this many days (\`/team restore\`). ` +
          `0 turns restore off, and with it Undo of a removal. From ${RESTORE_WINDOW_DAYS.min} to ${RESTORE_WINDOW_DAYS.max}; ${RESTORE_WINDOW_DAYS.default} by default.`,
      }),
      input(
        'scim_provisioning',
        'When your identity provider (SCIM) adds someone',
        radios(SCIM_PROVISIONING_MODES.map((m) => SCIM_OPTIONS[m]), SCIM_OPTIONS[s.scim_provisioning]),
        { hint: 'Okta, Entra ID or OneLogin provisioning at /scim/v2. Deactivating someone there always removes them here.' },
      ),
      input(
        'slack_deactivation',
        'When someone is deactivated in Slack',
        radios(SLACK_DEACTIVATION_MODES.map((m) => DEACTIVATION_OPTIONS[m]), DEACTIVATION_OPTIONS[s.slack_deactivation]),
        { hint: 'A member whose Slack account is deactivated. Reactivating the account never brings them back by itself.' },
      ),
      input('slack_auto_invite', 'Invite new workspace members automatically', checkbox(AUTO_INVITE_OPTION, s.slack_auto_invite), {
        optional: true,
        hint: 'With no allowed email domains, nobody is invited automatically. Bots, guests and people from other organizations never are.',
      }),
    ],
  };
}

/** What replaces the form when saving was refused (e.g. the owner was demoted while it was open). */
export function settingsRefusedView(message: string): ModalView {
  return {
    type: 'modal',
    callback_id: `${SETTINGS_CALLBACK_ID}.refused`,
    title: plain('Team settings'),
    close: plain('Close'),
    blocks: [plainSection(message)],
  };
}

/**
 * The submitted state as settings input, raw (numbers and domains as typed) for the schema to
 * judge. A field whose block is absent from the state (not a form we built) is left out, so it
 * can never be cleared by accident; a present but empty choice is null (cleared or unanswered).
 */
export function readSettingsForm(values: FormValues): Partial<SettingsInput> {
  const state = (key: SettingKey): ViewStateValue | undefined => {
    const ids = SETTINGS_INPUTS[key];
    return values[ids.blockId]?.[ids.actionId];
  };
  const form: Record<string, unknown> = {};
  const read = (key: SettingKey, pick: (v: ViewStateValue) => unknown) => {
    const v = state(key);
    if (v !== undefined) form[key] = pick(v);
  };
  read('team_channel_id', (v) => v.selected_conversation ?? null);
  read('approvals_channel_id', (v) => v.selected_conversation ?? null);
  read('removal_approval_policy', (v) => v.selected_option?.value ?? null);
  read('promotion_approval_policy', (v) => v.selected_option?.value ?? null);
  // A number_input comes back as its text in `value` (null when left empty), like a text input.
  read('removal_request_expiry_hours', (v) => v.value ?? null);
  read('notify_removed_member', (v) => (v.selected_options ?? []).some((o) => o.value === NOTIFY_REMOVED_ON));
  read('invitation_expiry_days', (v) => v.value ?? null);
  read('allowed_email_domains', (v) => v.value ?? '');
  read('require_sso', (v) => (v.selected_options ?? []).some((o) => o.value === SSO_ON));
  read('access_review_cadence', (v) => v.selected_option?.value ?? null);
  read('inactivity_threshold_days', (v) => v.value ?? null);
  read('restore_window_days', (v) => v.value ?? null);
  read('scim_provisioning', (v) => v.selected_option?.value ?? null);
  read('slack_deactivation', (v) => v.selected_option?.value ?? null);
  read('slack_auto_invite', (v) => (v.selected_options ?? []).some((o) => o.value === AUTO_INVITE_ON));
  return form as Partial<SettingsInput>;
}

/** `response_action: 'errors'` wants { block_id: message }; Slack shows each under its input. */
export function settingsBlockErrors(issues: readonly SettingsIssue[]): Record<string, string> {
  return Object.fromEntries(issues.map((i) => [SETTINGS_INPUTS[i.field].blockId, i.message]));
}
