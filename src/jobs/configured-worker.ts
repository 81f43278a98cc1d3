import type { Config } from '../config.js';
import type { DatabaseHandle } from '../db/connect.js';
import type { Logger } from '../logger.js';
import { createMailer } from '../mail/mailer.js';
import { createWorkerSlackClient } from '../notify/slack-delivery.js';
import { renderHomeForUser } from '../slack/home/home-view.js';
import { startWorker } from './worker.js';

/**
 * The worker with everything its jobs need, built from the configuration: the one place the
 * web process (RUN_WORKER) and the worker process (Procfile `worker`) both start it from.
 */
export async function startConfiguredWorker(
  config: Readonly<Config>,
  database: Pick<DatabaseHandle, 'db' | 'pool'>,
  log: Logger,
): Promise<{ stop(): Promise<void> }> {
  const mailer = createMailer({ smtpUrl: config.mail.smtpUrl, from: config.mail.from, dataDir: config.dataDir, log });
  const runner = await startWorker({
    pool: database.pool,
    db: database.db,
    slack: createWorkerSlackClient(config.slack.botToken, config.slack.apiUrl, log),
    log,
    concurrency: config.worker.concurrency,
    renderHome: (organizationId, slackUserId) => renderHomeForUser({ db: database.db }, organizationId, slackUserId),
    invitations: { mailer, publicUrl: config.http.publicUrl },
  });
  return {
    async stop() {
      await runner.stop();
      mailer.close();
    },
  };
}
