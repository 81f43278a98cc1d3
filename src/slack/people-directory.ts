import type { WebClient } from '@slack/web-api';
import type { PeopleDirectory } from '../team/people.js';

/** Slack profiles as the domain's PeopleDirectory: users.info, which needs users:read.email for the email. */
export function slackPeopleDirectory(client: WebClient): PeopleDirectory {
  return {
    async profile(userId) {
      try {
        const { user } = await client.users.info({ user: userId });
        if (!user || user.deleted || user.is_bot) return null;
        return {
          email: user.profile?.email ?? null,
          displayName: user.profile?.display_name || user.profile?.real_name || user.real_name || user.name || null,
        };
      } catch (err) {
        if ((err as { data?: { error?: string } }).data?.error === 'user_not_found') return null;
        throw err;
      }
    },
  };
}
