import type { AuditEvent, Member } from '../../db/schema.js';
import { ADD_OWNER_COMMAND } from '../../team/directory-changes.js';
import { escapeText, memberLabel } from '../../slack/mrkdwn.js';
import { each, fields, text, type Renderer, type Telling } from './context.js';

/** What the owners hear about changes from the directory (src/team/directory-changes.ts) that our rules refused or kept. */

async function keptLastOwner(t: Telling, event: AuditEvent): Promise<void> {
  const member = await t.member(event.target_id);
  if (!member) return;
  const directory = text(fields(event.after).directory) ?? 'Slack';
  t.ownersChannel(
    `:warning: ${memberLabel(member)} was deactivated in ${directory}, but is the team's last owner, so they were not removed ` +
      `(a team always needs an owner). Add another owner with \`${ADD_OWNER_COMMAND}\`, then remove ${memberLabel(member)}.`,
  );
}

async function reactivationReported(t: Telling, event: AuditEvent): Promise<void> {
  const member = await t.member(event.target_id);
  if (!member) return;
  const directory = text(fields(event.after).directory) ?? 'Slack';
  t.ownersChannel(
    `:information_source: ${memberLabel(member)} was reactivated in ${directory}. They are not back on the team ` +
      `(a removal stays a removal); an owner can invite ${member.email} again if they should be.`,
  );
}

async function emailChangeRefused(t: Telling, event: AuditEvent): Promise<void> {
  const after = fields(event.after);
  const [member, holder] = [await t.member(event.target_id), await t.member(after.other_member_id)];
  if (!member || !holder) return;
  const directory = text(after.directory) ?? 'Slack';
  const kept = text(fields(event.before).email) ?? member.email;
  t.ownersChannel(
    `:warning: ${memberLabel(member)} changed their email in ${directory} to ${text(after.email)}, but ${memberLabel(holder)} ` +
      `already has that address here, so ${memberLabel(member)} keeps ${kept}. Sort out which person it belongs to.`,
  );
}

async function emailChanged(t: Telling, event: AuditEvent): Promise<void> {
  const member = await t.member(event.target_id);
  t.homes([member?.slack_user_id]);
}

/** Homes show who is a guest; an owner who became a guest keeps the role, and the owners hear of it. */
async function guestChanged(t: Telling, event: AuditEvent): Promise<void> {
  const member = await t.member(event.target_id);
  if (!member) return;
  t.homes([member.slack_user_id]);
  const after = fields(event.after);
  if (after.guest === true && member.role === 'owner' && member.status === 'active') {
    t.ownersChannel(
      `:warning: ${memberLabel(member)} is now a guest in ${text(after.directory) ?? 'Slack'} but still an owner here. ` +
        `Guests cannot be made owners; if they should not own the team any more, make them a member with \`/team role\`.`,
    );
  }
}

/** Whether a directory change came from a sweep (the daily sync), whose summary tells the team channel instead of a post per person. */
export function fromSweep(event: AuditEvent): boolean {
  return text(fields(event.after).sweep_id) !== null;
}

const count = (value: unknown): number => (typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : 0);
const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/**
 * A directory sweep's one team-channel post (directory.synced, src/team/directory-sync.ts): the
 * people it removed (the first named, the rest counted), the deactivations put to the owners, the
 * emails and guest flags it updated; only the parts that happened. Each change's own event is
 * the record; its per-person post was left to this summary (fromSweep).
 */
async function synced(t: Telling, event: AuditEvent): Promise<void> {
  const after = fields(event.after);
  const directory = escapeText(text(after.directory) ?? 'Slack');
  const removed = count(after.removed);
  const parts: string[] = [];
  if (removed) {
    const ids = Array.isArray(after.removed_member_ids) ? after.removed_member_ids : [];
    const named: Member[] = [];
    for (const id of ids) {
      const member = await t.member(id);
      if (member) named.push(member);
    }
    const more = removed - named.length;
    const names = named.length ? `: ${named.map(memberLabel).join(', ')}${more > 0 ? ` and ${more} more` : ''}` : '';
    parts.push(`${plural(removed, 'person', 'people')} deactivated in ${directory} ${removed === 1 ? 'was' : 'were'} removed from the team${names}`);
  }
  const asked = count(after.asked_owners);
  if (asked) parts.push(`${asked} put to the owners${t.organization.approvals_channel_id ? ` in <#${t.organization.approvals_channel_id}>` : ''}`);
  const emails = count(after.emails_changed);
  if (emails) parts.push(`${plural(emails, 'email', 'emails')} updated`);
  const guests = count(after.guests_changed);
  if (guests) parts.push(`${plural(guests, 'guest flag', 'guest flags')} updated`);
  if (parts.length === 0) return;
  const stopped = after.complete === false ? ` (the sync stopped before the end; the next one picks up the rest)` : '';
  t.teamChannel(`:arrows_counterclockwise: ${directory} directory sync: ${parts.join('; ')}${stopped}.`);
}

export const directoryRenderers: Record<string, Renderer> = {
  'directory.synced': each(synced),
  'member.guest_changed': each(guestChanged),
  'member.deactivation_kept_last_owner': each(keptLastOwner),
  'member.reactivation_reported': each(reactivationReported),
  'member.email_change_refused': each(emailChangeRefused),
  'member.email_changed': each(emailChanged),
};
