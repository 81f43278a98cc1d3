import { beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import pino from 'pino';
import type { Organization, Member } from '../../src/db/schema.js';
import { actorName } from '../../src/slack/blocks/audit-sentences.js';
import { AppError } from '../../src/errors.js';
import {
  acceptInvitation,
  cancelInvitation,
  createInvitations,
  declineInvitation,
  expireInvitations,
  InvitationsRefusedError,
  resendInvitation,
} from '../../src/team/invitations.js';
import { sendInvitationEmail } from '../../src/notify/invitation-delivery.js';
import { useTestDatabase } from '../support/database.js';
import { captureMail } from '../support/mail-capture.js';
import { auditActions, queuedJobs, seedMember, seedOrganization } from '../support/seed.js';

const t = useTestDatabase();
const log = pino({ level: 'silent' });
let seq = 0;
let org: Organization;
let owner: Member;

beforeEach(async () => {
  await sql`delete from graphile_worker._private_jobs`.execute(t.db);
  org = await seedOrganization(t.db, `T_INV_${++seq}`, { team_channel_id: 'C0TEAM0001', name: 'Acme' });
  owner = await seedMember(t.db, org, 'olga@acme.test', 'owner', { slackUserId: 'U0OLGA' });
});

const invite = (addresses: string[], extra: Partial<Parameters<typeof createInvitations>[1]> = {}) =>
  createInvitations(t.db, { organizationId: org.id, actorMemberId: owner.id, addresses, role: 'member', source: 'slack', ...extra });

/** Runs the email job for an invitation as the worker would, and returns the link it emailed. */
async function emailLink(invitationId: string, email: string): Promise<string> {
  const mailer = captureMail();
  const invitation = await t.db.selectFrom('invitations').selectAll().where('id', '=', invitationId).executeTakeFirstOrThrow();
  await sendInvitationEmail(
    { db: t.db, mailer, log, publicUrl: 'https://team.example.com' },
    { organizationId: org.id, invitationId, sendCount: invitation.send_count },
  );
  return mailer.linkTo(email);
}
const tokenOf = (link: string) => link.slice(link.lastIndexOf('/') + 1);

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (err) {
    if (err instanceof AppError) return err.code;
    throw err;
  }
}

