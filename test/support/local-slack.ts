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

export async function startLocalSlackHarness(options: { databaseUrl: string; env?: Record<string, string> }): Promise<LocalSlackHarness> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'tm-local-slack-'));
  const logs = captureLogs();
  const start = () => {
    const config = loadConfig(
      { DATA_DIR: dataDir, DATABASE_URL: options.databaseUrl, PORT: '0', LOG_LEVEL: 'debug', RUN_MIGRATIONS: 'false', ...options.env },
      { allowLocalSlack: true },
    );
    if (!config.slack.local) throw new Error('expected the local Slack mode');
    return startLocalSlack(config, logs.log);
  };
  const harness: LocalSlackHarness = {
    local: await start(),
    dataDir,
    browser: await launchChromium(),
    logs,
    async open({ as, sidebar } = {}) {
      const page = await harness.browser.newPage();
      await page.goto(harness.local.url);
      if (as) {
        await Promise.all([page.waitForURL((u) => u.searchParams.has('as')), page.getByLabel('You are').selectOption({ label: as })]);
      }
      if (sidebar) await page.getByRole('navigation', { name: 'Sidebar' }).getByRole('link', { name: sidebar, exact: true }).click();
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
