import { pendingPage } from '../pending-page.js';
import type { Subcommand } from '../deps.js';

export function pendingSubcommand(): Subcommand {
  return {
    name: 'pending',
    usage: '',
    summary: 'pending invitations, with Resend and Cancel for owners',
    audience: 'members',
    run: (ctx) => pendingPage(ctx.deps, ctx.organization, ctx.actor),
  };
}
