import { sql, type Kysely } from 'kysely';

/**
 * The audit log read by person: `/team audit @person` and the activity view match events by
 * their actor, and removal requests by the member they are about.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index audit_events_org_actor on audit_events (organization_id, actor_type, actor_id, occurred_at desc, id desc)`.execute(db);
  await sql`create index audit_events_org_about on audit_events (organization_id, (after->>'target_member_id')) where after ? 'target_member_id'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index audit_events_org_about`.execute(db);
  await sql`drop index audit_events_org_actor`.execute(db);
}
