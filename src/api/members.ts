import { permissionsOf } from '../team/permissions.js';
import { Router } from 'express';
import { sql } from 'kysely';
import { z } from 'zod';
import type { Db, DbOrTrx } from '../db/database.js';
import type { Member, MemberStatus, Role } from '../db/schema.js';
import { normaliseEmail } from '../team/emails.js';
import { apiKeyOf } from './auth.js';
import { ApiProblem, invalid } from './problem.js';
import { decodeCursor, encodeCursor, limitParam, parseOrThrow, singleParam } from './validation.js';

/**
 * GET /members: the organization's members a page at a time (owners first, then by name),
 * by keyset on the `members_team_page` index (organization_id, status, role_rank, sort_name,
 * id), so the last page of a large team costs what the first does and nobody is skipped or
 * repeated while walking it. GET /members/<email>: one member; 404 when unknown or removed —
 * the answer that tells a caller to end someone's access.
 */

export const MEMBERS_MAX_LIMIT = 500;
export const MEMBERS_DEFAULT_LIMIT = 100;

export const listQuery = z
  .object({
    role: singleParam.pipe(z.enum(['owner', 'member'], { error: 'must be owner or member' })).optional(),
    status: singleParam.pipe(z.enum(['active', 'removed'], { error: 'must be active or removed' })).optional(),
    limit: limitParam(MEMBERS_MAX_LIMIT, MEMBERS_DEFAULT_LIMIT),
    cursor: singleParam.optional(),
  })
  .strict();

const cursorSchema = z.object({ r: z.union([z.literal(0), z.literal(1)]), n: z.string().max(10_000), i: z.uuid() }).strict();

type MemberRow = Pick<
  Member,
  'id' | 'email' | 'display_name' | 'slack_user_id' | 'role' | 'status' | 'joined_at' | 'removed_at' | 'last_sign_in_at' | 'role_rank' | 'sort_name'
>;

export function memberJson(m: Omit<MemberRow, 'role_rank' | 'sort_name'>) {
  return {
    id: m.id,
    email: m.email,
    name: m.display_name,
    role: m.role,
    status: m.status,
    slack_user_id: m.slack_user_id,
    joined_at: m.joined_at.toISOString(),
    removed_at: m.removed_at?.toISOString() ?? null,
    last_sign_in_at: m.last_sign_in_at?.toISOString() ?? null,
    /** What the product should let this person do (src/team/permissions.ts); [] once removed. */
    permissions: permissionsOf(m),
  };
}

/** One page of members with this status (and role), after the position `after`. */
export async function pageOfMembers(
  db: DbOrTrx,
  organizationId: string,
  options: { status: MemberStatus; role?: Role | undefined; after?: { r: 0 | 1; n: string; i: string } | undefined; limit: number },
): Promise<{ members: MemberRow[]; next: { r: 0 | 1; n: string; i: string } | null }> {
  let query = db
    .selectFrom('members')
    .select(['id', 'email', 'display_name', 'slack_user_id', 'role', 'status', 'joined_at', 'removed_at', 'last_sign_in_at', 'role_rank', 'sort_name'])
    .where('organization_id', '=', organizationId)
    .where('status', '=', options.status);
  // role_rank is the role as the index has it (0 owner, 1 member): filtering on it keeps the index bound.
  if (options.role) query = query.where('role_rank', '=', options.role === 'owner' ? 0 : 1);
  const after = options.after;
  if (after) query = query.where((eb) => eb(eb.refTuple('role_rank', 'sort_name', 'id'), '>', eb.tuple(after.r, after.n, after.i)));
  const rows = await query.orderBy('role_rank').orderBy('sort_name').orderBy('id').limit(options.limit + 1).execute();
  const members = rows.slice(0, options.limit);
  const last = members[members.length - 1];
  return {
    members,
    next: rows.length > options.limit && last ? { r: last.role_rank as 0 | 1, n: last.sort_name, i: last.id } : null,
  };
}

export function memberRoutes(deps: { db: Db }): Router {
  const router = Router();

  router.get('/members', async (req, res) => {
    const { organizationId } = apiKeyOf(res);
    const query = parseOrThrow(listQuery, req.query);
    const after = query.cursor === undefined ? undefined : decodeCursor(cursorSchema, query.cursor);
    const page = await pageOfMembers(deps.db, organizationId, { status: query.status ?? 'active', role: query.role, after, limit: query.limit });
    res.json({ data: page.members.map(memberJson), next_cursor: page.next ? encodeCursor(page.next) : null });
  });

  router.get('/members/:email', async (req, res) => {
    const { organizationId } = apiKeyOf(res);
    const email = normaliseEmail(req.params.email);
    if (!email) throw invalid([{ field: 'email', message: 'is not an email address' }]);
    const member = await deps.db
      .selectFrom('members')
      .select(['id', 'email', 'display_name', 'slack_user_id', 'role', 'status', 'joined_at', 'removed_at', 'last_sign_in_at'])
      .where('organization_id', '=', organizationId)
      // lower(email): the expression the unique index (organization_id, lower(email)) is on.
      .where(sql<string>`lower(email)`, '=', email)
      .where('status', '=', 'active')
      .executeTakeFirst();
    // Unknown and removed read the same: neither is a member, and a removed one loses access now.
    if (!member) throw new ApiProblem(404, `${email} is not a member of this organization.`);
    res.json(memberJson(member));
  });

  return router;
}
