import { describe, expect, it } from 'vitest';
import { LIMITS, validateBlocks, validateView } from '../../src/standin/block-kit-limits.js';
import { AUDIT_PAGE_SIZE, encodeAuditCursor, type AuditPage } from '../../src/activity/audit-log.js';
import { CONFIG_CHANGES_LIMIT, ROLE_HISTORY_LIMIT, type MemberActivity } from '../../src/activity/member-activity.js';
import type { AuditEvent, Member } from '../../src/db/schema.js';
import { AUDIT_LOG_ACTIONS, auditLogMessage, encodeAuditNav, parseAuditNav } from '../../src/slack/blocks/audit-log.js';
import { activityRefusedModal, memberActivityMessage, memberActivityModal } from '../../src/slack/blocks/member-activity.js';
import { wire, type Wire } from '../support/block-kit.js';

/**
 * The activity view and the audit page at their worst — the longest names, reasons and
 * summaries people can type, made of the characters escaping grows, every list full — stay
 * within Slack's limits, and nothing anyone typed can ping or link.
 */

const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const NASTY = '&<>'.repeat(200); // 600 characters, each 4–5 once escaped

function member(n: number, overrides: Partial<Member> = {}): Member {
  return {
    id: uuid(n),
    organization_id: uuid(0),
    email: `${'&'.repeat(240)}${n}@ex.test`.slice(0, 254),
    slack_user_id: null,
    slack_guest: false,
    owner_until: null,
    owner_expiry_held_at: null,
    display_name: `${NASTY}<!channel>`,
    role: 'member',
    status: 'active',
    joined_at: new Date('2026-01-02T03:04:05Z'),
    invited_by_member_id: null,
    removed_at: null,
    removed_by_member_id: null,
    removal_reason: null,
    restored_at: null,
    external_id: null,
    user_name: null,
    given_name: null,
    family_name: null,
    last_sign_in_at: null,
    last_slack_activity_at: null,
    role_rank: 1,
    sort_name: 'x',
    created_at: new Date(),
    updated_at: new Date(),
    ...overrides,
  };
}

function worstActivity(): MemberActivity {
  const nasty = member(2);
  return {
    member: member(1),
    viewerIsMember: false,
    invitedBy: nasty,
    roleHistory: Array.from({ length: ROLE_HISTORY_LIMIT }, (_, i) => ({
      fromRole: i === 0 ? null : 'member',
      toRole: 'owner',
      changedBy: member(10 + i),
      source: 'slack',
      changedAt: new Date(Date.UTC(2026, 0, 1 + i)),
    })),
    moreRoleHistory: true,
    lastSignInAt: new Date('2026-02-01T00:00:00Z'),
    lastSlackActivityAt: null,
    configChanges: Array.from({ length: CONFIG_CHANGES_LIMIT }, (_, i) =>
      i % 2 === 0
        ? { kind: 'reported' as const, occurredAt: new Date(Date.UTC(2026, 1, 10 - i)), summary: `${NASTY}<!here>`.slice(0, 500), details: null }
        : {
            kind: 'settings' as const,
            occurredAt: new Date(Date.UTC(2026, 1, 10 - i)),
            before: { allowed_email_domains: [] },
            after: { allowed_email_domains: Array.from({ length: 50 }, (_, d) => `${'&'.repeat(50)}${d}.example.com`), access_review_cadence: NASTY },
            source: 'slack' as const,
          },
    ),
  };
}

function mrkdwnTexts(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(mrkdwnTexts);
  if (typeof node !== 'object' || node === null) return [];
  const o = node as Record<string, unknown>;
  const own = o.type === 'mrkdwn' && typeof o.text === 'string' ? [o.text] : [];
  return [...own, ...Object.values(o).flatMap(mrkdwnTexts)];
}

function auditEvent(n: number): AuditEvent {
  return {
    id: String(1000 + n),
    organization_id: uuid(0),
    actor_type: 'member',
    actor_id: uuid(1),
    action: n % 2 === 0 ? 'removal.requested' : 'settings.changed',
    target_type: n % 2 === 0 ? 'removal_request' : 'organization',
    target_id: uuid(500 + n),
    before: { allowed_email_domains: [] },
    after: { target_member_id: uuid(2), reason: `${NASTY}<!channel>`, allowed_email_domains: Array.from({ length: 50 }, (_, d) => `${'&'.repeat(60)}${d}.com`) },
    source: 'slack',
    occurred_at: new Date(Date.UTC(2026, 2, 1, 0, n)),
  };
}

