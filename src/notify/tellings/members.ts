import type { AuditEvent, Member, Role } from '../../db/schema.js';
import { roleLabel } from '../../team/people.js';
import { escapeText, memberLabel, timeLabel } from '../../slack/mrkdwn.js';
import { activeOwnerSlackIds } from '../../team/removal-repository.js';
import { each, fields, text, type Renderer, type Telling } from './context.js';
import { restorable } from './restorable.js';

/** Roles, owners made from the command line, leaving: what the team channel and the person hear. */

const role = (value: unknown): Role | null => (value === 'owner' || value === 'member' ? value : null);

/** A member changed someone's role: the channel hears it, the person gets a DM (unless they did it), both Homes change. */
async function roleChanged(t: Telling, event: AuditEvent): Promise<void> {
  const target = await t.member(event.target_id);
  if (!target) return;
  if (event.actor_type === 'system' && event.actor_id === 'expiry') return ownershipEnded(t, event);
  const actor = await t.actor(event);
  const after = fields(event.after);
  const from = role(fields(event.before).role);
  const to = role(after.role);
  const directory = text(after.directory);
  if (!actor && directory && from && to) return roleChangedInDirectory(t, target, directory, from, to);
  if (!actor) return ownerMade(t, event); // the command line or the server's bootstrap (ensureOwner)
  if (!from || !to) return;
  const change = `from ${roleLabel(from)} to ${roleLabel(to)}`;
  const end = untilWords(after.owner_until);
  // An approved promotion: the closed request announces it in the channel (promotion.approved); the person hears it here.
  const requester = await t.member(after.requested_by);
  if (!requester) t.teamChannel(`:arrows_counterclockwise: ${memberLabel(actor)} changed ${memberLabel(target)}'s role ${change}${end}.`);
  const by = requester ? `${memberLabel(requester)} (approved by ${memberLabel(actor)})` : memberLabel(actor);
  if (target.id !== actor.id) {
    t.dm(
      target,
      to === 'owner'
        ? `:tada: ${by} made you an *owner* of ${t.organization.name}'s team${end}. You can now invite people, change roles and settings with \`/team\`.`
        : `${by} changed your role in ${t.organization.name}'s team ${change}.`,
    );
  }
  t.homes([actor.slack_user_id, target.slack_user_id, requester?.slack_user_id]);
}

/** " until <time>" for a temporary ownership, in the reader's time zone; nothing for a permanent one. */
function untilWords(value: unknown): string {
  const iso = text(value);
  return iso ? ` until ${timeLabel(new Date(iso))}` : '';
}

/** The clock ended a temporary ownership: the channel hears it, the person gets a DM. */
async function ownershipEnded(t: Telling, event: AuditEvent): Promise<void> {
  const target = await t.member(event.target_id);
  if (!target) return;
  t.teamChannel(`:hourglass: ${memberLabel(target)}'s temporary ownership ended; they are a member again.`);
  t.dm(target, `:hourglass: Your temporary ownership of ${t.organization.name}'s team has ended: you are a member again. If you still need to be an owner, ask an owner.`);
  t.homes([target.slack_user_id]);
}

/** An owner moved the end of an ownership (extended, shortened, made permanent). */
async function ownerUntilChanged(t: Telling, event: AuditEvent): Promise<void> {
  const target = await t.member(event.target_id);
  const actor = await t.actor(event);
  if (!target || !actor) return;
  const after = fields(event.after);
  const requester = await t.member(after.requested_by);
  const by = requester ? `${memberLabel(requester)} (approved by ${memberLabel(actor)})` : memberLabel(actor);
  const now = text(after.owner_until) ? `an owner${untilWords(after.owner_until)}` : 'a permanent owner';
  t.teamChannel(`:key: ${by} made ${memberLabel(target)} ${now}.`);
  if (target.id !== actor.id) t.dm(target, `:key: ${by} made you ${now} of ${t.organization.name}'s team.`);
  t.homes([actor.slack_user_id, target.slack_user_id, requester?.slack_user_id]);
}

/** The clock found the last owner due and kept them: every owner hears why, once (the sweep writes this once). */
async function ownerExpiryHeld(t: Telling, event: AuditEvent): Promise<void> {
  const target = await t.member(event.target_id);
  if (!target) return;
  const words =
    `:warning: ${memberLabel(target)}'s temporary ownership was due to end, but they are the last owner, so they stay an owner. ` +
    'A team always needs at least one owner: make someone else an owner, and the ownership ends at the next check.';
  t.dm(target, words);
  t.ownersChannel(words);
  t.homes(await activeOwnerSlackIds(t.trx, t.organization.id));
}

