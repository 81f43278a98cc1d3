import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../support/database.js';
import { ensureOrganization } from '../../src/team/organizations.js';
import {
  countListedMembers,
  decodeCursor,
  encodeCursor,
  likePrefix,
  listMembers,
  pageQuery,
  readTeamPage,
  type MemberListPage,
  type MemberListQuery,
} from '../../src/team/member-list.js';
import { AppError } from '../../src/errors.js';

/**
 * The team page's keyset pagination against real PostgreSQL, on a 10,000-member organization
 * (plus removed members, and another organization whose members must never show).
 */
describe('member list (keyset pagination)', () => {
  const t = useTestDatabase();
  let orgId: string;
  let otherOrgId: string;
  /** Every active member of the organization, in page order (owners first, then by name, then id). */
  let expected: Array<{ id: string; role_rank: number; sort_name: string; email: string }>;

  const ACTIVE = 10_000;
  const PAGE = 20;

  beforeAll(async () => {
    orgId = (await ensureOrganization(t.db, { slackTeamId: 'T0LIST0001', name: 'Listco' })).id;
    otherOrgId = (await ensureOrganization(t.db, { slackTeamId: 'T0OTHER001', name: 'Otherco' })).id;
    const started = performance.now();
    // One statement seeds the lot: every 250th an owner, every 7th without a name (the email
    // stands in), duplicate names (ties broken by id), and names with LIKE's metacharacters.
    await sql`
      insert into members (organization_id, email, display_name, role)
      select ${orgId}::uuid,
             'user' || n || '@example.test',
             case when n % 7 = 0 then null
                  when n % 1000 = 1 then 'Percent%_Back\\slash ' || n
                  when n % 100 = 0 then 'Twin Name'
                  else initcap(chr(97 + n % 26) || chr(97 + (n / 26) % 26)) || ' Person ' || n end,
             case when n % 250 = 0 then 'owner' else 'member' end
      from generate_series(1, ${ACTIVE}) as n`.execute(t.db);
    // Removed members, some named to match searches; they must never be listed.
    await sql`
      insert into members (organization_id, email, display_name, status, removed_at)
      select ${orgId}::uuid, 'gone' || n || '@example.test', 'Aa Gone ' || n, 'removed', now()
      from generate_series(1, 50) as n`.execute(t.db);
    // Another organization, with names that sort first and match the searches below.
    await sql`
      insert into members (organization_id, email, display_name, role)
      select ${otherOrgId}::uuid, 'user' || n || '@example.test', 'Aa Other ' || n, case when n = 1 then 'owner' else 'member' end
      from generate_series(1, 100) as n`.execute(t.db);
    await sql`analyze members`.execute(t.db);
    console.log(`seeded ${ACTIVE + 150} members in ${Math.round(performance.now() - started)} ms`);

    expected = await t.db
      .selectFrom('members')
      .select(['id', 'role_rank', 'sort_name', 'email'])
      .where('organization_id', '=', orgId)
      .where('status', '=', 'active')
      .orderBy('role_rank')
      .orderBy('sort_name')
      .orderBy('id')
      .execute();
  });

  async function walkForward(query: Omit<MemberListQuery, 'after' | 'before' | 'limit'>, limit = PAGE): Promise<MemberListPage[]> {
    const pages: MemberListPage[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await listMembers(t.db, orgId, { ...query, after, limit });
      pages.push(page);
      if (!page.nextCursor) return pages;
      after = page.nextCursor;
      if (pages.length > ACTIVE) throw new Error('pagination does not end');
    }
  }

  it('walks all 10,000 active members forward: each on exactly one page, owners first, then by name', async () => {
    expect(expected).toHaveLength(ACTIVE);
    const started = performance.now();
    const pages = await walkForward({});
    const ms = performance.now() - started;
    console.log(`walked ${pages.length} pages forward in ${Math.round(ms)} ms (${(ms / pages.length).toFixed(2)} ms a page)`);

    expect(pages).toHaveLength(ACTIVE / PAGE);
    expect(pages.every((p) => p.members.length === PAGE)).toBe(true);
    const seen = pages.flatMap((p) => p.members.map((m) => m.id));
    expect(new Set(seen).size).toBe(ACTIVE);
    expect(seen).toEqual(expected.map((m) => m.id));

    const ranks = pages.flatMap((p) => p.members.map((m) => m.role_rank));
    expect(ranks.slice(0, 40).every((r) => r === 0)).toBe(true); // the 40 owners
    expect(ranks.slice(40).every((r) => r === 1)).toBe(true);
    const all = pages.flatMap((p) => p.members);
    expect(all.every((m) => m.role === (m.role_rank === 0 ? 'owner' : 'member'))).toBe(true);
    // By name: within a rank, sort_name (the lower-cased name, or the email) never decreases —
    // compared by PostgreSQL itself, so the check holds whatever the database's collation.
    const pairs = all.slice(1).map((m, i) => [all[i]!, m] as const).filter(([a, b]) => a.role_rank === b.role_rank);
    const { rows } = await sql<{ ordered: boolean }>`
      select bool_and(a <= b) as ordered from unnest(${pairs.map(([a]) => a.sort_name)}::text[], ${pairs.map(([, b]) => b.sort_name)}::text[]) as t(a, b)`.execute(t.db);
    expect(rows[0]!.ordered).toBe(true);
    expect(all.find((m) => m.display_name === null)!.sort_name).toMatch(/^user\d+@example\.test$/);

    expect(pages[0]!.prevCursor).toBeNull();
    expect(pages.at(-1)!.nextCursor).toBeNull();
  });

  it('walks backwards with `before` cursors and gets the same pages', async () => {
    const forward = await walkForward({});
    const backward: MemberListPage[] = [forward.at(-1)!];
    let before = forward.at(-1)!.prevCursor;
    while (before) {
      const page = await listMembers(t.db, orgId, { before, limit: PAGE });
      backward.unshift(page);
      before = page.prevCursor;
    }
    expect(backward.map((p) => p.members.map((m) => m.id))).toEqual(forward.map((p) => p.members.map((m) => m.id)));
    expect(backward[0]!.prevCursor).toBeNull();
    // Going back then forward again lands on the page one came from.
    const again = await listMembers(t.db, orgId, { after: backward[0]!.nextCursor!, limit: PAGE });
    expect(again.members.map((m) => m.id)).toEqual(forward[1]!.members.map((m) => m.id));
  });

  it('searches by the start of a name or an email, any case, and paginates the matches', async () => {
    const matches = (prefix: string) => expected.filter((m) => m.sort_name.startsWith(prefix) || m.email.startsWith(prefix));

    // "user1" matches emails user1, user10..user19, user100.., user1000..: many pages.
    const expectedUser1 = matches('user1');
    expect(expectedUser1.length).toBeGreaterThan(PAGE * 3);
    const pages = await walkForward({ search: 'USER1' });
    expect(pages.flatMap((p) => p.members.map((m) => m.id))).toEqual(expectedUser1.map((m) => m.id));
    expect(await countListedMembers(t.db, orgId, 'User1')).toBe(expectedUser1.length);

    // By name prefix, case-insensitive.
    const twins = await walkForward({ search: 'twin n' });
    expect(twins.flatMap((p) => p.members.map((m) => m.id))).toEqual(matches('twin n').map((m) => m.id));
    expect(twins.flatMap((p) => p.members).every((m) => m.display_name === 'Twin Name')).toBe(true);

    // Backwards within a search gives the same pages too.
    const last = pages.at(-1)!;
    const previous = await listMembers(t.db, orgId, { search: 'user1', before: last.prevCursor!, limit: PAGE });
    expect(previous.members.map((m) => m.id)).toEqual(pages.at(-2)!.members.map((m) => m.id));
  });

  it("takes %, _ and \\ in a search literally (they are LIKE's metacharacters)", async () => {
    expect(likePrefix('50%_a\\b')).toBe('50\\%\\_a\\\\b%');
    const literal = await listMembers(t.db, orgId, { search: 'percent%_back\\', limit: 100 });
    expect(literal.members.length).toBe(expected.filter((m) => m.sort_name.startsWith('percent%_back\\')).length);
    expect(literal.members.length).toBeGreaterThan(0);
    // Unescaped, "%" would match every name and "_" any character.
    expect((await listMembers(t.db, orgId, { search: '%', limit: 5 })).members).toEqual([]);
    expect((await listMembers(t.db, orgId, { search: 'percent__back', limit: 5 })).members).toEqual([]);
    expect((await listMembers(t.db, orgId, { search: 'twin_name', limit: 5 })).members).toEqual([]);
  });

  it('never lists removed members nor another organization’s members', async () => {
    const gone = await listMembers(t.db, orgId, { search: 'aa gone', limit: 100 });
    expect(gone.members).toEqual([]);
    const other = await listMembers(t.db, orgId, { search: 'aa other', limit: 100 });
    expect(other.members).toEqual([]);
    expect(await countListedMembers(t.db, orgId)).toBe(ACTIVE);

    const otherPages = await listMembers(t.db, otherOrgId, { limit: 100 });
    expect(otherPages.members).toHaveLength(100);
    expect(otherPages.nextCursor).toBeNull();
    expect(otherPages.members.every((m) => m.display_name?.startsWith('Aa Other'))).toBe(true);
  });

  it("does not leak another organization's members through a cursor taken from it", async () => {
    const otherFirst = await listMembers(t.db, otherOrgId, { limit: 10 });
    const page = await listMembers(t.db, orgId, { after: otherFirst.nextCursor!, limit: 10 });
    expect(page.members.every((m) => expected.some((e) => e.id === m.id))).toBe(true);
  });

  it('refuses a tampered cursor with a clear error, not a crash', async () => {
    const first = await listMembers(t.db, orgId, { limit: PAGE });
    const good = first.nextCursor!;
    const tampered = [
      good.slice(0, -3) + (good.endsWith('AAA') ? 'BBB' : 'AAA'),
      'not a cursor!',
      Buffer.from('{"r":0,"n":"x","i":"nope"}').toString('base64url'),
      Buffer.from('{"r":7,"n":"x","i":"00000000-0000-4000-8000-000000000000"}').toString('base64url'),
      Buffer.from('[1,2,3]').toString('base64url'),
      Buffer.from('{"r":0,"n":"x","i":"00000000-0000-4000-8000-000000000000","sql":"drop"}').toString('base64url'),
      '',
    ];
    for (const cursor of tampered) {
      const attempt = listMembers(t.db, orgId, { after: cursor, limit: PAGE });
      await expect(attempt).rejects.toBeInstanceOf(AppError);
      await expect(attempt).rejects.toMatchObject({ code: 'invalid_cursor', message: expect.stringContaining('no longer valid') });
      await expect(listMembers(t.db, orgId, { before: cursor, limit: PAGE })).rejects.toMatchObject({ code: 'invalid_cursor' });
    }
    expect(() => decodeCursor('%%%')).toThrow(AppError);
  });

  it('keeps cursors short for pathological names, reading the name back from the row', async () => {
    const long = 'Zz' + 'é'.repeat(1_500);
    const row = await t.db
      .insertInto('members')
      .values({ organization_id: otherOrgId, email: 'long@example.test', display_name: long })
      .returning(['id', 'role_rank', 'sort_name'])
      .executeTakeFirstOrThrow();
    const cursor = encodeCursor(row);
    expect(cursor.length).toBeLessThanOrEqual(600);
    expect(decodeCursor(cursor).n).toBeUndefined();
    // Page "after" the long-named member, and "before" it, still work.
    const before = await listMembers(t.db, otherOrgId, { before: cursor, limit: 5 });
    expect(before.members.map((m) => m.display_name)).toEqual(['Aa Other 95', 'Aa Other 96', 'Aa Other 97', 'Aa Other 98', 'Aa Other 99']);
    const after = await listMembers(t.db, otherOrgId, { after: cursor, limit: 5 });
    expect(after.members).toEqual([]);
  });

  it('shows a page again from an anchor member (inclusive), as a message row asks for', async () => {
    const forward = await walkForward({}, 10);
    const third = forward[2]!;
    const again = await listMembers(t.db, orgId, { from: third.members[0]!.id, limit: 10 });
    expect(again.members.map((m) => m.id)).toEqual(third.members.map((m) => m.id));
    expect(again.prevCursor).not.toBeNull();
    expect(again.nextCursor).toEqual(third.nextCursor);
    const first = await listMembers(t.db, orgId, { from: forward[0]!.members[0]!.id, limit: 10 });
    expect(first.prevCursor).toBeNull();
    // An unknown anchor (or one from another organization) is simply the first page.
    const unknown = await listMembers(t.db, orgId, { from: '00000000-0000-4000-8000-000000000000', limit: 10 });
    expect(unknown.members.map((m) => m.id)).toEqual(forward[0]!.members.map((m) => m.id));
  });

  it('lets only active members read the page (policy team.view)', async () => {
    const owner = await t.db.selectFrom('members').selectAll().where('organization_id', '=', orgId).where('role', '=', 'owner').executeTakeFirstOrThrow();
    const removed = await t.db.selectFrom('members').selectAll().where('organization_id', '=', orgId).where('status', '=', 'removed').executeTakeFirstOrThrow();
    const outsider = await t.db.selectFrom('members').selectAll().where('organization_id', '=', otherOrgId).executeTakeFirstOrThrow();

    const read = await readTeamPage(t.db, orgId, owner, {}, 20);
    expect(read).toMatchObject({ allowed: true, total: ACTIVE, viewer: { id: owner.id, role: 'owner' } });
    for (const viewer of [null, removed, outsider]) {
      expect(await readTeamPage(t.db, orgId, viewer, {}, 20)).toMatchObject({ allowed: false, reason: expect.stringContaining('not an active member') });
    }
  });

  it('uses the members_team_page index for a page (EXPLAIN after ANALYZE)', async () => {
    const first = await pageQuery(t.db, orgId, { direction: 'forward', limit: 21 }).explain();
    const middleKey = expected[5_000]!;
    const middle = await pageQuery(t.db, orgId, { direction: 'forward', key: middleKey, limit: 21 }).explain();
    const back = await pageQuery(t.db, orgId, { direction: 'backward', key: middleKey, limit: 21 }).explain();
    const plan = (rows: Array<Record<string, unknown>>) => rows.map((r) => String(r['QUERY PLAN'])).join('\n');
    console.log(`EXPLAIN first page:\n${plan(first)}\nEXPLAIN page after a cursor:\n${plan(middle)}\nEXPLAIN page before a cursor:\n${plan(back)}`);
    for (const p of [first, middle, back].map(plan)) {
      expect(p).toContain('Index');
      expect(p).toContain('members_team_page');
      expect(p).not.toMatch(/^\s*Sort\b|->\s+Sort\b/m); // the index gives the order; nothing is sorted
    }
    // The cursor bound is part of the index condition, not a filter over scanned rows.
    expect(plan(middle)).toMatch(/Index Cond:.*ROW\(role_rank, sort_name, id\) >/);
  });
});
