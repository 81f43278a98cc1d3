import { Router } from 'express';
import { sql } from 'kysely';
import { z } from 'zod';
import type { Db } from '../db/database.js';
import { apiKeyOf } from './auth.js';
import { decodeCursor, encodeCursor, limitParam, parseOrThrow, pgTimestamp, singleParam } from './validation.js';

/**
 * GET /invitations: the organization's invitations with one status (pending by default),
 * newest first, a page at a time by keyset on (created_at, id) — the `invitations_org_status`
 * index serves (organization_id, status, created_at desc).
 */

export const INVITATIONS_MAX_LIMIT = 500;
export const INVITATIONS_DEFAULT_LIMIT = 100;
const STATUSES = ['pending', 'accepted', 'declined', 'cancelled', 'expired'] as const;

export const listQuery = z
  .object({
    status: singleParam.pipe(z.enum(STATUSES, { error: `must be one of ${STATUSES.join(', ')}` })).optional(),
    limit: limitParam(INVITATIONS_MAX_LIMIT, INVITATIONS_DEFAULT_LIMIT),
    cursor: singleParam.optional(),
  })
  .strict();

const cursorSchema = z.object({ t: pgTimestamp, i: z.uuid() }).strict();

export function invitationRoutes(deps: { db: Db }): Router {
  const router = Router();

  router.get('/invitations', async (req, res) => {
    const { organizationId } = apiKeyOf(res);
    const query = parseOrThrow(listQuery, req.query);
    const after = query.cursor === undefined ? undefined : decodeCursor(cursorSchema, query.cursor);
    let select = deps.db
      .selectFrom('invitations as i')
      .leftJoin('members as m', (join) => join.onRef('m.id', '=', 'i.invited_by_member_id').onRef('m.organization_id', '=', 'i.organization_id'))
      .select([
        'i.id',
        'i.email',
        'i.role',
        'i.status',
        'i.message',
        'i.created_at',
        'i.expires_at',
        'i.last_sent_at',
        'i.send_count',
        'i.responded_at',
        'm.id as inviter_id',
        'm.email as inviter_email',
        'm.display_name as inviter_name',
        sql<string>`to_char(i.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as('cursor_at'),
      ])
      .where('i.organization_id', '=', organizationId)
      .where('i.status', '=', query.status ?? 'pending');
    if (after) select = select.where((eb) => eb(eb.refTuple('i.created_at', 'i.id'), '<', eb.tuple(sql<Date>`${after.t}::timestamptz`, sql<string>`${after.i}::uuid`)));
    const rows = await select.orderBy('i.created_at', 'desc').orderBy('i.id', 'desc').limit(query.limit + 1).execute();
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    res.json({
      data: page.map((r) => ({
        id: r.id,
        email: r.email,
        role: r.role,
        status: r.status,
        message: r.message,
        invited_by: r.inviter_id ? { id: r.inviter_id, email: r.inviter_email, name: r.inviter_name } : null,
        created_at: r.created_at.toISOString(),
        expires_at: r.expires_at.toISOString(),
        last_sent_at: r.last_sent_at.toISOString(),
        send_count: r.send_count,
        responded_at: r.responded_at?.toISOString() ?? null,
      })),
      next_cursor: rows.length > query.limit && last ? encodeCursor({ t: last.cursor_at, i: last.id }) : null,
    });
  });

  return router;
}
