import { z } from 'zod';
import type { DbOrTrx } from '../db/database.js';
import type { Member, Role } from '../db/schema.js';
import { AppError } from '../errors.js';
import { decide, type Actor } from './policy.js';

/**
 * The team page's query: active members, owners first, then by name, read a page at a time
 * with KEYSET pagination on (role_rank, sort_name, id) — the columns of the
 * `members_team_page` index after (organization_id, status). Page 500 of a 10,000-member team
 * costs the same as page 1 (OFFSET would read and discard every earlier row), and a member
 * joining or leaving meanwhile does not shift later pages by one.
 */

/** What the page shows of a member, plus the sort key its cursors are made of. */
export type TeamPageMember = Pick<
  Member,
  'id' | 'email' | 'display_name' | 'slack_user_id' | 'slack_guest' | 'role' | 'owner_until' | 'joined_at' | 'last_sign_in_at' | 'role_rank' | 'sort_name'
>;

/**
 * An opaque position in the list: base64url JSON of the sort key of one member. It travels
 * through Slack (button values, private_metadata), so it is only ever navigation state: it is
 * validated on decode and says nothing about who may see what.
 */
export type Cursor = string;

export interface MemberListQuery {
  /** Prefix of a name or an email, any case (see normaliseSearch). */
  search?: string | undefined;
  /** The page after this position (Next). */
  after?: Cursor | undefined;
  /** The page before this position (Previous). */
  before?: Cursor | undefined;
  /**
   * The page starting AT this member (inclusive), by id: how a page is re-shown when all a
   * control can carry is a member id (a message's block_id). An unknown id gives page one.
   */
  from?: string | undefined;
  limit: number;
}

export interface MemberListPage {
  members: TeamPageMember[];
  /** Position after the last member shown, when there are more; for `after`. */
  nextCursor: Cursor | null;
  /** Position of the first member shown, when there are members before it; for `before`. */
  prevCursor: Cursor | null;
}

export const MAX_SEARCH_LENGTH = 100;
export const MAX_PAGE_SIZE = 100;

export const INVALID_CURSOR_MESSAGE = 'That page of the team list is no longer valid. Open the list again to start from the first page.';

/** Encoded sort key. `n` (the name) is left out when it would make the cursor too long to carry. */
const cursorSchema = z
  .object({
    r: z.union([z.literal(0), z.literal(1)]),
    n: z.string().max(2_000).optional(),
    i: z.uuid(),
  })
  .strict();
type CursorKey = z.infer<typeof cursorSchema>;
type SortKey = Pick<TeamPageMember, 'role_rank' | 'sort_name' | 'id'>;

/**
 * Cursors ride in button values (≤ 2000 chars) next to a search; a pathological 2,000-character
 * name must not break the button. Above this length the name is dropped and read back from the
 * member's row by id when the cursor is used (the row stays, even after a removal).
 */
const MAX_CURSOR_LENGTH = 600;

export function encodeCursor(key: SortKey): Cursor {
  const full = Buffer.from(JSON.stringify({ r: key.role_rank, n: key.sort_name, i: key.id })).toString('base64url');
  if (full.length <= MAX_CURSOR_LENGTH) return full;
  return Buffer.from(JSON.stringify({ r: key.role_rank, i: key.id })).toString('base64url');
}

