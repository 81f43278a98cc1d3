import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Db } from '../db/database.js';
import { AppError } from '../errors.js';
import {
  changeEndpoint,
  createEndpoint,
  deleteEndpoint,
  endpointInput,
  listDeliveries,
  listEndpoints,
  publicEndpoint,
  redeliver,
  rotateSecret,
  WebhookError,
  type WebhookDeps,
} from '../webhooks/endpoints.js';
import { apiKeyOf, requireReadWrite } from './auth.js';
import { ApiProblem } from './problem.js';
import { isoTimeParam, parseOrThrow } from './validation.js';

/**
 * /webhooks: an organization's endpoints, their delivery log, secret rotation and redelivery.
 * Reading takes any key of the organization; changing takes a read-write one. The secret is in
 * the answer to create and rotate-secret only.
 */
export const createBody = endpointInput.strict();
export const updateBody = endpointInput.partial().extend({ status: z.enum(['active', 'paused']).optional() }).strict();
export const redeliverBody = z.union([z.object({ event_id: z.string().min(1).max(200) }).strict(), z.object({ since: isoTimeParam }).strict()]);

const json = express.json({ limit: '16kb', type: ['application/json', 'application/*+json'], inflate: false });

export function webhookRoutes(deps: { db: Db; webhooks: Omit<WebhookDeps, 'db'> }): Router {
  const router = Router();
  const svc: WebhookDeps = { ...deps.webhooks, db: deps.db };
  const who = (res: Response) => {
    const key = apiKeyOf(res);
    return { organizationId: key.organizationId, actor: { kind: 'api_key' as const, keyId: key.id }, source: 'api' as const };
  };
  const wrap = (fn: (req: Request, res: Response) => Promise<void>) => (req: Request, res: Response, next: NextFunction) => fn(req, res).catch((err) => next(toProblem(err)));

  router.get('/webhooks', wrap(async (_req, res) => void res.json({ data: (await listEndpoints(deps.db, apiKeyOf(res).organizationId)).map(publicEndpoint) })));
  router.post('/webhooks', requireReadWrite, json, wrap(async (req, res) => {
    const body = parseOrThrow(createBody, req.body);
    const { endpoint, secret } = await createEndpoint(svc, { ...who(res), endpoint: body });
    res.status(201).json({ ...publicEndpoint(endpoint), secret });
  }));
  router.get('/webhooks/:id', wrap(async (req, res) => {
    const endpoint = (await listEndpoints(deps.db, apiKeyOf(res).organizationId)).find((e) => e.id === req.params.id);
    if (!endpoint) throw new ApiProblem(404, 'There is no such webhook endpoint in this organization.');
    res.json(publicEndpoint(endpoint));
  }));
  router.patch('/webhooks/:id', requireReadWrite, json, wrap(async (req, res) => {
    const { status, ...fields } = parseOrThrow(updateBody, req.body);
    if (Object.keys(fields).length === 0 && !status) throw new ApiProblem(400, 'Nothing to change: send url, event_types, description or status.');
    const endpoint = await changeEndpoint(svc, { ...who(res), endpointId: String(req.params.id), change: { fields, ...(status ? { status } : {}) } });
    res.json(publicEndpoint(endpoint));
  }));
  router.delete('/webhooks/:id', requireReadWrite, wrap(async (req, res) => {
    await deleteEndpoint(svc, { ...who(res), endpointId: String(req.params.id) });
    res.status(204).end();
  }));
  router.post('/webhooks/:id/rotate-secret', requireReadWrite, wrap(async (req, res) => {
    const { secret, previousValidUntil } = await rotateSecret(svc, { ...who(res), endpointId: String(req.params.id) });
    res.json({ secret, previous_secret_valid_until: previousValidUntil.toISOString() });
  }));
  router.get('/webhooks/:id/deliveries', wrap(async (req, res) => {
    const { organizationId } = apiKeyOf(res);
    const endpoint = (await listEndpoints(deps.db, organizationId)).find((e) => e.id === req.params.id);
    if (!endpoint) throw new ApiProblem(404, 'There is no such webhook endpoint in this organization.');
    const rows = await listDeliveries(deps.db, organizationId, endpoint.id);
    res.json({
      data: rows.map((d) => ({
        id: d.id,
        event_id: d.event_id,
        event_type: d.event_type,
        status: d.status,
        attempts: d.attempts,
        response_code: d.last_status_code,
        error: d.last_error,
        latency_ms: d.last_latency_ms,
        created_at: d.created_at.toISOString(),
        delivered_at: d.delivered_at?.toISOString() ?? null,
        next_attempt_at: d.status === 'pending' ? d.next_attempt_at.toISOString() : null,
      })),
    });
  }));
  router.post('/webhooks/:id/redeliver', requireReadWrite, json, wrap(async (req, res) => {
    const body = parseOrThrow(redeliverBody, req.body, 'Send either event_id or since.');
    const count = await redeliver(svc, { ...who(res), endpointId: String(req.params.id), what: 'event_id' in body ? { eventId: body.event_id } : { since: new Date(body.since) } });
    res.status(202).json({ queued: count });
  }));
  return router;
}

function toProblem(err: unknown): unknown {
  if (err instanceof WebhookError) {
    return err.code === 'not_found' ? new ApiProblem(404, err.message) : new ApiProblem(400, err.message, err.field ? [{ field: err.field, message: err.message }] : undefined);
  }
  if (err instanceof AppError && err.code === 'forbidden') return new ApiProblem(403, err.message);
  return err;
}
