import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/api/api-keys.js';
import type { Organization } from '../../src/db/schema.js';
import { findOrganizationBySlackTeam } from '../../src/team/organization-repository.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { useTestDatabase } from '../support/database.js';
import { auditActions, seedOrganization } from '../support/seed.js';

/** /api/v1/webhooks through the real app: CRUD, problem JSON, scopes, tenancy, the delivery log. */
describe('webhooks API', () => {
  const t = useTestDatabase();
  let h: TestApp;
  let org: Organization;
  const keys = { read: '', write: '', otherWrite: '' };
  const CLI = { type: 'cli' as const, id: 'test' };

  beforeAll(async () => {
    h = await startTestApp({ databaseUrl: t.url, env: { RUN_WORKER: 'false' } });
    org = (await findOrganizationBySlackTeam(t.db, h.standin.teamId))!;
    const other = await seedOrganization(t.db, 'T0OTHERORG', { name: 'Other Inc' });
    keys.read = (await createApiKey(t.db, { organizationId: org.id, name: 'r', scope: 'read', actor: CLI, source: 'cli' })).key;
    keys.write = (await createApiKey(t.db, { organizationId: org.id, name: 'w', scope: 'read-write', actor: CLI, source: 'cli' })).key;
    keys.otherWrite = (await createApiKey(t.db, { organizationId: other.id, name: 'o', scope: 'read-write', actor: CLI, source: 'cli' })).key;
  });
  afterAll(async () => h?.stop());

  async function call(path: string, key: string, method = 'GET', body?: unknown) {
    const res = await fetch(`${h.app.url}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, type: res.headers.get('content-type') ?? '', body: text ? (JSON.parse(text) as Record<string, any>) : {} };
  }

  it('adds, lists, pauses, rotates, reads the log, redelivers and deletes; the secret is shown once', async () => {
    const created = await call('/webhooks', keys.write, 'POST', { url: 'http://localhost:9/hook', event_types: ['member.removed'], description: 'product' });
    expect(created.status).toBe(201);
    expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9+/=]{40,}$/);
    const id = created.body.id as string;
    const list = await call('/webhooks', keys.read);
    expect(list.body.data).toEqual([expect.objectContaining({ id, status: 'active', event_types: ['member.removed'] })]);
    expect(JSON.stringify(list.body)).not.toContain('whsec_');
    expect((await call(`/webhooks/${id}`, keys.write, 'PATCH', { status: 'paused' })).body.status).toBe('paused');
    expect((await call(`/webhooks/${id}`, keys.write, 'PATCH', { status: 'active', description: 'again' })).body).toMatchObject({ status: 'active', description: 'again' });
    const rotated = await call(`/webhooks/${id}/rotate-secret`, keys.write, 'POST');
    expect(rotated.body.secret).not.toBe(created.body.secret);
    expect((await call(`/webhooks/${id}/deliveries`, keys.read)).body.data).toEqual([]);
    expect(await call(`/webhooks/${id}/redeliver`, keys.write, 'POST', { since: '2026-01-01T00:00:00Z' })).toMatchObject({ status: 202, body: { queued: 0 } });
    expect((await call(`/webhooks/${id}/redeliver`, keys.write, 'POST', { event_id: 'evt_nope' })).status).toBe(404);
    // Another organization's key finds nothing there.
    expect((await call(`/webhooks/${id}`, keys.otherWrite, 'DELETE')).status).toBe(404);
    expect((await call(`/webhooks/${id}`, keys.write, 'DELETE')).status).toBe(204);
    expect((await auditActions(t.db, org.id)).filter((a) => a.startsWith('webhook.'))).toEqual([
      'webhook.endpoint_created', 'webhook.endpoint_updated', 'webhook.endpoint_updated', 'webhook.secret_rotated', 'webhook.redelivery_requested', 'webhook.endpoint_deleted',
    ]);
  });

  it('refuses bad input with problem JSON naming the field, and writes with a read-only key', async () => {
    const bad = await call('/webhooks', keys.write, 'POST', { url: 'http://example.com/hook', event_types: ['member.removed'] });
    expect(bad).toMatchObject({ status: 400, type: expect.stringContaining('application/problem+json'), body: { errors: [{ field: 'url' }] } });
    const unknown = await call('/webhooks', keys.write, 'POST', { url: 'https://example.com/h', event_types: ['member.exploded'] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors[0].field).toBe('event_types.0');
    expect((await call('/webhooks', keys.read, 'POST', { url: 'https://example.com/h', event_types: ['member.removed'] })).status).toBe(403);
    expect((await call('/webhooks/not-a-uuid', keys.write, 'DELETE')).status).toBe(404);
  });
});
