import type { DbOrTrx } from '../db/database.js';
import type { ActorType, AuditEvent, AuditSource } from '../db/schema.js';
import { queuePublicEvents } from './outbox.js';
import { tellChange } from './tellers.js';

/** Who did something: a member, a Slack user not (yet) a member, an API key, the CLI or the system. */
export interface Actor {
  type: ActorType;
  id: string | null;
}

export const SYSTEM_ACTOR: Actor = { type: 'system', id: null };
/** The clock ending a temporary ownership (src/team/owner-expiry.ts): the system, named so the audit log can say so. */
export const EXPIRY_ACTOR: Actor = { type: 'system', id: 'expiry' };

export interface AuditEventInput {
  organizationId: string;
  actor: Actor;
  action: string;
  target?: { type: string; id: string };
  before?: unknown;
  after?: unknown;
  source: AuditSource;
}

/**
 * Appends one event. Called by services inside the transaction that makes the change, so
 * the event exists exactly when the change does. The table refuses UPDATE and DELETE.
 * Its public events (src/events) are queued here too, and the tellers (Slack, email) are handed
 * the event, so no change path can forget to tell.
 */
export async function appendAuditEvent(db: DbOrTrx, event: AuditEventInput): Promise<AuditEvent> {
  const row = await db.insertInto('audit_events').values(auditRow(event)).returningAll().executeTakeFirstOrThrow();
  await queuePublicEvents(db, [row]);
  await tellChange(db, [row]);
  return row;
}

/** Appends several events in one statement (a bulk change: one event per thing changed). */
export async function appendAuditEvents(db: DbOrTrx, events: readonly AuditEventInput[]): Promise<void> {
  if (events.length === 0) return;
  const rows = await db.insertInto('audit_events').values(events.map(auditRow)).returningAll().execute();
  await queuePublicEvents(db, rows);
  await tellChange(db, rows);
}

function auditRow(event: AuditEventInput) {
  return {
    organization_id: event.organizationId,
    actor_type: event.actor.type,
    actor_id: event.actor.id,
    action: event.action,
    target_type: event.target?.type ?? null,
    target_id: event.target?.id ?? null,
    before: event.before === undefined ? null : JSON.stringify(event.before),
    after: event.after === undefined ? null : JSON.stringify(event.after),
    source: event.source,
  };
}

export async function listAuditEvents(db: DbOrTrx, organizationId: string, limit = 50): Promise<AuditEvent[]> {
  return db
    .selectFrom('audit_events')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .orderBy('occurred_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

export async function findAuditEvent(db: DbOrTrx, organizationId: string, eventId: string): Promise<AuditEvent | undefined> {
  // Ids are bigints: anything else names no event (and would be an SQL error as a parameter).
  if (!/^\d{1,18}$/.test(eventId)) return undefined;
  return db.selectFrom('audit_events').selectAll().where('organization_id', '=', organizationId).where('id', '=', eventId).executeTakeFirst();
}

/** The latest of these actions about one member: e.g. whether a change is still the latest one made to them. */
export async function latestMemberEvent(db: DbOrTrx, organizationId: string, memberId: string, actions: readonly string[]): Promise<AuditEvent | undefined> {
  return db
    .selectFrom('audit_events')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('target_type', '=', 'member')
    .where('target_id', '=', memberId)
    .where('action', 'in', [...actions])
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}
