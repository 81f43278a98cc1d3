import type { App } from '@slack/bolt';
import { resolveActingMember } from '../../../team/acting-member.js';
import { organizationOf } from '../../context.js';
import type { SlackDeps } from '../../deps.js';
import { renderHome } from '../../home/home-view.js';

/**
 * Opening the Home tab publishes the team page for that person, from the database now: the
 * first page (a fresh look each time the tab is opened). The viewer is resolved like any
 * acting user, so someone whose Slack email matches a member is linked on their first visit.
 * Slack may retry the event; publishing again is harmless.
 */
export function registerAppHomeOpened(app: App, deps: SlackDeps): void {
  app.event('app_home_opened', async ({ event, context, client }) => {
    if (event.tab !== 'home') return; // the Messages tab has nothing to render
    const organization = organizationOf(context);
    const viewer = await resolveActingMember(deps.db, organization.id, event.user, deps.peopleFor(organization.id));
    const view = await renderHome(deps.db, organization, viewer, {});
    await client.views.publish({ user_id: event.user, view: view });
  });
}
