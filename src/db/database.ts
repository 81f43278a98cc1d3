import pg from 'pg';
import { Kysely, PostgresDialect, sql, type Transaction } from 'kysely';
import { attachQueryLog } from './query-log.js';
import type { Database } from './schema.js';

export type Db = Kysely<Database>;
/** What repositories take first: the database, or a transaction a service opened. */
export type DbOrTrx = Kysely<Database> | Transaction<Database>;

export interface OpenDatabaseOptions {
  maxConnections?: number;
  /** Surfaces pool-level errors (a server that went away) instead of crashing the process. */
  onPoolError?: (err: Error) => void;
}

/**
 * A Kysely instance over a pg pool. Connecting gives up after 2 s so that a request that
 * finds the database down still answers Slack well inside its 3 s acknowledgement window.
 */
export function openDatabase(url: string, options: OpenDatabaseOptions = {}): { db: Db; pool: pg.Pool } {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: 2_000,
    idleTimeoutMillis: 30_000,
    application_name: 'team-manager',
  });
  // An idle client whose server goes away emits 'error'; unhandled, that would crash the
  // process. The next query gets a fresh connection (or a clear error), so report and go on.
  const report = (err: Error) => options.onPoolError?.(err);
  pool.on('error', report);
  pool.on('connect', (client) => client.on('error', report));
  // Tests only (QUERY_LOG_FILE): the statements sent, for the organization_id check.
  attachQueryLog(pool);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, pool };
}

/** True when the database answers a trivial query within the timeout. */
export async function isDatabaseReachable(db: Db, timeoutMs = 1_000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('database check timed out')), timeoutMs);
    });
    await Promise.race([sql`select 1`.execute(db), timeout]);
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

const CONNECTION_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up / shutting down)
  '08000',
  '08001',
  '08003',
  '08006',
]);

/** Whether an error means "the database could not be reached", as opposed to a bug or a constraint. */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && CONNECTION_ERROR_CODES.has(code)) return true;
    const message = (e as { message?: unknown }).message;
    if (
      typeof message === 'string' &&
      // "not queryable": the connection died under an open transaction and Kysely's ROLLBACK on
      // it fails with this, which then replaces the original error (e.g. 57P01).
      /timeout exceeded when trying to connect|Connection terminated|database check timed out|Client has encountered a connection error and is not queryable/i.test(message)
    ) {
      return true;
    }
    if (e instanceof AggregateError && e.errors.some(isDatabaseUnavailable)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
