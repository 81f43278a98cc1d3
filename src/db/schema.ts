import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/** Table types as PostgreSQL has them; rows are the Selectable/Insertable aliases below. */

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json = ColumnType<unknown, string | undefined | null, string | null>;

export interface OrganizationsTable {
  id: Generated<string>;
  slack_team_id: string;
  name: string;
  team_channel_id: string | null;
  created_at: Generated<Date>;
  updated_at: Timestamp;
}

export type Role = 'owner' | 'member';
export type MemberStatus = 'active' | 'removed';

export interface MembersTable {
  id: Generated<string>;
  organization_id: string;
  email: string;
  slack_user_id: string | null;
  display_name: string | null;
  role: ColumnType<Role, Role | undefined, Role>;
  status: ColumnType<MemberStatus, MemberStatus | undefined, MemberStatus>;
  joined_at: Timestamp;
  invited_by_member_id: string | null;
  removed_at: Date | null;
  removed_by_member_id: string | null;
  removal_reason: string | null;
  created_at: Generated<Date>;
  updated_at: Timestamp;
}

export type ActorType = 'member' | 'slack_user' | 'api_key' | 'cli' | 'system';
export type AuditSource = 'slack' | 'web' | 'api' | 'cli' | 'system';

export interface AuditEventsTable {
  /** bigint identity: pg hands int8 back as a string, which keeps it exact. */
  id: ColumnType<string, never, never>;
  organization_id: string;
  actor_type: ActorType;
  actor_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  before: Json;
  after: Json;
  source: AuditSource;
  occurred_at: Generated<Date>;
}

export interface Database {
  organizations: OrganizationsTable;
  members: MembersTable;
  audit_events: AuditEventsTable;
}

export type Organization = Selectable<OrganizationsTable>;
export type NewOrganization = Insertable<OrganizationsTable>;
export type Member = Selectable<MembersTable>;
export type NewMember = Insertable<MembersTable>;
export type MemberUpdate = Updateable<MembersTable>;
export type AuditEvent = Selectable<AuditEventsTable>;
export type NewAuditEvent = Insertable<AuditEventsTable>;
