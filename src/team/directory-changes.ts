import type { Db, DbOrTrx } from '../db/database.js';
import type { AuditSource } from '../db/schema.js';
import { appendAuditEvent, type Actor as AuditActor } from '../events/audit-repository.js';
import { inChange } from './change.js';
import { normaliseEmail } from './emails.js';
import { createInvitations, InvitationsRefusedError } from './invitations.js';
import { domainAllowed } from './invitation-rules.js';
import { endMembership } from './membership-end.js';
import { countActiveOwners, findMemberByEmail, findMemberBySlackUser, updateMember } from './member-repository.js';
import { findLatestRequestFor, insertRemovalRequest } from './removal-repository.js';

const HOUR_MS = 60 * 60 * 1000;

/**
 * Changes that come from the place people's accounts live (a directory: Slack's workspace
 * today), not from a person here. The directory is the source of truth for whether an account
 * exists and what its email is; our rules still hold (a team keeps an owner, emails stay unique),
 * and where they refuse, the owners are told instead of the change being dropped silently.
 */
export interface Directory {
  /** Shown to people: "deactivated in Slack". */
  name: string;
  actor: AuditActor;
  source: AuditSource;
  /**
   * Set when the change comes from a sweep of the whole directory (the daily sync,
   * src/team/directory-sync.ts) rather than from one event: each change's audit event carries it
   * as `after.sweep_id`, and the team channel hears of the sweep's changes once, in its
   * `directory.synced` summary, instead of once per person.
   */
  sweepId?: string;
}

/** What every audit event of a directory change says about where it came from: the directory's name, and the sweep when there was one. */
export function directoryFields(directory: Directory): { directory: string; sweep_id?: string } {
  return { directory: directory.name, ...(directory.sweepId ? { sweep_id: directory.sweepId } : {}) };
}

export const SLACK_DIRECTORY: Directory = { name: 'Slack', actor: { type: 'system', id: 'slack' }, source: 'slack' };

/** How the owners can give the team another owner when nobody in it can (src/cli.ts `owners add`). */
export const ADD_OWNER_COMMAND = 'npm run cli -- owners add <email>';

/**
 * `removed`: access ended (setting `remove`); `asked`: a Keep / Remove request went to the owners
 * (setting `ask`); `ignored`: recorded as seen and left alone (setting `ignore`); `kept`: the
 * owners already chose Keep for this person; `already_reported`: said before, nothing new.
 */
export type DeactivationOutcome = 'removed' | 'asked' | 'ignored' | 'kept' | 'not_a_member' | 'last_owner_kept' | 'already_reported';

/**
 * The account linked to a member was deactivated in the directory. What happens is the team's
 * setting "When someone is deactivated in Slack" (`slack_deactivation`), read under the lock:
 * - `remove` (default): access ends at once through endMembership (invitations and open requests
 *   die with it), announced in the team channel;
 * - `ask`: a request of kind `deactivation` (the removal requests' one approval mechanism: its
 *   card, expiry and exactly-once decision) goes to the approvals channel with Keep / Remove;
 *   asked once — a pending request, or one the owners answered Keep, is not asked again;
 * - `ignore`: an audit event says it was seen and left alone by the setting, once.
 * A second report of the same deactivation changes nothing. The last active owner is kept
 * (a team always has an owner) under `remove` and `ask`, and the owners are told how to add
 * another; that is reported once per deactivation, not on every repeat of the event.
 */
