import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Member, Organization } from '../../src/db/schema.js';
import { readMemberActivity, touchSlackActivity, CONFIG_CHANGES_LIMIT, ROLE_HISTORY_LIMIT } from '../../src/activity/member-activity.js';
import { changeRole } from '../../src/team/members.js';
import { updateSettings } from '../../src/team/settings.js';
import { NOT_A_MEMBER_MESSAGE } from '../../src/team/policy.js';
import { useTestDatabase } from '../support/database.js';
import { seedMember, seedOrganization } from '../support/seed.js';
import { refusalOf } from '../support/refusal.js';

/**
 * readMemberActivity against PostgreSQL: the facts (joined, invited by, role history, last
 * sign-in, last activity in Slack, the last 10 configuration changes merged from what the
 * product reported and the settings changed in the app), and who may see them.
 */
const t = useTestDatabase();
let org: Organization;
let other: Organization;
let alice: Member;
let bob: Member;
let carol: Member;
let gone: Member;
let stranger: Member;

const at = (minute: number) => new Date(Date.UTC(2026, 10, 1, 12, minute));

async function reported(member: Member, minute: number, summary: string, kind: 'config_change' | 'sign_in' = 'config_change') {
  await t.db
    .insertInto('activity_events')
    .values({
      organization_id: member.organization_id,
      member_id: member.id,
      kind,
      occurred_at: at(minute),
      summary,
      details: JSON.stringify({ minute }),
      idempotency_key: `${member.id}:${kind}:${minute}`,
    })
    .execute();
}

async function settingsEvent(actor: Member, minute: number, before: object, after: object) {
  await t.db
    .insertInto('audit_events')
    .values({
      organization_id: actor.organization_id,
      actor_type: 'member',
      actor_id: actor.id,
      action: 'settings.changed',
      target_type: 'organization',
      target_id: actor.organization_id,
      before: JSON.stringify(before),
      after: JSON.stringify(after),
      source: 'slack',
      occurred_at: at(minute),
    })
    .execute();
}

beforeAll(async () => {
  org = await seedOrganization(t.db, 'T_ACTIVITY', { team_channel_id: 'C0TEAM0001', name: 'Acme' });
  other = await seedOrganization(t.db, 'T_ACTIVITY_OTHER', { name: 'Other' });
  alice = await seedMember(t.db, org, 'alice@acme.test', 'owner', { slackUserId: 'U0ALICE001', displayName: 'Alice Archer' });
  bob = await seedMember(t.db, org, 'bob@acme.test', 'member', { slackUserId: 'U0BOB00001', displayName: 'Bob Baker' });
  carol = await seedMember(t.db, org, 'carol@acme.test', 'member', { slackUserId: 'U0CAROL001' });
  gone = await seedMember(t.db, org, 'gone@acme.test', 'owner', { slackUserId: 'U0GONE0001', removed: true });
  stranger = await seedMember(t.db, other, 'owner@other.test', 'owner');
  await t.db
    .updateTable('members')
    .set({ invited_by_member_id: alice.id, last_sign_in_at: at(50), joined_at: at(0) })
    .where('id', '=', bob.id)
    .execute();
  await t.db.insertInto('member_role_changes').values({ organization_id: org.id, member_id: bob.id, from_role: null, to_role: 'member', changed_by_member_id: alice.id, source: 'web', changed_at: at(0) }).execute();

  // Real role changes (the service writes the history), then a real settings change by Bob while an owner.
  await changeRole(t.db, { organizationId: org.id, actorMemberId: alice.id, targetMemberId: bob.id, role: 'owner', source: 'slack' });
  await updateSettings(t.db, { organizationId: org.id, actorMemberId: bob.id, changes: { invitation_expiry_days: 14 }, source: 'slack' });
  await changeRole(t.db, { organizationId: org.id, actorMemberId: alice.id, targetMemberId: bob.id, role: 'member', source: 'slack' });

  // Reported configuration changes (minutes 1..8) and older settings changes (minutes 2, 4, 6, 9.. as audit events).
  for (let minute = 1; minute <= 8; minute++) await reported(bob, minute, `Changed setting #${minute}`);
  for (const minute of [2, 4, 6]) await settingsEvent(bob, minute, { require_sso: false }, { require_sso: true });
  // Not Bob's: a sign-in (not a configuration change), Carol's change, Alice's settings change.
  await reported(bob, 40, 'Signed in', 'sign_in');
  await reported(carol, 30, 'Carol changed something');
  await settingsEvent(alice, 31, { require_sso: true }, { require_sso: false });
});

