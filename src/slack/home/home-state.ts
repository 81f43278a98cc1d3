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

export async function saveHomeState(db: Db, organizationId: string, slackUserId: string, state: PageState): Promise<void> {
  const encoded = encodePageState(state);
  await db
    .insertInto('home_tab_states')
    .values({ organization_id: organizationId, slack_user_id: slackUserId, state: encoded })
    .onConflict((oc) => oc.columns(['organization_id', 'slack_user_id']).doUpdateSet({ state: encoded, updated_at: new Date() }))
    .execute();
}
