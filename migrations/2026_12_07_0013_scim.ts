import { sql, type Kysely } from 'kysely';

/**
 * SCIM 2.0 provisioning (issue 18 part 3).
 * - SCIM bearer tokens are API keys of scope `scim` (hashed at rest, shown once, revocable the
 *   same way); the REST API refuses them and the SCIM endpoint takes nothing else.
 * - `members.external_id`: the identity provider's id for the person, unique per organization
 *   where set; `user_name` the provider's userName as it spells it (Okta checks the case comes
 *   back; Entra's need not be an address), unique per organization case-insensitively;
 *   `given_name` / `family_name` keep the SCIM `name` the provider sent.
 * - `organizations.scim_provisioning`: a provisioned user becomes a member at once (`member`)
 *   or is sent an invitation (`invite`); invitations keep the provider's externalId meanwhile.
 * - `scim` joins the audit and role-change sources.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table api_keys drop constraint api_keys_scope_check`.execute(db);
  await sql`alter table api_keys add constraint api_keys_scope_check check (scope in ('read', 'read-write', 'scim'))`.execute(db);

  await sql`alter table members add column external_id text check (char_length(external_id) between 1 and 500)`.execute(db);
  await sql`alter table members add column given_name text check (char_length(given_name) <= 200)`.execute(db);
  await sql`alter table members add column family_name text check (char_length(family_name) <= 200)`.execute(db);
  await sql`create unique index members_org_external_id on members (organization_id, external_id) where external_id is not null`.execute(db);
  await sql`alter table members add column user_name text check (char_length(user_name) between 1 and 500)`.execute(db);
  await sql`create unique index members_org_user_name on members (organization_id, lower(user_name)) where user_name is not null`.execute(db);
  await sql`alter table invitations add column external_id text check (char_length(external_id) between 1 and 500)`.execute(db);

  await sql`alter table organizations add column scim_provisioning text not null default 'member' check (scim_provisioning in ('member', 'invite'))`.execute(db);

  await sql`alter table audit_events drop constraint audit_events_source_check`.execute(db);
  await sql`alter table audit_events add constraint audit_events_source_check check (source in ('slack', 'web', 'api', 'cli', 'system', 'scim'))`.execute(db);
  await sql`alter table member_role_changes drop constraint member_role_changes_source_check`.execute(db);
  await sql`alter table member_role_changes add constraint member_role_changes_source_check check (source in ('slack', 'web', 'api', 'cli', 'system', 'scim'))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  // Audit rows are never rewritten: the narrower checks go back as NOT VALID.
  await sql`alter table member_role_changes drop constraint member_role_changes_source_check`.execute(db);
  await sql`alter table member_role_changes add constraint member_role_changes_source_check check (source in ('slack', 'web', 'api', 'cli', 'system')) not valid`.execute(db);
  await sql`alter table audit_events drop constraint audit_events_source_check`.execute(db);
  await sql`alter table audit_events add constraint audit_events_source_check check (source in ('slack', 'web', 'api', 'cli', 'system')) not valid`.execute(db);
  await sql`alter table organizations drop column scim_provisioning`.execute(db);
  await sql`alter table invitations drop column external_id`.execute(db);
  await sql`drop index members_org_user_name`.execute(db);
  await sql`alter table members drop column user_name`.execute(db);
  await sql`drop index members_org_external_id`.execute(db);
  await sql`alter table members drop column family_name`.execute(db);
  await sql`alter table members drop column given_name`.execute(db);
  await sql`alter table members drop column external_id`.execute(db);
  await sql`delete from api_keys where scope = 'scim'`.execute(db);
  await sql`alter table api_keys drop constraint api_keys_scope_check`.execute(db);
  await sql`alter table api_keys add constraint api_keys_scope_check check (scope in ('read', 'read-write'))`.execute(db);
}
