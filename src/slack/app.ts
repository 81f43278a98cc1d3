import { App, AuthorizationError, ExpressReceiver, SocketModeReceiver, type InstallationStore, type Receiver } from '@slack/bolt';
import type { Express } from 'express';
import type { Config } from '../config.js';
import { boltLogger } from '../logger.js';
import { ackClicksFirst } from './ack-clicks-first.js';
import { timeAcks } from './ack-timing.js';
import type { SlackDeps } from './deps.js';
import { registerListeners } from './listeners/index.js';
import { trackSlackActivity } from './middleware/activity-tracking.js';
import { errorReplies } from './middleware/error-replies.js';
import { InFlight } from './middleware/in-flight.js';
import { loadOrganization } from './middleware/organization.js';
import { wellFormedViewState } from './middleware/view-state.js';
import { BOT_SCOPES } from './scopes.js';

/**
 * How Bolt authorises requests: single-workspace mode has one bot token (its ids known from
 * auth.test, so Bolt makes no call of its own); distributed mode has an installation per
 * workspace, added through "Add to Slack" (GET /slack/install → Slack → /slack/oauth_redirect),
 * and each request is served with its own installation's token.
 */
export type SlackAuth =
  | { kind: 'token'; token: string; botId: string; botUserId: string }
  | { kind: 'oauth'; clientId: string; clientSecret: string; stateSecret: string; installationStore: InstallationStore; directInstall: boolean };

export interface SlackApp {
  app: App;
  inFlight: InFlight;
  socketMode: boolean;
}

/**
 * Bolt, in HTTP mode (on our Express app, signatures checked with the signing secret) or in
 * Socket Mode (app token; Slack's traffic arrives over a WebSocket and the Express app only
 * serves our own routes).
 */
export function createSlackApp(config: Pick<Config, 'slack'>, web: Express, auth: SlackAuth, deps: SlackDeps): SlackApp {
  const logger = boltLogger(deps.log);
  const clientOptions = {
    ...(config.slack.apiUrl ? { slackApiUrl: config.slack.apiUrl } : {}),
    // A person is waiting on the request path: a couple of quick retries, never Slack's
    // default of retrying for half an hour.
    retryConfig: { retries: 2, factor: 2, minTimeout: 200, maxTimeout: 1_000 },
    timeout: 5_000,
  };
  const receiver: Receiver = config.slack.socketMode
    ? new SocketModeReceiver({
        appToken: config.slack.appToken!,
        logger,
        // A receiver built by us (rather than by Bolt) gets no client options from the App:
        // without these it would call slack.com whatever SLACK_API_URL says, and retry for ages.
        installerOptions: { clientOptions },
      })
    : new ExpressReceiver({
        signingSecret: config.slack.signingSecret,
        app: web,
        logger,
        endpoints: '/slack/events',
        ...(auth.kind === 'oauth'
          ? {
              clientId: auth.clientId,
              clientSecret: auth.clientSecret,
              stateSecret: auth.stateSecret,
              scopes: [...BOT_SCOPES],
              installationStore: auth.installationStore,
              installerOptions: {
                installPath: '/slack/install',
                redirectUriPath: '/slack/oauth_redirect',
                // The state is signed with SLACK_STATE_SECRET and bound to the browser by a cookie.
                stateVerification: true,
                directInstall: auth.directInstall,
                // The OAuth exchange (oauth.v2.access) goes where the Web API goes (SLACK_API_URL).
                clientOptions,
                ...(config.slack.apiUrl ? { authorizationUrl: new URL('../oauth/v2/authorize', config.slack.apiUrl).toString() } : {}),
              },
            }
          : {}),
        processBeforeResponse: false,
        // A correctly signed body Bolt cannot make sense of (payload=null, no user, actions not
        // a list…) throws inside Bolt before our middleware runs; Bolt's default answers 500.
        // It is the sender's fault and nothing has changed: 400, logged as a warning.
        processEventErrorHandler: async ({ error, response }) => {
          if (response.headersSent) return false;
          if (error instanceof AuthorizationError) {
            response.writeHead(401).end();
            return true;
          }
          deps.log.warn({ err: error }, 'Slack request could not be processed (malformed payload?); answered 400');
          response.writeHead(400).end();
          return true;
        },
      });
  const app = new App({
    receiver,
    // Single workspace: ids known from auth.test at start, so Bolt needs no auth.test call of
    // its own. Distributed: the receiver's installer authorises each request from its installation.
    ...(auth.kind === 'token' ? { token: auth.token, botId: auth.botId, botUserId: auth.botUserId } : {}),
    logger,
    clientOptions,
    // Bolt's conversation store (context.conversation) is unused here: without it, every
    // request skips a middleware and a Map lookup that showed in the throughput profile.
    convoStore: false,
  });

  ackClicksFirst(app);
  if (deps.ackTimer) timeAcks(app, deps.ackTimer);
  const inFlight = new InFlight();
  app.use(inFlight.middleware);
  // After the rest of the chain (and so after the ack): see the middleware.
  app.use(trackSlackActivity({ db: deps.db, log: deps.log }));
  app.use(errorReplies(deps.log));
  app.use(wellFormedViewState());
  app.use(loadOrganization({ tenancy: deps.tenancy, log: deps.log }));
  registerListeners(app, deps);
  app.error(async (err) => {
    deps.log.error({ err }, 'unhandled Bolt error');
  });
  return { app, inFlight, socketMode: config.slack.socketMode };
}
