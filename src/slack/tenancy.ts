import type { Db } from '../db/database.js';
import type { Organization } from '../db/schema.js';
import { ensureOrganization } from '../team/organizations.js';
import type { Logger } from '../logger.js';
import type { WorkspaceIdentity } from './identity.js';

/** Where a request says it comes from (Bolt's context: the workspace, its enterprise, an org-wide install). */
export interface RequestSource {
  teamId?: string | undefined;
  enterpriseId?: string | undefined;
  isEnterpriseInstall?: boolean | undefined;
}

/**
 * Which organization a request belongs to. The one place that decides it: a request whose
 * workspace this deployment does not serve gets `undefined`, and nothing is created for it.
 */
export interface Tenancy {
  organizationFor(source: RequestSource): Promise<Organization | undefined>;
  /** Slack took our access away (app_uninstalled, tokens_revoked): forget the tokens, keep the team. */
  lostAccess(organization: Organization, reason: 'app_uninstalled' | 'tokens_revoked'): Promise<void>;
}

/** The sentence a person from a workspace this deployment does not serve sees. */
export const FOREIGN_WORKSPACE_MESSAGE =
  "Team Manager isn't set up for this workspace: this installation serves another Slack workspace. Ask your Slack admin to add Team Manager here.";

/**
 * Single-workspace mode (SLACK_BOT_TOKEN): one token, one workspace, the one `auth.test` named
 * at start. A request correctly signed with our signing secret but from any other workspace —
 * another workspace of the same app, or a forged team id — is refused: before this, it quietly
 * got an organization of its own. With an org-wide Grid token every workspace of that
 * enterprise is the token's own and maps to the one organization.
 */
export function singleWorkspaceTenancy(deps: { db: Db; log: Logger; identity: WorkspaceIdentity; defaultTeamChannelId?: string | undefined }): Tenancy {
  const { identity } = deps;
  const serves = (source: RequestSource): boolean =>
    source.teamId === identity.teamId ||
    (identity.isEnterpriseInstall === true && identity.enterpriseId !== undefined && source.enterpriseId === identity.enterpriseId);
  return {
    async organizationFor(source) {
      if (!serves(source)) return undefined;
      // Read on every request (one indexed lookup; created at start, so normally just a read),
      // so that no decision is made on stale state.
      return ensureOrganization(
        deps.db,
        { slackTeamId: identity.teamId, name: identity.teamName, defaultTeamChannelId: deps.defaultTeamChannelId },
        'slack',
      );
    },
    async lostAccess(organization, reason) {
      // The token lives in the environment, not in our database: all we can do is say so loudly.
      deps.log.error({ organizationId: organization.id, reason }, 'Slack revoked SLACK_BOT_TOKEN: nothing reaches Slack until a new token is configured (reinstall the app and update SLACK_BOT_TOKEN)');
    },
  };
}
