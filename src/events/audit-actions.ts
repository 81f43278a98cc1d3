import type { AuditEvent, Member } from '../db/schema.js';

/**
 * The audit actions the app writes, and which people, invitations and API keys an event names
 * (src/activity/audit-log.ts loads them in one query each for a whole page). The sentences a
 * surface shows are the surface's: Slack's are in src/slack/blocks/audit-sentences.ts.
 */

export type AuditEventLike = Pick<AuditEvent, 'actor_type' | 'actor_id' | 'action' | 'target_type' | 'target_id' | 'before' | 'after' | 'source'>;

export type AuditPerson = Pick<Member, 'id' | 'slack_user_id' | 'display_name' | 'email'>;

export interface AuditLookup {
  members: ReadonlyMap<string, AuditPerson>;
  invitations: ReadonlyMap<string, { email: string }>;
  apiKeys: ReadonlyMap<string, { prefix: string; name: string }>;
}

export const EMPTY_LOOKUP: AuditLookup = { members: new Map(), invitations: new Map(), apiKeys: new Map() };

/** Every action the app writes today; each has its own sentence below. */
export const KNOWN_ACTIONS = [
  'organization.created',
  'settings.changed',
  'member.added',
  'member.role_changed',
  'member.reactivated',
  'member.slack_linked',
  'member.left',
  'member.removed',
  'member.restored',
  'member.email_changed',
  'member.email_change_refused',
  'member.deactivation_kept_last_owner',
  'member.reactivation_reported',
  'member.deactivation_ignored',
  'member.guest_changed',
  'member.provisioned',
  'member.profile_updated',
  'member.deleted_in_directory',
  'member.owner_until_changed',
  'member.owner_expiry_held',
  'invitation.sent',
  'invitation.resent',
  'invitation.cancelled',
  'invitation.declined',
  'invitation.expired',
  'invitation.accepted',
  'removal.requested',
  'removal.rejected',
  'removal.withdrawn',
  'removal.expired',
  'removal.cancelled',
  'promotion.requested',
  'promotion.approved',
  'promotion.rejected',
  'promotion.withdrawn',
  'promotion.expired',
  'promotion.cancelled',
  'deactivation.requested',
  'deactivation.kept',
  'deactivation.expired',
  'deactivation.cancelled',
  'directory.synced',
  'api_key.created',
  'api_key.revoked',
  'activity.ingested',
  'access_review.started',
  'access_review.kept',
  'access_review.remove_started',
  'slack.installed',
  'slack.uninstalled',
  'webhook.endpoint_created',
  'webhook.endpoint_updated',
  'webhook.endpoint_deleted',
  'webhook.secret_rotated',
  'webhook.endpoint_disabled',
  'webhook.redelivery_requested',
] as const;

/** The words before the dot: what `/team audit <prefix>` filters on. */
export const ACTION_PREFIXES = [...new Set(KNOWN_ACTIONS.map((a) => a.slice(0, a.indexOf('.'))))] as readonly string[];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The ids an event names, by kind, so a page's worth can be loaded in one query per kind. */
export function mentionedIds(event: AuditEventLike): { members: string[]; invitations: string[]; apiKeys: string[] } {
  const members: string[] = [];
  const invitations: string[] = [];
  const apiKeys: string[] = [];
  if (event.actor_type === 'member' && event.actor_id) members.push(event.actor_id);
  if (event.actor_type === 'api_key' && event.actor_id) apiKeys.push(event.actor_id);
  if (event.target_type === 'member' && event.target_id) members.push(event.target_id);
  if (event.target_type === 'invitation' && event.target_id) invitations.push(event.target_id);
  if (event.target_type === 'api_key' && event.target_id) apiKeys.push(event.target_id);
  const after = record(event.after);
  for (const key of ['target_member_id', 'removed_by', 'requested_by', 'approved_by'] as const) {
    const id = str(after[key]);
    if (id) members.push(id);
  }
  const valid = (ids: string[]) => [...new Set(ids.filter((id) => UUID.test(id)))];
  return { members: valid(members), invitations: valid(invitations), apiKeys: valid(apiKeys) };
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
