import { beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { Member, Organization } from '../../src/db/schema.js';
import { changeRole } from '../../src/team/members.js';
import { findOrganizationById } from '../../src/team/organization-repository.js';
import { requestRemoval } from '../../src/team/removals.js';
import { InvalidSettingsError, REMOVAL_REQUEST_EXPIRY_HOURS, updateSettings, type SettingsInput } from '../../src/team/settings.js';
import { useTestDatabase } from '../support/database.js';
import { auditActions, seedMember, seedOrganization } from '../support/seed.js';
import { refusalOf } from '../support/refusal.js';

const t = useTestDatabase();
let n = 0;
let org: Organization;
let owner: Member;

beforeEach(async () => {
  await sql`delete from graphile_worker._private_jobs`.execute(t.db);
  org = await seedOrganization(t.db, `T_SETTINGS_${++n}`, { team_channel_id: 'C0TEAM0001', name: 'Acme' });
  owner = await seedMember(t.db, org, 'olga@acme.test', 'owner', { slackUserId: 'U0OLGA' });
});

const update = (actorMemberId: string | null, changes: Partial<SettingsInput>, organizationId = org.id) =>
  updateSettings(t.db, { organizationId, actorMemberId, changes, source: 'slack' });

const errorOf = refusalOf;

async function expectUnchanged(): Promise<void> {
  const now = (await findOrganizationById(t.db, org.id))!;
  expect({ ...now, updated_at: null }).toEqual({ ...org, updated_at: null });
  expect(await auditActions(t.db, org.id)).toEqual([]);
}

describe('updateSettings', () => {
  it('writes the changed fields, one settings.changed event with before/after of those only, and the summary job', async () => {
    const result = await update(owner.id, {
      // The whole form comes in; only what differs counts.
      team_channel_id: 'C0TEAM0001',
      approvals_channel_id: null,
      removal_approval_policy: 'another-owner',
      removal_request_expiry_hours: '72',
      notify_removed_member: true,
      invitation_expiry_days: '14',
      allowed_email_domains: 'Acme.test, acme.test, example.org',
      require_sso: true,
      access_review_cadence: 'weekly',
      inactivity_threshold_days: 90,
    });
    expect(result.changed).toEqual(['invitation_expiry_days', 'allowed_email_domains', 'require_sso']);
    expect(result.organization).toMatchObject({ invitation_expiry_days: 14, allowed_email_domains: ['acme.test', 'example.org'], require_sso: true });
    expect(await findOrganizationById(t.db, org.id)).toEqual(result.organization);

    const events = await t.db.selectFrom('audit_events').selectAll().where('organization_id', '=', org.id).execute();
    expect(events).toHaveLength(1);
    // What the actor's activity (a later issue) will look for: their configuration changes.
    expect(events[0]).toMatchObject({
      action: 'settings.changed',
      actor_type: 'member',
      actor_id: owner.id,
      target_type: 'organization',
      target_id: org.id,
      source: 'slack',
      before: { invitation_expiry_days: 7, allowed_email_domains: [], require_sso: false },
      after: { invitation_expiry_days: 14, allowed_email_domains: ['acme.test', 'example.org'], require_sso: true },
    });

  });

  it('saves how long removal requests wait and whether the removed person is told: one event naming both, one summary', async () => {
    expect(org).toMatchObject({ removal_request_expiry_hours: REMOVAL_REQUEST_EXPIRY_HOURS.default, notify_removed_member: true });
    const result = await update(owner.id, { removal_request_expiry_hours: '24', notify_removed_member: false, invitation_expiry_days: 7 });
    expect(result.changed).toEqual(['removal_request_expiry_hours', 'notify_removed_member']);
    expect(await findOrganizationById(t.db, org.id)).toMatchObject({ removal_request_expiry_hours: 24, notify_removed_member: false });

    const events = await t.db.selectFrom('audit_events').selectAll().where('organization_id', '=', org.id).execute();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      action: 'settings.changed',
      actor_id: owner.id,
      target_type: 'organization',
      target_id: org.id,
      before: { removal_request_expiry_hours: 72, notify_removed_member: true },
      after: { removal_request_expiry_hours: 24, notify_removed_member: false },
    });
  });

  it('saves what SCIM provisioning does (member by default, or invite): one event; a value it does not know is refused by name', async () => {
    expect(org.scim_provisioning).toBe('member');
    const result = await update(owner.id, { scim_provisioning: 'invite' });
    expect(result.changed).toEqual(['scim_provisioning']);
    expect((await findOrganizationById(t.db, org.id))!.scim_provisioning).toBe('invite');
    const [event, ...more] = await t.db.selectFrom('audit_events').selectAll().where('organization_id', '=', org.id).execute();
    expect(more).toEqual([]);
    expect(event).toMatchObject({ action: 'settings.changed', actor_id: owner.id, before: { scim_provisioning: 'member' }, after: { scim_provisioning: 'invite' } });
    const refused = await errorOf(update(owner.id, { scim_provisioning: 'approve' as never }));
    expect(refused).toBeInstanceOf(InvalidSettingsError);
    expect((refused as InvalidSettingsError).issues).toEqual([{ field: 'scim_provisioning', message: 'Choose what happens when your identity provider adds someone' }]);
  });

  it('saves what a Slack deactivation does and whether new workspace members are invited: one event; bad values refused by name', async () => {
    expect(org).toMatchObject({ slack_deactivation: 'remove', slack_auto_invite: false });
    const result = await update(owner.id, { slack_deactivation: 'ask', slack_auto_invite: true, scim_provisioning: 'member' });
    expect(result.changed).toEqual(['slack_deactivation', 'slack_auto_invite']);
    expect(await findOrganizationById(t.db, org.id)).toMatchObject({ slack_deactivation: 'ask', slack_auto_invite: true });
    const [event, ...more] = await t.db.selectFrom('audit_events').selectAll().where('organization_id', '=', org.id).execute();
    expect(more).toEqual([]);
    expect(event).toMatchObject({
      action: 'settings.changed',
      actor_id: owner.id,
      before: { slack_deactivation: 'remove', slack_auto_invite: false },
      after: { slack_deactivation: 'ask', slack_auto_invite: true },
    });
    const refused = await errorOf(update(owner.id, { slack_deactivation: 'archive' as never, slack_auto_invite: 'yes' as never }));
    expect(refused).toBeInstanceOf(InvalidSettingsError);
    expect((refused as InvalidSettingsError).issues).toEqual([
      { field: 'slack_deactivation', message: 'Choose what happens when someone is deactivated in Slack' },
      { field: 'slack_auto_invite', message: 'Invite new workspace members automatically must be on or off' },
    ]);
    expect(await findOrganizationById(t.db, org.id)).toMatchObject({ slack_deactivation: 'ask', slack_auto_invite: true });
  });

  it('the saved values are what removals use: a new request waits the new hours; the removed person gets a DM only while notifying is on', async () => {
    await seedMember(t.db, org, 'sam@acme.test', 'owner');
    const bob = await seedMember(t.db, org, 'bob@acme.test', 'member', { slackUserId: 'U0BOB' });
    const dan = await seedMember(t.db, org, 'dan@acme.test', 'member', { slackUserId: 'U0DAN' });
    await update(owner.id, { removal_request_expiry_hours: 5 });
    const now = new Date('2026-12-01T10:00:00Z');
    const requested = await requestRemoval(t.db, { organizationId: org.id, actorMemberId: owner.id, targetMemberId: bob.id, source: 'slack', now });
    expect(requested.kind).toBe('requested');
    if (requested.kind === 'requested') expect(requested.request.expires_at).toEqual(new Date('2026-12-01T15:00:00Z'));

    // Without approval, removals are immediate: one with the DM off, one with it on.
    await update(owner.id, { removal_approval_policy: 'none', notify_removed_member: false });
    await sql`delete from graphile_worker._private_jobs`.execute(t.db);
    const silent = await requestRemoval(t.db, { organizationId: org.id, actorMemberId: owner.id, targetMemberId: dan.id, source: 'slack' });
    expect(silent.kind).toBe('removed');

    const eve = await seedMember(t.db, org, 'eve@acme.test', 'member', { slackUserId: 'U0EVE' });
    await update(owner.id, { notify_removed_member: true });
    await requestRemoval(t.db, { organizationId: org.id, actorMemberId: owner.id, targetMemberId: eve.id, source: 'slack' });
  });

  it('a change that changes nothing writes nothing: no event, no job, the same row', async () => {
    await update(owner.id, { allowed_email_domains: ['b.com', 'a.com'] });
    await sql`delete from graphile_worker._private_jobs`.execute(t.db);
    const before = (await findOrganizationById(t.db, org.id))!;
    const eventsBefore = await auditActions(t.db, org.id);

    const result = await update(owner.id, { allowed_email_domains: 'A.com\nb.com', invitation_expiry_days: 7, require_sso: false });
    expect(result.changed).toEqual([]);
    expect(result.organization).toEqual(before);
    expect(await findOrganizationById(t.db, org.id)).toEqual(before);
    expect(await auditActions(t.db, org.id)).toEqual(eventsBefore);
  });

  it('refuses a member with the policy sentence, and changes nothing', async () => {
    const bob = await seedMember(t.db, org, 'bob@acme.test', 'member');
    const err = await errorOf(update(bob.id, { invitation_expiry_days: 14 }));
    expect(err.code).toBe('forbidden');
    expect(err.message).toBe('Only owners can change the team settings. You are a member of this team.');
    await expectUnchanged();
  });

  it("refuses another organization's owner, a removed owner and nobody", async () => {
    const other = await seedOrganization(t.db, `T_SETTINGS_OTHER_${n}`);
    const stranger = await seedMember(t.db, other, 'eve@evil.test', 'owner');
    const gone = await seedMember(t.db, org, 'gone@acme.test', 'owner', { removed: true });
    for (const actor of [stranger.id, gone.id, null]) {
      const err = await errorOf(update(actor, { require_sso: true }));
      expect(err.code).toBe('forbidden');
      expect(err.message).toContain("You're not an active member of this team");
    }
    await expectUnchanged();
    // The other organization is untouched too.
    expect((await findOrganizationById(t.db, other.id))!.require_sso).toBe(false);
  });

  it('re-reads the actor: an owner demoted a moment ago is refused', async () => {
    const second = await seedMember(t.db, org, 'sam@acme.test', 'owner');
    await changeRole(t.db, { organizationId: org.id, actorMemberId: owner.id, targetMemberId: second.id, role: 'member', source: 'slack' });
    await sql`delete from graphile_worker._private_jobs`.execute(t.db);
    const err = await errorOf(update(second.id, { access_review_cadence: 'off' }));
    expect(err.code).toBe('forbidden');
    expect((await findOrganizationById(t.db, org.id))!.access_review_cadence).toBe('weekly');
    expect(await auditActions(t.db, org.id)).toEqual(['member.role_changed']);
  });

  it('refuses invalid values naming each field, and writes nothing', async () => {
    const err = await errorOf(update(owner.id, { invitation_expiry_days: 45, allowed_email_domains: 'exa mple.com', inactivity_threshold_days: 90 }));
    expect(err).toBeInstanceOf(InvalidSettingsError);
    expect((err as InvalidSettingsError).issues).toEqual([
      { field: 'invitation_expiry_days', message: 'Invitation expiry must be a whole number of days from 1 to 30' },
      { field: 'allowed_email_domains', message: '"exa mple.com" is not a domain' },
    ]);
    await expectUnchanged();
  });

  it.each([0, 721, '1.5', 'soon'])('refuses removal request expiry %j on its field, and writes nothing (not even the valid fields beside it)', async (hours) => {
    const err = await errorOf(update(owner.id, { removal_request_expiry_hours: hours, notify_removed_member: false, invitation_expiry_days: 14 }));
    expect(err).toBeInstanceOf(InvalidSettingsError);
    expect((err as InvalidSettingsError).issues).toEqual([
      { field: 'removal_request_expiry_hours', message: 'Removal request expiry must be a whole number of hours from 1 to 720' },
    ]);
    expect(err.message).toBe('Removal request expiry must be a whole number of hours from 1 to 720. Nothing was changed.');
    await expectUnchanged();
  });

  it('two owners saving at once: both apply in turn, each event holding only its own change', async () => {
    const second = await seedMember(t.db, org, 'sam@acme.test', 'owner');
    await Promise.all([
      update(owner.id, { invitation_expiry_days: 3 }),
      update(second.id, { access_review_cadence: 'monthly' }),
    ]);
    expect(await findOrganizationById(t.db, org.id)).toMatchObject({ invitation_expiry_days: 3, access_review_cadence: 'monthly' });
    const events = await t.db.selectFrom('audit_events').select(['actor_id', 'before', 'after']).where('organization_id', '=', org.id).orderBy('id').execute();
    expect(events).toHaveLength(2);
    expect(events).toEqual(
      expect.arrayContaining([
        { actor_id: owner.id, before: { invitation_expiry_days: 7 }, after: { invitation_expiry_days: 3 } },
        { actor_id: second.id, before: { access_review_cadence: 'weekly' }, after: { access_review_cadence: 'monthly' } },
      ]),
    );
  });
});
