import { startTeamManager } from './app.js';
import { createLogger } from './logger.js';
import { startLocalSlack } from './local-slack.js';
import { configOrExit, stopOnSignals } from './process.js';

const config = configOrExit({
  hint:
    'Set them in the environment or in a .env file (see .env.example), after creating the Slack app from\n' +
    'manifest/manifest.json as README.md describes under "Create the Slack app".\n' +
    'To see Team Manager work without a Slack app, run: npm run demo',
  // No Slack credentials outside production: the local Slack (a Slack-like page at PORT).
  allowLocalSlack: true,
});
const log = createLogger(config.log);

try {
  if (config.slack.local) {
    const local = await startLocalSlack(config, log);
    log.info({ url: local.url }, `Local Slack at ${local.url} — set SLACK_BOT_TOKEN (README: Create the Slack app) to connect to a real workspace`);
    stopOnSignals(local.stop, log);
  } else {
    const app = await startTeamManager(config, { log });
    stopOnSignals(app.stop, log);
  }
} catch (err) {
  log.fatal({ err }, 'Team Manager could not start');
  process.stderr.write(`Team Manager could not start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
