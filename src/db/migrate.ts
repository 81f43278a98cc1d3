import { Migrator, type MigrationResultSet } from 'kysely';
import { runMigrations as runJobQueueMigrations } from 'graphile-worker';
import type pg from 'pg';
import { migrations } from '../../migrations/index.js';
import type { Db } from './database.js';
import type { Logger } from '../logger.js';

export class MigrationError extends Error {
  constructor(
    message: string,
    readonly results: MigrationResultSet['results'],
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'MigrationError';
  }
}

/**
 * Brings the database to the current schema: our tables (Kysely migrations from the
 * static list in migrations/) and the job queue's own schema (graphile_worker), which
 * must exist before any transaction can enqueue a job. Safe to run any number of times.
 */
export async function migrateToLatest(db: Db, pool: pg.Pool, log?: Logger): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    // Numbers are reserved per piece of work and land in the order the work finishes (0015 before
    // 0013): a database that already ran a later one must still take an earlier one that is new.
    allowUnorderedMigrations: true,
  });
  const { error, results = [] } = await migrator.migrateToLatest();
  for (const r of results) {
    if (r.status === 'Success') log?.info({ migration: r.migrationName }, 'migration applied');
    if (r.status === 'Error') log?.error({ migration: r.migrationName }, 'migration failed');
  }
  if (error) {
    const failed = results.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new MigrationError(
      `Migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`,
      results,
      { cause: error },
    );
  }
  await runJobQueueMigrations({ pgPool: pool });
  return results.filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
