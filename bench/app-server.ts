/**
 * Child process: Team Manager itself, started exactly as `npm start` starts it
 * (loadConfig from the environment → createLogger → startTeamManager), with the
 * environment the benchmark sets: the stand-in's URL and token, a database of its own.
 */
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { startTeamManager } from '../src/app.js';
import { serveChild } from './server-child.js';
import { countQueries, statementsSoFar } from './query-count.js';

countQueries();

serveChild(async () => {
  const config = loadConfig(process.env);
  const log = createLogger(config.log);
  const app = await startTeamManager(config, { log, host: '127.0.0.1' });
  return { url: `${app.url}/slack/events`, stop: () => app.stop(), statements: statementsSoFar };
});
