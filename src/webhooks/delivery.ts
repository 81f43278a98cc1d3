import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { Db } from '../db/database.js';
import type { WebhookDelivery, WebhookEndpoint } from '../db/schema.js';
import type { Logger } from '../logger.js';
import { appendAuditEvent, SYSTEM_ACTOR } from '../events/audit-repository.js';
import { wakeEndpoint } from '../events/outbox.js';
import { signingSecrets } from './endpoints.js';
import { signatureHeaders, type SecretBox } from './signing.js';
import { checkUrlForm, resolveTarget, UrlRefused, type UrlPolicy } from './ssrf.js';

/**
 * Delivers one endpoint's outbox, strictly in `seq` (commit) order: the head delivery goes out,
 * and until it succeeds nothing behind it does (head-of-line blocking). A failure schedules the
 * endpoint's job again at the head's next attempt (exponential backoff with jitter, at least the
 * receiver's Retry-After), instead of letting graphile-worker retry: its retries with a later
 * run_at would let newer jobs overtake. An endpoint failing for 3 days is disabled, and its
 * owners are told in Slack.
 */
export interface DeliveryDeps {
  db: Db;
  log: Logger;
  box: SecretBox;
  urls: UrlPolicy;
  /** The clock (tests move it). */
  now?: () => Date;
  /** Math.random unless given (tests fix the jitter). */
  random?: () => number;
  timeoutMs?: number;
}

export const TIMEOUT_MS = 10_000;
export const GIVE_UP_AFTER_MS = 3 * 24 * 3_600_000;
const FIRST_DELAY_MS = 5_000;
const MAX_DELAY_MS = 12 * 3_600_000;
/** Deliveries per job run before it yields its worker slot to other endpoints. */
const BATCH = 100;

/** The wait before attempt n+1 after n failed attempts: 5 s doubling to 12 h, ±25 % jitter, never less than Retry-After. */
export function backoffMs(failedAttempts: number, random: () => number = Math.random, retryAfterMs?: number): number {
  const base = Math.min(FIRST_DELAY_MS * 2 ** Math.max(0, failedAttempts - 1), MAX_DELAY_MS);
  const jittered = Math.round(base * (0.75 + random() * 0.5));
  return Math.min(Math.max(jittered, retryAfterMs ?? 0), MAX_DELAY_MS);
}

/** Retry-After as seconds or an HTTP date, in ms from now; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: Date): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}

export interface AttemptResult {
  ok: boolean;
  status: number | null;
  error: string | null;
  latencyMs: number;
  retryAfter?: string;
}

/** One POST, connecting to the address that was just checked (no second DNS answer can differ). */
export async function post(url: URL, address: { address: string; family: number }, headers: Record<string, string>, body: string, timeoutMs: number): Promise<AttemptResult> {
  const started = performance.now();
  const lookup: LookupFunction = (_host, options, callback) => {
    if (options.all) callback(null, [address]);
    else callback(null, address.address, address.family);
  };
  return new Promise<AttemptResult>((resolve) => {
    const done = (r: Omit<AttemptResult, 'latencyMs'>) => resolve({ ...r, latencyMs: Math.round(performance.now() - started) });
    const request = (url.protocol === 'https:' ? https : http).request(
      url,
      { method: 'POST', lookup, headers: { ...headers, 'content-type': 'application/json', 'user-agent': 'team-manager-webhooks/1', 'content-length': String(Buffer.byteLength(body)) } },
      (res) => {
        res.resume();
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const retryAfter = res.headers['retry-after'];
          done({ ok: status >= 200 && status < 300, status, error: status >= 200 && status < 300 ? null : `HTTP ${status}`, ...(retryAfter ? { retryAfter } : {}) });
        });
        res.on('error', (err) => done({ ok: false, status: res.statusCode ?? null, error: err.message }));
      },
    );
    request.setTimeout(timeoutMs, () => request.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)));
    request.on('error', (err) => done({ ok: false, status: null, error: err.message }));
    request.end(body);
  });
}

