/**
 * What the Slack adapter's parts are given: listeners get SlackDeps, `/team` subcommands get a
 * CommandContext (which carries SlackDeps). Both live here because each names the other —
 * SlackDeps lists the subcommands — and one module keeps that from being an import circle.
 */
import type { AckTimer } from './ack-timing.js';
import type { WebClient } from '@slack/web-api';
import type { Member, Organization } from '../db/schema.js';
import type { ParsedCommand } from './commands/parse.js';
import type { SlackReply } from './blocks/reply.js';
import type { Db } from '../db/database.js';
import type { Logger } from '../logger.js';
import type { PeopleDirectory } from '../team/people.js';
import type { Tenancy } from './tenancy.js';
import type { WebhookDeps } from '../webhooks/endpoints.js';

/** Everything listeners may use; built once in the composition root. */
export interface SlackDeps {
  db: Db;
  log: Logger;
  /**
   * Slack profiles of an organization's workspace, read with that organization's own token
   * (a listener's `client` is the request's; this is for the domain's people lookups).
   */
  peopleFor(organizationId: string): PeopleDirectory;
  /** The slash command, `/team` unless configured otherwise. */
  command: string;
  subcommands: readonly Subcommand[];
  /** Which organization a request belongs to, if this deployment serves its workspace at all. */
  tenancy: Tenancy;
  /** Sealing key and URL rules for webhook endpoints (no key, development rules, when absent). */
  webhooks?: Omit<WebhookDeps, 'db'>;
  /** Ack times per listener, for /metrics (src/slack/ack-timing.ts); none when metrics are off. */
  ackTimer?: AckTimer;
}

/** What every `/team` subcommand gets: who typed it, where, in which organization. */
export interface CommandContext {
  organization: Organization;
  /**
   * The acting member as the database has it now. Only `everyone` subcommands run with
   * null; the dispatcher answers non-members of the others itself. Services re-read it.
   */
  actor: Member | null;
  userId: string;
  channelId: string;
  /** The slash command as typed (`/team`), so replies quote what the person actually uses. */
  command: string;
  parsed: ParsedCommand;
  /** Valid for 3 s and once: for subcommands that open a modal. */
  triggerId: string;
  client: WebClient;
  deps: SlackDeps;
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
  /** Who the dispatcher lets run it: `everyone` (help), or active `members` (owners are members). */
  audience: 'everyone' | 'members';
  /** Shown in the help as "(owners)" when only owners can use it; the service enforces it. */
  ownersOnly?: boolean;
  /** The ephemeral answer, or null when the subcommand answered another way (opened a modal). */
  run(ctx: CommandContext): Promise<SlackReply | null>;
}
