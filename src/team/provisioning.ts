import type { Db, DbOrTrx } from '../db/database.js';
import type { Invitation, Member, Organization } from '../db/schema.js';
import { AppError } from '../errors.js';
import { appendAuditEvent } from '../events/audit-repository.js';
import { inChange } from './change.js';
import type { Directory } from './directory-changes.js';
import { normaliseEmail } from './emails.js';
import { closeInvitation, createInvitations } from './invitations.js';
import { findInvitation } from './invitation-repository.js';
import { endMembership } from './membership-end.js';
import { LAST_OWNER_MESSAGE } from './members.js';
import { countActiveOwners, findMemberByEmail, findMemberByExternalId, findMemberById, findMemberByUserName, insertMember, recordRoleChange, updateMember } from './member-repository.js';
import { findOrganizationById } from './organization-repository.js';

/**
 * Provisioning from an identity provider (Okta, Entra ID, OneLogin over SCIM): the provider is
 * the source of truth for who should have an account, so what it asks for is done without a
 * member to authorise it — but through the same paths and rules as any other change: one
 * transaction under the organization lock, endMembership for every removal, the last-owner
 * rule, emails and external ids unique per team, an audit event and a team-channel post.
 */
export const IDENTITY_PROVIDER: Directory = { name: 'your identity provider', actor: { type: 'system', id: 'scim' }, source: 'scim' };

export const DEACTIVATED_REASON = `deactivated in ${IDENTITY_PROVIDER.name}`;
/** A provider's DELETE: the person is also gone from its point of view (SCIM answers 404 for them). */
export const DELETED_REASON = `deleted in ${IDENTITY_PROVIDER.name}`;

/** What a provider says about a person; undefined fields are left as they are. */
export interface ProvisionedProfile {
  email?: string;
  /** The provider's login name as it spells it (often the email, not always). */
  userName?: string;
  externalId?: string | null;
  givenName?: string | null;
  familyName?: string | null;
  displayName?: string | null;
}

export type ProvisionResult = { kind: 'member'; member: Member; outcome: 'created' | 'reactivated' } | { kind: 'invitation'; invitation: Invitation };

/**
 * A provider assigns a person to the app. With `scim_provisioning: member` they are a Member at
 * once (a removed member comes back); with `invite` they are sent an invitation through the
 * normal invitation path (domains, daily limit, email and DM). AppError('email_taken') when an
 * active member has the address, ('external_id_taken') when another member has the id.
 */
export async function provisionPerson(db: Db, input: { organizationId: string; profile: ProvisionedProfile & { email: string } }): Promise<ProvisionResult> {
  const email = requireEmail(input.profile.email);
  const organization = await findOrganizationById(db, input.organizationId);
  if (!organization) throw new AppError('not_found', 'This organization no longer exists.');
  if (organization.scim_provisioning === 'invite') {
    const existing = await findMemberByEmail(db, organization.id, email);
    if (existing?.status === 'active') throw emailTaken(email);
    const { invitations } = await createInvitations(db, {
      organizationId: organization.id,
      actorMemberId: null,
      addresses: [email],
      role: 'member',
      source: IDENTITY_PROVIDER.source,
      byDirectory: { name: IDENTITY_PROVIDER.name, actor: IDENTITY_PROVIDER.actor, externalId: input.profile.externalId ?? null },
    });
    return { kind: 'invitation', invitation: invitations[0]! };
  }
  return inChange(db, organization.id, null, async ({ trx, organization }) => {
    const existing = await findMemberByEmail(trx, organization.id, email, { forUpdate: true });
    if (existing?.status === 'active') throw emailTaken(email);
    await refuseTakenExternalId(trx, organization.id, input.profile.externalId, existing?.id);
    await refuseTakenUserName(trx, organization.id, input.profile.userName, existing?.id);
    if (!existing) {
      const names = namesOf(input.profile);
      const member = await insertMember(trx, {
        organizationId: organization.id,
        email,
        role: 'member',
        ...names,
        externalId: input.profile.externalId ?? null,
        userName: input.profile.userName ?? null,
      });
      await appendAuditEvent(trx, {
        organizationId: organization.id,
        actor: IDENTITY_PROVIDER.actor,
        action: 'member.provisioned',
        target: { type: 'member', id: member.id },
        after: { email, role: 'member', status: 'active', external_id: member.external_id, directory: IDENTITY_PROVIDER.name },
        source: IDENTITY_PROVIDER.source,
      });
      await joined(trx, organization, member);
      return { kind: 'member' as const, member, outcome: 'created' as const };
    }
    const member = await reactivate(trx, organization, existing, input.profile);
    return { kind: 'member' as const, member, outcome: 'reactivated' as const };
  });
}

/**
 * A provider turns a removed person's account back on (`active: true`): they come back as a
 * Member (never as an owner: a role is given here, or by the Owners group), audited as
 * `member.reactivated` and announced. An active member is returned as is.
 */
