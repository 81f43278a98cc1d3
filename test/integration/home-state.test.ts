import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { renderHome, renderHomeForUser } from '../../src/slack/home/home-view.js';
import { parsePageState } from '../../src/slack/blocks/team-page.js';
import { useTestDatabase } from '../support/database.js';
import { seedMember, seedOrganization } from '../support/seed.js';

/**
 * A Home refresh caused by someone else's change (the refresh job knows only who to render
 * for) redraws the page the person is on, not the first one.
 */
describe('Home tab page state', () => {
  const t = useTestDatabase();

  it('the refresh renders the page and search the viewer last saw', async () => {
    const org = await seedOrganization(t.db, 'T_HOME_STATE');
    const viewer = await seedMember(t.db, org, 'owner@acme.test', 'owner', { slackUserId: 'U0VIEWER' });
    await sql`insert into members (organization_id, email, display_name)
      select ${org.id}, 'm' || g || '@acme.test', 'Member ' || lpad(g::text, 3, '0') from generate_series(1, 60) g`.execute(t.db);

    const first = await renderHome(t.db, org, viewer, {});
    const next = parsePageState(JSON.stringify(JSON.parse(first.private_metadata ?? '{}')));
    expect(next).toBeDefined();
    // Move to the second page (as the Next button does), with the cursor the first page handed out.
    const nextButton = JSON.stringify(first.blocks).match(/"value":"(\{[^"]*(?:\\"[^"]*)*\})"/);
    expect(nextButton).not.toBeNull();
    const secondState = parsePageState(JSON.parse(`"${nextButton![1]}"`))!;
    const second = await renderHome(t.db, org, viewer, secondState);

    const rowVersion = async () =>
      (await sql<{ v: string }>`select xmin::text as v from home_tab_states where organization_id = ${org.id} and slack_user_id = 'U0VIEWER'`.execute(t.db)).rows[0]?.v;
    const saved = await rowVersion();
    expect(saved).toBeDefined();
    const refreshed = await renderHomeForUser({ db: t.db }, org.id, 'U0VIEWER');
    expect(refreshed.blocks).toEqual(second.blocks);
    expect(refreshed.blocks).not.toEqual(first.blocks);
    // Showing the page it already holds, the refresh does not write it again (no row version).
    expect(await rowVersion()).toBe(saved);

    // Opening the tab afresh (state {}) goes back to the first page, and is remembered too.
    await renderHome(t.db, org, viewer, {});
    // The first page is stored as no row at all: opening the tab, the commonest Home, writes nothing.
    expect(await rowVersion()).toBeUndefined();
    expect((await renderHomeForUser({ db: t.db }, org.id, 'U0VIEWER')).blocks).toEqual(first.blocks);
  });
});
