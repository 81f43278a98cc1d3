import { sql } from 'kysely';
import type { Db } from '../../src/db/database.js';
import type { Member, Organization, Role } from '../../src/db/schema.js';
import { insertMember, updateMember } from '../../src/team/member-repository.js';
import type { Settings } from '../../src/team/settings.js';

/** A team's settings as a new organization has them (with a team channel set). */
export const DEFAULT_SETTINGS: Settings = {
  team_channel_id: 'C0TEAM0001',
  approvals_channel_id: null,
  removal_approval_policy: 'another-owner',
  promotion_approval_policy: 'immediate',
  removal_request_expiry_hours: 72,
  notify_removed_member: true,
  invitation_expiry_days: 7,
  allowed_email_domains: [],
  require_sso: false,
  access_review_cadence: 'weekly',
  inactivity_threshold_days: 90,
  restore_window_days: 30,
  scim_provisioning: 'member',
  slack_deactivation: 'remove',
  slack_auto_invite: false,
};

/** Test data written straight to the tables (no audit events): the state a test starts from. */
export async function seedOrganization(db: Db, slackTeamId: string, values: Partial<Pick<Organization, 'team_channel_id' | 'name'>> = {}): Promise<Organization> {
  return db
    .insertInto('organizations')
    .values({ slack_team_id: slackTeamId, name: values.name ?? slackTeamId, team_channel_id: values.team_channel_id ?? null })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function seedMember(
  db: Db,
  organization: Pick<Organization, 'id'>,
  email: string,
  role: Role,
  options: { slackUserId?: string; displayName?: string; removed?: boolean } = {},
): Promise<Member> {
  const member = await insertMember(db, {
    organizationId: organization.id,
    email,
    role,
    slackUserId: options.slackUserId ?? null,
    displayName: options.displayName ?? null,
  });
  if (!options.removed) return member;
  return updateMember(db, member, { status: 'removed', removed_at: new Date(), removal_reason: 'seeded as removed' });
}

export async function auditActions(db: Db, organizationId: string): Promise<string[]> {
  const rows = await db.selectFrom('audit_events').select('action').where('organization_id', '=', organizationId).orderBy('id').execute();
  return rows.map((r) => r.action);
}

/** Jobs waiting in the queue (graphile-worker's tables), oldest first. */
export async function queuedJobs(db: Db, organizationId?: string): Promise<Array<{ task: string; payload: Record<string, unknown> }>> {
  const { rows } = await sql<{ identifier: string; payload: Record<string, unknown> }>`
    select t.identifier, j.payload
      from graphile_worker._private_jobs j
      join graphile_worker._private_tasks t on t.id = j.task_id
     order by j.id`.execute(db);
  return rows
    .map((r) => ({ task: r.identifier, payload: r.payload }))
    .filter((j) => !organizationId || j.payload.organizationId === organizationId);
}
