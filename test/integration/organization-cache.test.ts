import { sql } from 'kysely';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/db/database.js';
import { attachOrganizationCache, OrganizationCache } from '../../src/db/organization-cache.js';
import type { Organization } from '../../src/db/schema.js';
import { findOrganizationById, findOrganizationBySlackTeam } from '../../src/team/organization-repository.js';
import { useTestDatabase } from '../support/database.js';
import { seedOrganization } from '../support/seed.js';

/**
 * Two "instances" (two pools, two caches, as two processes would have) on one PostgreSQL: a
 * cached organization is served from memory, forgotten by both the moment a change by anyone
 * commits (not before), and while a cache's LISTEN connection is gone it reads the database.
 */
const t = useTestDatabase();
const log = pino({ level: 'silent' });
const instances: Array<{ db: Db; cache: OrganizationCache }> = [];
let org: Organization;

const until = async (check: () => Promise<boolean>, ms = 3_000) => {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return false;
};
/** Writes the row without its trigger (replication role): no notification, so only a cache that serves from memory keeps the old name. */
const renameSilently = (name: string) =>
  t.db.transaction().execute(async (trx) => {
    await sql`set local session_replication_role = replica`.execute(trx);
    await trx.updateTable('organizations').set({ name }).where('id', '=', org.id).execute();
  });

beforeAll(async () => {
  org = await seedOrganization(t.db, 'T0CACHE001', { name: 'Acme' });
  for (let i = 0; i < 2; i++) {
    const { db } = openDatabase(t.url, { maxConnections: 2 });
    const cache = new OrganizationCache(t.url, log);
    await cache.start();
    attachOrganizationCache(db, cache);
    instances.push({ db, cache });
  }
});
afterAll(async () => {
  for (const { db, cache } of instances) {
    await cache.stop();
    await db.destroy();
  }
});

describe('organization cache', () => {
  it('serves a read from memory, by id and by workspace', async () => {
    for (const { db } of instances) expect((await findOrganizationById(db, org.id))?.name).toBe('Acme');
    await renameSilently('Renamed without telling');
    for (const { db } of instances) {
      expect((await findOrganizationById(db, org.id))?.name).toBe('Acme');
      expect((await findOrganizationBySlackTeam(db, 'T0CACHE001'))?.name).toBe('Acme');
    }
    // A transaction never reads the cache.
    expect((await instances[0]!.db.transaction().execute((trx) => findOrganizationById(trx, org.id)))?.name).toBe('Renamed without telling');
  });

  it('both instances forget a change when it commits, not before', async () => {
    await renameSilently('Acme');
    for (const { cache } of instances) cache.forget(org.id);
    for (const { db } of instances) expect((await findOrganizationById(db, org.id))?.name).toBe('Acme');

    let commit!: () => void;
    const committed = new Promise<void>((r) => (commit = r));
    let updated!: () => void;
    const written = new Promise<void>((r) => (updated = r));
    const change = t.db.transaction().execute(async (trx) => {
      await trx.updateTable('organizations').set({ name: 'Acme Corp' }).where('id', '=', org.id).execute();
      updated();
      await committed;
    });
    await written;
    await new Promise((r) => setTimeout(r, 100));
    for (const { db } of instances) expect((await findOrganizationById(db, org.id))?.name).toBe('Acme');
    commit();
    await change;
    for (const { db } of instances) {
      expect(await until(async () => (await findOrganizationById(db, org.id))?.name === 'Acme Corp', 1_000)).toBe(true);
      expect((await findOrganizationBySlackTeam(db, 'T0CACHE001'))?.name).toBe('Acme Corp');
    }
  });

  it('reads the database while its LISTEN connection is gone, and caches again once it is back', async () => {
    for (const { db } of instances) await findOrganizationById(db, org.id);
    await sql`select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and query like 'LISTEN organization_changed%'`.execute(t.db);
    expect(await until(async () => instances.every(({ cache }) => !cache.active), 2_000)).toBe(true);
    await renameSilently('Seen without a notification');
    // Not listening: not served from memory.
    expect(instances[0]!.cache.active).toBe(false);
    expect((await findOrganizationById(instances[0]!.db, org.id))?.name).toBe('Seen without a notification');
    expect(await until(async () => instances.every(({ cache }) => cache.active), 5_000)).toBe(true);
    await renameSilently('Acme Corp');
    for (const { db } of instances) expect((await findOrganizationById(db, org.id))?.name).toBe('Acme Corp');
  });
});
