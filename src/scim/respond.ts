import type { Request, Response } from 'express';
import { SCIM_CONTENT_TYPE } from './errors.js';

/** Every SCIM answer: `application/scim+json` (RFC 7644 §3.1). */
export function sendScim(res: Response, status: number, body: unknown): void {
  res.status(status).type(SCIM_CONTENT_TYPE).send(JSON.stringify(body));
}

/** Where this endpoint is, as the client reached it (behind a proxy: its X-Forwarded-* headers). */
export function baseUrl(req: Request): string {
  return `${req.protocol}://${req.get('host')}${req.baseUrl}`;
}
