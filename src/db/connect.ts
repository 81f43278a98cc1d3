import path from 'node:path';
import pg from 'pg';
import { sql } from 'kysely';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { openDatabase, type Db } from './database.js';
import { claimDataDir, openEmbeddedPostgres, type EmbeddedServer } from './embedded.js';
import { migrateToLatest } from './migrate.js';
import { attachOrganizationCache, OrganizationCache } from './organization-cache.js';

export interface DatabaseHandle {
  db: Db;
  pool: pg.Pool;
  /** The connection URL (the embedded server's, when we started it): for pools of their own. */
  url: string;
  /** Set when the embedded server is used (no DATABASE_URL); `owned` when this process started it. */
  embedded?: EmbeddedServer;
  /** This process's organization cache (cacheOrganizations), for its other pools (the worker's) to read through. */
  organizationCache?: OrganizationCache;
  close(): Promise<void>;
}

const EMBEDDED_DATABASE = 'teammanager';

/**
 * Opens the configured database, or, when none is configured, the embedded server under
 * DATA_DIR: the one already running there (the app's, when this is the CLI or a worker
 * beside it), else one started here. Then (unless told not to) brings its schema up to date.
 * `exclusive` is for the app itself: one Team Manager per DATA_DIR (see claimDataDir).
 */
export async function connectDatabase(
  config: Pick<Config, 'database' | 'dataDir'>,
  log: Logger,
  options: { migrate?: boolean; exclusive?: boolean; cacheOrganizations?: boolean } = {},
): Promise<DatabaseHandle> {
  let url = config.database.url;
  let embedded: EmbeddedServer | undefined;
  let release = async () => {};
  if (!url) {
    if (options.exclusive) release = await claimDataDir(config.dataDir, log);
    try {
      embedded = await openEmbeddedPostgres({
        dataDir: path.join(config.dataDir, 'postgres'),
        port: config.database.embeddedPort,
        log,
      });
      await createDatabaseIfMissing(embedded.url('postgres'), EMBEDDED_DATABASE);
    } catch (err) {
      await embedded?.stop();
      await release();
      throw err;
    }
    url = embedded.url(EMBEDDED_DATABASE);
  }
  const dbLog = log.child({ subsystem: 'db' });
  // pg's pool.end() resolves before its sockets have closed; stopping the embedded server
  // right after then "fails" connections that were already on their way out.
  let closing = false;
  const { db, pool } = openDatabase(url, {
    // Only the message and code: pg attaches the whole client to these errors.
    onPoolError: (err) =>
      dbLog[closing ? 'debug' : 'warn'](
        { error: err.message, code: (err as { code?: string }).code },
        'idle database connection failed',
      ),
  });
  try {
    if (options.migrate ?? config.database.runMigrations) await migrateToLatest(db, pool, dbLog);
  } catch (err) {
    await db.destroy();
    await embedded?.stop();
    await release();
    throw err;
  }
  // Long-running processes (the app, the worker) keep organizations in memory, forgotten on
  // every committed change (src/db/organization-cache.ts); the CLI reads the database.
  const cache = options.cacheOrganizations ? await startOrganizationCache(db, url, dbLog) : undefined;
  return {
    db,
    pool,
    url,
    ...(embedded ? { embedded } : {}),
    ...(cache ? { organizationCache: cache } : {}),
    async close() {
      closing = true;
      await cache?.stop();
      await db.destroy();
      await embedded?.stop();
      await release();
    },
  };
}

export async function createDatabaseIfMissing(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (!rowCount) {
      await client.query(`create database ${client.escapeIdentifier(name)}`).catch((err: { code?: string }) => {
        // Another of our processes created it at the same moment (the CLI beside a starting app).
        if (err.code !== '42P04' && err.code !== '23505') throw err;
      });
    }
  } finally {
    await client.end();
  }
}

/**
 * Only on a schema whose organizations notify their changes (migration 0024): an app started with
 * RUN_MIGRATIONS=false on an older schema would otherwise never hear of a change, and serve it stale.
 */
async function startOrganizationCache(db: Db, url: string, log: Logger): Promise<OrganizationCache | undefined> {
  const { rows } = await sql<{ present: boolean }>`select exists (select 1 from pg_trigger where tgname = 'organizations_notify_changed') as present`.execute(db);
  if (!rows[0]?.present) {
    log.warn('organizations do not notify their changes yet (migration 0024 not applied): organizations are read from the database on every request');
    return undefined;
  }
  const cache = new OrganizationCache(url, log);
  await cache.start();
  attachOrganizationCache(db, cache);
  return cache;
}