export async function accountDeactivated(
  db: Db,
  input: { organizationId: string; slackUserId: string; directory: Directory },
): Promise<DeactivationOutcome> {
  const { directory } = input;
  return inChange(db, input.organizationId, null, async ({ trx, organization }) => {
    const member = await findMemberBySlackUser(trx, organization.id, input.slackUserId, { forUpdate: true });
    if (!member || member.status !== 'active') return 'not_a_member';
    const setting = organization.slack_deactivation;

    if (setting === 'ignore') {
      if (await alreadyReported(trx, organization.id, member.id, 'member.deactivation_ignored', {})) return 'already_reported';
      await appendAuditEvent(trx, {
        organizationId: organization.id,
        actor: directory.actor,
        action: 'member.deactivation_ignored',
        target: { type: 'member', id: member.id },
        after: { status: 'active', role: member.role, setting: 'ignore', reason: `deactivated in ${directory.name}; the team's setting is to do nothing`, ...directoryFields(directory) },
        source: directory.source,
      });
      return 'ignored';
    }

    if (member.role === 'owner' && (await countActiveOwners(trx, organization.id)) <= 1) {
      if (await alreadyReported(trx, organization.id, member.id, 'member.deactivation_kept_last_owner', {})) return 'already_reported';
      await appendAuditEvent(trx, {
        organizationId: organization.id,
        actor: directory.actor,
        action: 'member.deactivation_kept_last_owner',
        target: { type: 'member', id: member.id },
        after: {
          status: 'active',
          role: 'owner',
          reason: `deactivated in ${directory.name}, but the last owner; kept until another owner is added with \`${ADD_OWNER_COMMAND}\``,
          ...directoryFields(directory),
        },
        source: directory.source,
      });
      return 'last_owner_kept';
    }

    if (setting === 'ask') {
      const latest = await findLatestRequestFor(trx, organization.id, member.id, 'deactivation');
      if (latest?.status === 'pending') return 'already_reported';
      if (latest?.status === 'rejected') return 'kept';
      const now = new Date();
      const request = await insertRemovalRequest(trx, {
        organizationId: organization.id,
        kind: 'deactivation',
        targetMemberId: member.id,
        requestedBy: null,
        requestedByDirectory: directory.name,
        reason: `deactivated in ${directory.name}`,
        expiresAt: new Date(now.getTime() + organization.removal_request_expiry_hours * HOUR_MS),
      });
      await appendAuditEvent(trx, {
        organizationId: organization.id,
        actor: directory.actor,
        action: 'deactivation.requested',
        target: { type: 'removal_request', id: request.id },
        after: { status: 'pending', target_member_id: member.id, reason: request.reason, ...directoryFields(directory), expires_at: request.expires_at.toISOString() },
        source: directory.source,
      });
      return 'asked';
    }

    await endMembership(trx, organization, member, {
      action: 'member.removed',
      actor: directory.actor,
      removedBy: null,
      reason: `deactivated in ${directory.name}`,
      details: directoryFields(directory),
      source: directory.source,
      now: new Date(),
    });
    return 'removed';
  });
}

export type ReactivationOutcome = 'reported' | 'not_removed_there' | 'already_reported';

/**
 * An account deactivated in the directory is active again. A removal is a removal: the
 * membership stays ended (it is not the directory's to give access back), and the owners are
 * told so they can invite the person again. Only a membership the directory itself ended
 * counts, and only once: the report is then the member's latest event, so repeats stay quiet.
 */
export async function accountReactivated(
  db: Db,
  input: { organizationId: string; slackUserId: string; directory: Directory },
): Promise<ReactivationOutcome> {
  const { directory } = input;
  return inChange(db, input.organizationId, null, async ({ trx, organization }) => {
    const member = await findMemberBySlackUser(trx, organization.id, input.slackUserId, { forUpdate: true });
    if (!member || member.status !== 'removed' || member.removal_reason !== `deactivated in ${directory.name}`) return 'not_removed_there';
    if (await alreadyReported(trx, organization.id, member.id, 'member.reactivation_reported', {})) return 'already_reported';
    await appendAuditEvent(trx, {
      organizationId: organization.id,
      actor: directory.actor,
      action: 'member.reactivation_reported',
      target: { type: 'member', id: member.id },
      after: { status: 'removed', ...directoryFields(directory) },
      source: directory.source,
    });
    return 'reported';
  });
}

export type EmailChangeOutcome = 'changed' | 'unchanged' | 'not_a_member' | 'invalid' | 'collision' | 'already_reported';

/**
 * The email on a linked member's directory profile changed: the member's email follows it,
 * audited. An address another member of this team already has (active or not: addresses are
 * unique per team) is not applied; the owners are told, once per address asked for.
 */
export async function accountEmailChanged(
  db: Db,
  input: { organizationId: string; slackUserId: string; email: string; directory: Directory },
): Promise<EmailChangeOutcome> {
  const { directory } = input;
  const email = normaliseEmail(input.email);
  if (!email) return 'invalid';
  return inChange(db, input.organizationId, null, async ({ trx, organization }) => {
    const member = await findMemberBySlackUser(trx, organization.id, input.slackUserId, { forUpdate: true });
    if (!member || member.status !== 'active') return 'not_a_member';
    if (member.email === email) return 'unchanged';

    const holder = await findMemberByEmail(trx, organization.id, email, { forUpdate: true });
    if (holder && holder.id !== member.id) {
      if (await alreadyReported(trx, organization.id, member.id, 'member.email_change_refused', { email })) return 'already_reported';
      await appendAuditEvent(trx, {
        organizationId: organization.id,
        actor: directory.actor,
        action: 'member.email_change_refused',
        target: { type: 'member', id: member.id },
        before: { email: member.email },
        after: { email, reason: 'another member has this email', other_member_id: holder.id, ...directoryFields(directory) },
        source: directory.source,
      });
      return 'collision';
    }

    await updateMember(trx, member, { email });
    await appendAuditEvent(trx, {
      organizationId: organization.id,
      actor: directory.actor,
      action: 'member.email_changed',
      target: { type: 'member', id: member.id },
      before: { email: member.email },
      after: { email, ...directoryFields(directory) },
      source: directory.source,
    });
    return 'changed';
  });
}

