import { sql } from 'kysely';
import { z } from 'zod';
import type { DbOrTrx } from '../db/database.js';
import type { AuditEvent, Member } from '../db/schema.js';
import { AppError } from '../errors.js';
import { findMemberById } from '../team/member-repository.js';
import { authorize } from '../team/policy.js';
import { ACTION_PREFIXES, KNOWN_ACTIONS, mentionedIds, type AuditLookup } from '../events/audit-actions.js';

/**
 * The audit log as owners read it in Slack (`/team audit [@person] [action]`): newest first,
 * a page at a time by KEYSET on (occurred_at, id) — the `audit_events_org_time` index — so
 * page 100 costs what page 1 does and events appended meanwhile never shift a page.
 *
 * The cursor is opaque (base64url JSON of one event id). The comparison reads that event's
 * (occurred_at, id) back in SQL rather than carrying the time through JavaScript, whose Date
 * keeps milliseconds while PostgreSQL keeps microseconds: two events in the same millisecond
 * would otherwise be skipped or shown twice. Events are never deleted, so the row is there.
 */

export type AuditCursor = string;

export const AUDIT_PAGE_SIZE = 20;
export const MAX_AUDIT_PAGE_SIZE = 50;

export const INVALID_AUDIT_CURSOR_MESSAGE = 'That page of the audit log is no longer valid. Run `/team audit` again to start from the latest events.';

export interface AuditPageQuery {
  organizationId: string;
  /** The member reading, as resolved for this request; re-read and authorised here ('audit.read': owners). */
  viewerMemberId: string | null;
  /** Events about this member: they are the target, the actor, or the person a removal request is about. */
  targetMemberId?: string | undefined;
  /** An exact action (`member.role_changed`) or a prefix (`member`, `removal`). */
  action?: string | undefined;
  /** Older than this position (the Older button). */
  before?: AuditCursor | undefined;
  /** Newer than this position (the Newer button). */
  after?: AuditCursor | undefined;
  limit: number;
}

export type ActionFilter = { kind: 'exact'; action: string } | { kind: 'prefix'; prefix: string };

export interface AuditPage {
  events: AuditEvent[];
  /** Everyone, every invitation and API key the events mention, loaded in one query each. */
  lookup: AuditLookup;
  /** The member the page is filtered on, when it is. */
  target: Member | null;
  /** The action filter as understood (normalised), when there is one. */
  action: string | undefined;
  /** For the Older button: there are older events. */
  olderCursor: AuditCursor | null;
  /** For the Newer button: there are newer events (the page is not the latest). */
  newerCursor: AuditCursor | null;
}

const cursorSchema = z.object({ i: z.string().regex(/^[1-9]\d{0,18}$/) }).strict();

export function encodeAuditCursor(eventId: string): AuditCursor {
  return Buffer.from(JSON.stringify({ i: eventId })).toString('base64url');
}

/** The event id in a cursor; anything we did not write is refused with AppError('invalid_cursor'). */
export function decodeAuditCursor(cursor: AuditCursor): string {
  try {
    if (!/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) throw new Error('not base64url');
    return cursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))).i;
  } catch (err) {
    throw new AppError('invalid_cursor', INVALID_AUDIT_CURSOR_MESSAGE, { cause: err });
  }
}

/**
 * What `/team audit <word>` means: a known action exactly, a known prefix (with or without its
 * dot), or a well-formed action under a known prefix (an action added later, not listed yet);
 * undefined otherwise.
 */
export function parseActionFilter(input: string): ActionFilter | undefined {
  const word = input.trim().toLowerCase();
  const prefix = word.endsWith('.') ? word.slice(0, -1) : word;
  if (ACTION_PREFIXES.includes(prefix)) return { kind: 'prefix', prefix };
  if ((KNOWN_ACTIONS as readonly string[]).includes(word)) return { kind: 'exact', action: word };
  const match = /^([a-z_]+)\.[a-z_]{1,60}$/.exec(word);
  if (match && ACTION_PREFIXES.includes(match[1]!)) return { kind: 'exact', action: word };
  return undefined;
}

