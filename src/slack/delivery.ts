import { setTimeout as sleep } from 'node:timers/promises';
import { WebAPIPlatformError, WebAPIRateLimitedError, WebClient, WebClientEvent } from '@slack/web-api';
import type { Logger } from '../logger.js';
import { reportSlackApiError } from './api-errors.js';

/**
 * Slack errors that no retry can fix: the job is reported and finished instead of being
 * retried for hours. Everything else (HTTP 5xx, timeouts, connection errors) is thrown
 * so the job queue retries it later with backoff.
 */
const PERMANENT_ERRORS = new Set([
  'channel_not_found',
  'not_in_channel',
  'is_archived',
  'invalid_blocks',
  'invalid_arguments',
  'msg_too_long',
  'no_text',
  'user_not_found',
  'cannot_dm_bot',
  'message_not_found',
  'cant_update_message',
  'not_authed',
  'missing_scope',
]);

/**
 * Slack refusing the token itself: nothing sent with it can succeed, but a fixed token (a new
 * one, a reinstall, the account reactivated) makes every message deliverable again. So these
 * are neither retried like an outage nor dropped like a bad message: the worker holds the
 * organization's Slack jobs until the token works (src/job-runner/slack-token-hold.ts).
 */
export const TOKEN_ERRORS = new Set(['invalid_auth', 'token_revoked', 'account_inactive']);

export class SlackTokenError extends Error {
  constructor(readonly slackError: string, options?: { cause?: unknown }) {
    super(`Slack refused the bot token: ${slackError}`, options);
    this.name = 'SlackTokenError';
  }
}

/** The Web API client to use for an organization: every job asks here, never a global token (src/slack/clients.ts builds them). */
export interface SlackClients {
  forOrganization(organizationId: string): Promise<WebClient>;
}

export class UndeliverableError extends Error {
  constructor(readonly slackError: string, options?: { cause?: unknown }) {
    super(`Slack refused the message for good: ${slackError}`, options);
    this.name = 'UndeliverableError';
  }
}

/** How long the worker waits for one Slack answer before the attempt fails (and is retried by the queue). */
export const DEFAULT_WORKER_TIMEOUT_MS = 10_000;

export interface WorkerSlackClientOptions {
  /**
   * Per-call timeout. A call that times out may still have taken effect at Slack; the posting
   * jobs find such posts again by their delivery id (see exactly-once.ts) instead of posting twice.
   */
  timeoutMs?: number;
}

/**
 * The worker's client: no retries of its own (the job queue owns retries, durably) and
 * rate-limited calls rejected at once so that `deliver` can honour Retry-After itself.
 */
export function createWorkerSlackClient(token: string, apiUrl: string | undefined, log: Logger, options: WorkerSlackClientOptions = {}): WebClient {
  return new WebClient(token, {
    ...(apiUrl ? { slackApiUrl: apiUrl } : {}),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: options.timeoutMs ?? DEFAULT_WORKER_TIMEOUT_MS,
    logger: undefined,
  }).on(WebClientEvent.RATE_LIMITED, (retryAfter: number) => log.debug({ retryAfter }, 'slack rate limited'));
}

export interface DeliverOptions {
  log: Logger;
  /** Longest total time to wait out Retry-After inside one attempt before handing back to the queue. */
  maxRateLimitWaitMs?: number;
  signal?: AbortSignal;
}

/**
 * Runs one Slack call, waiting out 429s for as long as Slack's Retry-After asks (the
 * per-channel queue is blocked meanwhile, which is the pacing Slack wants), up to a bound.
 */
export async function deliver<T>(call: () => Promise<T>, options: DeliverOptions): Promise<T> {
  const deadline = Date.now() + (options.maxRateLimitWaitMs ?? 60_000);
  for (;;) {
    try {
      return await call();
    } catch (err) {
      reportSlackApiError(slackErrorCode(err));
      if (err instanceof WebAPIRateLimitedError) {
        const waitMs = Math.max(1, err.retryAfter) * 1000;
        if (Date.now() + waitMs > deadline) throw err;
        options.log.info({ retryAfterSeconds: err.retryAfter }, 'slack asked us to slow down; waiting');
        await sleep(waitMs, undefined, options.signal ? { signal: options.signal } : undefined);
        continue;
      }
      if (err instanceof WebAPIPlatformError && TOKEN_ERRORS.has(err.data.error)) {
        throw new SlackTokenError(err.data.error, { cause: err });
      }
      if (err instanceof WebAPIPlatformError && PERMANENT_ERRORS.has(err.data.error)) {
        throw new UndeliverableError(err.data.error, { cause: err });
      }
      throw err;
    }
  }
}

/** Slack's error code for a failed call, or what kind of failure it was when Slack did not answer with one. */
function slackErrorCode(err: unknown): string {
  if (err instanceof WebAPIRateLimitedError) return 'ratelimited';
  if (err instanceof WebAPIPlatformError) return err.data.error;
  const code = (err as { code?: unknown }).code;
  return code === 'slack_webapi_http_error' ? 'http_error' : code === 'slack_webapi_request_error' ? 'request_error' : 'other';
}
