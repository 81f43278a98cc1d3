import express, { type Express } from 'express';
import { apiRoutes, type ApiOptions } from '../api/routes.js';
import type { Db } from '../db/database.js';
import type { Logger } from '../logger.js';
import { healthRoutes } from './health.js';
import { invitationRoutes } from './invitations.js';
import { requestIds } from './request-id.js';

/**
 * The one HTTP application on PORT. In HTTP mode Bolt's receiver adds `/slack/events` to it;
 * the web routes (health, the invitation accept page, the REST API under /api/v1) are ours.
 * `api` tunes the API (its per-key rate limit); the defaults suit production.
 */
export function createWebApp(deps: { db: Db; log: Logger; api?: ApiOptions }): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', true);
  app.use(requestIds(deps.log));
  app.use(healthRoutes(deps));
  app.use(invitationRoutes(deps));
  app.use('/api/v1', apiRoutes(deps));
  return app;
}

/** Routes registered after Bolt's receiver: a JSON 404 for anything unknown. */
export function finishWebApp(app: Express): void {
  app.use((_req, res) => {
    res.status(404).type('application/problem+json').json({ type: 'about:blank', title: 'Not Found', status: 404 });
  });
}
