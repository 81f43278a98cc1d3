import type { Db } from '../db/database.js';
import type { Logger } from '../logger.js';
import type { Subcommand } from './commands/subcommand.js';

/** Everything listeners may use; built once in the composition root. */
export interface SlackDeps {
  db: Db;
  log: Logger;
  /** The slash command, `/team` unless configured otherwise. */
  command: string;
  subcommands: readonly Subcommand[];
  defaultTeamChannelId?: string | undefined;
}
