import { z } from 'zod';

/**
 * The public events: what Team Manager tells other systems (the webhooks). Slack and email render
 * the same changes from the audit events these are derived from (src/events/tellers.ts), which
 * also carry what only our own people are told (directory reports, the requester of a request).
 * Versioned: a payload's shape only grows within a version; a breaking change is a new `version`. The zod schemas are the one
 * definition: they check every payload before it is queued and feed the OpenAPI `webhooks`.
 */
export const EVENT_VERSION = 1;

const memberRef = z.object({
  id: z.uuid(),
  email: z.string(),
  name: z.string().nullable(),
  role: z.enum(['owner', 'member']),
  status: z.enum(['active', 'removed']),
  /** The stored Slack user id, when the member is linked to one. */
  slack_user_id: z.string().nullable(),
});
export type MemberRef = z.infer<typeof memberRef>;

/** Who made the change: a member (with their reference), a Slack user, the API, the command line, the system, or the invitee (a decline by email link; id = the address). */
const actorRef = z.object({
  type: z.enum(['member', 'slack_user', 'api_key', 'cli', 'system', 'invitee']),
  id: z.string().nullable(),
  member: memberRef.nullable(),
});
export type ActorRef = z.infer<typeof actorRef>;

const invitationRef = z.object({
  id: z.uuid(),
  email: z.string(),
  role: z.enum(['owner', 'member']),
  status: z.enum(['pending', 'accepted', 'declined', 'cancelled', 'expired']),
  expires_at: z.string(),
});

const removalRequestRef = z.object({
  id: z.uuid(),
  target: memberRef.nullable(),
  reason: z.string().nullable(),
});

export const eventData = {
  'member.joined': z.object({ member: memberRef, via: z.enum(['invitation', 'owner_bootstrap', 'reactivated', 'provisioned', 'restored']), invitation_id: z.uuid().nullable() }),
  'member.role_changed': z.object({ member: memberRef, from: z.enum(['owner', 'member']), to: z.enum(['owner', 'member']) }),
  'member.removed': z.object({
    member: memberRef,
    reason: z.string().nullable(),
    removed_by: memberRef.nullable(),
    approved_by: memberRef.nullable(),
    removal_request_id: z.uuid().nullable(),
  }),
  'member.left': z.object({ member: memberRef }),
  'invitation.created': z.object({ invitation: invitationRef }),
  'invitation.resent': z.object({ invitation: invitationRef }),
  'invitation.cancelled': z.object({ invitation: invitationRef }),
  'invitation.accepted': z.object({ invitation: invitationRef, member: memberRef }),
  'invitation.declined': z.object({ invitation: invitationRef }),
  'invitation.expired': z.object({ invitation: invitationRef }),
  'removal_request.created': z.object({ removal_request: removalRequestRef, expires_at: z.string() }),
  'removal_request.approved': z.object({ removal_request: removalRequestRef, approved_by: memberRef.nullable() }),
  'removal_request.rejected': z.object({ removal_request: removalRequestRef, rejected_by: memberRef.nullable() }),
  'removal_request.withdrawn': z.object({ removal_request: removalRequestRef }),
  'removal_request.expired': z.object({ removal_request: removalRequestRef }),
  'settings.changed': z.object({ changes: z.record(z.string(), z.object({ before: z.unknown(), after: z.unknown() })) }),
} as const;

export type EventType = keyof typeof eventData;
export const EVENT_TYPES = Object.keys(eventData) as EventType[];
export type EventData<T extends EventType> = z.infer<(typeof eventData)[T]>;

/** The envelope every event travels in (Standard Webhooks' recommended `type`, `timestamp`, `data`). */
export function envelopeSchema<T extends EventType>(type: T) {
  return z.object({
    /** Stable per event: the same on every attempt and redelivery (the `webhook-id` header too). */
    id: z.string(),
    type: z.literal(type),
    version: z.literal(EVENT_VERSION),
    timestamp: z.string(),
    organization_id: z.uuid(),
    actor: actorRef,
    data: eventData[type],
  });
}

export type PublicEvent = { [T in EventType]: z.infer<ReturnType<typeof envelopeSchema<T>>> }[EventType];

export function isEventType(value: string): value is EventType {
  return Object.hasOwn(eventData, value);
}
