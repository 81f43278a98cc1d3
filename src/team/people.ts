import type { Member } from '../db/schema.js';

/**
 * Where the domain learns who a chat user is (their profile email and name). Slack's
 * users.info implements it; the domain never sees Slack types.
 */
export interface PeopleDirectory {
  profile(userId: string): Promise<{ email: string | null; displayName: string | null } | null>;
}

/** How a member is named in messages: their Slack mention when linked (Slack shows the current name), else name or email. */
export function memberLabel(member: Pick<Member, 'slack_user_id' | 'display_name' | 'email'>): string {
  if (member.slack_user_id) return `<@${member.slack_user_id}>`;
  return escapeText(member.display_name ?? member.email);
}

export function roleLabel(role: Member['role']): string {
  return role === 'owner' ? 'Owner' : 'Member';
}

export function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A moment as Slack shows it in each reader's own time zone, with a UTC fallback. */
export function timeLabel(date: Date): string {
  return `<!date^${Math.floor(date.getTime() / 1000)}^{date_short_pretty} at {time}|${date.toISOString().slice(0, 16).replace('T', ' ')} UTC>`;
}
