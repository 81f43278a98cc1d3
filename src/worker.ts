import { connectDatabase } from './db/connect.js';
import { startConfiguredWorker } from './job-runner/configured-worker.js';
import { createLogger } from './logger.js';
import { configOrExit, stopOnSignals } from './process.js';
import { installTellings } from './tellings.js';

/**
 * The job worker on its own (Procfile `worker`), for scaling delivery apart from the web
 * process. Several workers, and web processes running theirs, share the queue safely.
 */
const config = configOrExit({ hint: 'See .env.example and README.md ("Configuration").' });
const log = createLogger(config.log).child({ process: 'worker' });
// The worker's crons change things too (expiries, access reviews): they tell like any change.
installTellings();

try {
  const database = await connectDatabase(config, log, { cacheOrganizations: true });
  const worker = await startConfiguredWorker(config, database, log);
  log.info({ concurrency: config.worker.concurrency }, 'worker started');
  stopOnSignals(async () => {
    await worker.stop();
    await database.close();
  }, log);
} catch (err) {
  log.fatal({ err }, 'worker could not start');
  process.stderr.write(`Team Manager's worker could not start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
