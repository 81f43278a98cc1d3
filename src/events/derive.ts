import type { AuditEvent, Invitation, Member } from '../db/schema.js';
import { envelopeSchema, EVENT_VERSION, type ActorRef, type EventData, type EventType, type MemberRef, type PublicEvent } from './vocabulary.js';

/**
 * From audit events to public events. Every change writes its audit event in its own
 * transaction, through one function (src/events/audit-repository.ts), so deriving the
 * public events there means no change path can forget to tell. Each audit action is listed
 * here explicitly; `null` says "nothing public" and an action missing from the table (a new
 * one) also gives nothing until someone decides what it means to the outside.
 */

/** What the derivation reads besides the audit row: the people and invitations it names, as they are after the change. */
export interface EventRefs {
  members: ReadonlyMap<string, Member>;
  invitations: ReadonlyMap<string, Invitation>;
}

type Json = Record<string, unknown>;
type Draft = { [T in EventType]: { type: T; data: EventData<T> } }[EventType];
type Deriver = (row: AuditEvent, refs: EventRefs, x: Helpers) => Draft[];

interface Helpers {
  member(id: unknown): MemberRef | null;
  invitation(id: unknown): EventData<'invitation.created'>['invitation'] | null;
  after: Json;
  before: Json;
}

const invitationEvent =
  (type: 'invitation.created' | 'invitation.resent' | 'invitation.cancelled' | 'invitation.declined' | 'invitation.expired'): Deriver =>
  (row, _refs, x) => {
    const invitation = x.invitation(row.target_id);
    return invitation ? [{ type, data: { invitation } }] : [];
  };

const requestEvent =
  (type: 'removal_request.rejected' | 'removal_request.withdrawn' | 'removal_request.expired'): Deriver =>
  (row, _refs, x) => {
    if (!row.target_id) return [];
    const removal_request = { id: row.target_id, target: x.member(x.after.target_member_id), reason: str(x.after.reason) };
    if (type === 'removal_request.rejected') {
      return [{ type, data: { removal_request, rejected_by: row.actor_type === 'member' ? x.member(row.actor_id) : null } }];
    }
    return [{ type, data: { removal_request } }];
  };

export const AUDIT_TO_PUBLIC: Readonly<Record<string, Deriver | null>> = {
  'member.added': (row, _r, x) => {
    const member = x.member(row.target_id);
    return member ? [{ type: 'member.joined', data: { member, via: 'owner_bootstrap', invitation_id: null } }] : [];
  },
  'member.provisioned': (row, _r, x) => {
    const member = x.member(row.target_id);
    return member ? [{ type: 'member.joined', data: { member, via: 'provisioned', invitation_id: null } }] : [];
  },
  'member.reactivated': (row, _r, x) => {
    const member = x.member(row.target_id);
    return member ? [{ type: 'member.joined', data: { member, via: 'reactivated', invitation_id: null } }] : [];
  },
  // A restore (src/team/restore.ts) is the member joining again, on the same member id.
  'member.restored': (row, _r, x) => {
    const member = x.member(row.target_id);
    return member ? [{ type: 'member.joined', data: { member, via: 'restored', invitation_id: null } }] : [];
  },
  'member.role_changed': (row, _r, x) => {
    const member = x.member(row.target_id);
    const from = role(x.before.role);
    const to = role(x.after.role);
    return member && from && to && from !== to ? [{ type: 'member.role_changed', data: { member, from, to } }] : [];
  },
  'member.removed': (row, _r, x) => {
    const member = x.member(row.target_id);
    if (!member) return [];
    const requestId = str(x.after.removal_request_id);
    const approvedBy = x.member(x.after.approved_by);
    const reason = str(x.after.reason);
    const events: Draft[] = [
      {
        type: 'member.removed',
        data: { member, reason, removed_by: x.member(x.after.removed_by), approved_by: approvedBy, removal_request_id: requestId },
      },
    ];
    // An approval's only audit event is the removal it caused (src/team/removal-outcomes.ts).
    if (requestId) events.unshift({ type: 'removal_request.approved', data: { removal_request: { id: requestId, target: member, reason }, approved_by: approvedBy } });
    return events;
  },
  'member.left': (row, _r, x) => {
    const member = x.member(row.target_id);
    return member ? [{ type: 'member.left', data: { member } }] : [];
  },
  'invitation.sent': invitationEvent('invitation.created'),
  'invitation.resent': invitationEvent('invitation.resent'),
  'invitation.cancelled': invitationEvent('invitation.cancelled'),
  'invitation.declined': invitationEvent('invitation.declined'),
  'invitation.expired': invitationEvent('invitation.expired'),
  'invitation.accepted': (row, _r, x) => {
    const member = x.member(row.target_id);
    const invitation = x.invitation(x.after.invitation_id);
    if (!member || !invitation) return [];
    return [
      { type: 'invitation.accepted', data: { invitation, member } },
      { type: 'member.joined', data: { member, via: 'invitation', invitation_id: invitation.id } },
    ];
  },
  'removal.requested': (row, _r, x) => {
    if (!row.target_id) return [];
    return [
      {
        type: 'removal_request.created',
        data: { removal_request: { id: row.target_id, target: x.member(x.after.target_member_id), reason: str(x.after.reason) }, expires_at: str(x.after.expires_at) ?? '' },
      },
    ];
  },
  'removal.rejected': requestEvent('removal_request.rejected'),
  'removal.withdrawn': requestEvent('removal_request.withdrawn'),
  'removal.expired': requestEvent('removal_request.expired'),
  // A request cancelled because its target or requester left: the member.removed / member.left that caused it is the news.
  'removal.cancelled': null,
  'settings.changed': (_row, _r, x) => {
    const changes: Record<string, { before: unknown; after: unknown }> = {};
    for (const key of new Set([...Object.keys(x.before), ...Object.keys(x.after)])) changes[key] = { before: x.before[key] ?? null, after: x.after[key] ?? null };
    return Object.keys(changes).length > 0 ? [{ type: 'settings.changed', data: { changes } }] : [];
  },
  // Internal bookkeeping, not membership: nothing public.
  'member.slack_linked': null,
  // Slack directory follow-ups (issue 18). An email change is not in the v1 vocabulary yet (a
  // `member.updated` event would carry it); the other three are reports to the owners, not changes.
  'member.email_changed': null,
  'member.email_change_refused': null,
  'member.deactivation_kept_last_owner': null,
  'member.reactivation_reported': null,
  // Setting "When someone is deactivated in Slack": do nothing / ask the owners. The asking and
  // a Keep change nobody's membership; a Remove is the product's member.removed.
  'member.deactivation_ignored': null,
  'deactivation.requested': null,
  'deactivation.kept': null,
  'deactivation.expired': null,
  'deactivation.cancelled': null,
  // A directory sync's summary (issue 18): each change it made has its own event (member.removed…).
  'directory.synced': null,
  // Whether someone is a Slack guest is Slack's business; the product sees the role, unchanged.
  'member.guest_changed': null,
  // SCIM (issue 18): profile fields and a DELETE after a deactivation are not membership changes.
  'member.profile_updated': null,
  'member.deleted_in_directory': null,
  // Temporary ownership (issue 19): the end moving is not a role change, and the clock keeping
  // the last owner changes nothing; when the role does change (promoted, or demoted by the
  // clock) the product hears member.role_changed like any other.
  'member.owner_until_changed': null,
  'member.owner_expiry_held': null,
  // Promotion requests are the owners' own process, told in Slack; the product hears the
  // approved outcome as member.role_changed. (The v1 vocabulary's removal_request.* events
  // stay about removals.)
  'promotion.requested': null,
  'promotion.approved': null,
  'promotion.rejected': null,
  'promotion.withdrawn': null,
  'promotion.expired': null,
  'promotion.cancelled': null,
  'organization.created': null,
  'api_key.created': null,
  'api_key.revoked': null,
  'activity.ingested': null,
  'access_review.started': null,
  'access_review.kept': null,
  'access_review.remove_started': null,
  'slack.installed': null,
  'slack.uninstalled': null,
  'webhook.endpoint_created': null,
  'webhook.endpoint_updated': null,
  'webhook.endpoint_deleted': null,
  'webhook.secret_rotated': null,
  'webhook.endpoint_disabled': null,
  'webhook.redelivery_requested': null,
};

