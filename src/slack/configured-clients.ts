import { WebClient } from '@slack/web-api';
import type { Config } from '../config.js';
import type { Db } from '../db/database.js';
import type { Logger } from '../logger.js';
import { createWorkerSlackClient } from './delivery.js';
import { installationClients, singleWorkspaceClients, type SlackClients } from './clients.js';
import { postgresInstallationStore, type PostgresInstallationStore } from './installations/installation-store.js';
import { tokenCipher } from '../crypto/token-cipher.js';
import { slackPeopleDirectory } from './people-directory.js';

/**
 * A distributed deployment's installations as configured (SLACK_CLIENT_ID…): the store Bolt's
 * installer and the tenancy use, and the per-organization clients of the jobs. The one place
 * both the web process and a separate worker process build them from, so both refresh rotating
 * tokens the same way, under the same row lock.
 */
export function configuredInstallations(config: Pick<Config, 'slack'>, db: Db, log: Logger): { store: PostgresInstallationStore; clients: SlackClients } {
  const oauth = config.slack.oauth;
  if (!oauth?.tokenKey) throw new Error('distributed mode needs SLACK_CLIENT_ID and TOKEN_ENCRYPTION_KEY');
  const apiUrl = config.slack.apiUrl;
  const noToken = new WebClient(undefined, { ...(apiUrl ? { slackApiUrl: apiUrl } : {}), retryConfig: { retries: 2, minTimeout: 200, maxTimeout: 2_000 }, timeout: 10_000 });
  const store = postgresInstallationStore({
    db,
    cipher: tokenCipher(oauth.tokenKey),
    log,
    peopleWith: (token) => slackPeopleDirectory(createWorkerSlackClient(token, apiUrl, log)),
    async refresh(refreshToken) {
      const answer = await noToken.oauth.v2.access({
        client_id: oauth.clientId,
        client_secret: oauth.clientSecret,
        grant_type: 'refresh_token',
        refresh_token: refreshToken,
      });
      if (!answer.access_token || !answer.refresh_token || !answer.expires_in) throw new Error('oauth.v2.access gave no rotated token');
      return { accessToken: answer.access_token, refreshToken: answer.refresh_token, expiresInSec: answer.expires_in };
    },
  });
  const clients = installationClients({ botTokenOf: (organizationId) => store.botTokenOf(organizationId), makeClient: (token) => createWorkerSlackClient(token, apiUrl, log) });
  return { store, clients };
}

/** The worker's clients as configured: the one token, or each installation's (no retries of their own, see slack-delivery.ts). */
export function workerSlackClients(config: Pick<Config, 'slack'>, db: Db, log: Logger): SlackClients {
  if (!config.slack.oauth) return singleWorkspaceClients(createWorkerSlackClient(config.slack.botToken, config.slack.apiUrl, log));
  return configuredInstallations(config, db, log).clients;
}
