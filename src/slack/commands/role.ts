import { changeRole } from '../../team/members.js';
import { parseOwnerTerm } from '../../team/owner-terms.js';
import { roleLabel } from '../../team/people.js';
import { memberLabel, timeLabel } from '../mrkdwn.js';
import type { Role } from '../../db/schema.js';
import { findNamedMember } from '../targets.js';
import { parsePersonRef } from './person-ref.js';
import { withUndoButton } from '../blocks/restore-undo.js';
import type { Subcommand } from '../deps.js';

const ROLES: Record<string, Role> = { owner: 'owner', member: 'member' };
const USAGE = '@person owner|member [for 4h|1d|7d|YYYY-MM-DD HH:MM]';

export function roleSubcommand(): Subcommand {
  return {
    name: 'role',
    usage: USAGE,
    summary: "change someone's role (an owner for a while with `for`)",
    audience: 'members',
    ownersOnly: true,
    async run(ctx) {
      const [who, roleWord, forWord, ...term] = ctx.parsed.args;
      const ref = parsePersonRef(who);
      const role = roleWord ? ROLES[roleWord.toLowerCase()] : undefined;
      const timed = forWord?.toLowerCase() === 'for' && term.length > 0;
      if (!ref || !role || (forWord !== undefined && !timed)) {
        return { text: `Usage: \`${ctx.command} role ${USAGE}\` (a mention or an email address, the new role, and for an owner optionally until when, in UTC).` };
      }
      if (timed && role !== 'owner') return { text: 'Only an ownership can be for a while: `owner for 4h`. A member stays a member until someone changes it.' };
      const now = new Date();
      const ownerUntil = timed ? parseOwnerTerm(term.join(' '), now) : null;
      const target = await findNamedMember(ctx.deps, ctx.organization, ref);
      const result = await changeRole(ctx.deps.db, {
        organizationId: ctx.organization.id,
        actorMemberId: ctx.actor?.id ?? null,
        targetMemberId: target.id,
        role,
        ownerUntil,
        source: 'slack',
        now,
      });
      const until = ownerUntil ? ` until ${timeLabel(ownerUntil)}` : '';
      if (result.request) {
        return {
          text: result.alreadyPending
            ? `:hourglass_flowing_sand: A request to make ${memberLabel(result.member)} an owner is already waiting for another owner; nothing new was asked.`
            : `:hourglass_flowing_sand: Requested, waiting for another owner: ${memberLabel(result.member)} becomes an owner${until} once another owner approves in the approvals channel.`,
        };
      }
      const { member, previousRole, previousOwnerUntil, eventId } = result;
      let text: string;
      if (previousRole === role) {
        const was = previousOwnerUntil ? `an owner until ${timeLabel(previousOwnerUntil)}` : 'a permanent owner';
        text = `:white_check_mark: ${memberLabel(member)} is now ${ownerUntil ? `an owner${until}` : 'a permanent owner'} (was ${was}).`;
      } else {
        text = `:white_check_mark: ${memberLabel(member)} is now ${role === 'owner' ? 'an' : 'a'} ${roleLabel(role)}${until} (was ${roleLabel(previousRole)}).`;
      }
      // Undo for 5 minutes: src/slack/listeners/actions/undo.ts, checked by src/team/undo.ts.
      return eventId ? { text, blocks: withUndoButton(text, eventId) } : { text };
    },
  };
}
