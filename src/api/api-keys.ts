import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { sql } from 'kysely';
import { z } from 'zod';
import type { Db, DbOrTrx } from '../db/database.js';
import type { ApiKey, ApiKeyScope } from '../db/schema.js';
import { appendAuditEvent, type Actor } from '../events/audit-repository.js';
import { AppError } from '../errors.js';

/**
 * Per-organization API keys: `tm_` + 32 random bytes in base64url (46 characters). The key is
 * shown once, when it is made; only its SHA-256 is stored, so a database leak yields no usable
 * key. Presented keys are looked up by hash and compared in constant time; a revoked key stops
 * working with the next request (every request reads the row, nothing is cached).
 */

/** What a listing shows of a key: everything but its hash. */
export type ApiKeySummary = Omit<ApiKey, 'key_hash'>;

/** The key a request was authenticated with. */
export interface AuthenticatedKey {
  id: string;
  organizationId: string;
  scope: ApiKeyScope;
  name: string;
  prefix: string;
}

export const API_KEY_PATTERN = /^tm_[A-Za-z0-9_-]{43}$/;
/** `tm_` and the first 7 characters of the random part: enough to recognise a key, far too little to guess it. */
export const API_KEY_PREFIX_LENGTH = 10;
export const MAX_KEY_NAME_LENGTH = 100;
/** last_used_at is written at most this often per key, so reads do not turn into a write each. */
export const LAST_USED_RESOLUTION_SECONDS = 60;

const SUMMARY_COLUMNS = ['id', 'organization_id', 'name', 'scope', 'prefix', 'created_by', 'created_at', 'last_used_at', 'revoked_at'] as const;

export function newApiKey(): { key: string; hash: Buffer; prefix: string } {
  const key = `tm_${randomBytes(32).toString('base64url')}`;
  return { key, hash: hashApiKey(key), prefix: key.slice(0, API_KEY_PREFIX_LENGTH) };
}

export function hashApiKey(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

/** A key's name: trimmed, 1–100 characters, no control characters; else AppError('invalid_name'). */
export function normaliseKeyName(input: string): string {
  const name = input.trim();
  if (name.length === 0 || [...name].length > MAX_KEY_NAME_LENGTH || /[\u0000-\u001f\u007f]/.test(name)) {
    throw new AppError('invalid_name', `an API key name is 1 to ${MAX_KEY_NAME_LENGTH} characters without control characters`);
  }
  return name;
}

/** Makes a key and writes `api_key.created`, in one transaction. The plaintext key is in the result and nowhere else. */
export async function createApiKey(
  db: Db,
  input: { organizationId: string; name: string; scope: ApiKeyScope; actor: Actor; source: 'cli' | 'system' },
): Promise<{ apiKey: ApiKeySummary; key: string }> {
  const name = normaliseKeyName(input.name);
  const { key, hash, prefix } = newApiKey();
  const apiKey = await db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('api_keys')
      .values({ organization_id: input.organizationId, name, scope: input.scope, prefix, key_hash: hash, created_by: input.actor.id })
      .returning(SUMMARY_COLUMNS)
      .executeTakeFirstOrThrow();
    await appendAuditEvent(trx, {
      organizationId: input.organizationId,
      actor: input.actor,
      action: 'api_key.created',
      target: { type: 'api_key', id: row.id },
      after: { name, scope: input.scope, prefix },
      source: input.source,
    });
    return row;
  });
  return { apiKey, key };
}

/** REST API keys (scope read / read-write) or SCIM tokens (scope scim): listed and revoked apart. */
export type KeyKind = 'api' | 'scim';

const ofKind = (kind: KeyKind) => (kind === 'scim' ? (['scim'] as const) : (['read', 'read-write'] as const));

