import { Router } from 'express';
import { isDatabaseReachable, type Db } from '../db/database.js';

/**
 * /healthz: the process is up and serving HTTP (for restarts).
 * /readyz: it can do its job, i.e. the database answers (for load balancers).
 */
export function healthRoutes(deps: { db: Db }): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.status(200).json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const database = await isDatabaseReachable(deps.db);
    res.status(database ? 200 : 503).json({ status: database ? 'ok' : 'unavailable', checks: { database: database ? 'ok' : 'unreachable' } });
  });
  return router;
}
