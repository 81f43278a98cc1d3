import { parseArgs } from 'node:util';
import type { Config } from './config.js';
import { connectDatabase, type DatabaseHandle } from './db/connect.js';
import type { ApiKeyScope, Organization } from './db/schema.js';
import { createApiKey, listApiKeys, revokeApiKey } from './api/api-keys.js';
import { AppError } from './errors.js';
import { createLogger, type Logger } from './logger.js';
import { configOrExit } from './process.js';
import { identifyWorkspace } from './slack/identity.js';
import { workerSlackClients } from './slack/configured-clients.js';
import { syncSlackDirectory } from './slack/directory-sync.js';
import { listAllMembers } from './team/member-repository.js';
import { ensureOwner } from './team/members.js';
import { ensureOrganization } from './team/organizations.js';
import { findOrganizationBySlackTeam } from './team/organization-repository.js';
import { purgeOrganization } from './team/organization-purge.js';
import { installTellings } from './tellings.js';

/**
 * The admin command line: `npm run cli -- <command> [options]`, for whoever runs the server.
 * Exit codes: 0 done, 1 failed, 2 bad usage or input; problems go to stderr, one line each.
 */
const USAGE = `Usage: npm run cli -- <command> [options]

Commands:
  migrate                    bring the database schema up to date (also: npm run migrate)
  owners add <email>         make this email an owner of the team (creates the member if needed)
  members list               print the team: email, role, status, Slack id, joined
  api-keys create <name> [--read-only|--read-write]
                             make an API key (read-only unless --read-write); it is printed once, never again
  api-keys list              print the API keys: id, name, scope, prefix, created, last used, revoked
  api-keys revoke <id>       revoke an API key at once (its id from api-keys list)
  sync slack                 apply the Slack workspace's accounts to the team now: deactivated accounts
                             removed, new profile emails taken (what the daily sync does); prints what changed
  scim-token create <name>   make a SCIM bearer token for an identity provider (Okta, Entra ID); printed once
  scim-token list            print the SCIM tokens: id, name, prefix, created, last used, revoked
  scim-token revoke <id>     revoke a SCIM token at once (its id from scim-token list)
  organizations purge --team <T…> --yes
                             delete a workspace's team and all its data (after Team Manager was
                             uninstalled there); the purge itself is recorded, its rows are not kept
  help                       show this text

Options:
  --team <T…>                the Slack workspace (team id), when the database holds several
  --read-only, --read-write  the scope of a new API key (api-keys create only)
  --yes                      confirm a purge (organizations purge only)`;

class UsageError extends Error {}

interface Options {
  team?: string | undefined;
  'read-only'?: boolean | undefined;
  'read-write'?: boolean | undefined;
  yes?: boolean | undefined;
}

type Command = (args: string[], team: string | undefined, options: Options) => Promise<void>;

const cliActor = () => ({ type: 'cli' as const, id: process.env.USER ?? null });

