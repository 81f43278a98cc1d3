import { randomUUID } from 'node:crypto';
import type { Db, DbOrTrx } from '../db/database.js';
import type { AuditSource, Invitation, Member, Organization, Role } from '../db/schema.js';
import { AppError } from '../errors.js';
import { appendAuditEvent, appendAuditEvents, SYSTEM_ACTOR, type Actor as AuditActor } from '../events/audit-repository.js';
import { authorize } from './policy.js';
import { inChange } from './change.js';
import { findMemberByEmail, findMemberById, insertMember, recordRoleChange, updateMember } from './member-repository.js';
import { findOrganizationById, lockOrganization } from './organization-repository.js';
import {
  activeMemberEmails,
  countInvitationsSince,
  countSendsSince,
  findInvitation,
  findInvitationByTokenHash,
  insertInvitations,
  lockExpiredInvitations,
  pendingEmails,
  recordSends,
  updateInvitation,
} from './invitation-repository.js';
import {
  checkAddresses,
  MAX_ADDRESSES_PER_SUBMISSION,
  RESEND_COOLDOWN_SECONDS,
  RESENDS_PER_DAY,
  type Refusal,
} from './invitation-rules.js';
import { hashInvitationToken, looksLikeInvitationToken, sameHash } from './invitation-tokens.js';
import { normaliseEmail } from './emails.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Some addresses were refused and the owner did not ask to invite the valid ones: nothing was created. */
export class InvitationsRefusedError extends AppError {
  constructor(readonly refused: Refusal[]) {
    super('invitations_refused', refused.map((r) => r.message).join('; '));
  }
}

export interface CreateInvitationsInput {
  organizationId: string;
  actorMemberId: string | null;
  /** As typed, normalised here. */
  addresses: readonly string[];
  role: Role;
  message?: string | null;
  /** Invite the acceptable addresses even when others are refused. */
  inviteValidOnes?: boolean;
  source: AuditSource;
  now?: Date;
  /** Sent by a directory (SCIM, `scim_provisioning: invite`), not a member: it is the actor; its id for the person is kept. */
  byDirectory?: { name: string; actor: AuditActor; externalId: string | null };
  /**
   * A condition on the organization as it is under the lock (a directory's setting, e.g.
   * `slack_auto_invite`): when it is false nothing is written and the result says `skipped`.
   */
  onlyIf?: (organization: Organization) => boolean;
}

/**
 * Invites several addresses at once, all or nothing (unless the owner chose "invite the valid
 * ones"): one transaction creates the invitations, their audit events, their delivery jobs
 * (DM and email) and one summary message for the whole submission.
 */
