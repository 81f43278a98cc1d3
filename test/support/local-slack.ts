import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { loadConfig } from '../../src/config.js';
import { startLocalSlack, type LocalSlack } from '../../src/local-slack.js';
import { launchChromium } from './browser.js';
import { captureLogs } from './log-capture.js';

/**
 * The local Slack as `npm start` runs it with nothing configured (no Slack variables, not
 * production), on a temp DATA_DIR and a free port, and a browser to use its page. Tests go
 * through the page only; `restart()` stops and starts it again on the same DATA_DIR and database.
 */
export interface LocalSlackHarness {
  local: LocalSlack;
  dataDir: string;
  browser: Browser;
  logs: ReturnType<typeof captureLogs>;
  /** A new tab at the page, as this person (the "You are" picker), in this conversation (by sidebar name). */
  open(options?: { as?: string; sidebar?: string }): Promise<Page>;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * `databaseUrl`: a migrated test database (useTestDatabase); without one, the embedded
 * PostgreSQL in the temp DATA_DIR, migrated at start, as `npm start` does.
 */
export async function startLocalSlackHarness(options: { databaseUrl?: string | undefined; env?: Record<string, string> } = {}): Promise<LocalSlackHarness> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'tm-local-slack-'));
  const logs = captureLogs();
  const database: Record<string, string> = options.databaseUrl ? { DATABASE_URL: options.databaseUrl, RUN_MIGRATIONS: 'false' } : {};
  const start = () => {
    const config = loadConfig(
      { DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'debug', ...database, ...options.env },
      { allowLocalSlack: true },
    );
    if (!config.slack.local) throw new Error('expected the local Slack mode');
    return startLocalSlack(config, logs.log);
  };
  let local: LocalSlack;
  let browser: LocalSlackHarness['browser'];
  try {
    local = await start();
  } catch (err) {
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
  try {
    browser = await launchChromium();
  } catch (err) {
    await local.stop();
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
  const harness: LocalSlackHarness = {
    local,
    dataDir,
    browser,
    logs,
    async open({ as, sidebar } = {}) {
      const page = await harness.browser.newPage();
      await page.goto(harness.local.url);
      if (as) {
        await Promise.all([page.waitForURL((u) => u.searchParams.has('as')), page.getByLabel('You are').selectOption({ label: as })]);
      }
      if (sidebar) {
        const link = page.getByRole('navigation', { name: 'Sidebar' }).getByRole('link', { name: sidebar, exact: true });
        const href = new URL((await link.getAttribute('href')) ?? '/', page.url()).href;
        await Promise.all([page.waitForURL(href), link.click()]);
      }
      await page.waitForLoadState('domcontentloaded');
      return page;
    },
    async restart() {
      await harness.local.stop();
      harness.local = await start();
    },
    async stop() {
      await harness.browser.close();
      await harness.local.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return harness;
}
