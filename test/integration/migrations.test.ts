import { afterAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { sql } from 'kysely';
import { openDatabase, type Db } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { migrations } from '../../migrations/index.js';
import type { ScratchDatabase } from '../../src/db/scratch.js';
import { createEmptyDatabase, useTestDatabase } from '../support/database.js';

const silent = pino({ level: 'silent' });

describe('migrations on an empty database', () => {
  let scratch: ScratchDatabase;
  let db: Db;
  afterAll(async () => {
    await db?.destroy();
    await scratch?.drop();
  });

  it('apply every migration, create the tables and the job queue schema, and are idempotent', async () => {
    scratch = await createEmptyDatabase();
    const opened = openDatabase(scratch.url);
    db = opened.db;

    const applied = await migrateToLatest(db, opened.pool, silent);
    expect(applied).toEqual(Object.keys(migrations));

    const tables = await sql<{ table_name: string }>`
      select table_name from information_schema.tables where table_schema = 'public' order by table_name`.execute(db);
    expect(tables.rows.map((r) => r.table_name)).toEqual(
      expect.arrayContaining(['audit_events', 'members', 'organizations']),
    );
    const queue = await sql<{ n: number }>`
      select count(*)::int as n from information_schema.schemata where schema_name = 'graphile_worker'`.execute(db);
    expect(queue.rows[0]!.n).toBe(1);

    // A second run changes nothing and applies nothing.
    expect(await migrateToLatest(db, opened.pool, silent)).toEqual([]);
    const recorded = await sql<{ n: number }>`select count(*)::int as n from kysely_migration`.execute(db);
    expect(recorded.rows[0]!.n).toBe(Object.keys(migrations).length);
  });
});

describe('migrations that land out of number order', () => {
  let scratch: ScratchDatabase;
  let db: Db;
  afterAll(async () => {
    await db?.destroy();
    await scratch?.drop();
  });

  it('a database that already ran a later migration still takes an earlier one that is new', async () => {
    scratch = await createEmptyDatabase();
    const opened = openDatabase(scratch.url);
    db = opened.db;
    await migrateToLatest(db, opened.pool, silent);
    // As if the second-to-last migration had landed after the last one was applied here.
    const names = Object.keys(migrations);
    const earlier = names[names.length - 2]!;
    await migrations[earlier]!.down!(db);
    await db.deleteFrom('kysely_migration' as never).where('name' as never, '=', earlier as never).execute();
    expect(await migrateToLatest(db, opened.pool, silent)).toEqual([earlier]);
  });
});

describe('schema rules', () => {
  const t = useTestDatabase();

  async function organization(teamId: string) {
    return t.db
      .insertInto('organizations')
      .values({ slack_team_id: teamId, name: teamId })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  it('refuses UPDATE, DELETE and TRUNCATE on the append-only audit table', async () => {
    const org = await organization('T_AUDIT');
    await t.db
      .insertInto('audit_events')
      .values({ organization_id: org.id, actor_type: 'system', actor_id: null, action: 'test.event', source: 'system' })
      .execute();

    await expect(t.db.updateTable('audit_events').set({ action: 'rewritten' }).execute()).rejects.toThrow(/append-only: UPDATE/);
    await expect(t.db.deleteFrom('audit_events').execute()).rejects.toThrow(/append-only: DELETE/);
    await expect(sql`truncate audit_events`.execute(t.db)).rejects.toThrow(/append-only: TRUNCATE/);

    const rows = await t.db.selectFrom('audit_events').select('action').where('organization_id', '=', org.id).execute();
    expect(rows).toEqual([{ action: 'test.event' }]);
  });

  it('keeps one member per email per organization, whatever the case, and one per Slack user', async () => {
    const org = await organization('T_UNIQUE');
    const other = await organization('T_UNIQUE_OTHER');
    await t.db.insertInto('members').values({ organization_id: org.id, email: 'ada@example.com', slack_user_id: 'U1' }).execute();

    await expect(
      sql`insert into members (organization_id, email) values (${org.id}, 'ADA@example.com')`.execute(t.db),
    ).rejects.toThrow(/members_email_check|members_org_email_key|check constraint/);
    await expect(
      t.db.insertInto('members').values({ organization_id: org.id, email: 'other@example.com', slack_user_id: 'U1' }).execute(),
    ).rejects.toThrow(/members_org_slack_user_key/);
    // The same person may belong to another organization.
    await t.db.insertInto('members').values({ organization_id: other.id, email: 'ada@example.com', slack_user_id: 'U1' }).execute();
  });

  it('allows only the two roles and the two statuses, and a removal needs its time', async () => {
    const org = await organization('T_CHECKS');
    await expect(
      sql`insert into members (organization_id, email, role) values (${org.id}, 'x@example.com', 'admin')`.execute(t.db),
    ).rejects.toThrow(/check constraint/);
    await expect(
      sql`insert into members (organization_id, email, status) values (${org.id}, 'y@example.com', 'removed')`.execute(t.db),
    ).rejects.toThrow(/members_removal_consistent/);
  });
});