describe('inviting', () => {
  it('three addresses: three invitations and audit events, a DM and an email job each, one summary post', async () => {
    const { invitations, refused } = await invite(['A@acme.test', ' b@example.org', 'c@example.org']);
    expect(refused).toEqual([]);
    expect(invitations.map((i) => i.email)).toEqual(['a@acme.test', 'b@example.org', 'c@example.org']);
    expect(new Set(invitations.map((i) => i.batch_id)).size).toBe(1);
    expect(invitations[0]!.expires_at.getTime() - invitations[0]!.created_at.getTime()).toBeCloseTo(7 * 86400_000, -4);
    expect(await auditActions(t.db, org.id)).toEqual(['invitation.sent', 'invitation.sent', 'invitation.sent']);
    const jobs = await queuedJobs(t.db, org.id);
    expect(jobs.filter((j) => j.task === 'invitation.send-email')).toHaveLength(3);
    expect(jobs.filter((j) => j.task === 'invitation.send-dm')).toHaveLength(3);
    const posts = jobs.filter((j) => j.task === 'slack.post-message' && j.payload.channel === 'C0TEAM0001');
    expect(posts.map((p) => p.payload.text)).toEqual([':envelope: <@U0OLGA> invited 3 people as Member: a@acme.test, b@example.org, c@example.org.']);
    // The token is made by the email job, never stored in the queue.
    expect(JSON.stringify(jobs)).not.toMatch(/[A-Za-z0-9_-]{43}/);
  });

  it('fifty addresses, written in batches: every invitation has its own send, audit event, email job and DM job, keyed to it', async () => {
    const addresses = Array.from({ length: 50 }, (_, i) => `person${String(49 - i).padStart(2, '0')}@example.org`);
    const { invitations } = await invite(addresses);
    // In the order typed, each row the one for its address.
    expect(invitations.map((i) => i.email)).toEqual(addresses);
    const stored = await t.db.selectFrom('invitations').select(['id', 'email']).where('organization_id', '=', org.id).execute();
    expect(new Map(stored.map((r) => [r.id, r.email]))).toEqual(new Map(invitations.map((i) => [i.id, i.email])));

    const sends = await t.db.selectFrom('invitation_sends').select(['invitation_id', 'sent_by_member_id']).where('invitation_id', 'in', invitations.map((i) => i.id)).execute();
    expect(sends.map((s) => s.invitation_id).sort()).toEqual(invitations.map((i) => i.id).sort());
    expect(new Set(sends.map((s) => s.sent_by_member_id))).toEqual(new Set([owner.id]));

    const events = await t.db.selectFrom('audit_events').select(['action', 'target_id', 'after']).where('organization_id', '=', org.id).execute();
    const emailOf = new Map(invitations.map((i) => [i.id, i.email]));
    expect(events).toHaveLength(50);
    for (const e of events) {
      expect(e.action).toBe('invitation.sent');
      expect((e.after as { email: string }).email).toBe(emailOf.get(e.target_id!));
    }

    const { rows: jobs } = await sql<{ task: string; key: string | null; payload: { invitationId?: string } }>`
      select t.identifier as task, j.key, j.payload from graphile_worker._private_jobs j
      join graphile_worker._private_tasks t on t.id = j.task_id
      where t.identifier like 'invitation.%'`.execute(t.db);
    for (const task of ['invitation.send-email', 'invitation.send-dm'] as const) {
      const mine = jobs.filter((j) => j.task === task);
      expect(mine.map((j) => j.payload.invitationId).sort()).toEqual(invitations.map((i) => i.id).sort());
      const prefix = task === 'invitation.send-email' ? 'invitation-email' : 'invitation-dm';
      for (const j of mine) expect(j.key).toBe(`${prefix}:${j.payload.invitationId}`);
    }
    const posts = (await queuedJobs(t.db, org.id)).filter((j) => j.task === 'slack.post-message');
    expect(posts).toHaveLength(1);
    expect(posts[0]!.payload.text).toContain('invited 50 people as Member');
  });

  it('refuses each kind of bad address with its reason, and creates nothing', async () => {
    await seedMember(t.db, org, 'member@acme.test', 'member');
    await invite(['pending@acme.test']);
    await t.db.updateTable('organizations').set({ allowed_email_domains: ['acme.test'] }).where('id', '=', org.id).execute();
    const before = await auditActions(t.db, org.id);

    const err = await invite(['not-an-email', 'member@acme.test', 'PENDING@acme.test', 'x@evil.test', 'ok@acme.test', 'ok@acme.test']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvitationsRefusedError);
    expect((err as InvitationsRefusedError).refused.map((r) => [r.input, r.reason])).toEqual([
      ['not-an-email', 'invalid'],
      ['member@acme.test', 'already_member'],
      ['PENDING@acme.test', 'already_pending'],
      ['x@evil.test', 'domain_not_allowed'],
      ['ok@acme.test', 'duplicate'],
    ]);
    expect((err as InvitationsRefusedError).refused[3]!.message).toBe('x@evil.test: the domain evil.test is not in the allowed domains (acme.test)');
    expect(await auditActions(t.db, org.id)).toEqual(before);

    // "Invite the valid ones" goes ahead with those and reports the rest.
    const partial = await invite(['not-an-email', 'ok@acme.test', 'sub@eng.acme.test'], { inviteValidOnes: true });
    expect(partial.invitations.map((i) => i.email)).toEqual(['ok@acme.test', 'sub@eng.acme.test']);
    expect(partial.refused.map((r) => r.reason)).toEqual(['invalid']);
  });

  it('stops at the daily limit of the organization', async () => {
    await t.db.updateTable('organizations').set({ daily_invitation_limit: 2 }).where('id', '=', org.id).execute();
    await invite(['one@acme.test']);
    const err = (await invite(['two@acme.test', 'three@acme.test']).catch((e: unknown) => e)) as InvitationsRefusedError;
    expect(err.refused).toEqual([expect.objectContaining({ input: 'three@acme.test', reason: 'daily_limit' })]);
  });

  it('only owners invite; members and strangers are refused with nothing created', async () => {
    const member = await seedMember(t.db, org, 'member@acme.test', 'member');
    expect(await codeOf(invite(['x@acme.test'], { actorMemberId: member.id }))).toBe('forbidden');
    expect(await codeOf(invite(['x@acme.test'], { actorMemberId: null }))).toBe('forbidden');
    expect(await auditActions(t.db, org.id)).toEqual([]);
  });
});

