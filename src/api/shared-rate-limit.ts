import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { RateDecision, RateLimitOptions } from './rate-limit.js';

/**
 * The same token bucket as RateLimiter, kept in PostgreSQL (api_rate_buckets, one row per API
 * key) so that every web instance draws from one bucket: with N instances a key gets the
 * configured rate, not N times it. One statement per request, atomic under the row's lock:
 * refill by the time since the last request, take a token when there is one, and say whether
 * it was taken. (A measured design rather than a library: rate-limiter-flexible's Postgres
 * store counts fixed windows and creates its table at run time, outside the migrations.)
 */
export class PostgresRateLimiter {
  constructor(
    private readonly db: Db,
    private readonly options: Pick<RateLimitOptions, 'burst' | 'perSecond'>,
  ) {
    if (!(options.burst >= 1) || !(options.perSecond > 0)) throw new RangeError('rate limit: burst must be ≥ 1 and perSecond > 0');
  }

  async take(key: string, organizationId: string): Promise<RateDecision> {
    const { burst, perSecond } = this.options;
    const refilled = sql<number>`least(${burst}::float8, b.tokens + extract(epoch from clock_timestamp() - b.refreshed_at)::float8 * ${perSecond}::float8)`;
    const { rows } = await sql<{ allowed: boolean; tokens: number }>`
      insert into api_rate_buckets as b (api_key_id, organization_id, tokens, refreshed_at, allowed)
      values (${key}, ${organizationId}, ${burst - 1}::float8, clock_timestamp(), true)
      on conflict (api_key_id) do update set
        tokens = case when ${refilled} >= 1 then ${refilled} - 1 else ${refilled} end,
        allowed = ${refilled} >= 1,
        refreshed_at = clock_timestamp()
      returning allowed, tokens`.execute(this.db);
    const row = rows[0]!;
    if (row.allowed) return { allowed: true, remaining: Math.floor(row.tokens) };
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - row.tokens) / perSecond)) };
  }
}
