import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Db, DbOrTrx } from '../db/database.js';
import type { AuditSource, WebhookEndpoint } from '../db/schema.js';
import { AppError } from '../errors.js';
import { appendAuditEvent, type Actor as AuditActor } from '../events/audit-repository.js';
import { EVENT_TYPES, type EventType } from '../events/vocabulary.js';
import { wakeEndpoint } from '../events/outbox.js';
import { findMemberById } from '../team/member-repository.js';
import { authorize } from '../team/policy.js';
import { newSecret, type SecretBox } from './signing.js';
import { checkUrlForm, resolveTarget, UrlRefused, type UrlPolicy } from './ssrf.js';

/**
 * Webhook endpoints: add, change, pause, resume, delete, rotate the secret, redeliver. Owners
 * only, decided from the database in the change's transaction (the team's settings rule,
 * `settings.change`: an endpoint is a team setting). An API key of the organization with the
 * read-write scope acts for it (the API checked the scope). Every change is audited.
 */
export type WebhookActor = { kind: 'member'; memberId: string | null } | { kind: 'api_key'; keyId: string };

export interface WebhookDeps {
  db: Db;
  box: SecretBox;
  urls: UrlPolicy;
}

export const ROTATION_OVERLAP_MS = 24 * 3_600_000;

export const endpointInput = z.object({
  url: z.string().max(2000),
  event_types: z.array(z.enum(EVENT_TYPES as [EventType, ...EventType[]])).min(1, 'choose at least one event type'),
  description: z.string().max(500).default(''),
});
export type EndpointInput = z.input<typeof endpointInput>;

export class WebhookError extends AppError {
  constructor(code: 'invalid_url' | 'not_found' | 'invalid', message: string, readonly field?: string) {
    super(code, message);
  }
}

async function authorise(trx: DbOrTrx, organizationId: string, actor: WebhookActor): Promise<AuditActor> {
  if (actor.kind === 'api_key') return { type: 'api_key', id: actor.keyId };
  const member = (actor.memberId ? await findMemberById(trx, organizationId, actor.memberId) : undefined) ?? null;
  authorize(member, 'settings.change', organizationId);
  return { type: 'member', id: member.id };
}

async function checkedUrl(deps: WebhookDeps, text: string): Promise<string> {
  try {
    const url = checkUrlForm(text, deps.urls.production);
    await resolveTarget(url, deps.urls);
    return url.toString();
  } catch (err) {
    if (err instanceof UrlRefused) throw new WebhookError('invalid_url', `The URL ${err.message}.`, 'url');
    throw err;
  }
}

/** What callers see of an endpoint: never the secret. */
export function publicEndpoint(e: WebhookEndpoint) {
  return {
    id: e.id,
    url: e.url,
    event_types: e.event_types,
    description: e.description,
    status: e.status,
    disabled_reason: e.disabled_reason,
    failing_since: e.failing_since?.toISOString() ?? null,
    created_at: e.created_at.toISOString(),
  };
}

