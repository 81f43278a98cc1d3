import type { WebClient } from '@slack/web-api';
import { UndeliverableError, type SlackClients } from './delivery.js';
import type { PeopleDirectory } from '../team/people.js';
import { slackPeopleDirectory } from './people-directory.js';

/**
 * Which Web API client serves an organization (the interface lives with the deliveries that use
 * it, src/slack/delivery.ts): one client in single-workspace mode; in a distributed
 * deployment one per installation, with that installation's token read when the work runs — so
 * a reinstall's new token is used at once, and an uninstalled workspace's jobs stop
 * (UndeliverableError: finished, not retried for hours).
 */
export type { SlackClients };

/** Single-workspace mode: SLACK_BOT_TOKEN serves its one organization. */
export function singleWorkspaceClients(client: WebClient): SlackClients {
  return { forOrganization: async () => client };
}

/**
 * Distributed mode: the installation's bot token, decrypted when the work runs. A client is
 * kept per organization while its token stays the same (WebClient holds an HTTP agent).
 */
export function installationClients(deps: {
  botTokenOf(organizationId: string): Promise<string | undefined>;
  makeClient(token: string): WebClient;
}): SlackClients {
  const cache = new Map<string, { token: string; client: WebClient }>();
  return {
    async forOrganization(organizationId) {
      const token = await deps.botTokenOf(organizationId);
      if (!token) {
        cache.delete(organizationId);
        throw new UndeliverableError('not_installed');
      }
      const cached = cache.get(organizationId);
      if (cached?.token === token) return cached.client;
      const client = deps.makeClient(token);
      cache.set(organizationId, { token, client });
      return client;
    },
  };
}

/** Slack profiles of an organization's workspace, read with that organization's token. */
export function peopleOf(clients: SlackClients, organizationId: string): PeopleDirectory {
  return {
    async profile(userId) {
      return slackPeopleDirectory(await clients.forOrganization(organizationId)).profile(userId);
    },
  };
}
