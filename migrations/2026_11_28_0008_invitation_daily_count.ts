import { sql, type Kysely } from 'kysely';

/**
 * Every invite counts the organization's invitations of the last 24 hours (the daily limit).
 * The existing index leads with status, so that count walked every invitation the organization
 * ever sent; this one reads only the last day's.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index invitations_org_created on invitations (organization_id, created_at)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index invitations_org_created`.execute(db);
}
