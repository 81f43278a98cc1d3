import type { RequestHandler, Response } from 'express';
import type { Db } from '../db/database.js';
import type { Logger } from '../logger.js';
import { authenticateApiKey, type AuthenticatedKey } from '../api/api-keys.js';
import { ScimError, sendScimError } from './errors.js';

/** The SCIM token a request was authenticated with, hence its organization. */
export function scimTokenOf(res: Response): AuthenticatedKey {
  const token = (res.locals as { scimToken?: AuthenticatedKey }).scimToken;
  if (!token) throw new Error('SCIM handler reached without an authenticated token');
  return token;
}

const UNAUTHENTICATED = 'Send a valid SCIM token as "Authorization: Bearer <token>" (npm run cli -- scim-token create <name>).';

/**
 * `Authorization: Bearer <token>` with a key of scope `scim`: one refusal for every failure
 * (missing, malformed, unknown, revoked, or a REST API key), so nothing tells a caller which
 * tokens exist. The token is never logged (pino redacts the header too).
 */
export function authenticateScim(deps: { db: Db; log: Logger }): RequestHandler {
  const log = deps.log.child({ subsystem: 'scim' });
  return async (req, res, next) => {
    const header = req.get('authorization');
    const match = header ? /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header) : null;
    const key = match ? await authenticateApiKey(deps.db, match[1]!) : undefined;
    if (!key || key.scope !== 'scim') {
      log.info({ credentials: header ? 'invalid' : 'missing' }, 'SCIM request refused: not authenticated');
      sendScimError(res, new ScimError(401, UNAUTHENTICATED), { 'WWW-Authenticate': header ? 'Bearer realm="scim", error="invalid_token"' : 'Bearer realm="scim"' });
      return;
    }
    (res.locals as { scimToken?: AuthenticatedKey }).scimToken = key;
    next();
  };
}
