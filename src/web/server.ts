import express, { type Express, type RequestHandler } from 'express';
import { apiRoutes, type ApiOptions } from '../api/routes.js';
import { scimRoutes } from '../scim/router.js';
import type { Db } from '../db/database.js';
import type { Logger } from '../logger.js';
import type { WebhookDeps } from '../webhooks/endpoints.js';
import { healthRoutes } from './health.js';
import type { Metrics } from './metrics.js';
import { invitationRoutes } from './invitations.js';
import { requestIds } from './request-id.js';

/**
 * The one HTTP application on PORT. In HTTP mode Bolt's receiver adds `/slack/events` to it;
 * the web routes (health, the invitation accept page, the REST API under /api/v1,
 * the SCIM 2.0 service provider under /scim/v2) are ours.
 * `api` tunes the API (its per-key rate limit); the defaults suit production.
 */
export function createWebApp(deps: { db: Db; log: Logger; api?: ApiOptions; webhooks?: Omit<WebhookDeps, 'db'>; metrics?: Metrics }): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', true);
  app.use(requestIds(deps.log));
  // GET /metrics and request timings, only when METRICS_ENABLED (src/web/metrics.ts).
  if (deps.metrics) {
    app.use(deps.metrics.httpTiming);
    app.use(deps.metrics.routes());
  }
  app.post('/slack/events', refuseFutureSlackTimestamps);
  app.use(healthRoutes(deps));
  app.use(invitationRoutes(deps));
  app.use('/api/v1', apiRoutes(deps));
  app.use('/scim/v2', scimRoutes(deps));
  return app;
}

/** Slack's replay window: a signed request is good for 5 minutes either side of its timestamp. */
const SLACK_TIMESTAMP_WINDOW_SECONDS = 5 * 60;

/**
 * Bolt's receiver refuses signed requests older than 5 minutes but takes any timestamp in the
 * future, so a signed request dated ahead would stay replayable for as long as it is dated.
 * Slack's rule is |now − timestamp| ≤ 5 minutes: this refuses the far future the way Bolt
 * refuses the past (401, empty body) before Bolt sees the request. Anything else (a missing or
 * malformed header, a bad signature) is still Bolt's to refuse.
 */
const refuseFutureSlackTimestamps: RequestHandler = (req, res, next) => {
  const ts = Number(req.get('x-slack-request-timestamp'));
  if (Number.isFinite(ts) && ts - Date.now() / 1000 > SLACK_TIMESTAMP_WINDOW_SECONDS) {
    res.status(401).end();
    return;
  }
  next();
};

/** Routes registered after Bolt's receiver: a JSON 404 for anything unknown. */
export function finishWebApp(app: Express): void {
  app.use((_req, res) => {
    res.status(404).type('application/problem+json').json({ type: 'about:blank', title: 'Not Found', status: 404 });
  });
}
