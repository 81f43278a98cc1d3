import { sql, type Kysely } from 'kysely';

/**
 * Operations, round 2 (issue 21). slack_token_holds: one row per organization whose Slack bot token Slack refused (invalid_auth, token_revoked,
 * account_inactive): its Slack jobs are held instead of retried against a dead token
 * (src/jobs/slack-token-hold.ts). Only a fingerprint of the token is kept, to notice a new one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table slack_token_holds (
      organization_id uuid primary key references organizations(id) on delete cascade,
      slack_error text not null,
      token_fingerprint text not null,
      held_at timestamptz not null default now(),
      next_probe_at timestamptz not null
    )`.execute(db);
  // invitation_email_alerts: an invitation email still failing an hour after it was queued
  // tells the inviter in Slack once per send (src/notify/email-failure-alert.ts); the row is the "once".
  await sql`
    create table invitation_email_alerts (
      organization_id uuid not null references organizations(id) on delete cascade,
      invitation_id uuid not null references invitations(id) on delete cascade,
      send_count integer not null,
      told_at timestamptz not null default now(),
      primary key (organization_id, invitation_id, send_count)
    )`.execute(db);
  // api_rate_buckets: each API key's token bucket, shared by every web instance
  // (src/api/shared-rate-limit.ts); `allowed` is whether the last request took a token.
  await sql`
    create table api_rate_buckets (
      api_key_id uuid primary key references api_keys(id) on delete cascade,
      organization_id uuid not null references organizations(id) on delete cascade,
      tokens double precision not null,
      refreshed_at timestamptz not null,
      allowed boolean not null
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table api_rate_buckets`.execute(db);
  await sql`drop table invitation_email_alerts`.execute(db);
  await sql`drop table slack_token_holds`.execute(db);
}
