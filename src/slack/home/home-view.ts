import type { Db } from '../../db/database.js';
import type { Member } from '../../db/schema.js';
import { findMemberBySlackUser } from '../../team/member-repository.js';
import { findOrganizationById } from '../../team/organization-repository.js';

export type HomeView = { type: 'home'; blocks: Record<string, unknown>[]; private_metadata?: string };

/**
 * The App Home tab for one Slack user, rendered from the database as it is now.
 * (First cut: who you are. The team page — list, pagination, search, role dropdowns — builds on it.)
 */
export async function renderHomeForUser(deps: { db: Db }, organizationId: string, slackUserId: string): Promise<HomeView> {
  const organization = await findOrganizationById(deps.db, organizationId);
  const member = await findMemberBySlackUser(deps.db, organizationId, slackUserId);
  const viewer: Member | null = member?.status === 'active' ? member : null;
  const blocks: Record<string, unknown>[] = [
    { type: 'header', text: { type: 'plain_text', text: `${organization?.name ?? 'Your'} team` } },
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: viewer
          ? `You are ${viewer.role === 'owner' ? 'an *owner*' : 'a *member*'} of this team.`
          : "You're not a member of this team in Team Manager. Ask an owner to invite you.",
      },
    },
  ];
  return { type: 'home', blocks };
}