describe('tokens', () => {
  it('accepting by link creates the member with the invited role; the link is single-use; the team hears it', async () => {
    const { invitations } = await invite(['new@example.org'], { role: 'owner' });
    const link = await emailLink(invitations[0]!.id, 'new@example.org');
    expect(link).toMatch(/^https:\/\/team\.example\.com\/invitations\/[A-Za-z0-9_-]{43}$/);
    const stored = await t.db.selectFrom('invitations').select('token_hash').where('id', '=', invitations[0]!.id).executeTakeFirstOrThrow();
    expect(stored.token_hash).toHaveLength(32);
    expect(stored.token_hash!.toString('base64url')).not.toBe(tokenOf(link));

    const { member } = await acceptInvitation(t.db, { kind: 'link', token: tokenOf(link) });
    expect(member).toMatchObject({ email: 'new@example.org', role: 'owner', status: 'active', invited_by_member_id: owner.id });
    expect((await auditActions(t.db, org.id)).at(-1)).toBe('invitation.accepted');
    expect((await queuedJobs(t.db, org.id)).some((j) => j.payload.text === ':tada: new@example.org joined as Owner, invited by <@U0OLGA>.')).toBe(true);

    expect(await codeOf(acceptInvitation(t.db, { kind: 'link', token: tokenOf(link) }))).toBe('used');
  });

  it('unknown, malformed, truncated and replaced tokens are all just "unknown"', async () => {
    const { invitations } = await invite(['new@example.org']);
    const link = await emailLink(invitations[0]!.id, 'new@example.org');
    const token = tokenOf(link);
    expect(await codeOf(acceptInvitation(t.db, { kind: 'link', token: 'A'.repeat(43) }))).toBe('unknown');
    expect(await codeOf(acceptInvitation(t.db, { kind: 'link', token: token.slice(0, 20) }))).toBe('unknown');
    expect(await codeOf(acceptInvitation(t.db, { kind: 'link', token: "'; drop table invitations; --" }))).toBe('unknown');
    // A resend renews the token: the old link stops working at once.
    await resendInvitation(t.db, { organizationId: org.id, actorMemberId: owner.id, invitationId: invitations[0]!.id, source: 'slack', now: new Date(Date.now() + 61_000) });
    expect(await codeOf(acceptInvitation(t.db, { kind: 'link', token }))).toBe('unknown');
  });

  it('an expired or cancelled invitation says so; declining works once', async () => {
    const { invitations } = await invite(['a@example.org', 'b@example.org', 'c@example.org']);
    const [a, b, c] = await Promise.all(invitations.map((i) => emailLink(i.id, i.email)));
    expect(await codeOf(acceptInvitation(t.db, { kind: 'link', token: tokenOf(a!) }, new Date(Date.now() + 8 * 86400_000)))).toBe('expired');

    await cancelInvitation(t.db, { organizationId: org.id, actorMemberId: owner.id, invitationId: invitations[1]!.id, source: 'slack' });
    expect(await codeOf(acceptInvitation(t.db, { kind: 'link', token: tokenOf(b!) }))).toBe('cancelled');

    await declineInvitation(t.db, { kind: 'link', token: tokenOf(c!) });
    expect(await codeOf(acceptInvitation(t.db, { kind: 'link', token: tokenOf(c!) }))).toBe('used');
    expect(await auditActions(t.db, org.id)).toEqual(expect.arrayContaining(['invitation.cancelled', 'invitation.declined']));
    // Declined from the link: the invitee (their address) is the actor, not the system.
    const declined = await t.db.selectFrom('audit_events').selectAll().where('action', '=', 'invitation.declined').executeTakeFirstOrThrow();
    expect(declined).toMatchObject({ actor_type: 'invitee', actor_id: 'c@example.org', source: 'web' });
    expect(actorName(declined.actor_type, declined.actor_id)).toBe('c@example.org');
  });

  it('two concurrent accepts of one token create exactly one member', async () => {
    const { invitations } = await invite(['race@example.org']);
    const token = tokenOf(await emailLink(invitations[0]!.id, 'race@example.org'));
    const results = await Promise.all(Array.from({ length: 10 }, () => codeOf(acceptInvitation(t.db, { kind: 'link', token }))));
    expect(results.filter((r) => r === 'ok')).toHaveLength(1);
    expect(results.filter((r) => r === 'used')).toHaveLength(9);
    const members = await t.db.selectFrom('members').select('id').where('organization_id', '=', org.id).where('email', '=', 'race@example.org').execute();
    expect(members).toHaveLength(1);
    expect((await auditActions(t.db, org.id)).filter((a) => a === 'invitation.accepted')).toHaveLength(1);
  });

  it('with "require SSO", the link cannot accept; Slack can, for the right person only', async () => {
    await t.db.updateTable('organizations').set({ require_sso: true }).where('id', '=', org.id).execute();
    const { invitations } = await invite(['bob@acme.test']);
    const token = tokenOf(await emailLink(invitations[0]!.id, 'bob@acme.test'));
    expect(await codeOf(acceptInvitation(t.db, { kind: 'link', token }))).toBe('sso_required');

    const slack = (slackUserId: string, profileEmail: string | null) =>
      ({ kind: 'slack', organizationId: org.id, invitationId: invitations[0]!.id, slackUserId, profileEmail, displayName: 'Bob' }) as const;
    expect(await codeOf(acceptInvitation(t.db, slack('U0MALLORY', 'mallory@acme.test')))).toBe('wrong_user');
    expect(await codeOf(acceptInvitation(t.db, slack('U0NOMAIL', null)))).toBe('wrong_user');
    const { member } = await acceptInvitation(t.db, slack('U0BOB', 'Bob@Acme.test'));
    expect(member).toMatchObject({ slack_user_id: 'U0BOB', display_name: 'Bob', status: 'active' });
  });
});

