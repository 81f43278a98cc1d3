import { sql, type Kysely } from 'kysely';

/** Invitations by email, their deliveries, and the per-organization daily limit. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('organizations')
    .addColumn('daily_invitation_limit', 'int4', (c) => c.notNull().defaultTo(100).check(sql`daily_invitation_limit between 1 and 10000`))
    .execute();

  await db.schema
    .createTable('invitations')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organization_id', 'uuid', (c) => c.notNull().references('organizations.id'))
    .addColumn('email', 'text', (c) => c.notNull().check(sql`email = lower(btrim(email)) and email like '%_@_%'`))
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('owner', 'member')`))
    .addColumn('status', 'text', (c) =>
      c.notNull().defaultTo('pending').check(sql`status in ('pending', 'accepted', 'declined', 'cancelled', 'expired')`),
    )
    .addColumn('message', 'text', (c) => c.check(sql`char_length(message) <= 2000`))
    .addColumn('invited_by_member_id', 'uuid', (c) => c.references('members.id'))
    // One submission of the invite modal: its invitations are announced in one message.
    .addColumn('batch_id', 'uuid', (c) => c.notNull())
    // SHA-256 of the current email link's token; the token itself is never stored.
    .addColumn('token_hash', 'bytea', (c) => c.unique())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('last_sent_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('send_count', 'int4', (c) => c.notNull().defaultTo(1))
    // The invitee's Slack user when the address belongs to someone in the workspace, and the DM we sent them.
    .addColumn('slack_user_id', 'text')
    .addColumn('dm_channel_id', 'text')
    .addColumn('dm_ts', 'text')
    .addColumn('member_id', 'uuid', (c) => c.references('members.id'))
    .addColumn('responded_at', 'timestamptz')
    .addColumn('cancelled_by_member_id', 'uuid', (c) => c.references('members.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  // One pending invitation per email per organization, enforced where races cannot slip past it.
  await sql`create unique index invitations_one_pending on invitations (organization_id, lower(email)) where status = 'pending'`.execute(db);
  await sql`create index invitations_org_status on invitations (organization_id, status, created_at desc)`.execute(db);
  await sql`create index invitations_pending_expiry on invitations (expires_at) where status = 'pending'`.execute(db);

  await db.schema
    .createTable('invitation_sends')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('invitation_id', 'uuid', (c) => c.notNull().references('invitations.id'))
    .addColumn('sent_by_member_id', 'uuid', (c) => c.references('members.id'))
    .addColumn('sent_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create index invitation_sends_recent on invitation_sends (invitation_id, sent_at desc)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('invitation_sends').execute();
  await db.schema.dropTable('invitations').execute();
  await db.schema.alterTable('organizations').dropColumn('daily_invitation_limit').execute();
}
