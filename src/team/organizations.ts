import type { Db, DbOrTrx } from '../db/database.js';
import type { AuditSource, Organization } from '../db/schema.js';
import { appendAuditEvent, SYSTEM_ACTOR } from '../events/audit-repository.js';
import {
  findOrganizationBySlackTeam,
  findOrganizationBySlackTeamForUpdate,
  insertOrganizationIfAbsent,
  updateOrganizationTeamChannel,
} from './organization-repository.js';

export interface WorkspaceIdentity {
  slackTeamId: string;
  name: string;
  /** The team channel from configuration, used while the organization has none of its own. */
  defaultTeamChannelId?: string | undefined;
}

/**
 * The organization of a Slack workspace, created on first sight. Creation, and adopting the
 * configured team channel, are state changes: each writes its audit event in the same
 * transaction (from which the team channel hears of it: src/notify/tellings).
 */
export async function ensureOrganization(
  db: Db,
  workspace: WorkspaceIdentity,
  source: AuditSource = 'system',
): Promise<Organization> {
  const existing = await findOrganizationBySlackTeam(db, workspace.slackTeamId);
  if (existing && (existing.team_channel_id || !workspace.defaultTeamChannelId)) return existing;

  return db.transaction().execute((trx) => ensureOrganizationIn(trx, workspace, source));
}

/** ensureOrganization inside the caller's transaction (an installation creates its organization with it). */
export async function ensureOrganizationIn(trx: DbOrTrx, workspace: WorkspaceIdentity, source: AuditSource = 'system'): Promise<Organization> {
  const created = await insertOrganizationIfAbsent(trx, {
    slackTeamId: workspace.slackTeamId,
    name: workspace.name,
    teamChannelId: workspace.defaultTeamChannelId ?? null,
  });
  if (created) {
    await appendAuditEvent(trx, {
      organizationId: created.id,
      actor: SYSTEM_ACTOR,
      action: 'organization.created',
      target: { type: 'organization', id: created.id },
      after: { slack_team_id: created.slack_team_id, name: created.name, team_channel_id: created.team_channel_id },
      source,
    });
    return created;
  }

  // Another process may have created it meanwhile; lock the row before changing it.
  const organization = (await findOrganizationBySlackTeamForUpdate(trx, workspace.slackTeamId))!;
  if (organization.team_channel_id || !workspace.defaultTeamChannelId) return organization;
  const updated = await updateOrganizationTeamChannel(trx, organization.id, workspace.defaultTeamChannelId);
  await appendAuditEvent(trx, {
    organizationId: organization.id,
    actor: SYSTEM_ACTOR,
    action: 'settings.changed',
    target: { type: 'organization', id: organization.id },
    before: { team_channel_id: organization.team_channel_id },
    after: { team_channel_id: updated.team_channel_id },
    source,
  });
  return updated;
}
