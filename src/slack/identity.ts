import { WebAPIPlatformError, WebClient } from '@slack/web-api';
import type { Config } from '../config.js';

export interface WorkspaceIdentity {
  teamId: string;
  teamName: string;
  botId: string;
  botUserId: string;
  /** The Enterprise Grid organization the workspace belongs to, if any. */
  enterpriseId?: string | undefined;
  /** The token is an org-wide install: every workspace of the enterprise is served by it. */
  isEnterpriseInstall?: boolean;
}

/**
 * Asks Slack who our bot token belongs to (`auth.test`). Run once at start: it proves the
 * token works before we accept traffic and tells us the workspace this instance serves.
 */
export async function identifyWorkspace(config: Pick<Config, 'slack'>): Promise<WorkspaceIdentity> {
  const client = new WebClient(config.slack.botToken, {
    ...(config.slack.apiUrl ? { slackApiUrl: config.slack.apiUrl } : {}),
    retryConfig: { retries: 2, minTimeout: 200, maxTimeout: 2_000 },
    timeout: 10_000,
  });
  try {
    const result = await client.auth.test();
    if (!result.team_id || !result.user_id || !result.bot_id) {
      throw new Error('auth.test did not return a team and bot: is SLACK_BOT_TOKEN a bot token (xoxb-)?');
    }
    return {
      teamId: result.team_id,
      teamName: result.team ?? result.team_id,
      botId: result.bot_id,
      botUserId: result.user_id,
      ...(result.enterprise_id ? { enterpriseId: result.enterprise_id } : {}),
      isEnterpriseInstall: result.is_enterprise_install === true,
    };
  } catch (err) {
    if (err instanceof WebAPIPlatformError) {
      throw new Error(`Slack refused SLACK_BOT_TOKEN (${err.data.error}): copy the Bot User OAuth Token again from the app's "OAuth & Permissions" page.`, { cause: err });
    }
    throw new Error(
      `Could not reach Slack at ${config.slack.apiUrl ?? 'https://slack.com/api/'} to check SLACK_BOT_TOKEN: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
}
