import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { startTeamManager, type TeamManager } from './app.js';
import type { Config } from './config.js';
import type { Logger } from './logger.js';
import { SlackDriver, SlackStandin } from './standin/index.js';
import { localSlackPage } from './standin/local/page/routes.js';
import { APPROVALS_CHANNEL, SEED_CHANNELS, SEED_OWNER, SEED_PEOPLE, TEAM_CHANNEL } from './standin/local/seed.js';
import { LocalSession } from './standin/local/session.js';
import { LocalSlackStore } from './standin/local/store.js';
import { findMemberByEmail } from './team/member-repository.js';
import { findOrganizationBySlackTeam } from './team/organization-repository.js';
import { updateSettings } from './team/settings.js';

export interface LocalSlack {
  app: TeamManager;
  standin: SlackStandin;
  session: LocalSession;
  /** The page, e.g. http://localhost:3000/ */
  url: string;
  stop(): Promise<void>;
}

/**
 * Local mode (no Slack credentials, not production): the Slack stand-in in this process with
 * its state in DATA_DIR, the real app (Bolt over signed HTTP, the worker, the database) against
 * it, and the page at `/` that lets a person be Slack's users. The stand-in's Web API keeps its
 * own 127.0.0.1 port, as in the tests: the app's WebClient reaches it exactly as it reaches
 * slack.com (SLACK_API_URL), and its Socket Mode / OAuth / response_url routes stay out of the
 * app's router. Everything binds 127.0.0.1 only.
 */
export async function startLocalSlack(config: Readonly<Config>, log: Logger): Promise<LocalSlack> {
  const store = new LocalSlackStore(config.dataDir);
  const standin = await SlackStandin.start({ users: [...SEED_PEOPLE], channels: [...SEED_CHANNELS] });
  if (store.data.workspace) standin.restore(store.data.workspace);
  // The accept links in emails need the real port before the app starts; PORT=0 picks one now.
  const port = config.http.port === 0 ? await freePort() : config.http.port;
  const publicUrl = config.http.port === 0 || config.http.publicUrl === `http://localhost:${config.http.port}` ? `http://localhost:${port}` : config.http.publicUrl;
  const local: Config = {
    ...config,
    slack: { ...config.slack, signingSecret: store.data.signingSecret, botToken: standin.botToken, apiUrl: standin.apiUrl, teamChannel: config.slack.teamChannel ?? TEAM_CHANNEL.id, local: true },
    bootstrapOwnerEmails: config.bootstrapOwnerEmails.length > 0 ? config.bootstrapOwnerEmails : [SEED_OWNER.email],
    http: { port, publicUrl },
  };
  let driver: SlackDriver | undefined;
  const page = new AbortController();
  const session = new LocalSession(standin, () => driver!);
  let app: TeamManager;
  try {
    app = await startTeamManager(local, {
      log,
      host: '127.0.0.1',
      routes: (web) => web.use(localSlackPage({ standin, session, dataDir: config.dataDir, signal: page.signal })),
    });
  } catch (err) {
    page.abort();
    await standin.stop();
    throw err;
  }
  driver = new SlackDriver({ appUrl: `${app.url}/slack/events`, signingSecret: store.data.signingSecret, standin });
  if (!store.data.seeded) {
    await setApprovalsChannel(app, standin.teamId);
    store.data.seeded = true;
  }
  store.attach(standin);
  return {
    app,
    standin,
    session,
    url: `http://localhost:${app.port}/`,
    async stop() {
      page.abort();
      await app.stop();
      store.flush();
      await standin.stop();
    },
  };
}

/** First start: the approvals channel becomes the app's, set by the first owner as they would in settings. */
async function setApprovalsChannel(app: TeamManager, teamId: string): Promise<void> {
  const db = app.database.db;
  const organization = await findOrganizationBySlackTeam(db, teamId);
  const owner = organization && (await findMemberByEmail(db, organization.id, SEED_OWNER.email));
  if (!organization || !owner) return;
  await updateSettings(db, { organizationId: organization.id, actorMemberId: owner.id, changes: { approvals_channel_id: APPROVALS_CHANNEL.id }, source: 'system' });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