export async function createEndpoint(
  deps: WebhookDeps,
  input: { organizationId: string; actor: WebhookActor; source: AuditSource; endpoint: EndpointInput },
): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
  const parsed = endpointInput.parse(input.endpoint);
  const url = await checkedUrl(deps, parsed.url);
  return deps.db.transaction().execute(async (trx) => {
    const actor = await authorise(trx, input.organizationId, input.actor);
    const id = randomUUID();
    const secret = newSecret();
    const endpoint = await trx
      .insertInto('webhook_endpoints')
      .values({
        id,
        organization_id: input.organizationId,
        url,
        event_types: parsed.event_types,
        description: parsed.description,
        secret: deps.box.seal(secret, id),
        created_by_member_id: actor.type === 'member' ? actor.id : null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendAuditEvent(trx, {
      organizationId: input.organizationId,
      actor,
      action: 'webhook.endpoint_created',
      target: { type: 'webhook_endpoint', id },
      after: { url, event_types: parsed.event_types, description: parsed.description },
      source: input.source,
    });
    return { endpoint, secret };
  });
}

async function lockEndpoint(trx: DbOrTrx, organizationId: string, id: string): Promise<WebhookEndpoint> {
  const endpoint = z.uuid().safeParse(id).success
    ? await trx.selectFrom('webhook_endpoints').selectAll().where('organization_id', '=', organizationId).where('id', '=', id).forUpdate().executeTakeFirst()
    : undefined;
  if (!endpoint) throw new WebhookError('not_found', 'There is no such webhook endpoint in this team.');
  return endpoint;
}

/** Fields to change and/or pause (`paused`) or resume (`active`, also for a disabled endpoint: what waited goes out, oldest first). */
export interface EndpointChange {
  fields?: Partial<EndpointInput>;
  status?: 'active' | 'paused';
}

/** One change of an endpoint, in one transaction and one audit event. */
export async function changeEndpoint(
  deps: WebhookDeps,
  input: { organizationId: string; actor: WebhookActor; source: AuditSource; endpointId: string; change: EndpointChange },
): Promise<WebhookEndpoint> {
  const patch = input.change.fields ? endpointInput.partial().parse(input.change.fields) : undefined;
  const url = patch?.url !== undefined ? await checkedUrl(deps, patch.url) : undefined;
  return deps.db.transaction().execute(async (trx) => {
    const actor = await authorise(trx, input.organizationId, input.actor);
    const before = await lockEndpoint(trx, input.organizationId, input.endpointId);
    const resume = input.change.status === 'active' && before.status !== 'active';
    const updated = await trx
      .updateTable('webhook_endpoints')
      .set({
        status: input.change.status ?? before.status,
        ...(url ? { url } : {}),
        ...(patch?.event_types ? { event_types: patch.event_types } : {}),
        ...(patch?.description !== undefined ? { description: patch.description } : {}),
        ...(resume ? { failing_since: null, disabled_reason: null } : {}),
        updated_at: new Date(),
      })
      .where('organization_id', '=', input.organizationId)
      .where('id', '=', before.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendAuditEvent(trx, {
      organizationId: input.organizationId,
      actor,
      action: 'webhook.endpoint_updated',
      target: { type: 'webhook_endpoint', id: before.id },
      before: { status: before.status, url: before.url, event_types: before.event_types, description: before.description },
      after: { status: updated.status, url: updated.url, event_types: updated.event_types, description: updated.description },
      source: input.source,
    });
    if (resume) {
      // What waited behind a failing head goes now, not at the old backoff.
      await trx
        .updateTable('webhook_deliveries')
        .set({ next_attempt_at: new Date() })
        .where('organization_id', '=', input.organizationId)
        .where('endpoint_id', '=', before.id).where('status', '=', 'pending').execute();
      await wakeEndpoint(trx, input.organizationId, before.id, 'replace');
    }
    return updated;
  });
}

export async function deleteEndpoint(deps: WebhookDeps, input: { organizationId: string; actor: WebhookActor; source: AuditSource; endpointId: string }): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    const actor = await authorise(trx, input.organizationId, input.actor);
    const endpoint = await lockEndpoint(trx, input.organizationId, input.endpointId);
    await trx.deleteFrom('webhook_endpoints').where('organization_id', '=', input.organizationId).where('id', '=', endpoint.id).execute();
    await appendAuditEvent(trx, {
      organizationId: input.organizationId,
      actor,
      action: 'webhook.endpoint_deleted',
      target: { type: 'webhook_endpoint', id: endpoint.id },
      before: { url: endpoint.url, event_types: endpoint.event_types },
      source: input.source,
    });
  });
}

/** A new secret, shown once; the old one keeps signing too for 24 hours. */
export async function rotateSecret(
  deps: WebhookDeps,
  input: { organizationId: string; actor: WebhookActor; source: AuditSource; endpointId: string; now?: Date },
): Promise<{ secret: string; previousValidUntil: Date }> {
  return deps.db.transaction().execute(async (trx) => {
    const actor = await authorise(trx, input.organizationId, input.actor);
    const endpoint = await lockEndpoint(trx, input.organizationId, input.endpointId);
    const secret = newSecret();
    const previousValidUntil = new Date((input.now ?? new Date()).getTime() + ROTATION_OVERLAP_MS);
    // Re-sealed with the current key: rotating is also how a plain secret becomes a sealed one.
    const current = deps.box.open(endpoint.secret, endpoint.id);
    await trx
      .updateTable('webhook_endpoints')
      .set({ secret: deps.box.seal(secret, endpoint.id), previous_secret: deps.box.seal(current, endpoint.id), previous_secret_expires_at: previousValidUntil, updated_at: new Date() })
      .where('organization_id', '=', input.organizationId)
      .where('id', '=', endpoint.id)
      .execute();
    await appendAuditEvent(trx, {
      organizationId: input.organizationId,
      actor,
      action: 'webhook.secret_rotated',
      target: { type: 'webhook_endpoint', id: endpoint.id },
      after: { previous_valid_until: previousValidUntil.toISOString() },
      source: input.source,
    });
    return { secret, previousValidUntil };
  });
}

