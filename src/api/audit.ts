import { once } from 'node:events';
import { Router, type Response } from 'express';
import { sql } from 'kysely';
import { z } from 'zod';
import type { Db, DbOrTrx } from '../db/database.js';
import type { AuditEvent } from '../db/schema.js';
import { apiKeyOf } from './auth.js';
import { ApiProblem, invalid } from './problem.js';
import { decodeCursor, encodeCursor, isoTimeParam, limitParam, parseOrThrow, pgTimestamp, singleParam } from './validation.js';

/**
 * GET /audit: the organization's audit log, newest first, a page at a time by keyset on
 * (occurred_at, id) — the `audit_events_org_time` index. Filters: actor and target (a
 * member's email or any id), action (exact), since (inclusive) and until (exclusive).
 * With `Accept: text/csv` the whole filtered log (from the cursor on, if one is given) is
 * streamed as CSV, read in batches so memory stays flat however long it is.
 */

export const AUDIT_MAX_LIMIT = 500;
export const AUDIT_DEFAULT_LIMIT = 100;
const CSV_BATCH = 1_000;

const memberRef = singleParam.pipe(z.string().trim().min(1, 'must be a member\'s email or an id').max(320));

export const listQuery = z
  .object({
    actor: memberRef.optional(),
    target: memberRef.optional(),
    action: singleParam.pipe(z.string().regex(/^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$/, 'must be an action name such as member.removed').max(100)).optional(),
    since: singleParam.pipe(isoTimeParam).optional(),
    until: singleParam.pipe(isoTimeParam).optional(),
    limit: limitParam(AUDIT_MAX_LIMIT, AUDIT_DEFAULT_LIMIT),
    cursor: singleParam.optional(),
  })
  .strict();

const cursorSchema = z.object({ t: pgTimestamp, i: z.string().regex(/^\d{1,19}$/) }).strict();
type AuditCursor = z.infer<typeof cursorSchema>;

const UUID = z.uuid();

/** Who or what a filter names: an email is resolved to that member's id (none: matches nothing); an id is taken as it is. */
interface Filters {
  actorId?: string | null;
  target?: { type?: string; id: string | null };
  action?: string | undefined;
  /** ISO 8601 strings, compared by PostgreSQL as timestamptz (to the microsecond). */
  since?: string | undefined;
  until?: string | undefined;
}

type AuditRow = AuditEvent & { cursor_at: string };

async function resolveRef(db: DbOrTrx, organizationId: string, field: string, ref: string): Promise<{ memberId: string | null; byEmail: boolean }> {
  if (ref.includes('@')) {
    const member = await db
      .selectFrom('members')
      .select('id')
      .where('organization_id', '=', organizationId)
      .where(sql<string>`lower(email)`, '=', ref.toLowerCase())
      .executeTakeFirst();
    return { memberId: member?.id ?? null, byEmail: true };
  }
  if (UUID.safeParse(ref).success) return { memberId: ref.toLowerCase(), byEmail: false };
  throw invalid([{ field, message: 'must be a member\'s email or an id' }]);
}

