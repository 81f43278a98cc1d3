import type { ActorType, AuditSource } from '../../db/schema.js';
import { EMPTY_LOOKUP, type AuditEventLike, type AuditLookup } from '../../events/audit-actions.js';
import { escapeText, memberLabel, timeLabel } from '../mrkdwn.js';

/**
 * The audit log in words: one readable sentence per event, for `/team audit` and the activity
 * view, in Slack mrkdwn. Pure: every member, invitation and API key an event mentions is looked
 * up in maps the caller loaded beforehand (src/activity/audit-log.ts; `mentionedIds` says which
 * ids to load). Members are named with `memberLabel` (a mention when they are linked to Slack),
 * and every piece of text a person typed — names, emails, reasons, summaries — is clipped and
 * escaped, so an event can neither ping nor forge a link.
 */

const MAX_NAME = 100;
const MAX_EMAIL = 254;
const MAX_REASON = 300;
const MAX_SUMMARY = 200;
const SLACK_USER = /^[UW][A-Z0-9]{2,30}$/;
const CHANNEL = /^[CG][A-Z0-9]{2,30}$/;

/** One sentence, ending with a full stop, in Slack mrkdwn. */
export function auditSentence(event: AuditEventLike, lookup: AuditLookup = EMPTY_LOOKUP): string {
  const before = record(event.before);
  const after = record(event.after);
  const actor = actorName(event.actor_type, event.actor_id, lookup);
  const member = (id: string | null | undefined) => personName(id, lookup);
  const target = event.target_type === 'member' ? member(event.target_id) : undefined;
  const invitee = () => inviteeName(event, lookup);
  const aboutRequest = () => member(str(after.target_member_id));
  const reason = (value: unknown) => (str(value) ? ` (reason: “${userText(str(value)!, MAX_REASON)}”)` : '');
  // An ownership's end, as Slack shows times (the reader's zone); nothing when there is none.
  const until = (value: unknown, lead: string) => {
    const at = str(value) ? new Date(str(value)!) : undefined;
    return at && !Number.isNaN(at.getTime()) ? `${lead}${timeLabel(at)}` : '';
  };
  const approvedBy = () => (str(after.approved_by) ? `, approved by ${member(str(after.approved_by))}` : '');
  // An approved promotion is the requester's change, approved by the actor.
  const changer = str(after.requested_by) ? member(str(after.requested_by)) : actor;

  switch (event.action) {
    case 'organization.created':
      return `${cap(actor)} connected this workspace${str(after.name) ? ` (${userText(str(after.name)!, MAX_NAME)})` : ''} and created its team.`;
    case 'settings.changed': {
      const changes = settingsChangeSummary(event.before, event.after);
      return `${cap(actor)} changed the team settings${changes ? `: ${changes}` : ''}.`;
    }
    case 'member.role_changed':
      if (event.actor_type === 'system' && event.actor_id === 'expiry') {
        return `${cap(target ?? 'someone')}'s temporary ownership ended${until(before.owner_until, ' at ')}; they are a member again.`;
      }
      return `${cap(changer)} changed ${target ?? 'someone'}'s role from ${role(before.role)} to ${role(after.role)}${until(after.owner_until, ' until ')}${approvedBy()}${str(after.undo_of) ? ' (Undo of their change just before)' : ''}.`;
    case 'member.restored':
      return `${cap(actor)} restored ${target ?? 'someone'} to the team as ${roleWithArticle(after.role)}${str(after.undo_of) ? ' (Undo of their removal just before)' : ''}.`;
    case 'member.owner_until_changed':
      return str(after.owner_until)
        ? `${cap(changer)} made ${target ?? 'someone'} an owner${until(after.owner_until, ' until ')}${str(before.owner_until) ? ` (was${until(before.owner_until, ' until ')})` : ' (was a permanent owner)'}${approvedBy()}.`
        : `${cap(changer)} made ${target ?? 'someone'} a permanent owner (was an owner${until(before.owner_until, ' until ')})${approvedBy()}.`;
    case 'member.owner_expiry_held':
      return `${cap(target ?? 'someone')}'s temporary ownership was due to end${until(after.owner_until, ' at ')}, but they are the last owner, so they stay an owner until another owner is added.`;
    case 'promotion.requested':
      return `${cap(actor)} asked to make ${aboutRequest()} an owner${until(after.owner_until, ' until ')}, waiting for another owner's approval.`;
    case 'promotion.approved':
      return `${cap(actor)} approved the request to make ${aboutRequest()} an owner${until(after.owner_until, ' until ')}.`;
    case 'promotion.rejected':
      return `${cap(actor)} rejected the request to make ${aboutRequest()} an owner${reason(after.reason)}.`;
    case 'promotion.withdrawn':
      return `${cap(actor)} withdrew the request to make ${aboutRequest()} an owner.`;
    case 'promotion.expired':
      return `The request to make ${aboutRequest()} an owner expired without a decision.`;
    case 'promotion.cancelled':
      return `The request to make ${aboutRequest()} an owner was cancelled${str(after.reason) ? `: ${userText(str(after.reason)!, MAX_REASON)}` : ''}.`;
    case 'member.reactivated':
      return `${cap(actor)} brought ${target ?? 'someone'} back to the team as ${roleWithArticle(after.role)}.`;
    case 'member.slack_linked': {
      const slack = str(after.slack_user_id);
      const account = slack && SLACK_USER.test(slack) ? ` (<@${slack}>)` : '';
      return `${cap(actor)} linked ${target ?? 'a member'} to their Slack account${account}, matched by the email on their Slack profile.`;
    }
    case 'member.left':
      return `${cap(target ?? actor)} left the team.`;
    case 'member.removed': {
      const requester = str(after.requested_by) ?? str(after.removed_by);
      const approver = str(after.approved_by);
      const who = requester ? member(requester) : actor;
      return `${cap(who)} removed ${target ?? 'someone'} from the team${approver ? `, approved by ${member(approver)}` : ''}${reason(after.reason)}.`;
    }
    case 'member.email_changed':
      return `${cap(actor)} changed ${target ?? 'a member'}'s email from ${userText(str(before.email) ?? '?', MAX_EMAIL)} to ${userText(str(after.email) ?? '?', MAX_EMAIL)}.`;
    case 'member.email_change_refused':
      return `${cap(actor)} reported a new email for ${target ?? 'a member'}, ${userText(str(after.email) ?? '?', MAX_EMAIL)}; not applied, because another member has it.`;
    case 'member.deactivation_kept_last_owner':
      return `${cap(target ?? 'a member')} was deactivated in ${actor}, but kept as the last owner until another owner is added (\`npm run cli -- owners add <email>\`).`;
    case 'member.guest_changed':
      return after.guest === true
        ? `${cap(actor)} reported ${target ?? 'a member'} as a guest of the workspace (guests cannot be made owners).`
        : `${cap(actor)} reported ${target ?? 'a member'} as a full member of the workspace again (no longer a guest).`;
    case 'member.provisioned': // falls through: the actor (SCIM) says how
    case 'member.added':
      return `${cap(actor)} added ${target ?? 'someone'} as ${roleWithArticle(after.role)}.`;
    case 'member.profile_updated': {
      const fields = Object.keys(after).filter((k) => k !== 'directory').map((k) => PROFILE_FIELDS[k] ?? userText(k, 40));
      return `${cap(actor)} updated ${target ?? 'a member'}'s ${fields.length ? fields.join(', ') : 'profile'}.`;
    }
    case 'member.deleted_in_directory':
      return `${cap(target ?? 'a member')} was deleted in ${actor} as well (already removed from the team).`;
    case 'member.deactivation_ignored':
      return `${cap(target ?? 'a member')} was deactivated in ${actor}; left on the team, as the setting says to do nothing.`;
    case 'deactivation.requested':
      return `${cap(aboutRequest())} was deactivated in ${actor}; the owners were asked to keep or remove them.`;
    case 'deactivation.kept':
      return `${cap(actor)} kept ${aboutRequest()} on the team although they were deactivated in Slack.`;
    case 'deactivation.expired':
      return `Nobody decided whether to keep ${aboutRequest()} (deactivated in Slack) in time; they are still a member.`;
    case 'deactivation.cancelled':
      return `The question whether to keep ${aboutRequest()} (deactivated in Slack) was closed${str(after.reason) ? `: ${userText(str(after.reason)!, MAX_REASON)}` : ''}.`;
    case 'directory.synced': {
      const count = (key: string) => (typeof after[key] === 'number' ? (after[key] as number) : 0);
      const parts = [
        count('removed') ? `removed ${count('removed')} deactivated ${count('removed') === 1 ? 'person' : 'people'}` : '',
        count('asked_owners') ? `put ${count('asked_owners')} to the owners` : '',
        count('emails_changed') ? `updated ${count('emails_changed')} ${count('emails_changed') === 1 ? 'email' : 'emails'}` : '',
        count('guests_changed') ? `updated ${count('guests_changed')} guest ${count('guests_changed') === 1 ? 'flag' : 'flags'}` : '',
      ].filter(Boolean);
      return `The ${actor} directory sync ${parts.length ? parts.join(', ') : 'changed nothing'}${after.complete === false ? ' (it stopped before the end)' : ''}.`;
    }
    case 'member.reactivation_reported':
      return `${cap(target ?? 'a member')} was reactivated in ${actor}; they stay removed from the team until invited again.`;
    case 'invitation.sent':
      return `${cap(actor)} invited ${invitee()} as ${roleWithArticle(after.role)}.`;
    case 'invitation.resent':
      return `${cap(actor)} resent the invitation to ${invitee()}.`;
    case 'invitation.cancelled':
      if (event.actor_type === 'system' && event.actor_id === 'scim') return `The invitation to ${invitee()} was cancelled: deactivated in ${actor}.`;
      return event.actor_type === 'system'
        ? `The invitation to ${invitee()} was cancelled, because whoever sent it is no longer a member.`
        : `${cap(actor)} cancelled the invitation to ${invitee()}.`;
    case 'invitation.declined':
      return `${cap(event.actor_type === 'slack_user' ? actor : invitee())} declined the invitation.`;
    case 'invitation.expired':
      return `The invitation to ${invitee()} expired.`;
    case 'invitation.accepted':
      return `${cap(target ?? actor)} accepted the invitation and joined as ${roleWithArticle(after.role)}.`;
    case 'removal.requested':
      return `${cap(actor)} asked to remove ${aboutRequest()}, waiting for another owner's approval${reason(after.reason)}.`;
    case 'removal.rejected':
      return `${cap(actor)} rejected the request to remove ${aboutRequest()}${reason(after.reason)}.`;
    case 'removal.withdrawn':
      return `${cap(actor)} withdrew the request to remove ${aboutRequest()}.`;
    case 'removal.expired':
      return `The request to remove ${aboutRequest()} expired without a decision; they are still a member.`;
    case 'removal.cancelled':
      return `The request to remove ${aboutRequest()} was cancelled${str(after.reason) ? `: ${userText(str(after.reason)!, MAX_REASON)}` : ''}.`;
    case 'api_key.created':
      return `${cap(actor)} created ${apiKeyName(event.target_id, lookup, after)}${keyDetails(after)}.`;
    case 'api_key.revoked':
      return `${cap(actor)} revoked ${apiKeyName(event.target_id, lookup, before)}.`;
    case 'activity.ingested': {
      const what = after.type === 'sign_in' ? 'a sign-in' : after.type === 'config_change' ? 'a configuration change' : 'activity';
      const summary = str(after.summary) ? `: “${userText(str(after.summary)!, MAX_SUMMARY)}”` : '';
      return `${cap(actor)} reported ${what} by ${target ?? 'a member'}${summary}.`;
    }
    case 'access_review.started': {
      const members = typeof after.members === 'number' ? after.members : undefined;
      const days = typeof after.threshold_days === 'number' ? ` for ${after.threshold_days} days` : '';
      const listed = members === undefined ? 'listing members' : members === 0 ? 'nobody to review' : `listing ${members} ${members === 1 ? 'member' : 'members'}`;
      return `${cap(actor)} started an access review: ${listed} without a sign-in${days}.`;
    }
    case 'access_review.kept':
      return `${cap(actor)} kept ${target ?? 'a member'} on the team in the access review.`;
    case 'access_review.remove_started':
      return `${cap(actor)} chose to remove ${target ?? 'a member'} in the access review.`;
    case 'slack.installed': {
      const scopes = Array.isArray(after.bot_scopes) ? after.bot_scopes.filter((s): s is string => typeof s === 'string') : [];
      const again = before.installed_at !== undefined;
      return `${cap(actor)} ${again ? 'reinstalled' : 'installed'} Team Manager in Slack${scopes.length ? ` with the scopes ${userText(scopes.join(', '), 300)}` : ''}.`;
    }
    case 'slack.uninstalled':
      return `Team Manager was ${str(after.reason) === 'tokens_revoked' ? "cut off from Slack (its tokens were revoked)" : 'uninstalled from Slack'}; its tokens were deleted and the team's data kept.`;
    case 'webhook.endpoint_created':
    case 'webhook.endpoint_updated':
    case 'webhook.endpoint_deleted':
    case 'webhook.secret_rotated':
    case 'webhook.endpoint_disabled':
    case 'webhook.redelivery_requested':
      return webhookSentence(event.action, cap(actor), before, after);
    default: {
      const on = target ? ` on ${target}` : event.target_type ? ` on ${userText(event.target_type, 40)}` : '';
      return `${cap(actor)} did \`${userText(event.action.replace(/`/g, "'"), 100)}\`${on}.`;
    }
  }
}

