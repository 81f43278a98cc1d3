import { decide } from '../../team/policy.js';
import { splitAddresses } from '../../team/invitation-rules.js';
import { inviteModal } from '../blocks/invite-modal.js';
import type { Subcommand } from '../deps.js';

/** With `should_escape`, Slack sends a typed address as `<mailto:a@b.c|a@b.c>`: keep the address. */
function unwrapMailto(word: string): string {
  return /^<mailto:([^|>]+)(?:\|[^>]*)?>$/.exec(word)?.[1] ?? word;
}

/**
 * `/team invite [addresses…]`: opens the invite modal at once (the trigger_id lives 3 s), with
 * any addresses typed after the command prefilled. Members get the policy's sentence instead;
 * the service checks again, with the actor read at submission.
 */
export function inviteSubcommand(): Subcommand {
  return {
    name: 'invite',
    usage: '[email addresses]',
    summary: 'invite people by email (opens a form)',
    audience: 'members',
    ownersOnly: true,
    async run(ctx) {
      const decision = decide(ctx.actor, 'member.invite', ctx.organization.id);
      if (!decision.allowed) return { text: decision.reason! };
      const view = inviteModal({
        addresses: splitAddresses(ctx.parsed.rest).map(unwrapMailto),
        allowedDomains: ctx.organization.allowed_email_domains,
        expiryDays: ctx.organization.invitation_expiry_days,
      });
      await ctx.client.views.open({ trigger_id: ctx.triggerId, view: view });
      return null;
    },
  };
}
