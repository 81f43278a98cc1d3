import type { Db } from '../db/database.js';
import { normaliseEmail } from './emails.js';
import {
  accountDeactivated,
  accountEmailChanged,
  accountGuestChanged,
  accountReactivated,
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
}

export const emptyDirectoryReport = (): DirectoryReport => ({ seen: 0, linked: 0, removed: 0, lastOwnerKept: 0, askedOwners: 0, ignored: 0, reactivationsReported: 0, emailsChanged: 0, emailsRefused: 0, guestsChanged: 0, changed: 0 });

/**
 * Reconciles a page of the directory's accounts with the team: the accounts whose state differs
 * from their member's (one read of the linked members) go through applyDirectoryAccount, each in
 * its own change; the rest cost nothing. Idempotent: the rules themselves are (a second sweep
 * finds nothing to do and reports nothing twice).
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
    .select(['slack_user_id', 'status', 'email', 'removal_reason', 'slack_guest'])
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
    if (outcome.deactivation === 'removed') report.removed += 1;
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
