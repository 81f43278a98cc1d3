import { changeRole } from '../../team/members.js';
import { roleLabel } from '../../team/people.js';
import { memberLabel } from '../mrkdwn.js';
import type { Role } from '../../db/schema.js';
import { findNamedMember } from '../targets.js';
import { parsePersonRef } from './person-ref.js';
import { withUndoButton } from '../blocks/restore-undo.js';
import type { Subcommand } from '../deps.js';

const ROLES: Record<string, Role> = { owner: 'owner', member: 'member' };

export function roleSubcommand(): Subcommand {
  return {
    name: 'role',
    usage: '@person owner|member',
    summary: "change someone's role",
    audience: 'members',
    ownersOnly: true,
    async run(ctx) {
      const [who, roleWord, ...extra] = ctx.parsed.args;
      const ref = parsePersonRef(who);
      const role = roleWord ? ROLES[roleWord.toLowerCase()] : undefined;
      if (!ref || !role || extra.length > 0) {
        return { text: `Usage: \`${ctx.command} role @person owner|member\` (a mention or an email address, then the new role).` };
      }
      const target = await findNamedMember(ctx.deps, ctx.organization, ref);
      const { member, previousRole, eventId } = await changeRole(ctx.deps.db, {
        organizationId: ctx.organization.id,
        actorMemberId: ctx.actor?.id ?? null,
        targetMemberId: target.id,
        role,
        source: 'slack',
      });
      const text = `:white_check_mark: ${memberLabel(member)} is now ${role === 'owner' ? 'an' : 'a'} ${roleLabel(role)} (was ${roleLabel(previousRole)}).`;
      // Undo for 5 minutes: src/slack/listeners/actions/undo.ts, checked by src/team/undo.ts.
      return { text, blocks: withUndoButton(text, eventId) };
    },
  };
}
