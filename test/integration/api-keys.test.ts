import { createHash } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { API_KEY_PATTERN, authenticateApiKey, createApiKey, listApiKeys, revokeApiKey } from '../../src/api/api-keys.js';
import { RateLimiter } from '../../src/api/rate-limit.js';
import type { Organization } from '../../src/db/schema.js';
import { AppError } from '../../src/errors.js';
import { useTestDatabase } from '../support/database.js';
import { auditActions, seedOrganization } from '../support/seed.js';

const t = useTestDatabase();
const CLI = { type: 'cli' as const, id: 'ops' };
let n = 0;
let org: Organization;
let other: Organization;

beforeEach(async () => {
  org = await seedOrganization(t.db, `T_KEYS_${++n}`, { name: 'Acme' });
  other = await seedOrganization(t.db, `T_KEYS_OTHER_${n}`, { name: 'Other' });
});

const keyRow = (id: string) => t.db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

async function errorOf(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected an AppError');
}

describe('createApiKey', () => {
  it('returns the key once, stores only its SHA-256 and a short prefix, and writes one api_key.created event without the key', async () => {
    const { apiKey, key } = await createApiKey(t.db, { organizationId: org.id, name: '  Billing sync ', scope: 'read', actor: CLI, source: 'cli' });
    expect(key).toMatch(API_KEY_PATTERN);
    expect(apiKey).not.toHaveProperty('key_hash');
    expect(apiKey).toMatchObject({ organization_id: org.id, name: 'Billing sync', scope: 'read', prefix: key.slice(0, 10), created_by: 'ops', revoked_at: null, last_used_at: null });

    const row = await keyRow(apiKey.id);
    expect(row.key_hash.equals(createHash('sha256').update(key).digest())).toBe(true);
    // Nothing stored holds the key itself: not the row, not the audit log.
    expect(JSON.stringify(row)).not.toContain(key.slice(10));
    const events = await t.db.selectFrom('audit_events').selectAll().where('organization_id', '=', org.id).execute();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      action: 'api_key.created',
      actor_type: 'cli',
      actor_id: 'ops',
      source: 'cli',
      target_type: 'api_key',
      target_id: apiKey.id,
      after: { name: 'Billing sync', scope: 'read', prefix: key.slice(0, 10) },
    });
    expect(JSON.stringify(events)).not.toContain(key.slice(10));
  });

  it('makes a different key every time, and refuses empty, over-long or control-character names (nothing stored)', async () => {
    const a = await createApiKey(t.db, { organizationId: org.id, name: 'a', scope: 'read-write', actor: CLI, source: 'cli' });
    const b = await createApiKey(t.db, { organizationId: org.id, name: 'a', scope: 'read-write', actor: CLI, source: 'cli' });
    expect(a.key).not.toBe(b.key);
    for (const name of ['', '   ', 'x'.repeat(101), 'tab\there']) {
      expect((await errorOf(createApiKey(t.db, { organizationId: org.id, name, scope: 'read', actor: CLI, source: 'cli' }))).code).toBe('invalid_name');
    }
    expect(await listApiKeys(t.db, org.id)).toHaveLength(2);
    expect(await auditActions(t.db, org.id)).toEqual(['api_key.created', 'api_key.created']);
  });
});

describe('authenticateApiKey', () => {
  it('knows a live key (organization and scope) and nothing else: a changed character, a malformed string, a revoked key', async () => {
    const { apiKey, key } = await createApiKey(t.db, { organizationId: org.id, name: 'sync', scope: 'read-write', actor: CLI, source: 'cli' });
    expect(await authenticateApiKey(t.db, key)).toEqual({ id: apiKey.id, organizationId: org.id, scope: 'read-write', name: 'sync', prefix: apiKey.prefix });

    const last = key.at(-1) === 'A' ? 'B' : 'A';
    expect(await authenticateApiKey(t.db, `${key.slice(0, -1)}${last}`)).toBeUndefined();
    for (const bad of ['', 'tm_', key.slice(0, -1), `${key}x`, key.replace('tm_', 'tk_'), ` ${key}`]) {
      expect(await authenticateApiKey(t.db, bad)).toBeUndefined();
    }

    await revokeApiKey(t.db, { organizationId: org.id, id: apiKey.id, actor: CLI, source: 'cli' });
    expect(await authenticateApiKey(t.db, key)).toBeUndefined();
  });

  it('records last_used_at on use, at most once a minute', async () => {
    const { apiKey, key } = await createApiKey(t.db, { organizationId: org.id, name: 'sync', scope: 'read', actor: CLI, source: 'cli' });
    await authenticateApiKey(t.db, key);
    const first = (await keyRow(apiKey.id)).last_used_at;
    expect(first).toBeInstanceOf(Date);
    await authenticateApiKey(t.db, key);
    expect((await keyRow(apiKey.id)).last_used_at).toEqual(first);

    await t.db.updateTable('api_keys').set({ last_used_at: sql<Date>`now() - interval '2 minutes'` }).where('id', '=', apiKey.id).execute();
    const old = (await keyRow(apiKey.id)).last_used_at!;
    await authenticateApiKey(t.db, key);
    expect((await keyRow(apiKey.id)).last_used_at!.getTime()).toBeGreaterThan(old.getTime() + 60_000);
  });
});

