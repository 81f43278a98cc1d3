/**
 * Child process (with --separate-worker): the job worker on its own, started as the Procfile's
 * `worker` starts it (src/worker.ts: config from the environment → database → worker), beside
 * an app started with RUN_WORKER=false — the Procfile's `web` + `worker` deployment.
 */
import { loadConfig } from '../src/config.js';
import { connectDatabase } from '../src/db/connect.js';
import { startConfiguredWorker } from '../src/job-runner/configured-worker.js';
import { createLogger } from '../src/logger.js';
import { serveChild } from './server-child.js';
import { countQueries, statementsSoFar } from './query-count.js';
import { installTellings } from '../src/tellings.js';

countQueries();

serveChild(async () => {
  const config = loadConfig(process.env);
  const log = createLogger(config.log).child({ process: 'worker' });
  installTellings();
  const database = await connectDatabase(config, log, { migrate: false, cacheOrganizations: true });
  const worker = await startConfiguredWorker(config, database, log);
  return {
    url: 'worker:',
    statements: statementsSoFar,
    stop: async () => {
      await worker.stop();
      await database.close();
    },
  };
});
