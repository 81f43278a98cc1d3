import { z } from 'zod';
import { parseTokenKey, TokenKeyError } from './crypto/token-cipher.js';

/**
 * The whole configuration, parsed once from the environment at start and frozen.
 * Every variable the app reads is named here, so this file is also the reference
 * the README's configuration table is written from.
 */

const booleanFromEnv = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'expected true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const optionalUrl = (what: string) =>
  z.url({ message: `expected ${what}` }).optional();

export const configSchema = z
  .object({
    SLACK_SIGNING_SECRET: z.string().optional(),
    SLACK_BOT_TOKEN: z.string().regex(/^xoxb-/, 'expected a bot token starting with xoxb-').optional(),
    SLACK_APP_TOKEN: z
      .string()
      .regex(/^xapp-/, 'expected an app-level token starting with xapp- (Socket Mode)')
      .optional(),
    SLACK_API_URL: optionalUrl('the Slack Web API base URL, e.g. https://slack.com/api/'),
    // Distributed mode (many workspaces through "Add to Slack", OAuth v2): all four together.
    SLACK_CLIENT_ID: z.string().regex(/^\d+\.\d+$/, 'expected the Client ID from the Slack app\'s "Basic Information" page, e.g. 1234567890.1234567890').optional(),
    SLACK_CLIENT_SECRET: z.string().min(16, 'expected the Client Secret from the Slack app\'s "Basic Information" page').optional(),
    SLACK_STATE_SECRET: z.string().min(32, 'expected at least 32 random characters (it signs the OAuth state), e.g. the output of: openssl rand -hex 32').optional(),
    TOKEN_ENCRYPTION_KEY: z
      .string()
      .transform((value, ctx) => {
        try {
          return parseTokenKey(value);
        } catch (err) {
          ctx.addIssue({ code: 'custom', message: err instanceof TokenKeyError ? err.message : 'invalid key' });
          return z.NEVER;
        }
      })
      .optional(),
    SLACK_INSTALL_DIRECT: booleanFromEnv.default(false),
    SLACK_TEAM_CHANNEL: z
      .string()
      .regex(/^[CG][A-Z0-9]{2,}$/, 'expected a Slack channel id such as C0123456789')
      .optional(),
    BOOTSTRAP_OWNER_EMAILS: z
      .string()
      .transform((v) => v.split(/[\s,]+/).map((e) => e.trim().toLowerCase()).filter(Boolean))
      .pipe(z.array(z.email({ message: 'expected comma-separated email addresses' })))
      .optional(),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'expected a postgres:// connection URL')
      .optional(),
    DATA_DIR: z.string().min(1).default('.data'),
    SMTP_URL: z
      .string()
      .regex(/^smtps?:\/\//, 'expected an smtp:// or smtps:// URL, e.g. smtps://user:pass@smtp.example.com:465')
      .optional(),
    MAIL_FROM: z.string().min(3).default('Team Manager <team-manager@localhost>'),
    EMBEDDED_PG_PORT: z.coerce
      .number({ message: 'expected a TCP port number' })
      .int()
      .min(1, 'expected a TCP port number between 1 and 65535')
      .max(65535, 'expected a TCP port number between 1 and 65535')
      .default(54329),
    PORT: z.coerce
      .number({ message: 'expected a TCP port number' })
      .int('expected a whole number')
      .min(0, 'expected a TCP port number between 0 and 65535')
      .max(65535, 'expected a TCP port number between 0 and 65535')
      .default(3000),
    PUBLIC_URL: optionalUrl('the public base URL of this app, e.g. https://team.example.com'),
    LOG_LEVEL: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
        message: 'expected one of fatal, error, warn, info, debug, trace, silent',
      })
      .default('info'),
    LOG_PRETTY: booleanFromEnv.default(false),
    RUN_MIGRATIONS: booleanFromEnv.default(true),
    RUN_WORKER: booleanFromEnv.default(true),
    WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(50).default(10),
    WORKER_DEAD_AFTER_SECONDS: z.coerce.number({ message: 'expected seconds' }).min(1, 'expected at least 1 second').max(3600).default(60),
    // The daily Slack directory sync's paging: users.list is Tier 2 (about 20 calls a minute).
    SLACK_SYNC_PAGE_SIZE: z.coerce.number({ message: 'expected a number of accounts' }).int('expected a whole number').min(1, 'expected at least 1').max(1000, 'Slack returns at most 1000 a page').default(200),
    SLACK_SYNC_PAUSE_MS: z.coerce.number({ message: 'expected milliseconds' }).int('expected a whole number').min(0).max(60_000).default(3_000),
    // While Slack refuses the bot token, one held delivery every this many seconds tries it again.
    SLACK_TOKEN_RETRY_SECONDS: z.coerce.number({ message: 'expected seconds' }).min(1, 'expected at least 1 second').max(86_400).default(300),
    // Production: no local Slack without credentials; webhook URLs must be https and may not resolve to private addresses (SSRF).
    NODE_ENV: z.string().optional(),
    // GET /metrics (Prometheus text format): off unless asked for, it tells how busy the app is.
    METRICS_ENABLED: booleanFromEnv.default(false),
    API_RATE_LIMIT_BURST: z.coerce.number({ message: 'expected a number of requests' }).int('expected a whole number').min(1, 'expected at least 1 request').max(100_000).default(100),
    // Shared: one bucket per key in PostgreSQL for all web instances; false: per process, in memory.
    API_RATE_LIMIT_SHARED: booleanFromEnv.default(true),
    API_RATE_LIMIT_PER_SECOND: z.coerce.number({ message: 'expected requests a second' }).positive('expected more than 0 requests a second').max(100_000).default(10),
  })
  .transform((env) => ({
    slack: {
      signingSecret: env.SLACK_SIGNING_SECRET ?? '',
      botToken: env.SLACK_BOT_TOKEN ?? '',
      appToken: env.SLACK_APP_TOKEN,
      apiUrl: env.SLACK_API_URL,
      socketMode: env.SLACK_APP_TOKEN !== undefined,
      teamChannel: env.SLACK_TEAM_CHANNEL,
      /**
       * Local mode: no Slack credentials at all and NODE_ENV is not production (only entry points
       * that offer it: `npm start`). main.ts then runs the local Slack (src/standin/local) and fills
       * the Slack fields from it; never in production, where a forgotten variable must stop the deploy.
       */
      local: false as boolean,
      /** Set in distributed mode (SLACK_CLIENT_ID): each workspace installs the app through OAuth. */
      oauth:
        env.SLACK_CLIENT_ID !== undefined
          ? {
              clientId: env.SLACK_CLIENT_ID,
              clientSecret: env.SLACK_CLIENT_SECRET ?? '',
              stateSecret: env.SLACK_STATE_SECRET ?? '',
              tokenKey: env.TOKEN_ENCRYPTION_KEY,
              directInstall: env.SLACK_INSTALL_DIRECT,
            }
          : undefined,
    },
    bootstrapOwnerEmails: env.BOOTSTRAP_OWNER_EMAILS ?? [],
    database: {
      url: env.DATABASE_URL,
      embeddedPort: env.EMBEDDED_PG_PORT,
      runMigrations: env.RUN_MIGRATIONS,
    },
    dataDir: env.DATA_DIR,
    mail: { smtpUrl: env.SMTP_URL, from: env.MAIL_FROM },
    http: {
      port: env.PORT,
      publicUrl: env.PUBLIC_URL ?? `http://localhost:${env.PORT}`,
    },
    log: { level: env.LOG_LEVEL, pretty: env.LOG_PRETTY },
    worker: { enabled: env.RUN_WORKER, concurrency: env.WORKER_CONCURRENCY, deadAfterSeconds: env.WORKER_DEAD_AFTER_SECONDS, tokenRetrySeconds: env.SLACK_TOKEN_RETRY_SECONDS },
    directorySync: { pageSize: env.SLACK_SYNC_PAGE_SIZE, pauseMs: env.SLACK_SYNC_PAUSE_MS },
    /** Webhook secrets are sealed with TOKEN_ENCRYPTION_KEY when it is set (src/webhooks/signing.ts). */
    webhooks: { production: env.NODE_ENV === 'production', secretKey: env.TOKEN_ENCRYPTION_KEY },
    metrics: { enabled: env.METRICS_ENABLED },
    api: { rateLimit: { burst: env.API_RATE_LIMIT_BURST, perSecond: env.API_RATE_LIMIT_PER_SECOND, shared: env.API_RATE_LIMIT_SHARED } },
  }));