export async function createInvitations(db: Db, input: CreateInvitationsInput): Promise<{ invitations: Invitation[]; refused: Refusal[]; skipped?: true }> {
  if (input.addresses.length === 0) throw new AppError('no_addresses', 'Enter at least one email address.');
  if (input.addresses.length > MAX_ADDRESSES_PER_SUBMISSION) {
    throw new AppError('too_many_addresses', `At most ${MAX_ADDRESSES_PER_SUBMISSION} addresses at once (you entered ${input.addresses.length}).`);
  }
  const now = input.now ?? new Date();
  return inChange(db, input.organizationId, input.actorMemberId, async ({ trx, organization, actor: member }) => {
    const directory = input.byDirectory;
    if (input.onlyIf && !input.onlyIf(organization)) return { invitations: [], refused: [], skipped: true as const };
    // The directory has decided already; anyone else must be an owner here, now.
    const actor = directory ? null : (authorize(member, 'member.invite', organization.id), member);

    const normalised = input.addresses.map((a) => normaliseEmail(a)).filter((e): e is string => Boolean(e));
    const sentToday = await countInvitationsSince(trx, organization.id, new Date(now.getTime() - DAY_MS));
    const { accepted, refused } = checkAddresses(input.addresses, {
      allowedDomains: organization.allowed_email_domains,
      activeMemberEmails: await activeMemberEmails(trx, organization.id, normalised),
      pendingEmails: await pendingEmails(trx, organization.id, normalised),
      remainingToday: Math.max(0, organization.daily_invitation_limit - sentToday),
    });
    if (accepted.length === 0 || (refused.length > 0 && !input.inviteValidOnes)) throw new InvitationsRefusedError(refused);

    const batchId = randomUUID();
    const expiresAt = new Date(now.getTime() + organization.invitation_expiry_days * DAY_MS);
    // U+0000 cannot be stored in PostgreSQL text and is invisible anyway: dropped, whoever calls.
    const cleaned = input.message?.replace(/\u0000/g, '').trim();
    const message = cleaned ? cleaned : null;
    // One statement per kind of row, whatever the number of addresses: a 50-address submission
    // commits in a dozen round trips inside the ack instead of some 250 (bench scenario 4).
    const invitations = await insertInvitations(
      trx,
      accepted.map((email) => ({ organizationId: organization.id, email, role: input.role, message, invitedBy: actor?.id ?? null, batchId, expiresAt, externalId: directory?.externalId ?? null })),
    );
    await recordSends(trx, invitations.map((i) => i.id), actor?.id ?? null);
    await appendAuditEvents(
      trx,
      invitations.map((invitation) => ({
        organizationId: organization.id,
        actor: actor ? { type: 'member', id: actor.id } : directory!.actor,
        action: 'invitation.sent',
        target: { type: 'invitation', id: invitation.id },
        after: { email: invitation.email, role: input.role, expires_at: expiresAt.toISOString(), ...(directory ? { directory: directory.name } : {}) },
        source: input.source,
      })),
    );
    return { invitations, refused };
  });
}

/** Resend renews the token (the old link dies now) and the expiry; pending or expired ones only. */
export async function resendInvitation(
  db: Db,
  input: { organizationId: string; actorMemberId: string | null; invitationId: string; source: AuditSource; now?: Date },
): Promise<Invitation> {
  const now = input.now ?? new Date();
  return inChange(db, input.organizationId, input.actorMemberId, async ({ trx, organization, actor }) => {
    authorize(actor, 'member.invite', organization.id);
    const invitation = await findInvitation(trx, organization.id, input.invitationId, { forUpdate: true });
    if (!invitation) throw new AppError('not_found', 'That invitation does not exist.');
    if (invitation.status !== 'pending' && invitation.status !== 'expired') {
      throw new AppError('not_resendable', `The invitation to ${invitation.email} was ${invitation.status}; it cannot be resent. Invite the address again instead.`);
    }
    const waited = (now.getTime() - invitation.last_sent_at.getTime()) / 1000;
    if (waited < RESEND_COOLDOWN_SECONDS) {
      throw new AppError('resend_cooldown', `The invitation to ${invitation.email} was sent ${Math.floor(waited)} seconds ago. You can resend it in ${Math.ceil(RESEND_COOLDOWN_SECONDS - waited)} seconds.`);
    }
    if ((await countSendsSince(trx, invitation.id, new Date(now.getTime() - DAY_MS))) >= RESENDS_PER_DAY) {
      throw new AppError('resend_daily_cap', `The invitation to ${invitation.email} has been sent ${RESENDS_PER_DAY} times in the last 24 hours. Try again tomorrow.`);
    }
    if (invitation.status === 'expired' && (await pendingEmails(trx, organization.id, [invitation.email])).size > 0) {
      throw new AppError('already_pending', `${invitation.email} already has another pending invitation.`);
    }
    const expiresAt = new Date(now.getTime() + organization.invitation_expiry_days * DAY_MS);
    const updated = await updateInvitation(trx, invitation, {
      status: 'pending',
      token_hash: null,
      expires_at: expiresAt,
      last_sent_at: now,
      send_count: invitation.send_count + 1,
    });
    await recordSends(trx, [invitation.id], actor.id);
    await appendAuditEvent(trx, {
      organizationId: organization.id,
      actor: { type: 'member', id: actor.id },
      action: 'invitation.resent',
      target: { type: 'invitation', id: invitation.id },
      before: { status: invitation.status, expires_at: invitation.expires_at.toISOString() },
      after: { status: 'pending', expires_at: expiresAt.toISOString(), send_count: updated.send_count },
      source: input.source,
    });
    return updated;
  });
}

