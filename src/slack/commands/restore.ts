import { restoreMember } from '../../team/restore.js';
import { roleLabel } from '../../team/people.js';
import { memberLabel } from '../mrkdwn.js';
import { findFormerMember } from '../targets.js';
import { parsePersonRef } from './person-ref.js';
import type { Subcommand } from '../deps.js';

/** `/team restore @person`: brings back a removed member within the restore window (src/team/restore.ts decides). */
export function restoreSubcommand(): Subcommand {
  return {
    name: 'restore',
    usage: '@person',
    summary: 'bring back someone removed recently, with their role and history',
    audience: 'members',
    ownersOnly: true,
    async run(ctx) {
      const ref = parsePersonRef(ctx.parsed.args[0]);
      if (!ref || ctx.parsed.args.length > 1) {
        return { text: `Usage: \`${ctx.command} restore @person\` (a mention or an email address of someone who was removed).` };
      }
      const target = await findFormerMember(ctx.deps, ctx.organization, ref);
      const { member } = await restoreMember(ctx.deps.db, {
        organizationId: ctx.organization.id,
        actorMemberId: ctx.actor?.id ?? null,
        targetMemberId: target.id,
        source: 'slack',
      });
      return { text: restoredText(member) };
    },
  };
}

export function restoredText(member: Parameters<typeof memberLabel>[0] & { role: 'owner' | 'member' }): string {
  return `:white_check_mark: ${memberLabel(member)} is back in the team as ${member.role === 'owner' ? 'an' : 'a'} ${roleLabel(member.role)}.`;
}
