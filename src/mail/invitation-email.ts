import type { Role } from '../db/schema.js';
import { escapeHtml } from '../html.js';
import type { MailMessage } from './mailer.js';

export interface InvitationEmail {
  to: string;
  organizationName: string;
  inviterName: string;
  role: Role;
  message: string | null;
  acceptUrl: string;
  expiresAt: Date;
  /** With "require SSO", the link only explains how to accept inside Slack. */
  slackOnly: boolean;
}

/** The invitation email, as plain text and as HTML with every value escaped. */
export function invitationEmail(e: InvitationEmail): MailMessage {
  const role = e.role === 'owner' ? 'an owner' : 'a member';
  const expires = e.expiresAt.toUTCString();
  const lines = [
    `${e.inviterName} invited you to join ${e.organizationName}'s team as ${role}.`,
    ...(e.message ? ['', `"${e.message}"`] : []),
    '',
    e.slackOnly
      ? `${e.organizationName} accepts invitations inside Slack only: open the message Team Manager sent you in Slack. Details: ${e.acceptUrl}`
      : `Accept or decline here: ${e.acceptUrl}`,
    '',
    `This invitation expires on ${expires}. If you did not expect it, you can ignore this email.`,
  ];
  const html = `<!doctype html><html><body style="font-family:sans-serif">
<p>${escapeHtml(e.inviterName)} invited you to join <strong>${escapeHtml(e.organizationName)}</strong>'s team as ${role}.</p>
${e.message ? `<blockquote>${escapeHtml(e.message)}</blockquote>` : ''}
<p><a href="${escapeHtml(e.acceptUrl)}">${e.slackOnly ? 'How to accept in Slack' : 'Accept or decline the invitation'}</a></p>
<p style="color:#666">This invitation expires on ${escapeHtml(expires)}. If you did not expect it, you can ignore this email.</p>
</body></html>`;
  return { to: e.to, subject: `${e.inviterName} invited you to ${e.organizationName} on Team Manager`, text: lines.join('\n'), html };
}
