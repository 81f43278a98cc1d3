import type { App } from '@slack/bolt';
import { accountJoined, SLACK_DIRECTORY } from '../../../team/directory-changes.js';
import { organizationOf } from '../../context.js';
import { directoryAccountOf, type SlackAccount } from '../../directory-sync.js';
import type { SlackDeps } from '../../deps.js';

/**
 * Someone joined the workspace (`team_join`, scope users:read; the user object carries the
 * email with users:read.email). With the team's setting "Invite new workspace members
 * automatically" on, an account at an allowed domain is invited as Member through the normal
 * invitation path (src/team/directory-changes.ts accountJoined); bots and people of other
 * organizations are nobody of ours (directoryAccountOf) and are dropped here. Slack's retries
 * and repeats invite once: the invitation rules refuse a second pending invitation.
 */
export function registerTeamJoin(app: App, deps: SlackDeps): void {
  app.event('team_join', async ({ event, context }) => {
    const organization = organizationOf(context);
    const account = directoryAccountOf(event.user as SlackAccount, organization);
    if (!account) {
      deps.log.debug({ slackUserId: (event.user as SlackAccount).id }, 'team_join: not a person of this workspace, not invited');
      return;
    }
    const outcome = await accountJoined(deps.db, { organizationId: organization.id, account, directory: SLACK_DIRECTORY });
    if (outcome === 'invited') deps.log.info({ slackUserId: account.userId }, 'team_join: invited as Member (auto-invite)');
    else deps.log.debug({ slackUserId: account.userId, outcome }, 'team_join: not invited');
  });
}
