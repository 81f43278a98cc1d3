import { loadConfig } from '../../src/config.js';
import { startTeamManager, type TeamManager } from '../../src/app.js';
import { SlackDriver, SlackStandin } from '../../src/standin/index.js';
import { captureLogs } from './log-capture.js';

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
