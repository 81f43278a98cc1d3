import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from './config.js';
import { createLogger, type Logger } from './logger.js';
import { connectDatabase, type DatabaseHandle } from './db/connect.js';
import { startConfiguredWorker } from './job-runner/configured-worker.js';
import { createWorkerSlackClient } from './slack/delivery.js';
import type { Db } from './db/database.js';
import { createSlackApp, type SlackAuth } from './slack/app.js';
import { peopleOf } from './slack/clients.js';
import { configuredInstallations } from './slack/configured-clients.js';
import type { PeopleDirectory } from './team/people.js';
import { buildSubcommands } from './slack/commands/subcommands.js';
import { identifyWorkspace, type WorkspaceIdentity } from './slack/identity.js';
import { slackPeopleDirectory } from './slack/people-directory.js';
import { singleWorkspaceTenancy, type Tenancy } from './slack/tenancy.js';
import { ensureOrganization } from './team/organizations.js';
import { bootstrapOwners } from './team/bootstrap.js';
import { createWebApp, finishWebApp } from './web/server.js';
import { createMetrics, slackListenerLabel } from './web/metrics.js';
import { webhookDepsOf } from './webhooks/configured.js';
import { installTellings } from './tellings.js';

export interface TeamManager {
  /** Base URL the HTTP server listens on, e.g. http://127.0.0.1:3000 */
  url: string;
  port: number;
  database: DatabaseHandle;
  log: Logger;
  /** Drains requests and jobs, then closes the database (and the embedded server). Idempotent. */
  stop(): Promise<void>;
}

export interface StartOptions {
  log?: Logger;
  /** Host to bind; 127.0.0.1 in tests. */
  host?: string;
  /** Longest wait for in-flight work on stop. */
  drainTimeoutMs?: number;
  /** More routes on the app's HTTP server, before the JSON 404 (the local Slack's page). */
  routes?: (web: import('express').Express) => void;
}

/**
 * The composition root: config → logger → (Slack identity) → database → workspaces (one
 * token's, or every installation's) → web + Slack app → worker. main.ts, the tests, the demo and the benchmark all start the
 * app through this one function, so they run the same thing.
 */
export async function startTeamManager(config: Readonly<Config>, options: StartOptions = {}): Promise<TeamManager> {
  installTellings();
  const log = options.log ?? createLogger(config.log);
  // Single workspace: prove the token works before anything else starts.
  const identity = config.slack.oauth ? undefined : await identifyWorkspace(config);
  if (identity) log.info({ team: identity.teamId, socketMode: config.slack.socketMode }, 'connected to Slack');

  const database = await connectDatabase(config, log, { exclusive: true, cacheOrganizations: true });
  const cleanups: Array<() => Promise<void>> = [() => database.close()];
  try {
    const metrics = config.metrics.enabled ? createMetrics({ pool: database.pool }) : undefined;
    if (metrics) cleanups.unshift(async () => metrics.close());
    const web = createWebApp({ db: database.db, log, webhooks: webhookDepsOf(config), api: { rateLimit: config.api.rateLimit }, ...(metrics ? { metrics } : {}) });
    const workspaces = identity ? await oneWorkspace(config, database.db, identity, log) : manyWorkspaces(config, database.db, log);
    const slack = createSlackApp(config, web, workspaces.auth, {
      db: database.db,
      log,
      peopleFor: workspaces.peopleFor,
      command: '/team',
      subcommands: buildSubcommands(),
      tenancy: workspaces.tenancy,
      webhooks: webhookDepsOf(config),
      ...(metrics ? { ackTimer: { slackAck: metrics.slackAck, labelOf: slackListenerLabel } } : {}),
    });
    options.routes?.(web);
    finishWebApp(web);

    const server = http.createServer(web);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.http.port, options.host, () => resolve());
    });
    const port = (server.address() as AddressInfo).port;
    cleanups.unshift(async () => {
      // Stop accepting, let in-flight HTTP finish, then wait for listeners still working after their ack.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await closed;
      if (!(await slack.inFlight.drained(options.drainTimeoutMs ?? 10_000))) {
        log.warn({ inFlight: slack.inFlight.size }, 'stopped waiting for in-flight Slack requests');
      }
    });
    if (slack.socketMode) {
      await slack.app.start();
      cleanups.unshift(() => slack.app.stop() as Promise<void>);
    }

    let worker: { stop(): Promise<void> } | undefined;
    if (config.worker.enabled) {
      worker = await startConfiguredWorker(config, database, log, metrics);
      // After the HTTP side has drained (requests may still enqueue jobs), stop taking jobs
      // and let running ones finish.
      const running = worker;
      cleanups.splice(cleanups.length - 1, 0, () => running.stop());
    }

    const url = `http://${options.host ?? '127.0.0.1'}:${port}`;
    log.info({ port, url, worker: Boolean(worker), embeddedDatabase: Boolean(database.embedded) }, 'Team Manager is listening');

    let stopping: Promise<void> | undefined;
    return {
      url,
      port,
      database,
      log,
      stop: () => (stopping ??= runCleanups(cleanups, log)),
    };
  } catch (err) {
    await runCleanups(cleanups, log);
    throw err;
  }
}

interface Workspaces {
  auth: SlackAuth;
  tenancy: Tenancy;
  peopleFor(organizationId: string): PeopleDirectory;
}

/** SLACK_BOT_TOKEN: the organization of the token's workspace, made at start, and its first owners. */
async function oneWorkspace(config: Readonly<Config>, db: Db, identity: WorkspaceIdentity, log: Logger): Promise<Workspaces> {
  const organization = await ensureOrganization(db, {
    slackTeamId: identity.teamId,
    name: identity.teamName,
    defaultTeamChannelId: config.slack.teamChannel,
  });
  await bootstrapOwners(db, organization.id, config.bootstrapOwnerEmails, log);
  const people = slackPeopleDirectory(createWorkerSlackClient(config.slack.botToken, config.slack.apiUrl, log), {
    teamId: identity.teamId,
    enterpriseId: identity.enterpriseId,
  });
  return {
    auth: { kind: 'token', token: config.slack.botToken, botId: identity.botId, botUserId: identity.botUserId },
    tenancy: singleWorkspaceTenancy({ db, log, identity, defaultTeamChannelId: config.slack.teamChannel }),
    peopleFor: () => people,
  };
}

/**
 * SLACK_CLIENT_ID: each workspace adds the app through OAuth; its installation (tokens sealed
 * with TOKEN_ENCRYPTION_KEY) is its organization, and every request and job uses its token.
 */
function manyWorkspaces(config: Readonly<Config>, db: Db, log: Logger): Workspaces {
  const oauth = config.slack.oauth!;
  const { store, clients } = configuredInstallations(config, db, log);
  return {
    auth: { kind: 'oauth', clientId: oauth.clientId, clientSecret: oauth.clientSecret, stateSecret: oauth.stateSecret, installationStore: store, directInstall: oauth.directInstall },
    tenancy: store,
    peopleFor: (organizationId) => peopleOf(clients, organizationId),
  };
}

async function runCleanups(cleanups: Array<() => Promise<void>>, log: Logger): Promise<void> {
  for (const cleanup of cleanups) {
    try {
      await cleanup();
    } catch (err) {
      log.error({ err }, 'error while stopping');
    }
  }
  log.info('Team Manager stopped');
}
