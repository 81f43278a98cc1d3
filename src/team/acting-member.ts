import type { Db } from '../db/database.js';
import type { Member } from '../db/schema.js';
import { appendAuditEvent, SYSTEM_ACTOR } from '../events/audit-repository.js';
import { findMemberByEmail, findMemberBySlackUser, updateMember } from './member-repository.js';
import type { PeopleDirectory } from './people.js';

/**
 * The member a Slack user is (the one acting, or one named by a mention), read from the database now: by their linked Slack id, else by
 * their Slack profile email — linking the two on that first match (an audited change). A
 * removed member, or someone whose email matches nobody, is nobody: null.
 */
export async function resolveActingMember(
  db: Db,
  organizationId: string,
  slackUserId: string,
  directory: PeopleDirectory,
): Promise<Member | null> {
  const linked = await findMemberBySlackUser(db, organizationId, slackUserId);
  if (linked) return linked.status === 'active' ? linked : null;

  const profile = await directory.profile(slackUserId);
  if (!profile?.email) return null;

  return db.transaction().execute(async (trx) => {
    const member = await findMemberByEmail(trx, organizationId, profile.email!, { forUpdate: true });
    // Already linked to another Slack account: an email match must not take it over.
    if (!member || member.status !== 'active' || (member.slack_user_id && member.slack_user_id !== slackUserId)) return null;
    if (member.slack_user_id === slackUserId) return member;
    const updated = await updateMember(trx, member, {
      slack_user_id: slackUserId,
      display_name: member.display_name ?? profile.displayName,
      slack_guest: profile.guest === true,
    });
    // The link is Team Manager's inference from Slack's verified profile email, whoever triggered it.
    await appendAuditEvent(trx, {
      organizationId,
      actor: SYSTEM_ACTOR,
      action: 'member.slack_linked',
      target: { type: 'member', id: member.id },
      before: { slack_user_id: null },
      after: { slack_user_id: slackUserId, ...(profile.guest ? { guest: true } : {}) },
      source: 'slack',
    });
    return updated;
  });
}
