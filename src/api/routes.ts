import express, { Router, type ErrorRequestHandler, type RequestHandler } from 'express';
import { isDatabaseUnavailable, type Db } from '../db/database.js';
import type { Logger } from '../logger.js';
import { auditRoutes } from './audit.js';
import { authenticate, rateLimit, requireReadWrite } from './auth.js';
import { ingestRoutes } from './ingest.js';
import { invitationRoutes } from './invitations.js';
import { memberRoutes } from './members.js';
import { openApiDocument } from './openapi.js';
import { ApiProblem, sendProblem } from './problem.js';
import { webhookRoutes } from './webhooks.js';
import type { WebhookDeps } from '../webhooks/endpoints.js';
import { secretBox } from '../webhooks/signing.js';
import { systemResolver } from '../webhooks/ssrf.js';
import { DEFAULT_RATE_LIMIT, RateLimiter, type RateLimitOptions } from './rate-limit.js';
import { PostgresRateLimiter } from './shared-rate-limit.js';

export interface ApiOptions {
  /** Per-key request rate (default: bursts of 100, then 10 a second). */
  rateLimit?: RateLimitOptions;
}

/** Every route of the API, with its method: the 405 answers and test/e2e/openapi.test.ts read it. */
export const API_ROUTES = [
  ['/members', 'GET'],
  ['/members/:email', 'GET'],
  ['/invitations', 'GET'],
  ['/audit', 'GET'],
  ['/events', 'POST'],
  ['/openapi.json', 'GET'],
  ['/webhooks', 'GET'],
  ['/webhooks', 'POST'],
  ['/webhooks/:id', 'GET'],
  ['/webhooks/:id', 'PATCH'],
  ['/webhooks/:id', 'DELETE'],
  ['/webhooks/:id/rotate-secret', 'POST'],
  ['/webhooks/:id/deliveries', 'GET'],
  ['/webhooks/:id/redeliver', 'POST'],
] as const;

/** Largest request body the API reads; larger ones get 413 without being read in full. */
export const MAX_BODY = '64kb';

/**
 * The REST API under /api/v1, JSON in and out, every error a problem+json. In order: no caching,
 * authentication by API key (401), the key's rate limit (429), then the routes — writes behind
 * the read-write scope (403) and a 64 KiB JSON parser (413 / 400). Every query is scoped by the
 * key's organization; nothing a request carries can name another one.
 */
export function apiRoutes(deps: { db: Db; log: Logger; api?: ApiOptions | undefined; webhooks?: Omit<WebhookDeps, 'db'> | undefined }): Router {
  const log = deps.log.child({ subsystem: 'api' });
  const router = Router();
  const limits = deps.api?.rateLimit ?? DEFAULT_RATE_LIMIT;
  const limiter = limits.shared === false || limits.now ? new RateLimiter(limits) : new PostgresRateLimiter(deps.db, limits);

  router.use((_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    next();
  });
  // The description is public: it holds no data, and a client generator needs it before a key.
  const description = openApiDocument();
  router.get('/openapi.json', (_req, res) => void res.json(description));
  router.use(authenticate(deps));
  router.use(rateLimit(limiter));

  router.use(memberRoutes(deps));
  router.use(invitationRoutes(deps));
  router.use(auditRoutes(deps));
  // inflate: false — the API takes UTF-8 JSON without a content encoding (415 otherwise, as
  // documented); inflating would also turn a corrupt gzip body into a 500.
  router.post('/events', requireReadWrite, express.json({ limit: MAX_BODY, type: ['application/json', 'application/*+json'], inflate: false }));
  router.use(ingestRoutes(deps));
  router.use(webhookRoutes({ db: deps.db, webhooks: deps.webhooks ?? { box: secretBox(undefined), urls: { production: false, resolve: systemResolver } } }));

  // A known path with another method: 405 with Allow; anything else under /api/v1: 404.
  const allowed = new Map<string, string[]>();
  for (const [path, method] of API_ROUTES) allowed.set(path, [...(allowed.get(path) ?? []), method]);
  for (const [path, methods] of allowed) {
    router.all(path, methodNotAllowed(methods.join(', ')));
  }
  router.use((req, res) => sendProblem(res, 404, `No API resource at ${req.method} ${req.baseUrl}${req.path}.`));

  const errors: ErrorRequestHandler = (err: unknown, req, res, _next) => {
    if (res.headersSent) {
      // A stream (the CSV export) failed midway: the connection is already cut; say so in the log.
      log.error({ err, path: req.path }, 'API response failed after it started');
      if (!res.destroyed) res.destroy();
      return;
    }
    if (err instanceof ApiProblem) {
      sendProblem(res, err.status, err.detail, { ...(err.errors ? { errors: err.errors } : {}), ...(err.headers ? { headers: err.headers } : {}) });
    } else if (isBodyParserError(err)) {
      if (err.type === 'entity.too.large') sendProblem(res, 413, `The request body is larger than ${MAX_BODY.replace('kb', ' KiB')}.`);
      else if (err.type === 'entity.parse.failed') sendProblem(res, 400, 'The request body is not valid JSON.', { errors: [{ field: '(body)', message: 'is not valid JSON' }] });
      else if (err.type === 'charset.unsupported' || err.type === 'encoding.unsupported') sendProblem(res, 415, 'Send the body as UTF-8 JSON, without a content encoding.');
      else sendProblem(res, err.status, 'The request body could not be read.');
    } else if (isDatabaseUnavailable(err)) {
      log.warn({ err }, 'API: database unavailable');
      sendProblem(res, 503, 'The database is unavailable; nothing was changed. Retry later.', { headers: { 'Retry-After': '30' } });
    } else {
      log.error({ err }, 'API request failed');
      sendProblem(res, 500, 'Something went wrong on our side. Retrying with the same Idempotency-Key is safe.');
    }
  };
  router.use(errors);
  return router;
}

function methodNotAllowed(allow: string): RequestHandler {
  return (req, res) => sendProblem(res, 405, `${req.method} is not allowed here; use ${allow}.`, { headers: { Allow: allow } });
}

function isBodyParserError(err: unknown): err is { type: string; status: number } {
  const e = err as { type?: unknown; status?: unknown } | null;
  return typeof e?.type === 'string' && typeof e.status === 'number' && e.status >= 400 && e.status < 500;
}