describe('readMemberActivity', () => {
  it("an owner sees a member's joined date, inviter, role history, last sign-in and the last 10 configuration changes", async () => {
    const activity = await readMemberActivity(t.db, { organizationId: org.id, viewerMemberId: alice.id, targetMemberId: bob.id });
    expect(activity.member.id).toBe(bob.id);
    expect(activity.viewerIsMember).toBe(false);
    expect(activity.member.joined_at).toEqual(at(0));
    expect(activity.invitedBy).toMatchObject({ id: alice.id, slack_user_id: 'U0ALICE001' });
    expect(activity.lastSignInAt).toEqual(at(50));
    expect(activity.lastSlackActivityAt).toBeNull();

    // Newest first: demoted, promoted (both by Alice, in Slack), then joined.
    expect(activity.roleHistory.map((r) => [r.fromRole, r.toRole, r.changedBy?.id, r.source])).toEqual([
      ['owner', 'member', alice.id, 'slack'],
      ['member', 'owner', alice.id, 'slack'],
      [null, 'member', alice.id, 'web'],
    ]);
    expect(activity.moreRoleHistory).toBe(false);

    // The settings change made in the app (now) is the newest; then reported ones and older settings changes merged by time.
    const changes = activity.configChanges;
    expect(changes).toHaveLength(CONFIG_CHANGES_LIMIT);
    expect(changes[0]).toMatchObject({ kind: 'settings', after: { invitation_expiry_days: 14 }, before: { invitation_expiry_days: 7 } });
    const rest = changes.slice(1).map((c) => (c.kind === 'reported' ? c.summary : `settings@${c.occurredAt.getUTCMinutes()}`));
    expect(rest).toEqual([
      'Changed setting #8',
      'Changed setting #7',
      'Changed setting #6',
      'settings@6',
      'Changed setting #5',
      'Changed setting #4',
      'settings@4',
      'Changed setting #3',
      'Changed setting #2',
    ].slice(0, CONFIG_CHANGES_LIMIT - 1));
    for (let i = 1; i < changes.length; i++) expect(changes[i - 1]!.occurredAt.getTime()).toBeGreaterThanOrEqual(changes[i]!.occurredAt.getTime());
    // Nothing of anyone else's (Alice's settings change at minute 31 would come second), and no sign-ins.
    const texts = JSON.stringify(changes);
    expect(texts).not.toContain('Carol changed');
    expect(texts).not.toContain('Signed in');
  });

  it('a member sees their own activity, and is refused anyone else’s with the policy’s sentence', async () => {
    const own = await readMemberActivity(t.db, { organizationId: org.id, viewerMemberId: bob.id, targetMemberId: bob.id });
    expect(own.viewerIsMember).toBe(true);
    expect(own.invitedBy?.id).toBe(alice.id);

    const refused = await refusalOf(readMemberActivity(t.db, { organizationId: org.id, viewerMemberId: bob.id, targetMemberId: carol.id }));
    expect(refused.code).toBe('forbidden');
    expect(refused.message).toBe("Members can see their own activity; only owners can see other people's.");
  });

  it('refuses non-members, removed members and other organizations’ owners; an unknown person is "not a member"', async () => {
    for (const viewerMemberId of [null, gone.id, stranger.id]) {
      const refused = await refusalOf(readMemberActivity(t.db, { organizationId: org.id, viewerMemberId, targetMemberId: bob.id }));
      expect(refused.message).toBe(NOT_A_MEMBER_MESSAGE);
    }
    // Another organization's member is nobody here, even for an owner.
    const foreign = await refusalOf(readMemberActivity(t.db, { organizationId: org.id, viewerMemberId: alice.id, targetMemberId: stranger.id }));
    expect(foreign.code).toBe('not_found');
    const unknown = await refusalOf(readMemberActivity(t.db, { organizationId: org.id, viewerMemberId: alice.id, targetMemberId: 'not-an-id' }));
    expect(unknown.code).toBe('not_found');
    // A non-member learns nothing about who exists.
    const probe = await refusalOf(readMemberActivity(t.db, { organizationId: org.id, viewerMemberId: null, targetMemberId: stranger.id }));
    expect(probe.message).toBe(NOT_A_MEMBER_MESSAGE);
  });

  it('an owner can read a removed member’s activity', async () => {
    const activity = await readMemberActivity(t.db, { organizationId: org.id, viewerMemberId: alice.id, targetMemberId: gone.id });
    expect(activity.member.status).toBe('removed');
    expect(activity.configChanges).toEqual([]);
    expect(activity.invitedBy).toBeNull();
  });

  it(`lists the latest ${ROLE_HISTORY_LIMIT} role changes and says there were more`, async () => {
    const many = await seedMember(t.db, org, 'many@acme.test', 'member');
    await t.db
      .insertInto('member_role_changes')
      .values(
        Array.from({ length: ROLE_HISTORY_LIMIT + 2 }, (_, i) => ({
          organization_id: org.id,
          member_id: many.id,
          from_role: i === 0 ? null : i % 2 === 1 ? ('member' as const) : ('owner' as const),
          to_role: i % 2 === 0 ? ('member' as const) : ('owner' as const),
          changed_by_member_id: i === 0 ? null : alice.id,
          source: 'slack' as const,
          changed_at: at(i),
        })),
      )
      .execute();
    const activity = await readMemberActivity(t.db, { organizationId: org.id, viewerMemberId: alice.id, targetMemberId: many.id });
    expect(activity.roleHistory).toHaveLength(ROLE_HISTORY_LIMIT);
    expect(activity.roleHistory[0]!.changedAt).toEqual(at(ROLE_HISTORY_LIMIT + 1));
    expect(activity.moreRoleHistory).toBe(true);
  });
});

