import { Router, type Request } from 'express';
import { sql } from 'kysely';
import { z } from 'zod';
import type { Db, DbOrTrx } from '../db/database.js';
import type { ActivityEvent, ActivityKind } from '../db/schema.js';
import { appendAuditEvent } from '../events/audit-repository.js';
import { normaliseEmail } from '../team/emails.js';
import { apiKeyOf } from './auth.js';
import { ApiProblem, invalid, type FieldError } from './problem.js';
import { fieldErrors } from './validation.js';

/**
 * POST /events: the product reports what a member did — a sign-in or a configuration
 * change. One transaction stores the event in `activity_events`, moves the member's
 * `last_sign_in_at` forward for a newer sign-in, and writes one `activity.ingested` audit
 * event. The `Idempotency-Key` header makes retries safe: a key already stored (per
 * organization) answers 200 with the stored event and `"duplicate": true`, storing and
 * auditing nothing; the first body sent with a key is the one kept.
 */

/** How far ahead of our clock an event may claim to have happened (clock skew), no further. */
export const MAX_FUTURE_SKEW_MS = 5 * 60_000;

const noNul = (s: string) => !s.includes('\u0000');

export const eventBody = z
  .object({
    type: z.enum(['sign_in', 'config_change'], { error: 'must be sign_in or config_change' }),
    email: z
      .string({ error: 'must be an email address' })
      .max(320, 'must be an email address')
      .transform((s, ctx) => {
        const email = normaliseEmail(s);
        if (!email) ctx.addIssue({ code: 'custom', message: 'must be an email address' });
        return email ?? s;
      }),
    occurred_at: z
      .iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time with a time zone, e.g. 2026-01-31T09:00:00Z' })
      .refine((s) => !(Date.parse(s) > Date.now() + MAX_FUTURE_SKEW_MS), 'must not be in the future'),
    summary: z
      .string({ error: 'must be text' })
      .trim()
      .min(1, 'must not be empty')
      .max(500, 'must be at most 500 characters')
      .refine(noNul, 'must not contain NUL characters'),
    details: z
      .record(z.string(), z.unknown(), { error: 'must be a JSON object' })
      .refine((d) => !JSON.stringify(d).includes('\\u0000'), 'must not contain NUL characters')
      .optional(),
  })
  .strict();
export type EventBody = z.output<typeof eventBody>;

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;
/** application/json, or a +json type, with or without parameters. */
const JSON_MEDIA_TYPE = /^application\/(?:[\w.-]+\+)?json[ \t]*(?:;|$)/i;

export interface StoredEvent {
  event: Pick<ActivityEvent, 'id' | 'kind' | 'occurred_at' | 'summary' | 'details' | 'received_at'> & { email: string };
  duplicate: boolean;
}

/**
 * Stores one event for the key's organization (see the module comment). The outcomes are a
 * stored event (new or duplicate) or `unknown_member` (no active member with that email).
 */