/** The member and invitation ids an audit row's public events will name (loaded before deriving). */
export function referencedIds(row: AuditEvent): { members: string[]; invitations: string[] } {
  const after = obj(row.after);
  const members = [row.actor_type === 'member' ? row.actor_id : null, after.removed_by, after.approved_by, after.target_member_id];
  const invitations = [after.invitation_id];
  if (row.target_type === 'member') members.push(row.target_id);
  if (row.target_type === 'invitation') invitations.push(row.target_id);
  return { members: members.filter(isUuid), invitations: invitations.filter(isUuid) };
}

/** The public events of one audit row, in the order they happened; [] for internal actions. */
export function derivePublicEvents(row: AuditEvent, refs: EventRefs): PublicEvent[] {
  const derive = AUDIT_TO_PUBLIC[row.action];
  if (!derive) return [];
  const helpers: Helpers = {
    member: (id) => (typeof id === 'string' && refs.members.has(id) ? memberRef(refs.members.get(id)!) : null),
    invitation: (id) => {
      const i = typeof id === 'string' ? refs.invitations.get(id) : undefined;
      return i ? { id: i.id, email: i.email, role: i.role, status: i.status, expires_at: i.expires_at.toISOString() } : null;
    },
    after: obj(row.after),
    before: obj(row.before),
  };
  const actor: ActorRef = { type: row.actor_type, id: row.actor_id, member: row.actor_type === 'member' ? helpers.member(row.actor_id) : null };
  return derive(row, refs, helpers).map((draft, index) =>
    envelopeSchema(draft.type).parse({
      id: `evt_${row.id}_${index}`,
      type: draft.type,
      version: EVENT_VERSION,
      timestamp: new Date(row.occurred_at).toISOString(),
      organization_id: row.organization_id,
      actor,
      data: draft.data,
    }) as PublicEvent,
  );
}

export function memberRef(m: Member): MemberRef {
  return { id: m.id, email: m.email, name: m.display_name, role: m.role, status: m.status, slack_user_id: m.slack_user_id };
}

function obj(value: unknown): Json {
  const parsed = typeof value === 'string' ? safeJson(value) : value;
  return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Json) : {};
}
function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}
function role(value: unknown): 'owner' | 'member' | null {
  return value === 'owner' || value === 'member' ? value : null;
}
function isUuid(value: unknown): value is string {
  return typeof value === 'string' && /^[0-9a-f-]{36}$/i.test(value);
}
