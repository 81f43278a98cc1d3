import { webhooksPage } from '../webhooks-page.js';
import type { Subcommand } from '../deps.js';

export function webhooksSubcommand(): Subcommand {
  return {
    name: 'webhooks',
    usage: '',
    summary: 'webhook endpoints with their status and recent deliveries; pause, resume, rotate the secret, delete',
    audience: 'members',
    ownersOnly: true,
    run: (ctx) => webhooksPage(ctx.deps.db, ctx.organization, ctx.actor),
  };
}
