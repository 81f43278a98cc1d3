import type { App } from '@slack/bolt';
import { organizationOf } from '../../context.js';
import type { SlackDeps } from '../../deps.js';

/**
 * The app was uninstalled from the workspace, or its bot token revoked: the tokens go at once
 * (src/slack/tenancy.ts decides what that means in each mode), the team's data stays for a
 * reinstall. Queued deliveries for the organization then find no token and finish as
 * undeliverable (src/slack/clients.ts), each with a log line, instead of retrying for hours.
 */
export function registerAppUninstalled(app: App, deps: SlackDeps): void {
  app.event('app_uninstalled', async ({ context }) => {
    await deps.tenancy.lostAccess(organizationOf(context), 'app_uninstalled');
  });
  app.event('tokens_revoked', async ({ event, context }) => {
    // User tokens (we ask for none) do not matter; only the bot's.
    if ((event.tokens.bot ?? []).length === 0) return;
    await deps.tenancy.lostAccess(organizationOf(context), 'tokens_revoked');
  });
}
