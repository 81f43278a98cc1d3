import type { Organization } from '../../db/schema.js';
import type { ParsedCommand } from './parse.js';
import type { SlackReply } from '../blocks/reply.js';

/** What every `/team` subcommand gets: who typed it, where, in which organization. */
export interface CommandContext {
  organization: Organization;
  userId: string;
  channelId: string;
  /** The slash command as typed (`/team`), so replies quote what the person actually uses. */
  command: string;
  parsed: ParsedCommand;
}

/**
 * One `/team` subcommand. The help text is generated from the registered list, so a new
 * subcommand documents itself by being added to `subcommands.ts`.
 */
export interface Subcommand {
  name: string;
  /** Arguments as shown in the usage, e.g. `@person owner|member`. */
  usage: string;
  summary: string;
  run(ctx: CommandContext): Promise<SlackReply>;
}