export async function ingestEvent(
  db: Db,
  input: { organizationId: string; apiKeyId: string; idempotencyKey: string; body: EventBody },
): Promise<StoredEvent | 'unknown_member'> {
  return db.transaction().execute(async (trx) => {
    const existing = await findByIdempotencyKey(trx, input.organizationId, input.idempotencyKey);
    if (existing) return { event: existing, duplicate: true };

    // Locked so that a removal committing meanwhile is seen (and waited for): a removed member gets no new activity.
    const member = await trx
      .selectFrom('members')
      .select(['id', 'email', 'last_sign_in_at'])
      .where('organization_id', '=', input.organizationId)
      .where(sql<string>`lower(email)`, '=', input.body.email)
      .where('status', '=', 'active')
      .forNoKeyUpdate()
      .executeTakeFirst();
    if (!member) return 'unknown_member';

    const kind: ActivityKind = input.body.type;
    const occurredAt = new Date(input.body.occurred_at);
    const inserted = await trx
      .insertInto('activity_events')
      .values({
        organization_id: input.organizationId,
        member_id: member.id,
        kind,
        occurred_at: occurredAt,
        summary: input.body.summary,
        details: input.body.details === undefined ? null : JSON.stringify(input.body.details),
        idempotency_key: input.idempotencyKey,
        api_key_id: input.apiKeyId,
      })
      .onConflict((oc) => oc.columns(['organization_id', 'idempotency_key']).doNothing())
      .returning(['id', 'kind', 'occurred_at', 'summary', 'details', 'received_at'])
      .executeTakeFirst();
    if (!inserted) {
      // The same key, sent twice at once: the other request stored it first.
      const raced = await findByIdempotencyKey(trx, input.organizationId, input.idempotencyKey);
      if (!raced) throw new Error('idempotency conflict without a stored event');
      return { event: raced, duplicate: true };
    }

    if (kind === 'sign_in' && (member.last_sign_in_at === null || member.last_sign_in_at < occurredAt)) {
      await trx.updateTable('members').set({ last_sign_in_at: occurredAt }).where('organization_id', '=', input.organizationId).where('id', '=', member.id).execute();
    }
    await appendAuditEvent(trx, {
      organizationId: input.organizationId,
      actor: { type: 'api_key', id: input.apiKeyId },
      action: 'activity.ingested',
      target: { type: 'member', id: member.id },
      after: { activity_event_id: inserted.id, type: kind, occurred_at: occurredAt.toISOString(), summary: input.body.summary },
      source: 'api',
    });
    return { event: { ...inserted, email: member.email }, duplicate: false };
  });
}

async function findByIdempotencyKey(db: DbOrTrx, organizationId: string, key: string): Promise<StoredEvent['event'] | undefined> {
  return db
    .selectFrom('activity_events as a')
    .innerJoin('members as m', (join) => join.onRef('m.organization_id', '=', 'a.organization_id').onRef('m.id', '=', 'a.member_id'))
    .select(['a.id', 'a.kind', 'a.occurred_at', 'a.summary', 'a.details', 'a.received_at', 'm.email'])
    .where('a.organization_id', '=', organizationId)
    .where('a.idempotency_key', '=', key)
    .executeTakeFirst();
}

export function eventJson({ event, duplicate }: StoredEvent) {
  return {
    id: event.id,
    type: event.kind,
    email: event.email,
    occurred_at: event.occurred_at.toISOString(),
    summary: event.summary,
    details: event.details ?? null,
    received_at: event.received_at.toISOString(),
    duplicate,
  };
}

/** The handler; the router puts authentication, the scope check and the 64 KiB JSON parser in front of it. */
export function ingestRoutes(deps: { db: Db }) {
  const router = Router();
  router.post('/events', async (req: Request, res) => {
    const apiKey = apiKeyOf(res);
    const contentType = req.get('content-type');
    if (contentType !== undefined && !JSON_MEDIA_TYPE.test(contentType)) {
      throw new ApiProblem(415, 'Send the event as JSON, with "Content-Type: application/json".');
    }
    const errors: FieldError[] = [];
    const idempotencyKey = req.get('idempotency-key');
    if (idempotencyKey === undefined || !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      errors.push({ field: 'Idempotency-Key', message: 'header required: 1 to 200 visible ASCII characters, unique per event' });
    }
    const parsed = eventBody.safeParse(req.body ?? null);
    if (!parsed.success) errors.push(...fieldErrors(parsed.error));
    if (errors.length > 0 || !parsed.success) throw invalid(errors, 'The event is not valid; see errors.');

    const stored = await ingestEvent(deps.db, {
      organizationId: apiKey.organizationId,
      apiKeyId: apiKey.id,
      idempotencyKey: idempotencyKey!,
      body: parsed.data,
    });
    if (stored === 'unknown_member') throw new ApiProblem(404, `${parsed.data.email} is not a member of this organization.`);
    res.status(stored.duplicate ? 200 : 201).json(eventJson(stored));
  });
  return router;
}
