import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ACTION_PREFIXES, KNOWN_ACTIONS, mentionedIds, type AuditEventLike, type AuditLookup, type AuditPerson } from '../../src/events/audit-actions.js';
import { actorName, auditSentence, settingsChangeSummary, sourceLabel } from '../../src/slack/blocks/audit-sentences.js';
import { parseActionFilter, unknownActionMessage } from '../../src/activity/audit-log.js';

/**
 * The audit log in words: every action the app writes has its own sentence, with real names
 * (mentions when linked), values from before/after, sensible names for non-member actors, and
 * everything a person typed escaped.
 */

const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const ALICE = uuid(1);
const BOB = uuid(2);
const CAROL = uuid(3);
const INVITATION = uuid(10);
const KEY = uuid(20);
const REQUEST = uuid(30);
const ORG = uuid(40);

const people: AuditPerson[] = [
  { id: ALICE, slack_user_id: 'U0ALICE001', display_name: 'Alice Archer', email: 'alice@acme.test' },
  { id: BOB, slack_user_id: 'U0BOB00001', display_name: 'Bob Baker', email: 'bob@acme.test' },
  // Not linked to Slack: named by name, escaped.
  { id: CAROL, slack_user_id: null, display_name: 'Carol <!channel> & co', email: 'carol@acme.test' },
];
const lookup: AuditLookup = {
  members: new Map(people.map((p) => [p.id, p])),
  invitations: new Map([[INVITATION, { email: 'dave@acme.test' }]]),
  apiKeys: new Map([[KEY, { prefix: 'tm_live_ab12', name: 'Billing' }]]),
};

function event(overrides: Partial<AuditEventLike> & Pick<AuditEventLike, 'action'>): AuditEventLike {
  return { actor_type: 'member', actor_id: ALICE, target_type: null, target_id: null, before: null, after: null, source: 'slack', ...overrides };
}
const onMember = (id: string) => ({ target_type: 'member', target_id: id });
const onInvitation = { target_type: 'invitation', target_id: INVITATION };
const onRequest = { target_type: 'removal_request', target_id: REQUEST };

