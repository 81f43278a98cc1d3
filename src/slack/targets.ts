import type { Member, Organization } from '../db/schema.js';
import { AppError } from '../errors.js';
import { findMemberByEmail, findMemberBySlackUser } from '../team/member-repository.js';
import type { SlackDeps } from './deps.js';
import type { PersonRef } from './commands/person-ref.js';

/**
 * The member a typed mention or email names, read from the database now. A mention of
 * someone not yet linked is matched by their Slack profile email.
 */
export async function findNamedMember(deps: Pick<SlackDeps, 'db' | 'people'>, organization: Organization, ref: PersonRef): Promise<Member> {
  let member: Member | undefined;
  if (ref.kind === 'slack') {
    member = await findMemberBySlackUser(deps.db, organization.id, ref.userId);
    if (!member) {
      const profile = await deps.people.profile(ref.userId);
      if (profile?.email) member = await findMemberByEmail(deps.db, organization.id, profile.email);
      if (member?.slack_user_id && member.slack_user_id !== ref.userId) member = undefined;
    }
  } else {
    member = await findMemberByEmail(deps.db, organization.id, ref.email);
  }
  if (!member || member.status !== 'active') {
    const who = ref.kind === 'slack' ? `<@${ref.userId}>` : ref.email;
    throw new AppError('not_found', `${who} is not an active member of this team.`);
  }
  return member;
}