const commands: Record<string, Command> = {
  async migrate(args) {
    if (args.length > 0) throw new UsageError('migrate takes no arguments');
    await withDatabase(async () => undefined);
    process.stdout.write('Database schema is up to date.\n');
  },

  async owners(args, team) {
    const [verb, email, ...extra] = args;
    if (verb !== 'add' || !email || extra.length > 0) throw new UsageError('expected: owners add <email>');
    await withDatabase(async (database, config) => {
      const organization = await organizationFor(database, config, team);
      const { member, outcome } = await ensureOwner(database.db, {
        organizationId: organization.id,
        email,
        actor: cliActor(),
        source: 'cli',
      });
      const said = {
        created: `added ${member.email} as an owner of ${organization.name}`,
        promoted: `${member.email} was a member of ${organization.name} and is now an owner`,
        reactivated: `${member.email} had been removed from ${organization.name} and is back as an owner`,
        already_owner: `${member.email} is already an owner of ${organization.name}; nothing changed`,
      }[outcome];
      process.stdout.write(`${said}.\n`);
    });
  },

  async members(args, team) {
    if (args[0] !== 'list' || args.length > 1) throw new UsageError('expected: members list');
    await withDatabase(async (database, config) => {
      const organization = await organizationFor(database, config, team);
      const members = await listAllMembers(database.db, organization.id);
      const rows = members.map((m) => [m.email, m.role, m.status, m.slack_user_id ?? '-', m.joined_at.toISOString().slice(0, 10)]);
      printTable(['EMAIL', 'ROLE', 'STATUS', 'SLACK', 'JOINED'], rows);
      process.stdout.write(`${members.filter((m) => m.status === 'active').length} active of ${members.length} in ${organization.name}\n`);
    });
  },

  async 'api-keys'(args, team, options) {
    const [verb, ...rest] = args;
    if (verb === 'create') {
      if (rest.length !== 1) throw new UsageError('expected: api-keys create <name> [--read-only|--read-write] (quote a name with spaces)');
      if (options['read-only'] && options['read-write']) throw new UsageError('--read-only and --read-write: pick one');
      // Least privilege: a key reads unless asked to write.
      const scope: ApiKeyScope = options['read-write'] ? 'read-write' : 'read';
      await withDatabase(async (database, config) => {
        const organization = await organizationFor(database, config, team);
        const { apiKey, key } = await createApiKey(database.db, { organizationId: organization.id, name: rest[0]!, scope, actor: cliActor(), source: 'cli' });
        process.stdout.write(`Created API key ${apiKey.id} "${apiKey.name}" (${scope === 'read' ? 'read-only' : 'read-write'}) for ${organization.name}:\n\n`);
        process.stdout.write(`${key}\n\n`);
        process.stdout.write('Store it now: it will not be shown again (only its hash is kept). Send it as "Authorization: Bearer <key>".\n');
      });
      return;
    }
    if (options['read-only'] || options['read-write']) throw new UsageError('--read-only and --read-write go with api-keys create only');
    if (verb === 'list') {
      if (rest.length > 0) throw new UsageError('expected: api-keys list');
      await withDatabase(async (database, config) => {
        const organization = await organizationFor(database, config, team);
        const keys = await listApiKeys(database.db, organization.id);
        const time = (d: Date | null) => (d ? `${d.toISOString().slice(0, 16)}Z` : '-');
        const rows = keys.map((k) => [k.id, k.name, k.scope, k.prefix, time(k.created_at), time(k.last_used_at), time(k.revoked_at)]);
        printTable(['ID', 'NAME', 'SCOPE', 'PREFIX', 'CREATED', 'LAST USED', 'REVOKED'], rows);
        process.stdout.write(`${keys.filter((k) => !k.revoked_at).length} active of ${keys.length} API keys in ${organization.name}\n`);
      });
      return;
    }
    if (verb === 'revoke') {
      if (rest.length !== 1) throw new UsageError('expected: api-keys revoke <id>');
      await withDatabase(async (database, config) => {
        const organization = await organizationFor(database, config, team);
        const { apiKey, outcome } = await revokeApiKey(database.db, { organizationId: organization.id, id: rest[0]!, actor: cliActor(), source: 'cli' });
        process.stdout.write(
          outcome === 'revoked'
            ? `Revoked API key ${apiKey.id} "${apiKey.name}" (${apiKey.prefix}…) of ${organization.name}: it stops working now.\n`
            : `API key ${apiKey.id} "${apiKey.name}" was already revoked; nothing changed.\n`,
        );
      });
      return;
    }
    throw new UsageError('expected: api-keys create|list|revoke');
  },

  async 'scim-token'(args, team) {
    const [verb, ...rest] = args;
    const time = (d: Date | null) => (d ? `${d.toISOString().slice(0, 16)}Z` : '-');
    if (verb === 'create') {
      if (rest.length !== 1) throw new UsageError('expected: scim-token create <name> (quote a name with spaces)');
      await withDatabase(async (database, config) => {
        const organization = await organizationFor(database, config, team);
        const { apiKey, key } = await createApiKey(database.db, { organizationId: organization.id, name: rest[0]!, scope: 'scim', actor: cliActor(), source: 'cli' });
        process.stdout.write(`Created SCIM token ${apiKey.id} "${apiKey.name}" for ${organization.name}:\n\n${key}\n\n`);
        process.stdout.write('Store it now: it will not be shown again (only its hash is kept). In the identity provider, set the SCIM base URL to <PUBLIC_URL>/scim/v2 and this as the bearer token.\n');
      });
      return;
    }
    if (verb === 'list') {
      if (rest.length > 0) throw new UsageError('expected: scim-token list');
      await withDatabase(async (database, config) => {
        const organization = await organizationFor(database, config, team);
        const tokens = await listApiKeys(database.db, organization.id, 'scim');
        printTable(['ID', 'NAME', 'PREFIX', 'CREATED', 'LAST USED', 'REVOKED'], tokens.map((k) => [k.id, k.name, k.prefix, time(k.created_at), time(k.last_used_at), time(k.revoked_at)]));
        process.stdout.write(`${tokens.filter((k) => !k.revoked_at).length} active of ${tokens.length} SCIM tokens in ${organization.name}\n`);
      });
      return;
    }
    if (verb === 'revoke') {
      if (rest.length !== 1) throw new UsageError('expected: scim-token revoke <id>');
      await withDatabase(async (database, config) => {
        const organization = await organizationFor(database, config, team);
        const { apiKey, outcome } = await revokeApiKey(database.db, { organizationId: organization.id, id: rest[0]!, actor: cliActor(), source: 'cli', kind: 'scim' });
        process.stdout.write(
          outcome === 'revoked'
            ? `Revoked SCIM token ${apiKey.id} "${apiKey.name}" (${apiKey.prefix}…) of ${organization.name}: provisioning with it stops now.\n`
            : `SCIM token ${apiKey.id} "${apiKey.name}" was already revoked; nothing changed.\n`,
        );
      });
      return;
    }
    throw new UsageError('expected: scim-token create|list|revoke');
  },

  async organizations(args, team, options) {
    if (args[0] !== 'purge' || args.length > 1) throw new UsageError('expected: organizations purge --team <T…> --yes');
    if (!team) throw new UsageError('organizations purge needs --team <T…>: the workspace whose team is deleted');
    if (!options.yes) throw new UsageError(`organizations purge deletes every member, invitation, key and audit event of ${team}: add --yes to confirm`);
    await withDatabase(async (database) => {
      const { name, deleted } = await purgeOrganization(database.db, { slackTeamId: team, purgedBy: `cli:${process.env.USER ?? 'unknown'}` });
      const counts = Object.entries(deleted).filter(([, n]) => n > 0).map(([table, n]) => `${table} ${n}`).join(', ');
      process.stdout.write(`Purged ${name} (${team}): ${counts}. The purge is recorded in organization_purges.\n`);
    });
  },

  async sync(args, team) {
    if (args[0] !== 'slack' || args.length > 1) throw new UsageError('expected: sync slack');
    await withDatabase(async (database, config, log) => {
      if (!config.slack.botToken && !config.slack.oauth) throw new AppError('no_slack', 'sync slack needs Slack credentials: set SLACK_BOT_TOKEN (or the OAuth variables of a distributed deployment)');
      const organization = await organizationFor(database, config, team);
      const client = await workerSlackClients(config, database.db, log).forOrganization(organization.id);
      const r = await syncSlackDirectory({ db: database.db, client, organization, log, ...config.directorySync });
      process.stdout.write(
        `Looked at ${r.seen} Slack accounts, ${r.linked} linked to members of ${organization.name}: ` +
          `${r.removed} removed (deactivated in Slack), ${r.emailsChanged} emails updated` +
          `${r.guestsChanged ? `, ${r.guestsChanged} guest flags updated` : ''}` +
          `${r.lastOwnerKept ? `, ${r.lastOwnerKept} deactivated but kept as the last owner` : ''}` +
          `${r.askedOwners ? `, ${r.askedOwners} deactivated and put to the owners (Keep / Remove)` : ''}` +
          `${r.ignored ? `, ${r.ignored} deactivated and left alone (setting: do nothing)` : ''}` +
          `${r.emailsRefused ? `, ${r.emailsRefused} email changes refused (another member has the address)` : ''}` +
          `${r.reactivationsReported ? `, ${r.reactivationsReported} reactivations reported to the owners` : ''}.\n`,
      );
    });
  },

  async help() {
    process.stdout.write(`${USAGE}\n`);
  },
};

