import { ConfigError, loadConfig, type Config } from './config.js';
import type { Logger } from './logger.js';

/**
 * Loads the configuration for a command-line entry point, or ends the process with exit
 * code 1 and one stderr line per problem.
 */
export function configOrExit(options: { requireSlack?: boolean; allowLocalSlack?: boolean; hint?: string } = {}): Readonly<Config> {
  try {
    return loadConfig(process.env, options);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write('Team Manager cannot start: its configuration is incomplete or invalid.\n');
    for (const problem of err.problems) process.stderr.write(`  ${problem}\n`);
    if (options.hint) process.stderr.write(`${options.hint}\n`);
    process.exit(1);
  }
}

/** Runs `stop` once on SIGTERM/SIGINT, then exits: 0 when it finished, 1 when it failed or hung. */
export function stopOnSignals(stop: () => Promise<void>, log: Logger, timeoutMs = 25_000): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    const timer = setTimeout(() => {
      log.error('graceful stop took too long; exiting');
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}