/** Cancel: the link stops working the moment this commits. */
export async function cancelInvitation(
  db: Db,
  input: { organizationId: string; actorMemberId: string | null; invitationId: string; source: AuditSource },
): Promise<Invitation> {
  return inChange(db, input.organizationId, input.actorMemberId, async ({ trx, organization, actor }) => {
    authorize(actor, 'member.invite', organization.id);
    const invitation = await findInvitation(trx, organization.id, input.invitationId, { forUpdate: true });
    if (!invitation) throw new AppError('not_found', 'That invitation does not exist.');
    if (invitation.status !== 'pending' && invitation.status !== 'expired') {
      throw new AppError('not_cancellable', `The invitation to ${invitation.email} was already ${invitation.status}.`);
    }
    const cancelled = await closeInvitation(trx, organization, invitation, 'cancelled', { type: 'member', id: actor.id }, input.source, {
      cancelled_by_member_id: actor.id,
    });
    return cancelled;
  });
}

/** Ends an invitation without a member: cancelled, declined or expired; audited (the tellers rewrite its DM). */
export async function closeInvitation(
  trx: DbOrTrx,
  organization: Organization,
  invitation: Invitation,
  status: 'cancelled' | 'declined' | 'expired',
  actor: AuditActor,
  source: AuditSource,
  extra: { cancelled_by_member_id?: string } = {},
): Promise<Invitation> {
  const [closed] = await closeInvitations(trx, organization, [invitation], status, actor, source, extra);
  return closed!;
}

/** Several at once, with their audit events in one append: an expiry run is one change, told once. */
async function closeInvitations(
  trx: DbOrTrx,
  organization: Organization,
  invitations: readonly Invitation[],
  status: 'cancelled' | 'declined' | 'expired',
  actor: AuditActor,
  source: AuditSource,
  extra: { cancelled_by_member_id?: string } = {},
): Promise<Invitation[]> {
  const closed: Invitation[] = [];
  // The token hash stays, so a link to a closed invitation can still say what became of it.
  for (const invitation of invitations) closed.push(await updateInvitation(trx, invitation, { status, responded_at: new Date(), ...extra }));
  await appendAuditEvents(
    trx,
    invitations.map((invitation) => ({
      organizationId: organization.id,
      actor,
      action: `invitation.${status}`,
      target: { type: 'invitation', id: invitation.id },
      before: { status: invitation.status },
      after: { status },
      source,
    })),
  );
  return closed;
}

export type AcceptChannel =
  | { kind: 'link'; token: string }
  /** `guest`: the clicker is a guest of the workspace, who joins as a member even when invited as an owner. */
  | { kind: 'slack'; invitationId: string; organizationId: string; slackUserId: string; profileEmail: string | null; displayName: string | null; guest?: boolean };

/** Why an invitation can't be used now; each gets its own page or message. */
export class InvitationUnusableError extends AppError {
  constructor(
    code: 'unknown' | 'expired' | 'cancelled' | 'used' | 'sso_required' | 'wrong_user',
    message: string,
    readonly organizationName?: string,
  ) {
    super(code, message);
  }
}

/**
 * Finds and locks the invitation an accept/decline refers to, and checks it can be used by
 * this channel: an email-link token (by hash, compared in constant time) or a Slack click
 * (the clicker's profile email must be the invited address).
 */
