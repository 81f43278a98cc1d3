import type { App } from '@slack/bolt';
import { SLACK_DIRECTORY } from '../../../team/directory-changes.js';
import { applyDirectoryAccount } from '../../../team/directory-sync.js';
import { organizationOf } from '../../context.js';
import { directoryAccountOf } from '../../directory-sync.js';
import type { SlackDeps } from '../../deps.js';

/**
 * Slack tells us about every change to a workspace account (`user_change`, scope users:read).
 * A deactivated account (`deleted: true`) ends the linked membership (a reactivated one does
 * not bring it back: the owners are told); a new profile email becomes the member's email.
 * Which accounts count, and the rule, are the ones the daily sweep uses (../../directory-sync.ts),
 * so a missed event ends the same way a day later. The services are idempotent, so Slack's
 * retries change nothing twice.
 */
export function registerUserChange(app: App, deps: SlackDeps): void {
  app.event('user_change', async ({ event, context }) => {
    const organization = organizationOf(context);
    const account = directoryAccountOf(event.user, organization);
    if (!account) return;
    const outcome = await applyDirectoryAccount(deps.db, organization.id, account, SLACK_DIRECTORY);
    if (outcome.deactivation) deps.log.info({ slackUserId: account.userId, outcome: outcome.deactivation }, 'user_change: account deactivated in Slack');
    if (outcome.reactivation === 'reported') deps.log.info({ slackUserId: account.userId }, 'user_change: account reactivated in Slack, owners told');
    if (outcome.email && outcome.email !== 'unchanged' && outcome.email !== 'not_a_member') deps.log.info({ slackUserId: account.userId, outcome: outcome.email }, 'user_change: profile email');
    if (outcome.guest === 'changed') deps.log.info({ slackUserId: account.userId, guest: account.guest }, 'user_change: guest status');
  });
}