/** One representative event per action, shaped as the services write them, and its sentence. */
const CASES: Array<[AuditEventLike, string]> = [
  [event({ action: 'webhook.endpoint_created', target_type: 'webhook_endpoint', target_id: uuid(70), after: { url: 'https://x.test/h', event_types: ['member.removed'] } }), '<@U0ALICE001> added the webhook endpoint https://x.test/h.'],
  [event({ action: 'webhook.endpoint_updated', target_type: 'webhook_endpoint', target_id: uuid(70), before: { status: 'active', url: 'https://x.test/h' }, after: { status: 'paused', url: 'https://x.test/h' } }), '<@U0ALICE001> changed the webhook endpoint https://x.test/h (now paused).'],
  [event({ action: 'webhook.endpoint_deleted', target_type: 'webhook_endpoint', target_id: uuid(70), before: { url: 'https://x.test/h' } }), '<@U0ALICE001> deleted the webhook endpoint https://x.test/h.'],
  [event({ action: 'webhook.secret_rotated', target_type: 'webhook_endpoint', target_id: uuid(70), after: {} }), "<@U0ALICE001> rotated a webhook endpoint's signing secret (the old one stays valid for 24 hours)."],
  [event({ action: 'webhook.endpoint_disabled', actor_type: 'system', actor_id: null, target_type: 'webhook_endpoint', target_id: uuid(70), after: { status: 'disabled' } }), 'Team Manager disabled a webhook endpoint that had failed every delivery for 3 days.'],
  [event({ action: 'webhook.redelivery_requested', target_type: 'webhook_endpoint', target_id: uuid(70), after: { count: 2 } }), '<@U0ALICE001> asked to redeliver 2 webhook events.'],
  [
    event({ action: 'slack.installed', actor_type: 'slack_user', actor_id: 'U0ALICE001', target_type: 'organization', target_id: ORG, after: { bot_scopes: ['commands', 'chat:write'] } }),
    '<@U0ALICE001> installed Team Manager in Slack with the scopes commands, chat:write.',
  ],
  [
    event({ action: 'slack.uninstalled', actor_type: 'system', actor_id: null, target_type: 'organization', target_id: ORG, after: { reason: 'tokens_revoked' } }),
    "Team Manager was cut off from Slack (its tokens were revoked); its tokens were deleted and the team's data kept.",
  ],
  [
    event({ action: 'organization.created', actor_type: 'system', actor_id: null, target_type: 'organization', target_id: ORG, after: { name: 'Acme', slack_team_id: 'T1' } }),
    'Team Manager connected this workspace (Acme) and created its team.',
  ],
  [
    event({
      action: 'settings.changed',
      target_type: 'organization',
      target_id: ORG,
      before: { team_channel_id: 'C0TEAM0001', invitation_expiry_days: 7, require_sso: false },
      after: { team_channel_id: 'C0OTHER001', invitation_expiry_days: 14, require_sso: true },
    }),
    '<@U0ALICE001> changed the team settings: Team channel (<#C0TEAM0001> → <#C0OTHER001>), Invitation expiry (7 days → 14 days), Require SSO (off → on).',
  ],
  [
    event({ action: 'member.added', actor_type: 'cli', actor_id: 'root', ...onMember(ALICE), after: { email: 'alice@acme.test', role: 'owner', status: 'active' }, source: 'cli' }),
    'The command line added <@U0ALICE001> as an Owner.',
  ],
  [
    event({ action: 'member.role_changed', ...onMember(BOB), before: { role: 'member' }, after: { role: 'owner' } }),
    "<@U0ALICE001> changed <@U0BOB00001>'s role from Member to Owner.",
  ],
  [
    event({ action: 'member.restored', ...onMember(BOB), before: { status: 'removed', role: 'owner' }, after: { status: 'active', role: 'owner' } }),
    '<@U0ALICE001> restored <@U0BOB00001> to the team as an Owner.',
  ],
  [
    event({ action: 'member.reactivated', actor_type: 'system', actor_id: 'BOOTSTRAP_OWNER_EMAILS', ...onMember(BOB), before: { role: 'member', status: 'removed' }, after: { role: 'owner', status: 'active' }, source: 'system' }),
    'Team Manager (from BOOTSTRAP_OWNER_EMAILS) brought <@U0BOB00001> back to the team as an Owner.',
  ],
  [
    event({ action: 'member.slack_linked', actor_type: 'system', actor_id: null, ...onMember(BOB), before: { slack_user_id: null }, after: { slack_user_id: 'U0BOB00001' } }),
    'Team Manager linked <@U0BOB00001> to their Slack account (<@U0BOB00001>), matched by the email on their Slack profile.',
  ],
  [
    event({ action: 'member.left', actor_id: BOB, ...onMember(BOB), before: { status: 'active', role: 'member' }, after: { status: 'removed', removed_by: BOB, reason: 'left the team' } }),
    '<@U0BOB00001> left the team.',
  ],
  [
    event({
      action: 'member.removed',
      actor_id: CAROL,
      ...onMember(BOB),
      before: { status: 'active', role: 'member' },
      after: { status: 'removed', removed_by: ALICE, reason: 'too many <!here> logins', requested_by: ALICE, approved_by: CAROL, removal_request_id: REQUEST },
    }),
    '<@U0ALICE001> removed <@U0BOB00001> from the team, approved by Carol &lt;!channel&gt; &amp; co (reason: “too many &lt;!here&gt; logins”).',
  ],
  [
    event({ action: 'member.email_changed', actor_type: 'system', actor_id: 'slack', ...onMember(BOB), before: { email: 'bob@acme.test' }, after: { email: 'bob.baker@acme.test', directory: 'Slack' } }),
    "Slack changed <@U0BOB00001>'s email from bob@acme.test to bob.baker@acme.test.",
  ],
  [
    event({ action: 'member.email_change_refused', actor_type: 'system', actor_id: 'slack', ...onMember(BOB), before: { email: 'bob@acme.test' }, after: { email: 'alice@acme.test', other_member_id: ALICE, directory: 'Slack' } }),
    'Slack reported a new email for <@U0BOB00001>, alice@acme.test; not applied, because another member has it.',
  ],
  [
    event({ action: 'member.deactivation_kept_last_owner', actor_type: 'system', actor_id: 'slack', ...onMember(ALICE), after: { status: 'active', role: 'owner', directory: 'Slack' } }),
    '<@U0ALICE001> was deactivated in Slack, but kept as the last owner until another owner is added (`npm run cli -- owners add <email>`).',
  ],
  [
    event({ action: 'member.guest_changed', actor_type: 'system', actor_id: 'slack', ...onMember(BOB), before: { guest: false }, after: { guest: true, role: 'member', directory: 'Slack' } }),
    'Slack reported <@U0BOB00001> as a guest of the workspace (guests cannot be made owners).',
  ],
  [
    event({ action: 'member.reactivation_reported', actor_type: 'system', actor_id: 'slack', ...onMember(BOB), after: { status: 'removed', directory: 'Slack' } }),
    '<@U0BOB00001> was reactivated in Slack; they stay removed from the team until invited again.',
  ],
  [
    event({ action: 'member.provisioned', actor_type: 'system', actor_id: 'scim', source: 'scim', ...onMember(BOB), after: { email: 'bob@acme.test', role: 'member', status: 'active', external_id: 'okta-1' } }),
    'The identity provider (SCIM) added <@U0BOB00001> as a Member.',
  ],
  [
    event({ action: 'member.profile_updated', actor_type: 'system', actor_id: 'scim', source: 'scim', ...onMember(BOB), before: { given_name: null }, after: { given_name: 'Bob', external_id: 'x1', directory: 'your identity provider' } }),
    "The identity provider (SCIM) updated <@U0BOB00001>'s given name, external id.",
  ],
  [
    event({ action: 'member.deleted_in_directory', actor_type: 'system', actor_id: 'scim', source: 'scim', ...onMember(BOB), after: { status: 'removed' } }),
    '<@U0BOB00001> was deleted in the identity provider (SCIM) as well (already removed from the team).',
  ],
  [
    event({ action: 'invitation.sent', ...onInvitation, after: { email: 'dave@acme.test', role: 'member', expires_at: '2026-12-01T00:00:00.000Z' } }),
    '<@U0ALICE001> invited dave@acme.test as a Member.',
  ],
  [
    event({ action: 'invitation.resent', ...onInvitation, before: { status: 'pending' }, after: { status: 'pending', send_count: 2 } }),
    '<@U0ALICE001> resent the invitation to dave@acme.test.',
  ],
  [event({ action: 'invitation.cancelled', ...onInvitation, before: { status: 'pending' }, after: { status: 'cancelled' } }), '<@U0ALICE001> cancelled the invitation to dave@acme.test.'],
  [
    event({ action: 'invitation.declined', actor_type: 'system', actor_id: 'invitee:dave@acme.test', ...onInvitation, before: { status: 'pending' }, after: { status: 'declined' }, source: 'web' }),
    'dave@acme.test declined the invitation.',
  ],
  [
    event({ action: 'invitation.expired', actor_type: 'system', actor_id: null, ...onInvitation, before: { status: 'pending' }, after: { status: 'expired' }, source: 'system' }),
    'The invitation to dave@acme.test expired.',
  ],
  [
    event({ action: 'invitation.accepted', actor_id: BOB, ...onMember(BOB), before: { invitation_status: 'pending' }, after: { invitation_id: INVITATION, role: 'member', status: 'active' } }),
    '<@U0BOB00001> accepted the invitation and joined as a Member.',
  ],
  [
    event({ action: 'removal.requested', ...onRequest, after: { status: 'pending', target_member_id: BOB, reason: 'left the company', expires_at: '2026-12-01T00:00:00.000Z' } }),
    "<@U0ALICE001> asked to remove <@U0BOB00001>, waiting for another owner's approval (reason: “left the company”).",
  ],
  [
    event({ action: 'removal.rejected', actor_id: CAROL, ...onRequest, before: { status: 'pending' }, after: { status: 'rejected', target_member_id: BOB, reason: 'still needed' } }),
    'Carol &lt;!channel&gt; &amp; co rejected the request to remove <@U0BOB00001> (reason: “still needed”).',
  ],
  [
    event({ action: 'member.owner_until_changed', ...onMember(BOB), before: { role: 'owner', owner_until: null }, after: { role: 'owner', owner_until: '2026-12-08T15:00:00.000Z' } }),
    '<@U0ALICE001> made <@U0BOB00001> an owner until <!date^1796742000^{date_short_pretty} at {time}|2026-12-08 15:00 UTC> (was a permanent owner).',
  ],
  [
    event({ action: 'member.owner_expiry_held', actor_type: 'system', actor_id: 'expiry', ...onMember(BOB), before: { role: 'owner', owner_until: '2026-12-08T15:00:00.000Z' }, after: { role: 'owner', owner_until: '2026-12-08T15:00:00.000Z', reason: 'last_owner' }, source: 'system' }),
    "<@U0BOB00001>'s temporary ownership was due to end at <!date^1796742000^{date_short_pretty} at {time}|2026-12-08 15:00 UTC>, but they are the last owner, so they stay an owner until another owner is added.",
  ],
  [
    event({ action: 'member.deactivation_ignored', actor_type: 'system', actor_id: 'slack', ...onMember(BOB), after: { status: 'active', role: 'member', setting: 'ignore', directory: 'Slack' } }),
    '<@U0BOB00001> was deactivated in Slack; left on the team, as the setting says to do nothing.',
  ],
  [
    event({ action: 'deactivation.requested', actor_type: 'system', actor_id: 'slack', ...onRequest, after: { status: 'pending', target_member_id: BOB, directory: 'Slack' } }),
    '<@U0BOB00001> was deactivated in Slack; the owners were asked to keep or remove them.',
  ],
  [
    event({
      action: 'directory.synced',
      actor_type: 'system',
      actor_id: 'slack',
      target_type: 'organization',
      target_id: ORG,
      after: { directory: 'Slack', sweep_id: uuid(80), complete: true, seen: 5000, linked: 5000, removed: 40, removed_member_ids: [BOB], asked_owners: 2, emails_changed: 1, guests_changed: 0, last_owner_kept: 0, emails_refused: 0, reactivations_reported: 0, ignored: 0 },
    }),
    'The Slack directory sync removed 40 deactivated people, put 2 to the owners, updated 1 email.',
  ],
  [
    event({ action: 'deactivation.kept', actor_id: CAROL, ...onRequest, before: { status: 'pending' }, after: { status: 'rejected', target_member_id: BOB, reason: null } }),
    'Carol &lt;!channel&gt; &amp; co kept <@U0BOB00001> on the team although they were deactivated in Slack.',
  ],
  [
    event({ action: 'deactivation.expired', actor_type: 'system', actor_id: 'system', source: 'system', ...onRequest, before: { status: 'pending' }, after: { status: 'expired', target_member_id: BOB } }),
    'Nobody decided whether to keep <@U0BOB00001> (deactivated in Slack) in time; they are still a member.',
  ],
  [
    event({ action: 'deactivation.cancelled', actor_type: 'system', actor_id: 'slack', ...onRequest, before: { status: 'pending' }, after: { status: 'cancelled', target_member_id: BOB, reason: 'they are no longer a member' } }),
    'The question whether to keep <@U0BOB00001> (deactivated in Slack) was closed: they are no longer a member.',
  ],
  [
    event({ action: 'promotion.requested', ...onRequest, after: { status: 'pending', target_member_id: BOB, owner_until: '2026-12-08T15:00:00.000Z', expires_at: '2026-12-08T15:00:00.000Z' } }),
    "<@U0ALICE001> asked to make <@U0BOB00001> an owner until <!date^1796742000^{date_short_pretty} at {time}|2026-12-08 15:00 UTC>, waiting for another owner's approval.",
  ],
  [
    event({ action: 'promotion.approved', actor_id: CAROL, ...onRequest, before: { status: 'pending' }, after: { status: 'approved', target_member_id: BOB, reason: null, owner_until: null } }),
    'Carol &lt;!channel&gt; &amp; co approved the request to make <@U0BOB00001> an owner.',
  ],
  [
    event({ action: 'promotion.rejected', actor_id: CAROL, ...onRequest, before: { status: 'pending' }, after: { status: 'rejected', target_member_id: BOB, reason: 'not yet' } }),
    'Carol &lt;!channel&gt; &amp; co rejected the request to make <@U0BOB00001> an owner (reason: “not yet”).',
  ],
  [
    event({ action: 'promotion.withdrawn', ...onRequest, before: { status: 'pending' }, after: { status: 'withdrawn', target_member_id: BOB, reason: null } }),
    '<@U0ALICE001> withdrew the request to make <@U0BOB00001> an owner.',
  ],
  [
    event({ action: 'promotion.expired', actor_type: 'system', actor_id: null, ...onRequest, before: { status: 'pending' }, after: { status: 'expired', target_member_id: BOB, reason: null }, source: 'system' }),
    'The request to make <@U0BOB00001> an owner expired without a decision.',
  ],
  [
    event({ action: 'promotion.cancelled', actor_type: 'system', actor_id: null, ...onRequest, before: { status: 'pending' }, after: { status: 'cancelled', target_member_id: BOB, reason: 'they are no longer a member' }, source: 'system' }),
    'The request to make <@U0BOB00001> an owner was cancelled: they are no longer a member.',
  ],
  [
    event({ action: 'removal.withdrawn', ...onRequest, before: { status: 'pending' }, after: { status: 'withdrawn', target_member_id: BOB, reason: null } }),
    '<@U0ALICE001> withdrew the request to remove <@U0BOB00001>.',
  ],
  [
    event({ action: 'removal.expired', actor_type: 'system', actor_id: null, ...onRequest, before: { status: 'pending' }, after: { status: 'expired', target_member_id: BOB, reason: null }, source: 'system' }),
    'The request to remove <@U0BOB00001> expired without a decision; they are still a member.',
  ],
  [
    event({ action: 'removal.cancelled', actor_id: BOB, ...onRequest, before: { status: 'pending' }, after: { status: 'cancelled', target_member_id: BOB, reason: 'they are no longer a member' } }),
    'The request to remove <@U0BOB00001> was cancelled: they are no longer a member.',
  ],
  [
    event({ action: 'api_key.created', actor_type: 'cli', actor_id: 'root', target_type: 'api_key', target_id: KEY, after: { name: 'Billing', scope: 'read-write', prefix: 'tm_live_ab12' }, source: 'cli' }),
    'The command line created API key `tm_live_ab12` (“Billing”, read-write).',
  ],
  [
    event({ action: 'api_key.revoked', actor_type: 'cli', actor_id: 'root', target_type: 'api_key', target_id: KEY, before: { name: 'Billing', prefix: 'tm_live_ab12' }, after: { revoked_at: '2026-12-01T00:00:00.000Z' }, source: 'cli' }),
    'The command line revoked API key `tm_live_ab12`.',
  ],
  [
    event({ action: 'activity.ingested', actor_type: 'api_key', actor_id: KEY, ...onMember(BOB), after: { activity_event_id: '7', type: 'config_change', summary: 'Changed <b>billing</b> plan' }, source: 'api' }),
    'API key `tm_live_ab12` reported a configuration change by <@U0BOB00001>: “Changed &lt;b&gt;billing&lt;/b&gt; plan”.',
  ],
  [
    event({ action: 'access_review.started', actor_type: 'system', actor_id: null, target_type: 'access_review', target_id: uuid(50), after: { threshold_days: 90, members: 3, member_ids: [BOB], carried_over: 0 }, source: 'system' }),
    'Team Manager started an access review: listing 3 members without a sign-in for 90 days.',
  ],
  [
    event({ action: 'access_review.kept', ...onMember(BOB), before: { decision: null }, after: { decision: 'keep', review_id: uuid(50) } }),
    '<@U0ALICE001> kept <@U0BOB00001> on the team in the access review.',
  ],
  [
    event({ action: 'access_review.remove_started', ...onMember(BOB), before: { decision: null }, after: { decision: 'remove', review_id: uuid(50) } }),
    '<@U0ALICE001> chose to remove <@U0BOB00001> in the access review.',
  ],
];

