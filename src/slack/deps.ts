import type { Db } from '../db/database.js';
import type { Logger } from '../logger.js';
import type { PeopleDirectory } from '../team/people.js';
import type { Subcommand } from './commands/subcommand.js';
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
}
