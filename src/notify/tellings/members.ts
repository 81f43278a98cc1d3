import type { AuditEvent, Member, Role } from '../../db/schema.js';
import { roleLabel } from '../../team/people.js';
import { escapeText, memberLabel } from '../../slack/mrkdwn.js';
import { each, fields, text, type Renderer, type Telling } from './context.js';

/** Roles, owners made from the command line, leaving: what the team channel and the person hear. */

const role = (value: unknown): Role | null => (value === 'owner' || value === 'member' ? value : null);

/** A member changed someone's role: the channel hears it, the person gets a DM (unless they did it), both Homes change. */
async function roleChanged(t: Telling, event: AuditEvent): Promise<void> {
  const target = await t.member(event.target_id);
  if (!target) return;
  const actor = await t.actor(event);
  const from = role(fields(event.before).role);
  const to = role(fields(event.after).role);
  const directory = text(fields(event.after).directory);
  if (!actor && directory && from && to) return roleChangedInDirectory(t, target, directory, from, to);
  if (!actor) return ownerMade(t, event); // the command line or the server's bootstrap (ensureOwner)
  if (!from || !to) return;
  const change = `from ${roleLabel(from)} to ${roleLabel(to)}`;
  t.teamChannel(`:arrows_counterclockwise: ${memberLabel(actor)} changed ${memberLabel(target)}'s role ${change}.`);
  if (target.id !== actor.id) {
    t.dm(
      target,
      to === 'owner'
        ? `:tada: ${memberLabel(actor)} made you an *owner* of ${t.organization.name}'s team. You can now invite people, change roles and settings with \`/team\`.`
        : `${memberLabel(actor)} changed your role in ${t.organization.name}'s team ${change}.`,
    );
  }
  t.homes([actor.slack_user_id, target.slack_user_id]);
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
  t.teamChannel(`:wave: ${memberLabel(member)} left the team.`);
}

export const memberRenderers: Record<string, Renderer> = {
  'member.role_changed': each(roleChanged),
  'member.added': each(ownerMade),
  // Brought back by the command line as an owner, or by an identity provider as a Member.
  'member.reactivated': each((t, event) => (text(fields(event.after).directory) ? provisioned(t, event) : ownerMade(t, event))),
  'member.provisioned': each(provisioned),
  'member.profile_updated': each(profileUpdated),
  'member.left': each(left),
};

