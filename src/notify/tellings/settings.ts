import type { AuditEvent } from '../../db/schema.js';
import type { Settings, SettingKey } from '../../team/settings.js';
import { codeSpan, memberLabel } from '../../slack/mrkdwn.js';
import { each, fields, type Renderer, type Telling } from './context.js';

/** Settings changes and the organization's first words, in the team channel. */

async function settingsChanged(t: Telling, event: AuditEvent): Promise<void> {
  const before = fields(event.before) as Partial<Settings>;
  const after = fields(event.after) as Partial<Settings>;
  if (event.actor_type === 'system' && after.team_channel_id && !before.team_channel_id && Object.keys(after).length === 1) {
    // The configured team channel adopted by an organization that had none (src/team/organizations.ts).
    t.teamChannel(`:wave: Team Manager will post ${t.organization.name}'s team updates in this channel from now on.`);
    return;
  }
  const actor = await t.actor(event);
  const summary = `:gear: ${actor ? memberLabel(actor) : 'Team Manager'} changed the team settings:\n${describeSettingsChange(before, after)}`;
  // Posted in the team channel as it is now: the new one when it moved; when it was cleared,
  // the old one is the only place that can hear it stopped.
  if (!t.teamChannel(summary) && before.team_channel_id) t.teamChannel(summary, before.team_channel_id);
}

async function organizationCreated(t: Telling): Promise<void> {
  t.teamChannel(
    `:wave: Team Manager is now connected to ${t.organization.name}. This channel will hear about ` +
      'people joining and leaving the team and about role changes. Type `/team help` to see what it can do.',
  );
}

const channelText = (id: string | null | undefined) => (id ? `<#${id}>` : '_none_');
const policyText = (p: Settings['removal_approval_policy'] | undefined) =>
  p === 'none' ? "no approval (the requester's confirmation is enough)" : 'another owner must approve';
const onOff = (b: boolean | undefined) => (b ? 'on' : 'off');

/**
 * The lines of the team channel's summary of a change, one per changed field (`after` says
 * which). Pure, so the words are tested without a database. Domains are user text: escaped.
 */
export function describeSettingsChange(before: Partial<Settings>, after: Partial<Settings>): string {
  const lines: string[] = [];
  const has = (k: SettingKey) => k in after && after[k] !== undefined;
  if (has('team_channel_id')) {
    lines.push(
      `• Team channel: ${channelText(before.team_channel_id)} → ${channelText(after.team_channel_id)}` +
        (after.team_channel_id ? ' (team updates are posted there from now on)' : ' (team updates are no longer posted anywhere)'),
    );
  }
  if (has('approvals_channel_id')) {
    lines.push(`• Approvals channel: ${channelText(before.approvals_channel_id)} → ${channelText(after.approvals_channel_id)}`);
  }
  if (has('removal_approval_policy')) {
    lines.push(`• Removal approval: ${policyText(before.removal_approval_policy)} → ${policyText(after.removal_approval_policy)}`);
  }
  if (has('promotion_approval_policy')) {
    const text = (p: Settings['promotion_approval_policy'] | undefined) => (p === 'immediate' ? 'at once' : 'another owner must approve');
    lines.push(`• Promotion to owner: ${text(before.promotion_approval_policy)} → ${text(after.promotion_approval_policy)}`);
  }
  if (has('removal_request_expiry_hours')) {
    lines.push(
      `• Removal requests expire after: ${before.removal_request_expiry_hours ?? '?'} → ${after.removal_request_expiry_hours} hours` +
        ' (requests already waiting keep their expiry)',
    );
  }
  if (has('notify_removed_member')) {
    lines.push(
      `• Notify the removed person: ${onOff(before.notify_removed_member)} → ${onOff(after.notify_removed_member)}` +
        (after.notify_removed_member ? ' (removed people get a DM saying their access has ended)' : ' (removed people are no longer sent a DM)'),
    );
  }
  if (has('invitation_expiry_days')) {
    lines.push(`• Invitations expire after: ${before.invitation_expiry_days ?? '?'} → ${after.invitation_expiry_days} days`);
  }
  if (has('allowed_email_domains')) {
    const was = new Set(before.allowed_email_domains ?? []);
    const now = after.allowed_email_domains ?? [];
    const added = now.filter((d) => !was.has(d));
    const removed = [...was].filter((d) => !now.includes(d));
    const parts: string[] = [];
    if (added.length > 0) parts.push(`added ${added.map(codeSpan).join(', ')}`);
    if (removed.length > 0) parts.push(`removed ${removed.map(codeSpan).join(', ')}`);
    if (now.length === 0) parts.push('any domain may be invited now');
    lines.push(`• Allowed email domains: ${parts.join('; ')}`);
  }
  if (has('require_sso')) {
    lines.push(
      `• Require SSO: ${onOff(before.require_sso)} → ${onOff(after.require_sso)}` +
        (after.require_sso ? ' (invitations can be accepted only inside Slack)' : ' (invitations can also be accepted by email link)'),
    );
  }
  if (has('access_review_cadence')) {
    lines.push(`• Access review: ${before.access_review_cadence ?? '?'} → ${after.access_review_cadence}`);
  }
  if (has('inactivity_threshold_days')) {
    lines.push(`• Inactive after: ${before.inactivity_threshold_days ?? '?'} → ${after.inactivity_threshold_days} days without a sign-in`);
  }
  if (has('restore_window_days')) {
    lines.push(`• Restore window: ${before.restore_window_days ?? '?'} → ${after.restore_window_days} days` + (after.restore_window_days === 0 ? ' (restore is off)' : ''));
  }
  if (has('scim_provisioning')) {
    lines.push(`• SCIM provisioning: ${scimText(before.scim_provisioning)} → ${scimText(after.scim_provisioning)}`);
  }
  if (has('slack_deactivation')) {
    lines.push(`• When someone is deactivated in Slack: ${deactivationText(before.slack_deactivation)} → ${deactivationText(after.slack_deactivation)}`);
  }
  if (has('slack_auto_invite')) {
    lines.push(
      `• Invite new workspace members automatically: ${onOff(before.slack_auto_invite)} → ${onOff(after.slack_auto_invite)}` +
        (after.slack_auto_invite ? ' (people who join the Slack workspace at an allowed email domain are invited as Members)' : ''),
    );
  }
  return lines.join('\n');
}

function deactivationText(mode: Settings['slack_deactivation'] | undefined): string {
  return mode === 'ask' ? 'ask the owners' : mode === 'ignore' ? 'do nothing' : mode === 'remove' ? 'remove them' : '?';
}

function scimText(mode: Settings['scim_provisioning'] | undefined): string {
  return mode === 'invite' ? 'people added by the identity provider are sent an invitation' : 'people added by the identity provider become members at once';
}

export const settingsRenderers: Record<string, Renderer> = {
  'settings.changed': each(settingsChanged),
  'organization.created': each(organizationCreated),
};
