import { sql, type Kysely } from 'kysely';

/**
 * Purging an organization (npm run cli -- organizations purge): its rows go, including its audit
 * trail, and the purge itself is recorded here, outside the purged rows, with who ran it and how
 * many rows of each kind went.
 *
 * The audit log stays append-only for everything else: the trigger lets a DELETE through only
 * for the organization a purge transaction names in `team_manager.purging_organization` (set
 * with SET LOCAL, so it ends with the transaction). UPDATE and TRUNCATE stay refused always.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table organization_purges (
      id uuid primary key default gen_random_uuid(),
      organization_id uuid not null,
      slack_team_id text not null,
      name text not null,
      purged_at timestamptz not null default now(),
      purged_by text not null,
      deleted_rows jsonb not null
    )`.execute(db);
  await sql`
    create or replace function audit_events_append_only() returns trigger language plpgsql as $$
    begin
      if tg_op = 'DELETE' and current_setting('team_manager.purging_organization', true) = old.organization_id::text then
        return old;
      end if;
      raise exception 'audit_events is append-only: % is not allowed', tg_op
        using errcode = 'insufficient_privilege';
    end
    $$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    create or replace function audit_events_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'audit_events is append-only: % is not allowed', tg_op
        using errcode = 'insufficient_privilege';
    end
    $$`.execute(db);
  await sql`drop table organization_purges`.execute(db);
}