/** The organization's keys of one kind, revoked ones included, oldest first. */
export async function listApiKeys(db: DbOrTrx, organizationId: string, kind: KeyKind = 'api'): Promise<ApiKeySummary[]> {
  return db
    .selectFrom('api_keys')
    .select(SUMMARY_COLUMNS)
    .where('organization_id', '=', organizationId)
    .where('scope', 'in', ofKind(kind))
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

/**
 * Revokes a key of this organization and writes `api_key.revoked`, in one transaction; a key
 * already revoked is left as it is (outcome 'already_revoked', no event). AppError('invalid_id')
 * for something that is not a key id, AppError('not_found') for an id this organization has no key under.
 */
export async function revokeApiKey(
  db: Db,
  input: { organizationId: string; id: string; actor: Actor; source: 'cli' | 'system'; kind?: KeyKind },
): Promise<{ apiKey: ApiKeySummary; outcome: 'revoked' | 'already_revoked' }> {
  const kind = input.kind ?? 'api';
  const what = kind === 'scim' ? 'SCIM token' : 'API key';
  if (!z.uuid().safeParse(input.id).success) throw new AppError('invalid_id', `"${input.id}" is not ${kind === 'scim' ? 'a SCIM token id (the ID column of scim-token list)' : 'an API key id (the ID column of api-keys list)'}`);
  return db.transaction().execute(async (trx) => {
    const current = await trx
      .selectFrom('api_keys')
      .select(SUMMARY_COLUMNS)
      .where('organization_id', '=', input.organizationId)
      .where('id', '=', input.id)
      .where('scope', 'in', ofKind(kind))
      .forUpdate()
      .executeTakeFirst();
    if (!current) throw new AppError('not_found', `no ${what} ${input.id} in this organization`);
    if (current.revoked_at) return { apiKey: current, outcome: 'already_revoked' as const };
    const apiKey = await trx
      .updateTable('api_keys')
      .set({ revoked_at: sql<Date>`now()` })
      .where('organization_id', '=', current.organization_id)
      .where('id', '=', current.id)
      .returning(SUMMARY_COLUMNS)
      .executeTakeFirstOrThrow();
    await appendAuditEvent(trx, {
      organizationId: input.organizationId,
      actor: input.actor,
      action: 'api_key.revoked',
      target: { type: 'api_key', id: apiKey.id },
      before: { name: current.name, scope: current.scope, prefix: current.prefix, revoked_at: null },
      after: { revoked_at: apiKey.revoked_at!.toISOString() },
      source: input.source,
    });
    return { apiKey, outcome: 'revoked' as const };
  });
}

/**
 * The key a request presents, when it is one of ours and not revoked; undefined otherwise,
 * whatever the reason, so callers cannot tell apart (or reveal) unknown, revoked and malformed
 * keys. Records the use in last_used_at, at most once a minute per key.
 */
export async function authenticateApiKey(db: DbOrTrx, presented: string): Promise<AuthenticatedKey | undefined> {
  if (!API_KEY_PATTERN.test(presented)) return undefined;
  const hash = hashApiKey(presented);
  const row = await db
    .selectFrom('api_keys')
    .select(['id', 'organization_id', 'scope', 'name', 'prefix', 'key_hash', 'last_used_at', 'revoked_at'])
    .where('key_hash', '=', hash)
    .executeTakeFirst();
  // The lookup is by hash already; the comparison is constant-time all the same, as for invitation tokens.
  if (!row || row.key_hash.length !== hash.length || !timingSafeEqual(row.key_hash, hash) || row.revoked_at !== null) return undefined;
  if (row.last_used_at === null || Date.now() - row.last_used_at.getTime() >= LAST_USED_RESOLUTION_SECONDS * 1000) {
    await db
      .updateTable('api_keys')
      .set({ last_used_at: sql<Date>`now()` })
      .where('organization_id', '=', row.organization_id)
      .where('id', '=', row.id)
      .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', sql<Date>`now() - make_interval(secs => ${LAST_USED_RESOLUTION_SECONDS})`)]))
      .execute();
  }
  return { id: row.id, organizationId: row.organization_id, scope: row.scope, name: row.name, prefix: row.prefix };
}
