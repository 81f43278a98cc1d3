import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import { requestContext, type Logger } from '../logger.js';

/**
 * Gives every HTTP request an id (a caller's `X-Request-Id` when it is sane, else a new
 * one), returns it in the response, runs the rest of the request inside it so that every
 * log line carries it, and logs one line per request when the response is finished.
 */
export function requestIds(log: Logger): RequestHandler {
  const httpLog = log.child({ subsystem: 'http' });
  return (req, res, next) => {
    const given = req.get('x-request-id');
    const requestId = given && /^[\w.-]{1,64}$/.test(given) ? given : randomUUID();
    res.setHeader('x-request-id', requestId);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      // originalUrl: inside a mounted router (the API) req.path is relative to the mount point.
      const path = req.originalUrl.split('?')[0] ?? req.path;
      const line = { method: req.method, path: loggedPath(path), status: res.statusCode, ms: Math.round(ms * 10) / 10 };
      if (path === '/healthz' || path === '/readyz') httpLog.debug(line, 'request');
      else httpLog.info(line, 'request');
    });
    requestContext.run({ requestId }, next);
  };
}

/**
 * The path as logged: an invitation link's last segment is a secret (whoever holds it can
 * accept), and a member lookup's is a person's email; neither reaches a log line, whatever
 * route or 404 the request ended in.
 */
export function loggedPath(path: string): string {
  return path.replace(/^(\/invitations\/)[^/]+/i, '$1:token').replace(/^(\/api\/v1\/members\/)[^/]+/i, '$1:email');
}
