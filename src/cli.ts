import { connectDatabase } from './db/connect.js';
import { createLogger } from './logger.js';
import { configOrExit } from './process.js';

/**
 * The admin command line: `npm run cli -- <command>`. Exit codes: 0 done, 1 failed,
 * 2 usage error; problems go to stderr as one line each.
 */
const USAGE = `Usage: npm run cli -- <command>

Commands:
  migrate     bring the database schema up to date (also: npm run migrate)
  help        show this text`;

const commands: Record<string, () => Promise<void>> = {
  async migrate() {
    const config = configOrExit({ requireSlack: false });
    const log = createLogger({ level: config.log.level === 'info' ? 'warn' : config.log.level, pretty: false });
    const database = await connectDatabase(config, log, { migrate: true });
    await database.close();
    process.stdout.write('Database schema is up to date.\n');
  },
  async help() {
    process.stdout.write(`${USAGE}\n`);
  },
};

const [name = 'help', ...rest] = process.argv.slice(2);
const command = commands[name];
if (!command || rest.length > 0) {
  process.stderr.write(command ? `${name}: takes no arguments\n` : `unknown command "${name}"\n`);
  process.stderr.write(`${USAGE}\n`);
  process.exit(2);
}
try {
  await command();
  process.exit(0);
} catch (err) {
  process.stderr.write(`${name} failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