export function unknownActionMessage(input: string): string {
  const shown = [...input].slice(0, 60).join('').replace(/[`<>&]/g, '');
  return (
    `There is no kind of event called \`${shown}\`. Filter on one of ${ACTION_PREFIXES.map((p) => `\`${p}\``).join(', ')}, ` +
    'or on one action such as `member.role_changed` or `removal.requested`.'
  );
}

/** One page of the organization's audit log, for an owner. */
export async function readAuditPage(db: DbOrTrx, query: AuditPageQuery): Promise<AuditPage> {
  const limit = Math.trunc(query.limit);
  if (!(limit >= 1 && limit <= MAX_AUDIT_PAGE_SIZE)) throw new RangeError(`page size must be 1..${MAX_AUDIT_PAGE_SIZE}, got ${query.limit}`);

  const viewer = query.viewerMemberId ? ((await findMemberById(db, query.organizationId, query.viewerMemberId)) ?? null) : null;
  authorize(viewer, 'audit.read', query.organizationId);

  let filter: ActionFilter | undefined;
  if (query.action !== undefined && query.action.trim() !== '') {
    filter = parseActionFilter(query.action);
    if (!filter) throw new AppError('invalid_filter', unknownActionMessage(query.action));
  }
  let target: Member | null = null;
  if (query.targetMemberId !== undefined) {
    const found = z.uuid().safeParse(query.targetMemberId).success ? await findMemberById(db, query.organizationId, query.targetMemberId) : undefined;
    if (!found) throw new AppError('not_found', 'That person is not a member of this team.');
    target = found;
  }
  if (query.before !== undefined && query.after !== undefined) throw new AppError('invalid_cursor', INVALID_AUDIT_CURSOR_MESSAGE);
  const position = query.before ?? query.after;
  const positionId = position === undefined ? undefined : decodeAuditCursor(position);
  if (positionId !== undefined && !(await eventExists(db, query.organizationId, positionId))) {
    throw new AppError('invalid_cursor', INVALID_AUDIT_CURSOR_MESSAGE);
  }

  const base = { organizationId: query.organizationId, targetMemberId: target?.id, filter };
  let events: AuditEvent[];
  let olderCursor: AuditCursor | null;
  let newerCursor: AuditCursor | null;
  if (query.after !== undefined) {
    const rows = await pageQuery(db, { ...base, position: { id: positionId!, direction: 'newer' }, limit: limit + 1 }).execute();
    if (rows.length < limit) {
      // Fewer than a page above it: that is the latest page, shown whole.
      return readAuditPage(db, { ...query, before: undefined, after: undefined });
    }
    events = rows.slice(0, limit).reverse();
    newerCursor = rows.length > limit ? encodeAuditCursor(events[0]!.id) : null;
    // The position itself is older than this page, so there is an older page.
    olderCursor = encodeAuditCursor(events[events.length - 1]!.id);
  } else {
    const rows = await pageQuery(db, {
      ...base,
      position: positionId === undefined ? undefined : { id: positionId, direction: 'older' },
      limit: limit + 1,
    }).execute();
    if (positionId !== undefined && rows.length === 0) {
      // Nothing older than a position we wrote can only come from an edited button: start over.
      return readAuditPage(db, { ...query, before: undefined, after: undefined });
    }
    events = rows.slice(0, limit);
    olderCursor = rows.length > limit ? encodeAuditCursor(events[events.length - 1]!.id) : null;
    newerCursor = positionId !== undefined && events.length > 0 ? encodeAuditCursor(events[0]!.id) : null;
  }

  return {
    events,
    lookup: await loadMentioned(db, query.organizationId, events),
    target,
    action: filter ? (filter.kind === 'exact' ? filter.action : filter.prefix) : undefined,
    olderCursor,
    newerCursor,
  };
}

/**
 * The SELECT for one page, exported so a test can EXPLAIN it. `position` is an event id of this
 * organization; 'older' reads the rows after it in page order (newest first), 'newer' the rows
 * before it, nearest first.
 */
export function pageQuery(
  db: DbOrTrx,
  options: {
    organizationId: string;
    targetMemberId?: string | undefined;
    filter?: ActionFilter | undefined;
    position?: { id: string; direction: 'older' | 'newer' } | undefined;
    limit: number;
  },
) {
  let query = db.selectFrom('audit_events').selectAll().where('organization_id', '=', options.organizationId);
  const memberId = options.targetMemberId;
  if (memberId) {
    query = query.where((eb) =>
      eb.or([
        eb.and([eb('target_type', '=', 'member'), eb('target_id', '=', memberId)]),
        eb.and([eb('actor_type', '=', 'member'), eb('actor_id', '=', memberId)]),
        // Removal requests are their own target; the person they are about is in `after`.
        eb(sql<string>`after->>'target_member_id'`, '=', memberId),
      ]),
    );
  }
  const filter = options.filter;
  if (filter?.kind === 'exact') query = query.where('action', '=', filter.action);
  if (filter?.kind === 'prefix') query = query.where(sql<boolean>`starts_with(action, ${`${filter.prefix}.`})`);
  const position = options.position;
  if (position) {
    const op = position.direction === 'older' ? sql`<` : sql`>`;
    query = query.where(
      sql<boolean>`(occurred_at, id) ${op} (select p.occurred_at, p.id from audit_events p where p.organization_id = ${options.organizationId} and p.id = ${position.id}::bigint)`,
    );
  }
  const dir = position?.direction === 'newer' ? 'asc' : 'desc';
  return query.orderBy('occurred_at', dir).orderBy('id', dir).limit(options.limit);
}

async function eventExists(db: DbOrTrx, organizationId: string, id: string): Promise<boolean> {
  const row = await db
    .selectFrom('audit_events')
    .select('id')
    .where('organization_id', '=', organizationId)
    .where('id', '=', sql<string>`${id}::bigint`)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * The members, invitations and API keys a page of events mentions: one query per kind for the
 * whole page (never one per row), scoped to the organization. Removed members are included:
 * the log speaks of people who have since left.
 */
export async function loadMentioned(db: DbOrTrx, organizationId: string, events: readonly AuditEvent[]): Promise<AuditLookup> {
  const ids = { members: new Set<string>(), invitations: new Set<string>(), apiKeys: new Set<string>() };
  for (const event of events) {
    const mentioned = mentionedIds(event);
    for (const kind of ['members', 'invitations', 'apiKeys'] as const) for (const id of mentioned[kind]) ids[kind].add(id);
  }
  const [members, invitations, apiKeys] = await Promise.all([
    ids.members.size === 0
      ? []
      : db
          .selectFrom('members')
          .select(['id', 'slack_user_id', 'display_name', 'email'])
          .where('organization_id', '=', organizationId)
          .where('id', 'in', [...ids.members])
          .execute(),
    ids.invitations.size === 0
      ? []
      : db
          .selectFrom('invitations')
          .select(['id', 'email'])
          .where('organization_id', '=', organizationId)
          .where('id', 'in', [...ids.invitations])
          .execute(),
    ids.apiKeys.size === 0
      ? []
      : db
          .selectFrom('api_keys')
          .select(['id', 'prefix', 'name'])
          .where('organization_id', '=', organizationId)
          .where('id', 'in', [...ids.apiKeys])
          .execute(),
  ]);
  return {
    members: new Map(members.map((m) => [m.id, m])),
    invitations: new Map(invitations.map((i) => [i.id, { email: i.email }])),
    apiKeys: new Map(apiKeys.map((k) => [k.id, { prefix: k.prefix, name: k.name }])),
  };
}