async function usableInvitation(trx: DbOrTrx, via: AcceptChannel, now: Date): Promise<{ invitation: Invitation; organization: Organization }> {
  let invitation: Invitation | undefined;
  if (via.kind === 'link') {
    if (looksLikeInvitationToken(via.token)) {
      const hash = hashInvitationToken(via.token);
      invitation = await findInvitationByTokenHash(trx, hash, { forUpdate: true });
      if (invitation && !sameHash(invitation.token_hash, hash)) invitation = undefined;
    }
  } else {
    invitation = await findInvitation(trx, via.organizationId, via.invitationId, { forUpdate: true });
  }
  // A replaced link (resend renews the token) looks exactly like a made-up one.
  if (!invitation) throw new InvitationUnusableError('unknown', 'This invitation link is not valid. It may have been replaced by a newer one or mistyped.');
  const organization = (await findOrganizationById(trx, invitation.organization_id))!;
  const unusable = (code: 'expired' | 'cancelled' | 'used', message: string) => new InvitationUnusableError(code, message, organization.name);
  if (invitation.status === 'cancelled') throw unusable('cancelled', `This invitation to ${organization.name} was cancelled.`);
  if (invitation.status === 'accepted' || invitation.status === 'declined') throw unusable('used', `This invitation was already ${invitation.status}.`);
  // Checked before the owner's "require SSO" so a dead link says it is dead.
  if (invitation.status === 'expired' || invitation.expires_at <= now) {
    throw unusable('expired', `This invitation to ${organization.name} has expired. Ask an owner to send it again.`);
  }
  if (via.kind === 'link' && organization.require_sso) {
    throw new InvitationUnusableError('sso_required', `${organization.name} accepts invitations only inside Slack: open the invitation Team Manager sent you in Slack and click Accept there.`, organization.name);
  }
  if (via.kind === 'slack' && (!via.profileEmail || via.profileEmail.toLowerCase() !== invitation.email)) {
    throw new InvitationUnusableError('wrong_user', 'This invitation is for someone else: only the person whose Slack profile email is the invited address can accept it.', organization.name);
  }
  return { invitation, organization };
}

/**
 * Accepts an invitation: the member is created (or reactivated) with the invited role, linked
 * to the Slack user when accepted in Slack. Two concurrent accepts of one invitation: the row
 * lock makes the second see it already accepted.
 */
export async function acceptInvitation(db: Db, via: AcceptChannel, now = new Date()): Promise<{ member: Member; organization: Organization; invitation: Invitation }> {
  return db.transaction().execute(async (trx) => {
    const { invitation, organization } = await usableInvitation(trx, via, now);
    await lockOrganization(trx, organization.id);
    const slackUserId = via.kind === 'slack' ? via.slackUserId : null;
    const guest = via.kind === 'slack' && via.guest === true;
    // Guests may be members, never owners (members.ts): an owner invitation makes a guest a member.
    const role = guest ? 'member' : invitation.role;
    const existing = await findMemberByEmail(trx, organization.id, invitation.email, { forUpdate: true });
    let member: Member;
    if (!existing) {
      member = await insertMember(trx, {
        organizationId: organization.id,
        email: invitation.email,
        role,
        slackUserId,
        displayName: via.kind === 'slack' ? via.displayName : null,
        invitedBy: invitation.invited_by_member_id,
        slackGuest: guest,
        externalId: invitation.external_id,
      });
    } else if (existing.status === 'removed') {
      member = await updateMember(trx, existing, {
        status: 'active',
        role,
        slack_guest: guest,
        removed_at: null,
        removed_by_member_id: null,
        removal_reason: null,
        joined_at: now,
        ...(slackUserId && !existing.slack_user_id ? { slack_user_id: slackUserId } : {}),
        ...(invitation.external_id ? { external_id: invitation.external_id } : {}),
      });
    } else {
      member = existing; // Already a member (joined another way meanwhile): the invitation is simply used up.
    }
    if (member !== existing) {
      await recordRoleChange(trx, { organizationId: organization.id, memberId: member.id, from: null, to: member.role, by: invitation.invited_by_member_id, source: via.kind === 'slack' ? 'slack' : 'web' });
    }
    const accepted = await updateInvitation(trx, invitation, { status: 'accepted', responded_at: now, member_id: member.id });
    await appendAuditEvent(trx, {
      organizationId: organization.id,
      actor: { type: 'member', id: member.id },
      action: 'invitation.accepted',
      target: { type: 'member', id: member.id },
      before: { invitation_status: 'pending', member_status: existing?.status ?? null },
      after: { invitation_id: invitation.id, role: member.role, status: 'active', ...(member !== existing && role !== invitation.role ? { invited_role: invitation.role, guest: true } : {}) },
      source: via.kind === 'slack' ? 'slack' : 'web',
    });
    return { member, organization, invitation: accepted };
  });
}

