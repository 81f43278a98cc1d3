import type { Db } from '../../db/database.js';
import type { Member, Organization } from '../../db/schema.js';
import { readTeamPage } from '../../team/member-list.js';
import { divider, type HomeView, type KnownBlock } from '../blocks/kit.js';
import { isFirstPage, loadHomeState, saveHomeState } from './home-state.js';
import { readPendingInvitations } from '../../team/pending-invitations.js';
import { memberLabel } from '../mrkdwn.js';
import { pendingInvitationsMessage } from '../blocks/pending-invitations.js';
import { HOME_REMOVALS_LIMIT, openRemovalsSection } from '../blocks/open-removals.js';
import { readOpenRemovalRequests } from '../../team/removals.js';
import { inviteButtonBlock } from '../blocks/invite-modal.js';
import { findMemberBySlackUser } from '../../team/member-repository.js';
import { findOrganizationById } from '../../team/organization-repository.js';
import {
  HOME_PAGE_SIZE,
  encodePageState,
  notAMemberHomeView,
  teamHomeView,
  type Notice,
  type PageState,
  teamPageModel,
} from '../blocks/team-page.js';

export type { HomeView } from '../blocks/kit.js';

/**
 * The App Home tab for one Slack user, rendered from the database as it is now. Used by the
 * refresh job (src/notify/publish-home.ts), which knows only who to render for: the viewer is
 * whoever is linked to that Slack id (linking by email happens when they act themselves), and
 * the page is the one they were last on (stored by renderHome).
 */
export async function renderHomeForUser(deps: { db: Db }, organizationId: string, slackUserId: string): Promise<HomeView> {
  const organization = await findOrganizationById(deps.db, organizationId);
  if (!organization) throw new Error(`organization ${organizationId} not found`);
  const member = await findMemberBySlackUser(deps.db, organizationId, slackUserId);
  return renderRememberedHome(deps.db, organization, member ?? null, slackUserId);
}

/**
 * The Home on the page this Slack user was last on (a refresh, or an outcome shown where they
 * clicked). Showing the page the database already holds does not write it again: a refresh
 * after someone else's change, the commonest Home, costs no write (bench scenario 6).
 */
export async function renderRememberedHome(db: Db, organization: Organization, viewer: Member | null, slackUserId: string, notice?: Notice): Promise<HomeView> {
  const remembered = await loadHomeState(db, organization.id, slackUserId);
  return render(db, organization, viewer, remembered, notice, remembered);
}

/**
 * The Home tab for a viewer already resolved (listeners resolve it with the people directory),
 * on the page `state` names. Reading the page checks the viewer may see it ('team.view'): anyone
 * else gets one sentence.
 */
export function renderHome(db: Db, organization: Organization, viewer: Member | null, state: PageState, notice?: Notice): Promise<HomeView> {
  return render(db, organization, viewer, state, notice);
}

/** `remembered`: the page the database holds for the viewer, when the caller has just read it. */
async function render(db: Db, organization: Organization, viewer: Member | null, state: PageState, notice?: Notice, remembered?: PageState): Promise<HomeView> {
  // Remember the page, so that a refresh after someone else's change keeps the viewer where they are.
  const remember = async (shown: PageState) => {
    if (viewer?.slack_user_id && !(remembered && encodePageState(remembered) === encodePageState(shown))) {
      await saveHomeState(db, organization.id, viewer.slack_user_id, shown);
    }
  };
  if (isFirstPage(state)) {
    // The tab opened: what is shown is known before the reads, so it is remembered beside them
    // rather than after (a delete of nothing, see saveHomeState).
    const [read] = await Promise.all([readHome(db, organization, viewer, state), remember({})]);
    return homeView(organization, read, {}, notice);
  }
  const read = await readHome(db, organization, viewer, state);
  if (!read.page.allowed) return notAMemberHomeView(organization.name, notice);
  const shown: PageState = { q: read.page.search, a: state.a, b: state.b };
  await remember(shown);
  return homeView(organization, read, shown, notice);
}

/** What a Home shows, read from the database: the page of the team and the two sections below it. */
export interface HomeRead {
  page: Awaited<ReturnType<typeof readTeamPage>>;
  removals: KnownBlock[];
  invitations: KnownBlock[];
}

/**
 * The reads of a Home. The three sections are independent: run side by side, the Home costs
 * the slowest of them rather than their sum (bench scenario 2). Each section checks the viewer
 * itself. Exported with homeView for the bench's floor (bench/floor.ts), which publishes the
 * very same view without the rest of ours around it.
 */
export async function readHome(db: Db, organization: Organization, viewer: Member | null, state: PageState): Promise<HomeRead> {
  const [page, removals, invitations] = await Promise.all([
    readTeamPage(db, organization.id, viewer, { search: state.q, after: state.a, before: state.b }, HOME_PAGE_SIZE),
    removalsSection(db, organization, viewer),
    invitationsSection(db, organization, viewer),
  ]);
  return { page, removals, invitations };
}

/** The Home view of a read the viewer may see (`read.page.allowed`). */
export function homeView(organization: Organization, read: HomeRead, shown: PageState, notice?: Notice): HomeView {
  if (!read.page.allowed) return notAMemberHomeView(organization.name, notice);
  const view = teamHomeView(teamPageModel(organization.name, read.page, notice), shown);
  return { ...view, blocks: [...view.blocks, ...read.removals, ...read.invitations] };
}

/**
 * Below the team, for owners: removal requests waiting for another owner (at most 13 blocks,
 * see open-removals.ts). With the team page's 48 and the invitations' 24 the Home stays at
 * most 85 of Slack's 100 blocks.
 */
async function removalsSection(db: Db, organization: Organization, viewer: Member | null): Promise<KnownBlock[]> {
  if (!viewer) return [];
  // One more than shown, to know whether to say there are more.
  const open = await readOpenRemovalRequests(db, organization.id, viewer, HOME_REMOVALS_LIMIT + 1);
  return openRemovalsSection(open, viewer.id);
}

/**
 * Below the team: for owners an "Invite people" button, and for everyone the latest pending
 * (and expired) invitations, with Resend and Cancel for owners. At most 10 here (22 blocks),
 * so the Home stays far inside Slack's 100; `/team pending` shows more.
 */
async function invitationsSection(db: Db, organization: Organization, viewer: Member | null): Promise<KnownBlock[]> {
  const pending = await readPendingInvitations(db, organization.id, viewer, HOME_PENDING_LIMIT);
  if (!pending.allowed) return [];
  const isOwner = viewer?.role === 'owner';
  const list = pendingInvitationsMessage(
    pending.rows.map((r) => ({ invitation: r.invitation, inviterLabel: r.inviter ? memberLabel(r.inviter) : 'an owner' })),
    pending.total,
    isOwner,
  );
  return [divider(), ...(isOwner ? [inviteButtonBlock()] : []), ...(list.blocks ?? [])];
}

const HOME_PENDING_LIMIT = 10;
