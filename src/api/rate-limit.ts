/**
 * A token bucket per API key, in memory: each key may make `burst` requests at once and
 * `perSecond` a second after that. A refused request learns in `retryAfterSeconds` when the
 * next one will be let through. In memory means per process: N web processes let a key make
 * N times as many requests; the API uses the shared one in PostgreSQL unless `shared: false`.
 */
export interface RateLimitOptions {
  /** Requests a key may make at once (the bucket's size). */
  burst: number;
  /** Requests a second a key may sustain (the refill rate). */
  perSecond: number;
  /** The clock, in milliseconds; tests pass their own (in-memory buckets only). */
  now?: () => number;
  /**
   * Keep the buckets in PostgreSQL, shared by every web instance (src/api/shared-rate-limit.ts);
   * the default. false: per process, in memory (N instances let a key make N× the requests).
   */
  shared?: boolean;
}

/** What the API's middleware asks: may this key make one more request? */
export interface RateLimit {
  take(key: string, organizationId: string): RateDecision | Promise<RateDecision>;
}

export const DEFAULT_RATE_LIMIT: RateLimitOptions = { burst: 100, perSecond: 10 };

export type RateDecision = { allowed: true; remaining: number } | { allowed: false; retryAfterSeconds: number };

export class RateLimiter implements RateLimit {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly now: () => number;

  constructor(private readonly options: RateLimitOptions = DEFAULT_RATE_LIMIT) {
    if (!(options.burst >= 1) || !(options.perSecond > 0)) throw new RangeError('rate limit: burst must be ≥ 1 and perSecond > 0');
    this.now = options.now ?? Date.now;
  }

  /** Takes one token for `key` when there is one. */
  take(key: string): RateDecision {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.options.burst, at: now };
    bucket.tokens = Math.min(this.options.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.options.perSecond);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true, remaining: Math.floor(bucket.tokens) };
    }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.options.perSecond)) };
  }
}
