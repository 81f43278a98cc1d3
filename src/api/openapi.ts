import { z } from 'zod';
import { PERMISSIONS } from '../team/permissions.js';
import { listQuery as auditQuery } from './audit.js';
import { eventBody } from './ingest.js';
import { listQuery as invitationsQuery } from './invitations.js';
import { listQuery as membersQuery } from './members.js';
import { createBody, redeliverBody, updateBody } from './webhooks.js';
import { envelopeSchema, EVENT_TYPES } from '../events/vocabulary.js';

/**
 * GET /api/v1/openapi.json: the REST API described in OpenAPI 3.1. The request parts (query
 * parameters, the event body) are generated from the very zod schemas that validate requests
 * (zod 4's JSON Schema output), so the description cannot say one thing while the server checks
 * another; responses are described once here. test/e2e/openapi.test.ts validates the document
 * against the OpenAPI 3.1 schema and holds its paths to the routes the server mounts.
 */

type JsonSchema = Record<string, unknown>;

/** The schema of what a caller sends: enumerations and formats as the validator states them, the raw text where a value is transformed. */
function requestSchema(schema: z.ZodType): { properties: Record<string, JsonSchema>; required: string[] } {
  const strip = ({ $schema: _, ...rest }: JsonSchema) => rest;
  const input = strip(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema);
  const output = strip(z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any' }) as JsonSchema);
  const inProps = (input.properties ?? {}) as Record<string, JsonSchema>;
  const outProps = (output.properties ?? {}) as Record<string, JsonSchema>;
  const properties: Record<string, JsonSchema> = {};
  for (const [name, raw] of Object.entries(inProps)) {
    const parsed = outProps[name];
    properties[name] = parsed && Object.keys(parsed).length > 0 && parsed.type === raw.type ? parsed : raw;
  }
  return { properties, required: (input.required as string[] | undefined) ?? [] };
}

function queryParameters(schema: z.ZodType, descriptions: Record<string, string> = {}): JsonSchema[] {
  const { properties, required } = requestSchema(schema);
  return Object.entries(properties).map(([name, s]) => ({
    name,
    in: 'query',
    required: required.includes(name),
    schema: s,
    ...(descriptions[name] ? { description: descriptions[name] } : {}),
  }));
}

const problem = { $ref: '#/components/responses/Problem' };
const errors = { '400': problem, '401': problem, '403': problem, '429': problem, '503': problem };
const page = (item: string) => ({
  type: 'object',
  required: ['data', 'next_cursor'],
  properties: { data: { type: 'array', items: { $ref: `#/components/schemas/${item}` } }, next_cursor: { type: ['string', 'null'] } },
});
const nullableTime = { type: ['string', 'null'], format: 'date-time' };
const time = { type: 'string', format: 'date-time' };

export function openApiDocument(): JsonSchema {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Team Manager API',
      version: '1',
      description: 'Who belongs to the organization, with which role and permissions; invitations; the audit log; activity ingest. See docs/api.md.',
    },
    servers: [{ url: '/api/v1' }],
    security: [{ apiKey: [] }],
    paths: {
      '/members': {
        get: {
          summary: 'Members, a page at a time (owners first, then by name)',
          parameters: queryParameters(membersQuery, { limit: 'page size, 1 to 500 (default 100)', cursor: 'next_cursor of the previous page' }),
          responses: { '200': json('A page of members', page('Member')), ...errors },
        },
      },
      '/members/{email}': {
        get: {
          summary: 'One active member by email; 404 when unknown or removed (end their access)',
          parameters: [{ name: 'email', in: 'path', required: true, schema: { type: 'string', format: 'email' } }],
          responses: { '200': json('The member', { $ref: '#/components/schemas/Member' }), '404': problem, ...errors },
        },
      },
      '/invitations': {
        get: {
          summary: 'Invitations, newest first',
          parameters: queryParameters(invitationsQuery, { limit: 'page size, 1 to 500 (default 100)' }),
          responses: { '200': json('A page of invitations', page('Invitation')), ...errors },
        },
      },
      '/audit': {
        get: {
          summary: 'The audit log, newest first; Accept: text/csv streams every matching event',
          parameters: queryParameters(auditQuery, { actor: "a member's email or id", target: "a member's email or id", limit: 'page size, 1 to 500 (default 100)' }),
          responses: {
            '200': {
              description: 'A page of events (JSON) or all of them (CSV)',
              content: { 'application/json': { schema: page('AuditEvent') }, 'text/csv': { schema: { type: 'string' } } },
            },
            '406': problem,
            ...errors,
          },
        },
      },
      '/events': {
        post: {
          summary: 'Report a sign-in or a configuration change (read-write key)',
          parameters: [{ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,200}$' } }],
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', additionalProperties: false, ...requestSchema(eventBody) } } } },
          responses: {
            '201': json('Stored', { $ref: '#/components/schemas/StoredEvent' }),
            '200': json('Already stored under this Idempotency-Key', { $ref: '#/components/schemas/StoredEvent' }),
            '404': problem,
            '413': problem,
            '415': problem,
            ...errors,
          },
        },
      },
      '/openapi.json': {
        get: { summary: 'This document', security: [], responses: { '200': json('OpenAPI 3.1', { type: 'object' }) } },
      },
      ...webhookPaths(),
    },
    webhooks: webhookPayloads(),
    components: {
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'An API key from `npm run cli -- api-keys create`' } },
      responses: {
        Problem: { description: 'A problem (RFC 9457)', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } },
      },
      schemas: {
        Problem: {
          type: 'object',
          required: ['type', 'title', 'status', 'detail'],
          properties: {
            type: { type: 'string' },
            title: { type: 'string' },
            status: { type: 'integer' },
            detail: { type: 'string' },
            errors: { type: 'array', items: { type: 'object', required: ['field', 'message'], properties: { field: { type: 'string' }, message: { type: 'string' } } } },
          },
        },
        Member: {
          type: 'object',
          required: ['id', 'email', 'name', 'role', 'status', 'slack_user_id', 'joined_at', 'removed_at', 'last_sign_in_at', 'permissions'],
          properties: {
            id: { type: 'string', format: 'uuid' },
            email: { type: 'string', format: 'email' },
            name: { type: ['string', 'null'] },
            role: { enum: ['owner', 'member'] },
            status: { enum: ['active', 'removed'] },
            slack_user_id: { type: ['string', 'null'] },
            joined_at: time,
            removed_at: nullableTime,
            last_sign_in_at: nullableTime,
            permissions: { type: 'array', items: { enum: Object.keys(PERMISSIONS) }, description: 'what the product should let this person do; none once removed' },
          },
        },
        Invitation: {
          type: 'object',
          properties: {
            id: { type: 'string', format: 'uuid' },
            email: { type: 'string', format: 'email' },
            role: { enum: ['owner', 'member'] },
            status: { enum: ['pending', 'accepted', 'declined', 'cancelled', 'expired'] },
            message: { type: ['string', 'null'] },
            invited_by: { type: ['object', 'null'] },
            created_at: time,
            expires_at: time,
            last_sent_at: time,
            send_count: { type: 'integer' },
            responded_at: nullableTime,
          },
        },
        AuditEvent: { type: 'object', properties: { id: { type: 'string' }, occurred_at: time, action: { type: 'string' }, source: { type: 'string' } } },
        StoredEvent: { type: 'object', properties: { event: { type: 'object' }, duplicate: { type: 'boolean' } } },
        WebhookEndpoint: {
          type: 'object',
          required: ['id', 'url', 'event_types', 'description', 'status'],
          properties: {
            id: { type: 'string', format: 'uuid' },
            url: { type: 'string' },
            event_types: { type: 'array', items: { enum: EVENT_TYPES } },
            description: { type: 'string' },
            status: { enum: ['active', 'paused', 'disabled'] },
            disabled_reason: { type: ['string', 'null'] },
            failing_since: nullableTime,
            created_at: time,
            secret: { type: 'string', description: 'whsec_…; only in the answer to create (and rotate-secret)' },
          },
        },
        WebhookDelivery: {
          type: 'object',
          properties: {
            id: { type: 'string' },
            event_id: { type: 'string' },
            event_type: { type: 'string' },
            status: { enum: ['pending', 'delivered', 'failed'] },
            attempts: { type: 'integer' },
            response_code: { type: ['integer', 'null'] },
            error: { type: ['string', 'null'] },
            latency_ms: { type: ['integer', 'null'] },
            created_at: time,
            delivered_at: nullableTime,
            next_attempt_at: nullableTime,
          },
        },
      },
    },
  };
}

