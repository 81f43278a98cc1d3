import { AsyncLocalStorage } from 'node:async_hooks';
import { pino, type Logger as PinoLogger } from 'pino';
import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';

export type Logger = PinoLogger;

/**
 * The request being served, carried through async calls so that every log line
 * written while serving it (ours, Bolt's, the database's) carries its request id
 * without passing a logger down every call.
 */
export const requestContext = new AsyncLocalStorage<{ requestId: string }>();

/**
 * Paths pino blanks out wherever they appear in a logged object. Tokens, secrets
 * and credentials must never reach a log line, whatever a caller passes in.
 */
const REDACT_PATHS = [
  'token',
  '*.token',
  'botToken',
  '*.botToken',
  'signingSecret',
  '*.signingSecret',
  'appToken',
  '*.appToken',
  'password',
  '*.password',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-slack-signature"]',
  'headers.authorization',
];

export interface LoggerOptions {
  level: string;
  pretty: boolean;
  /** Where lines go; tests pass a stream to capture them. */
  destination?: NodeJS.WritableStream;
}

export function createLogger(options: LoggerOptions): Logger {
  const transport = options.pretty && !options.destination
    ? pino.transport({ target: 'pino-pretty', options: { colorize: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' } })
    : undefined;
  return pino(
    {
      level: options.level,
      base: { service: 'team-manager' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      mixin() {
        const store = requestContext.getStore();
        return store ? { requestId: store.requestId } : {};
      },
    },
    // Asynchronous writes to stdout: a line is handed to the thread pool and the lines logged
    // while one write is in flight go out together in the next, so the event loop never waits
    // for the disk or a pipe (issue 20: no synchronous logging on the hot path). No minimum
    // length: an idle server's line still goes out at once. pino flushes what is pending synchronously when the process exits.
    (transport ?? options.destination ?? pino.destination({ dest: 1, sync: false })) as pino.DestinationStream,
  );
}

const boltToPino: Record<LogLevel, pino.Level> = {
  [LogLevel.ERROR]: 'error',
  [LogLevel.WARN]: 'warn',
  [LogLevel.INFO]: 'info',
  [LogLevel.DEBUG]: 'debug',
};

/**
 * The Web API client redacts *token* fields when it logs a request body (debug), but not the
 * OAuth exchange's client_secret, code or refresh_token (oauth.v2.access): those are blanked
 * here, in the text of every line Bolt and the SDKs write (test/support/log-scan.ts found it).
 */
const SECRET_FIELDS_IN_TEXT = /("(?:client_secret|code|refresh_token)"\s*:\s*")[^"]*(")/g;
const scrub = (text: string) => text.replace(SECRET_FIELDS_IN_TEXT, '$1[redacted]$2');

/** Bolt and the Slack SDKs log through this, so their lines share our format and request id. */
export function boltLogger(log: Logger): BoltLogger {
  let name = 'bolt';
  const child = () => log.child({ subsystem: name });
  const write = (level: pino.Level) => (...msg: unknown[]) => {
    // Bolt and @slack/web-api log several debug lines per request and per API call: below the
    // level, return before making a child logger and serialising them (issue 20's CPU profile).
    if (!log.isLevelEnabled(level)) return;
    const [first, ...rest] = msg;
    if (first instanceof Error) child()[level]({ err: first }, scrub(rest.map(String).join(' ') || first.message));
    else child()[level](scrub(msg.map((m) => (typeof m === 'string' ? m : JSON.stringify(m))).join(' ')));
  };
  return {
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    setLevel: () => {
      // The level is ours to set from LOG_LEVEL; Bolt's request to change it is ignored.
    },
    getLevel: () => {
      const level = log.level as pino.Level;
      return (Object.entries(boltToPino).find(([, p]) => p === level)?.[0] as LogLevel | undefined) ?? LogLevel.INFO;
    },
    setName: (n: string) => {
      name = n;
    },
  };
}