export async function declineInvitation(db: Db, via: AcceptChannel, now = new Date()): Promise<{ organization: Organization; invitation: Invitation }> {
  return db.transaction().execute(async (trx) => {
    const { invitation, organization } = await usableInvitation(trx, via, now);
    // The invitee declines: from Slack they are that Slack user, from the email link the invited address.
    const actor: AuditActor = via.kind === 'slack' ? { type: 'slack_user', id: via.slackUserId } : { type: 'invitee', id: invitation.email };
    const declined = await closeInvitation(trx, organization, invitation, 'declined', actor, via.kind === 'slack' ? 'slack' : 'web');
    return { organization, invitation: declined };
  });
}

/**
 * The periodic expiry: pending invitations past their time become expired (their links die),
 * each audited, one append (and so one message) per organization per run. Rows are claimed with SKIP LOCKED,
 * so several workers never expire one twice.
 */
export async function expireInvitations(db: Db, now = new Date(), batchSize = 500): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const due = await lockExpiredInvitations(trx, now, batchSize);
    const byOrganization = new Map<string, Invitation[]>();
    for (const invitation of due) byOrganization.set(invitation.organization_id, [...(byOrganization.get(invitation.organization_id) ?? []), invitation]);
    for (const [organizationId, invitations] of byOrganization) {
      const organization = (await findOrganizationById(trx, organizationId))!;
      await closeInvitations(trx, organization, invitations, 'expired', SYSTEM_ACTOR, 'system');
    }
    return due.length;
  });
}

/** Invitations a member sent that are still pending end when the member leaves or is removed. */
export async function cancelInvitationsSentBy(trx: DbOrTrx, organization: Organization, member: Member, source: AuditSource): Promise<number> {
  const pending = await trx
    .selectFrom('invitations')
    .selectAll()
    .where('organization_id', '=', organization.id)
    .where('invited_by_member_id', '=', member.id)
    .where('status', '=', 'pending')
    .forUpdate()
    .execute();
  if (pending.length > 0) await closeInvitations(trx, organization, pending, 'cancelled', SYSTEM_ACTOR, source);
  return pending.length;
}

/** What the accept page shows about a usable invitation, before anyone clicks. */
export interface InvitationDescription {
  organizationName: string;
  /** The inviter's name, else their email (the same words the email used). */
  inviterName: string;
  role: Role;
  /** The invited address, so the reader can tell the link was meant for them. */
  email: string;
  message: string | null;
  expiresAt: Date;
}

/**
 * Describes the invitation an email link points to, changing nothing: the accept page's GET.
 * It goes through the very checks accept and decline use (so the page never offers a button
 * that would then fail differently) and throws the same InvitationUnusableError. Those checks
 * lock the row; the transaction only reads and ends at once, so the lock lasts milliseconds.
 */
export async function describeInvitation(db: Db, token: string, now = new Date()): Promise<InvitationDescription> {
  return db.transaction().execute(async (trx) => {
    const { invitation, organization } = await usableInvitation(trx, { kind: 'link', token }, now);
    const inviter = invitation.invited_by_member_id ? await findMemberById(trx, organization.id, invitation.invited_by_member_id) : undefined;
    return {
      organizationName: organization.name,
      inviterName: inviter?.display_name ?? inviter?.email ?? 'An owner',
      role: invitation.role,
      email: invitation.email,
      message: invitation.message,
      expiresAt: invitation.expires_at,
    };
  });
}