/** Every action literal the files that append audit events write (statuses in template literals are covered by the cases). */
function actionsWrittenInSource(): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (path.endsWith('.ts')) files.push(path);
    }
  };
  walk('src');
  const found = new Set<string>();
  for (const file of files) {
    const source = readFileSync(file, 'utf8');
    if (!source.includes('appendAuditEvent(') && !file.endsWith('membership-end.ts')) continue;
    // Every 'prefix.action' literal on a line that sets an audit action (also in a ternary).
    for (const line of source.split('\n').filter((l) => /\baction: /.test(l))) {
      for (const match of line.matchAll(/'([a-z_]+\.[a-z_]+)'/g)) found.add(match[1]!);
    }
  }
  return [...found];
}

describe('audit sentences', () => {
  it('has one case per known action, and knows every action the source code writes', () => {
    expect(CASES.map(([e]) => e.action).sort()).toEqual([...KNOWN_ACTIONS].sort());
    const written = actionsWrittenInSource();
    expect(written.length).toBeGreaterThan(10);
    expect(KNOWN_ACTIONS).toEqual(expect.arrayContaining(written));
  });

  it.each(CASES.map(([e, s]) => [e.action, e, s] as const))('%s reads as a specific sentence', (_action, e, sentence) => {
    expect(auditSentence(e, lookup)).toBe(sentence);
  });

  it('a directory sync that stopped part-way says so, with only the parts it did', () => {
    const synced = event({ action: 'directory.synced', actor_type: 'system', actor_id: 'slack', target_type: 'organization', target_id: ORG, after: { directory: 'Slack', complete: false, removed: 1, guests_changed: 2 } });
    expect(auditSentence(synced, lookup)).toBe('The Slack directory sync removed 1 deactivated person, updated 2 guest flags (it stopped before the end).');
  });

  it('an Undo says so, for a role change and for a removal', () => {
    expect(auditSentence(event({ action: 'member.role_changed', ...onMember(BOB), before: { role: 'owner' }, after: { role: 'member', undo_of: '41' } }), lookup)).toBe(
      "<@U0ALICE001> changed <@U0BOB00001>'s role from Owner to Member (Undo of their change just before).",
    );
    expect(auditSentence(event({ action: 'member.restored', ...onMember(BOB), before: { status: 'removed', role: 'member' }, after: { status: 'active', role: 'member', undo_of: '42' } }), lookup)).toBe(
      '<@U0ALICE001> restored <@U0BOB00001> to the team as a Member (Undo of their removal just before).',
    );
  });

  it('a change from SCIM reads as the identity provider\'s, "via SCIM", so an owner can tell it from a person\'s', () => {
    const removed = event({ action: 'member.removed', actor_type: 'system', actor_id: 'scim', source: 'scim', ...onMember(BOB), after: { status: 'removed', removed_by: null, reason: 'deactivated in your identity provider' } });
    expect(auditSentence(removed, lookup)).toBe('The identity provider (SCIM) removed <@U0BOB00001> from the team (reason: “deactivated in your identity provider”).');
    expect(sourceLabel('scim')).toBe('via SCIM');
    expect(actorName('system', 'scim')).toBe('the identity provider (SCIM)');
  });

  it('says when the clock ended a temporary ownership, and who approved a promotion', () => {
    expect(
      auditSentence(event({ action: 'member.role_changed', actor_type: 'system', actor_id: 'expiry', ...onMember(BOB), before: { role: 'owner', owner_until: '2026-12-08T15:00:00.000Z' }, after: { role: 'member', expired: true }, source: 'system' }), lookup),
    ).toBe("<@U0BOB00001>'s temporary ownership ended at <!date^1796742000^{date_short_pretty} at {time}|2026-12-08 15:00 UTC>; they are a member again.");
    expect(
      auditSentence(event({ action: 'member.role_changed', actor_id: CAROL, ...onMember(BOB), before: { role: 'member' }, after: { role: 'owner', owner_until: '2026-12-08T15:00:00.000Z', requested_by: ALICE, approved_by: CAROL } }), lookup),
    ).toBe("<@U0ALICE001> changed <@U0BOB00001>'s role from Member to Owner until <!date^1796742000^{date_short_pretty} at {time}|2026-12-08 15:00 UTC>, approved by Carol &lt;!channel&gt; &amp; co.");
  });

  it('an unknown action gets a generic sentence that still names the actor and the member', () => {
    const text = auditSentence(event({ action: 'member.teleported', ...onMember(BOB) }), lookup);
    expect(text).toBe('<@U0ALICE001> did `member.teleported` on <@U0BOB00001>.');
    const odd = auditSentence(event({ action: 'x`<!channel>`', target_type: '<b>', target_id: '1' }), lookup);
    expect(odd).not.toContain('<!channel>');
    expect(odd).not.toContain('<b>');
  });

  it('names non-member actors sensibly, and a member missing from the lookup without inventing a name', () => {
    expect(actorName('cli', 'root')).toBe('the command line');
    expect(actorName('system', null)).toBe('Team Manager');
    expect(actorName('api_key', KEY, lookup)).toBe('API key `tm_live_ab12`');
    expect(actorName('api_key', uuid(99), lookup)).toBe('an API key');
    expect(actorName('slack_user', 'U0DAVE0001')).toBe('<@U0DAVE0001>');
    expect(actorName('slack_user', '<!channel>')).toBe('a Slack user');
    expect(auditSentence(event({ action: 'member.role_changed', actor_id: uuid(98), ...onMember(BOB), before: { role: 'owner' }, after: { role: 'member' } }), lookup)).toBe(
      "A member no longer on record changed <@U0BOB00001>'s role from Owner to Member.",
    );
  });

  it('escapes every piece of user text: names, emails, reasons, summaries, settings values', () => {
    const sneaky: AuditLookup = {
      ...lookup,
      members: new Map([...lookup.members, [uuid(5), { id: uuid(5), slack_user_id: null, display_name: null, email: 'x&<y>@acme.test' }]]),
      invitations: new Map([[INVITATION, { email: '<!everyone>@acme.test' }]]),
    };
    const texts = [
      auditSentence(event({ action: 'member.left', actor_id: uuid(5), ...onMember(uuid(5)) }), sneaky),
      auditSentence(event({ action: 'invitation.resent', ...onInvitation }), sneaky),
      auditSentence(event({ action: 'removal.requested', ...onRequest, after: { target_member_id: BOB, reason: '<https://evil|click> <!channel>' } }), sneaky),
      auditSentence(event({ action: 'settings.changed', before: { access_review_cadence: 'weekly' }, after: { access_review_cadence: '<!here>', allowed_email_domains: ['<!subteam^S1>'] } }), sneaky),
      auditSentence(event({ action: 'activity.ingested', actor_type: 'api_key', actor_id: KEY, ...onMember(BOB), after: { type: 'sign_in', summary: '<@U0ALICE001> \n <!channel>' } }), sneaky),
    ];
    for (const text of texts) {
      expect(text).not.toMatch(/<!|<https|<@U0ALICE001> \n/);
      expect(text).not.toContain('\n');
    }
    expect(texts[0]).toBe('x&amp;&lt;y&gt;@acme.test left the team.');
    expect(texts[1]).toContain('&lt;!everyone&gt;@acme.test');
    expect(texts[2]).toContain('&lt;https://evil|click&gt; &lt;!channel&gt;');
    expect(texts[3]).toContain('Access review (weekly → &lt;!here&gt;)');
    expect(texts[3]).toContain('Allowed email domains (added &lt;!subteam^S1&gt;)');
  });

  it('names the Slack directory settings in words', () => {
    expect(settingsChangeSummary({ slack_deactivation: 'remove', slack_auto_invite: false }, { slack_deactivation: 'ask', slack_auto_invite: true })).toBe(
      'When someone is deactivated in Slack (remove them → ask the owners), Invite new workspace members automatically (off → on)',
    );
    expect(settingsChangeSummary({ slack_deactivation: 'ask' }, { slack_deactivation: 'ignore' })).toBe('When someone is deactivated in Slack (ask the owners → do nothing)');
  });

  it('keeps sentences short when people typed a lot', () => {
    const text = auditSentence(event({ action: 'removal.requested', ...onRequest, after: { target_member_id: BOB, reason: '&'.repeat(10_000) } }), lookup);
    expect(text.length).toBeLessThan(2_000);
    const domains = Array.from({ length: 50 }, (_, i) => `d${i}.example.com`);
    expect(settingsChangeSummary({ allowed_email_domains: [] }, { allowed_email_domains: domains })).toBe(
      'Allowed email domains (added d0.example.com, d1.example.com, d2.example.com and 47 more)',
    );
  });

  it('names Slack as who removed someone deactivated there', () => {
    const removed = event({ action: 'member.removed', actor_type: 'system', actor_id: 'slack', ...onMember(BOB), after: { status: 'removed', removed_by: null, reason: 'deactivated in Slack', directory: 'Slack' } });
    expect(auditSentence(removed, lookup)).toBe('Slack removed <@U0BOB00001> from the team (reason: “deactivated in Slack”).');
  });

  it('says which ids to load: members, invitations and API keys named anywhere in the event', () => {
    const removed = event({ action: 'member.removed', actor_id: CAROL, ...onMember(BOB), after: { requested_by: ALICE, approved_by: CAROL, removed_by: ALICE } });
    expect(mentionedIds(removed).members.sort()).toEqual([ALICE, BOB, CAROL].sort());
    expect(mentionedIds(event({ action: 'invitation.sent', ...onInvitation })).invitations).toEqual([INVITATION]);
    expect(mentionedIds(event({ action: 'activity.ingested', actor_type: 'api_key', actor_id: KEY })).apiKeys).toEqual([KEY]);
    // Anything that is not an id (a Slack id, a username) is never sent to the database as one.
    expect(mentionedIds(event({ action: 'member.added', actor_type: 'member', actor_id: 'not-a-uuid' })).members).toEqual([]);
  });

  it('understands action filters: exact actions, prefixes with or without the dot; refuses the rest, naming the prefixes', () => {
    expect(parseActionFilter('member')).toEqual({ kind: 'prefix', prefix: 'member' });
    expect(parseActionFilter('Removal.')).toEqual({ kind: 'prefix', prefix: 'removal' });
    expect(parseActionFilter('member.role_changed')).toEqual({ kind: 'exact', action: 'member.role_changed' });
    expect(parseActionFilter('invitation.sent')).toEqual({ kind: 'exact', action: 'invitation.sent' });
    expect(parseActionFilter('bogus')).toBeUndefined();
    expect(parseActionFilter('bogus.thing')).toBeUndefined();
    expect(parseActionFilter("member'; drop table x")).toBeUndefined();
    expect(ACTION_PREFIXES).toEqual(expect.arrayContaining(['member', 'invitation', 'removal', 'settings']));
    const message = unknownActionMessage('<!channel>');
    expect(message).not.toContain('<!channel>');
    for (const prefix of ACTION_PREFIXES) expect(message).toContain(`\`${prefix}\``);
  });
});
