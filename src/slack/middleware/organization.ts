import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import type { Db } from '../../db/database.js';
import { ensureOrganization } from '../../team/organizations.js';
import { setOrganization } from '../context.js';

/**
 * Resolves the workspace a request comes from to its organization, read from the database
 * on every request (one indexed lookup) so that no decision is made on stale state.
 */
export function loadOrganization(deps: { db: Db; defaultTeamChannelId?: string | undefined }): Middleware<AnyMiddlewareArgs> {
  return async ({ context, next }) => {
    const teamId = context.teamId ?? context.enterpriseId;
    if (!teamId) throw new Error('request carries no workspace id');
    const organization = await ensureOrganization(
      deps.db,
      { slackTeamId: teamId, name: teamId, defaultTeamChannelId: deps.defaultTeamChannelId },
      'slack',
    );
    setOrganization(context, organization);
    await next();
  };
}
