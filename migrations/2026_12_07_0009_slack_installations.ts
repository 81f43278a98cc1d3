import { sql, type Kysely } from 'kysely';

/**
 * Slack installations of a distributed deployment (OAuth v2, "Add to Slack"): one row per
 * workspace install, or per enterprise for an org-wide Grid install, each tied to the
 * organization it serves. Tokens are stored encrypted (AES-256-GCM, src/slack/installations/
 * token-cipher.ts); an uninstall deletes them and keeps the row, so that a reinstall brings the
 * same team back.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table slack_installations (
      id uuid primary key default gen_random_uuid(),
      -- 'T…' for a workspace install, 'E…' for an org-wide install: what a request is matched by.
      install_key text not null unique check (install_key ~ '^[TE][A-Z0-9]+$'),
      organization_id uuid not null unique references organizations (id),
      team_id text,
      enterprise_id text,
      is_enterprise_install boolean not null default false,
      app_id text,
      bot_user_id text,
      bot_id text,
      bot_scopes text[] not null default '{}',
      installer_user_id text,
      bot_token_encrypted bytea,
      bot_refresh_token_encrypted bytea,
      bot_token_expires_at timestamptz,
      installed_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      uninstalled_at timestamptz,
      -- An org-wide install has no workspace of its own; a workspace install always has one.
      check (is_enterprise_install = (team_id is null)),
      check (not is_enterprise_install or enterprise_id is not null),
      -- Uninstalled means no token at all.
      check (uninstalled_at is null or (bot_token_encrypted is null and bot_refresh_token_encrypted is null))
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table slack_installations`.execute(db);
}
