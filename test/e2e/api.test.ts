import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createApiKey, revokeApiKey } from '../../src/api/api-keys.js';
import type { Member, Organization, Role } from '../../src/db/schema.js';
import { cancelInvitation, createInvitations } from '../../src/team/invitations.js';
import { findOrganizationBySlackTeam } from '../../src/team/organization-repository.js';
import { requestRemoval } from '../../src/team/removals.js';
import { createWebApp, finishWebApp } from '../../src/web/server.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { useTestDatabase } from '../support/database.js';
import { captureLogs } from '../support/log-capture.js';
import { auditActions, seedMember, seedOrganization } from '../support/seed.js';

/**
 * The REST API over real HTTP into the real app (startTeamManager, as `npm start` runs it),
 * with keys made by the same domain functions the CLI calls. Several organizations share the
 * one database, so every answer is also checked for what it must NOT contain.
 */
describe('REST API /api/v1', () => {
  const t = useTestDatabase();
  let h: TestApp;
  let org: Organization;
  let other: Organization;
  let olga: Member;
  let bob: Member;
  let rita: Member;
  let otherMember: Member;
  const keys = { read: '', write: '', other: '', otherWrite: '' };
  let writeKeyId = '';
  /** Every plaintext key this file made: none may ever appear in a log line. */
  const allKeys: string[] = [];
  const CLI = { type: 'cli' as const, id: 'test' };

  async function newKey(organization: Organization, scope: 'read' | 'read-write', name = 'test') {
    const made = await createApiKey(t.db, { organizationId: organization.id, name, scope, actor: CLI, source: 'cli' });
    allKeys.push(made.key);
    return made;
  }

  beforeAll(async () => {
    h = await startTestApp({ databaseUrl: t.url, env: { RUN_WORKER: 'false' } });
    org = (await findOrganizationBySlackTeam(t.db, h.standin.teamId))!;
    other = await seedOrganization(t.db, 'T0OTHERORG', { name: 'Other Inc' });
    olga = await seedMember(t.db, org, 'olga@acme.test', 'owner', { displayName: 'Olga Owner', slackUserId: 'U0OLGA' });
    bob = await seedMember(t.db, org, 'bob@acme.test', 'member', { displayName: 'Bob' });
    rita = await seedMember(t.db, org, 'rita@acme.test', 'member', { displayName: 'Rita', removed: true });
    otherMember = await seedMember(t.db, other, 'zed@other.test', 'owner');
    // The same address in both organizations: only the key's organization may answer for it.
    await seedMember(t.db, other, 'bob@acme.test', 'owner', { displayName: 'Other Bob' });
    keys.read = (await newKey(org, 'read')).key;
    const write = await newKey(org, 'read-write');
    keys.write = write.key;
    writeKeyId = write.apiKey.id;
    keys.other = (await newKey(other, 'read')).key;
    keys.otherWrite = (await newKey(other, 'read-write')).key;
  });
  afterAll(async () => h?.stop());

  interface Call {
    key?: string | undefined;
    method?: string;
    body?: unknown;
    rawBody?: string;
    headers?: Record<string, string>;
  }
  async function call(path: string, options: Call = {}, base = h.app.url) {
    const headers: Record<string, string> = { ...options.headers };
    if (options.key !== undefined) headers.authorization = `Bearer ${options.key}`;
    let body: string | undefined = options.rawBody;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(`${base}/api/v1${path}`, { method: options.method ?? 'GET', headers, ...(body !== undefined ? { body } : {}) });
    const text = await res.text();
    const type = res.headers.get('content-type') ?? '';
    return { status: res.status, headers: res.headers, text, json: /json/.test(type) && text ? (JSON.parse(text) as any) : undefined };
  }
  const get = (path: string, key: string = keys.read) => call(path, { key });
  let idem = 0;
  const post = (body: unknown, options: { key?: string; idempotencyKey?: string | null; headers?: Record<string, string> } = {}) =>
    call('/events', {
      key: options.key ?? keys.write,
      method: 'POST',
      body,
      headers: { ...(options.idempotencyKey === null ? {} : { 'idempotency-key': options.idempotencyKey ?? `evt-${++idem}` }), ...options.headers },
    });

  function expectProblem(res: Awaited<ReturnType<typeof call>>, status: number) {
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
    expect(res.json).toMatchObject({ type: 'about:blank', title: expect.any(String), status, detail: expect.any(String) });
  }

  describe('authentication', () => {
    it('refuses a missing, malformed, unknown or revoked key with the same 401 body and WWW-Authenticate: Bearer', async () => {
      const none = await call('/members');
      expectProblem(none, 401);
      expect(none.headers.get('www-authenticate')).toBe('Bearer realm="team-manager"');
      expect(none.json).toEqual({ type: 'about:blank', title: 'Unauthorized', status: 401, detail: 'Send a valid API key as "Authorization: Bearer <key>".' });

      const revokable = await newKey(org, 'read', 'to be revoked');
      expect((await get('/members', revokable.key)).status).toBe(200);
      await revokeApiKey(t.db, { organizationId: org.id, id: revokable.apiKey.id, actor: CLI, source: 'cli' });

      const unknown = `tm_${'A'.repeat(43)}`;
      const attempts = [
        await get('/members', unknown),
        await get('/members', revokable.key),
        await get('/members', 'not-a-key'),
        await get('/members', `${keys.read.slice(0, -1)}${keys.read.endsWith('A') ? 'B' : 'A'}`),
        await call('/members', { headers: { authorization: `Basic ${Buffer.from(`x:${keys.read}`).toString('base64')}` } }),
        await call('/members', { headers: { authorization: `Bearer ${keys.read} extra` } }),
      ];
      for (const res of attempts) {
        expectProblem(res, 401);
        expect(res.text).toBe(none.text);
        expect(res.headers.get('www-authenticate')).toBe('Bearer realm="team-manager", error="invalid_token"');
      }
      // Not even the list of routes is shown to a stranger.
      expectProblem(await call('/nowhere'), 401);
    });

    it('refuses to write with a read-only key (403) and stores nothing', async () => {
      const res = await post({ type: 'sign_in', email: 'bob@acme.test', occurred_at: new Date().toISOString(), summary: 'Signed in' }, { key: keys.read });
      expectProblem(res, 403);
      expect(res.json.detail).toContain('read-only');
      const stored = await t.db.selectFrom('activity_events').select('id').where('organization_id', '=', org.id).execute();
      expect(stored).toHaveLength(0);
    });

    it("gives another organization's key nothing of this organization: members, lookups, invitations, audit, ingest", async () => {
      const members = await get('/members', keys.other);
      expect(members.status).toBe(200);
      expect(members.json.data.map((m: Member) => m.email).sort()).toEqual(['bob@acme.test', 'zed@other.test']);
      expect(members.json.data.find((m: { email: string }) => m.email === 'bob@acme.test')).toMatchObject({ name: 'Other Bob', role: 'owner' });
      expect(members.text).not.toContain(olga.id);
      expect(members.text).not.toContain(bob.id);

      expect((await get('/members/olga@acme.test', keys.other)).status).toBe(404);
      expect((await get('/members/bob@acme.test', keys.other)).json).toMatchObject({ name: 'Other Bob', role: 'owner' });
      expect((await get('/members?status=removed', keys.other)).json.data).toEqual([]);

      await createInvitations(t.db, { organizationId: org.id, actorMemberId: olga.id, addresses: ['secret-hire@example.org'], role: 'member', source: 'slack' });
      const invitations = await get('/invitations', keys.other);
      expect(invitations.json.data).toEqual([]);

      const audit = await get('/audit?limit=500', keys.other);
      expect(audit.json.data.length).toBeGreaterThan(0);
      expect(audit.text).not.toContain(olga.id);
      expect(audit.text).not.toContain(org.id);
      expect(audit.text).not.toContain('secret-hire');
      // Filters naming this organization's people match nothing for the other key.
      expect((await get(`/audit?actor=${olga.id}`, keys.other)).json.data).toEqual([]);
      expect((await get('/audit?actor=olga@acme.test', keys.other)).json.data).toEqual([]);
      const csv = await call('/audit', { key: keys.other, headers: { accept: 'text/csv' } });
      expect(csv.text).not.toContain(org.id);
      expect(csv.text).not.toContain('secret-hire');

      const ingest = await post({ type: 'sign_in', email: 'olga@acme.test', occurred_at: new Date().toISOString(), summary: 'x' }, { key: keys.otherWrite });
      expectProblem(ingest, 404);
      expect(await t.db.selectFrom('activity_events').select('id').where('organization_id', '=', org.id).execute()).toHaveLength(0);
      expect((await t.db.selectFrom('members').select('last_sign_in_at').where('id', '=', olga.id).executeTakeFirstOrThrow()).last_sign_in_at).toBeNull();
    });

    it('answers unknown resources with 404 and known ones with the wrong method with 405 + Allow, as problems', async () => {
      const unknown = await get('/nowhere');
      expectProblem(unknown, 404);
      const wrong = await call('/members', { key: keys.write, method: 'POST', body: {} });
      expectProblem(wrong, 405);
      expect(wrong.headers.get('allow')).toBe('GET');
      expect((await get('/events')).headers.get('allow')).toBe('POST');
    });
  });

  describe('members', () => {
    it('looks a member up by email (any case): role and status; 404 for unknown and removed; 400 for a non-address', async () => {
      const found = await get('/members/Olga@ACME.test');
      expect(found.status).toBe(200);
      expect(found.headers.get('cache-control')).toBe('no-store');
      expect(found.json).toEqual({
        id: olga.id,
        email: 'olga@acme.test',
        name: 'Olga Owner',
        role: 'owner',
        status: 'active',
        slack_user_id: 'U0OLGA',
        joined_at: olga.joined_at.toISOString(),
        removed_at: null,
        last_sign_in_at: null,
        permissions: ['team:view', 'team:manage', 'billing:manage', 'auth_config:manage'],
      });
      expectProblem(await get('/members/nobody@acme.test'), 404);
      const removed = await get('/members/rita@acme.test');
      expectProblem(removed, 404);
      expect(removed.json.detail).toBe('rita@acme.test is not a member of this organization.');
      const bad = await get('/members/not-an-email');
      expectProblem(bad, 400);
      expect(bad.json.errors).toEqual([{ field: 'email', message: 'is not an email address' }]);
    });

    it('stops reporting a member the moment their removal commits', async () => {
      const gone = await seedMember(t.db, org, 'gone@acme.test', 'member');
      expect((await get('/members/gone@acme.test')).json).toMatchObject({ id: gone.id, status: 'active' });
      const result = await requestRemoval(t.db, { organizationId: org.id, actorMemberId: olga.id, targetMemberId: gone.id, reason: 'left', source: 'slack' });
      expect(result.kind).toBe('removed');
      expectProblem(await get('/members/gone@acme.test'), 404);
      expect((await get('/members')).json.data.map((m: Member) => m.email)).not.toContain('gone@acme.test');
      expect((await get('/members?status=removed')).json.data.map((m: Member) => m.email)).toContain('gone@acme.test');
    });

    it('lists active members (owners first), filters by role and status, and refuses bad parameters field by field', async () => {
      const all = await get('/members');
      expect(all.json.next_cursor).toBeNull();
      expect(all.json.data.map((m: Member) => [m.email, m.role, m.status])).toEqual([
        ['olga@acme.test', 'owner', 'active'],
        ['bob@acme.test', 'member', 'active'],
      ]);
      expect((await get('/members?role=owner')).json.data.map((m: Member) => m.email)).toEqual(['olga@acme.test']);
      expect((await get('/members?role=member')).json.data.map((m: Member) => m.email)).toEqual(['bob@acme.test']);
      const removed = (await get('/members?status=removed')).json.data;
      expect(removed.map((m: Member) => m.email)).toContain('rita@acme.test');
      expect(removed.every((m: Member) => m.status === 'removed' && m.removed_at)).toBe(true);

      const bad = await get('/members?role=admin&status=gone&limit=0&colour=red&cursor=%%%');
      expectProblem(bad, 400);
      expect(bad.json.errors).toEqual(
        expect.arrayContaining([
          { field: 'role', message: 'must be owner or member' },
          { field: 'status', message: 'must be active or removed' },
          { field: 'limit', message: 'must be a whole number from 1 to 500' },
          { field: 'colour', message: 'is not a known field' },
        ]),
      );
      expect(bad.json.errors).toHaveLength(4);
      expect((await get('/members?limit=501')).json.errors).toEqual([{ field: 'limit', message: 'must be a whole number from 1 to 500' }]);
      expect((await get('/members?role=owner&role=member')).json.errors).toEqual([{ field: 'role', message: 'must be given once, as text' }]);
      const cursor = await get('/members?cursor=bm90LWEtY3Vyc29y');
      expectProblem(cursor, 400);
      expect(cursor.json.errors).toEqual([{ field: 'cursor', message: 'is not a cursor this API returned (start again without one)' }]);
    });

    it('walks 5,000 members in pages of 200: every active member exactly once, in order, nobody removed, nobody else', async () => {
      const big = await seedOrganization(t.db, 'T0BIGTEAM', { name: 'Big' });
      const names = ['Zoë', 'adam', 'Same Name', 'Émile', null, 'same name', 'Bob', '💡 Idea'];
      const rows = Array.from({ length: 5_000 }, (_, i) => ({
        organization_id: big.id,
        email: `person${String(i).padStart(4, '0')}@big.test`,
        display_name: names[i % names.length]!,
        role: (i % 37 === 0 ? 'owner' : 'member') as Role,
      }));
      await t.db.insertInto('members').values(rows).execute();
      // A few of them removed: they must not appear in the active walk.
      await t.db
        .updateTable('members')
        .set({ status: 'removed', removed_at: new Date() })
        .where('organization_id', '=', big.id)
        .where('email', 'in', ['person0007@big.test', 'person0074@big.test', 'person4999@big.test'])
        .execute();
      const expected = (
        await t.db
          .selectFrom('members')
          .select('id')
          .where('organization_id', '=', big.id)
          .where('status', '=', 'active')
          .orderBy('role_rank')
          .orderBy('sort_name')
          .orderBy('id')
          .execute()
      ).map((r) => r.id);
      expect(expected).toHaveLength(4_997);
      const key = (await newKey(big, 'read', 'big')).key;

      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res = await get(`/members?limit=200${cursor ? `&cursor=${cursor}` : ''}`, key);
        expect(res.status).toBe(200);
        expect(res.json.data.length).toBeLessThanOrEqual(200);
        seen.push(...res.json.data.map((m: Member) => m.id));
        cursor = res.json.next_cursor;
        pages++;
      } while (cursor && pages < 100);
      expect(pages).toBe(25);
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen).toEqual(expected);

      // Owners only, in pages of 7: the same walk, filtered.
      const owners: string[] = [];
      cursor = null;
      do {
        const res = await get(`/members?role=owner&limit=7${cursor ? `&cursor=${cursor}` : ''}`, key);
        owners.push(...res.json.data.map((m: Member) => m.id));
        cursor = res.json.next_cursor;
      } while (cursor);
      const ownerIds = await t.db.selectFrom('members').select('id').where('organization_id', '=', big.id).where('role', '=', 'owner').where('status', '=', 'active').execute();
      expect(owners).toEqual(expected.filter((id) => ownerIds.some((o) => o.id === id)));
      expect(owners).toHaveLength(ownerIds.length);
    }, 60_000);
  });

  describe('invitations', () => {
    it('lists pending invitations newest first with who sent them, by status, a page at a time', async () => {
      const { invitations } = await createInvitations(t.db, {
        organizationId: org.id,
        actorMemberId: olga.id,
        addresses: ['ivy@example.org', 'jon@example.org', 'kim@example.org'],
        role: 'member',
        message: 'Welcome, "friend", to the team',
        source: 'slack',
      });
      await cancelInvitation(t.db, { organizationId: org.id, actorMemberId: olga.id, invitationId: invitations[1]!.id, source: 'slack' });

      const pending = await get('/invitations');
      expect(pending.status).toBe(200);
      const emails = pending.json.data.map((i: { email: string }) => i.email);
      expect(emails).toEqual(expect.arrayContaining(['ivy@example.org', 'kim@example.org']));
      expect(emails).not.toContain('jon@example.org');
      expect(pending.json.data.find((i: { email: string }) => i.email === 'ivy@example.org')).toMatchObject({
        id: invitations[0]!.id,
        role: 'member',
        status: 'pending',
        message: 'Welcome, "friend", to the team',
        invited_by: { id: olga.id, email: 'olga@acme.test', name: 'Olga Owner' },
        expires_at: invitations[0]!.expires_at.toISOString(),
      });
      expect(pending.text).not.toContain('token');

      const cancelled = await get('/invitations?status=cancelled');
      expect(cancelled.json.data.map((i: { email: string }) => i.email)).toEqual(['jon@example.org']);

      // One at a time: the same invitations, in the same order, each once.
      const walked: string[] = [];
      let cursor: string | null = null;
      do {
        const res = await get(`/invitations?limit=1${cursor ? `&cursor=${cursor}` : ''}`);
        walked.push(...res.json.data.map((i: { id: string }) => i.id));
        cursor = res.json.next_cursor;
      } while (cursor);
      expect(walked).toEqual(pending.json.data.map((i: { id: string }) => i.id));
      const bad = await get('/invitations?status=lost');
      expectProblem(bad, 400);
      expect(bad.json.errors).toEqual([{ field: 'status', message: 'must be one of pending, accepted, declined, cancelled, expired' }]);
    });
  });

  describe('audit', () => {
    let aud: Organization;
    let ann: Member;
    let ben: Member;
    let audKey = '';
    const tricky = { reason: 'Comma, "quotes" and\na newline; ünïcödé 💡', list: [1, 'two', null] };

    beforeAll(async () => {
      aud = await seedOrganization(t.db, 'T0AUDITORG', { name: 'Audit Co' });
      ann = await seedMember(t.db, aud, 'ann@audit.test', 'owner');
      ben = await seedMember(t.db, aud, 'ben@audit.test', 'member');
      audKey = (await newKey(aud, 'read', 'auditor')).key;
      const base = Date.parse('2026-03-01T00:00:00.000Z');
      const actions = ['member.invited', 'member.role_changed', 'settings.changed'];
      // 2,500 events: in each millisecond, three share a timestamp to the microsecond and three
      // more come 500 µs later, so the cursor must keep microseconds and break ties by id.
      const events = Array.from({ length: 2_500 }, (_, i) => {
        const ms = new Date(base + Math.floor(i / 6)).toISOString();
        const actor = [
          { actor_type: 'member' as const, actor_id: ann.id },
          { actor_type: 'member' as const, actor_id: ben.id },
          { actor_type: 'api_key' as const, actor_id: '11111111-1111-4111-8111-111111111111' },
          { actor_type: 'system' as const, actor_id: null },
        ][i % 4]!;
        return {
          organization_id: aud.id,
          ...actor,
          action: actions[i % 3]!,
          target_type: i % 5 === 0 ? 'member' : 'organization',
          target_id: i % 5 === 0 ? ben.id : aud.id,
          before: i % 7 === 0 ? JSON.stringify(tricky) : null,
          after: JSON.stringify({ n: i }),
          source: 'slack' as const,
          occurred_at: sql<Date>`${ms.replace('Z', i % 6 < 3 ? '000Z' : '500Z')}::timestamptz`,
        };
      });
      await t.db.insertInto('audit_events').values(events).execute();
    });

    const dbOrder = async (filter: (q: any) => any = (q) => q) =>
      (
        await filter(t.db.selectFrom('audit_events').select('id').where('organization_id', '=', aud.id))
          .orderBy('occurred_at', 'desc')
          .orderBy('id', 'desc')
          .execute()
      ).map((r: { id: string }) => r.id);

    async function walk(query: string, limit: number): Promise<{ ids: string[]; pages: number }> {
      const ids: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res = await get(`/audit?limit=${limit}${query}${cursor ? `&cursor=${cursor}` : ''}`, audKey);
        expect(res.status).toBe(200);
        ids.push(...res.json.data.map((e: { id: string }) => e.id));
        cursor = res.json.next_cursor;
        pages++;
      } while (cursor && pages < 1_000);
      return { ids, pages };
    }

    it('walks the whole log newest first, every event once, across microsecond ties', async () => {
      const expected = await dbOrder();
      expect(expected.length).toBe(2_501); // the 2,500 and the key's api_key.created
      const { ids, pages } = await walk('', 97);
      expect(pages).toBe(Math.ceil(2_501 / 97));
      expect(ids).toEqual(expected);
      const first = (await get('/audit?limit=1', audKey)).json.data[0];
      expect(first).toMatchObject({ action: 'api_key.created', actor: { type: 'cli', id: 'test' }, source: 'cli', target: { type: 'api_key' } });
      const withTricky = (await get('/audit?limit=500', audKey)).json.data.find((e: { before: unknown }) => e.before);
      expect(withTricky.before).toEqual(tricky);
    });

    it('filters by actor and target (email or id), action, and a time window', async () => {
      expect((await walk('&actor=ANN@audit.test', 200)).ids).toEqual(await dbOrder((q) => q.where('actor_id', '=', ann.id)));
      expect((await walk(`&actor=${ben.id}`, 200)).ids).toEqual(await dbOrder((q) => q.where('actor_id', '=', ben.id)));
      const byTarget = await walk('&target=ben@audit.test', 200);
      expect(byTarget.ids).toEqual(await dbOrder((q) => q.where('target_type', '=', 'member').where('target_id', '=', ben.id)));
      expect(byTarget.ids).toHaveLength(500);
      expect((await walk('&action=settings.changed', 500)).ids).toEqual(await dbOrder((q) => q.where('action', '=', 'settings.changed')));
      expect((await walk('&actor=nobody@audit.test', 10)).ids).toEqual([]);

      // since is inclusive, until exclusive, to the microsecond.
      const since = '2026-03-01T00:00:00.100000Z';
      const until = '2026-03-01T00:00:00.200500Z';
      const window = await walk(`&since=${since}&until=${until}&action=member.invited`, 50);
      const expected = await dbOrder((q) => q.where('occurred_at', '>=', since).where('occurred_at', '<', until).where('action', '=', 'member.invited'));
      expect(window.ids).toEqual(expected);
      expect(expected.length).toBeGreaterThan(100);
    });

    it('refuses bad filters with 400 naming each one', async () => {
      const bad = await get('/audit?since=yesterday&until=2026-13-01&actor=ann&action=DROP%20TABLE&limit=x', audKey);
      expectProblem(bad, 400);
      expect(bad.json.errors.map((e: { field: string }) => e.field).sort()).toEqual(['action', 'limit', 'since', 'until']);
      const local = await get('/audit?since=2026-03-01T00:00:00', audKey);
      expect(local.json.errors).toEqual([{ field: 'since', message: 'must be an ISO 8601 date-time with a time zone, e.g. 2026-01-31T09:00:00Z' }]);
      const backwards = await get('/audit?since=2026-03-02T00:00:00Z&until=2026-03-01T00:00:00Z', audKey);
      expect(backwards.json.errors).toEqual([{ field: 'until', message: 'must be later than since' }]);
      const actor = await get('/audit?actor=ann', audKey);
      expect(actor.json.errors).toEqual([{ field: 'actor', message: "must be a member's email or an id" }]);
      expect((await get('/audit?cursor=eyJ0IjoiMjAyNiJ9', audKey)).json.errors).toEqual([
        { field: 'cursor', message: 'is not a cursor this API returned (start again without one)' },
      ]);
      expectProblem(await call('/audit', { key: audKey, headers: { accept: 'text/html' } }), 406);
    });

    it('streams CSV for Accept: text/csv that parses back to exactly the events, quoting and all', async () => {
      const res = await call('/audit', { key: audKey, headers: { accept: 'text/csv' } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8; header=present');
      expect(res.headers.get('content-disposition')).toBe('attachment; filename="audit.csv"');
      const [header, ...records] = parseCsv(res.text);
      expect(header).toEqual(['id', 'occurred_at', 'actor_type', 'actor_id', 'action', 'target_type', 'target_id', 'source', 'before', 'after']);
      expect(records).toHaveLength(2_501);

      const rows = await t.db.selectFrom('audit_events').selectAll().where('organization_id', '=', aud.id).orderBy('occurred_at', 'desc').orderBy('id', 'desc').execute();
      expect(records.map((r) => r[0])).toEqual(rows.map((r) => r.id));
      records.forEach((r, i) => {
        const e = rows[i]!;
        expect(r).toEqual([
          e.id,
          e.occurred_at.toISOString(),
          e.actor_type,
          e.actor_id ?? '',
          e.action,
          e.target_type ?? '',
          e.target_id ?? '',
          e.source,
          e.before === null ? '' : JSON.stringify(e.before),
          e.after === null ? '' : JSON.stringify(e.after),
        ]);
      });
      const tricky = records.find((r) => r[8] !== '')!;
      expect(JSON.parse(tricky[8]!)).toEqual({ reason: 'Comma, "quotes" and\na newline; ünïcödé 💡', list: [1, 'two', null] });

      const filtered = parseCsv((await call('/audit?actor=ben@audit.test&action=member.role_changed', { key: audKey, headers: { accept: 'text/csv' } })).text);
      expect(filtered.slice(1).map((r) => r[0])).toEqual(await dbOrder((q) => q.where('actor_id', '=', ben.id).where('action', '=', 'member.role_changed')));
      expect(filtered.length).toBeGreaterThan(100);
    });
  });

  describe('activity ingest', () => {
    const stored = () => t.db.selectFrom('activity_events').selectAll().where('organization_id', '=', org.id).orderBy('id').execute();
    const lastSignIn = async (m: Member) => (await t.db.selectFrom('members').select('last_sign_in_at').where('id', '=', m.id).executeTakeFirstOrThrow()).last_sign_in_at;
    const ingestAudits = () => t.db.selectFrom('audit_events').selectAll().where('organization_id', '=', org.id).where('action', '=', 'activity.ingested').orderBy('id').execute();

    it('stores a sign-in (201), moves last_sign_in_at, and audits it once; the same Idempotency-Key again is 200 duplicate, stored once', async () => {
      const at = '2026-04-01T08:30:00.000Z';
      const body = { type: 'sign_in', email: 'Bob@Acme.test', occurred_at: at, summary: 'Signed in from Firefox', details: { ip: '192.0.2.1' } };
      const first = await post(body, { idempotencyKey: 'signin-bob-1' });
      expect(first.status).toBe(201);
      expect(first.json).toMatchObject({ type: 'sign_in', email: 'bob@acme.test', occurred_at: at, summary: 'Signed in from Firefox', details: { ip: '192.0.2.1' }, duplicate: false });
      expect(first.json.id).toMatch(/^\d+$/);
      expect(await lastSignIn(bob)).toEqual(new Date(at));

      const again = await post({ ...body, summary: 'a retry with another body' }, { idempotencyKey: 'signin-bob-1' });
      expect(again.status).toBe(200);
      expect(again.json).toMatchObject({ id: first.json.id, duplicate: true, summary: 'Signed in from Firefox' });

      const rows = await stored();
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ member_id: bob.id, kind: 'sign_in', summary: 'Signed in from Firefox', details: { ip: '192.0.2.1' }, idempotency_key: 'signin-bob-1', api_key_id: writeKeyId });
      const audits = await ingestAudits();
      expect(audits).toHaveLength(1);
      expect(audits[0]).toMatchObject({ actor_type: 'api_key', actor_id: writeKeyId, source: 'api', target_type: 'member', target_id: bob.id, after: { activity_event_id: first.json.id, type: 'sign_in' } });

      // An older sign-in is stored, but last_sign_in_at only ever moves forward.
      const older = await post({ type: 'sign_in', email: 'bob@acme.test', occurred_at: '2026-03-01T00:00:00Z', summary: 'Earlier sign-in, reported late' });
      expect(older.status).toBe(201);
      expect(await lastSignIn(bob)).toEqual(new Date(at));
      // A configuration change is stored and audited, and is not a sign-in.
      const change = await post({ type: 'config_change', email: 'olga@acme.test', occurred_at: '2026-04-02T10:00:00+02:00', summary: 'Changed the billing plan', details: { from: 'basic', to: 'pro' } });
      expect(change.status).toBe(201);
      expect(change.json.occurred_at).toBe('2026-04-02T08:00:00.000Z');
      expect(await lastSignIn(olga)).toBeNull();
      expect((await stored()).map((r) => r.kind)).toEqual(['sign_in', 'sign_in', 'config_change']);
      expect(await ingestAudits()).toHaveLength(3);
    });

    it('stores an event sent five times at once exactly once: one 201, four duplicates', async () => {
      const before = (await stored()).length;
      const auditsBefore = (await ingestAudits()).length;
      const body = { type: 'config_change', email: 'olga@acme.test', occurred_at: new Date().toISOString(), summary: 'Rotated a secret' };
      const results = await Promise.all(Array.from({ length: 5 }, () => post(body, { idempotencyKey: 'rotate-1' })));
      expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 201]);
      expect(new Set(results.map((r) => r.json.id)).size).toBe(1);
      expect(results.filter((r) => r.json.duplicate)).toHaveLength(4);
      expect((await stored()).length).toBe(before + 1);
      expect((await ingestAudits()).length).toBe(auditsBefore + 1);
    });

    it('answers 404 for unknown and removed members, storing nothing', async () => {
      const before = await auditActions(t.db, org.id);
      for (const email of ['nobody@acme.test', 'rita@acme.test', 'zed@other.test']) {
        const res = await post({ type: 'sign_in', email, occurred_at: new Date().toISOString(), summary: 'Signed in' });
        expectProblem(res, 404);
        expect(res.json.detail).toBe(`${email} is not a member of this organization.`);
      }
      expect(await t.db.selectFrom('activity_events').select('id').where('member_id', '=', rita.id).execute()).toEqual([]);
      expect(await t.db.selectFrom('activity_events').select('id').where('member_id', '=', otherMember.id).execute()).toEqual([]);
      expect(await auditActions(t.db, org.id)).toEqual(before);
    });

    it('answers 400 listing every invalid field, and for malformed JSON; 415 for a non-JSON body', async () => {
      const before = (await stored()).length;
      const bad = await post({ type: 'sign_out', email: 'not-an-email', occurred_at: 'yesterday', summary: '   ', details: [1], extra: true }, { idempotencyKey: null });
      expectProblem(bad, 400);
      expect(bad.json.detail).toBe('The event is not valid; see errors.');
      expect(bad.json.errors).toEqual([
        { field: 'Idempotency-Key', message: 'header required: 1 to 200 visible ASCII characters, unique per event' },
        { field: 'type', message: 'must be sign_in or config_change' },
        { field: 'email', message: 'must be an email address' },
        { field: 'occurred_at', message: 'must be an ISO 8601 date-time with a time zone, e.g. 2026-01-31T09:00:00Z' },
        { field: 'summary', message: 'must not be empty' },
        { field: 'details', message: 'must be a JSON object' },
        { field: 'extra', message: 'is not a known field' },
      ]);

      const missing = await post({});
      expect(missing.json.errors.map((e: { field: string }) => e.field)).toEqual(['type', 'email', 'occurred_at', 'summary']);
      const future = await post({ type: 'sign_in', email: 'bob@acme.test', occurred_at: new Date(Date.now() + 3_600_000).toISOString(), summary: 'From the future' });
      expect(future.json.errors).toEqual([{ field: 'occurred_at', message: 'must not be in the future' }]);
      const long = await post({ type: 'sign_in', email: 'bob@acme.test', occurred_at: new Date().toISOString(), summary: 'x'.repeat(501), details: { s: 'a\u0000b' } });
      expect(long.json.errors).toEqual([
        { field: 'summary', message: 'must be at most 500 characters' },
        { field: 'details', message: 'must not contain NUL characters' },
      ]);
      const array = await post([1, 2]);
      expect(array.json.errors).toEqual([{ field: '(body)', message: expect.any(String) }]);

      const malformed = await call('/events', { key: keys.write, method: 'POST', rawBody: '{"type": "sign_in",', headers: { 'content-type': 'application/json', 'idempotency-key': 'm-1' } });
      expectProblem(malformed, 400);
      expect(malformed.json.errors).toEqual([{ field: '(body)', message: 'is not valid JSON' }]);
      const text = await call('/events', { key: keys.write, method: 'POST', rawBody: 'type=sign_in', headers: { 'content-type': 'text/plain', 'idempotency-key': 't-1' } });
      expectProblem(text, 415);
      expect((await stored()).length).toBe(before);
    });

    it('answers 413 for a body over 64 KiB, and takes one just under it', async () => {
      const before = (await stored()).length;
      const envelope = { type: 'config_change', email: 'olga@acme.test', occurred_at: new Date().toISOString(), summary: 'Big details' };
      const padding = 64 * 1024 - JSON.stringify({ ...envelope, details: { pad: '' } }).length;
      const fits = await post({ ...envelope, details: { pad: 'x'.repeat(padding) } });
      expect(fits.status).toBe(201);
      const tooBig = await post({ ...envelope, details: { pad: 'x'.repeat(padding + 1) } });
      expectProblem(tooBig, 413);
      expect(tooBig.json.detail).toBe('The request body is larger than 64 KiB.');
      expect((await stored()).length).toBe(before + 1);
    });
  });

  describe('rate limit', () => {
    it('answers 429 with Retry-After once a key has used its burst, per key, as a problem', async () => {
      // The same web app the server runs, with a limit small enough to reach in a test.
      const logs = captureLogs();
      const app = createWebApp({ db: t.db, log: logs.log, api: { rateLimit: { burst: 3, perSecond: 0.5 } } });
      finishWebApp(app);
      const server = http.createServer(app);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      try {
        const statuses = [];
        for (let i = 0; i < 3; i++) statuses.push((await call('/members', { key: keys.read }, base)).status);
        expect(statuses).toEqual([200, 200, 200]);
        const limited = await call('/members', { key: keys.read }, base);
        expectProblem(limited, 429);
        expect(limited.headers.get('retry-after')).toBe('2');
        expect(limited.json.detail).toBe('Too many requests with this API key; retry in 2 s.');
        // Writes count against the same key's budget; another key has its own.
        expect((await call('/members', { key: keys.write }, base)).status).toBe(200);
        expectProblem(await call('/members', { key: keys.read }, base), 429);
        expect(allKeys.some((k) => logs.text().includes(k))).toBe(false);
        expect(logs.lines().filter((l) => l.msg === 'request' && l.status === 429)).toHaveLength(2);
      } finally {
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    });
  });

  it('never writes a key to any log line (and the log did see these requests)', async () => {
    const text = h.logs.text();
    const requests = h.logs.lines().filter((l) => l.msg === 'request');
    for (const status of [200, 201, 400, 401, 403, 404, 413]) expect(requests.some((l) => l.status === status)).toBe(true);
    expect(text).toContain('API request refused: not authenticated');
    expect(allKeys.length).toBeGreaterThanOrEqual(6);
    for (const key of allKeys) {
      expect(text).not.toContain(key);
      expect(text).not.toContain(key.slice(10));
    }
    // Request lines name the full route, with a looked-up member's email replaced.
    const lookups = requests.filter((l) => String(l.path).startsWith('/api/v1/members/'));
    expect(lookups.length).toBeGreaterThan(0);
    for (const l of lookups) expect(l.path).toBe('/api/v1/members/:email');
  });
});

/** RFC 4180: fields separated by commas, records by CRLF; quoted fields may hold commas, quotes ("") and line breaks. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i++;
    } else field += c;
  }
  if (field !== '' || record.length > 0) throw new Error('CSV does not end with a line break');
  return records;
}
