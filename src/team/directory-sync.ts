import { randomUUID } from 'node:crypto';
import type { Db } from '../db/database.js';
import { appendAuditEvent } from '../events/audit-repository.js';
import { inChange } from './change.js';
import { normaliseEmail } from './emails.js';
import {
  accountDeactivated,
  accountEmailChanged,
  accountGuestChanged,
  accountReactivated,
  directoryFields,
  type DeactivationOutcome,
  type Directory,
  type EmailChangeOutcome,
  type GuestChangeOutcome,
  type ReactivationOutcome,
} from './directory-changes.js';

/**
 * One account as the directory has it now (Slack's users.list / user_change, minus what only
 * Slack knows). Whether it reached us as an event or in a daily sweep, the same rule applies
 * (applyDirectoryAccount), so a missed event and a received one end the same way.
 */
export interface DirectoryAccount {
  userId: string;
  deleted: boolean;
  email: string | null;
  /** A guest of the workspace (Slack: is_restricted / is_ultra_restricted). */
  guest: boolean;
}

export interface AccountOutcome {
  deactivation?: DeactivationOutcome;
  reactivation?: ReactivationOutcome;
  email?: EmailChangeOutcome;
  guest?: GuestChangeOutcome;
}

/** The directory's word on one account: deactivated ends the membership; active may be a reactivation and may carry a new email. */
export async function applyDirectoryAccount(db: Db, organizationId: string, account: DirectoryAccount, directory: Directory): Promise<AccountOutcome> {
  const target = { organizationId, slackUserId: account.userId, directory };
  if (account.deleted) return { deactivation: await accountDeactivated(db, target) };
  const outcome: AccountOutcome = { reactivation: await accountReactivated(db, target) };
  if (account.email) outcome.email = await accountEmailChanged(db, { ...target, email: account.email });
  outcome.guest = await accountGuestChanged(db, { ...target, guest: account.guest });
  return outcome;
}

/** What a sweep found and did; `changed` is what an operator reads first (0 on a second run). */
export interface DirectoryReport {
  /** Accounts of the workspace looked at. */
  seen: number;
  /** Of those, linked to a member of this team (any status). */
  linked: number;
  removed: number;
  lastOwnerKept: number;
  /** Deactivations put to the owners (setting: ask the owners) and seen but left alone (setting: do nothing). */
  askedOwners: number;
  ignored: number;
  reactivationsReported: number;
  emailsChanged: number;
  emailsRefused: number;
  guestsChanged: number;
  /** removed + emailsChanged + guestsChanged: the changes made to the team. */
  changed: number;
  /** The first of the members removed (up to SWEEP_NAMES), in the order the sweep removed them: the summary names them. */
  removedMemberIds: string[];
}

export const emptyDirectoryReport = (): DirectoryReport => ({
  seen: 0,
  linked: 0,
  removed: 0,
  lastOwnerKept: 0,
  askedOwners: 0,
  ignored: 0,
  reactivationsReported: 0,
  emailsChanged: 0,
  emailsRefused: 0,
  guestsChanged: 0,
  changed: 0,
  removedMemberIds: [],
});

/** How many of the removed a sweep's summary names ("@a, @b, … and 30 more"); the rest are in their own audit events. */
export const SWEEP_NAMES = 10;

/**
 * The directory as one sweep sees it: every change the sweep makes carries the sweep's id
 * (`after.sweep_id`), so the tellers leave the per-person team-channel post to the sweep's one
 * summary (finishDirectorySweep). Live events use the directory itself and keep their own post.
 */
export function startDirectorySweep(directory: Directory): Directory {
  return { ...directory, sweepId: randomUUID() };
}

/** What the summary reports: the changes the sweep made or put to the owners (a second sweep has none). */
export function sweepChangedAnything(report: DirectoryReport): boolean {
  return report.removed + report.askedOwners + report.emailsChanged + report.guestsChanged > 0;
}