export async function deliverEndpoint(deps: DeliveryDeps, job: { organizationId: string; endpointId: string }): Promise<void> {
  const now = deps.now ?? (() => new Date());
  for (let i = 0; i < BATCH; i++) {
    const endpoint = await deps.db
      .selectFrom('webhook_endpoints')
      .selectAll()
      .where('id', '=', job.endpointId)
      .where('organization_id', '=', job.organizationId)
      .executeTakeFirst();
    // Paused, disabled or deleted: resuming wakes the job again.
    if (!endpoint || endpoint.status !== 'active') return;
    const head = await deps.db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('organization_id', '=', endpoint.organization_id)
      .where('endpoint_id', '=', endpoint.id)
      .where('status', '=', 'pending')
      .orderBy('seq')
      .limit(1)
      .executeTakeFirst();
    if (!head) return;
    if (head.next_attempt_at > now()) {
      await wakeEndpoint(deps.db, job.organizationId, endpoint.id, 'replace', head.next_attempt_at);
      return;
    }
    const result = await attempt(deps, endpoint, head, now());
    if (result.ok) {
      await deps.db.transaction().execute(async (trx) => {
        await trx
          .updateTable('webhook_deliveries')
          .set({ status: 'delivered', attempts: head.attempts + 1, last_status_code: result.status, last_error: null, last_latency_ms: result.latencyMs, delivered_at: now() })
          .where('organization_id', '=', head.organization_id)
          .where('id', '=', head.id)
          .execute();
        if (endpoint.failing_since) {
          await trx.updateTable('webhook_endpoints').set({ failing_since: null }).where('organization_id', '=', endpoint.organization_id).where('id', '=', endpoint.id).execute();
        }
      });
      continue;
    }
    await failed(deps, endpoint, head, result, now());
    return;
  }
  // A long backlog: let other endpoints have the worker, and carry on in a fresh run.
  await wakeEndpoint(deps.db, job.organizationId, job.endpointId, 'replace');
}

async function attempt(deps: DeliveryDeps, endpoint: WebhookEndpoint, head: WebhookDelivery, now: Date): Promise<AttemptResult> {
  let url: URL;
  let address: { address: string; family: number };
  try {
    // Again at delivery time: the host's DNS may have changed since the endpoint was saved.
    url = checkUrlForm(endpoint.url, deps.urls.production);
    address = await resolveTarget(url, deps.urls);
  } catch (err) {
    if (err instanceof UrlRefused) return { ok: false, status: null, error: `refused: the URL ${err.message}`, latencyMs: 0 };
    throw err;
  }
  const body = JSON.stringify(head.body);
  const headers = signatureHeaders(signingSecrets(deps.box, endpoint, now), head.event_id, Math.floor(now.getTime() / 1000), body);
  return post(url, address, headers, body, deps.timeoutMs ?? TIMEOUT_MS);
}

async function failed(deps: DeliveryDeps, endpoint: WebhookEndpoint, head: WebhookDelivery, result: AttemptResult, now: Date): Promise<void> {
  const attempts = head.attempts + 1;
  const failingSince = endpoint.failing_since ?? now;
  const giveUp = now.getTime() - failingSince.getTime() >= GIVE_UP_AFTER_MS;
  const nextAt = new Date(now.getTime() + backoffMs(attempts, deps.random, parseRetryAfter(result.retryAfter, now)));
  deps.log.warn({ endpoint: endpoint.id, delivery: head.id, attempts, status: result.status, error: result.error }, giveUp ? 'webhook failing for 3 days; disabling the endpoint' : 'webhook delivery failed; will retry');
  await deps.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('webhook_deliveries')
      .set({ attempts, last_status_code: result.status, last_error: result.error?.slice(0, 500) ?? null, last_latency_ms: result.latencyMs, next_attempt_at: nextAt })
      .where('organization_id', '=', head.organization_id)
      .where('id', '=', head.id)
      .execute();
    if (!giveUp) {
      await trx.updateTable('webhook_endpoints').set({ failing_since: failingSince }).where('organization_id', '=', endpoint.organization_id).where('id', '=', endpoint.id).execute();
      await wakeEndpoint(trx, endpoint.organization_id, endpoint.id, 'replace', nextAt);
      return;
    }
    const reason = `failing since ${failingSince.toISOString()} (last: ${result.error ?? 'error'})`;
    await trx
      .updateTable('webhook_endpoints')
      .set({ status: 'disabled', failing_since: failingSince, disabled_reason: reason, updated_at: now })
      .where('organization_id', '=', endpoint.organization_id)
      .where('id', '=', endpoint.id)
      .execute();
    await appendAuditEvent(trx, {
      organizationId: endpoint.organization_id,
      actor: SYSTEM_ACTOR,
      action: 'webhook.endpoint_disabled',
      target: { type: 'webhook_endpoint', id: endpoint.id },
      before: { status: 'active' },
      // What the owners are told (src/notify/tellings/webhooks.ts) is read from here.
      after: { status: 'disabled', reason, url: endpoint.url, error: result.error ?? 'error' },
      source: 'system',
    });
  });
}

/** Cron: delivery bodies older than 7 days are dropped; the log line (status, attempts, code, latency) stays. */
export async function purgeDeliveryBodies(db: Db, now: Date = new Date()): Promise<number> {
  const result = await db
    .updateTable('webhook_deliveries')
    .set({ body: null })
    .where('body', 'is not', null)
    .where('created_at', '<', new Date(now.getTime() - 7 * 24 * 3_600_000))
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