describe('revokeApiKey', () => {
  it('revokes once with one api_key.revoked event; again is a no-op; unknown ids, other organizations\' keys and non-ids are refused', async () => {
    const { apiKey } = await createApiKey(t.db, { organizationId: org.id, name: 'sync', scope: 'read', actor: CLI, source: 'cli' });
    const theirs = await createApiKey(t.db, { organizationId: other.id, name: 'theirs', scope: 'read', actor: CLI, source: 'cli' });

    const revoked = await revokeApiKey(t.db, { organizationId: org.id, id: apiKey.id, actor: CLI, source: 'cli' });
    expect(revoked.outcome).toBe('revoked');
    expect(revoked.apiKey.revoked_at).toBeInstanceOf(Date);
    const again = await revokeApiKey(t.db, { organizationId: org.id, id: apiKey.id, actor: CLI, source: 'cli' });
    expect(again.outcome).toBe('already_revoked');
    expect(again.apiKey.revoked_at).toEqual(revoked.apiKey.revoked_at);
    const events = await t.db.selectFrom('audit_events').selectAll().where('organization_id', '=', org.id).orderBy('id').execute();
    expect(events.map((e) => e.action)).toEqual(['api_key.created', 'api_key.revoked']);
    expect(events[1]).toMatchObject({ actor_type: 'cli', source: 'cli', target_id: apiKey.id, before: { revoked_at: null } });

    expect((await errorOf(revokeApiKey(t.db, { organizationId: org.id, id: '00000000-0000-4000-8000-000000000000', actor: CLI, source: 'cli' }))).code).toBe('not_found');
    // Another organization's key is not found from here, and stays live.
    expect((await errorOf(revokeApiKey(t.db, { organizationId: org.id, id: theirs.apiKey.id, actor: CLI, source: 'cli' }))).code).toBe('not_found');
    expect(await authenticateApiKey(t.db, theirs.key)).toMatchObject({ organizationId: other.id });
    expect((await errorOf(revokeApiKey(t.db, { organizationId: org.id, id: 'tm_abc', actor: CLI, source: 'cli' }))).code).toBe('invalid_id');
  });

  it('lists only the organization\'s keys, revoked ones included, without hashes', async () => {
    const a = await createApiKey(t.db, { organizationId: org.id, name: 'a', scope: 'read', actor: CLI, source: 'cli' });
    const b = await createApiKey(t.db, { organizationId: org.id, name: 'b', scope: 'read-write', actor: CLI, source: 'cli' });
    await createApiKey(t.db, { organizationId: other.id, name: 'c', scope: 'read', actor: CLI, source: 'cli' });
    await revokeApiKey(t.db, { organizationId: org.id, id: a.apiKey.id, actor: CLI, source: 'cli' });
    const keys = await listApiKeys(t.db, org.id);
    expect(keys.map((k) => [k.name, k.scope, k.revoked_at !== null])).toEqual([['a', 'read', true], ['b', 'read-write', false]]);
    expect(keys.every((k) => !('key_hash' in k))).toBe(true);
    expect(keys[1]!.id).toBe(b.apiKey.id);
  });
});

describe('RateLimiter', () => {
  it('lets a burst through, then one request per refill interval, per key, and says when to retry', () => {
    let now = 1_000_000;
    const limiter = new RateLimiter({ burst: 3, perSecond: 0.5, now: () => now });
    expect([1, 2, 3].map(() => limiter.take('k').allowed)).toEqual([true, true, true]);
    expect(limiter.take('k')).toEqual({ allowed: false, retryAfterSeconds: 2 });
    expect(limiter.take('other').allowed).toBe(true);
    now += 1_000;
    expect(limiter.take('k')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    now += 1_000;
    expect(limiter.take('k').allowed).toBe(true);
    expect(limiter.take('k').allowed).toBe(false);
    now += 60_000;
    expect([1, 2, 3, 4].map(() => limiter.take('k').allowed)).toEqual([true, true, true, false]);
  });
});
