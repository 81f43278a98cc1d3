import { createRequire } from 'node:module';
import type pg from 'pg';
import type { Config } from '../config.js';
import type { DatabaseHandle } from '../db/connect.js';
import { isDatabaseUnavailable, openDatabase } from '../db/database.js';
import { attachOrganizationCache } from '../db/organization-cache.js';
import type { Logger } from '../logger.js';
import { createMailer } from '../mail/mailer.js';
import { workerSlackClients } from '../slack/configured-clients.js';
import { renderHomeForUser } from '../slack/home/home-view.js';
import { syncSlackDirectory } from '../slack/directory-sync.js';
import { startWorker, type WorkerDeps } from './worker.js';
import { webhookDepsOf } from '../webhooks/configured.js';

/**
 * The worker with everything its jobs need, built from the configuration: the one place the
 * web process (RUN_WORKER) and the worker process (Procfile `worker`) both start it from.
 */
export async function startConfiguredWorker(
  config: Readonly<Config>,
  database: Pick<DatabaseHandle, 'url' | 'organizationCache'>,
  log: Logger,
  metrics?: WorkerDeps['metrics'],
): Promise<{ stop(): Promise<void> }> {
  retryDatabaseOutagesInWorker();
  // A pool of its own: the worker must never wait behind web requests for a connection. With
  // one shared pool, 64 concurrent role changes (each waiting on the organization lock while
  // holding a connection) starved graphile-worker's job-completion writes until they timed
  // out (npm run bench, scenario 1 at c=64).
  const own = openDatabase(database.url, {
    maxConnections: config.worker.concurrency + 2,
    onPoolError: (err) => log.warn({ error: err.message, code: (err as { code?: string }).code }, 'idle worker database connection failed'),
  });
  // Its jobs look their organization up by id (every post, DM and Home): through the process's
  // cache, as the web requests do, rather than one statement each (issue 20's statement counts).
  if (database.organizationCache) attachOrganizationCache(own.db, database.organizationCache);
  const pool = forWorker(own.pool);
  const mailer = createMailer({ smtpUrl: config.mail.smtpUrl, from: config.mail.from, dataDir: config.dataDir, log });
  const runner = await startWorker({
    pool: pool.pool,
    db: own.db,
    slack: workerSlackClients(config, own.db, log),
    log,
    concurrency: config.worker.concurrency,
    deadAfterMs: config.worker.deadAfterSeconds * 1000,
    tokenProbeMs: config.worker.tokenRetrySeconds * 1000,
    ...(metrics ? { metrics } : {}),
    renderHome: (organizationId, slackUserId) => renderHomeForUser({ db: own.db }, organizationId, slackUserId),
    invitations: { mailer, publicUrl: config.http.publicUrl },
    webhooks: webhookDepsOf(config),
    syncDirectory: async (organization, client, signal) => {
      await syncSlackDirectory({ db: own.db, client, organization, log, signal, ...config.directorySync });
    },
  });
  return {
    async stop() {
      await runner.stop();
      // runner.stop() resolves before the writes that record the last jobs as done have
      // finished (graphile-worker does not await them); closing the pool under them would
      // leave those jobs, and their queue (a whole Slack channel's), locked for 4 hours.
      if (!(await pool.settled(STOP_WRITES_TIMEOUT_MS))) log.warn('stopped waiting for the worker to record its last jobs');
      mailer.close();
      await own.db.destroy();
    },
  };
}

/** Error codes of a database that went away (or is coming back), besides those graphile-worker already retries. */
const OUTAGE_CODES = ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', '57P01', '57P02', '08000', '08001', '08003', '08006'];
/** SQLSTATE connection_failure, for pg's errors that carry no code ("Connection terminated unexpectedly", connect timeouts). */
const CONNECTION_FAILURE = '08006';

/**
 * graphile-worker 0.17 records a finished job (completeJob / failJob) without awaiting it and
 * retries that write only on serialization failures, 57P03, EHOSTUNREACH and ETIMEDOUT. When
 * the database restarts while jobs run, the write fails with 57P01 or ECONNREFUSED, the
 * rejection is unhandled and the whole process exits (and the job stays locked for 4 hours).
 * Its batched mode is no help: its retry loop rethrows on the first failure and then shuts the
 * worker pool down. So these codes join the library's table of retryable errors (it is read
 * at each retry): the write backs off, 0.5 s growing to 10 s, until the server answers again
 * (its 100 tries span about a quarter of an hour). Completing or failing a job twice is a no-op.
 */
export function retryDatabaseOutagesInWorker(): void {
  const lib = createRequire(import.meta.url)('graphile-worker/dist/lib.js') as {
    RETRYABLE_ERROR_CODES?: Record<string, { minDelay: number; maxDelay: number }>;
  };
  const table = lib.RETRYABLE_ERROR_CODES;
  if (!table) throw new Error('graphile-worker no longer exports RETRYABLE_ERROR_CODES; see retryDatabaseOutagesInWorker');
  for (const code of OUTAGE_CODES) table[code] ??= { minDelay: 500, maxDelay: 10_000 };
}

/** Longest wait on stop for the worker's last writes (recording finished jobs). */
const STOP_WRITES_TIMEOUT_MS = 10_000;

/**
 * The pool as graphile-worker sees it: the same pool, except that
 *  - an error meaning "the database went away" always carries a code (pg raises "Connection
 *    terminated unexpectedly" and its connect timeout without one), so that the retries
 *    above apply to it too;
 *  - it counts the connections the worker has asked for and not yet released, so that
 *    stopping can wait for the worker's last writes (`settled`).
 */
function forWorker(pool: pg.Pool): { pool: pg.Pool; settled(timeoutMs: number): Promise<boolean> } {
  let inUse = 0;
  const tag = (err: unknown): never => {
    if (err instanceof Error && !(err as { code?: unknown }).code && isDatabaseUnavailable(err)) {
      (err as Error & { code: string }).code = CONNECTION_FAILURE;
    }
    throw err;
  };
  const bind = (target: object, prop: string | symbol) => {
    const value = Reflect.get(target, prop, target) as unknown;
    return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
  };
  const client = (c: pg.PoolClient): pg.PoolClient => {
    let released = false;
    return new Proxy(c, {
      get(target, prop) {
        if (prop === 'query') {
          return (...args: unknown[]) => {
            const result = (target.query as (...a: unknown[]) => unknown)(...args);
            return result instanceof Promise ? result.catch(tag) : result;
          };
        }
        if (prop === 'release') {
          return (...args: unknown[]) => {
            if (!released) inUse--;
            released = true;
            return (target.release as (...a: unknown[]) => unknown)(...args);
          };
        }
        return bind(target, prop);
      },
    });
  };
  const wrapped = new Proxy(pool, {
    get(target, prop) {
      if (prop === 'connect') {
        return (...args: unknown[]) => {
          if (args.length > 0) return (target.connect as (...a: unknown[]) => unknown)(...args);
          inUse++;
          return target.connect().then(client, (err: unknown) => {
            inUse--;
            return tag(err);
          });
        };
      }
      return bind(target, prop);
    },
  });
  return {
    pool: wrapped,
    async settled(timeoutMs) {
      const until = Date.now() + timeoutMs;
      while (inUse > 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 10));
      return inUse === 0;
    },
  };
}