/** Where an event came from, for the line under its sentence. */
export function sourceLabel(source: AuditSource): string {
  switch (source) {
    case 'slack':
      return 'in Slack';
    case 'web':
      return 'on the web';
    case 'api':
      return 'through the API';
    case 'cli':
      return 'from the command line';
    case 'system':
      return 'automatically';
    case 'scim':
      return 'via SCIM';
    default:
      return `via ${userText(String(source), 20)}`;
  }
}

/** Who did it, as a noun phrase: a member's label, or what the system actor stands for. */
export function actorName(type: ActorType | string, id: string | null, lookup: AuditLookup = EMPTY_LOOKUP): string {
  switch (type) {
    case 'member':
      return personName(id, lookup);
    case 'slack_user':
      return id && SLACK_USER.test(id) ? `<@${id}>` : 'a Slack user';
    case 'api_key':
      return apiKeyName(id, lookup, {});
    case 'cli':
      return 'the command line';
    case 'invitee':
      return id ? userText(id, MAX_EMAIL) : 'the invitee';
    case 'system':
      if (id?.startsWith('invitee:')) return userText(id.slice('invitee:'.length), MAX_EMAIL);
      if (id === 'BOOTSTRAP_OWNER_EMAILS') return 'Team Manager (from BOOTSTRAP_OWNER_EMAILS)';
      if (id === 'slack') return 'Slack';
      if (id === 'scim') return 'the identity provider (SCIM)';
      return 'Team Manager';
    default:
      return 'someone';
  }
}

