import type { Member, Organization } from '../db/schema.js';
import { AppError } from '../errors.js';
import { findMemberByEmail } from '../team/member-repository.js';
import { resolveActingMember } from '../team/acting-member.js';
import type { SlackDeps } from './deps.js';
import type { PersonRef } from './commands/person-ref.js';

/**
 * The member a typed mention or email names, read from the database now. A mention of
 * someone not yet linked is matched (and linked) by their Slack profile email.
 */
export async function findNamedMember(deps: Pick<SlackDeps, 'db' | 'peopleFor'>, organization: Organization, ref: PersonRef): Promise<Member> {
  const member =
    ref.kind === 'slack'
      ? await resolveActingMember(deps.db, organization.id, ref.userId, deps.peopleFor(organization.id))
      : await findMemberByEmail(deps.db, organization.id, ref.email);
  if (!member || member.status !== 'active') {
    const who = ref.kind === 'slack' ? `<@${ref.userId}>` : ref.email;
    throw new AppError('not_found', `${who} is not an active member of this team.`);
  }
  return member;
}
