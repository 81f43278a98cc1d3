/** How the stand-in reads Web API requests and answers them, as Slack does (no state here). */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Form fields that WebClient sends as JSON strings. */
const JSON_FIELDS = ['blocks', 'view', 'attachments', 'metadata'] as const;

export type Args = Record<string, unknown>;
export interface ApiReply {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}
export type MethodHandler = (args: Args) => ApiReply;

export const ok = (body: Record<string, unknown> = {}): ApiReply => ({ status: 200, body: { ok: true, ...body } });
/** Slack reports API errors with HTTP 200 and `ok: false`. */
export const fail = (error: string, extra: Record<string, unknown> = {}): ApiReply => ({
  status: 200,
  body: { ok: false, error, ...extra },
});
export const failWithMessages = (error: string, problems: string[]): ApiReply =>
  fail(error, { response_metadata: { messages: problems.map((p) => `[ERROR] ${p}`) } });
export const rateLimited = (retryAfterSec: number): ApiReply => ({
  status: 429,
  body: { ok: false, error: 'ratelimited' },
  headers: { 'Retry-After': String(retryAfterSec) },
});

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
export const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

/** Form fields arrive as strings: 'true' / '1' are true, as with Slack. */
export function truthy(v: unknown): boolean {
  return v === true || v === 'true' || v === '1' || v === 1;
}

export function sendJson(res: ServerResponse, reply: ApiReply): void {
  res.writeHead(reply.status, { 'Content-Type': 'application/json; charset=utf-8', ...reply.headers });
  res.end(JSON.stringify(reply.body));
}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const isJson = (req: IncomingMessage) => (req.headers['content-type'] ?? '').toLowerCase().startsWith('application/json');

/**
 * Query string + body (form or JSON). As with Slack, the token may come from
 * `Authorization: Bearer` or a `token` field; JSON-valued form fields are parsed.
 */
export function parseArgs(req: IncomingMessage, url: URL, raw: string): { args: Args; token: string | undefined; error?: string } {
  const args: Args = Object.fromEntries(url.searchParams);
  if (raw.length > 0) {
    if (isJson(req)) {
      try {
        const body: unknown = JSON.parse(raw);
        if (!isObject(body)) return { args, token: undefined, error: 'invalid_json' };
        Object.assign(args, body);
      } catch {
        return { args: { raw }, token: undefined, error: 'invalid_json' };
      }
    } else {
      Object.assign(args, Object.fromEntries(new URLSearchParams(raw)));
    }
  }
  for (const field of JSON_FIELDS) {
    const value = args[field];
    if (typeof value !== 'string') continue;
    try {
      args[field] = JSON.parse(value);
    } catch {
      // Left as a string: the method answers with its "invalid format" error.
    }
  }
  const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
  const token = bearer ?? str(args.token);
  delete args.token;
  return { args, token };
}

/** Bolt's respond() posts JSON; older integrations post `payload=<json>` forms. */
export function parseResponseUrlBody(req: IncomingMessage, raw: string): Record<string, unknown> | undefined {
  try {
    const json = isJson(req) ? raw : new URLSearchParams(raw).get('payload') ?? raw;
    const body: unknown = JSON.parse(json);
    return isObject(body) ? body : undefined;
  } catch {
    return undefined;
  }
}
