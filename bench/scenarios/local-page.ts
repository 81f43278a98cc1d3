/**
 * Scenario local-page: the local Slack's page (npm start with nothing configured) in a real
 * Chromium. A channel of 1,000 app messages and the Home tab of a 10,000-member team, each
 * timed from navigation start to the first frame painted after the whole list is in the DOM
 * (performance.now() in the page, in a requestAnimationFrame after the list appears).
 * Target: under 1 s each (p99 of the loads). The Home tab's first open, which waits for the
 * app's views.publish to arrive over server-sent events, is reported beside it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import type { Page } from 'playwright-core';
import { loadConfig } from '../../src/config.js';
import { startLocalSlack } from '../../src/local-slack.js';
import { createLogger } from '../../src/logger.js';
import { findOrganizationBySlackTeam } from '../../src/team/organization-repository.js';
import { launchChromium } from '../../test/support/browser.js';
import type { Harness } from '../harness.js';
import type { Profile } from '../profile.js';
import type { ScenarioResult } from '../results.js';
import { growTeam } from '../seed.js';
import { percentile, seriesStats } from '../stats.js';

/** The browser's own globals, for code that runs in the page (the project's types have no DOM lib). */
declare function requestAnimationFrame(callback: () => void): number;
declare const document: { getElementById(id: string): { textContent: string | null } | null };

const TARGET_MS = 1_000;
const MESSAGES = 1_000;
const MEMBERS = 10_000;
const CHANNEL = 'C0GENERAL1';

export async function localPageScenario(h: Harness, p: Profile): Promise<ScenarioResult> {
  const started = performance.now();
  const loads = p.quick ? 3 : 10;
  const database = await h.freshDatabase();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'tm-bench-local-'));
  const config = loadConfig({ DATA_DIR: dataDir, DATABASE_URL: database.url, PORT: '0', LOG_LEVEL: 'warn', RUN_MIGRATIONS: 'false' }, { allowLocalSlack: true });
  const local = await startLocalSlack(config, createLogger(config.log));
  const browser = await launchChromium();
  try {
    // Setup, not measured: messages like the app's (a section, a context, a button each) and the members.
    for (let i = 0; i < MESSAGES; i++) {
      local.standin.postAsBot(CHANNEL, `Message ${i}`, [
        { type: 'section', text: { type: 'mrkdwn', text: `:wave: *Message ${i}*: <@U0BOB00001> joined as _member_ — see <#C0TEAM0001>` } },
        { type: 'context', elements: [{ type: 'mrkdwn', text: `Invited by <@U0ALICE001> · <!date^1765000000^{date_short}|Dec 6>` }] },
        { type: 'actions', elements: [{ type: 'button', action_id: `bench.open.${i}`, text: { type: 'plain_text', text: 'Open' }, value: String(i) }] },
      ]);
    }
    const organization = (await findOrganizationBySlackTeam(database.db, local.standin.teamId))!;
    const { count } = await database.db.selectFrom('members').select(sql<number>`count(*)::int`.as('count')).where('organization_id', '=', organization.id).executeTakeFirstOrThrow();
    await growTeam(database.db, { organizationId: organization.id, size: count }, MEMBERS);

    const page = await browser.newPage();
    const paintedAfter = async (url: string, ready: (page: Page) => Promise<unknown>): Promise<number> => {
      await page.goto(url, { waitUntil: 'commit' });
      await ready(page);
      return page.evaluate(() => new Promise<number>((resolve) => requestAnimationFrame(() => setTimeout(() => resolve(performance.now()), 0))));
    };
    const channelUrl = `${local.url}?as=U0ALICE001&c=${CHANNEL}`;
    const homeUrl = `${local.url}?as=U0ALICE001&c=home`;
    const channelReady = (pg: Page) => pg.locator(`ul.messages > li:nth-child(${MESSAGES})`).waitFor({ state: 'attached' });
    const homeLoaded = (pg: Page) => pg.waitForFunction(() => !(document.getElementById('pane')?.textContent ?? 'Loading the Home tab').includes('Loading the Home tab'));

    const firstHomeMs = await paintedAfter(homeUrl, homeLoaded);
    const channel: number[] = [];
    const home: number[] = [];
    for (let i = 0; i < loads; i++) {
      channel.push(await paintedAfter(channelUrl, channelReady));
      home.push(await paintedAfter(homeUrl, homeLoaded));
    }
    const homeBlocks = local.standin.homeViews.get('U0ALICE001')?.blocks;
    const row = (label: string, values: number[]) => {
      const sorted = [...values].sort((a, b) => a - b);
      const ours = seriesStats([{ n: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1)!, throughput: NaN, errors: 0 }]);
      return { label, ours, met: ours.p99 < TARGET_MS };
    };
    return {
      id: 'local-page',
      title: `Local Slack page: ${MESSAGES.toLocaleString('en')}-message channel and ${MEMBERS.toLocaleString('en')}-member Home tab, navigation to painted list (target < ${TARGET_MS} ms)`,
      rows: [row(`channel of ${MESSAGES} messages`, channel), row(`Home tab, ${MEMBERS} members`, home)],
      facts: { targetMs: TARGET_MS, loads, firstHomeOpenMs: Math.round(firstHomeMs), homeBlocks: Array.isArray(homeBlocks) ? homeBlocks.length : 0, browser: browser.kind },
      notes: ['Each load is a fresh navigation of one tab; the Home tab rows show the last published view (as Slack does), the first open waits for the app to publish it.'],
      errors: 0,
      errorSamples: [],
      durationMs: performance.now() - started,
    };
  } finally {
    await browser.close();
    await local.stop();
    await database.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}
