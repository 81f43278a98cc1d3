import { beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { Member, Organization } from '../../src/db/schema.js';
import { findOrganizationById } from '../../src/team/organization-repository.js';
import { requestRemoval } from '../../src/team/removals.js';
import { REMOVAL_REQUEST_EXPIRY_HOURS, updateSettings, type SettingsInput } from '../../src/team/settings.js';
import { useTestDatabase } from '../support/database.js';
import { auditActions, queuedJobs, seedMember, seedOrganization } from '../support/seed.js';

/**
 * What Slack and email are told of these changes: the same changes as the domain's own suite
 * (test/integration/settings.test.ts, run with no Slack adapter loadable), here with the app's
 * tellers installed (test/support/tellings.ts), asserting the queued posts, DMs, cards and Homes.
 */

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


async function expectUnchanged(): Promise<void> {
  const now = (await findOrganizationById(t.db, org.id))!;
  expect({ ...now, updated_at: null }).toEqual({ ...org, updated_at: null });
  expect(await auditActions(t.db, org.id)).toEqual([]);
  expect(await queuedJobs(t.db, org.id)).toEqual([]);
}

describe('updateSettings', () => {
  it('summarises what SCIM provisioning does now, in words', async () => {
    await update(owner.id, { scim_provisioning: 'invite' });
    const [job, ...more] = await queuedJobs(t.db, org.id);
    expect(more).toEqual([]);
    expect(job!.payload.text).toBe(
      ':gear: <@U0OLGA> changed the team settings:\n• SCIM provisioning: people added by the identity provider become members at once → people added by the identity provider are sent an invitation',
    );
  });

  it('summarises the Slack directory settings in words', async () => {
    await update(owner.id, { slack_deactivation: 'ignore', slack_auto_invite: true });
    const [job, ...more] = await queuedJobs(t.db, org.id);
    expect(more).toEqual([]);
    expect(job!.payload.text).toBe(
      ':gear: <@U0OLGA> changed the team settings:\n• When someone is deactivated in Slack: remove them → do nothing\n' +
        '• Invite new workspace members automatically: off → on (people who join the Slack workspace at an allowed email domain are invited as Members)',
    );
  });

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

    const jobs = await queuedJobs(t.db, org.id);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]!.payload).toMatchObject({ channel: 'C0TEAM0001' });
    expect(jobs[0]!.payload.text).toBe(
      [
        ':gear: <@U0OLGA> changed the team settings:',
        '• Invitations expire after: 7 → 14 days',
        '• Allowed email domains: added `acme.test`, `example.org`',
        '• Require SSO: off → on (invitations can be accepted only inside Slack)',
      ].join('\n'),
    );
    // Queued with the team channel's pacing queue, like every other channel message.
    const { rows } = await sql<{ queue_name: string }>`select queue_name from graphile_worker.jobs`.execute(t.db);
    expect(rows).toEqual([{ queue_name: 'slack-channel:C0TEAM0001' }]);
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
    const jobs = await queuedJobs(t.db, org.id);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]!.payload.text).toBe(
      [
        ':gear: <@U0OLGA> changed the team settings:',
        '• Removal requests expire after: 72 → 24 hours (requests already waiting keep their expiry)',
        '• Notify the removed person: on → off (removed people are no longer sent a DM)',
      ].join('\n'),
    );
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
    expect((await queuedJobs(t.db, org.id)).filter((j) => j.payload.channel === 'U0DAN')).toEqual([]);

    const eve = await seedMember(t.db, org, 'eve@acme.test', 'member', { slackUserId: 'U0EVE' });
    await update(owner.id, { notify_removed_member: true });
    await requestRemoval(t.db, { organizationId: org.id, actorMemberId: owner.id, targetMemberId: eve.id, source: 'slack' });
    const dms = (await queuedJobs(t.db, org.id)).filter((j) => j.payload.channel === 'U0EVE');
    expect(dms).toHaveLength(1);
    expect(dms[0]!.payload.text).toContain('has ended');
  });

  it('announces a new team channel in the new channel, and says so', async () => {
    await update(owner.id, { team_channel_id: 'C0GENERAL1', approvals_channel_id: 'C0APPR0001' });
    const jobs = await queuedJobs(t.db, org.id);
    expect(jobs.map((j) => j.payload.channel)).toEqual(['C0GENERAL1']);
    expect(jobs[0]!.payload.text).toContain('• Team channel: <#C0TEAM0001> → <#C0GENERAL1> (team updates are posted there from now on)');
    expect(jobs[0]!.payload.text).toContain('• Approvals channel: _none_ → <#C0APPR0001>');
  });

  it('tells the old channel when the team channel is cleared', async () => {
    await update(owner.id, { team_channel_id: null });
    const jobs = await queuedJobs(t.db, org.id);
    expect(jobs.map((j) => j.payload.channel)).toEqual(['C0TEAM0001']);
    expect(jobs[0]!.payload.text).toContain('team updates are no longer posted anywhere');
  });

  it('queues the summary in the same transaction: when queueing fails, the change and its event roll back', async () => {
    // A trigger that refuses this organization's jobs stands in for the queue failing mid-transaction.
    await sql`
      create function test_refuse_job() returns trigger language plpgsql as $$
      begin
        if new.payload->>'organizationId' = ${sql.lit(org.id)} then raise exception 'queue unavailable'; end if;
        return new;
      end $$`.execute(t.db);
    await sql`create trigger refuse_job before insert on graphile_worker._private_jobs for each row execute function test_refuse_job()`.execute(t.db);
    try {
      await expect(update(owner.id, { invitation_expiry_days: 3 })).rejects.toThrow('queue unavailable');
    } finally {
      await sql`drop trigger refuse_job on graphile_worker._private_jobs`.execute(t.db);
      await sql`drop function test_refuse_job()`.execute(t.db);
    }
    await expectUnchanged();
  });

});