describe('activity blocks', () => {
  it('the /team activity message and the modal fit Slack’s limits at the worst case, and escape everything', () => {
    const activity = worstActivity();
    const message = memberActivityMessage(activity);
    expect(validateBlocks(message.blocks, 'message')).toEqual([]);
    expect(message.blocks!.length).toBeLessThanOrEqual(9);
    const modal = memberActivityModal(activity);
    expect(validateView(modal, 'modal')).toEqual([]);
    expect(modal.title.text.length).toBeLessThanOrEqual(LIMITS.viewTitle);

    const texts = mrkdwnTexts(message.blocks).join('\n');
    expect(texts).not.toMatch(/<!channel>|<!here>/);
    expect(message.text).not.toContain('<');
    expect(texts).toContain('*Role history*');
    expect(texts).toContain('*Recent configuration changes*');
    // Lists too long for one section are cut, and say so.
    expect(texts).toMatch(/…and \d+ more/);
  });

  it('shows the facts of an ordinary member plainly', () => {
    const alice = member(7, { display_name: 'Alice Archer', email: 'alice@acme.test', slack_user_id: 'U0ALICE001' });
    const activity: MemberActivity = {
      member: member(8, { display_name: 'Bob Baker', email: 'bob@acme.test', slack_user_id: 'U0BOB00001', last_sign_in_at: new Date('2026-02-01T00:00:00Z') }),
      viewerIsMember: true,
      invitedBy: alice,
      roleHistory: [{ fromRole: 'member', toRole: 'owner', changedBy: alice, source: 'slack', changedAt: new Date('2026-01-05T00:00:00Z') }],
      moreRoleHistory: false,
      lastSignInAt: new Date('2026-02-01T00:00:00Z'),
      lastSlackActivityAt: null,
      configChanges: [{ kind: 'reported', occurredAt: new Date('2026-02-02T00:00:00Z'), summary: 'Enabled SSO', details: null }],
    };
    const text = mrkdwnTexts(memberActivityMessage(activity).blocks).join('\n');
    expect(text).toContain('*Bob Baker* (bob@acme.test) <@U0BOB00001> _(you)_');
    expect(text).toContain('*Invited by*\n<@U0ALICE001>');
    expect(text).toContain('Member → Owner, by <@U0ALICE001> (in Slack)');
    expect(text).toContain('*Last sign-in*\n<!date^');
    expect(text).toContain('*Last activity in Slack*\nnot seen yet');
    expect(text).toContain('Enabled SSO');
    expect(validateView(activityRefusedModal("Members can see their own activity; only owners can see other people's."), 'modal')).toEqual([]);
  });

  it('says where a change came from: a role given and a removal made by the identity provider read as such, "via SCIM"', () => {
    const removed = member(9, { email: 'erin@acme.test', status: 'removed', removed_at: new Date('2026-03-01T00:00:00Z'), removal_reason: 'deactivated in your identity provider' });
    const activity: MemberActivity = {
      member: removed,
      viewerIsMember: false,
      invitedBy: null,
      roleHistory: [
        { fromRole: 'member', toRole: 'owner', changedBy: null, source: 'scim', changedAt: new Date('2026-02-05T00:00:00Z') },
        { fromRole: null, toRole: 'member', changedBy: null, source: 'scim', changedAt: new Date('2026-01-05T00:00:00Z') },
      ],
      moreRoleHistory: false,
      lastSignInAt: null,
      lastSlackActivityAt: null,
      configChanges: [],
    };
    const text = mrkdwnTexts(memberActivityMessage(activity).blocks).join('\n');
    expect(text).toMatch(/removed <!date\^\d+\^[^>]+> \(deactivated in your identity provider\)/);
    expect(text).toContain('Member → Owner, by your identity provider (via SCIM)');
    expect(text).toContain('joined as Member, by your identity provider (via SCIM)');
  });
});

describe('audit page blocks', () => {
  it(`a page of ${AUDIT_PAGE_SIZE} of the longest events, with both buttons, fits a message and escapes everything`, () => {
    const page: AuditPage = {
      events: Array.from({ length: AUDIT_PAGE_SIZE }, (_, i) => auditEvent(i)),
      lookup: { members: new Map([member(1), member(2)].map((m) => [m.id, m])), invitations: new Map(), apiKeys: new Map() },
      target: member(2),
      action: 'invitation.accepted_later_than_expected_by_a_long_margin_of_time',
      olderCursor: encodeAuditCursor('9223372036854775807'),
      newerCursor: encodeAuditCursor('9223372036854775806'),
    };
    const reply = auditLogMessage(page, '/team');
    expect(validateBlocks(reply.blocks, 'message')).toEqual([]);
    expect(reply.blocks!.length).toBeLessThanOrEqual(6 + AUDIT_PAGE_SIZE);
    const texts = mrkdwnTexts(reply.blocks).join('\n');
    expect(texts).not.toMatch(/<!channel>/);

    const buttons: Wire[] = wire(reply.blocks).flatMap((b: Wire) => b.elements ?? []).filter((e: Wire) => e.type === 'button');
    expect(buttons.map((b) => b.action_id)).toEqual([AUDIT_LOG_ACTIONS.newer, AUDIT_LOG_ACTIONS.older]);
    for (const b of buttons) {
      expect(String(b.value).length).toBeLessThanOrEqual(LIMITS.buttonValue);
      expect(parseAuditNav(String(b.value))).toMatchObject({ t: uuid(2), a: page.action });
    }
  });

  it('round-trips the buttons’ value and refuses anything else', () => {
    const value = encodeAuditNav({ c: encodeAuditCursor('12'), t: uuid(3), a: 'member' });
    expect(parseAuditNav(value)).toEqual({ c: encodeAuditCursor('12'), t: uuid(3), a: 'member' });
    expect(parseAuditNav(encodeAuditNav({ c: 'x' }))).toEqual({ c: 'x' });
    expect(parseAuditNav('{"c":"x","admin":true}')).toBeUndefined();
    expect(parseAuditNav('{"c":"x","t":"not-a-uuid"}')).toBeUndefined();
    expect(parseAuditNav('nope')).toBeUndefined();
    expect(parseAuditNav(undefined)).toBeUndefined();
  });

  it('an empty page says so, without buttons', () => {
    const reply = auditLogMessage({ events: [], lookup: { members: new Map(), invitations: new Map(), apiKeys: new Map() }, target: null, action: 'api_key', olderCursor: null, newerCursor: null }, '/team');
    expect(validateBlocks(reply.blocks, 'message')).toEqual([]);
    expect(JSON.stringify(reply.blocks)).toContain('No events match these filters.');
    expect(JSON.stringify(reply.blocks)).not.toContain('audit_log.');
  });
});
