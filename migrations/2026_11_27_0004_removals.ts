import { sql, type Kysely } from 'kysely';

/** Removal requests awaiting another owner's approval, and the two settings that shape them. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('organizations')
    .addColumn('removal_request_expiry_hours', 'int4', (c) =>
      c.notNull().defaultTo(72).check(sql`removal_request_expiry_hours between 1 and 720`),
    )
    // Whether the removed person gets a DM saying their access has ended.
    .addColumn('notify_removed_member', 'boolean', (c) => c.notNull().defaultTo(true))
    .execute();

  await db.schema
    .createTable('removal_requests')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organization_id', 'uuid', (c) => c.notNull().references('organizations.id'))
    .addColumn('target_member_id', 'uuid', (c) => c.notNull().references('members.id'))
    .addColumn('requested_by_member_id', 'uuid', (c) => c.notNull().references('members.id'))
    .addColumn('reason', 'text', (c) => c.check(sql`char_length(reason) <= 1000`))
    .addColumn('status', 'text', (c) =>
      c.notNull().defaultTo('pending').check(sql`status in ('pending', 'approved', 'rejected', 'withdrawn', 'expired', 'cancelled')`),
    )
    .addColumn('decided_by_member_id', 'uuid', (c) => c.references('members.id'))
    .addColumn('decision_reason', 'text', (c) => c.check(sql`char_length(decision_reason) <= 1000`))
    .addColumn('decided_at', 'timestamptz')
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    // Where the approval card and the requester's "waiting" DM were posted, to rewrite them later.
    .addColumn('card_channel_id', 'text')
    .addColumn('card_ts', 'text')
    .addColumn('requester_dm_channel_id', 'text')
    .addColumn('requester_dm_ts', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // A decided request has who and when; a pending one has neither.
    .addCheckConstraint('removal_requests_decided', sql`(status = 'pending') = (decided_at is null)`)
    .execute();
  // One open request per person: a second Remove click finds the first instead of adding another.
  await sql`create unique index removal_requests_one_pending on removal_requests (organization_id, target_member_id) where status = 'pending'`.execute(db);
  await sql`create index removal_requests_pending_expiry on removal_requests (expires_at) where status = 'pending'`.execute(db);
  await sql`create index removal_requests_requester on removal_requests (requested_by_member_id) where status = 'pending'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('removal_requests').execute();
  await db.schema.alterTable('organizations').dropColumn('removal_request_expiry_hours').dropColumn('notify_removed_member').execute();
}