/**
 * The settings an event changed, in words: "Team channel (<#C1> → <#C2>), Invitation expiry (7 → 14 days)".
 * Unknown keys are named as stored; long lists are shortened so the sentence stays short.
 */
export function settingsChangeSummary(beforeJson: unknown, afterJson: unknown): string {
  const before = record(beforeJson);
  const after = record(afterJson);
  const keys = [...new Set([...Object.keys(after), ...Object.keys(before)])];
  return keys
    .map((key) => {
      const setting = SETTINGS[key];
      if (!setting) return userText(key, 40);
      if (key === 'allowed_email_domains') return `${setting.label} (${domainsChange(before[key], after[key])})`;
      return `${setting.label} (${setting.value(before[key])} → ${setting.value(after[key])})`;
    })
    .join(', ');
}

// ---------------------------------------------------------------------------
// Pieces

const onOff = (v: unknown) => (v === true ? 'on' : v === false ? 'off' : '?');
const plain = (v: unknown) => (v === null || v === undefined ? '?' : userText(String(v), 40));
const count = (unit: string) => (v: unknown) => (typeof v === 'number' ? `${v} ${unit}` : plain(v));
const channel = (v: unknown) => (v === null ? 'none' : typeof v === 'string' && CHANNEL.test(v) ? `<#${v}>` : plain(v));

