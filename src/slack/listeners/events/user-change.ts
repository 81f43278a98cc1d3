import type { App } from '@slack/bolt';
import { accountDeactivated, accountEmailChanged, accountReactivated, SLACK_DIRECTORY } from '../../../team/directory-changes.js';
import { organizationOf } from '../../context.js';
import type { SlackDeps } from '../../deps.js';

/**
 * Slack tells us about every change to a workspace account (`user_change`, scope users:read).
 * A deactivated account (`deleted: true`) ends the linked membership (a reactivated one does
 * not bring it back: the owners are told); a new profile email becomes the member's email. Only accounts of this workspace count: someone from another
 * organization seen through a Slack Connect channel (another `team_id`, or `is_stranger`) is
 * never one of our members. The services are idempotent, so Slack's retries change nothing twice.
 */
export function registerUserChange(app: App, deps: SlackDeps): void {
  app.event('user_change', async ({ event, context }) => {
    const organization = organizationOf(context);
    const user = event.user;
    if (user.is_stranger || user.team_id !== organization.slack_team_id || user.is_bot) return;
    const target = { organizationId: organization.id, slackUserId: user.id, directory: SLACK_DIRECTORY };
    if (user.deleted) {
      const outcome = await accountDeactivated(deps.db, target);
      deps.log.info({ slackUserId: user.id, outcome }, 'user_change: account deactivated in Slack');
      return;
    }
    const reactivated = await accountReactivated(deps.db, target);
    if (reactivated === 'reported') deps.log.info({ slackUserId: user.id }, 'user_change: account reactivated in Slack, owners told');
    const email = user.profile.email;
    if (email) {
      const outcome = await accountEmailChanged(deps.db, { ...target, email });
      if (outcome !== 'unchanged' && outcome !== 'not_a_member') deps.log.info({ slackUserId: user.id, outcome }, 'user_change: profile email');
    }
  });
}
