import { sql, type Kysely } from 'kysely';

/**
 * Whether a member's Slack account is a guest (Slack's is_restricted / is_ultra_restricted), as
 * Slack last told us (link, user_change, the daily sync). Guests may be members, never owners:
 * the rule reads this column at the moment of the change, not a profile fetched by a request.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table members add column slack_guest boolean not null default false`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table members drop column slack_guest`.execute(db);
}
