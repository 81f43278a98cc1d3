import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Db } from '../db/database.js';
import type { Logger } from '../logger.js';
import { authenticateApiKey, type AuthenticatedKey } from './api-keys.js';
import { sendProblem } from './problem.js';
import type { RateLimit } from './rate-limit.js';

/** What the API's handlers know about a request once it is authenticated: the key, hence the organization. */
export interface ApiLocals {
  apiKey: AuthenticatedKey;
}

export function apiKeyOf(res: Response): AuthenticatedKey {
  const key = (res.locals as Partial<ApiLocals>).apiKey;
  if (!key) throw new Error('API handler reached without an authenticated key');
  return key;
}

const REALM = 'Bearer realm="team-manager"';
const UNAUTHENTICATED_DETAIL = 'Send a valid API key as "Authorization: Bearer <key>".';

/**
 * `Authorization: Bearer <key>`. Every refusal is the same 401 with the same body, whether the
 * header is missing, malformed, or names a key that is unknown or revoked, so that nothing
 * tells a caller which keys exist. The key is never logged (pino also redacts the header).
 */
export function authenticate(deps: { db: Db; log: Logger }): RequestHandler {
  const log = deps.log.child({ subsystem: 'api' });
  return async (req: Request, res: Response, next: NextFunction) => {
    const header = req.get('authorization');
    const match = header ? /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header) : null;
    const found = match ? await authenticateApiKey(deps.db, match[1]!) : undefined;
    // A SCIM token opens /scim/v2 only: here it is as unknown as any other wrong key.
    const key = found?.scope === 'scim' ? undefined : found;
    if (!key) {
      log.info({ credentials: header ? 'invalid' : 'missing' }, 'API request refused: not authenticated');
      // RFC 6750: no error code when no credentials were sent at all.
      sendProblem(res, 401, UNAUTHENTICATED_DETAIL, { headers: { 'WWW-Authenticate': header ? `${REALM}, error="invalid_token"` : REALM } });
      return;
    }
    (res.locals as ApiLocals).apiKey = key;
    next();
  };
}

/** 429 with Retry-After once a key has used up its requests (see RateLimiter). */
export function rateLimit(limiter: RateLimit): RequestHandler {
  return async (_req, res, next) => {
    const key = apiKeyOf(res);
    let decision;
    try {
      decision = await limiter.take(key.id, key.organizationId);
    } catch (err) {
      next(err);
      return;
    }
    if (!decision.allowed) {
      sendProblem(res, 429, `Too many requests with this API key; retry in ${decision.retryAfterSeconds} s.`, {
        headers: { 'Retry-After': String(decision.retryAfterSeconds) },
      });
      return;
    }
    next();
  };
}

/** Writes need a read-write key: a read-only one gets 403 (it is known and valid, just not allowed to). */
export const requireReadWrite: RequestHandler = (_req, res, next) => {
  if (apiKeyOf(res).scope !== 'read-write') {
    sendProblem(res, 403, 'This API key is read-only; writing needs a read-write key (npm run cli -- api-keys create <name> --read-write).');
    return;
  }
  next();
};