/** The secrets that sign a delivery now: the current one, and the previous one while it is valid. */
export function signingSecrets(box: SecretBox, endpoint: WebhookEndpoint, now: Date): string[] {
  const secrets = [box.open(endpoint.secret, endpoint.id)];
  if (endpoint.previous_secret && endpoint.previous_secret_expires_at && endpoint.previous_secret_expires_at > now) {
    secrets.push(box.open(endpoint.previous_secret, endpoint.id));
  }
  return secrets;
}

/**
 * Redeliver one event (by its event id) or every event since a time: each is queued again at
 * the end of the endpoint's order, as a new delivery with the same event id (so a consumer that
 * deduplicates on `webhook-id` sees it as the same event). Only events whose body is still kept (7 days).
 */
export async function redeliver(
  deps: WebhookDeps,
  input: { organizationId: string; actor: WebhookActor; source: AuditSource; endpointId: string; what: { eventId: string } | { since: Date } },
): Promise<number> {
  return deps.db.transaction().execute(async (trx) => {
    const actor = await authorise(trx, input.organizationId, input.actor);
    const endpoint = await lockEndpoint(trx, input.organizationId, input.endpointId);
    let q = trx
      .selectFrom('webhook_deliveries')
      .select(['event_id', 'event_type', 'body'])
      .distinctOn(['seq'])
      .where('organization_id', '=', input.organizationId)
      .where('endpoint_id', '=', endpoint.id)
      .where('body', 'is not', null);
    q = 'eventId' in input.what ? q.where('event_id', '=', input.what.eventId) : q.where('created_at', '>=', input.what.since);
    const originals = await q.orderBy('seq').execute();
    const seen = new Set<string>();
    const events = originals.filter((o) => !seen.has(o.event_id) && seen.add(o.event_id));
    if ('eventId' in input.what && events.length === 0) throw new WebhookError('not_found', 'No delivery of that event is kept for this endpoint (bodies are kept 7 days).');
    if (events.length > 0) {
      const { next_seq } = await trx
        .updateTable('webhook_endpoints')
        .set({ next_seq: (eb) => eb('next_seq', '+', String(events.length)) })
        .where('organization_id', '=', input.organizationId)
        .where('id', '=', endpoint.id)
        .returning('next_seq')
        .executeTakeFirstOrThrow();
      const first = BigInt(next_seq) - BigInt(events.length) + 1n;
      await trx
        .insertInto('webhook_deliveries')
        .values(events.map((e, i) => ({ organization_id: input.organizationId, endpoint_id: endpoint.id, seq: String(first + BigInt(i)), event_id: e.event_id, event_type: e.event_type, body: JSON.stringify(e.body) })))
        .execute();
      if (endpoint.status === 'active') await wakeEndpoint(trx, input.organizationId, endpoint.id, 'preserve_run_at');
    }
    await appendAuditEvent(trx, {
      organizationId: input.organizationId,
      actor,
      action: 'webhook.redelivery_requested',
      target: { type: 'webhook_endpoint', id: endpoint.id },
      after: { ...('eventId' in input.what ? { event_id: input.what.eventId } : { since: input.what.since.toISOString() }), count: events.length },
      source: input.source,
    });
    return events.length;
  });
}

/** One endpoint of the organization, or undefined (also for an id that is not a uuid). */
export async function findEndpoint(db: DbOrTrx, organizationId: string, id: string): Promise<WebhookEndpoint | undefined> {
  if (!z.uuid().safeParse(id).success) return undefined;
  return db.selectFrom('webhook_endpoints').selectAll().where('organization_id', '=', organizationId).where('id', '=', id).executeTakeFirst();
}

export async function listEndpoints(db: DbOrTrx, organizationId: string): Promise<WebhookEndpoint[]> {
  return db.selectFrom('webhook_endpoints').selectAll().where('organization_id', '=', organizationId).orderBy('created_at').execute();
}

export async function listDeliveries(db: DbOrTrx, organizationId: string, endpointId: string, limit = 50) {
  return db
    .selectFrom('webhook_deliveries')
    .select(['id', 'seq', 'event_id', 'event_type', 'status', 'attempts', 'last_status_code', 'last_error', 'last_latency_ms', 'created_at', 'delivered_at', 'next_attempt_at'])
    .where('organization_id', '=', organizationId)
    .where('endpoint_id', '=', endpointId)
    .orderBy('seq', 'desc')
    .limit(limit)
    .execute();
}
