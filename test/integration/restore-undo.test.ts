import { beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { Organization } from '../../src/db/schema.js';
import { changeRole, leaveTeam } from '../../src/team/members.js';
import { findMemberById } from '../../src/team/member-repository.js';
import { requestRemoval } from '../../src/team/removals.js';
import { restoreMember } from '../../src/team/restore.js';
import { undoChange } from '../../src/team/undo.js';
import { accountDeactivated, accountReactivated, SLACK_DIRECTORY } from '../../src/team/directory-changes.js';
import { randomUUID } from 'node:crypto';
import { insertInvitations } from '../../src/team/invitation-repository.js';
import { useTestDatabase } from '../support/database.js';
import { auditActions, queuedJobs, seedMember, seedOrganization } from '../support/seed.js';
import { refusalOf } from '../support/refusal.js';

/** Restore (src/team/restore.ts) and Undo (src/team/undo.ts) against the real database, the clock passed in. */
const t = useTestDatabase();
let n = 0;
let org: Organization;
const DAY = 24 * 60 * 60 * 1000;

beforeEach(async () => {
  await sql`delete from graphile_worker._private_jobs`.execute(t.db);
  org = await seedOrganization(t.db, `T_RESTORE_${++n}`, { team_channel_id: 'C0TEAM0001', name: 'Acme' });
  // No approval: a removal happens at once (the Undo's case).
  org = await t.db.updateTable('organizations').set({ removal_approval_policy: 'none' }).where('id', '=', org.id).returningAll().executeTakeFirstOrThrow();
});

async function people() {
  const olga = await seedMember(t.db, org, 'olga@acme.test', 'owner', { slackUserId: 'U0OLGA' });
  const oscar = await seedMember(t.db, org, 'oscar@acme.test', 'owner', { slackUserId: 'U0OSCAR' });
  const bob = await seedMember(t.db, org, 'bob@acme.test', 'member', { slackUserId: 'U0BOB' });
  return { olga, oscar, bob };
}

async function remove(actorId: string, targetId: string, now = new Date()) {
  const result = await requestRemoval(t.db, { organizationId: org.id, actorMemberId: actorId, targetMemberId: targetId, source: 'slack', now });
  if (result.kind !== 'removed') throw new Error('expected an immediate removal');
  return result;
}

const posts = async () => (await queuedJobs(t.db, org.id)).filter((j) => j.task === 'slack.post-message').map((j) => j.payload as { channel: string; text: string; blocks?: unknown[] });

describe('restore', () => {
  it('brings back a removed owner on the same row: role, Slack link and joined_at kept, restored_at set, audited and announced', async () => {
    const { olga, oscar } = await people();
    const before = (await findMemberById(t.db, org.id, oscar.id))!;
    await remove(olga.id, oscar.id, new Date(Date.now() - 10 * DAY));
    // The removal post carries a Restore button naming the member.
    expect((await posts()).find((p) => p.channel === 'C0TEAM0001')!.blocks).toEqual([expect.objectContaining({ accessory: expect.objectContaining({ action_id: 'member.restore', value: oscar.id }) })]);
    await sql`delete from graphile_worker._private_jobs`.execute(t.db);

    const { member, eventId } = await restoreMember(t.db, { organizationId: org.id, actorMemberId: olga.id, targetMemberId: oscar.id, source: 'slack' });
    expect(member).toMatchObject({ id: oscar.id, status: 'active', role: 'owner', slack_user_id: 'U0OSCAR', removed_at: null, removal_reason: null });
    expect(member.joined_at).toEqual(before.joined_at);
    expect(member.restored_at).toBeInstanceOf(Date);
    const event = await t.db.selectFrom('audit_events').selectAll().where('id', '=', eventId).executeTakeFirstOrThrow();
    expect(event).toMatchObject({ action: 'member.restored', actor_id: olga.id, target_id: oscar.id, before: { status: 'removed', role: 'owner' }, after: { status: 'active', role: 'owner' } });
    expect((await posts()).map((p) => p.text)).toContain(':leftwards_arrow_with_hook: <@U0OLGA> restored <@U0OSCAR> to the team as an Owner.');
  });

  it('a former owner under the two-person rule comes back as a member (being an owner again needs approval); a temporary ownership does not survive', async () => {
    const { olga, oscar } = await people();
    await t.db.updateTable('members').set({ owner_until: new Date(Date.now() + DAY) }).where('id', '=', oscar.id).execute();
    await remove(olga.id, oscar.id);
    org = await t.db.updateTable('organizations').set({ promotion_approval_policy: 'another-owner' }).where('id', '=', org.id).returningAll().executeTakeFirstOrThrow();
    const { member, eventId } = await restoreMember(t.db, { organizationId: org.id, actorMemberId: olga.id, targetMemberId: oscar.id, source: 'slack' });
    expect(member).toMatchObject({ id: oscar.id, status: 'active', role: 'member', owner_until: null, owner_expiry_held_at: null });
    const event = await t.db.selectFrom('audit_events').selectAll().where('id', '=', eventId).executeTakeFirstOrThrow();
    expect(event).toMatchObject({ before: { role: 'owner' }, after: { role: 'member' } });
    expect((await posts()).map((p) => p.text)).toContain(
      ":leftwards_arrow_with_hook: <@U0OLGA> restored <@U0OSCAR> to the team as a Member. They were an owner: being one again needs another owner's approval (`/team role`).",
    );
  });

  it('after the window: refused with the days and the way back, nothing changed', async () => {
    const { olga, bob } = await people();
    await remove(olga.id, bob.id, new Date(Date.now() - 30 * DAY - 60_000));
    const err = await refusalOf(restoreMember(t.db, { organizationId: org.id, actorMemberId: olga.id, targetMemberId: bob.id, source: 'slack' }));
    expect(err.code).toBe('restore_window_passed');
    expect(err.message).toBe('bob@acme.test was removed 31 days ago; restore works for 30 days. Invite them again with `/team invite`.');
    expect((await findMemberById(t.db, org.id, bob.id))!.status).toBe('removed');
    expect(await auditActions(t.db, org.id)).toEqual(['member.removed']);
  });

  it('the window follows the setting; 0 turns restore off', async () => {
    const { olga, bob } = await people();
    await remove(olga.id, bob.id, new Date(Date.now() - 5 * DAY));
    await t.db.updateTable('organizations').set({ restore_window_days: 0 }).where('id', '=', org.id).execute();
    expect((await refusalOf(restoreMember(t.db, { organizationId: org.id, actorMemberId: olga.id, targetMemberId: bob.id, source: 'slack' }))).code).toBe('restore_off');
    await t.db.updateTable('organizations').set({ restore_window_days: 4 }).where('id', '=', org.id).execute();
    expect((await refusalOf(restoreMember(t.db, { organizationId: org.id, actorMemberId: olga.id, targetMemberId: bob.id, source: 'slack' }))).message).toContain('restore works for 4 days');
  });

  it('refused to a member, and for someone active; a left member can be restored', async () => {
    const { olga, bob } = await people();
    const carol = await seedMember(t.db, org, 'carol@acme.test', 'member');
    await leaveTeam(t.db, { organizationId: org.id, actorMemberId: carol.id, source: 'slack' });
    const byMember = await refusalOf(restoreMember(t.db, { organizationId: org.id, actorMemberId: bob.id, targetMemberId: carol.id, source: 'slack' }));
    expect(byMember.code).toBe('forbidden');
    expect(byMember.message).toBe('Only owners can restore removed members. You are a member of this team.');
    const active = await refusalOf(restoreMember(t.db, { organizationId: org.id, actorMemberId: olga.id, targetMemberId: bob.id, source: 'slack' }));
    expect(active.message).toBe('bob@acme.test is an active member of this team: there is nothing to restore.');
    const back = await restoreMember(t.db, { organizationId: org.id, actorMemberId: olga.id, targetMemberId: carol.id, source: 'slack' });
    expect(back.member).toMatchObject({ status: 'active', role: 'member' });
  });

  it('two restores at once (a double click): one restore, the other told who did it', async () => {
    const { olga, oscar, bob } = await people();
    await remove(olga.id, bob.id);
    const results = await Promise.allSettled([
      restoreMember(t.db, { organizationId: org.id, actorMemberId: olga.id, targetMemberId: bob.id, source: 'slack' }),
      restoreMember(t.db, { organizationId: org.id, actorMemberId: oscar.id, targetMemberId: bob.id, source: 'slack' }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason.code).toBe('already_restored');
    expect(refused.reason.message).toMatch(/^bob@acme\.test was already restored by (olga|oscar)@acme\.test on .+\. Nothing was changed\.$/);
    expect((await auditActions(t.db, org.id)).filter((a) => a === 'member.restored')).toHaveLength(1);
  });

  it('deactivated in Slack: refused while the account is still deactivated, allowed once Slack reactivated it', async () => {
    const { olga, bob } = await people();
    await accountDeactivated(t.db, { organizationId: org.id, slackUserId: 'U0BOB', directory: SLACK_DIRECTORY });
    const err = await refusalOf(restoreMember(t.db, { organizationId: org.id, actorMemberId: olga.id, targetMemberId: bob.id, source: 'slack' }));
    expect(err.code).toBe('still_deactivated');
    expect(err.message).toBe("bob@acme.test's Slack account is still deactivated, so they cannot be restored. Once Slack has reactivated it, restore them again.");
    await accountReactivated(t.db, { organizationId: org.id, slackUserId: 'U0BOB', directory: SLACK_DIRECTORY });
    const back = await restoreMember(t.db, { organizationId: org.id, actorMemberId: olga.id, targetMemberId: bob.id, source: 'slack' });
    expect(back.member.status).toBe('active');
  });

  it('what was cancelled at the removal stays cancelled', async () => {
    const { olga, oscar } = await people();
    const [invitation] = await insertInvitations(t.db, [
      { organizationId: org.id, email: 'dave@acme.test', role: 'member', message: null, invitedBy: oscar.id, batchId: randomUUID(), expiresAt: new Date(Date.now() + DAY) },
    ]);
    await remove(olga.id, oscar.id);
    await restoreMember(t.db, { organizationId: org.id, actorMemberId: olga.id, targetMemberId: oscar.id, source: 'slack' });
    const after = await t.db.selectFrom('invitations').select('status').where('id', '=', invitation!.id).executeTakeFirstOrThrow();
    expect(after.status).toBe('cancelled');
  });
});

describe('undo', () => {
  const later = (ms: number) => new Date(Date.now() + ms);

  it('a role change, within 5 minutes, by the one who made it: the role is back, audited with undo_of', async () => {
    const { olga, bob } = await people();
    const change = await changeRole(t.db, { organizationId: org.id, actorMemberId: olga.id, targetMemberId: bob.id, role: 'owner', source: 'slack' });
    const undo = await undoChange(t.db, { organizationId: org.id, actorMemberId: olga.id, eventId: change.eventId!, source: 'slack', now: later(4 * 60_000) });
    expect(undo).toMatchObject({ kind: 'role_changed', role: 'member' });
    expect((await findMemberById(t.db, org.id, bob.id))!.role).toBe('member');
    const event = await t.db.selectFrom('audit_events').selectAll().where('id', '=', undo.eventId).executeTakeFirstOrThrow();
    expect(event).toMatchObject({ action: 'member.role_changed', before: { role: 'owner' }, after: { role: 'member', undo_of: change.eventId! } });
  });

  it('after 5 minutes: refused, nothing changed', async () => {
    const { olga, bob } = await people();
    const change = await changeRole(t.db, { organizationId: org.id, actorMemberId: olga.id, targetMemberId: bob.id, role: 'owner', source: 'slack' });
    const err = await refusalOf(undoChange(t.db, { organizationId: org.id, actorMemberId: olga.id, eventId: change.eventId!, source: 'slack', now: later(5 * 60_000 + 5_000) }));
    expect(err.code).toBe('undo_expired');
    expect(err.message).toMatch(/^Undo works for 5 minutes after a change; this one was made on .+ UTC\. Nothing was changed: change the role again with `\/team role`\.$/);
    expect((await findMemberById(t.db, org.id, bob.id))!.role).toBe('owner');
  });

  it('by someone else: refused, naming who made it', async () => {
    const { olga, oscar, bob } = await people();
    const change = await changeRole(t.db, { organizationId: org.id, actorMemberId: olga.id, targetMemberId: bob.id, role: 'owner', source: 'slack' });
    const err = await refusalOf(undoChange(t.db, { organizationId: org.id, actorMemberId: oscar.id, eventId: change.eventId!, source: 'slack' }));
    expect(err.code).toBe('undo_not_yours');
    expect(err.message).toBe('Only olga@acme.test, who made this change, can undo it. Nothing was changed.');
  });

  it('after a later change to the member: refused', async () => {
    const { olga, oscar, bob } = await people();
    const change = await changeRole(t.db, { organizationId: org.id, actorMemberId: olga.id, targetMemberId: bob.id, role: 'owner', source: 'slack' });
    await changeRole(t.db, { organizationId: org.id, actorMemberId: oscar.id, targetMemberId: bob.id, role: 'member', source: 'slack' });
    const err = await refusalOf(undoChange(t.db, { organizationId: org.id, actorMemberId: olga.id, eventId: change.eventId!, source: 'slack' }));
    expect(err.code).toBe('undo_superseded');
    // Undone twice? The first Undo is the latest change, so a second click on the same button is refused too.
    const again = await changeRole(t.db, { organizationId: org.id, actorMemberId: olga.id, targetMemberId: bob.id, role: 'owner', source: 'slack' });
    await undoChange(t.db, { organizationId: org.id, actorMemberId: olga.id, eventId: again.eventId!, source: 'slack' });
    expect((await refusalOf(undoChange(t.db, { organizationId: org.id, actorMemberId: olga.id, eventId: again.eventId!, source: 'slack' }))).code).toBe('undo_superseded');
  });

  it('through the same rules: an actor who is no longer an owner cannot undo', async () => {
    const { olga, oscar, bob } = await people();
    // The undoer must be an owner besides the target, so the last-owner rule cannot bite an Undo of a role change;
    // the rules that can are the role rules themselves. Oscar's self-demotion cannot be undone by him, a member now.
    const demoted = await changeRole(t.db, { organizationId: org.id, actorMemberId: oscar.id, targetMemberId: oscar.id, role: 'member', source: 'slack' });
    const err = await refusalOf(undoChange(t.db, { organizationId: org.id, actorMemberId: oscar.id, eventId: demoted.eventId!, source: 'slack' }));
    expect(err.code).toBe('forbidden');
    // Olga promotes Bob; Bob demotes Olga: Olga, no longer an owner, cannot undo her promotion of Bob.
    const promoted = await changeRole(t.db, { organizationId: org.id, actorMemberId: olga.id, targetMemberId: bob.id, role: 'owner', source: 'slack' });
    await changeRole(t.db, { organizationId: org.id, actorMemberId: bob.id, targetMemberId: olga.id, role: 'member', source: 'slack' });
    expect((await refusalOf(undoChange(t.db, { organizationId: org.id, actorMemberId: olga.id, eventId: promoted.eventId!, source: 'slack' }))).code).toBe('forbidden');
  });

  it('a removal without approval: Undo restores them, audited with undo_of; refused after 5 minutes', async () => {
    const { olga, bob } = await people();
    const removal = await remove(olga.id, bob.id);
    const undo = await undoChange(t.db, { organizationId: org.id, actorMemberId: olga.id, eventId: removal.eventId, source: 'slack' });
    expect(undo.kind).toBe('restored');
    expect((await findMemberById(t.db, org.id, bob.id))!.status).toBe('active');
    const event = await t.db.selectFrom('audit_events').selectAll().where('id', '=', undo.eventId).executeTakeFirstOrThrow();
    expect(event).toMatchObject({ action: 'member.restored', after: { undo_of: removal.eventId } });

    const again = await remove(olga.id, bob.id);
    const late = await refusalOf(undoChange(t.db, { organizationId: org.id, actorMemberId: olga.id, eventId: again.eventId!, source: 'slack', now: later(6 * 60_000) }));
    expect(late.message).toContain('restore them with `/team restore`');
  });

  it('a removal when restore is off (window 0): refused', async () => {
    const { olga, bob } = await people();
    const removal = await remove(olga.id, bob.id);
    await t.db.updateTable('organizations').set({ restore_window_days: 0 }).where('id', '=', org.id).execute();
    expect((await refusalOf(undoChange(t.db, { organizationId: org.id, actorMemberId: olga.id, eventId: removal.eventId, source: 'slack' }))).code).toBe('restore_off');
  });

  it('an event that is not an undoable change, or no event at all: refused', async () => {
    const { olga } = await people();
    expect((await refusalOf(undoChange(t.db, { organizationId: org.id, actorMemberId: olga.id, eventId: 'not-an-id', source: 'slack' }))).code).toBe('not_undoable');
    expect((await refusalOf(undoChange(t.db, { organizationId: org.id, actorMemberId: olga.id, eventId: '999999999', source: 'slack' }))).code).toBe('not_undoable');
  });
});
