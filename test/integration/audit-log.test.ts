import { Kysely, PostgresDialect, sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Database, Member, Organization } from '../../src/db/schema.js';
import { encodeAuditCursor, readAuditPage, type AuditPageQuery } from '../../src/activity/audit-log.js';
import { ACTION_PREFIXES } from '../../src/events/audit-actions.js';
import { auditSentence } from '../../src/slack/blocks/audit-sentences.js';
import { changeRole } from '../../src/team/members.js';
import { createInvitations } from '../../src/team/invitations.js';
import { requestRemoval } from '../../src/team/removals.js';
import { NOT_A_MEMBER_MESSAGE } from '../../src/team/policy.js';
import { useTestDatabase } from '../support/database.js';
import { seedMember, seedOrganization } from '../support/seed.js';
import { refusalOf } from '../support/refusal.js';

/**
 * readAuditPage against PostgreSQL: owners only; keyset pages that walk every event exactly
 * once in both directions (including events written in one transaction, which share their
 * microsecond); filters by person and by kind; names loaded per page, not per row.
 */
const t = useTestDatabase();
let org: Organization;
let other: Organization;
let alice: Member;
let bob: Member;
let carol: Member;
let dave: Member;
let otherOwner: Member;

type Row = { id: string; action: string };

/** The organization's events in page order, newest first (as the database sorts them). */
async function allEvents(organizationId: string): Promise<Row[]> {
  return t.db
    .selectFrom('audit_events')
    .select(['id', 'action'])
    .where('organization_id', '=', organizationId)
    .orderBy('occurred_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
}

const base = (overrides: Partial<AuditPageQuery> = {}): AuditPageQuery => ({ organizationId: org.id, viewerMemberId: alice.id, limit: 7, ...overrides });

beforeAll(async () => {
  org = await seedOrganization(t.db, 'T_AUDIT', { team_channel_id: 'C0TEAM0001', name: 'Acme' });
  other = await seedOrganization(t.db, 'T_AUDIT_OTHER', { name: 'Other' });
  alice = await seedMember(t.db, org, 'alice@acme.test', 'owner', { slackUserId: 'U0ALICE001', displayName: 'Alice Archer' });
  bob = await seedMember(t.db, org, 'bob@acme.test', 'member', { slackUserId: 'U0BOB00001', displayName: 'Bob Baker' });
  carol = await seedMember(t.db, org, 'carol@acme.test', 'owner', { displayName: 'Carol Chen' });
  dave = await seedMember(t.db, org, 'dave@acme.test', 'member');
  otherOwner = await seedMember(t.db, other, 'owner@other.test', 'owner');

  // Real changes through the services: they write the events the log shows.
  await changeRole(t.db, { organizationId: org.id, actorMemberId: alice.id, targetMemberId: bob.id, role: 'owner', source: 'slack' });
  await changeRole(t.db, { organizationId: org.id, actorMemberId: carol.id, targetMemberId: bob.id, role: 'member', source: 'slack' });
  await createInvitations(t.db, { organizationId: org.id, actorMemberId: alice.id, addresses: ['erin@acme.test', 'frank@acme.test'], role: 'member', source: 'slack' });
  await requestRemoval(t.db, { organizationId: org.id, actorMemberId: alice.id, targetMemberId: dave.id, reason: 'left the company', source: 'slack' });
  // Forty more in ONE statement: they share their occurred_at to the microsecond, so only the id orders them.
  await sql`
    insert into audit_events (organization_id, actor_type, actor_id, action, target_type, target_id, before, after, source)
    select ${org.id}::uuid, 'member', ${carol.id}, 'member.role_changed', 'member', ${dave.id},
           '{"role":"member"}'::jsonb, '{"role":"owner"}'::jsonb, 'slack'
    from generate_series(1, 40)`.execute(t.db);
  // Another organization's events are never shown.
  await sql`insert into audit_events (organization_id, actor_type, actor_id, action, target_type, target_id, source)
            values (${other.id}::uuid, 'member', ${otherOwner.id}, 'member.role_changed', 'member', ${bob.id}, 'slack')`.execute(t.db);
});

describe('readAuditPage', () => {
  it('walks every event exactly once with Older, and back to the latest with Newer', async () => {
    const expected = (await allEvents(org.id)).map((e) => e.id);
    expect(expected.length).toBeGreaterThanOrEqual(45);

    const pages: string[][] = [];
    let page = await readAuditPage(t.db, base());
    expect(page.newerCursor).toBeNull();
    pages.push(page.events.map((e) => e.id));
    while (page.olderCursor) {
      page = await readAuditPage(t.db, base({ before: page.olderCursor }));
      expect(page.newerCursor).not.toBeNull();
      pages.push(page.events.map((e) => e.id));
    }
    expect(pages.flat()).toEqual(expected);
    expect(pages.slice(0, -1).every((p) => p.length === 7)).toBe(true);

    // Back up: each Newer page is the page that was shown before it, until the latest.
    const back: string[][] = [page.events.map((e) => e.id)];
    while (page.newerCursor) {
      page = await readAuditPage(t.db, base({ after: page.newerCursor }));
      back.unshift(page.events.map((e) => e.id));
    }
    expect(new Set(back.flat()).size).toBe(back.flat().length);
    expect(back.flat()).toEqual(expected);
    expect(back[0]).toEqual(pages[0]);
  });

  it('never shows another organization’s events', async () => {
    const page = await readAuditPage(t.db, base({ limit: 50 }));
    const ids = new Set((await allEvents(other.id)).map((e) => e.id));
    expect(page.events.some((e) => ids.has(e.id))).toBe(false);
    expect(page.events.every((e) => e.organization_id === org.id)).toBe(true);
  });

  it('filters by kind: a prefix, a prefix with its dot, or one exact action', async () => {
    const everything = await allEvents(org.id);
    const members = await readAuditPage(t.db, base({ action: 'member', limit: 50 }));
    expect(members.action).toBe('member');
    expect(members.events.map((e) => e.id)).toEqual(everything.filter((e) => e.action.startsWith('member.')).map((e) => e.id));

    const invitations = await readAuditPage(t.db, base({ action: 'Invitation.', limit: 50 }));
    expect(invitations.events.map((e) => e.action)).toEqual(['invitation.sent', 'invitation.sent']);

    const requested = await readAuditPage(t.db, base({ action: 'removal.requested' }));
    expect(requested.events).toHaveLength(1);
    expect(requested.events[0]!.after).toMatchObject({ target_member_id: dave.id, reason: 'left the company' });

    const none = await readAuditPage(t.db, base({ action: 'api_key' }));
    expect(none.events).toEqual([]);
    expect(none.olderCursor).toBeNull();
  });

  it('filters by person: events about them, by them, and removal requests about them; combined with a kind', async () => {
    const about = await readAuditPage(t.db, base({ targetMemberId: bob.id, limit: 50 }));
    expect(about.target?.id).toBe(bob.id);
    expect(about.events.map((e) => e.action)).toEqual(['member.role_changed', 'member.role_changed']);
    expect(about.events.every((e) => e.target_id === bob.id)).toBe(true);

    // Dave: the 40 role changes and the removal request (whose target is the request, not Dave).
    const dave40 = await readAuditPage(t.db, base({ targetMemberId: dave.id, limit: 50 }));
    expect(dave40.events.filter((e) => e.action === 'member.role_changed')).toHaveLength(40);
    expect(dave40.events.filter((e) => e.action === 'removal.requested')).toHaveLength(1);

    // Carol as the actor: her demotion of Bob and the 40; combined with an exact action and paged.
    const carolPages: string[] = [];
    let page = await readAuditPage(t.db, base({ targetMemberId: carol.id, action: 'member.role_changed' }));
    for (;;) {
      carolPages.push(...page.events.map((e) => e.id));
      expect(page.events.every((e) => e.actor_id === carol.id)).toBe(true);
      if (!page.olderCursor) break;
      page = await readAuditPage(t.db, base({ targetMemberId: carol.id, action: 'member.role_changed', before: page.olderCursor }));
    }
    expect(carolPages).toHaveLength(41);
    expect(new Set(carolPages).size).toBe(41);

    // Alice: she acted (promotion, invitations, removal request), nobody acted on her.
    const aliceEvents = await readAuditPage(t.db, base({ targetMemberId: alice.id, limit: 50 }));
    expect(aliceEvents.events.map((e) => e.action).sort()).toEqual(['invitation.sent', 'invitation.sent', 'member.role_changed', 'removal.requested']);
  });

  it('loads every name a page mentions, so each sentence names real people', async () => {
    const page = await readAuditPage(t.db, base({ limit: 50 }));
    for (const id of [alice.id, bob.id, carol.id, dave.id]) expect(page.lookup.members.has(id)).toBe(true);
    expect([...page.lookup.invitations.values()].map((i) => i.email).sort()).toEqual(['erin@acme.test', 'frank@acme.test']);
    const sentences = page.events.map((e) => auditSentence(e, page.lookup));
    expect(sentences).toContain("<@U0ALICE001> changed <@U0BOB00001>'s role from Member to Owner.");
    expect(sentences).toContain("Carol Chen changed <@U0BOB00001>'s role from Owner to Member.");
    expect(sentences).toContain('<@U0ALICE001> invited erin@acme.test as a Member.');
    expect(sentences).toContain("<@U0ALICE001> asked to remove dave@acme.test, waiting for another owner's approval (reason: “left the company”).");
    expect(sentences.join('\n')).not.toContain('no longer on record');
  });

  it('reads a 50-event page and every name in it with at most 5 queries (no query per row)', async () => {
    let queries = 0;
    const counted = new Kysely<Database>({ dialect: new PostgresDialect({ pool: t.pool }), log: () => void queries++ });
    const page = await readAuditPage(counted, base({ limit: 50 }));
    expect(page.events.length).toBeGreaterThanOrEqual(45);
    // The reader, the events, then one query each for members, invitations and API keys mentioned.
    expect(queries).toBeLessThanOrEqual(5);
    expect(page.lookup.members.size).toBe(4);
  });

  it('refuses members and non-members; the refusal is the policy’s sentence', async () => {
    const member = await refusalOf(readAuditPage(t.db, base({ viewerMemberId: bob.id })));
    expect(member.code).toBe('forbidden');
    expect(member.message).toBe('Only owners can read the audit log. You are a member of this team.');
    for (const viewerMemberId of [null, otherOwner.id]) {
      const refused = await refusalOf(readAuditPage(t.db, base({ viewerMemberId })));
      expect(refused.message).toBe(NOT_A_MEMBER_MESSAGE);
    }
  });

  it('says which kinds exist for an unknown kind, and refuses cursors it did not write or from elsewhere', async () => {
    const unknown = await refusalOf(readAuditPage(t.db, base({ action: 'promotions' })));
    expect(unknown.code).toBe('invalid_filter');
    for (const prefix of ACTION_PREFIXES) expect(unknown.message).toContain(`\`${prefix}\``);

    for (const before of ['garbage', Buffer.from('{"i":"1; drop table x"}').toString('base64url'), encodeAuditCursor('999999999')]) {
      expect((await refusalOf(readAuditPage(t.db, base({ before })))).code).toBe('invalid_cursor');
    }
    const foreignEvent = (await allEvents(other.id))[0]!;
    expect((await refusalOf(readAuditPage(t.db, base({ before: encodeAuditCursor(foreignEvent.id) })))).code).toBe('invalid_cursor');

    const foreignTarget = await refusalOf(readAuditPage(t.db, base({ targetMemberId: otherOwner.id })));
    expect(foreignTarget.code).toBe('not_found');
  });
});