export async function reactivatePerson(db: Db, input: { organizationId: string; memberId: string }): Promise<Member> {
  return inChange(db, input.organizationId, null, async ({ trx, organization }) => {
    const member = await findMemberById(trx, organization.id, input.memberId, { forUpdate: true });
    if (!member) throw new AppError('not_found', 'No such person in this team.');
    if (member.status === 'active') return member;
    const taken = await findMemberByEmail(trx, organization.id, member.email);
    if (taken && taken.id !== member.id) throw emailTaken(member.email);
    return reactivate(trx, organization, member, {});
  });
}

export type DeprovisionOutcome = 'removed' | 'already_removed';

/**
 * A provider deactivates (`active: false`) or deletes a person: access ends at once through
 * endMembership, announced and audited; a second report changes nothing (a DELETE after a
 * deactivation only records that the provider deleted them too). The last active owner is
 * refused with AppError('last_owner'): the provider's call fails, so its admin sees why.
 */
export async function deprovisionPerson(
  db: Db,
  input: { organizationId: string; memberId: string; deleted: boolean },
): Promise<{ member: Member; outcome: DeprovisionOutcome }> {
  const reason = input.deleted ? DELETED_REASON : DEACTIVATED_REASON;
  return inChange(db, input.organizationId, null, async ({ trx, organization }) => {
    const member = await findMemberById(trx, organization.id, input.memberId, { forUpdate: true });
    if (!member) throw new AppError('not_found', 'No such person in this team.');
    if (member.status !== 'active') {
      if (!input.deleted || member.removal_reason === DELETED_REASON) return { member, outcome: 'already_removed' as const };
      const deleted = await updateMember(trx, member, { removal_reason: DELETED_REASON });
      await appendAuditEvent(trx, {
        organizationId: organization.id,
        actor: IDENTITY_PROVIDER.actor,
        action: 'member.deleted_in_directory',
        target: { type: 'member', id: member.id },
        before: { status: 'removed', reason: member.removal_reason },
        after: { status: 'removed', reason: DELETED_REASON, directory: IDENTITY_PROVIDER.name },
        source: IDENTITY_PROVIDER.source,
      });
      return { member: deleted, outcome: 'already_removed' as const };
    }
    if (member.role === 'owner' && (await countActiveOwners(trx, organization.id)) <= 1) {
      throw new AppError('last_owner', `${member.email} is the team's last owner, so they cannot be ${input.deleted ? 'deleted' : 'deactivated'} here. ${LAST_OWNER_MESSAGE}`);
    }
    const ended = await endMembership(trx, organization, member, {
      action: 'member.removed',
      actor: IDENTITY_PROVIDER.actor,
      removedBy: null,
      reason,
      details: { directory: IDENTITY_PROVIDER.name },
      source: IDENTITY_PROVIDER.source,
      now: new Date(),
    });
    return { member: ended, outcome: 'removed' as const };
  });
}

/**
 * A provider deactivates or deletes a person it provisioned as an invitation they have not
 * accepted: the invitation is cancelled (its link stops working), audited and announced.
 */
export async function withdrawProvisionedInvitation(db: Db, input: { organizationId: string; invitationId: string }): Promise<Invitation> {
  return inChange(db, input.organizationId, null, async ({ trx, organization }) => {
    const invitation = await findInvitation(trx, organization.id, input.invitationId, { forUpdate: true });
    if (!invitation) throw new AppError('not_found', 'No such invitation in this team.');
    if (invitation.status !== 'pending') return invitation;
    const cancelled = await closeInvitation(trx, organization, invitation, 'cancelled', IDENTITY_PROVIDER.actor, IDENTITY_PROVIDER.source);
    return cancelled;
  });
}

/**
 * A provider changes what it knows of a person: email (unique per team), external id (unique
 * per team), names. Audited as `member.email_changed` and `member.profile_updated`; nothing
 * is posted (as for a Slack profile change). Returns the member as it is now.
 */
