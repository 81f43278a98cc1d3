import { sql } from 'kysely';
import { z } from 'zod';
import type { DbOrTrx } from '../db/database.js';
import type { AuditSource, Member, Role } from '../db/schema.js';
import { AppError } from '../errors.js';
import { findMemberById } from '../team/member-repository.js';
import { authorize } from '../team/policy.js';

/**
 * One member's activity (product brief, "Activity, audit, review"): when they joined and who
 * invited them, their role history, their last sign-in (reported by the product through the
 * API) and last use of the app in Slack, and their latest configuration changes — the ones the
 * product reported (`activity_events` of kind `config_change`) merged by time with the team
 * settings they changed here (`settings.changed` audit events they are the actor of).
 *
 * Members see their own; owners anyone's (policy 'activity.view'), decided from the database.
 */

export const ROLE_HISTORY_LIMIT = 10;
export const CONFIG_CHANGES_LIMIT = 10;

export type ActivityPerson = Pick<Member, 'id' | 'slack_user_id' | 'display_name' | 'email' | 'status'>;

export interface RoleHistoryEntry {
  fromRole: Role | null;
  toRole: Role;
  changedBy: ActivityPerson | null;
  source: AuditSource;
  changedAt: Date;
}

export type ConfigChange =
  | { kind: 'reported'; occurredAt: Date; summary: string; details: unknown }
  | { kind: 'settings'; occurredAt: Date; before: unknown; after: unknown; source: AuditSource };

export interface MemberActivity {
  member: Member;
  viewerIsMember: boolean;
  invitedBy: ActivityPerson | null;
  /** Newest first, at most ROLE_HISTORY_LIMIT. */
  roleHistory: RoleHistoryEntry[];
  /** True when older role changes exist than those listed. */
  moreRoleHistory: boolean;
  lastSignInAt: Date | null;
  lastSlackActivityAt: Date | null;
  /** Newest first, at most CONFIG_CHANGES_LIMIT. */
  configChanges: ConfigChange[];
}

export interface MemberActivityQuery {
  organizationId: string;
  /** The member looking, as resolved for this request; re-read and authorised here. */
  viewerMemberId: string | null;
  targetMemberId: string;
}

/** The activity of one member, for a viewer allowed to see it; AppError with the policy's sentence otherwise. */
export async function readMemberActivity(db: DbOrTrx, query: MemberActivityQuery): Promise<MemberActivity> {
  const { organizationId } = query;
  const viewer = query.viewerMemberId ? ((await findMemberById(db, organizationId, query.viewerMemberId)) ?? null) : null;
  const target = z.uuid().safeParse(query.targetMemberId).success ? await findMemberById(db, organizationId, query.targetMemberId) : undefined;
  if (!target) {
    // Who may ask at all is said first, so a non-member learns nothing about who exists.
    authorize(viewer, 'activity.view', organizationId);
    throw new AppError('not_found', 'That person is not a member of this team.');
  }
  authorize(viewer, 'activity.view', organizationId, target);

  const [roleRows, reported, settings] = await Promise.all([
    db
      .selectFrom('member_role_changes')
      .select(['from_role', 'to_role', 'changed_by_member_id', 'source', 'changed_at'])
      .where('organization_id', '=', organizationId)
      .where('member_id', '=', target.id)
      .orderBy('changed_at', 'desc')
      .orderBy('id', 'desc')
      .limit(ROLE_HISTORY_LIMIT + 1)
      .execute(),
    db
      .selectFrom('activity_events')
      .select(['occurred_at', 'summary', 'details'])
      .where('organization_id', '=', organizationId)
      .where('member_id', '=', target.id)
      .where('kind', '=', 'config_change')
      .orderBy('occurred_at', 'desc')
      .orderBy('id', 'desc')
      .limit(CONFIG_CHANGES_LIMIT)
      .execute(),
    db
      .selectFrom('audit_events')
      .select(['occurred_at', 'before', 'after', 'source'])
      .where('organization_id', '=', organizationId)
      .where('action', '=', 'settings.changed')
      .where('actor_type', '=', 'member')
      .where('actor_id', '=', target.id)
      .orderBy('occurred_at', 'desc')
      .orderBy('id', 'desc')
      .limit(CONFIG_CHANGES_LIMIT)
      .execute(),
  ]);

  // Everyone named (the inviter, whoever changed a role) in one query.
  const history = roleRows.slice(0, ROLE_HISTORY_LIMIT);
  const ids = new Set<string>();
  if (target.invited_by_member_id) ids.add(target.invited_by_member_id);
  for (const row of history) if (row.changed_by_member_id) ids.add(row.changed_by_member_id);
  const people = ids.size === 0 ? [] : await db
    .selectFrom('members')
    .select(['id', 'slack_user_id', 'display_name', 'email', 'status'])
    .where('organization_id', '=', organizationId)
    .where('id', 'in', [...ids])
    .execute();
  const byId = new Map(people.map((p) => [p.id, p]));

  const configChanges: ConfigChange[] = [
    ...reported.map((r): ConfigChange => ({ kind: 'reported', occurredAt: r.occurred_at, summary: r.summary, details: r.details })),
    ...settings.map((s): ConfigChange => ({ kind: 'settings', occurredAt: s.occurred_at, before: s.before, after: s.after, source: s.source })),
  ]
    .sort((a, b) => b.occurredAt.getTime() - a.occurredAt.getTime())
    .slice(0, CONFIG_CHANGES_LIMIT);

  return {
    member: target,
    viewerIsMember: viewer.id === target.id,
    invitedBy: target.invited_by_member_id ? (byId.get(target.invited_by_member_id) ?? null) : null,
    roleHistory: history.map((row) => ({
      fromRole: row.from_role,
      toRole: row.to_role,
      changedBy: row.changed_by_member_id ? (byId.get(row.changed_by_member_id) ?? null) : null,
      source: row.source,
      changedAt: row.changed_at,
    })),
    moreRoleHistory: roleRows.length > ROLE_HISTORY_LIMIT,
    lastSignInAt: target.last_sign_in_at,
    lastSlackActivityAt: target.last_slack_activity_at,
    configChanges,
  };
}

/** How often at most `last_slack_activity_at` is written for one member. */
export const SLACK_ACTIVITY_INTERVAL = '5 minutes';
export const SLACK_ACTIVITY_INTERVAL_MS = 5 * 60_000;

/**
 * Records that an active member used the app in Slack, at most once per SLACK_ACTIVITY_INTERVAL
 * per member: one conditional UPDATE, so a burst of clicks costs one write and the rest match no
 * row. Deliberately no audit event and no `updated_at`: this is telemetry about a person, not a
 * change of the team's state, and the audit log stays a record of changes. True when written.
 */
export async function touchSlackActivity(db: DbOrTrx, organizationId: string, slackUserId: string): Promise<boolean> {
  const result = await db
    .updateTable('members')
    .set({ last_slack_activity_at: sql<Date>`now()` })
    .where('organization_id', '=', organizationId)
    .where('slack_user_id', '=', slackUserId)
    .where('status', '=', 'active')
    .where((eb) =>
      eb.or([
        eb('last_slack_activity_at', 'is', null),
        eb('last_slack_activity_at', '<', sql<Date>`now() - ${SLACK_ACTIVITY_INTERVAL}::interval`),
      ]),
    )
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