/**
 * Ends a sweep: one `directory.synced` audit event with the report's counts and the first names
 * of the removed, which the tellers render as the sweep's single team-channel summary. Nothing
 * when the sweep changed nothing (so a second run is silent). `complete: false` when the sweep
 * stopped before its last page: what it did by then is still summarised, not left untold.
 */
export async function finishDirectorySweep(db: Db, organizationId: string, directory: Directory, report: DirectoryReport, options: { complete: boolean } = { complete: true }): Promise<boolean> {
  if (!directory.sweepId || !sweepChangedAnything(report)) return false;
  await inChange(db, organizationId, null, async ({ trx, organization }) => {
    await appendAuditEvent(trx, {
      organizationId: organization.id,
      actor: directory.actor,
      action: 'directory.synced',
      target: { type: 'organization', id: organization.id },
      after: {
        ...directoryFields(directory),
        complete: options.complete,
        seen: report.seen,
        linked: report.linked,
        removed: report.removed,
        removed_member_ids: report.removedMemberIds.slice(0, SWEEP_NAMES),
        asked_owners: report.askedOwners,
        emails_changed: report.emailsChanged,
        guests_changed: report.guestsChanged,
        last_owner_kept: report.lastOwnerKept,
        emails_refused: report.emailsRefused,
        reactivations_reported: report.reactivationsReported,
        ignored: report.ignored,
      },
      source: directory.source,
    });
  });
  return true;
}

/**
 * Reconciles a page of the directory's accounts with the team: the accounts whose state differs
 * from their member's (one read of the linked members) go through applyDirectoryAccount, each in
 * its own change; the rest cost nothing. Idempotent: the rules themselves are (a second sweep
 * finds nothing to do and reports nothing twice). A sweep's directory (startDirectorySweep)
 * marks each change as the sweep's, to be told in its summary.
 */
export async function reconcileDirectoryPage(
  db: Db,
  organizationId: string,
  accounts: readonly DirectoryAccount[],
  directory: Directory,
  report: DirectoryReport = emptyDirectoryReport(),
): Promise<DirectoryReport> {
  report.seen += accounts.length;
  if (accounts.length === 0) return report;
  const members = await db
    .selectFrom('members')
    .select(['id', 'slack_user_id', 'status', 'email', 'removal_reason', 'slack_guest'])
    .where('organization_id', '=', organizationId)
    .where('slack_user_id', 'in', accounts.map((a) => a.userId))
    .execute();
  const bySlackId = new Map(members.map((m) => [m.slack_user_id, m]));
  for (const account of accounts) {
    const member = bySlackId.get(account.userId);
    if (!member) continue;
    report.linked += 1;
    const email = account.email ? normaliseEmail(account.email) : undefined;
    const drifted = account.deleted
      ? member.status === 'active'
      : (member.status === 'removed' && member.removal_reason === `deactivated in ${directory.name}`) ||
        (member.status === 'active' && ((email !== undefined && email !== member.email) || account.guest !== member.slack_guest));
    if (!drifted) continue;
    const outcome = await applyDirectoryAccount(db, organizationId, account, directory);
    if (outcome.deactivation === 'removed') {
      report.removed += 1;
      if (report.removedMemberIds.length < SWEEP_NAMES) report.removedMemberIds.push(member.id);
    }
    if (outcome.deactivation === 'last_owner_kept') report.lastOwnerKept += 1;
    if (outcome.deactivation === 'asked') report.askedOwners += 1;
    if (outcome.deactivation === 'ignored') report.ignored += 1;
    if (outcome.reactivation === 'reported') report.reactivationsReported += 1;
    if (outcome.email === 'changed') report.emailsChanged += 1;
    if (outcome.email === 'collision') report.emailsRefused += 1;
    if (outcome.guest === 'changed') report.guestsChanged += 1;
  }
  report.changed = report.removed + report.emailsChanged + report.guestsChanged;
  return report;
}
