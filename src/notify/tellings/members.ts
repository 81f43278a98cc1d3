import type { AuditEvent, Role } from '../../db/schema.js';
import { roleLabel } from '../../team/people.js';
import { memberLabel } from '../../slack/mrkdwn.js';
import { fields, type Renderer, type Telling } from './context.js';
import { restorable } from './restorable.js';

/** Roles, owners made from the command line, leaving: what the team channel and the person hear. */

const role = (value: unknown): Role | null => (value === 'owner' || value === 'member' ? value : null);

/** A member changed someone's role: the channel hears it, the person gets a DM (unless they did it), both Homes change. */
async function roleChanged(t: Telling, event: AuditEvent): Promise<void> {
  const target = await t.member(event.target_id);
  if (!target) return;
  const actor = await t.actor(event);
  if (!actor) return ownerMade(t, event); // the command line or the server's bootstrap (ensureOwner)
  const from = role(fields(event.before).role);
  const to = role(fields(event.after).role);
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
  t.teamChannel(`:leftwards_arrow_with_hook: ${memberLabel(actor)} restored ${memberLabel(member)} to the team as ${as === 'owner' ? 'an' : 'a'} ${roleLabel(as)}.`);
  t.dm(member, `:leftwards_arrow_with_hook: ${memberLabel(actor)} restored your access to ${t.organization.name}'s team in Team Manager, as ${as === 'owner' ? 'an' : 'a'} ${roleLabel(as)}.`);
  t.homes([actor.slack_user_id, member.slack_user_id]);
}

const each =
  (render: (t: Telling, event: AuditEvent) => Promise<void>): Renderer =>
  async (t, events) => {
    for (const event of events) await render(t, event);
  };

export const memberRenderers: Record<string, Renderer> = {
  'member.role_changed': each(roleChanged),
  'member.added': each(ownerMade),
  'member.reactivated': each(ownerMade),
  'member.left': each(left),
  'member.restored': each(restored),
};

export { each };
