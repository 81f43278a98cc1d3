import { afterAll, beforeAll, inject } from 'vitest';
import type pg from 'pg';
import { openDatabase, type Db } from '../../src/db/database.js';
import { createScratchDatabase, type ScratchDatabase } from '../../src/db/scratch.js';

export interface TestDatabase {
  url: string;
  db: Db;
  pool: pg.Pool;
}

/** A fresh database per test file, copied from the migrated template, dropped afterwards. */
export function useTestDatabase(): TestDatabase {
  const handle = {} as TestDatabase;
  let scratch: ScratchDatabase;
  beforeAll(async () => {
    scratch = await createScratchDatabase(inject('serverUrl'), { prefix: 'tm_test', template: inject('templateDatabase') });
    const { db, pool } = openDatabase(scratch.url);
    Object.assign(handle, { url: scratch.url, db, pool });
  });
  afterAll(async () => {
    await handle.db?.destroy();
    await scratch?.drop();
  });
  return handle;
}

/** An empty database (no schema), for testing migrations themselves. */
export async function createEmptyDatabase(): Promise<ScratchDatabase> {
  return createScratchDatabase(inject('serverUrl'), { prefix: 'tm_empty' });
}