/** An identity provider's group gave or took the owner role (SCIM): the channel hears where, the person gets a DM. */
function roleChangedInDirectory(t: Telling, target: Member, directory: string, from: Role, to: Role): void {
  const change = `from ${roleLabel(from)} to ${roleLabel(to)}`;
  t.teamChannel(`:arrows_counterclockwise: ${memberLabel(target)}'s role was changed ${change} in ${escapeText(directory)}.`);
  t.dm(
    target,
    to === 'owner'
      ? `:tada: You are now an *owner* of ${t.organization.name}'s team (given in ${escapeText(directory)}). You can now invite people, change roles and settings with \`/team\`.`
      : `Your role in ${t.organization.name}'s team was changed ${change} in ${escapeText(directory)}.`,
  );
  t.homes([target.slack_user_id]);
}

/** Someone the directory (an identity provider over SCIM) added, or brought back, as a Member. */
async function provisioned(t: Telling, event: AuditEvent): Promise<void> {
  const member = await t.member(event.target_id);
  const directory = text(fields(event.after).directory);
  if (!member || !directory) return;
  t.teamChannel(
    event.action === 'member.provisioned'
      ? `:inbox_tray: ${memberLabel(member)} was added to the team as a Member by ${escapeText(directory)}.`
      : `:inbox_tray: ${memberLabel(member)} was reactivated in ${escapeText(directory)} and is back on the team as a Member.`,
  );
  t.homes([member.slack_user_id]);
}

/** A directory changed a member's names or ids: only their Home shows it. */
async function profileUpdated(t: Telling, event: AuditEvent): Promise<void> {
  const member = await t.member(event.target_id);
  t.homes([member?.slack_user_id]);
}

/** Someone became an owner by the command line or the server's configuration (added, promoted or brought back). */
async function ownerMade(t: Telling, event: AuditEvent): Promise<void> {
  const member = await t.member(event.target_id);
  if (!member || fields(event.after).role !== 'owner') return;
  t.teamChannel(`:key: ${memberLabel(member)} is now an owner of the team.`);
  t.homes([member.slack_user_id]);
}

async function left(t: Telling, event: AuditEvent): Promise<void> {
  const member = await t.member(event.target_id);
  if (!member) return;
  t.homes([member.slack_user_id]);
  restorable(t, `:wave: ${memberLabel(member)} left the team.`, member);
}

/** A removed member restored by an owner (or by the Undo of their removal): the channel hears it, the person gets a DM. */
async function restored(t: Telling, event: AuditEvent): Promise<void> {
  const member = await t.member(event.target_id);
  const actor = await t.actor(event);
  if (!member || !actor) return;
  const as = role(fields(event.after).role) ?? member.role;
  // Under the two-person rule a former owner comes back as a member (src/team/restore.ts restoredRole): say why.
  const wasOwner = role(fields(event.before).role) === 'owner' && as === 'member';
  const again = wasOwner ? " They were an owner: being one again needs another owner's approval (`/team role`)." : '';
  t.teamChannel(`:leftwards_arrow_with_hook: ${memberLabel(actor)} restored ${memberLabel(member)} to the team as ${as === 'owner' ? 'an' : 'a'} ${roleLabel(as)}.${again}`);
  t.dm(member, `:leftwards_arrow_with_hook: ${memberLabel(actor)} restored your access to ${t.organization.name}'s team in Team Manager, as ${as === 'owner' ? 'an' : 'a'} ${roleLabel(as)}.${again}`);
  t.homes([actor.slack_user_id, member.slack_user_id]);
}

export const memberRenderers: Record<string, Renderer> = {
  'member.role_changed': each(roleChanged),
  'member.owner_until_changed': each(ownerUntilChanged),
  'member.owner_expiry_held': each(ownerExpiryHeld),
  'member.added': each(ownerMade),
  // Brought back by the command line as an owner, or by an identity provider as a Member.
  'member.reactivated': each((t, event) => (text(fields(event.after).directory) ? provisioned(t, event) : ownerMade(t, event))),
  'member.provisioned': each(provisioned),
  'member.profile_updated': each(profileUpdated),
  'member.left': each(left),
  'member.restored': each(restored),
};

