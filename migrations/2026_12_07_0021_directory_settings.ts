import { sql, type Kysely } from 'kysely';

/**
 * Offboarding follows the directory (issue 18, settings):
 * - `organizations.slack_deactivation`: what a Slack deactivation does to the linked member —
 *   `remove` at once (the default, as before), `ask` the owners (a request of kind
 *   'deactivation' with Keep / Remove on the approvals card), or `ignore` it (audited as seen).
 * - `organizations.slack_auto_invite`: a new workspace member (`team_join`) at an allowed domain
 *   is invited as a Member through the normal invitation path; off by default.
 * - A request the directory raised has no requesting member: `requested_by_member_id` becomes
 *   nullable and `requested_by_directory` names the directory ("Slack"); one of the two is set.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table organizations add column slack_deactivation text not null default 'remove'
    check (slack_deactivation in ('remove', 'ask', 'ignore'))`.execute(db);
  await sql`alter table organizations add column slack_auto_invite boolean not null default false`.execute(db);

  await sql`alter table removal_requests drop constraint removal_requests_kind_check`.execute(db);
  await sql`alter table removal_requests add constraint removal_requests_kind_check check (kind in ('removal', 'promotion', 'deactivation'))`.execute(db);
  await sql`alter table removal_requests alter column requested_by_member_id drop not null`.execute(db);
  await sql`alter table removal_requests add column requested_by_directory text`.execute(db);
  await sql`alter table removal_requests add constraint removal_requests_requester check (
    (requested_by_member_id is not null) <> (requested_by_directory is not null)
    and (requested_by_directory is null or kind = 'deactivation'))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`delete from removal_requests where kind = 'deactivation'`.execute(db);
  await sql`alter table removal_requests drop constraint removal_requests_requester`.execute(db);
  await sql`alter table removal_requests drop column requested_by_directory`.execute(db);
  await sql`alter table removal_requests alter column requested_by_member_id set not null`.execute(db);
  await sql`alter table removal_requests drop constraint removal_requests_kind_check`.execute(db);
  await sql`alter table removal_requests add constraint removal_requests_kind_check check (kind in ('removal', 'promotion'))`.execute(db);
  await sql`alter table organizations drop column slack_auto_invite, drop column slack_deactivation`.execute(db);
}