describe('resend and expiry', () => {
  it('resend: 60 s cooldown, then at most 5 sends a day; each renews the expiry', async () => {
    const { invitations } = await invite(['slow@example.org']);
    const id = invitations[0]!.id;
    const start = Date.now();
    const resend = (offsetMs: number) => resendInvitation(t.db, { organizationId: org.id, actorMemberId: owner.id, invitationId: id, source: 'slack', now: new Date(start + offsetMs) });

    const early = await resend(30_000).catch((e: AppError) => e);
    expect(early).toMatchObject({ code: 'resend_cooldown' });
    expect((early as AppError).message).toMatch(/You can resend it in (29|30|31) seconds\./);

    for (let i = 1; i <= 4; i++) {
      const renewed = await resend(i * 61_000);
      expect(renewed.send_count).toBe(i + 1);
      expect(renewed.expires_at.getTime()).toBe(start + i * 61_000 + 7 * 86400_000);
    }
    expect(await resend(5 * 61_000).catch((e: AppError) => e.code)).toBe('resend_daily_cap');
    expect((await auditActions(t.db, org.id)).filter((a) => a === 'invitation.resent')).toHaveLength(4);
  });

  it('the periodic expiry marks overdue invitations expired, once, with one message per organization; expired can be resent', async () => {
    const { invitations } = await invite(['a@example.org', 'b@example.org']);
    const later = new Date(Date.now() + 8 * 86400_000);
    // Other tests' invitations in this database are due too: all of them, each exactly once.
    const due = await t.db.selectFrom('invitations').select('id').where('status', '=', 'pending').execute();
    const [first, second] = await Promise.all([expireInvitations(t.db, later), expireInvitations(t.db, later)]);
    expect(first + second).toBe(due.length);
    const statuses = await t.db.selectFrom('invitations').select('status').where('organization_id', '=', org.id).execute();
    expect(statuses.map((s) => s.status)).toEqual(['expired', 'expired']);
    expect((await auditActions(t.db, org.id)).filter((a) => a === 'invitation.expired')).toHaveLength(2);
    const posts = (await queuedJobs(t.db, org.id)).filter((j) => String(j.payload.text).includes('expired'));
    expect(posts).toHaveLength(1);
    expect(posts[0]!.payload.text).toContain('2 invitations to a@example.org, b@example.org expired');

    const back = await resendInvitation(t.db, { organizationId: org.id, actorMemberId: owner.id, invitationId: invitations[0]!.id, source: 'slack', now: later });
    expect(back.status).toBe('pending');
  });
});

describe('when the inviter leaves', () => {
  it('their pending invitations are cancelled in the same transaction', async () => {
    const second = await seedMember(t.db, org, 'otto@acme.test', 'owner');
    const { invitations } = await createInvitations(t.db, { organizationId: org.id, actorMemberId: second.id, addresses: ['x@example.org'], role: 'member', source: 'slack' });
    const { leaveTeam } = await import('../../src/team/members.js');
    await leaveTeam(t.db, { organizationId: org.id, actorMemberId: second.id, source: 'slack' });
    const after = await t.db.selectFrom('invitations').select('status').where('id', '=', invitations[0]!.id).executeTakeFirstOrThrow();
    expect(after.status).toBe('cancelled');
    expect(await auditActions(t.db, org.id)).toEqual(['invitation.sent', 'member.left', 'invitation.cancelled']);
  });
});
