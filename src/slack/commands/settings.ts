import { decide } from '../../team/policy.js';
import { settingsModal } from '../blocks/settings-modal.js';
import type { Subcommand } from '../deps.js';

/**
 * `/team settings`: opens the settings modal. The trigger_id lives 3 s and works once, so the
 * modal is opened straight away from what this request already read (the organization row and
 * the actor, both fresh from the database); saving re-checks everything in its transaction.
 */
export function settingsSubcommand(): Subcommand {
  return {
    name: 'settings',
    usage: '',
    summary: 'team channel, approvals, invitation expiry, allowed domains, SSO, access reviews',
    audience: 'members',
    ownersOnly: true,
    async run(ctx) {
      const decision = decide(ctx.actor, 'settings.view', ctx.organization.id);
      if (!decision.allowed) return { text: decision.reason! };
      await ctx.client.views.open({ trigger_id: ctx.triggerId, view: settingsModal(ctx.organization) });
      return null;
    },
  };
}