const SETTINGS: Record<string, { label: string; value: (v: unknown) => string }> = {
  team_channel_id: { label: 'Team channel', value: channel },
  approvals_channel_id: { label: 'Approvals channel', value: channel },
  removal_approval_policy: { label: 'Removal approval', value: (v) => (v === 'another-owner' ? 'another owner' : v === 'none' ? 'none' : plain(v)) },
  promotion_approval_policy: { label: 'Promotion to owner', value: (v) => (v === 'another-owner' ? 'another owner' : v === 'immediate' ? 'at once' : plain(v)) },
  removal_request_expiry_hours: { label: 'Removal requests expire after', value: count('hours') },
  notify_removed_member: { label: 'Notify the removed person', value: onOff },
  invitation_expiry_days: { label: 'Invitation expiry', value: count('days') },
  allowed_email_domains: { label: 'Allowed email domains', value: plain },
  require_sso: { label: 'Require SSO', value: onOff },
  access_review_cadence: { label: 'Access review', value: plain },
  inactivity_threshold_days: { label: 'Inactive after', value: count('days') },
  restore_window_days: { label: 'Restore window', value: count('days') },
  scim_provisioning: { label: 'SCIM provisioning', value: (v) => (v === 'invite' ? 'send an invitation' : v === 'member' ? 'add as a member' : plain(v)) },
  slack_deactivation: {
    label: 'When someone is deactivated in Slack',
    value: (v) => (v === 'remove' ? 'remove them' : v === 'ask' ? 'ask the owners' : v === 'ignore' ? 'do nothing' : plain(v)),
  },
  slack_auto_invite: { label: 'Invite new workspace members automatically', value: onOff },
};

const PROFILE_FIELDS: Record<string, string> = { external_id: 'external id', given_name: 'given name', family_name: 'family name', display_name: 'name' };

