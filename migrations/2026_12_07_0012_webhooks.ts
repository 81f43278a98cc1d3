import { sql, type Kysely } from 'kysely';

/**
 * Outbound webhooks (issue 17). `webhook_endpoints`: where an organization wants its public
 * events, with the signing secret sealed at rest and, during a rotation, the previous one until
 * it expires. `next_seq` is bumped by the transaction that queues a delivery: its row lock is
 * held until that transaction commits, so per-endpoint `seq` is commit order.
 * `webhook_deliveries`: the ordered outbox and delivery log in one (body purged after 7 days).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table webhook_endpoints (
      id uuid primary key default gen_random_uuid(),
      organization_id uuid not null references organizations(id) on delete cascade,
      url text not null,
      event_types text[] not null,
      description text not null default '',
      status text not null default 'active' check (status in ('active', 'paused', 'disabled')),
      secret bytea not null,
      previous_secret bytea,
      previous_secret_expires_at timestamptz,
      next_seq bigint not null default 0,
      failing_since timestamptz,
      disabled_reason text,
      created_by_member_id uuid references members(id),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index webhook_endpoints_org on webhook_endpoints (organization_id)`.execute(db);
  await sql`
    create table webhook_deliveries (
      id bigint generated always as identity primary key,
      organization_id uuid not null,
      endpoint_id uuid not null references webhook_endpoints(id) on delete cascade,
      seq bigint not null,
      event_id text not null,
      event_type text not null,
      body jsonb,
      status text not null default 'pending' check (status in ('pending', 'delivered', 'failed')),
      attempts integer not null default 0,
      next_attempt_at timestamptz not null default now(),
      last_status_code integer,
      last_error text,
      last_latency_ms integer,
      created_at timestamptz not null default now(),
      delivered_at timestamptz,
      unique (endpoint_id, seq)
    )`.execute(db);
  await sql`create index webhook_deliveries_pending on webhook_deliveries (endpoint_id, seq) where status = 'pending'`.execute(db);
  await sql`create index webhook_deliveries_purge on webhook_deliveries (created_at) where body is not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table webhook_deliveries`.execute(db);
  await sql`drop table webhook_endpoints`.execute(db);
}
