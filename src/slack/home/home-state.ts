import type { Db } from '../../db/database.js';
import { encodePageState, parsePageState, type PageState } from '../blocks/team-page.js';

/** The page a person last looked at on their Home tab (navigation only; never authority). */
export async function loadHomeState(db: Db, organizationId: string, slackUserId: string): Promise<PageState> {
  const row = await db
    .selectFrom('home_tab_states')
    .select('state')
    .where('organization_id', '=', organizationId)
    .where('slack_user_id', '=', slackUserId)
    .executeTakeFirst();
  // Stored in the same encoding as the view's private_metadata, and parsed as strictly.
  return (row && parsePageState(typeof row.state === 'string' ? row.state : JSON.stringify(row.state))) ?? {};
}

/**
 * The first page (no search, no cursor) is what having no row means: it is stored by deleting
 * the row, which writes nothing when there is none. Opening the Home tab shows the first page
 * every time, so the commonest Home costs a statement that matches nothing instead of a write
 * and its commit's flush (bench scenario 7, App Home against its floor).
 */
export async function saveHomeState(db: Db, organizationId: string, slackUserId: string, state: PageState): Promise<void> {
  const encoded = encodePageState(state);
  if (isFirstPage(state)) {
    await db.deleteFrom('home_tab_states').where('organization_id', '=', organizationId).where('slack_user_id', '=', slackUserId).execute();
    return;
  }
  await db
    .insertInto('home_tab_states')
    .values({ organization_id: organizationId, slack_user_id: slackUserId, state: encoded })
    .onConflict((oc) => oc.columns(['organization_id', 'slack_user_id']).doUpdateSet({ state: encoded, updated_at: new Date() }))
    .execute();
}

const FIRST_PAGE = encodePageState({});

/** No search and no cursor: the page the Home opens on, stored as no row. */
export function isFirstPage(state: PageState): boolean {
  return encodePageState(state) === FIRST_PAGE;
}