function domainsChange(beforeValue: unknown, afterValue: unknown): string {
  const was = new Set(strings(beforeValue));
  const now = strings(afterValue);
  const added = now.filter((d) => !was.has(d));
  const removed = [...was].filter((d) => !now.includes(d));
  const list = (ds: string[]) => ds.slice(0, 3).map((d) => userText(d, 60)).join(', ') + (ds.length > 3 ? ` and ${ds.length - 3} more` : '');
  const parts: string[] = [];
  if (added.length > 0) parts.push(`added ${list(added)}`);
  if (removed.length > 0) parts.push(`removed ${list(removed)}`);
  if (now.length === 0) parts.push('any domain now');
  return parts.join('; ') || 'unchanged';
}

function personName(id: string | null | undefined, lookup: AuditLookup): string {
  const person = id ? lookup.members.get(id) : undefined;
  if (!person) return 'a member no longer on record';
  return memberLabel({
    slack_user_id: person.slack_user_id,
    display_name: person.display_name === null ? null : clip(person.display_name, MAX_NAME),
    email: clip(person.email, MAX_EMAIL),
  });
}

function inviteeName(event: AuditEventLike, lookup: AuditLookup): string {
  const stored = event.target_id ? lookup.invitations.get(event.target_id)?.email : undefined;
  const email = stored ?? str(record(event.after).email) ?? (event.actor_type === 'invitee' && event.actor_id ? event.actor_id : event.actor_id?.startsWith('invitee:') ? event.actor_id.slice(8) : undefined);
  return email ? userText(email, MAX_EMAIL) : 'someone';
}

function apiKeyName(id: string | null, lookup: AuditLookup, fallback: Record<string, unknown>): string {
  const prefix = (id ? lookup.apiKeys.get(id)?.prefix : undefined) ?? str(fallback.prefix);
  const what = fallback.scope === 'scim' ? 'SCIM token' : 'API key';
  return prefix ? `${what} \`${userText(prefix.replace(/`/g, "'"), 40)}\`` : fallback.scope === 'scim' ? 'a SCIM token' : 'an API key';
}

function keyDetails(after: Record<string, unknown>): string {
  const name = str(after.name);
  const scope = str(after.scope);
  if (!name && !scope) return '';
  return ` (${[name ? `“${userText(name, MAX_NAME)}”` : '', scope ? userText(scope, 20) : ''].filter(Boolean).join(', ')})`;
}

function role(value: unknown): string {
  return value === 'owner' ? 'Owner' : value === 'member' ? 'Member' : value === null || value === undefined ? 'no role' : userText(String(value), 20);
}

function roleWithArticle(value: unknown): string {
  return value === 'owner' ? 'an Owner' : value === 'member' ? 'a Member' : role(value);
}

/** Capitalises a sentence that starts with one of our own phrases ("the command line", "a member …"), never a name or an email. */
function cap(phrase: string): string {
  return /^(the|an?) /.test(phrase) ? phrase[0]!.toUpperCase() + phrase.slice(1) : phrase;
}

/** User-provided text as shown in mrkdwn: clipped first (so escaping cannot be cut in half), then escaped. */
function userText(text: string, max: number): string {
  return escapeText(clip(text.replace(/[\r\n]+/g, ' '), max));
}

function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : chars.slice(0, max - 1).join('') + '…';
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** The webhook endpoint actions (src/webhooks/endpoints.ts, delivery.ts). */
function webhookSentence(action: string, actor: string, before: Record<string, unknown>, after: Record<string, unknown>): string {
  const url = (o: Record<string, unknown>) => (typeof o.url === 'string' ? ` ${userText(o.url, 300)}` : '');
  switch (action) {
    case 'webhook.endpoint_created':
      return `${actor} added the webhook endpoint${url(after)}.`;
    case 'webhook.endpoint_updated': {
      const status = after.status !== before.status && typeof after.status === 'string' ? ` (now ${after.status === 'active' ? 'resumed' : userText(after.status, 20)})` : '';
      return `${actor} changed the webhook endpoint${url(after)}${status}.`;
    }
    case 'webhook.endpoint_deleted':
      return `${actor} deleted the webhook endpoint${url(before)}.`;
    case 'webhook.secret_rotated':
      return `${actor} rotated a webhook endpoint's signing secret (the old one stays valid for 24 hours).`;
    case 'webhook.endpoint_disabled':
      return 'Team Manager disabled a webhook endpoint that had failed every delivery for 3 days.';
    default: {
      const count = typeof after.count === 'number' ? after.count : 0;
      return `${actor} asked to redeliver ${count} webhook event${count === 1 ? '' : 's'}.`;
    }
  }
}
