import type { RequestHandler, Router } from 'express';
import { Router as expressRouter } from 'express';
import type pg from 'pg';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { onSlackApiError } from '../slack/api-errors.js';

/**
 * GET /metrics in Prometheus text format (prom-client), when METRICS_ENABLED=true. One registry
 * per app instance (tests and the demo start several in one process); the Slack API error
 * counter listens to a process-wide hook (src/slack/api-errors.ts) because the calls are
 * made deep inside deliveries. docs/operations.md lists the metrics and suggested alerts.
 */
export interface Metrics {
  registry: Registry;
  /** A Slack request was acknowledged `seconds` after the app received it. */
  slackAck(listener: string, seconds: number): void;
  /** A job finished one attempt with this outcome. */
  delivery(task: string, outcome: DeliveryOutcome): void;
  /** Times every HTTP request but Slack's (those are timed to their ack). */
  httpTiming: RequestHandler;
  routes(): Router;
  /** Stops listening to the process-wide hooks. */
  close(): void;
}

export type DeliveryOutcome = 'done' | 'retry' | 'held' | 'undeliverable';

const ACK_SLOW_SECONDS = 1;

export function createMetrics(deps: { pool: pg.Pool }): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const slackLatency = new Histogram({
    name: 'team_manager_slack_request_duration_seconds',
    help: 'Time from a Slack request reaching the app to its acknowledgement, per listener',
    labelNames: ['listener'],
    buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5],
    registers: [registry],
  });
  const slowAcks = new Counter({ name: 'team_manager_slack_acks_over_1s_total', help: 'Slack acknowledgements that took longer than 1 s (Slack gives up at 3 s)', labelNames: ['listener'], registers: [registry] });
  const httpLatency = new Histogram({
    name: 'team_manager_http_request_duration_seconds',
    help: 'HTTP requests other than Slack events: REST API, accept pages, health',
    labelNames: ['route', 'method', 'status'],
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const deliveries = new Counter({ name: 'team_manager_deliveries_total', help: 'Job attempts by task and outcome (in processes that run the worker)', labelNames: ['task', 'outcome'], registers: [registry] });
  const slackErrors = new Counter({ name: 'team_manager_slack_api_errors_total', help: 'Slack Web API errors by error code', labelNames: ['code'], registers: [registry] });
  new Gauge({
    name: 'team_manager_db_pool_connections',
    help: "The database pool's connections: total, idle, and requests waiting for one",
    labelNames: ['state'],
    registers: [registry],
    collect() {
      this.set({ state: 'total' }, deps.pool.totalCount);
      this.set({ state: 'idle' }, deps.pool.idleCount);
      this.set({ state: 'waiting' }, deps.pool.waitingCount);
    },
  });
  // Read at scrape time: one small query on graphile-worker's public view for both queue
  // gauges (prom-client collects them concurrently, so they share the scrape's one sample).
  let sample: Promise<Array<{ task: string; n: number; oldest: number | null }>> | undefined;
  const queue = () => {
    if (!sample) {
      const pending = deps.pool
        .query<{ task: string; n: number; oldest: number | null }>(
          `select task_identifier as task, count(*)::int as n, extract(epoch from now() - min(run_at))::float as oldest
             from graphile_worker.jobs where locked_at is null and run_at <= now() group by task_identifier`,
        )
        .then((r) => r.rows);
      sample = pending;
      // Shared by the collects of this scrape only; the next scrape reads afresh.
      void pending.finally(() => setImmediate(() => (sample = undefined))).catch(() => undefined);
    }
    return sample;
  };
  new Gauge({
    name: 'team_manager_job_queue_depth',
    help: 'Jobs due and waiting to run, per task',
    labelNames: ['task'],
    registers: [registry],
    async collect() {
      const rows = await queue();
      this.reset();
      for (const r of rows) this.set({ task: r.task }, r.n);
    },
  });
  new Gauge({
    name: 'team_manager_job_oldest_age_seconds',
    help: 'Age of the oldest due job not yet taken: the queue lag',
    registers: [registry],
    async collect() {
      this.set(Math.max(0, ...(await queue()).map((r) => r.oldest ?? 0)));
    },
  });
  const unsubscribe = onSlackApiError((code) => slackErrors.inc({ code }));

  return {
    registry,
    slackAck(listener, seconds) {
      slackLatency.observe({ listener }, seconds);
      if (seconds > ACK_SLOW_SECONDS) slowAcks.inc({ listener });
    },
    delivery(task, outcome) {
      deliveries.inc({ task, outcome });
    },
    httpTiming(req, res, next) {
      if (req.path === '/slack/events' || req.path === '/metrics') return next();
      const end = httpLatency.startTimer({ method: req.method });
      res.on('finish', () => {
        // The matched route's pattern (never the raw path: accept tokens live in it).
        const route = req.route ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
        end({ route, status: String(res.statusCode) });
      });
      next();
    },
    routes() {
      const router = expressRouter();
      router.get('/metrics', async (_req, res) => {
        res.type(registry.contentType).send(await registry.metrics());
      });
      return router;
    },
    close: unsubscribe,
  };
}

/** What Slack request a body is, as a metric label: `command:/team`, `action:<id>`, `view:<callback>`, `event:<type>`. */
export function slackListenerLabel(body: unknown): string {
  const b = (body ?? {}) as Record<string, any>;
  if (typeof b.command === 'string') return `command:${b.command}`;
  if (b.type === 'block_actions') return `action:${String(b.actions?.[0]?.action_id ?? 'unknown')}`;
  if (b.type === 'view_submission' || b.type === 'view_closed') return `view:${String(b.view?.callback_id ?? 'unknown')}`;
  if (b.type === 'event_callback') return `event:${String(b.event?.type ?? 'unknown')}`;
  return typeof b.type === 'string' ? b.type : 'unknown';
}