export type Config = z.output<typeof configSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Variables whose values must never be echoed back, even in an error. */
const SECRET_VARIABLES = new Set([
  'SLACK_SIGNING_SECRET',
  'SLACK_BOT_TOKEN',
  'SLACK_APP_TOKEN',
  'SLACK_CLIENT_SECRET',
  'SLACK_STATE_SECRET',
  'TOKEN_ENCRYPTION_KEY',
  'DATABASE_URL',
  'SMTP_URL',
]);

/**
 * Parses the environment. Empty strings count as unset, the way a `.env` file with
 * `SLACK_APP_TOKEN=` is meant. Throws ConfigError with one line per problem, each
 * naming the variable and what is expected, never a secret's value.
 */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  options: { requireSlack?: boolean; allowLocalSlack?: boolean } = {},
): Readonly<Config> {
  const cleaned: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && value.trim() !== '') cleaned[key] = value.trim();
  }
  const result = configSchema.safeParse(cleaned);
  const problems = result.success
    ? []
    : result.error.issues.map((issue) => {
        const variable = String(issue.path[0] ?? 'environment');
        const given = variable in cleaned && !SECRET_VARIABLES.has(variable) ? ` (got "${cleaned[variable]}")` : '';
        return `${variable}: ${issue.message}${given}`;
      });
  // The Slack credentials are required here rather than in the schema so that the admin
  // command line (migrations, owners) runs without them, and so that they are reported
  // together with every other problem. Socket Mode authenticates with the app token; HTTP
  // mode needs the signing secret to verify that each request really comes from Slack.
  const local = options.allowLocalSlack === true && isLocalSlackEnv(cleaned);
  if (options.requireSlack !== false && !local) {
    const distributed = cleaned.SLACK_CLIENT_ID !== undefined;
    if (distributed && cleaned.SLACK_BOT_TOKEN !== undefined) {
      problems.unshift(
        'SLACK_CLIENT_ID: set either SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID with its secrets (many workspaces through "Add to Slack"), not both',
      );
    }
    if (distributed && cleaned.SLACK_APP_TOKEN !== undefined) {
      problems.unshift('SLACK_APP_TOKEN: a distributed deployment (SLACK_CLIENT_ID) runs over HTTP, where Slack redirects installs and sends requests; unset SLACK_APP_TOKEN');
    }
    if (distributed) {
      const needed: Array<[string, string]> = [
        ['SLACK_CLIENT_SECRET', 'the Client Secret from the Slack app\'s "Basic Information" page'],
        ['SLACK_STATE_SECRET', 'at least 32 random characters that sign the OAuth state, e.g. the output of: openssl rand -hex 32'],
        ['TOKEN_ENCRYPTION_KEY', 'the key that encrypts installation tokens in the database, e.g. the output of: openssl rand -base64 32'],
      ];
      for (const [name, what] of needed.reverse()) if (cleaned[name] === undefined) problems.unshift(`${name}: required with SLACK_CLIENT_ID: ${what}`);
    } else if (cleaned.SLACK_BOT_TOKEN === undefined) {
      problems.unshift('SLACK_BOT_TOKEN: required: the Bot User OAuth Token (xoxb-...) from the Slack app\'s "OAuth & Permissions" page');
    }
    if (cleaned.SLACK_APP_TOKEN === undefined && cleaned.SLACK_SIGNING_SECRET === undefined) {
      problems.unshift(
        'SLACK_SIGNING_SECRET: required: the Signing Secret from the Slack app\'s "Basic Information" page (or set SLACK_APP_TOKEN for Socket Mode)',
      );
    }
  }
  if (!result.success || problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(local ? { ...result.data, slack: { ...result.data.slack, local: true } } : result.data);
}

/** The third mode beside one workspace (SLACK_BOT_TOKEN) and many (SLACK_CLIENT_ID): nothing of Slack's is set, outside production. */
export function isLocalSlackEnv(env: Record<string, string | undefined>): boolean {
  const set = (name: string) => (env[name] ?? '').trim() !== '';
  const anySlack = ['SLACK_BOT_TOKEN', 'SLACK_CLIENT_ID', 'SLACK_APP_TOKEN', 'SLACK_SIGNING_SECRET'].some(set);
  return !anySlack && (env.NODE_ENV ?? '').trim() !== 'production';
}

export const SLACK_VARIABLES = ['SLACK_SIGNING_SECRET', 'SLACK_BOT_TOKEN'] as const;

function deepFreeze<T>(value: T): T {
  // A Buffer (the token key) cannot be frozen, and is never handed out to change.
  if (value && typeof value === 'object' && !ArrayBuffer.isView(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
