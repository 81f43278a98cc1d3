import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { AppError } from '../errors.js';
import { findOrganizationBySlackTeam } from './organization-repository.js';

/**
 * Every table holding an organization's rows, in the order they can be deleted (children
 * before what they reference). test/integration/organization-purge.test.ts fails when a table
 * with an organization_id column is missing here, so a new table cannot be forgotten.
 */
export const PURGED_TABLES = [
  'webhook_deliveries',
  'webhook_endpoints',
  'access_review_items',
  'access_reviews',
  'activity_events',
  'api_rate_buckets',
  'api_keys',
  'removal_requests',
  'invitation_sends',
  'invitation_email_alerts',
  'invitations',
  'member_role_changes',
  'home_tab_states',
  'members',
  'slack_installations',
  'slack_token_holds',
  'audit_events',
  'organization_member_counts',
] as const;

/** Tables whose rows belong to an organization through a parent rather than their own column. */
const THROUGH_PARENT: Partial<Record<(typeof PURGED_TABLES)[number], { column: string; parent: string }>> = {
  access_review_items: { column: 'review_id', parent: 'access_reviews' },
  invitation_sends: { column: 'invitation_id', parent: 'invitations' },
};

export interface PurgeResult {
  organizationId: string;
  name: string;
  deleted: Record<string, number>;
}

/**
 * Deletes an organization and everything it holds, in one transaction, and records the purge in
 * organization_purges (which is not purged). Refused while the app is installed there: uninstall
 * first, so that nothing new arrives for it meanwhile. Queued jobs for it go too.
 */
export async function purgeOrganization(db: Db, input: { slackTeamId: string; purgedBy: string }): Promise<PurgeResult> {
  const organization = await findOrganizationBySlackTeam(db, input.slackTeamId);
  if (!organization) throw new AppError('not_found', `no organization for workspace ${input.slackTeamId}`);
  return db.transaction().execute(async (trx) => {
    await sql`select id from organizations where id = ${organization.id} for update`.execute(trx);
    const installed = await trx
      .selectFrom('slack_installations')
      .select('id')
      .where('organization_id', '=', organization.id)
      .where('uninstalled_at', 'is', null)
      .executeTakeFirst();
    if (installed) throw new AppError('installed', `${organization.name} (${input.slackTeamId}) still has Team Manager installed: uninstall it from Slack first`);

    // Lets the audit trigger delete this organization's events, for this transaction only.
    await sql`select set_config('team_manager.purging_organization', ${organization.id}, true)`.execute(trx);
    const deleted: Record<string, number> = {};
    for (const table of PURGED_TABLES) {
      const through = THROUGH_PARENT[table];
      const result = through
        ? await sql`delete from ${sql.table(table)} where ${sql.ref(through.column)} in (select id from ${sql.table(through.parent)} where organization_id = ${organization.id})`.execute(trx)
        : await sql`delete from ${sql.table(table)} where organization_id = ${organization.id}`.execute(trx);
      deleted[table] = Number(result.numAffectedRows ?? 0);
    }
    const jobs = await sql`delete from graphile_worker._private_jobs where payload->>'organizationId' = ${organization.id} and locked_at is null`.execute(trx);
    deleted.jobs = Number(jobs.numAffectedRows ?? 0);
    await trx.deleteFrom('organizations').where('id', '=', organization.id).execute();
    deleted.organizations = 1;
    await trx
      .insertInto('organization_purges')
      .values({ organization_id: organization.id, slack_team_id: organization.slack_team_id, name: organization.name, purged_by: input.purgedBy, deleted_rows: JSON.stringify(deleted) })
      .execute();
    return { organizationId: organization.id, name: organization.name, deleted };
  });
}
