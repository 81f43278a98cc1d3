import type { Db } from '../../db/database.js';
import type { Member, Organization } from '../../db/schema.js';
import { readTeamPage, type TeamPageQuery } from '../../team/member-list.js';
import { NOT_A_MEMBER_MESSAGE } from '../../team/policy.js';
import { MESSAGE_PAGE_SIZE, teamListMessage, teamPageModel, type Notice } from '../blocks/team-page.js';
import type { SlackReply } from '../blocks/reply.js';
import type { Subcommand } from '../deps.js';
import { typedText } from './parse.js';

/** `/team list [name or email]`: the team page as an ephemeral message; Next/Previous replace it in place. */
export function listSubcommand(): Subcommand {
  return {
    name: 'list',
    usage: '[name or email]',
    summary: 'the members of the team, owners first; type the start of a name or email to search',
    audience: 'members',
    run: async (ctx) => renderListMessage(ctx.deps.db, ctx.organization, ctx.actor, { search: typedText(ctx.parsed.rest) }, ctx.command),
  };
}

/**
 * One page of the list for a viewer read from the database now. The read is authorised
 * ('team.view'); someone who is not an active member gets the not-a-member sentence.
 */
export async function renderListMessage(
  db: Db,
  organization: Organization,
  viewer: Member | null,
  query: TeamPageQuery,
  command: string,
  notice?: Notice,
): Promise<SlackReply> {
  const read = await readTeamPage(db, organization.id, viewer, query, MESSAGE_PAGE_SIZE);
  if (!read.allowed) return { text: NOT_A_MEMBER_MESSAGE };
  return teamListMessage(
    teamPageModel(organization.name, read, notice),
    command,
  );
}
