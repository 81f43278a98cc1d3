import express, { Router, type ErrorRequestHandler } from 'express';
import { isDatabaseUnavailable, type Db } from '../db/database.js';
import type { Logger } from '../logger.js';
import { authenticateScim } from './auth.js';
import { invalidSyntax, notFound, ScimError, scimErrorOf, sendScimError } from './errors.js';
import { groupRoutes } from './groups.js';
import { baseUrl, sendScim } from './respond.js';
import { listResponse, resourceTypes, schemaDocuments, serviceProviderConfig } from './schemas.js';
import { userRoutes } from './users.js';

/** Largest SCIM request body read (a User or a PatchOp is a few KiB). */
const MAX_BODY = '256kb';

/**
 * The SCIM 2.0 service provider under /scim/v2 (RFC 7643 / 7644) for Okta, Entra ID and
 * OneLogin: bearer token of scope `scim` (one per organization, `npm run cli -- scim-token`),
 * JSON in as `application/scim+json` or `application/json`, every answer and error as
 * `application/scim+json`. The token's organization is the only one a request can see.
 */
export function scimRoutes(deps: { db: Db; log: Logger }): Router {
  const log = deps.log.child({ subsystem: 'scim' });
  const router = Router();
  router.use((_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  router.use(authenticateScim(deps));
  router.use(express.json({ limit: MAX_BODY, type: ['application/scim+json', 'application/json', 'application/*+json'], inflate: false }));

  router.get('/ServiceProviderConfig', (req, res) => sendScim(res, 200, serviceProviderConfig(baseUrl(req))));
  router.get('/ResourceTypes', (req, res) => {
    const types = resourceTypes(baseUrl(req));
    sendScim(res, 200, listResponse(types, types.length, 1));
  });
  router.get('/ResourceTypes/:id', (req, res) => {
    const type = resourceTypes(baseUrl(req)).find((t) => t.id === req.params.id);
    if (!type) throw notFound(`ResourceType ${String(req.params.id).slice(0, 64)}`);
    sendScim(res, 200, type);
  });
  router.get('/Schemas', (req, res) => {
    const schemas = schemaDocuments(baseUrl(req));
    sendScim(res, 200, listResponse(schemas, schemas.length, 1));
  });
  router.get('/Schemas/:id', (req, res) => {
    const schema = schemaDocuments(baseUrl(req)).find((s) => s.id === req.params.id);
    if (!schema) throw notFound(`Schema ${String(req.params.id).slice(0, 120)}`);
    sendScim(res, 200, schema);
  });
  router.use(userRoutes(deps));
  router.use(groupRoutes(deps));
  router.use((req, _res, next) => next(new ScimError(404, `No SCIM resource at ${req.method} ${req.baseUrl}${req.path}.`)));

  const errors: ErrorRequestHandler = (err: unknown, _req, res, _next) => {
    const known = scimErrorOf(err);
    if (known) return sendScimError(res, known);
    const parser = err as { type?: unknown; status?: unknown } | null;
    if (parser?.type === 'entity.parse.failed') return sendScimError(res, invalidSyntax('The request body is not valid JSON.'));
    if (parser?.type === 'entity.too.large') return sendScimError(res, new ScimError(413, `The request body is larger than ${MAX_BODY.replace('kb', ' KiB')}.`));
    if (typeof parser?.type === 'string' && typeof parser.status === 'number' && parser.status < 500) {
      return sendScimError(res, new ScimError(parser.status, 'The request body could not be read: send UTF-8 JSON without a content encoding.'));
    }
    if (isDatabaseUnavailable(err)) {
      log.warn({ err }, 'SCIM: database unavailable');
      return sendScimError(res, new ScimError(503, 'The database is unavailable; nothing was changed. Retry later.'), { 'Retry-After': '30' });
    }
    log.error({ err }, 'SCIM request failed');
    sendScimError(res, new ScimError(500, 'Something went wrong on our side; nothing was changed by the failed step. Retrying is safe.'));
  };
  router.use(errors);
  return router;
}