export async function auditPage(db: DbOrTrx, organizationId: string, filters: Filters, after: AuditCursor | undefined, limit: number): Promise<AuditRow[]> {
  let query = db
    .selectFrom('audit_events')
    .selectAll()
    .select(sql<string>`to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as('cursor_at'))
    .where('organization_id', '=', organizationId);
  if (filters.actorId !== undefined) query = filters.actorId === null ? query.where(sql<boolean>`false`) : query.where('actor_id', '=', filters.actorId);
  if (filters.target) {
    const { type, id } = filters.target;
    if (id === null) query = query.where(sql<boolean>`false`);
    else {
      if (type) query = query.where('target_type', '=', type);
      query = query.where('target_id', '=', id);
    }
  }
  if (filters.action) query = query.where('action', '=', filters.action);
  if (filters.since) query = query.where('occurred_at', '>=', sql<Date>`${filters.since}::timestamptz`);
  if (filters.until) query = query.where('occurred_at', '<', sql<Date>`${filters.until}::timestamptz`);
  if (after) {
    query = query.where((eb) => eb(eb.refTuple('occurred_at', 'id'), '<', eb.tuple(sql<Date>`${after.t}::timestamptz`, sql<string>`${after.i}::bigint`)));
  }
  return query.orderBy('occurred_at', 'desc').orderBy('id', 'desc').limit(limit).execute() as Promise<AuditRow[]>;
}

export function auditJson(e: AuditEvent) {
  return {
    id: e.id,
    occurred_at: e.occurred_at.toISOString(),
    actor: { type: e.actor_type, id: e.actor_id },
    action: e.action,
    target: e.target_type === null && e.target_id === null ? null : { type: e.target_type, id: e.target_id },
    before: e.before ?? null,
    after: e.after ?? null,
    source: e.source,
  };
}

export const CSV_COLUMNS = ['id', 'occurred_at', 'actor_type', 'actor_id', 'action', 'target_type', 'target_id', 'source', 'before', 'after'] as const;

/** One CSV field (RFC 4180): quoted when it holds a comma, a quote, CR or LF, with quotes doubled. */
export function csvField(value: string | null): string {
  if (value === null) return '';
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function csvRow(e: AuditEvent): string {
  const json = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));
  return `${[e.id, e.occurred_at.toISOString(), e.actor_type, e.actor_id, e.action, e.target_type, e.target_id, e.source, json(e.before), json(e.after)].map(csvField).join(',')}\r\n`;
}

export function auditRoutes(deps: { db: Db }): Router {
  const router = Router();

  router.get('/audit', async (req, res) => {
    const { organizationId } = apiKeyOf(res);
    const format = req.accepts(['application/json', 'text/csv']);
    if (!format) throw new ApiProblem(406, 'This resource is available as application/json or text/csv.');
    const query = parseOrThrow(listQuery, req.query);
    if (query.since && query.until && Date.parse(query.since) > Date.parse(query.until)) {
      throw invalid([{ field: 'until', message: 'must be later than since' }]);
    }
    const after = query.cursor === undefined ? undefined : decodeCursor(cursorSchema, query.cursor);
    const filters: Filters = { action: query.action, since: query.since, until: query.until };
    if (query.actor !== undefined) filters.actorId = (await resolveRef(deps.db, organizationId, 'actor', query.actor)).memberId;
    if (query.target !== undefined) {
      const ref = await resolveRef(deps.db, organizationId, 'target', query.target);
      filters.target = ref.byEmail ? { type: 'member', id: ref.memberId } : { id: ref.memberId };
    }

    if (format === 'text/csv') {
      await streamCsv(deps.db, res, organizationId, filters, after);
      return;
    }
    const rows = await auditPage(deps.db, organizationId, filters, after, query.limit + 1);
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    res.json({
      data: page.map(auditJson),
      next_cursor: rows.length > query.limit && last ? encodeCursor({ t: last.cursor_at, i: last.id }) : null,
    });
  });

  return router;
}

/**
 * The CSV, batch by batch, honouring backpressure: a slow reader slows the reads down rather
 * than filling memory, and a reader that goes away stops them. An error after the first byte
 * can no longer become a problem response, so it cuts the connection (a truncated download
 * is then visibly incomplete: no final line break, an aborted transfer).
 */
async function streamCsv(db: Db, res: Response, organizationId: string, filters: Filters, after: AuditCursor | undefined): Promise<void> {
  let position = after;
  // The first batch is read before any byte is sent, so a failure there is still a clean 500/503.
  let rows = await auditPage(db, organizationId, filters, position, CSV_BATCH);
  res.status(200);
  res.setHeader('Content-Type', 'text/csv; charset=utf-8; header=present');
  res.setHeader('Content-Disposition', 'attachment; filename="audit.csv"');
  res.write(`${CSV_COLUMNS.join(',')}\r\n`);
  try {
    for (;;) {
      for (const row of rows) {
        if (!res.write(csvRow(row))) await drainedOrClosed(res);
        if (res.destroyed) return;
      }
      if (rows.length < CSV_BATCH) break;
      const last = rows[rows.length - 1]!;
      position = { t: last.cursor_at, i: last.id };
      rows = await auditPage(db, organizationId, filters, position, CSV_BATCH);
    }
    res.end();
  } catch (err) {
    // The router's error handler sees headers already sent: it logs and leaves the connection cut.
    res.destroy();
    throw err;
  }
}

async function drainedOrClosed(res: Response): Promise<void> {
  const done = new AbortController();
  try {
    await Promise.race([once(res, 'drain', { signal: done.signal }), once(res, 'close', { signal: done.signal })]);
  } finally {
    done.abort();
  }
}
