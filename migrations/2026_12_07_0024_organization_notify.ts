import { sql, type Kysely } from 'kysely';

/**
 * Every committed UPDATE or DELETE of an organization NOTIFYs `organization_changed` with its id,
 * whoever wrote it (the app, the worker, the CLI, psql): each process's cache of organizations
 * (src/db/organization-cache.ts) forgets the row the moment the change commits. NOTIFY is
 * transactional: a rolled-back change says nothing, a committed one is heard after its commit.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create function notify_organization_changed() returns trigger language plpgsql as $$
    begin
      perform pg_notify('organization_changed', old.id::text);
      return null;
    end $$`.execute(db);
  await sql`
    create trigger organizations_notify_changed
      after update or delete on organizations
      for each row execute function notify_organization_changed()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger organizations_notify_changed on organizations`.execute(db);
  await sql`drop function notify_organization_changed()`.execute(db);
}