describe('touchSlackActivity', () => {
  it('writes at most once per 5 minutes per active member, never for removed members or strangers, and audits nothing', async () => {
    const auditBefore = await t.db.selectFrom('audit_events').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(await touchSlackActivity(t.db, org.id, 'U0CAROL001')).toBe(true);
    const first = (await t.db.selectFrom('members').select(['last_slack_activity_at', 'updated_at']).where('id', '=', carol.id).executeTakeFirstOrThrow());
    expect(first.last_slack_activity_at).toBeInstanceOf(Date);
    expect(await touchSlackActivity(t.db, org.id, 'U0CAROL001')).toBe(false);
    const second = await t.db.selectFrom('members').select('last_slack_activity_at').where('id', '=', carol.id).executeTakeFirstOrThrow();
    expect(second.last_slack_activity_at).toEqual(first.last_slack_activity_at);

    // Four minutes ago: still within the interval. Six minutes ago: written again.
    await sql`update members set last_slack_activity_at = now() - interval '4 minutes' where id = ${carol.id}`.execute(t.db);
    expect(await touchSlackActivity(t.db, org.id, 'U0CAROL001')).toBe(false);
    await sql`update members set last_slack_activity_at = now() - interval '6 minutes' where id = ${carol.id}`.execute(t.db);
    expect(await touchSlackActivity(t.db, org.id, 'U0CAROL001')).toBe(true);

    expect(await touchSlackActivity(t.db, org.id, 'U0GONE0001')).toBe(false);
    expect(await touchSlackActivity(t.db, org.id, 'U0NOBODY01')).toBe(false);
    // The same Slack id in another organization's workspace is another person.
    expect(await touchSlackActivity(t.db, other.id, 'U0CAROL001')).toBe(false);
    const auditAfter = await t.db.selectFrom('audit_events').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(auditAfter.n).toBe(auditBefore.n);

    const activity = await readMemberActivity(t.db, { organizationId: org.id, viewerMemberId: carol.id, targetMemberId: carol.id });
    expect(activity.lastSlackActivityAt).toBeInstanceOf(Date);
  });
});
