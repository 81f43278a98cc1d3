import { sql, type Kysely } from 'kysely';

/** API keys, ingested activity, and access reviews. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organization_id', 'uuid', (c) => c.notNull().references('organizations.id'))
    .addColumn('name', 'text', (c) => c.notNull().check(sql`char_length(name) between 1 and 100`))
    .addColumn('scope', 'text', (c) => c.notNull().check(sql`scope in ('read', 'read-write')`))
    // The first characters of the key, shown in listings so a key can be recognised; not secret.
    .addColumn('prefix', 'text', (c) => c.notNull())
    // SHA-256 of the whole key; the key itself is shown once and never stored.
    .addColumn('key_hash', 'bytea', (c) => c.notNull().unique())
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_used_at', 'timestamptz')
    .addColumn('revoked_at', 'timestamptz')
    .execute();
  await sql`create index api_keys_org on api_keys (organization_id, created_at)`.execute(db);

  await db.schema
    .createTable('activity_events')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('organization_id', 'uuid', (c) => c.notNull().references('organizations.id'))
    .addColumn('member_id', 'uuid', (c) => c.notNull().references('members.id'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('sign_in', 'config_change')`))
    .addColumn('occurred_at', 'timestamptz', (c) => c.notNull())
    .addColumn('summary', 'text', (c) => c.notNull().check(sql`char_length(summary) between 1 and 500`))
    .addColumn('details', 'jsonb')
    .addColumn('idempotency_key', 'text', (c) => c.notNull().check(sql`char_length(idempotency_key) between 1 and 200`))
    .addColumn('api_key_id', 'uuid', (c) => c.references('api_keys.id'))
    .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  // A repeated Idempotency-Key is the same event: stored once per organization.
  await sql`create unique index activity_events_idempotency on activity_events (organization_id, idempotency_key)`.execute(db);
  await sql`create index activity_events_member on activity_events (member_id, kind, occurred_at desc)`.execute(db);

  // When the member last did something in Slack with the app (throttled writes).
  await db.schema.alterTable('members').addColumn('last_slack_activity_at', 'timestamptz').execute();

  await db.schema
    .createTable('access_reviews')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organization_id', 'uuid', (c) => c.notNull().references('organizations.id'))
    .addColumn('threshold_days', 'int4', (c) => c.notNull())
    .addColumn('channel_id', 'text')
    .addColumn('message_ts', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create index access_reviews_org on access_reviews (organization_id, created_at desc)`.execute(db);

  await db.schema
    .createTable('access_review_items')
    .addColumn('review_id', 'uuid', (c) => c.notNull().references('access_reviews.id'))
    .addColumn('member_id', 'uuid', (c) => c.notNull().references('members.id'))
    .addColumn('decision', 'text', (c) => c.check(sql`decision in ('keep', 'remove')`))
    .addColumn('decided_by_member_id', 'uuid', (c) => c.references('members.id'))
    .addColumn('decided_at', 'timestamptz')
    .addPrimaryKeyConstraint('access_review_items_pkey', ['review_id', 'member_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('access_review_items').execute();
  await db.schema.dropTable('access_reviews').execute();
  await db.schema.alterTable('members').dropColumn('last_slack_activity_at').execute();
  await db.schema.dropTable('activity_events').execute();
  await db.schema.dropTable('api_keys').execute();
}