export type GuestChangeOutcome = 'changed' | 'unchanged' | 'not_a_member';

/**
 * The account became a guest of the workspace, or a full member again. The member's flag follows
 * (audited); it decides whether they can be made an owner (members.ts). An owner who became a
 * guest stays an owner — demoting is a person's decision — and the owners are told (tellings).
 */
export async function accountGuestChanged(
  db: Db,
  input: { organizationId: string; slackUserId: string; guest: boolean; directory: Directory },
): Promise<GuestChangeOutcome> {
  const { directory } = input;
  return inChange(db, input.organizationId, null, async ({ trx, organization }) => {
    const member = await findMemberBySlackUser(trx, organization.id, input.slackUserId, { forUpdate: true });
    if (!member || member.status !== 'active') return 'not_a_member';
    if (member.slack_guest === input.guest) return 'unchanged';
    await updateMember(trx, member, { slack_guest: input.guest });
    await appendAuditEvent(trx, {
      organizationId: organization.id,
      actor: directory.actor,
      action: 'member.guest_changed',
      target: { type: 'member', id: member.id },
      before: { guest: member.slack_guest },
      after: { guest: input.guest, role: member.role, ...directoryFields(directory) },
      source: directory.source,
    });
    return 'changed';
  });
}

/**
 * Whether the member's latest audit event already is this refusal (with these `after` fields):
 * the directory repeats itself (retries, every later profile edit), the owners hear it once.
 */
async function alreadyReported(trx: DbOrTrx, organizationId: string, memberId: string, action: string, fields: Record<string, unknown>): Promise<boolean> {
  const latest = await trx
    .selectFrom('audit_events')
    .select(['action', 'after'])
    .where('organization_id', '=', organizationId)
    .where('target_type', '=', 'member')
    .where('target_id', '=', memberId)
    .orderBy('occurred_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!latest || latest.action !== action) return false;
  const after = (typeof latest.after === 'string' ? JSON.parse(latest.after) : latest.after) as Record<string, unknown> | null;
  return Object.entries(fields).every(([k, v]) => after?.[k] === v);
}


/**
 * `invited`: an invitation as Member went out (DM, email, announcement, audit as for any);
 * `off`: the team's setting is off; `no_allowed_domains`: the setting is on but no domain is
 * allowed, so nobody is invited automatically; the rest say why this account was not invited.
 */
export type JoinOutcome =
  | 'invited'
  | 'off'
  | 'deactivated'
  | 'guest'
  | 'no_email'
  | 'no_allowed_domains'
  | 'domain_not_allowed'
  | 'already_member'
  | 'already_pending'
  | 'refused';

/**
 * Someone joined the directory's workspace (Slack: `team_join`). With the team's setting
 * "Invite new workspace members automatically" (`slack_auto_invite`, off by default) they are
 * invited as Member through the normal invitation path, the directory as the actor — only an
 * active, non-guest account with an email at one of the allowed domains (an empty list allows
 * nobody here: a workspace is not a list of colleagues until the owners say which domains are),
 * and not when they are already a member or invited (so a repeated event invites once). The
 * setting and the domains are read under the organization's lock, with the invitation rules.
 * Bots and people of other organizations never reach this (the Slack adapter drops them).
 */
export async function accountJoined(
  db: Db,
  input: { organizationId: string; account: { userId: string; deleted: boolean; email: string | null; guest: boolean }; directory: Directory },
): Promise<JoinOutcome> {
  const { account, directory } = input;
  if (account.deleted) return 'deactivated';
  if (account.guest) return 'guest';
  const email = account.email ? normaliseEmail(account.email) : undefined;
  if (!email) return 'no_email';
  let skip: JoinOutcome | undefined;
  try {
    const result = await createInvitations(db, {
      organizationId: input.organizationId,
      actorMemberId: null,
      addresses: [email],
      role: 'member',
      source: directory.source,
      byDirectory: { name: directory.name, actor: directory.actor, externalId: null },
      onlyIf: (organization) => {
        if (!organization.slack_auto_invite) skip = 'off';
        else if (organization.allowed_email_domains.length === 0) skip = 'no_allowed_domains';
        else if (!domainAllowed(email, organization.allowed_email_domains)) skip = 'domain_not_allowed';
        return skip === undefined;
      },
    });
    return result.skipped ? (skip ?? 'off') : 'invited';
  } catch (error) {
    if (!(error instanceof InvitationsRefusedError)) throw error;
    const reason = error.refused[0]?.reason;
    return reason === 'already_member' || reason === 'already_pending' ? reason : 'refused';
  }
}
