import { previewRemoval } from '../../team/removals.js';
import { removeModal } from '../blocks/remove-modal.js';
import { findNamedMember } from '../targets.js';
import { parsePersonRef } from './person-ref.js';
import { typedText } from './parse.js';
import type { Subcommand } from '../deps.js';

/**
 * `/team remove @person [reason…]`: opens the Remove modal at once (the trigger_id lives 3 s),
 * with the rest of the line prefilled as the reason. The preview runs the removal's own checks,
 * so a member, someone naming themselves or the last owner is refused here (an AppError, shown
 * by the dispatcher's error replies) instead of being shown a form they could not submit.
 */
export function removeSubcommand(): Subcommand {
  return {
    name: 'remove',
    usage: '@person [reason]',
    summary: "remove someone from the team (opens a form; may need another owner's approval)",
    audience: 'members',
    ownersOnly: true,
    async run(ctx) {
      const ref = parsePersonRef(ctx.parsed.args[0]);
      if (!ref) {
        return { text: `Usage: \`${ctx.command} remove @person [reason]\` (a mention or an email address, then an optional reason).` };
      }
      // The reason is the text after the person, as typed: several words, line breaks and all.
      const reason = typedText(ctx.parsed.rest.replace(/^\S+\s*/, ''));
      const target = await findNamedMember(ctx.deps, ctx.organization, ref);
      const preview = await previewRemoval(ctx.deps.db, {
        organizationId: ctx.organization.id,
        actorMemberId: ctx.actor?.id ?? null,
        targetMemberId: target.id,
      });
      const view = removeModal({ preview, organization: ctx.organization, reason, viewerMemberId: ctx.actor?.id });
      await ctx.client.views.open({ trigger_id: ctx.triggerId, view: view });
      return null;
    },
  };
}
