import type { Member, Organization } from '../db/schema.js';
import { resolveActingMember } from '../team/acting-member.js';
import { countActiveOwners } from '../team/member-repository.js';
import type { SlackDeps } from './deps.js';

/** What a Slack request needs to know about who is acting before anything else. */
export interface ActingContext {
  actor: Member | null;
  /** False until the first owner exists: then only the operator can unlock the team. */
  hasOwner: boolean;
}

export async function actingContext(deps: Pick<SlackDeps, 'db' | 'peopleFor'>, organization: Organization, slackUserId: string): Promise<ActingContext> {
  const [actor, owners] = await Promise.all([
    resolveActingMember(deps.db, organization.id, slackUserId, deps.peopleFor(organization.id)),
    countActiveOwners(deps.db, organization.id),
  ]);
  return { actor, hasOwner: owners > 0 };
}

export function noOwnerMessage(organizationName: string): string {
  return (
    `${organizationName}'s team has no owner in Team Manager yet, so nothing can be managed. ` +
    'Whoever runs the Team Manager server can create the first owner: run `npm run cli -- owners add you@example.com` ' +
    'there (with the email of your Slack profile), or set `BOOTSTRAP_OWNER_EMAILS=you@example.com` and restart the app.'
  );
}