function json(description: string, schema: JsonSchema): JsonSchema {
  return { description, content: { 'application/json': { schema } } };
}

function bodySchema(schema: z.ZodType): JsonSchema {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

const idParam = [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }];
const endpointRef = { $ref: '#/components/schemas/WebhookEndpoint' };
const writeErrors = { '404': problem, ...errors };

/** /webhooks: endpoints, their delivery log, rotation, redelivery (read-write key to change). */
function webhookPaths(): Record<string, JsonSchema> {
  return {
    '/webhooks': {
      get: { summary: 'Webhook endpoints', responses: { '200': json('The endpoints', { type: 'object', properties: { data: { type: 'array', items: endpointRef } } }), ...errors } },
      post: {
        summary: 'Add an endpoint; the answer holds its signing secret, once (read-write key)',
        requestBody: { required: true, content: { 'application/json': { schema: bodySchema(createBody) } } },
        responses: { '201': json('Created, with `secret`', endpointRef), ...errors },
      },
    },
    '/webhooks/{id}': {
      get: { summary: 'One endpoint', parameters: idParam, responses: { '200': json('The endpoint', endpointRef), ...writeErrors } },
      patch: {
        summary: 'Change url, event types, description, or pause (status paused) / resume (status active)',
        parameters: idParam,
        requestBody: { required: true, content: { 'application/json': { schema: bodySchema(updateBody) } } },
        responses: { '200': json('The endpoint', endpointRef), ...writeErrors },
      },
      delete: { summary: 'Delete an endpoint and its log', parameters: idParam, responses: { '204': { description: 'Deleted' }, ...writeErrors } },
    },
    '/webhooks/{id}/rotate-secret': {
      post: {
        summary: 'A new signing secret; the previous one keeps signing for 24 h',
        parameters: idParam,
        responses: { '200': json('The new secret', { type: 'object', properties: { secret: { type: 'string' }, previous_secret_valid_until: time } }), ...writeErrors },
      },
    },
    '/webhooks/{id}/deliveries': {
      get: {
        summary: 'The delivery log, newest first (bodies are kept 7 days)',
        parameters: idParam,
        responses: { '200': json('Deliveries', { type: 'object', properties: { data: { type: 'array', items: { $ref: '#/components/schemas/WebhookDelivery' } } } }), ...writeErrors },
      },
    },
    '/webhooks/{id}/redeliver': {
      post: {
        summary: 'Queue one event (event_id) or every event since a time (since) again, at the end of the order',
        parameters: idParam,
        requestBody: { required: true, content: { 'application/json': { schema: bodySchema(redeliverBody) } } },
        responses: { '202': json('Queued', { type: 'object', properties: { queued: { type: 'integer' } } }), ...writeErrors },
      },
    },
  };
}

/** OpenAPI 3.1 `webhooks`: one POST per event type, its body generated from the event's zod schema. */
function webhookPayloads(): Record<string, JsonSchema> {
  const signed = ['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((name) => ({ name, in: 'header', required: true, schema: { type: 'string' } }));
  return Object.fromEntries(
    EVENT_TYPES.map((type) => [
      type,
      {
        post: {
          summary: `${type} (version 1), signed per Standard Webhooks`,
          parameters: signed,
          requestBody: { required: true, content: { 'application/json': { schema: bodySchema(envelopeSchema(type)) } } },
          responses: { '2XX': { description: 'Received; anything else is retried with backoff for about 3 days' } },
        },
      },
    ]),
  );
}
