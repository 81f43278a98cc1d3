import type { Member, Organization } from '../db/schema.js';
import { AppError } from '../errors.js';
import { findMemberByEmail, findMemberBySlackUser } from '../team/member-repository.js';
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

/**
 * The member, active or not, a typed mention or email names: for `/team restore`, whose target
 * is someone removed (so resolveActingMember, which knows only active members, will not do).
 * A mention of someone never linked is matched by their Slack profile email.
 */
export async function findFormerMember(deps: Pick<SlackDeps, 'db' | 'peopleFor'>, organization: Organization, ref: PersonRef): Promise<Member> {
  let member: Member | undefined;
  if (ref.kind === 'slack') {
    member = await findMemberBySlackUser(deps.db, organization.id, ref.userId);
    if (!member) {
      const email = (await deps.peopleFor(organization.id).profile(ref.userId))?.email;
      member = email ? await findMemberByEmail(deps.db, organization.id, email) : undefined;
    }
  } else {
    member = await findMemberByEmail(deps.db, organization.id, ref.email);
  }
  if (!member) {
    const who = ref.kind === 'slack' ? `<@${ref.userId}>` : ref.email;
    throw new AppError('not_found', `${who} was never a member of this team, so there is nobody to restore. Invite them with \`/team invite\`.`);
  }
  return member;
}
