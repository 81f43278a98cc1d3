import { sql, type Kysely } from 'kysely';

/**
 * An invitee who declines from the email link is not a member nor a known Slack user: the
 * audit log names them as an `invitee` (actor_id = the invited address) instead of the system.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table audit_events drop constraint audit_events_actor_type_check`.execute(db);
  await sql`alter table audit_events add constraint audit_events_actor_type_check check (actor_type in ('member', 'slack_user', 'api_key', 'cli', 'system', 'invitee'))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table audit_events drop constraint audit_events_actor_type_check`.execute(db);
  await sql`alter table audit_events add constraint audit_events_actor_type_check check (actor_type in ('member', 'slack_user', 'api_key', 'cli', 'system')) not valid`.execute(db); // audit rows are never rewritten
}
