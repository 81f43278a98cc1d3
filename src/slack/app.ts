import { App, AuthorizationError, ExpressReceiver, SocketModeReceiver, type Receiver } from '@slack/bolt';
import type { Express } from 'express';
import type { Config } from '../config.js';
import { boltLogger } from '../logger.js';
import { ackClicksFirst } from './ack-clicks-first.js';
import type { SlackDeps } from './deps.js';
import { registerListeners } from './listeners/index.js';
import { trackSlackActivity } from './middleware/activity-tracking.js';
import { errorReplies } from './middleware/error-replies.js';
import { InFlight } from './middleware/in-flight.js';
import { loadOrganization } from './middleware/organization.js';

export interface SlackIdentity {
  botId: string;
  botUserId: string;
}

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
export function createSlackApp(config: Pick<Config, 'slack'>, web: Express, identity: SlackIdentity, deps: SlackDeps): SlackApp {
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
    token: config.slack.botToken,
    // Known from auth.test at start, so Bolt needs no auth.test call of its own.
    botId: identity.botId,
    botUserId: identity.botUserId,
    logger,
    clientOptions,
  });

  ackClicksFirst(app);
  const inFlight = new InFlight();
  app.use(inFlight.middleware);
  // After the rest of the chain (and so after the ack): see the middleware.
  app.use(trackSlackActivity({ db: deps.db, log: deps.log }));
  app.use(errorReplies(deps.log));
  app.use(loadOrganization({ tenancy: deps.tenancy, log: deps.log }));
  registerListeners(app, deps);
  app.error(async (err) => {
    deps.log.error({ err }, 'unhandled Bolt error');
  });
  return { app, inFlight, socketMode: config.slack.socketMode };
}
