import { sql, type Kysely } from 'kysely';

/**
 * Organizations, members and the append-only audit log.
 * Frozen in time: later changes are new migrations, never edits here.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('organizations')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('slack_team_id', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('team_channel_id', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('members')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organization_id', 'uuid', (c) => c.notNull().references('organizations.id').onDelete('restrict'))
    .addColumn('email', 'text', (c) => c.notNull().check(sql`email = lower(btrim(email)) and email like '%_@_%'`))
    .addColumn('slack_user_id', 'text')
    .addColumn('display_name', 'text')
    .addColumn('role', 'text', (c) => c.notNull().defaultTo('member').check(sql`role in ('owner', 'member')`))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('active').check(sql`status in ('active', 'removed')`))
    .addColumn('joined_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('invited_by_member_id', 'uuid', (c) => c.references('members.id'))
    .addColumn('removed_at', 'timestamptz')
    .addColumn('removed_by_member_id', 'uuid', (c) => c.references('members.id'))
    .addColumn('removal_reason', 'text')
    .addColumn('last_sign_in_at', 'timestamptz')
    // The team page's order, kept by the database so that keyset pagination has one index to
    // walk: owners first, then by name (the email stands in for a missing name).
    .addColumn('role_rank', 'int2', (c) => c.generatedAlwaysAs(sql`case role when 'owner' then 0 else 1 end`).stored())
    .addColumn('sort_name', 'text', (c) => c.generatedAlwaysAs(sql`lower(coalesce(display_name, email))`).stored())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // A removed member carries when and by whom; an active one carries neither.
    .addCheckConstraint(
      'members_removal_consistent',
      sql`(status = 'removed') = (removed_at is not null)`,
    )
    .execute();

  // Emails are stored normalised (the check above); the index still uses lower() so that a
  // lookup written either way is served by it and the rule holds even if the check changes.
  await sql`create unique index members_org_email_key on members (organization_id, lower(email))`.execute(db);
  await sql`create unique index members_org_slack_user_key on members (organization_id, slack_user_id) where slack_user_id is not null`.execute(db);
  // Keyset pagination of the team page, and prefix search by name or email.
  await sql`create index members_team_page on members (organization_id, status, role_rank, sort_name, id)`.execute(db);
  await sql`create index members_search_name on members (organization_id, sort_name text_pattern_ops)`.execute(db);
  await sql`create index members_search_email on members (organization_id, email text_pattern_ops)`.execute(db);

  await db.schema
    .createTable('audit_events')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('organization_id', 'uuid', (c) => c.notNull().references('organizations.id').onDelete('restrict'))
    .addColumn('actor_type', 'text', (c) => c.notNull().check(sql`actor_type in ('member', 'slack_user', 'api_key', 'cli', 'system')`))
    .addColumn('actor_id', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target_type', 'text')
    .addColumn('target_id', 'text')
    .addColumn('before', 'jsonb')
    .addColumn('after', 'jsonb')
    .addColumn('source', 'text', (c) => c.notNull().check(sql`source in ('slack', 'web', 'api', 'cli', 'system')`))
    .addColumn('occurred_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create index audit_events_org_time on audit_events (organization_id, occurred_at desc, id desc)`.execute(db);
  await sql`create index audit_events_org_target on audit_events (organization_id, target_type, target_id, occurred_at desc)`.execute(db);

  // Append-only at the database level: whatever the application does, history cannot be
  // rewritten. A statement trigger also catches TRUNCATE, which row triggers do not see.
  await sql`
    create function audit_events_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'audit_events is append-only: % is not allowed', tg_op
        using errcode = 'insufficient_privilege';
    end
    $$`.execute(db);
  await sql`create trigger audit_events_no_update_delete before update or delete on audit_events
    for each row execute function audit_events_append_only()`.execute(db);
  await sql`create trigger audit_events_no_truncate before truncate on audit_events
    for each statement execute function audit_events_append_only()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('audit_events').execute();
  await sql`drop function audit_events_append_only()`.execute(db);
  await db.schema.dropTable('members').execute();
  await db.schema.dropTable('organizations').execute();
}