async function withDatabase(work: (database: DatabaseHandle, config: Readonly<Config>, log: Logger) => Promise<void>): Promise<void> {
  const config = configOrExit({ requireSlack: false });
  installTellings();
  const log = createLogger({ level: config.log.level === 'info' ? 'warn' : config.log.level, pretty: false });
  const database = await connectDatabase(config, log, { migrate: true });
  try {
    await work(database, config, log);
  } finally {
    await database.close();
  }
}

/**
 * The organization to act on: the one named by --team, else the only one there is, else
 * (a fresh database) the bot token's workspace, created as the app would at its start.
 */
async function organizationFor(database: DatabaseHandle, config: Readonly<Config>, team: string | undefined): Promise<Organization> {
  if (team) {
    const organization = await findOrganizationBySlackTeam(database.db, team);
    if (!organization) throw new AppError('not_found', `no organization for workspace ${team}: start the app once with that workspace's bot token`);
    return organization;
  }
  const all = await database.db.selectFrom('organizations').selectAll().execute();
  if (all.length === 1) return all[0]!;
  if (all.length > 1) {
    throw new AppError('ambiguous', `the database holds several workspaces (${all.map((o) => o.slack_team_id).join(', ')}): pass --team <id>`);
  }
  if (!config.slack.botToken) {
    throw new AppError('no_organization', 'no organization yet: start the app once (it creates the workspace\'s organization), or set SLACK_BOT_TOKEN so this command can ask Slack which workspace it serves');
  }
  const identity = await identifyWorkspace(config);
  return ensureOrganization(database.db, { slackTeamId: identity.teamId, name: identity.teamName, defaultTeamChannelId: config.slack.teamChannel }, 'cli');
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  for (const row of [header, ...rows]) process.stdout.write(`${row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()}\n`);
}

let parsed;
try {
  parsed = parseArgs({
    args: process.argv.slice(2),
    options: { team: { type: 'string' }, 'read-only': { type: 'boolean' }, 'read-write': { type: 'boolean' }, yes: { type: 'boolean' } },
    allowPositionals: true,
    strict: true,
  });
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
  process.exit(2);
}
const [name = 'help', ...rest] = parsed.positionals;
const command = commands[name];
if (!command) {
  process.stderr.write(`unknown command "${name}"\n${USAGE}\n`);
  process.exit(2);
}
try {
  if (name !== 'api-keys' && (parsed.values['read-only'] || parsed.values['read-write'])) {
    throw new UsageError('--read-only and --read-write go with api-keys create only');
  }
  await command(rest, parsed.values.team, parsed.values);
  process.exit(0);
} catch (err) {
  // Bad input (a malformed email, key name or key id) is the caller's to fix, like bad usage: exit 2.
  if (err instanceof UsageError || (err instanceof AppError && ['invalid_email', 'invalid_name', 'invalid_id'].includes(err.code))) {
    process.stderr.write(err instanceof UsageError ? `${name}: ${err.message}\n${USAGE}\n` : `${name}: ${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`${name} failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