/** The sort key in a cursor; a cursor that was edited, truncated or made up is refused with AppError('invalid_cursor'). */
export function decodeCursor(cursor: Cursor): CursorKey {
  try {
    if (!/^[A-Za-z0-9_-]{1,4000}$/.test(cursor)) throw new Error('not base64url');
    return cursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch (err) {
    throw new AppError('invalid_cursor', INVALID_CURSOR_MESSAGE, { cause: err });
  }
}

/** What a person typed, made safe to search with: trimmed, no control characters, bounded; undefined when empty. */
export function normaliseSearch(input: string | undefined | null): string | undefined {
  const cleaned = (input ?? '').replace(/[\u0000-\u001f\u007f]/g, ' ').replace(/\s+/g, ' ').trim();
  if (cleaned === '') return undefined;
  return [...cleaned].slice(0, MAX_SEARCH_LENGTH).join('');
}

/** `text%` for LIKE with the LIKE metacharacters of the search taken literally (backslash is LIKE's default escape). */
export function likePrefix(search: string): string {
  return search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`) + '%';
}

/**
 * The SELECT for one page, exported so a test can EXPLAIN exactly what runs. `key` is the
 * boundary (already resolved to a full sort key); `direction` 'forward' reads rows after it
 * (or from it, inclusive) in page order, 'backward' reads rows before it in reverse order.
 */
export function pageQuery(
  db: DbOrTrx,
  organizationId: string,
  options: { search?: string | undefined; key?: SortKey | undefined; inclusive?: boolean; direction: 'forward' | 'backward'; limit: number },
) {
  let query = db
    .selectFrom('members')
    .select(['id', 'email', 'display_name', 'slack_user_id', 'slack_guest', 'role', 'owner_until', 'joined_at', 'last_sign_in_at', 'role_rank', 'sort_name'])
    .where('organization_id', '=', organizationId)
    .where('status', '=', 'active');
  const search = normaliseSearch(options.search);
  if (search) {
    // Both columns are lower-case (sort_name by definition, email by the table's check), so a
    // lower-cased pattern is a case-insensitive prefix match the text_pattern_ops indexes serve.
    const pattern = likePrefix(search);
    query = query.where((eb) => eb.or([eb('sort_name', 'like', pattern), eb('email', 'like', pattern)]));
  }
  const key = options.key;
  if (key) {
    const op = options.direction === 'forward' ? (options.inclusive ? '>=' : '>') : '<';
    // A row comparison on consecutive index columns: PostgreSQL turns it into an index bound.
    query = query.where((eb) => eb(eb.refTuple('role_rank', 'sort_name', 'id'), op, eb.tuple(key.role_rank, key.sort_name, key.id)));
  }
  const dir = options.direction === 'forward' ? 'asc' : 'desc';
  return query.orderBy('role_rank', dir).orderBy('sort_name', dir).orderBy('id', dir).limit(options.limit);
}

/** The full sort key of a cursor, reading the name back from the row when the cursor left it out. */
async function resolveCursor(db: DbOrTrx, organizationId: string, cursor: Cursor): Promise<SortKey> {
  const key = decodeCursor(cursor);
  if (key.n !== undefined) return { role_rank: key.r, sort_name: key.n, id: key.i };
  const row = await findSortKey(db, organizationId, key.i);
  if (!row) throw new AppError('invalid_cursor', INVALID_CURSOR_MESSAGE);
  return { role_rank: key.r, sort_name: row.sort_name, id: row.id };
}

async function findSortKey(db: DbOrTrx, organizationId: string, memberId: string): Promise<SortKey | undefined> {
  if (!z.uuid().safeParse(memberId).success) return undefined;
  return db
    .selectFrom('members')
    .select(['role_rank', 'sort_name', 'id'])
    .where('organization_id', '=', organizationId)
    .where('id', '=', memberId)
    .executeTakeFirst();
}

/** One page of the organization's active members (see the module comment). */
export async function listMembers(db: DbOrTrx, organizationId: string, query: MemberListQuery): Promise<MemberListPage> {
  const limit = Math.trunc(query.limit);
  if (!(limit >= 1 && limit <= MAX_PAGE_SIZE)) throw new RangeError(`page size must be 1..${MAX_PAGE_SIZE}, got ${query.limit}`);
  if ([query.after, query.before, query.from].filter((c) => c !== undefined).length > 1) {
    throw new AppError('invalid_cursor', INVALID_CURSOR_MESSAGE);
  }
  const base = { search: query.search, limit: limit + 1 };

  if (query.before !== undefined) {
    const key = await resolveCursor(db, organizationId, query.before);
    const rows = await pageQuery(db, organizationId, { ...base, key, direction: 'backward' }).execute();
    // Fewer than a page before it (members left meanwhile): show a full first page instead.
    if (rows.length < limit) return listMembers(db, organizationId, { search: query.search, limit });
    const hasPrevious = rows.length > limit;
    const members = rows.slice(0, limit).reverse();
    return { members, prevCursor: hasPrevious ? encodeCursor(members[0]!) : null, nextCursor: encodeCursor(members[members.length - 1]!) };
  }

  let key: SortKey | undefined;
  let inclusive = false;
  if (query.after !== undefined) key = await resolveCursor(db, organizationId, query.after);
  else if (query.from !== undefined) {
    key = await findSortKey(db, organizationId, query.from);
    inclusive = true;
  }
  const rows = await pageQuery(db, organizationId, { ...base, key, inclusive, direction: 'forward' }).execute();
  const members = rows.slice(0, limit);
  const first = members[0];
  const last = members[members.length - 1];
  // After a cursor there were rows before this page; from an anchor, only if one exists.
  const hasPrevious = first !== undefined && key !== undefined && (!inclusive || (await existsBefore(db, organizationId, query.search, first)));
  return {
    members,
    nextCursor: rows.length > limit && last ? encodeCursor(last) : null,
    prevCursor: hasPrevious ? encodeCursor(first) : null,
  };
}

async function existsBefore(db: DbOrTrx, organizationId: string, search: string | undefined, key: SortKey): Promise<boolean> {
  const rows = await pageQuery(db, organizationId, { search, key, direction: 'backward', limit: 1 }).execute();
  return rows.length > 0;
}

/** How many active members the page lists: the kept count, or with a search one index-only count. */
export async function countListedMembers(db: DbOrTrx, organizationId: string, search?: string): Promise<number> {
  const normalised = normaliseSearch(search);
  if (!normalised) {
    // Kept by the database (migration 0007's triggers): one row, whatever the team's size.
    const kept = await keptCountQuery(db, organizationId).executeTakeFirst();
    return kept?.active ?? 0;
  }
  const row = await searchCountQuery(db, organizationId, normalised).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The header's total without a search (exported, like pageQuery, for the bench's EXPLAIN). */
export function keptCountQuery(db: DbOrTrx, organizationId: string) {
  return db.selectFrom('organization_member_counts').select('active').where('organization_id', '=', organizationId);
}

/** The header's total for a (normalised) search: its matches among active members. */
export function searchCountQuery(db: DbOrTrx, organizationId: string, search: string) {
  const pattern = likePrefix(search);
  return db
    .selectFrom('members')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('organization_id', '=', organizationId)
    .where('status', '=', 'active')
    .where((eb) => eb.or([eb('sort_name', 'like', pattern), eb('email', 'like', pattern)]));
}

/** Where the page is: what to search for and which page. Each field comes from Slack, so each is re-validated. */
export interface TeamPageQuery {
  search?: string | undefined;
  after?: Cursor | undefined;
  before?: Cursor | undefined;
  from?: string | undefined;
}

export type TeamPageRead =
  | { allowed: false; reason: string }
  | { allowed: true; viewer: { id: string; role: Role }; search: string | undefined; page: MemberListPage; total: number };

/**
 * The team page for a viewer as the database has them now: refused unless they are an active
 * member (policy 'team.view'); otherwise one page and the count. Which controls they get is
 * the renderer's business, from `viewer.role` — and each control's action is authorised again.
 */
export async function readTeamPage(
  db: DbOrTrx,
  organizationId: string,
  viewer: Actor,
  query: TeamPageQuery,
  limit: number,
): Promise<TeamPageRead> {
  const decision = decide(viewer, 'team.view', organizationId);
  if (!decision.allowed || !viewer) return { allowed: false, reason: decision.reason ?? 'Not allowed.' };
  const search = normaliseSearch(query.search);
  const [page, total] = await Promise.all([
    listMembers(db, organizationId, { search, after: query.after, before: query.before, from: query.from, limit }),
    countListedMembers(db, organizationId, search),
  ]);
  return { allowed: true, viewer: { id: viewer.id, role: viewer.role }, search, page, total };
}
