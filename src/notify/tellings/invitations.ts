import type { AuditEvent, Invitation } from '../../db/schema.js';
import { findInvitation } from '../../team/invitation-repository.js';
import { roleLabel } from '../../team/people.js';
import { escapeText, memberLabel } from '../../slack/mrkdwn.js';
import { IDENTITY_PROVIDER } from '../../team/provisioning.js';
import { each, fields, text, type Renderer, type Telling } from './context.js';

/**
 * Invitations in Slack: the invitee's DM (sent with each send, rewritten with the outcome), one
 * summary per submission or expiry run in the team channel, and the inviter's Home. The email is
 * src/mail's (src/mail/teller.ts).
 */

const list = (emails: readonly string[]) => `${emails.slice(0, 10).join(', ')}${emails.length > 10 ? ` and ${emails.length - 10} more` : ''}`;

function dmJob(t: Telling, invitation: Pick<Invitation, 'id' | 'send_count'>): void {
  t.queue({
    task: 'invitation.send-dm',
    payload: { organizationId: t.organization.id, invitationId: invitation.id, sendCount: invitation.send_count },
    options: { jobKey: `invitation-dm:${invitation.id}` },
  });
}

/** The DM shows the outcome once the invitation is closed, buttons gone (only when a DM was posted). */
async function rewriteDm(t: Telling, invitationId: unknown): Promise<Invitation | undefined> {
  const invitation = typeof invitationId === 'string' ? await findInvitation(t.trx, t.organization.id, invitationId) : undefined;
  if (invitation?.dm_ts) t.queue({ task: 'invitation.update-dm', payload: { organizationId: t.organization.id, invitationId: invitation.id } });
  return invitation;
}

/** One submission: every invitation's DM and one summary (a submission is one append of its events). */
const sent: Renderer = async (t, events) => {
  for (const event of events) if (event.target_id) dmJob(t, { id: event.target_id, send_count: 1 });
  const actor = await t.actor(events[0]!);
  // Sent by a member, or by a directory (an identity provider provisioning over SCIM).
  const directory = text(fields(events[0]!.after).directory);
  if (!actor && !directory) return;
  const emails = events.map((e) => text(fields(e.after).email) ?? '?');
  const role = fields(events[0]!.after).role === 'owner' ? 'owner' : 'member';
  const who = actor ? memberLabel(actor) : escapeText(directory!);
  t.teamChannel(`:envelope: ${who} invited ${emails.length === 1 ? '1 person' : `${emails.length} people`} as ${roleLabel(role)}: ${list(emails)}.`);
  t.homes([actor?.slack_user_id]);
};

async function resent(t: Telling, event: AuditEvent): Promise<void> {
  const invitation = event.target_id ? await findInvitation(t.trx, t.organization.id, event.target_id) : undefined;
  const actor = await t.actor(event);
  if (!invitation) return;
  dmJob(t, invitation);
  if (!actor) return;
  t.teamChannel(`:envelope: ${memberLabel(actor)} resent the invitation to ${invitation.email}.`);
  t.homes([actor.slack_user_id]);
}

/** Cancelled by an owner (told), or because its inviter left (only the DM changes). */
async function cancelled(t: Telling, event: AuditEvent): Promise<void> {
  const invitation = await rewriteDm(t, event.target_id);
  const actor = await t.actor(event);
  if (invitation && event.actor_type === 'system' && event.actor_id === IDENTITY_PROVIDER.actor.id) {
    t.teamChannel(`:no_entry_sign: The invitation to ${invitation.email} was cancelled: deactivated in ${IDENTITY_PROVIDER.name}.`);
    return;
  }
  if (!invitation || !actor) return;
  t.teamChannel(`:no_entry_sign: ${memberLabel(actor)} cancelled the invitation to ${invitation.email}.`);
  t.homes([actor.slack_user_id]);
}

async function declined(t: Telling, event: AuditEvent): Promise<void> {
  const invitation = await rewriteDm(t, event.target_id);
  if (invitation) t.teamChannel(`${invitation.email} declined the invitation to join the team.`);
}

/** One expiry run of one organization: every DM rewritten, one summary. */
const expired: Renderer = async (t, events) => {
  const emails: string[] = [];
  for (const event of events) {
    const invitation = await rewriteDm(t, event.target_id);
    if (invitation) emails.push(invitation.email);
  }
  if (emails.length === 0) return;
  t.teamChannel(`:hourglass: ${emails.length === 1 ? 'The invitation' : `${emails.length} invitations`} to ${list(emails)} expired. Owners can resend from \`/team pending\`.`);
};

async function accepted(t: Telling, event: AuditEvent): Promise<void> {
  const member = await t.member(event.target_id);
  const invitation = await rewriteDm(t, fields(event.after).invitation_id);
  if (!member || !invitation) return;
  const inviter = await t.member(invitation.invited_by_member_id);
  t.teamChannel(`:tada: ${memberLabel(member)} joined as ${roleLabel(member.role)}${inviter ? `, invited by ${memberLabel(inviter)}` : ''}.`);
  t.homes([inviter?.slack_user_id, member.slack_user_id]);
}

export const invitationRenderers: Record<string, Renderer> = {
  'invitation.sent': sent,
  'invitation.resent': each(resent),
  'invitation.cancelled': each(cancelled),
  'invitation.declined': each(declined),
  'invitation.expired': expired,
  'invitation.accepted': each(accepted),
};