export async function updatePersonProfile(db: Db, input: { organizationId: string; memberId: string; profile: ProvisionedProfile }): Promise<Member> {
  const email = input.profile.email === undefined ? undefined : requireEmail(input.profile.email);
  return inChange(db, input.organizationId, null, async ({ trx, organization }) => {
    const member = await findMemberById(trx, organization.id, input.memberId, { forUpdate: true });
    if (!member) throw new AppError('not_found', 'No such person in this team.');
    let current = member;
    if (email !== undefined && email !== member.email) {
      const holder = await findMemberByEmail(trx, organization.id, email, { forUpdate: true });
      if (holder && holder.id !== member.id) throw emailTaken(email);
      current = await updateMember(trx, member, { email });
      await appendAuditEvent(trx, {
        organizationId: organization.id,
        actor: IDENTITY_PROVIDER.actor,
        action: 'member.email_changed',
        target: { type: 'member', id: member.id },
        before: { email: member.email },
        after: { email, directory: IDENTITY_PROVIDER.name },
        source: IDENTITY_PROVIDER.source,
      });
    }
    const wanted: Record<string, string | null> = {};
    if (input.profile.userName !== undefined) {
      await refuseTakenUserName(trx, organization.id, input.profile.userName, member.id);
      wanted.user_name = input.profile.userName;
    }
    if (input.profile.externalId !== undefined) {
      await refuseTakenExternalId(trx, organization.id, input.profile.externalId, member.id);
      wanted.external_id = input.profile.externalId;
    }
    const names = namesOf(input.profile);
    if (names.givenName !== undefined) wanted.given_name = names.givenName;
    if (names.familyName !== undefined) wanted.family_name = names.familyName;
    if (names.displayName !== undefined) wanted.display_name = names.displayName;
    const changed = Object.keys(wanted).filter((k) => current[k as keyof Member] !== wanted[k]);
    if (changed.length === 0) return current;
    const before = Object.fromEntries(changed.map((k) => [k, current[k as keyof Member]]));
    const after = Object.fromEntries(changed.map((k) => [k, wanted[k]]));
    current = await updateMember(trx, member, after);
    await appendAuditEvent(trx, {
      organizationId: organization.id,
      actor: IDENTITY_PROVIDER.actor,
      action: 'member.profile_updated',
      target: { type: 'member', id: member.id },
      before,
      after: { ...after, directory: IDENTITY_PROVIDER.name },
      source: IDENTITY_PROVIDER.source,
    });
    return current;
  });
}

/** A removed member back as a Member, with what the provider sent about them. */
async function reactivate(trx: DbOrTrx, organization: Organization, existing: Member, profile: ProvisionedProfile): Promise<Member> {
  const names = namesOf(profile);
  const member = await updateMember(trx, existing, {
    status: 'active',
    role: 'member',
    removed_at: null,
    removed_by_member_id: null,
    removal_reason: null,
    joined_at: new Date(),
    ...(names.givenName !== undefined ? { given_name: names.givenName } : {}),
    ...(names.familyName !== undefined ? { family_name: names.familyName } : {}),
    ...(names.displayName !== undefined ? { display_name: names.displayName } : {}),
    ...(profile.externalId !== undefined ? { external_id: profile.externalId } : {}),
    ...(profile.userName !== undefined ? { user_name: profile.userName } : {}),
  });
  await appendAuditEvent(trx, {
    organizationId: organization.id,
    actor: IDENTITY_PROVIDER.actor,
    action: 'member.reactivated',
    target: { type: 'member', id: member.id },
    before: { role: existing.role, status: existing.status, reason: existing.removal_reason },
    after: { role: 'member', status: 'active', directory: IDENTITY_PROVIDER.name },
    source: IDENTITY_PROVIDER.source,
  });
  await joined(trx, organization, member);
  return member;
}

/** A new or returning Member's role history (the activity view's "joined as Member, by your identity provider"). */
async function joined(trx: DbOrTrx, organization: Organization, member: Member): Promise<void> {
  await recordRoleChange(trx, { organizationId: organization.id, memberId: member.id, from: null, to: 'member', by: null, source: IDENTITY_PROVIDER.source });
}

/** The names to store: the provider's given/family names, and a display name (its own, else "given family"). */
function namesOf(profile: ProvisionedProfile): { givenName?: string | null; familyName?: string | null; displayName?: string | null } {
  const out: { givenName?: string | null; familyName?: string | null; displayName?: string | null } = {};
  if (profile.givenName !== undefined) out.givenName = clean(profile.givenName);
  if (profile.familyName !== undefined) out.familyName = clean(profile.familyName);
  if (profile.displayName !== undefined) out.displayName = clean(profile.displayName);
  else if (out.givenName !== undefined || out.familyName !== undefined) {
    const joinedName = [out.givenName, out.familyName].filter(Boolean).join(' ');
    if (joinedName) out.displayName = joinedName;
  }
  return out;
}

function clean(value: string | null): string | null {
  const trimmed = value?.replace(/\u0000/g, '').trim();
  return trimmed ? [...trimmed].slice(0, 200).join('') : null;
}

async function refuseTakenExternalId(trx: DbOrTrx, organizationId: string, externalId: string | null | undefined, ownId: string | undefined): Promise<void> {
  if (!externalId) return;
  const holder = await findMemberByExternalId(trx, organizationId, externalId, { forUpdate: true });
  if (holder && holder.id !== ownId) throw new AppError('external_id_taken', `Another person in this team already has externalId "${externalId}".`);
}

async function refuseTakenUserName(trx: DbOrTrx, organizationId: string, userName: string | undefined, ownId: string | undefined): Promise<void> {
  if (!userName) return;
  const holder = await findMemberByUserName(trx, organizationId, userName, { forUpdate: true });
  if (holder && holder.id !== ownId) throw new AppError('user_name_taken', `Another person in this team already has userName "${userName}".`);
}

function requireEmail(input: string): string {
  const email = normaliseEmail(input);
  if (!email) throw new AppError('invalid_email', `"${input}" is not an email address; map userName to the person's email.`);
  return email;
}

function emailTaken(email: string): AppError {
  return new AppError('email_taken', `${email} is already an active member of this team.`);
}
