import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../src/config.js';
import { startTeamManager, type TeamManager } from '../../src/app.js';
import { SlackDriver, SlackStandin } from '../../src/standin/index.js';
import { captureLogs } from './log-capture.js';
import { registerSecrets, secretsOfEnv } from './log-scan.js';

export const SIGNING_SECRET = 'test-signing-secret-0123456789abcdef';

export interface TestApp {
  app: TeamManager;
  standin: SlackStandin;
  driver: SlackDriver;
  logs: ReturnType<typeof captureLogs>;
  stop(): Promise<void>;
}

/**
 * The real app (the same startTeamManager as `npm start`) on an ephemeral port, talking to
 * a Slack stand-in, with a driver that sends it signed requests the way Slack does.
 */
export async function startTestApp(options: {
  databaseUrl?: string;
  env?: Record<string, string>;
  standin?: SlackStandin;
}): Promise<TestApp> {
  const standin = options.standin ?? (await SlackStandin.start());
  const config = loadConfig({
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_BOT_TOKEN: standin.botToken,
    SLACK_API_URL: standin.apiUrl,
    SLACK_TEAM_CHANNEL: 'C0TEAM0001',
    PORT: '0',
    LOG_LEVEL: 'debug',
    RUN_MIGRATIONS: 'false',
    ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
    ...options.env,
  });
  registerSecrets([SIGNING_SECRET, standin.botToken, ...secretsOfEnv(options.env ?? {})]);
  const logs = captureLogs();
  const app = await startTeamManager(config, { log: logs.log, host: '127.0.0.1' });
  const driver = new SlackDriver({ appUrl: `${app.url}/slack/events`, signingSecret: SIGNING_SECRET, standin });
  return {
    app,
    standin,
    driver,
    logs,
    async stop() {
      await app.stop();
      if (!options.standin) await standin.stop();
    },
  };
}

/** The stand-in's OAuth client credentials (src/standin/oauth.ts defaults). */
export const STANDIN_OAUTH_CLIENT = { id: '1111111111.2222222222', secret: 'standin-client-secret-0123456789' } as const;

export interface DistributedTestApp {
  app: TeamManager;
  driver: SlackDriver;
  config: ReturnType<typeof loadConfig>;
  stop(): Promise<void>;
}

/**
 * The real app in distributed mode (SLACK_CLIENT_ID…: many workspaces through Add to Slack)
 * against a stand-in, with a fresh state secret and token key; the stand-in's consent page
 * redirects back to this app. Install workspaces with test/support/oauth-install.ts.
 */
export async function startDistributedApp(options: { databaseUrl: string; standin: SlackStandin; log: TestApp['logs']['log']; env?: Record<string, string> }): Promise<DistributedTestApp> {
  const config = loadConfig({
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_CLIENT_ID: STANDIN_OAUTH_CLIENT.id,
    SLACK_CLIENT_SECRET: STANDIN_OAUTH_CLIENT.secret,
    SLACK_STATE_SECRET: randomBytes(24).toString('hex'),
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    SLACK_API_URL: options.standin.apiUrl,
    DATABASE_URL: options.databaseUrl,
    PORT: '0',
    LOG_LEVEL: 'debug',
    RUN_MIGRATIONS: 'false',
    ...options.env,
  });
  registerSecrets([SIGNING_SECRET, STANDIN_OAUTH_CLIENT.secret, config.slack.oauth?.stateSecret, config.slack.oauth?.tokenKey?.toString("base64"), ...secretsOfEnv(options.env ?? {})]);
  const app = await startTeamManager(config, { log: options.log, host: '127.0.0.1' });
  options.standin.oauth.redirectUrl = `${app.url}/slack/oauth_redirect`;
  const driver = new SlackDriver({ appUrl: `${app.url}/slack/events`, signingSecret: SIGNING_SECRET, standin: options.standin });
  return { app, driver, config, stop: () => app.stop() };
}
