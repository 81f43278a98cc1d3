import { sql, type Kysely } from 'kysely';

/** Team settings on the organization, and the history of role changes. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('organizations')
    .addColumn('approvals_channel_id', 'text')
    .addColumn('removal_approval_policy', 'text', (c) =>
      c.notNull().defaultTo('another-owner').check(sql`removal_approval_policy in ('none', 'another-owner')`),
    )
    .addColumn('invitation_expiry_days', 'int4', (c) =>
      c.notNull().defaultTo(7).check(sql`invitation_expiry_days between 1 and 30`),
    )
    .addColumn('allowed_email_domains', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'::text[]`))
    .addColumn('require_sso', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('access_review_cadence', 'text', (c) =>
      c.notNull().defaultTo('weekly').check(sql`access_review_cadence in ('off', 'weekly', 'monthly')`),
    )
    .addColumn('inactivity_threshold_days', 'int4', (c) =>
      c.notNull().defaultTo(90).check(sql`inactivity_threshold_days between 1 and 3650`),
    )
    .execute();

  await db.schema
    .createTable('member_role_changes')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('organization_id', 'uuid', (c) => c.notNull().references('organizations.id'))
    .addColumn('member_id', 'uuid', (c) => c.notNull().references('members.id'))
    .addColumn('from_role', 'text', (c) => c.check(sql`from_role in ('owner', 'member')`))
    .addColumn('to_role', 'text', (c) => c.notNull().check(sql`to_role in ('owner', 'member')`))
    .addColumn('changed_by_member_id', 'uuid', (c) => c.references('members.id'))
    .addColumn('source', 'text', (c) => c.notNull().check(sql`source in ('slack', 'web', 'api', 'cli', 'system')`))
    .addColumn('changed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create index member_role_changes_member on member_role_changes (member_id, changed_at desc)`.execute(db);

  // Where each person is on the App Home team page (search, cursor), so that a refresh caused
  // by someone else's change redraws the page they are on instead of jumping to the first.
  // Navigation state only: no audit events, no authority.
  await db.schema
    .createTable('home_tab_states')
    .addColumn('organization_id', 'uuid', (c) => c.notNull().references('organizations.id'))
    .addColumn('slack_user_id', 'text', (c) => c.notNull())
    .addColumn('state', 'jsonb', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('home_tab_states_pkey', ['organization_id', 'slack_user_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('home_tab_states').execute();
  await db.schema.dropTable('member_role_changes').execute();
  await db.schema
    .alterTable('organizations')
    .dropColumn('approvals_channel_id')
    .dropColumn('removal_approval_policy')
    .dropColumn('invitation_expiry_days')
    .dropColumn('allowed_email_domains')
    .dropColumn('require_sso')
    .dropColumn('access_review_cadence')
    .dropColumn('inactivity_threshold_days')
    .execute();
}
