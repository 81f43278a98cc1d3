import path from 'node:path';
import { rm } from 'node:fs/promises';
import { loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { startTeamManager, type TeamManager } from '../app.js';
import { createDatabaseIfMissing } from '../db/connect.js';
import { embeddedTempDir, freePort, startEmbeddedPostgres, type EmbeddedServer } from '../db/embedded.js';
import { createScratchDatabase, type ScratchDatabase } from '../db/scratch.js';
import { SlackDriver, SlackStandin } from '../standin/index.js';
import { Narrator } from './narrator.js';
import { findOrganizationBySlackTeam } from '../team/organization-repository.js';
import { scenes } from './scenes/index.js';

/**
 * `npm run demo`: the real app, on a throwaway database (the embedded server, or a scratch
 * database on DATABASE_URL's server), driven through signed HTTP by a scripted conversation
 * against the Slack stand-in. Needs no Slack app and no configuration.
 */
const SIGNING_SECRET = 'demo-signing-secret';
const TEAM_CHANNEL = 'C0TEAM0001';

let dir: string | undefined;
let embedded: EmbeddedServer | undefined;
let scratch: ScratchDatabase | undefined;
let standin: SlackStandin | undefined;
let app: TeamManager | undefined;
let exitCode = 0;

try {
  process.stdout.write('Team Manager demo: the real app, a real PostgreSQL, and a stand-in for Slack.\n');
  let databaseUrl: string;
  // Local data of this run: the embedded database (when used) and the emails, as .eml files.
  dir = await embeddedTempDir('tm-demo-');
  if (process.env.DATABASE_URL) {
    scratch = await createScratchDatabase(process.env.DATABASE_URL, { prefix: 'tm_demo' });
    databaseUrl = scratch.url;
  } else {
    embedded = await startEmbeddedPostgres({ dataDir: path.join(dir, 'data'), port: 0, ephemeral: true });
    await createDatabaseIfMissing(embedded.url('postgres'), 'teammanager');
    databaseUrl = embedded.url('teammanager');
  }

  standin = await SlackStandin.start();
  const port = await freePort();
  const config = loadConfig({
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_BOT_TOKEN: standin.botToken,
    SLACK_API_URL: standin.apiUrl,
    SLACK_TEAM_CHANNEL: TEAM_CHANNEL,
    BOOTSTRAP_OWNER_EMAILS: 'alice@acme.test',
    DATABASE_URL: databaseUrl,
    DATA_DIR: dir,
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  });
  app = await startTeamManager(config, { log: createLogger(config.log) });
  const driver = new SlackDriver({ appUrl: `${app.url}/slack/events`, signingSecret: SIGNING_SECRET, standin });
  const narrator = new Narrator(standin);

  const organization = await findOrganizationBySlackTeam(app.database.db, standin.teamId);
  let n = 0;
  for (const scene of scenes) {
    narrator.scene(++n, scene.title);
    await scene.run({ standin, driver, narrator, db: app.database.db, organizationId: organization!.id, appUrl: app.url, teamChannel: TEAM_CHANNEL, mailDir: path.join(dir, 'mail') });
  }
  process.stdout.write('\nDemo finished.\n');
} catch (err) {
  exitCode = 1;
  process.stderr.write(`The demo failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
} finally {
  await app?.stop();
  await standin?.stop();
  await scratch?.drop().catch(() => undefined);
  await embedded?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
}
process.exit(exitCode);
