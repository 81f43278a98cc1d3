import { beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { AuditEvent, AuditSource, Invitation, Member, Organization } from '../../src/db/schema.js';
import { changeRole, ensureOwner, leaveTeam } from '../../src/team/members.js';
import { resolveActingMember } from '../../src/team/acting-member.js';
import { ensureOrganization } from '../../src/team/organizations.js';
import { updateSettings } from '../../src/team/settings.js';
import {
  acceptInvitation,
  cancelInvitation,
  createInvitations,
  declineInvitation,
  expireInvitations,
  resendInvitation,
} from '../../src/team/invitations.js';
import { decideRemoval, expireRemovalRequests, requestRemoval } from '../../src/team/removals.js';
import { findMemberById } from '../../src/team/member-repository.js';
import type { PeopleDirectory } from '../../src/team/people.js';
import { createApiKey, revokeApiKey } from '../../src/api/api-keys.js';
import { eventBody, ingestEvent } from '../../src/api/ingest.js';
import { decideReviewItem, startDueAccessReviews } from '../../src/activity/access-review.js';
import { useTestDatabase } from '../support/database.js';
import { seedMember, seedOrganization } from '../support/seed.js';
import { refusalOf } from '../support/refusal.js';

/**
 * Audit integrity (issue 6, item 7): every kind of state change writes exactly one audit event,
 * in the transaction of the change, and the audit table is append-only in the database itself.
 * Each test calls the real service and compares the audit_events rows before and after it.
 */

const t = useTestDatabase();
const CLI = { type: 'cli' as const, id: 'ops' };
const DAY = 24 * 60 * 60 * 1000;
let n = 0;
let org: Organization;
let olga: Member; // owner
let bob: Member; // member

async function newOrganization(values: { policy?: 'none' | 'another-owner' } = {}): Promise<Organization> {
  const o = await seedOrganization(t.db, `T_AUDIT_${++n}`, { team_channel_id: 'C0TEAM0001', name: 'Acme' });
  return t.db
    .updateTable('organizations')
    .set({ removal_approval_policy: values.policy ?? 'another-owner', approvals_channel_id: 'C0APPR0001' })
    .where('id', '=', o.id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

beforeEach(async () => {
  org = await newOrganization();
  olga = await seedMember(t.db, org, 'olga@acme.test', 'owner', { slackUserId: 'U0OLGA' });
  bob = await seedMember(t.db, org, 'bob@acme.test', 'member', { slackUserId: 'U0BOB' });
});

// ---------------------------------------------------------------------------
// Counting

async function countEvents(organizationId?: string): Promise<number> {
  let query = t.db.selectFrom('audit_events').select((eb) => eb.fn.countAll<string>().as('n'));
  if (organizationId) query = query.where('organization_id', '=', organizationId);
  return Number((await query.executeTakeFirstOrThrow()).n);
}

async function lastEventId(): Promise<string> {
  const row = await t.db.selectFrom('audit_events').select((eb) => eb.fn.max('id').as('id')).executeTakeFirst();
  return row?.id == null ? '0' : String(row.id);
}

/**
 * Runs a change and returns the audit events it wrote, oldest first, after checking that they
 * all belong to `organizationId` (null: whichever organization the change created) and that
 * the organization's row count (and the table's) grew by exactly their number.
 */
async function newEvents<T>(organizationId: string | null, run: () => Promise<T>): Promise<{ result: T; events: AuditEvent[] }> {
  const since = await lastEventId();
  const orgBefore = organizationId ? await countEvents(organizationId) : 0;
  const allBefore = await countEvents();
  const result = await run();
  const events = await t.db.selectFrom('audit_events').selectAll().where('id', '>', since).orderBy('id').execute();
  expect(await countEvents()).toBe(allBefore + events.length);
  if (organizationId) {
    expect(events.filter((e) => e.organization_id !== organizationId)).toEqual([]);
    expect(await countEvents(organizationId)).toBe(orgBefore + events.length);
  }
  return { result, events };
}

/** The change wrote exactly one audit event, with this action (and source); returns it. */
async function exactlyOneEvent<T>(
  organizationId: string,
  run: () => Promise<T>,
  expectedAction: string,
  expectedSource?: AuditSource,
): Promise<{ result: T; event: AuditEvent }> {
  const { result, events } = await newEvents(organizationId, run);
  expect(events.map((e) => e.action)).toEqual([expectedAction]);
  const event = events[0]!;
  if (expectedSource) expect(event.source).toBe(expectedSource);
  return { result, event };
}

/** The call changed nothing the audit log would show: no event anywhere. */
async function noEvent<T>(organizationId: string, run: () => Promise<T>): Promise<T> {
  const { result, events } = await newEvents(organizationId, run);
  expect(events.map((e) => e.action)).toEqual([]);
  return result;
}

/** The call was refused (an AppError) and wrote no audit event. */
async function refusedWithoutEvent(organizationId: string, run: () => Promise<unknown>): Promise<string> {
  const err = await noEvent(organizationId, () => refusalOf(run()));
  return err.code;
}

// ---------------------------------------------------------------------------
// Arrangements (not counted)

async function invite(o: Organization, by: Member, addresses: string[]): Promise<Invitation[]> {
  return (await createInvitations(t.db, { organizationId: o.id, actorMemberId: by.id, addresses, role: 'member', source: 'slack' })).invitations;
}

async function threeOwners(o: Organization) {
  const carol = await seedMember(t.db, o, 'carol@acme.test', 'owner', { slackUserId: 'U0CAROL' });
  const dave = await seedMember(t.db, o, 'dave@acme.test', 'owner', { slackUserId: 'U0DAVE' });
  return { carol, dave };
}

async function openRequest(o: Organization, by: Member, target: Member) {
  const result = await requestRemoval(t.db, { organizationId: o.id, actorMemberId: by.id, targetMemberId: target.id, reason: 'left the company', source: 'slack' });
  if (result.kind !== 'requested') throw new Error(`expected a request, got ${result.kind}`);
  return result.request;
}

const directory = (emails: Record<string, string>): PeopleDirectory => ({
  profile: async (userId) => (emails[userId] ? { email: emails[userId]!, displayName: `name of ${userId}` } : null),
});

// ---------------------------------------------------------------------------

describe('members', () => {
  it('changeRole: one member.role_changed (actor, target, before/after)', async () => {
    const { event } = await exactlyOneEvent(
      org.id,
      () => changeRole(t.db, { organizationId: org.id, actorMemberId: olga.id, targetMemberId: bob.id, role: 'owner', source: 'slack' }),
      'member.role_changed',
      'slack',
    );
    expect(event).toMatchObject({ actor_type: 'member', actor_id: olga.id, target_type: 'member', target_id: bob.id, before: { role: 'member' }, after: { role: 'owner' } });
  });

  it('leaveTeam: one member.left', async () => {
    const { event } = await exactlyOneEvent(org.id, () => leaveTeam(t.db, { organizationId: org.id, actorMemberId: bob.id, source: 'web' }), 'member.left', 'web');
    expect(event).toMatchObject({ actor_type: 'member', actor_id: bob.id, target_id: bob.id, after: { status: 'removed' } });
  });

  it('ensureOwner: created → one member.added; promoted → one member.role_changed; reactivated → one member.reactivated; already an owner → none', async () => {
    const gone = await seedMember(t.db, org, 'gone@acme.test', 'member', { removed: true });
    const ensure = (email: string) => () => ensureOwner(t.db, { organizationId: org.id, email, actor: CLI, source: 'cli' });

    const created = await exactlyOneEvent(org.id, ensure('new@acme.test'), 'member.added', 'cli');
    expect(created.result.outcome).toBe('created');
    expect(created.event).toMatchObject({ actor_type: 'cli', actor_id: 'ops', target_id: created.result.member.id, after: { role: 'owner', status: 'active' } });

    const promoted = await exactlyOneEvent(org.id, ensure('bob@acme.test'), 'member.role_changed', 'cli');
    expect(promoted.result.outcome).toBe('promoted');
    expect(promoted.event).toMatchObject({ actor_type: 'cli', target_id: bob.id, before: { role: 'member', status: 'active' }, after: { role: 'owner' } });

    const reactivated = await exactlyOneEvent(org.id, ensure('gone@acme.test'), 'member.reactivated', 'cli');
    expect(reactivated.result.outcome).toBe('reactivated');
    expect(reactivated.event).toMatchObject({ target_id: gone.id, before: { status: 'removed' }, after: { status: 'active', role: 'owner' } });

    expect((await noEvent(org.id, ensure('olga@acme.test'))).outcome).toBe('already_owner');
  });

  it('resolveActingMember: linking a Slack user by profile email writes one member.slack_linked; the next lookup none', async () => {
    const pat = await seedMember(t.db, org, 'pat@acme.test', 'member');
    const people = directory({ U0PAT: 'pat@acme.test' });
    const { result, event } = await exactlyOneEvent(org.id, () => resolveActingMember(t.db, org.id, 'U0PAT', people), 'member.slack_linked', 'slack');
    expect(result).toMatchObject({ id: pat.id, slack_user_id: 'U0PAT' });
    expect(event).toMatchObject({ actor_type: 'system', target_id: pat.id, before: { slack_user_id: null }, after: { slack_user_id: 'U0PAT' } });
    expect((await noEvent(org.id, () => resolveActingMember(t.db, org.id, 'U0PAT', people)))!.id).toBe(pat.id);
    // Nobody matches: nothing to link, nothing written.
    expect(await noEvent(org.id, () => resolveActingMember(t.db, org.id, 'U0NOBODY', directory({ U0NOBODY: 'stranger@acme.test' })))).toBeNull();
  });

  it('ensureOrganization: creating one writes one organization.created; seeing it again none; adopting the default channel one settings.changed', async () => {
    const slackTeamId = `T_AUDIT_NEW_${++n}`;
    const { result: created, events } = await newEvents(null, () => ensureOrganization(t.db, { slackTeamId, name: 'Newco', defaultTeamChannelId: 'C0NEWCO001' }));
    expect(events.map((e) => [e.organization_id, e.action, e.source])).toEqual([[created.id, 'organization.created', 'system']]);
    expect(events[0]).toMatchObject({ actor_type: 'system', target_type: 'organization', target_id: created.id, after: { slack_team_id: slackTeamId, name: 'Newco', team_channel_id: 'C0NEWCO001' } });

    expect((await noEvent(created.id, () => ensureOrganization(t.db, { slackTeamId, name: 'Newco', defaultTeamChannelId: 'C0NEWCO001' }))).id).toBe(created.id);

    const bare = await seedOrganization(t.db, `T_AUDIT_BARE_${n}`);
    const adopted = await exactlyOneEvent(bare.id, () => ensureOrganization(t.db, { slackTeamId: bare.slack_team_id, name: 'Bare', defaultTeamChannelId: 'C0BARE0001' }), 'settings.changed', 'system');
    expect(adopted.event).toMatchObject({ target_id: bare.id, before: { team_channel_id: null }, after: { team_channel_id: 'C0BARE0001' } });
  });
});

describe('settings', () => {
  it('updateSettings: several fields changed → exactly one settings.changed; nothing changed → none', async () => {
    const changes = { invitation_expiry_days: 14, require_sso: true, access_review_cadence: 'monthly' as const };
    const { result, event } = await exactlyOneEvent(org.id, () => updateSettings(t.db, { organizationId: org.id, actorMemberId: olga.id, changes, source: 'web' }), 'settings.changed', 'web');
    expect([...result.changed].sort()).toEqual(['access_review_cadence', 'invitation_expiry_days', 'require_sso']);
    expect(event).toMatchObject({ actor_type: 'member', actor_id: olga.id, target_type: 'organization', target_id: org.id, after: changes });

    const again = await noEvent(org.id, () => updateSettings(t.db, { organizationId: org.id, actorMemberId: olga.id, changes, source: 'web' }));
    expect(again.changed).toEqual([]);
  });
});

describe('invitations', () => {
  it('createInvitations: one address → one invitation.sent', async () => {
    const { result, event } = await exactlyOneEvent(org.id, () => invite(org, olga, ['new@acme.test']), 'invitation.sent', 'slack');
    expect(event).toMatchObject({ actor_id: olga.id, target_type: 'invitation', target_id: result[0]!.id, after: { email: 'new@acme.test' } });
  });

  it('createInvitations: three addresses → exactly three invitation.sent, one per invitation', async () => {
    const { result, events } = await newEvents(org.id, () => invite(org, olga, ['a@acme.test', 'b@acme.test', 'c@acme.test']));
    expect(events.map((e) => e.action)).toEqual(['invitation.sent', 'invitation.sent', 'invitation.sent']);
    expect(events.map((e) => e.target_id)).toEqual(result.map((i) => i.id));
    expect(events.map((e) => (e.after as { email: string }).email)).toEqual(['a@acme.test', 'b@acme.test', 'c@acme.test']);
  });

  it('resendInvitation: one invitation.resent', async () => {
    const [invitation] = await invite(org, olga, ['new@acme.test']);
    await t.db.updateTable('invitations').set({ last_sent_at: new Date(Date.now() - 2 * 60_000) }).where('id', '=', invitation!.id).execute();
    const { event } = await exactlyOneEvent(
      org.id,
      () => resendInvitation(t.db, { organizationId: org.id, actorMemberId: olga.id, invitationId: invitation!.id, source: 'slack' }),
      'invitation.resent',
      'slack',
    );
    expect(event).toMatchObject({ actor_id: olga.id, target_id: invitation!.id, after: { status: 'pending', send_count: 2 } });
  });

  it('cancelInvitation: one invitation.cancelled; cancelling again is refused with none', async () => {
    const [invitation] = await invite(org, olga, ['new@acme.test']);
    const cancel = () => cancelInvitation(t.db, { organizationId: org.id, actorMemberId: olga.id, invitationId: invitation!.id, source: 'web' });
    const { event } = await exactlyOneEvent(org.id, cancel, 'invitation.cancelled', 'web');
    expect(event).toMatchObject({ actor_type: 'member', actor_id: olga.id, target_id: invitation!.id, before: { status: 'pending' }, after: { status: 'cancelled' } });
    expect(await refusedWithoutEvent(org.id, cancel)).toBe('not_cancellable');
  });

  it('acceptInvitation in Slack: one invitation.accepted (the new member its actor and target); accepting again is refused with none', async () => {
    const [invitation] = await invite(org, olga, ['new@acme.test']);
    const via = { kind: 'slack' as const, invitationId: invitation!.id, organizationId: org.id, slackUserId: 'U0NEW', profileEmail: 'new@acme.test', displayName: 'New' };
    const { result, event } = await exactlyOneEvent(org.id, () => acceptInvitation(t.db, via), 'invitation.accepted', 'slack');
    expect(result.member).toMatchObject({ email: 'new@acme.test', status: 'active', slack_user_id: 'U0NEW' });
    expect(event).toMatchObject({ actor_type: 'member', actor_id: result.member.id, target_id: result.member.id, after: { invitation_id: invitation!.id, status: 'active' } });
    expect(await refusedWithoutEvent(org.id, () => acceptInvitation(t.db, via))).toBe('used');
  });

  it('declineInvitation: one invitation.declined', async () => {
    const [invitation] = await invite(org, olga, ['new@acme.test']);
    const via = { kind: 'slack' as const, invitationId: invitation!.id, organizationId: org.id, slackUserId: 'U0NEW', profileEmail: 'new@acme.test', displayName: null };
    const { event } = await exactlyOneEvent(org.id, () => declineInvitation(t.db, via), 'invitation.declined', 'slack');
    expect(event).toMatchObject({ target_id: invitation!.id, before: { status: 'pending' }, after: { status: 'declined' } });
  });

  it('expireInvitations: one invitation.expired per expired invitation; a second run none', async () => {
    const [due, fresh] = await invite(org, olga, ['due@acme.test', 'fresh@acme.test']);
    await t.db.updateTable('invitations').set({ expires_at: new Date(Date.now() - 60_000) }).where('id', '=', due!.id).execute();
    const { result, event } = await exactlyOneEvent(org.id, () => expireInvitations(t.db), 'invitation.expired', 'system');
    expect(result).toBe(1);
    expect(event).toMatchObject({ actor_type: 'system', target_id: due!.id, after: { status: 'expired' } });
    expect(event.target_id).not.toBe(fresh!.id);
    expect(await noEvent(org.id, () => expireInvitations(t.db))).toBe(0);
  });
});

describe('removals', () => {
  it('under `none`: one member.removed, plus one invitation.cancelled for each pending invitation the removed member had sent', async () => {
    const o = await newOrganization({ policy: 'none' });
    const owner = await seedMember(t.db, o, 'olga@acme.test', 'owner', { slackUserId: 'U0OLGA' });
    const leaving = await seedMember(t.db, o, 'bob@acme.test', 'owner', { slackUserId: 'U0BOB' });
    const sent = await invite(o, leaving, ['x@acme.test', 'y@acme.test']);
    // Not theirs, and not pending: neither is touched.
    const [olgas] = await invite(o, owner, ['z@acme.test']);
    const [accepted] = await invite(o, leaving, ['w@acme.test']);
    await acceptInvitation(t.db, { kind: 'slack', invitationId: accepted!.id, organizationId: o.id, slackUserId: 'U0W', profileEmail: 'w@acme.test', displayName: null });

    const { result, events } = await newEvents(o.id, () =>
      requestRemoval(t.db, { organizationId: o.id, actorMemberId: owner.id, targetMemberId: leaving.id, reason: 'left', source: 'slack' }),
    );
    expect(result.kind).toBe('removed');
    expect(events.map((e) => e.action)).toEqual(['member.removed', 'invitation.cancelled', 'invitation.cancelled']);
    expect(events[0]).toMatchObject({ actor_id: owner.id, target_type: 'member', target_id: leaving.id, source: 'slack' });
    expect(events.slice(1).map((e) => e.target_id).sort()).toEqual(sent.map((i) => i.id).sort());
    expect(events.slice(1).every((e) => e.actor_type === 'system' && e.source === 'slack')).toBe(true);
    expect(events.map((e) => e.target_id)).not.toContain(olgas!.id);
  });

  it('under `another-owner` with three owners: one removal.requested; asking again none', async () => {
    await threeOwners(org);
    const ask = () => requestRemoval(t.db, { organizationId: org.id, actorMemberId: olga.id, targetMemberId: bob.id, reason: 'left', source: 'slack' });
    const { result, event } = await exactlyOneEvent(org.id, ask, 'removal.requested', 'slack');
    if (result.kind !== 'requested') throw new Error('expected a request');
    expect(event).toMatchObject({ actor_id: olga.id, target_type: 'removal_request', target_id: result.request.id, after: { status: 'pending', target_member_id: bob.id } });
    expect(await noEvent(org.id, ask)).toMatchObject({ kind: 'requested', alreadyPending: true });
  });

  it('approve: exactly one member.removed (the request closing writes no second event)', async () => {
    const { carol } = await threeOwners(org);
    const request = await openRequest(org, olga, bob);
    const { event } = await exactlyOneEvent(
      org.id,
      () => decideRemoval(t.db, { organizationId: org.id, actorMemberId: carol.id, requestId: request.id, decision: 'approve', source: 'slack' }),
      'member.removed',
      'slack',
    );
    expect(event).toMatchObject({ actor_id: carol.id, target_id: bob.id, after: { requested_by: olga.id, approved_by: carol.id, removal_request_id: request.id } });
    expect((await findMemberById(t.db, org.id, bob.id))!.status).toBe('removed');
  });

  it('reject: one removal.rejected', async () => {
    const { carol } = await threeOwners(org);
    const request = await openRequest(org, olga, bob);
    const { event } = await exactlyOneEvent(
      org.id,
      () => decideRemoval(t.db, { organizationId: org.id, actorMemberId: carol.id, requestId: request.id, decision: 'reject', reason: 'still here', source: 'slack' }),
      'removal.rejected',
      'slack',
    );
    expect(event).toMatchObject({ actor_id: carol.id, target_id: request.id, after: { status: 'rejected', reason: 'still here' } });
  });

  it('withdraw: one removal.withdrawn', async () => {
    await threeOwners(org);
    const request = await openRequest(org, olga, bob);
    const { event } = await exactlyOneEvent(
      org.id,
      () => decideRemoval(t.db, { organizationId: org.id, actorMemberId: olga.id, requestId: request.id, decision: 'withdraw', source: 'slack' }),
      'removal.withdrawn',
      'slack',
    );
    expect(event).toMatchObject({ actor_id: olga.id, target_id: request.id, after: { status: 'withdrawn' } });
  });

  it('expireRemovalRequests: one removal.expired; a second run none', async () => {
    await threeOwners(org);
    const request = await openRequest(org, olga, bob);
    await t.db.updateTable('removal_requests').set({ expires_at: new Date(Date.now() - 60_000) }).where('id', '=', request.id).execute();
    const { result, event } = await exactlyOneEvent(org.id, () => expireRemovalRequests(t.db), 'removal.expired', 'system');
    expect(result).toBe(1);
    expect(event).toMatchObject({ actor_type: 'system', target_id: request.id, after: { status: 'expired' } });
    expect(await noEvent(org.id, () => expireRemovalRequests(t.db))).toBe(0);
  });

  it('a target leaving: member.left, then removal.cancelled for the request about them', async () => {
    await threeOwners(org);
    const request = await openRequest(org, olga, bob);
    const { events } = await newEvents(org.id, () => leaveTeam(t.db, { organizationId: org.id, actorMemberId: bob.id, source: 'slack' }));
    expect(events.map((e) => [e.action, e.target_id])).toEqual([
      ['member.left', bob.id],
      ['removal.cancelled', request.id],
    ]);
    expect(events[1]).toMatchObject({ actor_type: 'member', actor_id: bob.id, after: { status: 'cancelled', reason: 'they are no longer a member' } });
  });
});

describe('API keys', () => {
  it('createApiKey: one api_key.created', async () => {
    const { result, event } = await exactlyOneEvent(org.id, () => createApiKey(t.db, { organizationId: org.id, name: 'sync', scope: 'read', actor: CLI, source: 'cli' }), 'api_key.created', 'cli');
    expect(event).toMatchObject({ actor_type: 'cli', actor_id: 'ops', target_type: 'api_key', target_id: result.apiKey.id, after: { name: 'sync', scope: 'read' } });
    expect(JSON.stringify(event)).not.toContain(result.key);
  });

  it('revokeApiKey: one api_key.revoked; revoking again none', async () => {
    const { apiKey } = await createApiKey(t.db, { organizationId: org.id, name: 'sync', scope: 'read', actor: CLI, source: 'cli' });
    const revoke = () => revokeApiKey(t.db, { organizationId: org.id, id: apiKey.id, actor: CLI, source: 'cli' });
    const { result, event } = await exactlyOneEvent(org.id, revoke, 'api_key.revoked', 'cli');
    expect(result.outcome).toBe('revoked');
    expect(event).toMatchObject({ actor_type: 'cli', target_id: apiKey.id, before: { revoked_at: null } });
    expect((await noEvent(org.id, revoke)).outcome).toBe('already_revoked');
  });
});

describe('ingest', () => {
  it('ingestEvent: one activity.ingested; the same idempotency key again none; an unknown member none', async () => {
    const { apiKey } = await createApiKey(t.db, { organizationId: org.id, name: 'product', scope: 'read-write', actor: CLI, source: 'cli' });
    const body = eventBody.parse({ type: 'sign_in', email: 'BOB@acme.test', occurred_at: new Date(Date.now() - 60_000).toISOString(), summary: 'signed in' });
    const ingest = (idempotencyKey: string, b = body) => () => ingestEvent(t.db, { organizationId: org.id, apiKeyId: apiKey.id, idempotencyKey, body: b });

    const { result, event } = await exactlyOneEvent(org.id, ingest('key-1'), 'activity.ingested', 'api');
    if (result === 'unknown_member') throw new Error('expected a stored event');
    expect(result.duplicate).toBe(false);
    expect(event).toMatchObject({ actor_type: 'api_key', actor_id: apiKey.id, target_type: 'member', target_id: bob.id, after: { activity_event_id: result.event.id, type: 'sign_in' } });

    expect(await noEvent(org.id, ingest('key-1'))).toMatchObject({ duplicate: true, event: { id: result.event.id } });
    const stranger = eventBody.parse({ ...body, email: 'stranger@acme.test' });
    expect(await noEvent(org.id, ingest('key-2', stranger))).toBe('unknown_member');
  });
});

describe('access review', () => {
  it('startDueAccessReviews: one access_review.started; decisions: one access_review.kept, one access_review.remove_started; a second click none', async () => {
    // The job looks at every organization here: only this one is due.
    await t.db.updateTable('organizations').set({ access_review_cadence: 'off' }).where('id', '<>', org.id).execute();
    const carol = await seedMember(t.db, org, 'carol@acme.test', 'member', { slackUserId: 'U0CAROL' });
    const later = new Date(Date.now() + 100 * DAY); // everyone joined today: all stale by then

    const started = await exactlyOneEvent(org.id, () => startDueAccessReviews(t.db, later), 'access_review.started', 'system');
    expect(started.result).toBe(1);
    expect(started.event).toMatchObject({ actor_type: 'system', target_type: 'access_review' });
    const reviewId = started.event.target_id!;
    expect(((started.event.after as { member_ids: string[] }).member_ids).sort()).toEqual([olga.id, bob.id, carol.id].sort());
    expect(await noEvent(org.id, () => startDueAccessReviews(t.db, later))).toBe(0);

    const decideOn = (member: Member, decision: 'keep' | 'remove') => () =>
      decideReviewItem(t.db, { organizationId: org.id, actorMemberId: olga.id, reviewId, memberId: member.id, decision, source: 'slack' });
    const kept = await exactlyOneEvent(org.id, decideOn(bob, 'keep'), 'access_review.kept', 'slack');
    expect(kept.event).toMatchObject({ actor_id: olga.id, target_type: 'member', target_id: bob.id, after: { decision: 'keep', review_id: reviewId } });
    const remove = await exactlyOneEvent(org.id, decideOn(carol, 'remove'), 'access_review.remove_started', 'slack');
    expect(remove.event).toMatchObject({ actor_id: olga.id, target_id: carol.id, after: { decision: 'remove', review_id: reviewId } });
    // Remove only records the start: carol is still a member until the removal itself.
    expect((await findMemberById(t.db, org.id, carol.id))!.status).toBe('active');

    expect(await refusedWithoutEvent(org.id, decideOn(bob, 'remove'))).toBe('already_decided');
  });
});

describe('refusals write nothing', () => {
  it('a member changing a role, settings or inviting; the last owner demoting or leaving', async () => {
    expect(await refusedWithoutEvent(org.id, () => changeRole(t.db, { organizationId: org.id, actorMemberId: bob.id, targetMemberId: olga.id, role: 'member', source: 'slack' }))).toBe('forbidden');
    expect(await refusedWithoutEvent(org.id, () => updateSettings(t.db, { organizationId: org.id, actorMemberId: bob.id, changes: { require_sso: true }, source: 'web' }))).toBe('forbidden');
    expect(await refusedWithoutEvent(org.id, () => invite(org, bob, ['new@acme.test']))).toBe('forbidden');
    expect(await refusedWithoutEvent(org.id, () => changeRole(t.db, { organizationId: org.id, actorMemberId: olga.id, targetMemberId: olga.id, role: 'member', source: 'slack' }))).toBe('last_owner');
    expect(await refusedWithoutEvent(org.id, () => changeRole(t.db, { organizationId: org.id, actorMemberId: olga.id, targetMemberId: bob.id, role: 'member', source: 'slack' }))).toBe('no_change');
    expect(await refusedWithoutEvent(org.id, () => leaveTeam(t.db, { organizationId: org.id, actorMemberId: olga.id, source: 'slack' }))).toBe('last_owner');
  });

  it('invitations with a refused address (all or nothing)', async () => {
    await t.db.updateTable('organizations').set({ allowed_email_domains: ['acme.test'] }).where('id', '=', org.id).execute();
    expect(await refusedWithoutEvent(org.id, () => invite(org, olga, ['ok@acme.test', 'someone@elsewhere.test']))).toBe('invitations_refused');
    expect(await t.db.selectFrom('invitations').select('id').where('organization_id', '=', org.id).execute()).toEqual([]);
  });

  it('refused removal decisions: the requester approving, a member approving, a decided request decided again', async () => {
    const { carol, dave } = await threeOwners(org);
    const request = await openRequest(org, olga, carol);
    const decide = (actor: Member, decision: 'approve' | 'reject' | 'withdraw') => () =>
      decideRemoval(t.db, { organizationId: org.id, actorMemberId: actor.id, requestId: request.id, decision, reason: 'no', source: 'slack' });
    expect(await refusedWithoutEvent(org.id, decide(olga, 'approve'))).toBe('decision_refused');
    expect(await refusedWithoutEvent(org.id, decide(bob, 'approve'))).toBe('decision_refused');
    expect(await refusedWithoutEvent(org.id, decide(carol, 'approve'))).toBe('decision_refused');
    await exactlyOneEvent(org.id, decide(dave, 'reject'), 'removal.rejected');
    expect(await refusedWithoutEvent(org.id, decide(dave, 'approve'))).toBe('decision_refused');
    expect(await refusedWithoutEvent(org.id, decide(olga, 'withdraw'))).toBe('decision_refused');
  });

  it('a member asking for a removal', async () => {
    expect(await refusedWithoutEvent(org.id, () => requestRemoval(t.db, { organizationId: org.id, actorMemberId: bob.id, targetMemberId: olga.id, source: 'slack' }))).toBe('forbidden');
  });
});

describe('the event and the change commit together', () => {
  const REFUSED = 'audit insert refused by the test';

  /** While this runs, every insert into audit_events fails: a change must then leave no trace either. */
  async function withAuditInsertsFailing(run: () => Promise<void>): Promise<void> {
    await sql`create or replace function audit_test_refuse_insert() returns trigger language plpgsql as $$
      begin raise exception 'audit insert refused by the test'; end $$`.execute(t.db);
    await sql`create trigger audit_test_refuse_insert before insert on audit_events for each row execute function audit_test_refuse_insert()`.execute(t.db);
    try {
      await run();
    } finally {
      await sql`drop trigger audit_test_refuse_insert on audit_events`.execute(t.db);
      await sql`drop function audit_test_refuse_insert()`.execute(t.db);
    }
  }

  it('a role change, an invitation, a removal and an ingested event roll back when their audit event cannot be written', async () => {
    const o = await newOrganization({ policy: 'none' });
    const owner = await seedMember(t.db, o, 'olga@acme.test', 'owner');
    const member = await seedMember(t.db, o, 'bob@acme.test', 'member');
    const { apiKey } = await createApiKey(t.db, { organizationId: o.id, name: 'product', scope: 'read-write', actor: CLI, source: 'cli' });
    const body = eventBody.parse({ type: 'sign_in', email: 'bob@acme.test', occurred_at: new Date(Date.now() - 60_000).toISOString(), summary: 'signed in' });
    const before = await countEvents();

    await withAuditInsertsFailing(async () => {
      const failureOf = async (change: Promise<unknown>) => {
        try {
          await change;
        } catch (err) {
          return (err as Error).message;
        }
        return 'committed';
      };
      expect(await failureOf(changeRole(t.db, { organizationId: o.id, actorMemberId: owner.id, targetMemberId: member.id, role: 'owner', source: 'slack' }))).toBe(REFUSED);
      expect(await failureOf(invite(o, owner, ['new@acme.test']))).toBe(REFUSED);
      expect(await failureOf(requestRemoval(t.db, { organizationId: o.id, actorMemberId: owner.id, targetMemberId: member.id, source: 'slack' }))).toBe(REFUSED);
      expect(await failureOf(ingestEvent(t.db, { organizationId: o.id, apiKeyId: apiKey.id, idempotencyKey: 'k', body }))).toBe(REFUSED);
    });

    expect(await countEvents()).toBe(before);
    expect(await findMemberById(t.db, o.id, member.id)).toMatchObject({ role: 'member', status: 'active', last_sign_in_at: null });
    expect(await t.db.selectFrom('invitations').select('id').where('organization_id', '=', o.id).execute()).toEqual([]);
    expect(await t.db.selectFrom('activity_events').select('id').where('organization_id', '=', o.id).execute()).toEqual([]);
    expect(await t.db.selectFrom('member_role_changes').select('id').where('member_id', '=', member.id).execute()).toEqual([]);
  });
});

describe('append-only', () => {
  async function databaseErrorOf(statement: Promise<unknown>): Promise<{ code?: string; message: string }> {
    try {
      await statement;
    } catch (err) {
      return err as { code?: string; message: string };
    }
    throw new Error('expected the statement to fail');
  }

  it('UPDATE, DELETE and TRUNCATE of audit_events each fail in the database; the rows stay as they were', async () => {
    await changeRole(t.db, { organizationId: org.id, actorMemberId: olga.id, targetMemberId: bob.id, role: 'owner', source: 'slack' });
    const rows = await t.db.selectFrom('audit_events').selectAll().orderBy('id').execute();
    const mine = rows.filter((r) => r.organization_id === org.id);
    expect(mine.map((r) => r.action)).toEqual(['member.role_changed']);

    const attempts = {
      UPDATE: () => sql`update audit_events set action = 'member.nothing_happened' where organization_id = ${org.id}`.execute(t.db),
      DELETE: () => sql`delete from audit_events where organization_id = ${org.id}`.execute(t.db),
      TRUNCATE: () => sql`truncate audit_events`.execute(t.db),
    };
    for (const [operation, attempt] of Object.entries(attempts)) {
      const err = await databaseErrorOf(attempt());
      expect(err.code, operation).toBe('42501'); // insufficient_privilege, raised by the trigger
      expect(err.message).toBe(`audit_events is append-only: ${operation} is not allowed`);
      expect(await countEvents(), operation).toBe(rows.length);
    }
    // Also through the query builder, and for every row at once.
    expect((await databaseErrorOf(t.db.updateTable('audit_events').set({ source: 'cli' }).execute())).code).toBe('42501');
    expect((await databaseErrorOf(t.db.deleteFrom('audit_events').execute())).code).toBe('42501');

    expect(await t.db.selectFrom('audit_events').selectAll().orderBy('id').execute()).toEqual(rows);
    expect(await countEvents()).toBe(rows.length);
  });
});
