import type { WebClient } from '@slack/web-api';
import type { PeopleDirectory } from '../team/people.js';

/**
 * Slack profiles as the domain's PeopleDirectory: users.info, which needs users:read.email for
 * the email. Someone from another organization (Slack Connect: `is_stranger`, or a home team
 * other than this workspace and outside its enterprise) has no profile here: their email must
 * never match — and so link — a member of this team.
 */
/** Slack's guests: multi-channel (is_restricted) and single-channel (is_ultra_restricted). */
export function isSlackGuest(user: { is_restricted?: boolean; is_ultra_restricted?: boolean }): boolean {
  return user.is_restricted === true || user.is_ultra_restricted === true;
}

export function slackPeopleDirectory(client: WebClient, home?: { teamId: string; enterpriseId?: string | undefined }): PeopleDirectory {
  return {
    async profile(userId) {
      try {
        const { user } = await client.users.info({ user: userId });
        if (!user || user.deleted || user.is_bot) return null;
        if (user.is_stranger) return null;
        const sameEnterprise = home?.enterpriseId !== undefined && user.enterprise_user?.enterprise_id === home.enterpriseId;
        if (home && user.team_id && user.team_id !== home.teamId && !sameEnterprise) return null;
        return {
          email: user.profile?.email ?? null,
          displayName: user.profile?.display_name || user.profile?.real_name || user.real_name || user.name || null,
          guest: isSlackGuest(user),
        };
      } catch (err) {
        if ((err as { data?: { error?: string } }).data?.error === 'user_not_found') return null;
        throw err;
      }
    },
  };
}
